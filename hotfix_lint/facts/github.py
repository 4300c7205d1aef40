"""Facts read from the GitHub REST API, converted from PyGithub objects by ``collect.github.client``.

Every fact that needs a request is either a value or a :class:`CouldNotCheck`: a token without
the right permission, a rate limit or a GitHub outage makes that one fact unknown (with the
reason and the permission that would let it be read), never a pass and never a violation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeAlias, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CouldNotCheck:
    """A fact that could not be read: what, why, and the permission that would allow it."""

    what: str
    reason: str
    #: e.g. "administration: read" (fine-grained token / GitHub App permission); None when no
    #: permission would help (rate limit, outage, unreachable server)
    permission: str | None = None

    def __str__(self) -> str:
        text = f"could not check {self.what}: {self.reason}"
        if self.permission:
            text += f" (the token needs {self.permission})"
        return text


#: A fact as collected: the value, or why it could not be read.
Checked: TypeAlias = T | CouldNotCheck


@dataclass(frozen=True, slots=True)
class RepoSettings:
    """Repository settings that a hotfix process depends on (merge methods, default branch)."""

    full_name: str
    default_branch: str
    #: None: GitHub did not say (it leaves merge settings out for tokens without push rights)
    allow_merge_commit: bool | None
    allow_squash_merge: bool | None
    allow_rebase_merge: bool | None
    delete_branch_on_merge: bool | None
    archived: bool
    private: bool
    pushed_at: int | None
    #: the token's own rights on the repository (``permissions.admin``), when GitHub says
    viewer_is_admin: bool | None = None

    @property
    def merge_settings_known(self) -> bool:
        return None not in (self.allow_merge_commit, self.allow_squash_merge, self.allow_rebase_merge)

    @property
    def merge_methods(self) -> tuple[str, ...]:
        """Merge methods known to be enabled, in GitHub's order: merge, squash, rebase."""
        enabled = (
            ("merge", self.allow_merge_commit),
            ("squash", self.allow_squash_merge),
            ("rebase", self.allow_rebase_merge),
        )
        return tuple(name for name, on in enabled if on is True)


@dataclass(frozen=True, slots=True)
class BranchProtection:
    """Classic branch protection of one branch; ``protected=False`` when it has none."""

    branch: str
    protected: bool
    require_pull_request: bool = False
    required_approving_review_count: int = 0
    dismiss_stale_reviews: bool = False
    require_code_owner_reviews: bool = False
    require_last_push_approval: bool = False
    required_status_checks: tuple[str, ...] = ()
    strict_status_checks: bool = False
    enforce_admins: bool = False
    required_linear_history: bool = False
    allow_force_pushes: bool = False
    allow_deletions: bool = False
    required_conversation_resolution: bool = False
    required_signatures: bool = False
    lock_branch: bool = False
    #: push restricted to listed users/teams/apps
    restricts_pushes: bool = False
    #: who may merge without the required reviews (``bypass_pull_request_allowances``): logins,
    #: team slugs and app slugs
    pull_request_bypassers: tuple[str, ...] = ()
    #: GitHub refused with "Upgrade to GitHub Pro or make this repository public": a private
    #: repository on a plan without branch protection (``protected`` is False)
    plan_blocked: bool = False

    @classmethod
    def unprotected(cls, branch: str) -> BranchProtection:
        return cls(branch=branch, protected=False)


@dataclass(frozen=True, slots=True)
class EffectiveRule:
    """One rule that applies to a branch, from a repository or organisation ruleset."""

    type: str  # "pull_request", "deletion", "non_fast_forward", "required_linear_history", ...
    parameters: Mapping[str, Any] = field(default_factory=dict)
    ruleset_source_type: str | None = None  # "Repository" or "Organization"
    ruleset_source: str | None = None  # "owner/repo" or the organisation
    ruleset_id: int | None = None
    #: the ruleset's name, when the token could list the rulesets
    ruleset_name: str | None = None

    @property
    def ruleset_label(self) -> str:
        """How a message names the ruleset: 'ruleset "hotfix branches"' or 'ruleset #12'."""
        if self.ruleset_name:
            return f"ruleset '{self.ruleset_name}'"
        return f"ruleset #{self.ruleset_id}" if self.ruleset_id is not None else "a ruleset"


@dataclass(frozen=True, slots=True)
class BranchGitHubFact:
    """What GitHub enforces on one branch: classic protection and ruleset rules."""

    name: str
    protection: Checked[BranchProtection]
    rules: Checked[tuple[EffectiveRule, ...]]
    #: a sample name standing for a pattern no branch matches yet (``prod/hotfix/*``): rulesets
    #: answer for any name, classic protection only for a branch that exists
    probe: bool = False
    #: names of rulesets that target the branch in ``evaluate`` mode only (they report, never
    #: block); read only when nothing else protects the branch
    evaluate_rulesets: tuple[str, ...] = ()

    def rules_of_type(self, rule_type: str) -> tuple[EffectiveRule, ...]:
        if isinstance(self.rules, CouldNotCheck):
            return ()
        return tuple(r for r in self.rules if r.type == rule_type)

    @property
    def requires_pull_request(self) -> bool | None:
        """True when classic protection or a ruleset requires a pull request; None if unknown."""
        return _either(self._classic(lambda p: p.require_pull_request), self._has_rule("pull_request"))

    @property
    def required_approvals(self) -> int | None:
        """The highest approving-review count required by either mechanism; None if unknown."""
        counts: list[int] = []
        if not isinstance(self.protection, CouldNotCheck) and self.protection.require_pull_request:
            counts.append(self.protection.required_approving_review_count)
        for rule in self.rules_of_type("pull_request"):
            count = rule.parameters.get("required_approving_review_count", 0)
            counts.append(count if isinstance(count, int) else 0)
        if counts:
            return max(counts)
        if isinstance(self.protection, CouldNotCheck) or isinstance(self.rules, CouldNotCheck):
            return None
        return 0

    @property
    def blocks_force_push(self) -> bool | None:
        """True when force pushes are refused (classic protection or a non_fast_forward rule)."""
        return _either(self._classic(lambda p: not p.allow_force_pushes), self._has_rule("non_fast_forward"))

    @property
    def blocks_deletion(self) -> bool | None:
        """True when deleting the branch is refused (classic protection or a deletion rule)."""
        return _either(self._classic(lambda p: not p.allow_deletions), self._has_rule("deletion"))

    def _classic(self, enforces: Callable[[BranchProtection], bool]) -> bool | None:
        """Whether classic protection is on and ``enforces`` holds; None if it is unknown."""
        if isinstance(self.protection, CouldNotCheck):
            return None
        return self.protection.protected and enforces(self.protection)

    def _has_rule(self, rule_type: str) -> bool | None:
        return None if isinstance(self.rules, CouldNotCheck) else bool(self.rules_of_type(rule_type))


def _day(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


def _either(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued "or": True if either is True, None if the other is unknown."""
    if a or b:
        return True
    if a is None or b is None:
        return None
    return False


@dataclass(frozen=True, slots=True)
class BypassActor:
    """Someone a ruleset lets bypass its rules (``bypass_actors`` of ``GET rulesets/{id}``)."""

    actor_type: str  # Integration, OrganizationAdmin, RepositoryRole, Team, DeployKey, User
    actor_id: int | None = None
    bypass_mode: str = "always"  # always, pull_request, exempt

    @property
    def label(self) -> str:
        """``Team #234``, ``OrganizationAdmin``: how the policy's ``allow`` option names it."""
        return self.actor_type if self.actor_id is None else f"{self.actor_type} #{self.actor_id}"


@dataclass(frozen=True, slots=True)
class RulesetBypass:
    """Who may bypass one ruleset; ``actors`` is unknown when GitHub leaves the list out (it
    shows it only to tokens with write access to the ruleset)."""

    ruleset_id: int
    name: str | None
    actors: Checked[tuple[BypassActor, ...]]


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


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """One pull-request review."""

    user: str | None
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    submitted_at: int | None
    commit_id: str | None = None


@dataclass(frozen=True, slots=True)
class PullRequestFact:
    """A merged pull request into a watched branch, with its reviews."""

    number: int
    head_ref: str
    base_ref: str
    author: str | None
    merged_at: int | None
    merge_commit_sha: str | None
    head_sha: str | None = None
    title: str = ""
    reviews: Checked[tuple[ReviewFact, ...]] = ()

    @property
    def approvers(self) -> tuple[str, ...] | None:
        """Logins whose latest review approves, the author excluded; None when unknown."""
        if isinstance(self.reviews, CouldNotCheck):
            return None
        latest: dict[str, str] = {}
        for review in self.reviews:
            if review.user is None or review.state in ("COMMENTED", "PENDING"):
                continue
            latest[review.user] = review.state
        return tuple(sorted(u for u, s in latest.items() if s == "APPROVED" and u != self.author))


@dataclass(frozen=True, slots=True)
class GitHubFacts:
    """Everything read from GitHub about one repository; each part a value or CouldNotCheck."""

    repository: str
    settings: Checked[RepoSettings]
    branches: tuple[BranchGitHubFact, ...] = ()
    environment_name: str | None = None
    #: None: no environment asked for (``environment_name`` is None), or it does not exist
    environment: Checked[Environment | None] = None
    #: newest first; statuses are read until the first successful one (bounded)
    deployments: Checked[tuple[Deployment, ...]] = ()
    #: every deployment to the environment was read (the list ended before any limit)
    deployments_complete: bool = False
    #: merged pull requests into the watched branches, most recently updated first
    pulls: Checked[tuple[PullRequestFact, ...]] = ()
    notes: tuple[str, ...] = ()
    #: who may bypass each ruleset applying to a read branch (read for ``protection-bypass``)
    ruleset_bypass: tuple[RulesetBypass, ...] = ()
    #: GitHub Actions workflows by path and their state (``active``, ``disabled_manually``,
    #: ``disabled_inactivity``, ...); None: not read
    workflow_states: Checked[tuple[tuple[str, str], ...]] | None = None

    def branch(self, name: str) -> BranchGitHubFact | None:
        for fact in self.branches:
            if fact.name == name:
                return fact
        return None

    @property
    def last_successful_deployment(self) -> Deployment | None:
        if isinstance(self.deployments, CouldNotCheck):
            return None
        for deployment in self.deployments:
            if deployment.succeeded:
                return deployment
        return None

    def deployed_at(self, when: int | None) -> tuple[str | None, str]:
        """The commit running in the environment at ``when`` (None: now), and how it was found.

        That is the last deployment that succeeded at or before ``when``; the commit is None
        (with the reason) when the deployments read do not say: none succeeded before, the
        list does not reach back that far, or a deployment in between has an unknown state.
        """
        env = self.environment_name or "?"
        if isinstance(self.deployments, CouldNotCheck):
            return None, str(self.deployments)
        moment = "now" if when is None else f"before {_day(when)}"
        best: Deployment | None = None
        silent = 0
        for deployment in self.deployments:  # newest first
            if isinstance(deployment.state, CouldNotCheck):
                if when is None or deployment.created_at <= when:
                    return None, str(deployment.state)
                continue
            if deployment.state is None:
                silent += 1
            if deployment.succeeded and (when is None or deployment.success_time <= when):
                best = deployment
                break
        if best is not None:
            return best.sha, f"the last successful deployment to {env!r} {moment} ({best.ref}, {_day(best.created_at)})"
        no_status = f" ({silent} of them with no status)" if silent else ""
        if self.deployments_complete:
            return None, f"no deployment to {env!r} succeeded {moment}{no_status}"
        return None, (
            f"the {len(self.deployments)} most recent deployment(s) to {env!r} read from GitHub do not reach "
            f"back to a successful one {moment}{no_status}"
        )

    @property
    def unavailable(self) -> tuple[CouldNotCheck, ...]:
        """Every fact that could not be read, for the report's notes."""
        found: list[CouldNotCheck] = []

        def add(value: object) -> None:
            if isinstance(value, CouldNotCheck) and value not in found:
                found.append(value)

        add(self.settings)
        for b in self.branches:
            add(b.protection)
            add(b.rules)
        add(self.environment)
        if isinstance(self.environment, Environment) and self.environment.branch_policy is not None:
            add(self.environment.branch_policy.patterns)
        add(self.deployments)
        if not isinstance(self.deployments, CouldNotCheck):
            for d in self.deployments:
                add(d.state)
        for bypass in self.ruleset_bypass:
            add(bypass.actors)
        add(self.workflow_states)
        add(self.pulls)
        if not isinstance(self.pulls, CouldNotCheck):
            for p in self.pulls:
                add(p.reviews)
        return tuple(found)


def github_fnmatch(pattern: str, name: str) -> bool:
    """Whether ``name`` matches a GitHub name pattern (deployment branch and tag policies,
    ruleset ref conditions), as GitHub matches it: Ruby's ``File.fnmatch`` with
    ``FNM_PATHNAME``, so ``*`` and ``?`` never cross ``/``, ``**/`` spans directories and
    ``[...]`` is a character class."""
    return _fnmatch_regex(pattern).fullmatch(name) is not None


@lru_cache(maxsize=512)
def _fnmatch_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` (from GitHub's answer or the policy: untrusted) as an anchored regex; a
    class no regex can hold (``[z-a]``) matches itself literally, never raises."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            negate = body.startswith(("!", "^"))
            body = body[1:] if negate else body
            out.append(("[^/" if negate else "[") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return re.compile(re.escape(pattern))
