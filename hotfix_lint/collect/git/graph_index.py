"""A commit-graph index: every commit reachable from the lines in question, read once.

Asking git (a ``Walker`` per hotfix, a ``descendant_of`` per question) costs hotfixes x
history on a real repository: topics cut from old bases make each walk go deep. The index
reads the graph in one pygit2 walk (parents before children) and keeps what ancestry
questions need in compact arrays, commits interned to integers: the first parent, the
other parents of merges, the commit time and a generation number (1 + the largest of the
parents'). Questions are then answered in time proportional to the answer:

- :meth:`CommitGraph.only` (``tip ^hide``): paint-down by generation, as git's
  ``merge-base`` does, stopping when only commits ``hide`` reaches are left;
- :class:`FirstParentReach`: when each commit first became reachable from a branch's
  first-parent chain, one pass from the oldest chain commit; a first-parent merge's own
  commits are then what arrived with it.

Nothing else (messages, authors, trees) is kept: those are read for the commits an answer
names. pygit2 does not read git's commit-graph file, so the generation numbers are ours.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.reach import SKEW, Reach

#: the first parent of a root commit (or one outside the index)
NONE = -1
#: reports the number of commits read so far (every :data:`REPORT_EVERY`)
Progress = Callable[[int], None]
REPORT_EVERY = 4096


class HistoryProgress(Protocol):
    """What the history read reports as it goes (``hotfix_lint.progress`` shows it on a terminal)."""

    def read(self, commits: int) -> None: ...

    def judging(self, hotfixes: int) -> None: ...

    def judged(self) -> None: ...


class CommitGraph:
    """Parents, commit times and generation numbers of the commits reachable from some tips."""

    def __init__(
        self,
        repo: pygit2.Repository,
        tips: Iterable[pygit2.Oid],
        hide: Iterable[pygit2.Oid] = (),
        progress: Progress | None = None,
    ) -> None:
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.first = array("i")
        #: the parents after the first, of merge commits only
        self.others: dict[int, tuple[int, ...]] = {}
        self.times = array("q")
        self.gens = array("i")
        #: how many parents each commit has (those outside the index included), at most 255
        self.arity = bytearray()
        self._read(repo, list(tips), list(hide), progress)

    def _read(
        self, repo: pygit2.Repository, tips: list[pygit2.Oid], hide: list[pygit2.Oid], progress: Progress | None
    ) -> None:
        if not tips:
            return
        walker = repo.walk(tips[0], SortMode.TOPOLOGICAL | SortMode.REVERSE)
        for tip in tips[1:]:
            walker.push(tip)
        for oid in hide:
            walker.hide(oid)
        ids, index, first, others, times, gens = self.ids, self.index, self.first, self.others, self.times, self.gens
        get = index.get
        # (bound methods: this loop runs once per commit of the whole history)
        add_first, add_gen, add_time, add_id = first.append, gens.append, times.append, ids.append
        add_arity = self.arity.append
        for n, commit in enumerate(walker):
            key = str(commit.id)
            parent_ids = commit.parent_ids
            if len(parent_ids) == 1:  # most commits: no lists
                p = get(str(parent_ids[0]), NONE)
                add_first(p)
                add_gen(1 if p == NONE else gens[p] + 1)
                add_arity(1)
            else:
                parents = [p for p in (get(str(oid), NONE) for oid in parent_ids) if p != NONE]
                add_first(parents[0] if parents else NONE)
                if len(parents) > 1:
                    others[n] = tuple(parents[1:])
                add_gen(1 + max((gens[p] for p in parents), default=0))
                add_arity(min(len(parent_ids), 255))
            add_time(commit.commit_time)
            add_id(key)
            index[key] = n
            if progress is not None and n % REPORT_EVERY == 0:
                progress(n)
        if progress is not None:
            progress(len(ids))

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, commit: str) -> bool:
        return commit in self.index

    def parents(self, n: int) -> tuple[int, ...]:
        first = self.first[n]
        if first == NONE:
            return ()
        extra = self.others.get(n)
        return (first, *extra) if extra else (first,)

    def first_parent_chain(self, tip: str) -> list[int]:
        """The first-parent chain from ``tip``, newest first."""
        chain = []
        cursor = self.index.get(tip, NONE)
        while cursor != NONE:
            chain.append(cursor)
            cursor = self.first[cursor]
        return chain

    def only(self, include: int, hide: int, hidden: Sequence[tuple[array[int], int]] = ()) -> list[int]:
        """Commits reachable from ``include`` and not from ``hide``, children before parents
        (by generation, then newer first): git's paint-down, in time bounded by the answer and
        the part of ``hide``'s history at least as new (by generation) as its oldest commit.

        ``hidden``: (steps, k) pairs of a :class:`FirstParentReach` whose chain commit at step
        ``k`` ``hide`` reaches: every commit that arrived by step ``k`` is hidden without a walk
        (its ancestors arrived no later), which stops the paint of ``hide``'s side early."""
        INC, HID = 1, 2
        if any(0 <= steps[include] <= k for steps, k in hidden):
            return []
        flags: dict[int, int] = {include: INC}
        flags[hide] = flags.get(hide, 0) | HID
        gens, times = self.gens, self.times
        heap = [(-gens[c], -times[c], c) for c in flags]
        heapq.heapify(heap)
        interesting = sum(1 for c in flags if flags[c] == INC)
        done: set[int] = set()
        out: list[int] = []
        while heap and interesting:
            _, _, c = heapq.heappop(heap)
            if c in done:
                continue
            done.add(c)
            f = flags[c]
            if f == INC:
                interesting -= 1
                out.append(c)
            for p in self.parents(c):
                old = flags.get(p, 0)
                new = old | f
                if new == old:
                    continue
                if old == 0 and hidden and any(0 <= steps[p] <= k for steps, k in hidden):
                    flags[p] = new | HID  # reached from ``hide`` through a chain commit: no walk
                    continue
                flags[p] = new
                if old == 0:
                    heapq.heappush(heap, (-gens[p], -times[p], p))
                    if new == INC:
                        interesting += 1
                elif old == INC:
                    interesting -= 1  # painted by both now: no longer interesting
        return out

    def contains(self, descendant: int, ancestor: int) -> bool:
        """``ancestor`` is reachable from ``descendant`` (or is it); the walk stops at its generation."""
        if descendant == ancestor:
            return True
        floor = self.gens[ancestor]
        seen = {descendant}
        stack = [descendant]
        while stack:
            for p in self.parents(stack.pop()):
                if p == ancestor:
                    return True
                if p not in seen and self.gens[p] > floor:
                    seen.add(p)
                    stack.append(p)
        return False


def _first_parents(first: array[int], cursor: int) -> Iterator[int]:
    while cursor != NONE:
        yield cursor
        cursor = first[cursor]


class FirstParentReach:
    """When each commit first became reachable from a branch's first-parent chain.

    One pass over the chain, oldest first: each step gets the commits it makes newly
    reachable (a walk over commits not reached yet), so each commit is visited once. With a
    ``cutoff``, the chain stops at its first commit older than ``cutoff`` minus a day of
    clock skew, and older commits are not walked (as :class:`~hotfix_lint.collect.git.reach.
    IntegrationReach` does, whose questions this answers from the index).
    """

    def __init__(
        self, graph: CommitGraph, tip: str, cutoff: int | None = None, chain: Sequence[int] | None = None
    ) -> None:
        """``chain``: the branch's own chain from ``tip`` (graph indices, newest first, each
        commit a parent of the one before) where it is not the plain first-parent one."""
        self.graph = graph
        floor = None if cutoff is None else cutoff - SKEW
        #: the chain, oldest first (graph indices)
        self.chain: list[int] = []
        #: the step (position in ``chain``) that first reached each commit; -1: never
        self.step = array("i", [NONE]) * len(graph)
        #: commits in the order they arrived, and where each step's arrivals start in it
        self.arrived = array("i")
        self.starts = array("i")
        self.at = array("q")
        self._read(tip, floor, chain)

    def _read(self, tip: str, floor: int | None, own: Sequence[int] | None) -> None:
        graph = self.graph
        times, first, step_of = graph.times, graph.first, self.step
        chain: list[int] = []
        for n in _first_parents(first, graph.index.get(tip, NONE)) if own is None else own:
            if floor is not None and times[n] < floor:
                break
            chain.append(n)
        chain.reverse()
        self.chain = chain
        at = [times[c] for c in chain]
        for i in range(len(at) - 2, -1, -1):
            at[i] = min(at[i], at[i + 1])
        self.at = array("q", at)
        arrived, starts, others = self.arrived, self.starts, graph.others
        previous = NONE
        for step, via in enumerate(chain):
            starts.append(len(arrived))
            if step_of[via] == NONE:
                step_of[via] = step
                arrived.append(via)
            if first[via] == previous:
                stack = list(others.get(via, ()))
            else:  # the own chain went on through another parent (a pull merge's server side)
                stack = [p for p in graph.parents(via) if p != previous]
            previous = via
            while stack:
                c = stack.pop()
                if step_of[c] != NONE or (floor is not None and times[c] < floor):
                    continue
                step_of[c] = step
                arrived.append(c)
                stack.extend(graph.parents(c))
        starts.append(len(arrived))

    def step_of(self, commit: str) -> int | None:
        n = self.graph.index.get(commit)
        if n is None:
            return None
        step = self.step[n]
        return None if step == NONE else step

    def arrived_with(self, step: int) -> list[int]:
        """The commits the chain's commit at ``step`` made reachable (itself first)."""
        return list(self.arrived[self.starts[step] : self.starts[step + 1]])

    # -- the :class:`~hotfix_lint.collect.git.reach.ReachIndex` protocol ------------------------

    def reached(self, commit: str) -> Reach | None:
        step = self.step_of(commit)
        if step is None:
            return None
        via = self.chain[step]
        return Reach(self.at[step], self.graph.ids[via], self.graph.arity[via] > 1)

    def arrivals(self, start: int, end: int) -> Iterator[str]:
        import bisect

        first = bisect.bisect_left(self.at, start)
        last = bisect.bisect_right(self.at, end)
        ids = self.graph.ids
        for n in self.arrived[self.starts[first] : self.starts[last]] if first < last else ():
            yield ids[n]


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
                step = reach.step[n]
                if step != NONE and reach.chain[step] == n:
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
            steps, chain = reach.step, reach.chain
            cursor = commit
            while cursor != NONE:
                step = steps[cursor]
                if step != NONE and chain[step] == cursor:
                    found.append((steps, step))
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
        k = steps[b]
        if k == NONE or reach.chain[k] != b:
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
        if d == a:
            return False
        for reach in self._lines.values():
            step = reach.step[d]
            if step != NONE and reach.chain[step] == d:
                reached = reach.step[a]
                return reached != NONE and reached <= step
        return graph.contains(d, a)
