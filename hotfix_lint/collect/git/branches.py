"""Where hotfix and release branches stand: merged into production or not, still there or not.

Bounded by the number of such branches: one ancestry test per branch and line (a set
look-up when a collected hotfix merge already names the tip), and for each open release
branch one ancestry test per hotfix merged since it was cut.
"""

from __future__ import annotations

import pygit2

from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts import HotfixFact
from hotfix_lint.facts.branches import HotfixBranchFact, ReleaseBranchFact
from hotfix_lint.facts.history import HistoryFacts
from hotfix_lint.facts.refs import BranchFact
from hotfix_lint.policy.model import Policy

#: at most this many branches are examined (newest tips first), so a repository that never
#: deletes branches cannot make a run slow
MAX_BRANCHES = 500


def _contains(repo: pygit2.Repository, tip: str, commit: str) -> bool:
    """Is ``commit`` ``tip`` or one of its ancestors?"""
    if tip == commit:
        return True
    try:
        return bool(repo.descendant_of(pygit2.Oid(hex=tip), pygit2.Oid(hex=commit)))
    except MISSING:
        return False


def _newest(branches: list[BranchFact]) -> list[BranchFact]:
    return sorted(branches, key=lambda b: b.tip_time, reverse=True)[:MAX_BRANCHES]


def hotfix_branches(repo: pygit2.Repository, policy: Policy, history: HistoryFacts) -> tuple[HotfixBranchFact, ...]:
    """Every local and remote-tracking branch named like a hotfix branch, and how far it got."""
    merged_by_tip: dict[str, tuple[str, int | None]] = {}
    for line in history.production:
        for hotfix in line.hotfixes:
            merged_by_tip.setdefault(hotfix.tip, (line.name, hotfix.merged_at))
    candidates = [
        b
        for b in history.branches
        if policy.is_hotfix_name(b.name)
        and not policy.is_production_name(b.name)
        and not policy.is_integration_name(b.name)
        and not policy.is_release_name(b.name)
    ]
    out: list[HotfixBranchFact] = []
    for branch in _newest(candidates):
        merged_into: str | None = None
        merged_at: int | None = None
        if branch.tip in merged_by_tip:
            merged_into, merged_at = merged_by_tip[branch.tip]
        else:
            for line in history.production:
                if _contains(repo, line.tip, branch.tip):
                    merged_into = line.name
                    break
        integration = history.integration
        if merged_into is not None:  # the integration branch of the line it reached
            integration = history.integration_of(merged_into)
        in_integration = None if integration is None else _contains(repo, integration.tip, branch.tip)
        out.append(
            HotfixBranchFact(
                name=branch.name,
                ref=branch.ref,
                tip=branch.tip,
                tip_time=branch.tip_time,
                remote=branch.remote,
                merged_into=merged_into,
                merged_at=merged_at,
                in_integration=in_integration,
            )
        )
    return tuple(out)


def release_branches(repo: pygit2.Repository, policy: Policy, history: HistoryFacts) -> tuple[ReleaseBranchFact, ...]:
    """Open release branches (not merged into production), and the later hotfixes each contains."""
    if not history.production:
        return ()
    best: dict[str, BranchFact] = {}
    for branch in history.branches:
        if not policy.is_release_name(branch.name) or policy.is_production_name(branch.name):
            continue
        if branch.name not in best or (branch.remote is None and best[branch.name].remote is not None):
            best[branch.name] = branch
    hotfixes: list[HotfixFact] = [h for line in history.production for h in line.hotfixes if h.merge is not None]
    out: list[ReleaseBranchFact] = []
    for branch in _newest(list(best.values())):
        is_open = not any(_contains(repo, line.tip, branch.tip) for line in history.production)
        against = history.integration.tip if history.integration is not None else history.production[0].tip
        try:
            base_oid = repo.merge_base(pygit2.Oid(hex=branch.tip), pygit2.Oid(hex=against))
            base = str(base_oid) if base_oid is not None else None
            cut_time = repo[base_oid].peel(pygit2.Commit).commit_time if base_oid is not None else branch.tip_time
        except MISSING:
            continue
        contains: set[str] = set()
        if is_open:
            for hotfix in hotfixes:
                if (hotfix.merged_at or 0) > cut_time and _contains(repo, branch.tip, hotfix.tip):
                    contains.add(hotfix.tip)
        out.append(
            ReleaseBranchFact(
                name=branch.name,
                ref=branch.ref,
                tip=branch.tip,
                base=base,
                cut_time=cut_time,
                open=is_open,
                contains=frozenset(contains),
            )
        )
    return tuple(out)
