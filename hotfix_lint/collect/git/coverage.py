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
from dataclasses import replace

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.line_chain import LineChains
from hotfix_lint.collect.git.repository import MISSING, patch_id
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
    when the line's integration branch received it (none for a line without one)."""
    out: list[ProductionChangeFact] = []
    groups: dict[str, tuple[IntegrationFact, list[ProductionLineFact]]] = {}
    for line in history.production:
        integration = history.integration_of(line)
        if integration is not None:
            groups.setdefault(integration.name, (integration, []))[1].append(line)
    for integration, lines in groups.values():
        out.extend(_changes_into(repo, policy, integration, lines))
    return tuple(out)


def _changes_into(
    repo: pygit2.Repository, policy: Policy, integration: IntegrationFact, lines: list[ProductionLineFact]
) -> tuple[ProductionChangeFact, ...]:
    """The changes of ``lines`` (released from ``integration``) and when ``integration`` got each."""
    automation = automation_of(policy)
    authors, messages = list(automation.authors), list(automation.messages)
    changes: list[ProductionChangeFact] = []
    for line in lines:
        landed = {h.merge.id for h in line.hotfixes if h.merge is not None}
        for commit in line.first_parent:
            if commit.id in landed or not commit.parents or not policy.in_era(commit.commit_time):
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
    chains = LineChains(repo, policy)
    arrival = _arrivals(repo, integration, {w for ids in wanted.values() for w in ids}, chains)
    out = []
    for change in changes:
        reached = [arrival.get(i) for i in wanted[change.commit.id]]
        found = None if any(r is None for r in reached) else max(r for r in reached if r is not None)
        out.append(replace(change, arrived_by=found[1] if found else None, arrived_at=found[0] if found else None))
    # a copy matters only for a change integration did not already have when it landed
    unsure = [c for c in out if c.arrived_at is None or c.arrived_at > c.commit.commit_time]
    if unsure:
        copies = _Copies(repo, integration, lines, min(c.commit.author_time for c in unsure))
        out = [copies.with_copy(c) if c in unsure else c for c in out]
    return tuple(out)


def _brought(change: ProductionChangeFact) -> tuple[str, ...]:
    """What a change brought to the line: a merge its other parents, a commit itself."""
    commit = change.commit
    return commit.parents[1:] if len(commit.parents) >= 2 else (commit.id,)


def _arrivals(
    repo: pygit2.Repository, integration: IntegrationFact, wanted: set[str], chains: LineChains
) -> dict[str, tuple[int, str]]:
    """For each wanted commit the integration first-parent commit that first reached it: (time, id);
    the chain is integration's own (``collect.git.line_chain``)."""
    try:
        oldest = min(repo[w].peel(pygit2.Commit).commit_time for w in wanted) - _SKEW
    except MISSING:
        oldest = 0
    tip = pygit2.Oid(hex=integration.tip)
    first_parent: set[str] = set()
    for commit in chains.walk(tip, integration.name):
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


class _Copies:
    """Integration-only commits that may copy a production change: by the commit they say they
    were picked from, and by author and author time (which a cherry-pick keeps), confirmed by
    patch id. Patch ids are computed only for those candidates: a diff costs milliseconds."""

    def __init__(
        self, repo: pygit2.Repository, integration: IntegrationFact, lines: Iterable[ProductionLineFact], since: int
    ) -> None:
        self.repo = repo
        self.picked: dict[str, tuple[int, str]] = {}
        self.by_author: dict[tuple[str, int], list[tuple[int, str]]] = {}
        walker = repo.walk(pygit2.Oid(hex=integration.tip), SortMode.TIME)
        for line in lines:
            walker.hide(pygit2.Oid(hex=line.tip))
        for commit in walker:
            if commit.commit_time < since - _SKEW:
                break  # a copy is made after what it copies was written
            if len(commit.parent_ids) != 1:
                continue
            seen = (commit.commit_time, str(commit.id))
            for picked in _CHERRY_PICKED.findall(commit.message):
                self.picked[picked] = seen  # newest first: the oldest copy is kept
            self.by_author.setdefault((commit.author.email, commit.author.time), []).append(seen)

    def with_copy(self, change: ProductionChangeFact) -> ProductionChangeFact:
        """``change`` with its oldest copy in the integration branch, if it has one."""
        commit = change.commit
        found = self.picked.get(commit.id)
        candidates = self.by_author.get((commit.author_email, commit.author_time), [])
        if found is None and candidates and len(commit.parents) == 1:
            patch = patch_id(self.repo, commit.parents[0], commit.id)
            same = [c for c in candidates if patch is not None and self._patch_of(c[1]) == patch]
            found = min(same) if same else None
        if found is None:
            return change
        return replace(change, copy=found[1], copy_at=found[0])

    def _patch_of(self, commit: str) -> str | None:
        try:
            parent = str(self.repo[commit].peel(pygit2.Commit).parent_ids[0])
        except MISSING:
            return None
        return patch_id(self.repo, parent, commit)



