"""Read one repository for one policy: what the history walk and the branch check share.

:class:`GitReader` holds what both :mod:`~hotfix_lint.collect.git.history` (production history)
and :mod:`~hotfix_lint.collect.git.checked_branch` (the branch under check, what the git hooks
judge) read: where history starts (``since``), a shallow clone's boundary, branches and tags
(listed on first use), walks, a hotfix's own commits, diffs and changelog snapshots. ``check``
hands one reader to both, so each is read once. Every method only reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.lazy_facts import CommitHeaders, fact_from_index
from hotfix_lint.collect.git.line_chain import LineChains
from hotfix_lint.collect.git.repository import (
    MISSING,
    BlobTexts,
    CommitMessages,
    list_branches,
    list_tags,
    read_file,
    resolve_branch,
    shallow_boundary,
    to_commit_fact,
)
from hotfix_lint.errors import RepositoryError
from hotfix_lint.facts import CommitFact, FileSnapshot, HotfixFact
from hotfix_lint.fork_safe import cached_property
from hotfix_lint.policy.model import Policy

if TYPE_CHECKING:
    from hotfix_lint.collect.git.graph_index import HistoryIndex
    from hotfix_lint.facts.refs import BranchFact, TagFact


def bases(own: list[CommitFact], tip: str) -> tuple[str | None, list[str]]:
    """Where a branch's own commits were cut from (the tip's first-parent chain leaves them
    there), and the other commits outside them that they have as parents (merged in)."""
    own_ids = {c.id for c in own}
    by_id = {c.id: c for c in own}
    base: str | None = None
    cursor = tip
    while cursor in own_ids:
        parents = by_id[cursor].parents
        if not parents:
            cursor = ""
            break
        cursor = parents[0]
    if cursor and cursor not in own_ids:
        base = cursor
    extra = sorted({p for c in own for p in c.parents if p not in own_ids and p != base})
    return base, extra


class GitReader:
    """Reads one repository for one policy; every method only reads."""

    def __init__(self, repo: pygit2.Repository, policy: Policy, since: str | None = None) -> None:
        self.repo = repo
        self.policy = policy
        self.since = since if since is not None else policy.since
        self.ticket_re = re.compile(policy.ticket_pattern) if policy.ticket_pattern else None
        #: where history starts: a commit (``since`` names a revision) or a time (a date)
        self.since_commit: pygit2.Oid | None = None
        self.since_time: int | None = None
        #: the commits a shallow clone has no parents of (empty for a full clone)
        self.boundary = shallow_boundary(repo) if repo.is_shallow else frozenset()
        self._snapshots: dict[str, FileSnapshot] = {}
        #: the commit-graph index the history collector read (``None``: ask git)
        self.index: HistoryIndex | None = None
        self._facts: dict[str, CommitFact] = {}
        #: where the facts made here read their messages, and authors if made lazily (kept by none)
        self.messages, self.headers = CommitMessages(repo), CommitHeaders(repo)
        #: where the changelog snapshots made here read their texts (kept by none of them)
        self.texts = BlobTexts(repo)
        self._resolve_since()

    # Branches and tags are read on first use: a hook judging one branch never lists them (thousands of tags).

    @cached_property
    def branches(self) -> list[BranchFact]:
        return list_branches(self.repo)

    @cached_property
    def tags(self) -> list[TagFact]:
        return list_tags(self.repo)

    @cached_property
    def release_tags(self) -> dict[str, list[TagFact]]:
        return self._release_tags()

    @cached_property
    def chains(self) -> LineChains:
        """How the lines' own chains are walked (through the server's side of pull merges)."""
        whole = lambda: self.index.graph if self.index is not None and self.since_commit is None else None  # noqa: E731
        chain_merges, messages, ids = self._chain_merges, self.messages, self.kept_id
        return LineChains(self.repo, self.policy, first_parents=chain_merges, messages=messages, graph=whole, ids=ids)

    def _chain_merges(self, tip: str) -> list[str] | None:
        """The merges of the whole first-parent chain from ``tip``, from the commit-graph index
        (``None``: no index, or one bounded by ``since``)."""
        if self.index is None or self.since_commit is not None or tip not in self.index.graph:
            return None
        graph = self.index.graph
        return [graph.ids[n] for n in graph.first_parent_chain(tip) if graph.arity[n] > 1]

    # -- setup -------------------------------------------------------------------------

    def _resolve_since(self) -> None:
        if not self.since:
            return
        import datetime as dt  # here, not at import: a hook seldom needs a date (so in shallow_error)

        try:
            day = dt.date.fromisoformat(self.since)
        except ValueError:
            day = None
        if day is not None:
            self.since_time = int(
                dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()
            )
            return
        try:
            self.since_commit = self.repo.revparse_single(self.since).peel(pygit2.Commit).id
        except MISSING as exc:
            if self.boundary:
                raise self.shallow_error(
                    f"the revision {self.since!r} named by `since` is not in it", need="to know where history starts"
                ) from exc
            raise RepositoryError(
                f"since: {self.since!r} is neither a date (YYYY-MM-DD) nor a revision in this repository"
            ) from exc

    def _release_tags(self) -> dict[str, list[TagFact]]:
        """Tags matching the tag pattern, by the commit they point at."""
        by_commit: dict[str, list[TagFact]] = {}
        pattern = self.policy.tag_name_pattern
        for tag in self.tags:
            if pattern.matches(tag.name):
                by_commit.setdefault(tag.target, []).append(tag)
        return by_commit

    def tag_version(self, tag: TagFact) -> str | None:
        values = self.policy.tag_name_pattern.match(tag.name) or {}
        return values.get("version")

    def production_refs(self) -> tuple[list[tuple[str, str]], list[str]]:
        """(name, ref) of every production line present, and the configured names missing."""
        found: dict[str, str] = {}
        missing: list[str] = []
        for source, pattern in zip(self.policy.production, self.policy.production_patterns, strict=True):
            if "{" not in source and "*" not in source and not source.startswith("^"):
                ref = resolve_branch(self.repo, source)
                if ref is None:
                    missing.append(source)
                else:
                    found.setdefault(source, ref)
                continue
            for branch in self._preferred_branches():
                if pattern.matches(branch.name):
                    found.setdefault(branch.name, branch.ref)
        return sorted(found.items()), missing

    def _preferred_branches(self) -> list[BranchFact]:
        """One entry per branch name: the local branch if there is one, else a remote one."""
        best: dict[str, BranchFact] = {}
        for branch in self.branches:
            if branch.name not in best or (branch.remote is None and best[branch.name].remote is not None):
                best[branch.name] = branch
        return list(best.values())

    def commit(self, oid: pygit2.Oid | str) -> pygit2.Commit:
        """The commit ``oid`` names (a tag is peeled)."""
        return self.repo[oid].peel(pygit2.Commit)

    def fact(self, commit: str | pygit2.Commit) -> CommitFact:
        """The commit (an id, or one read already) as a :class:`CommitFact`, made once per run:
        hotfixes, chains and landings share them."""
        commit_id = commit if isinstance(commit, str) else str(commit.id)
        found = self._facts.get(commit_id)
        if found is None:
            found = fact_from_index(self.index, commit, self.messages, self.headers)
            if found is None:
                read = self.commit(commit) if isinstance(commit, str) else commit
                found = to_commit_fact(read, self.messages, self.kept_id)
            self._facts[found.id] = found  # keyed by the index's string: no second copy of the id
        return found

    def kept_id(self, commit_id: str) -> str:
        """The index's string for ``commit_id`` (one string per id, however many facts name it)."""
        if self.index is not None:
            n = self.index.graph.index.get(commit_id)
            if n is not None:
                return self.index.graph.ids[n]
        return commit_id

    def first_parents(self, start: str) -> Iterator[CommitFact]:
        """The first-parent chain from ``start`` (down to ``since``'s commit): from the index when
        it has ``start``, else one walk."""
        if self.index is not None and start in self.index.graph:
            graph = self.index.graph
            cursor = graph.index[start]
            while cursor >= 0:
                yield self.fact(graph.ids[cursor])
                cursor = graph.first[cursor]
            return
        hide = [self.since_commit] if self.since_commit is not None else []
        for commit in self.walk([pygit2.Oid(hex=start)], hide, first_parent=True):
            yield to_commit_fact(commit, self.messages)

    def revision(self, rev: str) -> pygit2.Commit:
        """The commit ``rev`` names (any revision git understands); a user error when there is none."""
        try:
            return self.repo.revparse_single(rev).peel(pygit2.Commit)
        except MISSING as exc:
            raise RepositoryError(f"{rev!r} is not a commit in this repository") from exc

    # -- walks -------------------------------------------------------------------------

    def walk(
        self,
        push: Iterable[pygit2.Oid],
        hide: Iterable[pygit2.Oid] = (),
        first_parent: bool = False,
        sort: SortMode = SortMode.NONE,
    ) -> Iterator[pygit2.Commit]:
        """Commits reachable from ``push`` and not from ``hide``, as one pygit2 walk."""
        pushes = list(push)
        if not pushes:
            return iter(())
        walker = self.repo.walk(pushes[0], sort)
        for oid in pushes[1:]:
            walker.push(oid)
        for oid in hide:
            walker.hide(oid)
        if first_parent:
            walker.simplify_first_parent()
        return iter(walker)

    def shallow_error(
        self, what: str, commit: pygit2.Commit | None = None, fetched: int | None = None, need: str | None = None
    ) -> RepositoryError:
        """Why a shallow clone cannot answer, and the fix: the whole history, or how far back
        ``since`` needs it (the depth can only be bounded from below: the rest is not here)."""
        import datetime as dt

        stop = ""
        if commit is not None:
            when = dt.datetime.fromtimestamp(commit.commit_time, dt.timezone.utc).date().isoformat()
            stop = f" stops at {str(commit.id)[:10]} ({when})"
            if fetched:
                stop += f" after {fetched} commit{'s' if fetched != 1 else ''}"
        if need is None:
            need = f"since {self.since}" if self.since else "back to its first commit (the policy sets no `since`)"
        depth = ""
        if fetched:
            reach = f"back to {self.since}" if self.since else "to the first commit"
            depth = f" A fixed `fetch-depth` must reach {reach} on every branch checked: more than {fetched}."
        return RepositoryError(
            f"this is a shallow clone: {what}{stop}, but hotfix-lint needs it {need}; "
            "it does not guess from a truncated history.\n"
            "  fix: fetch the whole history: actions/checkout with `fetch-depth: 0` (with `filter: blob:none` "
            f"a large repository stays small), or `git fetch --unshallow`.{depth}"
            + (" Or set `since:` in the policy to a date inside the history fetched." if commit is not None else "")
        )

    # -- a hotfix's commits and changes ------------------------------------------------

    def own_commits(
        self, tip: pygit2.Oid, mainline: pygit2.Oid
    ) -> tuple[list[CommitFact], str | None, list[str]]:
        """Commits reachable from ``tip`` and not from ``mainline``; original base; other bases."""
        own = [to_commit_fact(c, self.messages) for c in self.walk([tip], [mainline], sort=SortMode.TOPOLOGICAL)]
        cut = next((c.id for c in own if c.id in self.boundary), None) if self.boundary else None
        if cut is not None:  # where the branch was cut from is not in this clone
            raise self.shallow_error(
                f"the branch at {str(tip)[:10]}", self.commit(cut), need="back to where it was cut from the line"
            )
        base, extra = bases(own, str(tip))
        return own, base, extra

    def descendant_of(self, descendant: str, ancestor: str) -> bool:
        """``ancestor`` is reachable from ``descendant`` (and not the same commit), as pygit2's
        ``descendant_of``: from the commit-graph index when the history collector built one."""
        if self.index is not None:
            known = self.index.descendant_of(descendant, ancestor)
            if known is not None:
                return known
        return bool(self.repo.descendant_of(pygit2.Oid(hex=descendant), pygit2.Oid(hex=ancestor)))

    @staticmethod
    def own_root(own: Iterable[CommitFact]) -> str | None:
        """A root commit among a branch's own commits (an orphan branch's first commit): the
        branch shares no history with the line it was compared with."""
        return next((c.id for c in own if not c.parents), None)

    def diff_facts(
        self, old: pygit2.Oid | str | None, new: pygit2.Oid | str, *, changelog_lines: bool = True
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Paths changed between two commits, and the lines the diff adds to the changelog.

        History reads the changelog at the release point instead, so it skips the changelog's
        patch (``changelog_lines=False``): on a long changelog that patch is most of the cost.
        """
        if old is None:
            return (), ()
        return self.facts_of_diff(self.repo.diff(self.commit(old), self.commit(new)), changelog_lines)

    def facts_of_diff(
        self, diff: pygit2.Diff, changelog_lines: bool = True
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Paths ``diff`` changes, and the lines it adds to the policy's changelog."""
        paths: list[str] = []
        changelogs: list[int] = []
        for i, delta in enumerate(diff.deltas):
            path = delta.new_file.path or delta.old_file.path
            paths.append(path)
            if self.is_changelog(path):
                changelogs.append(i)
        added: list[str] = []
        for index in changelogs if changelog_lines else ():
            patch = diff[index]
            if patch is not None:
                for hunk in patch.hunks:
                    added.extend(line.content.rstrip("\n") for line in hunk.lines if line.origin == "+")
        return tuple(paths), tuple(added)

    def is_changelog(self, path: str) -> bool:
        """The policy's changelog, or (unnamed) a file that could be the one found."""
        if self.policy.changelog is not None or not self.policy.find_changelog:
            return path == self.policy.changelog
        from hotfix_lint.facts.changelog_files import is_changelog_path

        return is_changelog_path(path)

    def changelog_path(self, commit: str) -> str | None:
        """The changelog's path at ``commit``: the policy's, or the one found there (``None``: none).

        Only names are compared (``CHANGES.rst``, ``docs/HISTORY.md``): no file is read.
        """
        if self.policy.changelog is not None or not self.policy.find_changelog:
            return self.policy.changelog
        from hotfix_lint.facts.changelog_files import FOLDERS, pick_changelog

        try:
            root = self.commit(commit).peel(pygit2.Tree)
            for folder in FOLDERS:
                name = folder.rstrip("/")
                if name and (name not in root or root[name].type_str != "tree"):
                    continue
                tree = root[name].peel(pygit2.Tree) if name else root
                found = pick_changelog(e.name for e in tree if e.type_str == "blob" and e.name)
                if found is not None:
                    return folder + found
        except MISSING:
            return None
        return None

    def snapshot(self, commit: str | None) -> FileSnapshot | None:
        """The changelog at ``commit`` (read once per commit); when the policy names none and none
        is found, an absent ``CHANGELOG.md``."""
        if commit is None or not self.policy.keeps_changelog:
            return None
        if commit not in self._snapshots:
            from hotfix_lint.facts.changelog_files import DEFAULT_CHANGELOG

            path = self.changelog_path(commit)
            if path is None:
                self._snapshots[commit] = FileSnapshot(DEFAULT_CHANGELOG, commit, None)
            else:
                self._snapshots[commit] = read_file(self.repo, commit, path, texts=self.texts)
        return self._snapshots[commit]

    def version_from_name(self, name: str | None) -> str | None:
        """The ``{version}`` a hotfix pattern reads from a branch name."""
        if name is None:
            return None
        for pattern in self.policy.hotfix_patterns:
            values = pattern.match(name)
            if values and "version" in values:
                return values["version"]
        return None

    # -- what a branch cut from the integration branch brought along -------------------

    def carried(self, hotfix: HotfixFact, integration_then: str | None) -> tuple[CommitFact, ...]:
        """The hotfix's commits that the integration branch already had: it was cut from there."""
        if integration_then is None or not hotfix.own_commits:
            return ()
        had = {
            str(c.id)
            for c in self.walk([pygit2.Oid(hex=integration_then)], [pygit2.Oid(hex=hotfix.mainline)])
        }
        return tuple(c for c in hotfix.own_commits if c.id in had)
