"""The repository itself: the answer that must be a repository, its settings and merge
methods, and the state of its GitHub Actions workflows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotfix_lint.collect.github.session import PERMISSION_ACTIONS, GitHubSession, RequestFailed, epoch
from hotfix_lint.facts.github import Checked, RepoSettings

if TYPE_CHECKING:
    from github.Repository import Repository


def read_repository(session: GitHubSession, full_name: str) -> Repository:
    """The repository; an answer that is not one (a redirect PyGithub does not follow, an empty
    body) is a :class:`RequestFailed` saying so, not a repository of Nones or a traceback."""
    from github.Repository import Repository

    headers, data = session.get(f"/repos/{full_name}")
    if not isinstance(data, dict) or not isinstance(data.get("full_name"), str):
        location = headers.get("location")
        said = f"a redirect to {location}" if location else "an empty answer" if not data else "no repository"
        reason = f"GitHub answered {said} for {full_name}, not the repository"
        raise RequestFailed(None, "", reason=session.redact(reason)[:300], permission_relevant=False)
    return session.gh.create_from_raw_data(Repository, data, headers)


def repo_settings(repo: Repository) -> RepoSettings:
    permissions = repo.permissions
    return RepoSettings(
        full_name=repo.full_name,
        default_branch=repo.default_branch,
        allow_merge_commit=repo.allow_merge_commit,
        allow_squash_merge=repo.allow_squash_merge,
        allow_rebase_merge=repo.allow_rebase_merge,
        delete_branch_on_merge=repo.delete_branch_on_merge,
        archived=bool(repo.archived),
        private=bool(repo.private),
        pushed_at=epoch(repo.pushed_at),
        viewer_is_admin=None if permissions is None else permissions.admin,
    )


def workflow_states(session: GitHubSession, repo: Repository, page_size: int) -> Checked[tuple[tuple[str, str], ...]]:
    """Each GitHub Actions workflow's path and state (``GET actions/workflows``)."""
    try:
        items = session.get_list(f"{repo.url}/actions/workflows", page_size, key="workflows")
    except RequestFailed as failure:
        return failure.could_not("the state of the GitHub Actions workflows", PERMISSION_ACTIONS)
    return tuple(
        (str(i["path"]), str(i.get("state") or "active")) for i in items if isinstance(i, dict) and "path" in i
    )
