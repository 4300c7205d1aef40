"""Facts of production history: each production line with its hotfixes, the integration branch,
the branches and tags.

Only the history walk (``collect.git.history``) builds these; a git hook that judges one branch
never needs them, so they live apart from the branch's records in :mod:`hotfix_lint.facts.git`
(each frozen dataclass costs a hook about a millisecond to define).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotfix_lint.facts.git import CommitFact, HotfixFact
from hotfix_lint.facts.refs import BranchFact, TagFact

if TYPE_CHECKING:
    from hotfix_lint.facts.branches import HotfixBranchFact, ReleaseBranchFact
    from hotfix_lint.facts.coverage import ProductionChangeFact
    from hotfix_lint.facts.landing import LandingFact


#: the back-merge rule's default ``grace_days``; the collector searches squash and cherry-pick
#: evidence up to a landing's grace, so both read this one value
DEFAULT_GRACE_DAYS = 7



def back_merge_due(landed: int, grace: int) -> int:
    """When a back-merge was due: ``grace`` seconds after the landing, and never less than a day
    (``grace_days: 0`` means "the same day", not "before the merge into production")."""
    return landed + max(grace, 86400)


#: how a hotfix reached the integration branch (``BackMergeFact.form``)
BACK_MERGE_FORMS = ("merge", "production", "fast-forward", "squash", "cherry-pick")


@dataclass(frozen=True, slots=True)
class BackMergeFact:
    """One way the integration branch received a hotfix, and when.

    ``form``: ``merge`` (a merge commit brought the hotfix branch, not its landing), ``production``
    (a merge of the production line or a tag brought the landing along), ``fast-forward``
    (integration's own first-parent chain holds the hotfix's commits), ``squash`` (one commit
    with the hotfix's whole change), ``cherry-pick`` (each of its commits, by patch id, ``-x``
    trailer or author and date).
    """

    form: str
    #: when integration first had it (committer time of its first-parent commit that brought it)
    at: int
    #: integration's commit that brought it: the merge, the squash, the newest pick
    commit: str
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ProductionLineFact:
    """One production line (``main``, a ``support/*`` branch) since the ``since`` point."""

    name: str
    ref: str
    tip: str
    first_parent: tuple[CommitFact, ...]  # newest first, since-limited
    hotfixes: tuple[HotfixFact, ...]  # newest first
    #: branch tips (other than this line) by commit id, to recognise fast-forwards
    branch_tips: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    truncated_by_since: bool = False
    #: every change that reached the line, classified (``collect.git.landings``), newest first
    landings: tuple[LandingFact, ...] = ()
    #: the line names its own integration branch (or null): ``integration`` and
    #: ``integration_missing`` are its, not :class:`HistoryFacts`' (see ``HistoryFacts.integration_of``)
    own_integration: bool = False
    integration: IntegrationFact | None = None
    integration_missing: str | None = None


@dataclass(frozen=True, slots=True)
class IntegrationFact:
    """The integration branch (``develop``): where it is and when it last moved."""

    name: str
    tip: str
    tip_time: int
    retired_since: int | None = None


@dataclass(frozen=True, slots=True)
class HistoryFacts:
    """Production history, integration branch, branches and tags."""

    production: tuple[ProductionLineFact, ...]
    integration: IntegrationFact | None
    integration_missing: str | None  # name of a configured integration branch not found
    branches: tuple[BranchFact, ...]
    tags: tuple[TagFact, ...]
    missing_production: tuple[str, ...] = ()
    missing_objects: tuple[str, ...] = ()
    #: open release branches and the hotfixes they contain (``collect.git.branches``)
    release_branches: tuple[ReleaseBranchFact, ...] = ()
    #: branches named like hotfix branches and how far each got (``None`` when not collected)
    hotfix_branches: tuple[HotfixBranchFact, ...] | None = None
    #: each non-hotfix change on production and when integration received it (``None``: not collected)
    production_changes: tuple[ProductionChangeFact, ...] | None = None

    def integration_of(self, line: ProductionLineFact | str) -> IntegrationFact | None:
        """The integration branch of production line ``line`` (a line's own, else the policy's)."""
        fact = self.line(line) if isinstance(line, str) else line
        return fact.integration if fact is not None and fact.own_integration else self.integration

    def integration_missing_of(self, line: ProductionLineFact | str) -> str | None:
        """The name of ``line``'s integration branch when the policy names one that is not there."""
        fact = self.line(line) if isinstance(line, str) else line
        return fact.integration_missing if fact is not None and fact.own_integration else self.integration_missing

    def line(self, name: str) -> ProductionLineFact | None:
        return next((x for x in self.production if x.name == name), None)
