"""When each commit first became reachable from a branch's first-parent chain, from the
commit graph (:mod:`~hotfix_lint.collect.git.commit_graph`): one pass from the oldest chain
commit, so a first-parent merge's own commits are what arrived with it. It answers the
:class:`~hotfix_lint.collect.git.reach.ReachIndex` protocol from the graph.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence

from hotfix_lint.collect.git.commit_graph import NONE, CommitGraph
from hotfix_lint.collect.git.reach import SKEW, ArrivalStep, Reach


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
        self.chain = array("i")
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
        self.chain = array("i", chain)  # (no int object per step kept)
        at = [times[c] for c in chain]
        for i in range(len(at) - 2, -1, -1):
            at[i] = min(at[i], at[i + 1])
        self.at = array("q", at)
        arrived, starts, others = self.arrived, self.starts, graph.others
        previous = NONE
        add = arrived.append
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
            push = stack.append
            while stack:  # (once per commit of the history: graph.parents inlined)
                c = stack.pop()
                if step_of[c] != NONE or (floor is not None and times[c] < floor):
                    continue
                step_of[c] = step
                add(c)
                if (parent := first[c]) != NONE:
                    push(parent)
                    if (extra := others.get(c)) is not None:
                        stack.extend(extra)
        starts.append(len(arrived))

    def step_of(self, commit: str) -> int | None:
        n = self.graph.index.get(commit)
        if n is None:
            return None
        step = self.step[n]
        return None if step == NONE else step

    def chain_step(self, n: int) -> int:
        """The step of commit ``n`` (a graph index) when it is a commit of the chain itself:
        then it reaches what arrived by that step and nothing else; :data:`NONE` otherwise."""
        step = self.step[n]
        return step if step != NONE and self.chain[step] == n else NONE

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

    def arrival_steps(self, start: int, end: int) -> Iterator[ArrivalStep]:
        ids, chain, starts, arrived, arity = self.graph.ids, self.chain, self.starts, self.arrived, self.graph.arity
        for step in range(bisect.bisect_left(self.at, start), bisect.bisect_right(self.at, end)):
            before = ids[chain[step - 1]] if step else None
            brought = [ids[n] for n in arrived[starts[step] : starts[step + 1]] if arity[n] == 1]
            yield ArrivalStep(before, ids[chain[step]], brought)
