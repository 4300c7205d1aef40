"""The only code that writes to GitHub: a commit status with the check's summary.

``check --post-status`` posts one status on the commit judged, so a CI system other than GitHub
Actions can still feed a required status check: context ``hotfix-lint`` for a verdict on a pull
request by a policy it cannot edit, ``hotfix-lint/push`` for any other (:func:`status_context`). PyGithub is
imported inside the function; the token comes from the same discovery as the GitHub facts
and appears in no message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotfix_lint.errors import UserError
from hotfix_lint.report import plural

if TYPE_CHECKING:
    from hotfix_lint.collect.github import GitHubTarget
    from hotfix_lint.report.model import Report

#: the context a pull request's required status check names: only a verdict on a change into a
#: known base, by a policy the change cannot edit, is posted under it
STATUS_CONTEXT = "hotfix-lint"
#: every other verdict (a push, a run without a base, a policy read from the checkout): it can
#: never stand in for the pull request's, even on the same commit
PUSH_CONTEXT = "hotfix-lint/push"
#: GitHub refuses a longer description
DESCRIPTION_LIMIT = 140
STATES = ("success", "failure", "error", "pending")


class PublishError(UserError):
    """The status could not be posted: the check ran, but the required status will not arrive."""


@dataclass(frozen=True)
class Status:
    """One commit status: the state, a description within GitHub's limit, an optional link."""

    sha: str
    state: str
    description: str
    target_url: str | None = None
    context: str = STATUS_CONTEXT


def status_context(*, reviews: bool, policy_out_of_reach: bool) -> str:
    """:data:`STATUS_CONTEXT` for a verdict on a pull request (``reviews``: a pull request, a merge
    group or ``--base``) by a policy it cannot edit; :data:`PUSH_CONTEXT` for anything else.

    GitHub keeps one status per commit and context, the latest: a push run's ``success`` under
    the required context would replace the pull request run's ``failure`` on the same commit.
    """
    return STATUS_CONTEXT if reviews and policy_out_of_reach else PUSH_CONTEXT


def clip(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis marks a cut)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def status_for(report: Report, sha: str, target_url: str | None = None, context: str = STATUS_CONTEXT) -> Status:
    """failure when the report has an unwaived error, else success; the counts as description."""
    state = "failure" if report.errors else "success"
    description = (
        f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}, {report.waived} waived; "
        f"{plural(len(report.rules_run), 'rule')} run"
    )
    return Status(sha, state, clip(description), target_url, context)


def error_status(reason: str, sha: str, target_url: str | None = None, context: str = STATUS_CONTEXT) -> Status:
    """The check could not be made (a shallow clone, a broken policy): state ``error``."""
    return Status(sha, "error", clip(f"could not check: {reason}"), target_url, context)


def post_status(target: GitHubTarget, status: Status, *, timeout: int = 15) -> str:
    """POST ``status`` on ``target``'s repository; the status's URL. Raises :class:`PublishError`."""
    from hotfix_lint.collect.pygithub import import_github

    import_github()
    from github import Auth, Github
    from github.GithubException import GithubException

    if status.state not in STATES:
        raise ValueError(f"not a commit status state: {status.state!r}")
    gh = Github(
        base_url=(target.api_url or "https://api.github.com").rstrip("/"),
        auth=Auth.Token(target.token),
        retry=None,
        timeout=timeout,
        seconds_between_requests=None,
        seconds_between_writes=None,
        user_agent="hotfix-lint",
        lazy=True,  # no GET of the repository or the commit: one POST
    )
    where = f"{target.repository}@{status.sha[:10]}"
    try:
        commit = gh.get_repo(target.repository).get_commit(status.sha)
        created = commit.create_status(
            status.state,
            description=status.description,
            context=status.context,
            **({"target_url": status.target_url} if status.target_url else {}),
        )
        return str(created.url or "")
    except GithubException as exc:
        data = exc.data
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        detail = f"GitHub answered {exc.status} {message}".strip().replace(target.token, "***")
        hint = ""
        if exc.status in (403, 404):
            hint = " (the token needs `statuses: write`, classic tokens `repo:status`)"
        elif exc.status == 401:
            hint = " (the token was rejected)"
        raise PublishError(f"--post-status: could not post the status on {where}: {detail}{hint}") from None
    except OSError as exc:  # refused, reset, timed out (requests' errors are OSErrors)
        detail = str(exc).replace(target.token, "***")[:200]
        raise PublishError(f"--post-status: could not reach GitHub to post the status on {where}: {detail}") from None
    finally:
        gh.close()
