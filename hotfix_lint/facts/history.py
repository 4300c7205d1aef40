"""Facts of production history: each production line with its hotfixes, the integration branch,
the branches and tags.

Only the history walk (``collect.history``) builds these; a git hook that judges one branch
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
    from hotfix_lint.facts.landing import LandingFact


@dataclass(frozen=True)
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
    #: every change that reached the line, classified (``collect.landings``), newest first
    landings: tuple[LandingFact, ...] = ()


@dataclass(frozen=True)
class IntegrationFact:
    """The integration branch (``develop``): where it is and when it last moved."""

    name: str
    tip: str
    tip_time: int
    retired_since: int | None = None


@dataclass(frozen=True)
class HistoryFacts:
    """Production history, integration branch, branches and tags."""

    production: tuple[ProductionLineFact, ...]
    integration: IntegrationFact | None
    integration_missing: str | None  # name of a configured integration branch not found
    branches: tuple[BranchFact, ...]
    tags: tuple[TagFact, ...]
    missing_production: tuple[str, ...] = ()
    missing_objects: tuple[str, ...] = ()
    #: open release branches and the hotfixes they contain (``collect.branches``)
    release_branches: tuple[ReleaseBranchFact, ...] = ()
    #: branches named like hotfix branches and how far each got (``None`` when not collected)
    hotfix_branches: tuple[HotfixBranchFact, ...] | None = None
