"""A commit of a line's chain as the commit-graph index has it, read from the repository only
when asked for more than the index holds.

A line's own chain is walked step by step (``collect.git.line_chain``) and most steps are only
asked for their id, parents and commit time: the integration branch's chain, a million commits
long in a large history, is used for its ids (what integration holds, when each commit reached
it). :class:`IndexedCommit` answers those from the index and reads the commit itself, as
pygit2 would have, for anything else (a merge's message, an author, a tree).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pygit2

from hotfix_lint.collect.git.graph_index import NONE, CommitGraph


class IndexedCommit:
    """Commit number ``n`` of ``graph``: ``id``, ``parent_ids`` and ``commit_time`` from the
    index; every other attribute of the pygit2 commit, read on first use."""

    __slots__ = ("_commit", "_graph", "_n", "_repo")

    def __init__(self, repo: pygit2.Repository, graph: CommitGraph, n: int) -> None:
        self._repo = repo
        self._graph = graph
        self._n = n
        self._commit: pygit2.Commit | None = None

    @property
    def id(self) -> pygit2.Oid:
        return pygit2.Oid(hex=self._graph.ids[self._n])

    @property
    def commit_time(self) -> int:
        return self._graph.times[self._n]

    @property
    def parent_ids(self) -> list[pygit2.Oid]:
        graph = self._graph
        parents = graph.parents(self._n)
        if len(parents) != graph.arity[self._n]:  # a parent outside the index (or over 255)
            return list(self._read().parent_ids)
        ids = graph.ids
        return [pygit2.Oid(hex=ids[p]) for p in parents]

    def _read(self) -> pygit2.Commit:
        if self._commit is None:
            self._commit = self._repo[self._graph.ids[self._n]].peel(pygit2.Commit)
        return self._commit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._read(), name)

    def __repr__(self) -> str:
        return f"IndexedCommit({self._graph.ids[self._n]})"


def first_parent_walk(repo: pygit2.Repository, graph: CommitGraph, start: str) -> Iterator[IndexedCommit]:
    """The first-parent chain from ``start`` (in ``graph``), newest first, as a first-parent
    revwalk of the whole history gives it."""
    first = graph.first
    cursor = graph.index.get(start, NONE)
    while cursor != NONE:
        yield IndexedCommit(repo, graph, cursor)
        cursor = first[cursor]
