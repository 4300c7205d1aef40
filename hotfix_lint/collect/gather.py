"""Gather the facts the selected rules need, and nothing more.

A fact kind that cannot be collected becomes an entry in ``unavailable`` (a reason), so the
engine reports "could not check" for the rules that needed it and runs the others.
"""

from __future__ import annotations

from pathlib import Path

import pygit2

from hotfix_lint.collect.history import HistoryCollector
from hotfix_lint.collect.repository import MISSING, open_repository
from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.kinds import GIT_BRANCH as FACT_GIT_BRANCH
from hotfix_lint.facts.kinds import GIT_HISTORY as FACT_GIT_HISTORY
from hotfix_lint.policy.model import Policy


def current_branch(repo: pygit2.Repository) -> tuple[str | None, str | None]:
    """The checked-out branch (``None`` on a detached HEAD) and HEAD's commit."""
    if repo.head_is_unborn:
        return None, None
    head = repo.head
    commit = str(head.peel(pygit2.Commit).id)
    if repo.head_is_detached:
        return None, commit
    return head.shorthand, commit


def gather(
    repo_dir: Path,
    policy: Policy,
    kinds: frozenset[str],
    *,
    branch: str | None,
    since: str | None,
    now: int,
) -> RepositoryFacts:
    """Collect git facts for ``kinds``: the history of production, the branch under check."""
    repo = open_repository(repo_dir)
    location = repo.workdir or repo.path
    if repo.is_empty or (repo.head_is_unborn and not repo.listall_references()):
        return RepositoryFacts(
            repository=str(location).rstrip("/"),
            now=now,
            empty=True,
            notes=("the repository has no commits yet: nothing to check",),
        )
    head_branch, head_commit = current_branch(repo)
    collector = HistoryCollector(repo, policy, since)
    notes: list[str] = []
    unavailable: dict[str, str] = {}
    history = None
    if FACT_GIT_HISTORY in kinds:
        history = collector.history()
        for missing in history.missing_production:
            notes.append(f"production branch {missing!r} not found: its history was not checked")
        if history.integration_missing:
            notes.append(
                f"integration branch {history.integration_missing!r} not found: back-merges could not be "
                "checked (set `integration: null` if the process has none)"
            )
    hotfix = None
    if branch is not None and FACT_GIT_BRANCH in kinds:
        try:
            hotfix = collector.branch(branch)
        except MISSING as exc:
            unavailable[FACT_GIT_BRANCH] = f"branch {branch}: object missing from this clone ({exc})"
    return RepositoryFacts(
        repository=str(location).rstrip("/"),
        now=now,
        head_branch=head_branch,
        head_commit=head_commit,
        history=history,
        branch=hotfix,
        unavailable=unavailable,
        notes=tuple(notes),
    )
