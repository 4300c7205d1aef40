"""When the integration branch received each non-hotfix change of each production line.

Bounded, one walk each: the integration branch's history is walked once, children before
parents, carrying for every commit the oldest integration first-parent commit that reaches it
(its arrival); the walk stops once every change is placed. Copies (cherry-picks, squashes)
come from one walk of the commits only the integration branch has, by patch id and by git's
"(cherry picked from commit X)" line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.repository import MISSING
from hotfix_lint.facts.coverage import ProductionChangeFact
from hotfix_lint.facts.history import HistoryFacts, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import is_allowed_direct_commit
from hotfix_lint.policy.automation import automation_of
from hotfix_lint.policy.model import Policy

#: commit clocks disagree: a commit up to this much older than what it is sought by still counts
_SKEW = 86400
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{40})\)")


def production_changes(
    repo: pygit2.Repository, policy: Policy, history: HistoryFacts
) -> tuple[ProductionChangeFact, ...]:
    """Every first-parent change of every production line that is not a hotfix landing, with
    when the integration branch received it (none when there is no integration branch)."""
    integration = history.integration
    if integration is None:
        return ()
    automation = automation_of(policy)
    authors, messages = list(automation.authors), list(automation.messages)
    changes: list[ProductionChangeFact] = []
    for line in history.production:
        landed = {h.merge.id for h in line.hotfixes if h.merge is not None}
        for commit in line.first_parent:
            if commit.id in landed or not commit.parents:
                continue
            if len(commit.parents) >= 2:
                kind = "merge"
            elif is_allowed_direct_commit(commit, authors, messages):
                kind = "automation"
            else:
                kind = "direct"
            changes.append(ProductionChangeFact(line=line.name, commit=commit, kind=kind))
    if not changes:
        return ()
    wanted = {c.commit.id: _brought(c) for c in changes}
    arrival = _arrivals(repo, integration, {w for ids in wanted.values() for w in ids})
    copies = _copies(repo, integration, history.production, min(c.commit.commit_time for c in changes))
    out = []
    for change in changes:
        ids = wanted[change.commit.id]
        reached = [arrival.get(i) for i in ids]
        found = None if any(r is None for r in reached) else max(r for r in reached if r is not None)
        copy = copies.get(_patch_id(repo, change.commit.parents[0], change.commit.id) or "") or copies.get(
            change.commit.id
        )
        out.append(
            ProductionChangeFact(
                line=change.line,
                commit=change.commit,
                kind=change.kind,
                arrived_by=found[1] if found else None,
                arrived_at=found[0] if found else None,
                copy=copy[1] if copy else None,
                copy_at=copy[0] if copy else None,
            )
        )
    return tuple(out)


def _brought(change: ProductionChangeFact) -> tuple[str, ...]:
    """What a change brought to the line: a merge its other parents, a commit itself."""
    commit = change.commit
    return commit.parents[1:] if len(commit.parents) >= 2 else (commit.id,)


def _arrivals(repo: pygit2.Repository, integration: IntegrationFact, wanted: set[str]) -> dict[str, tuple[int, str]]:
    """For each wanted commit the integration first-parent commit that first reached it: (time, id)."""
    try:
        oldest = min(repo[w].peel(pygit2.Commit).commit_time for w in wanted) - _SKEW
    except MISSING:
        oldest = 0
    tip = pygit2.Oid(hex=integration.tip)
    first_parent: set[str] = set()
    walker = repo.walk(tip, SortMode.NONE)
    walker.simplify_first_parent()
    for commit in walker:
        first_parent.add(str(commit.id))
        if commit.commit_time < oldest:
            break
    label: dict[str, tuple[int, str]] = {}
    found: dict[str, tuple[int, str]] = {}
    for commit in repo.walk(tip, SortMode.TOPOLOGICAL | SortMode.TIME):
        cid = str(commit.id)
        mine = (commit.commit_time, cid) if cid in first_parent else label.pop(cid, None)
        if mine is None:
            continue  # reached only through first-parent commits older than the bound
        if cid in wanted:
            found[cid] = mine
            if len(found) == len(wanted):
                break
        for parent in commit.parent_ids:
            pid = str(parent)
            if pid in first_parent:
                continue
            known = label.get(pid)
            if known is None or mine[0] < known[0]:
                label[pid] = mine
    return found


def _copies(
    repo: pygit2.Repository, integration: IntegrationFact, lines: Iterable[ProductionLineFact], since: int
) -> dict[str, tuple[int, str]]:
    """Integration-only commits since ``since`` by patch id and by the commit they were picked from."""
    walker = repo.walk(pygit2.Oid(hex=integration.tip), SortMode.TIME)
    for line in lines:
        walker.hide(pygit2.Oid(hex=line.tip))
    copies: dict[str, tuple[int, str]] = {}
    for commit in walker:
        if commit.commit_time < since - _SKEW:
            break
        if len(commit.parent_ids) != 1:
            continue
        seen = (commit.commit_time, str(commit.id))
        for picked in _CHERRY_PICKED.findall(commit.message):
            copies[picked] = seen  # newest first: the oldest copy is kept
        patch = _patch_id(repo, str(commit.parent_ids[0]), str(commit.id))
        if patch is not None:
            copies[patch] = seen
    return copies


def _patch_id(repo: pygit2.Repository, old: str, new: str) -> str | None:
    try:
        return str(repo.diff(repo[old].peel(pygit2.Commit), repo[new].peel(pygit2.Commit)).patchid)
    except MISSING:
        return None
