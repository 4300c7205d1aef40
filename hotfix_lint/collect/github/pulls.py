"""Merged pull requests into the production lines and their reviews, newest first, within the
limits the caller sets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from hotfix_lint.collect.github.session import (
    MAX_PAGES,
    PERMISSION_PULL_REQUESTS,
    GitHubSession,
    RequestFailed,
    epoch,
    login,
)
from hotfix_lint.facts.github import Checked, PullRequestFact, ReviewFact

if TYPE_CHECKING:
    from github.PullRequest import PullRequest
    from github.Repository import Repository

#: closed pull requests read per base, the most recently updated (GraphQL's batches read as many)
MAX_PULLS = 50


def _reviews(session: GitHubSession, pr: PullRequest, page_size: int) -> Checked[tuple[ReviewFact, ...]]:
    try:
        reviews = list(session.first(pr.get_reviews(), MAX_PAGES * page_size))
    except RequestFailed as failure:
        return failure.could_not(f"reviews of pull request #{pr.number}", PERMISSION_PULL_REQUESTS)
    return tuple(
        ReviewFact(user=login(r.user), state=str(r.state), submitted_at=epoch(r.submitted_at), commit_id=r.commit_id)
        for r in reviews
    )


def merged_pulls(
    session: GitHubSession,
    repo: Repository,
    bases: Sequence[str],
    head_filter: Callable[[str], bool] | None,
    limit: int,
    page_size: int,
    notes: list[str],
) -> Checked[tuple[PullRequestFact, ...]]:
    found: list[PullRequestFact] = []
    for base in bases:
        listing = repo.get_pulls(state="closed", base=base, sort="updated", direction="desc")
        try:
            closed = list(session.first(listing, limit))
        except RequestFailed as failure:
            return failure.could_not(f"merged pull requests into {base!r}", PERMISSION_PULL_REQUESTS)
        if len(closed) == limit:
            notes.append(f"only the {limit} most recently updated closed pull requests into {base!r} were read")
        for pr in closed:
            if pr.merged_at is None or (head_filter is not None and not head_filter(pr.head.ref)):
                continue
            found.append(
                PullRequestFact(
                    number=int(pr.number),
                    head_ref=str(pr.head.ref),
                    base_ref=str(pr.base.ref),
                    author=login(pr.user),
                    merged_at=epoch(pr.merged_at),
                    merge_commit_sha=pr.merge_commit_sha,
                    head_sha=pr.head.sha,
                    title=str(pr.title or ""),
                    reviews=_reviews(session, pr, page_size),
                )
            )
    return tuple(found)
