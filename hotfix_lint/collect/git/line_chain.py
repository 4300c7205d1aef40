"""A line's own history: its first-parent chain as the server had it, through pull merges.

When a clone's branch falls behind its server copy and its owner runs ``git pull``, git
merges the server's branch into the local one: the first parent is what the clone had, the
second what the server had ("Merge branch 'develop' of github.com:o/r into develop",
"Merge remote-tracking branch 'origin/develop' into develop", on master or main, where git
leaves the target out, "Merge branch 'master' of <url>"). Pushed, such a *pull merge* puts
the clone's commits on the line's first-parent chain and the line's real history beside it:
a local develop fast-forwarded to master that pulls origin/develop makes master's chain
look like develop's. Every walk of a line's chain follows the second parent of a pull merge
instead; the first parent's side is what that merge pushed.

A same-named branch pulled from *another* repository (a contributor's fork: "Merge branch
'develop' of https://github.com/someone/project into develop") is no pull merge: the URL
must name this repository, by a remote of the clone or, in a clone that has none (a mirror
stored without ``config``), by the lines' pull-shaped merges naming it at least twice.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

import pygit2

from hotfix_lint.collect.git.commit_graph import NONE, CommitGraph
from hotfix_lint.collect.git.repository import MISSING, CommitMessages, resolve_branch, shared_names, to_commit_fact
from hotfix_lint.facts import CommitFact
from hotfix_lint.facts.git import first_line
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.policy.model import Policy

_FROM_URL = re.compile(r"^Merge branch '[^']+' of (?P<url>\S+)")
_REMOTE_TRACKING = re.compile(r"^Merge remote-tracking branch '(?P<remote>[^/']+)/")
#: the remote a clone's own server goes by
_ORIGIN = "origin"
#: branches git's merge message leaves unnamed as the target (``merge.suppressDest``)
_SUPPRESSED = ("master", "main")
#: how many pull-shaped merges must name a URL for it to be taken as this repository's
_INFERRED = 2


def repository_of(url: str) -> str:
    """``owner/name`` of a clone URL (``git@host:o/r.git``, ``https://host/o/r``), lower case."""
    path = re.sub(r"^[a-z+]+://", "", url.strip().lower())
    path = path.split("@", 1)[-1]
    path = re.split(r"[:/]", path, maxsplit=1)[-1] if re.search(r"[:/]", path) else path
    path = re.sub(r"\.git/?$", "", path.rstrip("/"))
    return "/".join(path.split("/")[-2:])


class LineChains:
    """Walks the own chains of a repository's lines (production and integration) for a policy."""

    def __init__(
        self,
        repo: pygit2.Repository,
        policy: Policy,
        lines: Sequence[str] = (),
        first_parents: Callable[[str], list[str] | None] | None = None,
        messages: CommitMessages | None = None,
        graph: Callable[[], CommitGraph | None] | None = None,
        ids: Callable[[str], str] = str,
    ) -> None:
        self.repo = repo
        self.policy = policy
        #: a branch tip's whole first-parent chain, when a commit-graph index has it (else None)
        self.first_parents = first_parents
        #: where the chain's commit facts read their messages (``None``: each keeps its own)
        self.messages = messages
        #: the commit-graph index of the whole history, once there is one (``None``: none)
        self.graph = graph
        #: the one string kept for a commit id (the index's): a chain's facts and answers keep no
        #: second copy of each (git/git: 28,000 facts, 8 MB of strings)
        self.ids = ids
        #: lines whose pulls name this repository, when no remote says it (literal names)
        self.lines = tuple(lines) or _literal_lines(policy)
        self._own: frozenset[str] | None = None
        self._pulls: dict[tuple[str, str], bool] = {}

    # -- which merges are pull merges ------------------------------------------------------

    def _shape(self, message: str, line: str) -> tuple[str, str | None] | None:
        """("url", URL) or ("remote", remote) when ``message`` merges the line's own branch,
        from a server, into the line; None otherwise."""
        parsed = parse_merge_message(message)
        if parsed.kind not in ("branch", "remote-branch") or parsed.source is None:
            return None
        subject = first_line(message).strip()
        source = parsed.source
        how: tuple[str, str | None]
        if parsed.kind == "remote-branch":
            remote = _REMOTE_TRACKING.match(subject)
            how = ("remote", remote.group("remote") if remote else None)
        elif (url := _FROM_URL.match(subject)) is not None:
            how = ("url", url.group("url"))
        elif source.startswith(_ORIGIN + "/"):  # `git merge origin/master` with a local branch of that name
            source = source[len(_ORIGIN) + 1 :]
            how = ("remote", _ORIGIN)
        else:
            return None
        if not self.policy.is_line_name(line, source):
            return None
        if parsed.target is None:
            suppressed = any(self.policy.is_line_name(line, name) for name in _SUPPRESSED)
            return how if suppressed else None
        return how if self.policy.is_line_name(line, parsed.target) else None

    def pull_known(self, commit_id: str, line: str) -> bool | None:
        """:meth:`is_pull`'s answer when it was asked already (``None``: not yet), without a read."""
        return self._pulls.get((commit_id, line))

    def is_pull(self, commit: pygit2.Commit, line: str) -> bool:
        """Is ``commit`` a pull merge on ``line``: the server's line is its second parent?"""
        if len(commit.parent_ids) != 2:
            return False
        key = (self.ids(str(commit.id)), line)
        if key not in self._pulls:
            shape = self._shape(commit.message, line)
            if shape is None:
                found = False
            elif shape[0] == "remote":
                found = shape[1] == _ORIGIN
            else:
                found = repository_of(shape[1] or "") in self._own_repositories()
            self._pulls[key] = found and self._same_project(commit)
        return self._pulls[key]

    def _same_project(self, commit: pygit2.Commit) -> bool:
        """What the merge brought is this project as the server had it: some top-level entry is
        the very one the clone's side has (a pull changes a few; a LICENSE, a README stay). A
        subtree merge of another project under the same branch name (git/git's ``Merge branch
        'master' of https://github.com/j6t/gitk``: its `po`, `Makefile` are gitk's own, none of
        its 7 entries identical) is no pull."""
        try:
            ours = self.repo[commit.parent_ids[0]].peel(pygit2.Commit).tree
            theirs = self.repo[commit.parent_ids[1]].peel(pygit2.Commit).tree
            return shared_names(theirs, ours) is None  # (a subtree's few entries: a few lookups)
        except MISSING:
            return False

    def _own_repositories(self) -> frozenset[str]:
        """This repository's ``owner/name``: its remotes' URLs, else those its lines pull from."""
        if self._own is None:
            own: set[str] = set()
            with contextlib.suppress(pygit2.GitError, ValueError):
                own.update(repository_of(r.url) for r in self.repo.remotes if r.url)
            self._own = frozenset(own) if own else self._inferred()
        return self._own

    def _inferred(self) -> frozenset[str]:
        counts: Counter[str] = Counter()
        for line in self.lines:
            ref = resolve_branch(self.repo, line)
            if ref is None:
                continue
            try:
                tip = self.repo.lookup_reference(ref).peel(pygit2.Commit).id
                for commit in self._chain_merges(tip):
                    message = commit.message
                    # (a pull from a URL names it on the first line: most merges need no parse)
                    if len(commit.parent_ids) == 2 and _FROM_URL.match(first_line(message).strip()):
                        shape = self._shape(message, line)
                        if shape is not None and shape[0] == "url":
                            counts[repository_of(shape[1] or "")] += 1
            except MISSING:
                continue
        return frozenset(name for name, n in counts.items() if n >= _INFERRED)

    def _chain_merges(self, tip: pygit2.Oid) -> Iterator[pygit2.Commit]:
        """The merges of the first-parent chain from ``tip`` (with the index: only they are read)."""
        chain = self.first_parents(str(tip)) if self.first_parents is not None else None
        if chain is None:
            walker = self.repo.walk(tip)
            walker.simplify_first_parent()
            yield from (c for c in walker if len(c.parent_ids) > 1)
            return
        for commit_id in chain:
            yield self.repo[commit_id].peel(pygit2.Commit)

    # -- the chain -------------------------------------------------------------------------

    def parents(self, commit: pygit2.Commit, line: str) -> list[pygit2.Oid]:
        """``commit``'s parents in the line's order: the one its chain continues through first."""
        ids = list(commit.parent_ids)
        return [ids[1], ids[0]] if self.is_pull(commit, line) else ids

    def fact(self, commit: pygit2.Commit, line: str) -> CommitFact:
        """``commit`` as a step of the line's chain: a pull merge's parents server first."""
        fact = to_commit_fact(commit, self.messages, self.ids)
        if self.is_pull(commit, line):
            fact = fact.with_parents((fact.parents[1], fact.parents[0]))
        return fact

    def walk(self, tip: pygit2.Oid, line: str, hide: Iterable[pygit2.Oid] = ()) -> Iterator[pygit2.Commit]:
        """The line's own chain from ``tip``, newest first, minus what ``hide`` reaches: the
        first-parent chain, continued through the second parent of each pull merge."""
        hidden = list(hide)
        start: pygit2.Oid | None = tip
        while start is not None:
            commits = self._first_parents(start, hidden)
            start = None
            for commit in commits:
                yield commit
                if self.is_pull(commit, line):
                    start = commit.parent_ids[1]
                    break

    def _first_parents(self, start: pygit2.Oid, hidden: list[pygit2.Oid]) -> Iterator[pygit2.Commit]:
        """The plain first-parent chain from ``start`` minus what ``hidden`` reaches: along the
        commit-graph index when nothing is hidden and it has ``start`` (a walker reads every
        commit of the chain from the object database again)."""
        graph = self.graph() if self.graph is not None and not hidden else None
        cursor = graph.index.get(str(start), NONE) if graph is not None else NONE
        if graph is None or cursor == NONE:
            walker = self.repo.walk(start)
            for oid in hidden:
                walker.hide(oid)
            walker.simplify_first_parent()
            yield from walker
            return
        ids, first = graph.ids, graph.first
        while cursor != NONE:
            yield self.repo[ids[cursor]].peel(pygit2.Commit)
            cursor = first[cursor]

    def pushed_by(self, merge: pygit2.Commit, line: str, hide: Iterable[pygit2.Oid] = ()) -> Iterator[pygit2.Commit]:
        """What a pull merge pushed to the line: its first parent's chain down to the server's
        history (the clone's own commits), newest first."""
        ids = merge.parent_ids
        return self.walk(ids[0], line, [ids[1], *hide])


def _literal_lines(policy: Policy) -> tuple[str, ...]:
    names = [n for n in policy.production if "{" not in n and "*" not in n and not n.startswith("^")]
    if policy.integration:
        names.append(policy.integration)
    return tuple(names)
