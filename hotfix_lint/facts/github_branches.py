"""What GitHub enforces on a branch: classic branch protection, the ruleset rules that apply to
it, and who may bypass a ruleset. Read by ``collect.github.branch_rules``; the rules ask
:class:`BranchGitHubFact` whichever mechanism enforces what they check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hotfix_lint.facts.checked import Checked, CouldNotCheck


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
