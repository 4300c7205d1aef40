"""Gather the facts the selected rules need, and nothing more.

A fact kind that cannot be collected becomes an entry in ``unavailable`` (a reason), so the
engine reports "could not check" for the rules that needed it and runs the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.enrich import enrich
from hotfix_lint.collect.git.checked_branch import collect_branch
from hotfix_lint.collect.git.reader import GitReader
from hotfix_lint.collect.git.repository import MISSING, open_repository
from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.kinds import CHANGED_PATHS as FACT_CHANGED_PATHS
from hotfix_lint.facts.kinds import GIT_BRANCH as FACT_GIT_BRANCH
from hotfix_lint.facts.kinds import GIT_HISTORY as FACT_GIT_HISTORY
from hotfix_lint.facts.kinds import GITHUB_KINDS
from hotfix_lint.policy.model import Policy

if TYPE_CHECKING:
    from hotfix_lint.collect.git.graph_index import HistoryProgress
    from hotfix_lint.collect.github.target import GitHubRequest


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
    branch_at: str | None = None,
    staged: bool = False,
    index_file: str | None = None,
    push: tuple[str, str, str | None] | None = None,
    github: GitHubRequest | None = None,
    branch_line: str | None = None,
    branch_line_at: str | None = None,
    with_github: bool = True,
    progress: HistoryProgress | None = None,
) -> RepositoryFacts:
    """Collect git facts for ``kinds``: the history of production, the branch under check.

    The hooks judge what is about to happen: ``branch_at`` is the commit a push would make the
    branch, ``staged`` adds the staged changes (``index_file``: git's temporary index) to it,
    ``push`` = (production line, new tip, old tip) judges only what a push adds to that line.
    ``github``: how to reach GitHub for the GitHub fact kinds (None: they are skipped).
    ``branch_line`` judges the branch against that line only (a pull request's base;
    ``branch_line_at``: the base's commit, for a clone without that branch).
    ``with_github=False`` leaves GitHub's facts out, to be added by :func:`add_github_facts`: the
    audit reads the repository in a child under the stall watchdog, and GitHub in its own process.
    ``progress`` shows the history read on a terminal (commits read, hotfixes judged).
    """
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
    reader = GitReader(repo, policy, since)  # one for both: branches and tags are listed once
    notes: list[str] = []
    unavailable: dict[str, str] = {}
    history = None
    if FACT_GIT_HISTORY in kinds:
        from hotfix_lint.collect.git.history import HistoryCollector  # not for a hook that judges a branch

        try:
            collector = HistoryCollector(reader, changed_paths=FACT_CHANGED_PATHS in kinds, progress=progress)
            history = collector.history(push)
        except MISSING as exc:
            unavailable[FACT_GIT_HISTORY] = (
                f"the history cannot be walked: {_missing_object(exc)} is missing from this clone (a partial "
                "clone or an incomplete mirror); fetch the full history (git fetch --refetch) to check it"
            )
    if history is not None:
        if history.missing_production:  # every history rule would pass unjudged: not a pass
            from hotfix_lint.collect.git.missing_line import missing_production_error

            raise missing_production_error(repo, history.missing_production)
        missing = [m for line in history.production if (m := history.integration_missing_of(line))]
        for name in dict.fromkeys(missing or ([history.integration_missing] if history.integration_missing else [])):
            notes.append(
                f"integration branch {name!r} not found: back-merges could not be "
                "checked (set `integration: null` if the process has none)"
            )
    hotfix = None
    if branch is not None and FACT_GIT_BRANCH in kinds:
        try:
            hotfix = collect_branch(
                reader,
                branch,
                at=branch_at,
                staged=staged,
                index_file=index_file,
                line=branch_line,
                line_at=branch_line_at,
            )
        except MISSING as exc:
            unavailable[FACT_GIT_BRANCH] = f"branch {branch}: object missing from this clone ({exc})"
    facts = RepositoryFacts(
        repository=str(location).rstrip("/"),
        now=now,
        head_branch=head_branch,
        head_commit=head_commit,
        history=history,
        branch=hotfix,
        unavailable=unavailable,
        notes=tuple(notes),
    )
    facts = enrich(repo, policy, kinds, facts)
    return add_github_facts(repo, policy, kinds, github, facts, since=since) if with_github else facts


def add_github_facts(
    repo: pygit2.Repository,
    policy: Policy,
    kinds: frozenset[str],
    github: GitHubRequest | None,
    facts: RepositoryFacts,
    *,
    since: str | None,
) -> RepositoryFacts:
    """``facts`` with the GitHub fact kinds of ``kinds`` added (and deployments, for a policy whose
    deployed ref is GitHub's); the same facts when none is wanted."""
    if facts.empty or not (kinds & GITHUB_KINDS or policy.deployed_ref == "github-deployment"):
        return facts
    from hotfix_lint.collect.github_plan import add_github

    return add_github(repo, policy, kinds, github, facts, since=since)


def _missing_object(exc: BaseException) -> str:
    """Name the missing object from pygit2's error text ("no match for id (...)")."""
    import re

    found = re.search(r"[0-9a-f]{40}", str(exc))
    return f"object {found.group(0)}" if found else f"an object ({exc})"
