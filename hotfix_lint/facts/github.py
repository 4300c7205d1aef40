"""Facts read from the GitHub REST API, converted from PyGithub objects by ``collect.github.collector``.

Every fact that needs a request is either a value or a :class:`CouldNotCheck`: a token without
the right permission, a rate limit or a GitHub outage makes that one fact unknown (with the
reason and the permission that would let it be read), never a pass and never a violation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

# the records of each part live in their own module; importers find them all here
from hotfix_lint.facts.checked import Checked, CouldNotCheck
from hotfix_lint.facts.github_branches import (
    BranchGitHubFact,
    BranchProtection,
    BypassActor,
    EffectiveRule,
    RulesetBypass,
)
from hotfix_lint.facts.github_deployments import (
    SUCCEEDED,
    Deployment,
    DeploymentBranchPattern,
    DeploymentBranchPolicy,
    Environment,
)

__all__ = [
    "SUCCEEDED",
    "BranchGitHubFact",
    "BranchProtection",
    "BypassActor",
    "Checked",
    "CouldNotCheck",
    "Deployment",
    "DeploymentBranchPattern",
    "DeploymentBranchPolicy",
    "EffectiveRule",
    "Environment",
    "GitHubFacts",
    "PullRequestFact",
    "RepoSettings",
    "ReviewFact",
    "RulesetBypass",
    "github_fnmatch",
]


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


def _day(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


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
