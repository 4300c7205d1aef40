"""A deployment environment (its reviewers and the refs allowed to deploy) and the deployments to
it, as ``collect.github.deployments`` reads them."""

from __future__ import annotations

from dataclasses import dataclass

from hotfix_lint.facts.checked import Checked


@dataclass(frozen=True, slots=True)
class DeploymentBranchPattern:
    """A custom deployment branch (or tag) policy: a name pattern such as ``prod/hotfix/*``."""

    name: str
    type: str = "branch"  # "branch" or "tag"


@dataclass(frozen=True, slots=True)
class DeploymentBranchPolicy:
    """Which refs may deploy to an environment: protected branches, or custom patterns."""

    protected_branches: bool
    custom_branch_policies: bool
    patterns: Checked[tuple[DeploymentBranchPattern, ...]] = ()


@dataclass(frozen=True, slots=True)
class Environment:
    """A deployment environment and its protection rules."""

    name: str
    reviewers: tuple[str, ...] = ()  # user logins
    reviewer_teams: tuple[str, ...] = ()  # team slugs
    prevent_self_review: bool = False
    wait_timer: int = 0
    #: None: any branch may deploy
    branch_policy: DeploymentBranchPolicy | None = None
    #: "Allow administrators to bypass configured protection rules" (GitHub's default: on);
    #: None when the answer does not say
    can_admins_bypass: bool | None = None

    @property
    def requires_review(self) -> bool:
        return bool(self.reviewers or self.reviewer_teams)


@dataclass(frozen=True, slots=True)
class Deployment:
    """One deployment, with the state of its latest status (None when it has no status).

    ``inactive`` means it succeeded and was superseded: GitHub marks every earlier successful
    deployment to a non-production environment inactive when a newer one succeeds
    (``auto_inactive``). ``succeeded_at`` is when its ``success`` status was set, when that
    status was among those read.
    """

    id: int
    sha: str
    ref: str
    environment: str
    created_at: int
    state: Checked[str | None] = None
    state_at: int | None = None
    creator: str | None = None
    succeeded_at: int | None = None

    @property
    def succeeded(self) -> bool:
        """It reached ``success`` (and may since have been superseded: ``inactive``)."""
        return self.state in SUCCEEDED

    @property
    def success_time(self) -> int:
        """When it started running: its success status, else its latest status, else creation."""
        return self.succeeded_at or (self.state_at if self.state == "success" else None) or self.created_at


#: deployment states that mean the deployment succeeded (``inactive``: and was superseded later)
SUCCEEDED = ("success", "inactive")
