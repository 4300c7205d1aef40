"""The history collector's questions answered from the commit graph, each in time
proportional to the answer: a hotfix's own commits, a line's merges, merge bases against a
chain commit, ancestry (``None``: not in the graph, ask git). The graph itself is
:mod:`~hotfix_lint.collect.git.commit_graph`; the reach of each production line's
first-parent chain, :mod:`~hotfix_lint.collect.git.first_parent_reach`.
"""

from __future__ import annotations

from array import array
from typing import Protocol

from hotfix_lint.collect.git.commit_graph import NONE, CommitGraph
from hotfix_lint.collect.git.first_parent_reach import FirstParentReach


class HistoryProgress(Protocol):
    """What the history read reports as it goes (``hotfix_lint.progress`` shows it on a terminal)."""

    def read(self, commits: int) -> None: ...

    def judging(self, hotfixes: int) -> None: ...

    def judged(self) -> None: ...


class HistoryIndex:
    """The graph and the first-parent reach of each production line: what the history
    collector asks, each answer in time proportional to it (``None``: not in the index, ask git)."""

    def __init__(self, graph: CommitGraph) -> None:
        self.graph = graph
        self._lines: dict[str, FirstParentReach] = {}
        self._own_lines: dict[str, FirstParentReach | None] = {}

    def line(self, tip: str) -> FirstParentReach:
        """The reach of the first-parent chain from ``tip`` (read once per tip)."""
        if tip not in self._lines:
            self._lines[tip] = FirstParentReach(self.graph, tip)
        return self._lines[tip]

    def merges(self, tip: str, since_time: int | None) -> list[int]:
        """Merge commits reachable from ``tip`` (committed at ``since_time`` or later): newest
        first, children before parents."""
        reach = self.line(tip)
        arity, times, gens = self.graph.arity, self.graph.times, self.graph.gens
        found = [n for n in reach.arrived if arity[n] > 1 and (since_time is None or times[n] >= since_time)]
        found.sort(key=lambda n: (-times[n], -gens[n]))
        return found

    def own(self, tip: str, mainline: str, merge: str | None = None) -> list[str] | None:
        """Commits reachable from ``tip`` and not from ``mainline`` (a hotfix's own commits),
        children before parents; for a merge on a line's first-parent chain, what it brought."""
        graph = self.graph
        t, m = graph.index.get(tip), graph.index.get(mainline)
        if t is None or m is None:
            return None
        found: list[int] | None = None
        n = graph.index.get(merge) if merge is not None else None
        if n is not None and graph.parents(n) == (m, t) and graph.arity[n] == 2:
            for reach in self._lines.values():
                step = reach.chain_step(n)
                if step != NONE:
                    found = reach.arrived_with(step)[1:]
                    break
        if found is None:
            found = graph.only(t, m, self._hidden_from(m))
        gens, times, ids = graph.gens, graph.times, graph.ids
        found.sort(key=lambda c: (-gens[c], -times[c], ids[c]))
        return [ids[c] for c in found]

    def _hidden_from(self, commit: int) -> list[tuple[array[int], int]]:
        """For each line's reach, the step of the newest chain commit on ``commit``'s first-parent
        chain: everything that arrived by then ``commit`` reaches (see :meth:`CommitGraph.only`)."""
        found = []
        first = self.graph.first
        for reach in self._lines.values():
            cursor = commit
            while cursor != NONE:
                step = reach.chain_step(cursor)
                if step != NONE:
                    found.append((reach.step, step))
                    break
                cursor = first[cursor]
        return found

    def own_line(self, tip: str, chain: list[str]) -> FirstParentReach | None:
        """The reach of a line's own chain (newest first: ``collect.git.line_chain``, through pull
        merges' server side), read once per tip; ``None`` when a commit of it is not in the
        index or one is not a parent of the one before."""
        key = f"own:{tip}"
        if key not in self._own_lines:
            graph = self.graph
            ids = [graph.index.get(c, NONE) for c in chain]
            linked = all(n != NONE for n in ids) and all(
                ids[i + 1] in graph.parents(ids[i]) for i in range(len(ids) - 1)
            )
            self._own_lines[key] = FirstParentReach(graph, tip, chain=ids) if linked else None
        return self._own_lines[key]

    def merge_base(self, line_tip: str, commit: str, base: str) -> list[str] | None:
        """The merge base of ``commit`` and ``base``, a commit of the first-parent chain from
        ``line_tip``: what ``base`` reaches is what arrived by its step, so a walk from ``commit``
        stops at the first commits of it. ``[]``: none; ``None``: ask git (a commit not in the
        index, ``base`` off the chain, or more than one candidate, whose pick is git's)."""
        graph = self.graph
        c, b = graph.index.get(commit), graph.index.get(base)
        if c is None or b is None:
            return None
        reach = self.line(line_tip)
        steps = reach.step
        k = reach.chain_step(b)
        if k == NONE:
            return None
        found: set[int] = set()
        seen = {c}
        stack = [c]
        while stack:
            n = stack.pop()
            if 0 <= steps[n] <= k:
                found.add(n)
                continue
            for p in graph.parents(n):
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        if len(found) > 1:
            return None
        return [graph.ids[n] for n in found]

    def introduced_by(self, tip: str, commit: str) -> int | None:
        """The step of the line's first-parent chain (from ``tip``) that first reached ``commit``."""
        return self.line(tip).step_of(commit)

    def descendant_of(self, descendant: str, ancestor: str) -> bool | None:
        """``ancestor`` is reachable from ``descendant`` and not the same commit; at once when
        ``descendant`` lies on a line's first-parent chain."""
        graph = self.graph
        d, a = graph.index.get(descendant), graph.index.get(ancestor)
        if d is None or a is None:
            return None
        return d != a and self._reaches(d, a)

    def _reaches(self, descendant: int, ancestor: int) -> bool:
        """``ancestor`` is reachable from ``descendant``: a walk down to its generation that
        decides at the first commit of a line's first-parent chain on each path (such a commit
        reaches what arrived by its step and nothing else): an old base is not sought through
        all the history below."""
        graph = self.graph
        floor, gens = graph.gens[ancestor], graph.gens
        lines = [(reach, reach.step[ancestor]) for reach in self._lines.values()]
        seen = {descendant}
        stack = [descendant]
        while stack:
            n = stack.pop()
            for reach, reached in lines:
                step = reach.chain_step(n)
                if step != NONE:
                    if reached != NONE and reached <= step:
                        return True
                    break
            else:
                for p in graph.parents(n):
                    if p == ancestor:
                        return True
                    if p not in seen and gens[p] > floor:
                        seen.add(p)
                        stack.append(p)
        return False
