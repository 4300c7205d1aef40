"""When each commit first became part of the integration branch, read in one pass.

A back-merge is judged at the time it was due, so the question is not "does develop contain
X today" but "since when": the first commit of develop's first-parent chain that made X
reachable. :class:`IntegrationReach` answers it for every commit at once: it goes over the
first-parent chain (integration's own: recovered where it was fast-forwarded onto a production
line, ``collect.git.own_line``, and through the server's side of pull merges, ``collect.git.line_chain``)
oldest first and gives each commit it makes newly reachable (a bounded
walk over commits not seen yet) that commit's time, so each commit is read once. The
:class:`ReachIndex` protocol is all its readers use, so a commit-graph index can answer it
instead.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import pygit2

from hotfix_lint.collect.git.repository import MISSING

#: commits this much older than the cutoff are not walked (clock skew between parent and child)
SKEW = 86400


@dataclass(frozen=True)
class Reach:
    """When and through which first-parent commit the integration branch first had a commit."""

    #: the earliest time integration's chain provably had it: the oldest commit time from
    #: ``via`` to the tip (monotone along the chain, whatever the clocks said)
    at: int
    #: the first-parent commit of integration that made it reachable
    via: str
    #: ``via`` is a merge commit
    via_merge: bool


@dataclass(frozen=True)
class ArrivalStep:
    """One commit of integration's first-parent chain and what it made reachable: the copy
    search asks first whether the step changed a path at all (two trees), then its commits."""

    #: the chain's commit before (``None``: the first one read)
    before: str | None
    via: str
    #: the single-parent commits the step made reachable (the copy search reads no merge)
    arrived: Sequence[str]


class ReachIndex(Protocol):
    """What the back-merge and hotfix-base collectors ask of integration's history."""

    def reached(self, commit: str) -> Reach | None:
        """When integration first had ``commit``; ``None`` if never (or before the cutoff)."""
        ...

    def arrival_steps(self, start: int, end: int) -> Iterator[ArrivalStep]:
        """The steps of integration's chain between ``start`` and ``end`` (inclusive, by
        :attr:`Reach.at`), oldest first, each with the single-parent commits it brought: what
        integration first had in that time, merges aside."""
        ...


class IntegrationReach:
    """:class:`ReachIndex` from one pass over integration's first-parent history since ``cutoff``."""

    def __init__(
        self,
        repo: pygit2.Repository,
        tip: str,
        cutoff: int | None = None,
        chain: Iterable[pygit2.Commit] | None = None,
    ) -> None:
        """``chain``: integration's own first-parent chain from ``tip``, newest first, when it
        is not the plain one (``collect.git.own_line``: a branch fast-forwarded onto another)."""
        self._reach: dict[str, int] = {}
        self._steps: list[Reach] = []
        self._arrived: list[list[str]] = []
        self._times: list[int] = []
        if chain is None:
            walker = repo.walk(pygit2.Oid(hex=tip))
            walker.simplify_first_parent()
            chain = walker
        self._read(repo, chain, None if cutoff is None else cutoff - SKEW)

    def _read(self, repo: pygit2.Repository, first_parent: Iterable[pygit2.Commit], floor: int | None) -> None:
        chain: list[pygit2.Commit] = []
        try:
            for commit in first_parent:
                if floor is not None and commit.commit_time < floor:
                    break
                chain.append(commit)
        except MISSING:
            pass  # a shallow or partial clone: what is there is what integration had
        oldest_first = chain[::-1]
        at = [c.commit_time for c in oldest_first]
        for i in range(len(at) - 2, -1, -1):
            at[i] = min(at[i], at[i + 1])
        for step, commit in enumerate(oldest_first):
            via = str(commit.id)
            # (single-parent commits only, as the index gives them: a merge is no copy)
            arrived = [via] if via not in self._reach and len(commit.parent_ids) == 1 else []
            self._reach.setdefault(via, step)
            # what the step brought: every parent but the chain's previous commit (the first
            # parent, except where the chain left another branch's for its own: ``own_line``)
            previous = oldest_first[step - 1].id if step else None
            stack = [p for p in commit.parent_ids if p != previous]
            while stack:
                oid = stack.pop()
                key = str(oid)
                if key in self._reach:
                    continue
                try:
                    parent = repo[oid].peel(pygit2.Commit)
                except MISSING:
                    continue
                if floor is not None and parent.commit_time < floor:
                    continue
                self._reach[key] = step
                if len(parent.parent_ids) == 1:
                    arrived.append(key)
                stack.extend(parent.parent_ids)
            self._steps.append(Reach(at[step], via, len(commit.parent_ids) > 1))
            self._arrived.append(arrived)
        self._times = [r.at for r in self._steps]

    def reached(self, commit: str) -> Reach | None:
        step = self._reach.get(commit)
        return None if step is None else self._steps[step]

    def arrival_steps(self, start: int, end: int) -> Iterator[ArrivalStep]:
        first = bisect.bisect_left(self._times, start)
        last = bisect.bisect_right(self._times, end)
        for step in range(first, last):
            before = self._steps[step - 1].via if step else None
            yield ArrivalStep(before, self._steps[step].via, self._arrived[step])
