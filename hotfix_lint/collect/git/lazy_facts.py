"""Commit facts made from the commit-graph index, their author and committer read on use.

A history's facts are mostly a hotfix's own commits and the commits of landings' chains, and
what is asked of most of them is their id, parents and commit time, which the index holds:
reading each commit for its author and committer cost git/git about a third of a second for
48,000 facts that nothing asked that of. A
:class:`~hotfix_lint.facts.git.LazyCommitFact` reads them when first asked for (the
back-merge's copy search, when a hotfix's work started, a landing's tip author).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.git.repository import commit_people
from hotfix_lint.facts import CommitFact
from hotfix_lint.facts.git import LazyCommitFact, MessageSource

if TYPE_CHECKING:
    from hotfix_lint.collect.git.graph_index import HistoryIndex


class CommitHeaders:
    """Reads a commit's author and committer by id (``LazyCommitFact.header``)."""

    __slots__ = ("repo",)

    def __init__(self, repo: pygit2.Repository) -> None:
        self.repo = repo

    def __call__(self, commit_id: str) -> tuple[str, str, int, str, str]:
        return commit_people(self.repo[commit_id].peel(pygit2.Commit))


def fact_from_index(
    index: HistoryIndex | None, commit: str | pygit2.Commit, messages: MessageSource, headers: CommitHeaders
) -> CommitFact | None:
    """The fact of ``commit`` (an id) when the index holds it with all its parents (its author
    and committer read from ``headers`` when asked for); ``None`` otherwise, or for a commit
    read already (its fact costs nothing more to make whole)."""
    if index is None or not isinstance(commit, str):
        return None
    graph = index.graph
    n = graph.index.get(commit)
    if n is None:
        return None
    parents = graph.parents(n)
    if len(parents) != graph.arity[n]:  # a parent outside the index (or over 255 of them)
        return None
    ids = graph.ids
    return LazyCommitFact(ids[n], tuple(ids[p] for p in parents), graph.times[n], header=headers, source=messages)
