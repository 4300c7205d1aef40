"""A branch's own first-parent chain, recovered after it was fast-forwarded onto another branch.

When ``master`` is fast-forwarded to ``develop`` (or ``develop`` to ``master``), the branch's
first-parent chain from then on is the other branch's: its own old line is still in the graph,
but off the chain. Judging the branch by today's first-parent chain judges the other branch's
commits, and what really landed on it (direct pushes after a release, back-merges "into
develop") drops out of sight. Merge messages say where each merge was made, so the old line
can be found without a reflog:

* a merge of the branch *itself* made elsewhere (``Merge branch 'master' into develop``;
  ``Merge branch 'develop'``, which git writes on master or main only; a pull request from
  ``develop`` that sits on a production line's first-parent chain) brought the branch's tip of
  that time: its second parent is where the branch's own chain goes on;
* a merge into another branch (``Merge tag '1.5.3' into develop``) whose second parent is a
  merge made on the branch (``Merge branch 'hotfix/1.5.3'``, or ``into master``) also brought
  the branch's tip of that time;
* for the integration branch, given the production lines' first-parent chains: where its chain
  steps onto one of them and the first merge there whose message says where it was made was
  made on production (``Merge branch 'hotfix/2.4.1'``, on master), it was fast-forwarded to
  production there; its own line goes on at the newest merge made on it (``into develop``)
  that production's commit contains, unless the first rule finds a newer tip further down.
  Where that first merge was made on the branch itself (production was fast-forwarded to
  integration), the shared stretch is the branch's own.

Anything else is followed by its first parent, as ``git log --first-parent`` does: a branch
never fast-forwarded gets exactly its first-parent chain.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts.merge_message import parse_merge_message

#: the merge message kinds that name a branch (a tag or a commit is no branch)
_BRANCH_KINDS = ("branch", "remote-branch", "pull-request")
#: branches git's merge message leaves unnamed (``merge.suppressDest``: master; main too)
SUPPRESSED_DESTINATIONS = ("master", "main")

Walk = Callable[[pygit2.Oid], Iterable[pygit2.Commit]]


class OwnLine:
    """What merge messages say about one branch: which merges were made on it, and which brought
    its own tip to a chain it was fast-forwarded onto."""

    def __init__(self, is_own: Callable[[str], bool], *, foreign: Collection[str] = ()) -> None:
        #: is a name from a merge message this branch's (today's name or a former one)?
        self.is_own = is_own
        #: git names no target for merges made on this branch (it is or was master or main)
        self.suppressed = any(is_own(name) for name in SUPPRESSED_DESTINATIONS)
        #: the production lines' first-parent chains, for the integration branch (else empty), as
        #: object ids (asked of every commit of the chain: no string made for each)
        self.foreign_ids = frozenset(pygit2.Oid(hex=c) for c in foreign)
        self._rejoined: dict[pygit2.Oid, pygit2.Commit | None] = {}

    def made_here(self, message: str) -> bool | None:
        """Was a merge with this message made on the branch? ``None``: the message does not say
        (a pull request names no target; a message that is not git's)."""
        parsed = parse_merge_message(message)
        if parsed.target is not None:
            return self.is_own(parsed.target)
        if parsed.kind in ("pull-request", "unknown"):
            return None
        return self.suppressed  # git wrote no target: made on master or main

    def own_tip(self, repo: pygit2.Repository, commit: pygit2.Commit, *, on_foreign: bool = False) -> pygit2.Oid | None:
        """The branch's own tip a merge on its chain brought, when the merge was made elsewhere.
        ``on_foreign``: the merge is production's (a pull request of the branch there was merged
        into production; elsewhere it may be a contributor's ``develop`` merged into ours)."""
        if len(commit.parent_ids) != 2:
            return None
        parsed = parse_merge_message(commit.message)
        target = parsed.target
        if target is not None and self.is_own(target):
            return None  # made on the branch
        if parsed.kind in _BRANCH_KINDS and parsed.source is not None and self.is_own(parsed.source):
            elsewhere = (
                target is not None
                or (parsed.kind != "pull-request" and not self.suppressed)  # git named no target: master or main
                or on_foreign
            )
            return commit.parent_ids[1] if elsewhere else None
        if target is None:
            return None
        try:
            brought = repo[commit.parent_ids[1]].peel(pygit2.Commit)
        except MISSING:
            return None
        if len(brought.parent_ids) > 1 and self.made_here(brought.message):
            return brought.id
        return None

    def rejoin(self, repo: pygit2.Repository, junction: pygit2.Oid) -> pygit2.Commit | None:
        """The newest merge made on the branch, off the production chains, that ``junction``
        contains (each junction searched once)."""
        if junction not in self._rejoined:
            self._rejoined[junction] = None
            try:
                for commit in repo.walk(junction, SortMode.TIME):
                    if (
                        len(commit.parent_ids) > 1
                        and commit.id not in self.foreign_ids
                        and self.made_here(commit.message)
                    ):
                        self._rejoined[junction] = commit
                        break
            except MISSING:
                pass
        return self._rejoined[junction]

    def rejoin_found(self, junction: pygit2.Oid) -> bool:
        """False when a search from ``junction`` found no merge made on the branch."""
        return junction not in self._rejoined or self._rejoined[junction] is not None

    def across(
        self, repo: pygit2.Repository, first: pygit2.Commit, rest: Iterator[pygit2.Commit], search: bool = True
    ) -> tuple[list[pygit2.Commit], pygit2.Oid | None, bool]:
        """The chain steps onto a production chain at ``first``: (the commits to keep, where the
        branch's own chain goes on, whether the rest of the walk is the branch's own).

        The first merge there whose message says where it was made decides: made on the branch,
        production was fast-forwarded to it and the stretch is its own; made on production, the
        branch was fast-forwarded there, and its own line goes on at the newest tip of it that
        a merge of it brought (``own_tip``) or that the stretch contains (``rejoin``, when
        ``search``: no search from a newer junction found none)."""
        stretch: list[pygit2.Commit] = []
        candidate: tuple[int, pygit2.Oid] | None = None
        place: bool | None = None
        for commit in _chain(first, rest):
            stretch.append(commit)
            if candidate is None:
                tip = self.own_tip(repo, commit, on_foreign=True)
                candidate = None if tip is None else (len(stretch), tip)
            if place is None and len(commit.parent_ids) > 1:
                place = self.made_here(commit.message)
                if place:
                    return stretch, None, True
            if place is False and candidate is not None:
                break  # (a first-parent walk never leaves a first-parent chain it is on)
        if place is not False:
            return stretch, None, False  # nothing says whose stretch this is: as it is
        rejoined = self.rejoin(repo, first.id) if search else None
        if candidate is not None and (
            rejoined is None or repo[candidate[1]].peel(pygit2.Commit).commit_time >= rejoined.commit_time
        ):
            return stretch[: candidate[0]], candidate[1], False
        if rejoined is not None:
            return [first], rejoined.id, False
        return stretch, None, False


def _chain(first: pygit2.Commit, rest: Iterator[pygit2.Commit]) -> Iterator[pygit2.Commit]:
    """``first``, then ``rest``, leaving ``rest`` open when the caller stops early (a generator's
    ``yield from`` would close a generator ``rest`` with it, and the walk goes on with it)."""
    return itertools.chain((first,), rest)


def own_chain(repo: pygit2.Repository, tip: pygit2.Oid, line: OwnLine, walk: Walk) -> Iterator[pygit2.Commit]:
    """The branch's own first-parent chain from ``tip``, newest first (see the module).

    ``walk`` is the plain first-parent walk from a commit (the caller's bounds, such as a
    ``since`` revision to hide, apply to every stretch of the chain)."""
    start: pygit2.Oid | None = tip
    seen: set[pygit2.Oid] = set()
    shared = False  # the production chain the walk is on was shown to be the branch's own
    search = True  # a search from a junction that found nothing would find nothing from an older one
    while start is not None and start not in seen:
        seen.add(start)
        commits = iter(walk(start))
        start = None
        for commit in commits:
            if not shared and commit.id in line.foreign_ids:
                stretch, start, shared = line.across(repo, commit, commits, search)
                search = search and line.rejoin_found(commit.id)
                yield from stretch
                if start is not None:
                    break
                continue
            yield commit
            start = line.own_tip(repo, commit)  # (off production's chains: on_foreign is False)
            if start is not None:
                break
