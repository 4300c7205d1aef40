"""The commit graph of the lines in question, read once: every commit reachable from some
tips in one pygit2 walk (parents before children), interned to integers, with what ancestry
questions need in compact arrays: the first parent, the other parents of merges, the commit
time and a generation number (1 + the largest of the parents').

Asking git (a ``Walker`` per hotfix, a ``descendant_of`` per question) costs hotfixes x
history on a real repository: topics cut from old bases make each walk go deep. Here
:meth:`CommitGraph.only` (``tip ^hide``) paints down by generation, as git's ``merge-base``
does, stopping when only commits ``hide`` reaches are left. Nothing else (messages, authors,
trees) is kept: those are read for the commits an answer names. pygit2 does not read git's
commit-graph file, so the generation numbers are ours.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Callable, Iterable, Sequence

import pygit2
from pygit2.enums import SortMode

#: the first parent of a root commit (or one outside the index)
NONE = -1
#: reports the number of commits read so far (every :data:`REPORT_EVERY`)
Progress = Callable[[int], None]
REPORT_EVERY = 4096


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
        hidden = list(hidden)
        if _arrived(hidden, include):
            return []
        flags: dict[int, int] = {include: INC}
        flags[hide] = flags.get(hide, 0) | HID
        gens, times, first, others = self.gens, self.times, self.first, self.others
        heap = [(-gens[c], -times[c], c) for c in flags]
        heapq.heapify(heap)
        pop, push = heapq.heappop, heapq.heappush
        interesting = sum(1 for c in flags if flags[c] == INC)
        out: list[int] = []
        while heap and interesting:
            c = pop(heap)[2]  # (each commit is pushed once: when it is first painted)
            f = flags[c]
            if f == INC:
                interesting -= 1
                out.append(c)
            parent = first[c]
            if parent == NONE:
                continue
            for p in (parent, *others[c]) if c in others else (parent,):
                old = flags.get(p, 0)
                new = old | f
                if new == old:
                    continue
                if old == 0 and hidden and _arrived(hidden, p):
                    flags[p] = new | HID  # reached from ``hide`` through a chain commit: no walk
                    continue
                flags[p] = new
                if old == 0:
                    push(heap, (-gens[p], -times[p], p))
                    if new == INC:
                        interesting += 1
                elif old == INC:
                    interesting -= 1  # painted by both now: no longer interesting
        return out


def _arrived(hidden: Sequence[tuple[array[int], int]], n: int) -> bool:
    """Commit ``n`` arrived on one of the chains by the step ``hide`` reaches (see
    :meth:`CommitGraph.only`); a loop, not ``any``: no generator made per commit painted."""
    for steps, k in hidden:  # noqa: SIM110
        if 0 <= steps[n] <= k:
            return True
    return False
