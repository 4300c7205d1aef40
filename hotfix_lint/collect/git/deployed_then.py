"""The deployed ref in force when a hotfix's work started: what ``hotfix-base`` compares its base with.

A hotfix is stale when it was cut from something older than what production ran *when the
work started* (the author time of its first own commit), not than production's tip just
before the merge: a release that lands while the hotfix is in review does not make it stale.
Positions are read on the first-parent chain production had when the hotfix landed (from the
merge's first parent): after a fast-forward of production that chain has left the line's
current one, and its commits are still production's history, not "another branch".
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.git.reader import GitReader
from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts import CommitFact
from hotfix_lint.fork_safe import cached_property

if TYPE_CHECKING:  # the branch check (a git hook) imports this module: no more than it needs
    from hotfix_lint.collect.git.commit_graph import CommitGraph
    from hotfix_lint.facts.refs import TagFact


@dataclass(frozen=True)
class DeployedThen:
    """Where a hotfix's base stands against the deployed ref of its time."""

    deployed: str | None
    label: str
    base_on_line: bool
    #: first-parent commits the base lies behind the deployed ref (None: not comparable)
    distance: int | None
    #: first-parent commits production moved between the base and the landing (review time)
    moved: int = 0
    started: int | None = None


def first_own(own: list[CommitFact], tip: str) -> CommitFact | None:
    """The hotfix's first commit: the bottom of its tip's first-parent chain among its own commits."""
    by_id = {c.id: c for c in own}
    found = by_id.get(tip)
    while found is not None and found.parents and found.parents[0] in by_id:
        found = by_id[found.parents[0]]
    return found


#: commits a block of :class:`ChainTimes` (its minimum stands for them in a search)
_BLOCK = 64


class ChainTimes:
    """The commit times of a line's first-parent chain (newest first) and each block's earliest:
    the first commit at or before a time, from any position, in about the distance / 64 steps.
    Times fall along a chain only roughly (clock skew), so a binary search could stop at the
    wrong commit; a block whose minimum is later than the time holds no answer."""

    def __init__(self, chain: list[CommitFact]) -> None:
        self.times = array("q", (c.commit_time for c in chain))
        t = self.times
        self.block_min = array("q", (min(t[i : i + _BLOCK]) for i in range(0, len(t), _BLOCK)))

    def first_at_most(self, start: int, time: int) -> int:
        """The first position from ``start`` whose time is at most ``time`` (the length: none)."""
        t, n = self.times, len(self.times)
        i = start
        while i < n and i % _BLOCK:  # the rest of the first block
            if t[i] <= time:
                return i
            i += 1
        if i >= n:
            return n
        block = i // _BLOCK
        mins = self.block_min
        while block < len(mins) and mins[block] > time:
            block += 1
        for i in range(block * _BLOCK, min(n, (block + 1) * _BLOCK)):
            if t[i] <= time:
                return i
        return n


class _Chain:
    """The first-parent chain from a landing's mainline: an off-line prefix, then the line's chain."""

    def __init__(
        self, line_chain: list[CommitFact], index: dict[str, int], prefix: list[CommitFact], join: int | None
    ) -> None:
        self.line_chain = line_chain
        self.index = index
        self.prefix = prefix
        self.prefix_pos = {c.id: i for i, c in enumerate(prefix)}
        #: where the chain joins the line's chain (its index there), None if it never does
        self.join = join

    def at(self, pos: int) -> CommitFact | None:
        if pos < len(self.prefix):
            return self.prefix[pos]
        if self.join is None:
            return None
        j = self.join + pos - len(self.prefix)
        return self.line_chain[j] if j < len(self.line_chain) else None

    def first_at_most(self, time: int, times: ChainTimes) -> int:
        """The first position whose commit time is at most ``time`` (past the end: none is);
        ``times``: the line chain's."""
        for i, commit in enumerate(self.prefix):
            if commit.commit_time <= time:
                return i
        if self.join is None:
            return len(self.prefix)
        return len(self.prefix) + times.first_at_most(self.join, time) - self.join

    def pos(self, commit: str) -> int | None:
        if commit in self.prefix_pos:
            return self.prefix_pos[commit]
        j = self.index.get(commit)
        if j is None or self.join is None or j < self.join:
            return None
        return len(self.prefix) + j - self.join


class DeployedRefs:
    """Answers :class:`DeployedThen` for the hotfixes of one production line."""

    def __init__(
        self,
        reader: GitReader,
        line: str,
        chain: list[CommitFact],
        index: dict[str, int],
        newer: Callable[[TagFact, TagFact], bool],
    ) -> None:
        self.reader = reader
        self.line = line
        self.chain = chain
        self.index = index
        self.newer = newer
        self.strategy = reader.policy.deployed_ref
        #: the chain from each landing's mainline off the line (read once per mainline)
        self._chains: dict[str, _Chain] = {}
        #: each commit of those chains' prefixes: the first chain read through it, and where (the
        #: chain below a commit is the same whichever mainline it was reached from)
        self._through: dict[str, tuple[_Chain, int]] = {}
        #: best release tag (by version) at or before each position of the line's chain
        self.tag_upto: list[TagFact | None] = [None] * (len(chain) + 1)
        if self.strategy == "tag":  # tags are read only when deployed (a hook judging a branch reads none)
            for i in range(len(chain) - 1, -1, -1):
                self.tag_upto[i] = self._best(chain[i].id, self.tag_upto[i + 1])

    @cached_property
    def _times(self) -> ChainTimes:
        """The line chain's times, read when a landing is first dated (a hook's branch check
        dates none)."""
        return ChainTimes(self.chain)

    def _best(self, commit: str, best: TagFact | None) -> TagFact | None:
        for tag in self.reader.release_tags.get(commit, ()):
            if best is None or self.newer(tag, best):
                best = tag
        return best

    def _chain(self, mainline: str) -> _Chain:
        if mainline in self.index:
            return _Chain(self.chain, self.index, [], self.index[mainline])
        if mainline in self._chains:
            return self._chains[mainline]
        graph = self.reader.index.graph if self.reader.index is not None else None
        if graph is not None and self.reader.since_commit is None and mainline in graph:
            self._chains[mainline] = self._indexed(graph, mainline)
            return self._chains[mainline]
        prefix: list[CommitFact] = []
        join: int | None = None
        hide = [self.reader.since_commit] if self.reader.since_commit is not None else []
        since = self.reader.since_time
        try:
            chains = self.reader.chains  # the line's own chain, through pull merges' server side
            for commit in chains.walk(pygit2.Oid(hex=mainline), self.line, hide):
                if str(commit.id) in self.index:
                    join = self.index[str(commit.id)]
                    break
                if since is not None and commit.commit_time < since:
                    break
                # the reader's one shared fact a commit (kept per mainline); a pull merge's
                # parents in the line's order
                prefix.append(
                    chains.fact(commit, self.line) if chains.is_pull(commit, self.line) else self.reader.fact(commit)
                )
        except MISSING:
            pass
        self._chains[mainline] = _Chain(self.chain, self.index, prefix, join)
        return self._chains[mainline]

    def _indexed(self, graph: CommitGraph, mainline: str) -> _Chain:
        """:meth:`_chain`'s walk on the commit-graph index (which holds the whole history): only
        the merges on the way are read (a pull merge's chain goes on through its second parent)."""
        chains = self.reader.chains
        since = self.reader.since_time
        prefix: list[CommitFact] = []
        join: int | None = None
        walked: int | None = None  # (the commits read here, before a known chain's)
        n = graph.index[mainline]
        try:
            while n != -1:
                commit_id = graph.ids[n]
                if commit_id in self.index:
                    join = self.index[commit_id]
                    break
                known = self._through.get(commit_id)
                if known is not None:  # the rest is a chain read before (off-line mainlines share theirs)
                    walked = len(prefix)
                    prefix.extend(known[0].prefix[known[1] :])
                    join = known[0].join
                    break
                if since is not None and graph.times[n] < since:
                    break
                if graph.arity[n] == 2 and chains.pull_known(commit_id, self.line) is not False:
                    merge = self.reader.commit(commit_id)  # (read once: mainlines' chains overlap)
                    if chains.is_pull(merge, self.line):
                        prefix.append(chains.fact(merge, self.line))
                        n = graph.index.get(str(merge.parent_ids[1]), -1)
                        continue
                prefix.append(self.reader.fact(commit_id))
                n = graph.first[n]
        except MISSING:
            pass
        found = _Chain(self.chain, self.index, prefix, join)
        for i in range(len(prefix) if walked is None else walked):
            self._through.setdefault(prefix[i].id, (found, i))
        return found

    def _tags_on(self, chain: _Chain) -> Callable[[int], TagFact | None]:
        """Best release tag at or before each position of ``chain``."""
        join_tag = self.tag_upto[chain.join] if chain.join is not None else None
        prefix_tags: list[TagFact | None] = [None] * len(chain.prefix)
        best = join_tag
        for i in range(len(chain.prefix) - 1, -1, -1):
            best = self._best(chain.prefix[i].id, best)
            prefix_tags[i] = best

        def tag_at(pos: int) -> TagFact | None:
            if pos < len(chain.prefix):
                return prefix_tags[pos]
            if chain.join is None:
                return None
            j = chain.join + pos - len(chain.prefix)
            return self.tag_upto[j] if j < len(self.tag_upto) else None

        return tag_at

    def before_merge(self, mainline: str, base: str | None) -> DeployedThen:
        """The deployed ref just before the landing: for strategies git cannot date (they replace
        it later from GitHub or the promotion branches), or when there is no first commit."""
        chain = self._chain(mainline)
        b = chain.pos(base) if base is not None else None
        if self.strategy == "tag":
            tag = self._tags_on(chain)(0)
            if tag is None:
                return DeployedThen(None, "no release tag before the merge", b is not None, None)
            d = chain.pos(tag.target)
            distance = b - d if b is not None and d is not None else None
            return DeployedThen(tag.target, f"release tag {tag.name}", b is not None, distance)
        label = f"{self.line}'s tip before the merge"
        if self.strategy != "branch":
            label = f"deployed_ref strategy {self.strategy!r} is not available from git history"
        return DeployedThen(mainline if self.strategy == "branch" else None, label, b is not None, b)

    def when_started(self, mainline: str, base: str | None, first: CommitFact | None) -> DeployedThen:
        """The deployed ref when ``first`` was written, and where ``base`` stands against it."""
        if base is None or first is None or self.strategy not in ("branch", "tag"):
            return self.before_merge(mainline, base)
        import datetime as dt

        started = first.author_time
        when = dt.datetime.fromtimestamp(started, dt.timezone.utc).date().isoformat()
        chain = self._chain(mainline)
        tag_at = self._tags_on(chain) if self.strategy == "tag" else (lambda pos: None)
        # the newest position production had reached when the work started (review time)
        k = chain.first_at_most(started, self._times)
        if chain.at(k) is None:
            k = max(0, k - 1)
        b = chain.pos(base)

        def deployed_at(pos: int) -> str | None:
            if self.strategy == "branch":
                here = chain.at(pos)
                return here.id if here is not None else None
            tag = tag_at(pos)
            return tag.target if tag is not None else None

        if b is not None and b <= k and deployed_at(b) == base:
            # the base was the deployed ref when the work started, or when the branch was rebased
            label = f"{self.line}'s tip when the work started ({when})"
            if self.strategy == "tag":
                tag = tag_at(b)
                label = f"release tag {tag.name if tag else '?'}, deployed when the work started ({when})"
            return DeployedThen(base, label, True, 0, moved=b, started=started)
        if self.strategy == "tag":
            tag = tag_at(k)
            if tag is None:
                return DeployedThen(None, f"no release tag when the work started ({when})", b is not None, None)
            deployed = tag.target
            label = f"release tag {tag.name}, the newest when the work started ({when})"
        else:
            here = chain.at(k)
            deployed = here.id if here is not None else mainline
            label = f"{self.line}'s tip when the work started ({when})"
        d = chain.pos(deployed)
        distance = b - d if b is not None and d is not None else None
        on_line = b is not None or self._had(deployed, base)
        return DeployedThen(deployed, label, on_line, distance, started=started)

    def _had(self, deployed: str, base: str) -> bool:
        """A base off the chain: did the deployed ref of the time contain it (an old tip of
        production left by a fast-forward, a released commit)? Asked only for such bases."""
        try:
            return self.reader.descendant_of(deployed, base)
        except MISSING:
            return False
