"""A production line's walk, and what every part of the history collection shares.

Each production line is walked once for its own first-parent chain (recovered where it was
fast-forwarded onto another branch, through the server's side of pull merges) and once for
its merges; the integration branch's own chain is walked once for classification and its
reach alike. The commit graph of the lines and their integration branches is read once
(``collect.git.graph_index``) when the clone is not shallow, and answers those walks. pygit2
does not read git's commit-graph file, so nothing here counts on it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.commit_graph import CommitGraph
from hotfix_lint.collect.git.graph_index import HistoryIndex, HistoryProgress
from hotfix_lint.collect.git.landing_inputs import Vocabulary
from hotfix_lint.collect.git.own_line import OwnLine, own_chain
from hotfix_lint.collect.git.reader import GitReader
from hotfix_lint.collect.git.repository import MISSING, ref_tip, resolve_branch
from hotfix_lint.facts import CommitFact
from hotfix_lint.facts.history import IntegrationFact
from hotfix_lint.facts.landing import DEFAULT_AUTOMATION_AUTHORS
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.facts.versions import version_key
from hotfix_lint.fork_safe import cached_property

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hotfix_lint.collect.git.deployed_then import DeployedRefs


class WalkedLine:
    """Working state for one production line while its hotfixes are collected."""

    def __init__(self, name: str, ref: str, tip: pygit2.Commit) -> None:
        self.name = name
        self.ref = ref
        self.tip = tip
        self.first_parent: list[CommitFact] = []
        self.index: dict[str, int] = {}
        self.truncated = False
        #: the deployed ref of each hotfix's time, on this line (made with the first hotfix)
        self.deployed: DeployedRefs | None = None
        #: pull merges on the chain (``collect.git.line_chain``), newest first
        self.pulls: list[pygit2.Commit] = []


class LineWalk:
    """The reader, the policy and the commit graph; the walks of the lines and of their
    integration branches. Every method only reads."""

    def __init__(
        self, reader: GitReader, *, changed_paths: bool = True, progress: HistoryProgress | None = None
    ) -> None:
        self.reader = reader
        self.repo = reader.repo
        self.policy = reader.policy
        #: read the paths each hotfix changes (a tree diff each): only a rule that reads them needs them
        self.changed_paths = changed_paths
        self.progress = progress
        #: the commit graph of the lines and integration, read once (``None``: a shallow clone, walks)
        self.index: HistoryIndex | None = None
        self._chains: dict[str | None, frozenset[str]] = {}
        self._own_walks: dict[tuple[str, str], list[str]] = {}
        self._own_lines: dict[str, OwnLine] = {}

    @cached_property
    def tags_by_version(self) -> dict[str, TagFact]:
        """Release tags by the version they name (the first tag of a version wins)."""
        found: dict[str, TagFact] = {}
        for tags in self.reader.release_tags.values():
            for tag in tags:
                version = self.reader.tag_version(tag)
                if version is not None:
                    found.setdefault(version, tag)
        return found

    def _since_hide(self) -> list[pygit2.Oid]:
        return [self.reader.since_commit] if self.reader.since_commit is not None else []

    def _check_shallow(self, commit: pygit2.Commit, line: str, fetched: int | None = None) -> None:
        if str(commit.id) in self.reader.boundary:
            raise self.reader.shallow_error(f"the history of {line}", commit, fetched)

    def _own_chain(
        self, tip: pygit2.Oid, own: OwnLine, name: str, hide: list[pygit2.Oid] | None = None
    ) -> Iterator[pygit2.Commit]:
        """Branch ``name``'s own first-parent chain: recovered where it was fast-forwarded onto
        another branch (``collect.git.own_line``), through the server's side of pull merges
        (``collect.git.line_chain``), bounded by ``hide`` (default: ``since``)."""
        bound = self._since_hide() if hide is None else hide
        chains = self.reader.chains
        return own_chain(self.repo, tip, own, lambda start: chains.walk(start, name, bound))

    def _first_parent_chain(self, line: WalkedLine) -> None:
        chains = self.reader.chains
        own = OwnLine(lambda name: self.policy.is_line_name(line.name, name))
        for commit in self._own_chain(line.tip.id, own, line.name):
            if self.reader.since_time is not None and commit.commit_time < self.reader.since_time:
                line.truncated = True
                break
            self._check_shallow(commit, line.name, len(line.first_parent) + 1)
            fact = chains.fact(commit, line.name)
            if chains.is_pull(commit, line.name):
                line.pulls.append(commit)
            line.index[fact.id] = len(line.first_parent)
            line.first_parent.append(fact)
        if self.reader.since_commit is not None:
            line.truncated = True

    def _newer(self, tag: TagFact, than: TagFact) -> bool:
        a = version_key(self.reader.tag_version(tag) or "")
        b = version_key(self.reader.tag_version(than) or "")
        if a is None:
            return False
        return b is None or a > b

    def _merges(self, line: WalkedLine) -> list[pygit2.Commit]:
        """Every merge reachable from the line since `since`: the one full walk of its history."""
        merges: list[pygit2.Commit] = []
        since_time = self.reader.since_time
        shallow = bool(self.reader.boundary)
        tip = str(line.tip.id)
        if self.index is not None and tip in self.index.graph:  # (not in a shallow clone: no index)
            ids = self.index.graph.ids
            return [self.reader.commit(ids[n]) for n in self.index.merges(tip, since_time)]
        for commit in self.reader.walk([line.tip.id], self._since_hide(), sort=SortMode.NONE):
            if since_time is not None and commit.commit_time < since_time:
                continue  # older than `since`: a shallow boundary there is fine
            if shallow:
                self._check_shallow(commit, line.name)
            if len(commit.parent_ids) > 1:
                merges.append(commit)
        return merges

    def _integration_chain(self, line: str) -> frozenset[str]:
        """Line ``line``'s integration branch's own first-parent history (``_own_chain``): one
        walk per integration branch, read when a line is classified (empty for a line without one)."""
        name = self.policy.integration_for(line)
        if name not in self._chains:
            ref = resolve_branch(self.repo, name) if name else None
            tip = ref_tip(self.repo, ref) if ref is not None else None
            walked = self._integration_walk(name, tip.id) if tip is not None and name else []
            self._chains[name] = frozenset(walked)
        return self._chains[name]

    def _integration_walk(self, name: str, tip: pygit2.Oid) -> list[str]:
        """Integration branch ``name``'s own first-parent chain from ``tip``, newest first: walked
        once for classification and the back-merge reach alike (ids: a list of commits would keep
        each one's object in libgit2's cache, the whole chain of a large history)."""
        key = (name, str(tip))
        if key not in self._own_walks:
            kept = self.reader.kept_id  # (the index's strings: no second copy of each id)
            walk = self._own_chain(tip, self._integration_line(name), name, [])
            self._own_walks[key] = [kept(str(c.id)) for c in walk]
        return self._own_walks[key]

    def _production_chains(self) -> frozenset[str]:
        """Every production line's plain first-parent chain: where an integration branch's chain
        may have been fast-forwarded onto production (not kept: its :class:`OwnLine` keeps its ids)."""
        production: set[str] = set()
        for _, ref in self.reader.production_refs()[0]:
            try:
                tip = ref_tip(self.repo, ref)
            except MISSING:
                continue
            graph = self.index.graph if self.index is not None and self.reader.since_commit is None else None
            if graph is not None and str(tip.id) in graph:
                production.update(graph.ids[n] for n in graph.first_parent_chain(str(tip.id)))
                continue
            try:
                production.update(str(c.id) for c in self.reader.walk([tip.id], first_parent=True))
            except MISSING:
                continue
        return frozenset(production)

    def _integration_line(self, integration: str) -> OwnLine:
        """How to tell integration branch ``integration``'s own first-parent chain from a
        production line's it was fast-forwarded to: a pull request from it on a production
        line's chain was merged there."""
        if integration not in self._own_lines:
            self._own_lines[integration] = OwnLine(lambda name: name == integration, foreign=self._production_chains())
        return self._own_lines[integration]

    def _vocabulary(self, line: str) -> Vocabulary:
        setting = self.policy.rules.get("merge-commit")
        options = dict(setting.options) if setting is not None else {}
        authors = options.get("allow_authors", list(DEFAULT_AUTOMATION_AUTHORS))
        messages = options.get("allow_messages", [])
        return Vocabulary(
            self.policy, line, tuple(re.compile(p) for p in authors), tuple(re.compile(p) for p in messages)
        )

    def _integration(self, name: str | None, retired: dt.date | None) -> tuple[IntegrationFact | None, str | None]:
        """The integration branch as it is now, or the configured name when it is missing."""
        if not name:
            return None, None
        ref = resolve_branch(self.repo, name)
        if ref is None:
            return None, name
        tip = ref_tip(self.repo, ref)
        retired_ts = None
        if retired is not None:
            retired_ts = int(
                dt.datetime(retired.year, retired.month, retired.day, tzinfo=dt.timezone.utc).timestamp()
            )
        return IntegrationFact(name, str(tip.id), tip.commit_time, retired_ts), None

    def _read_index(self, tips: list[pygit2.Oid], integrations: list[IntegrationFact | None]) -> None:
        """Read the commit graph of the lines and their integration branches once (not in a
        shallow clone, whose boundary the walks check commit by commit)."""
        if self.reader.boundary:
            return
        tips = [*tips, *(pygit2.Oid(hex=i.tip) for i in {i.name: i for i in integrations if i}.values())]
        report = self.progress.read if self.progress is not None else None
        try:
            graph = CommitGraph(self.repo, tips, self._since_hide(), report)
        except MISSING:
            return  # a partial clone: the walks say what is missing
        self.index = HistoryIndex(graph)
        self.reader.index = self.index
        for tip in tips:
            if str(tip) in graph:
                self.index.line(str(tip))  # one pass each: a first-parent merge's own commits arrive with it
