"""The only code that writes to GitHub: a commit status with the check's summary.

``check --post-status`` posts one status on the commit judged, so a CI system other than GitHub
Actions can still feed a required status check: context ``hotfix-lint`` for a verdict on a pull
request by a policy it cannot edit, ``hotfix-lint/push`` for any other (:func:`status_context`). PyGithub is
imported inside the function; the token comes from the same discovery as the GitHub facts
and appears in no message. Anything but a commit status in the answer (a refusal, a
redirect, an empty body, no answer in time) is a :class:`PublishError`: exit 2, since the
required status will not arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotfix_lint.errors import UserError
from hotfix_lint.report import plural

if TYPE_CHECKING:
    from hotfix_lint.collect.github.target import GitHubTarget
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
    """POST ``status`` on ``target``'s repository; the status's URL. Raises :class:`PublishError`
    for anything but a commit status in GitHub's answer (a refusal, a redirect, an empty or
    unreadable body, no whole answer within a request's deadline: the run's budget for GitHub
    does not apply, the status must still go out after a check that spent it)."""
    from hotfix_lint.collect.github.session import new_client

    if status.state not in STATES:
        raise ValueError(f"not a commit status state: {status.state!r}")
    base_url = (target.api_url or "https://api.github.com").rstrip("/")
    gh = new_client(base_url, target.token, page_size=30, timeout=timeout, user_agent=STATUS_CONTEXT)
    where = f"{target.repository}@{status.sha[:10]}"
    body = {"state": status.state, "description": status.description, "context": status.context}
    if status.target_url:
        body["target_url"] = status.target_url
    url = f"/repos/{target.repository}/statuses/{status.sha}"
    try:
        code, headers, text = gh.requester.requestJson("POST", url, input=body)
    except RuntimeError as exc:  # PyGithub refuses to follow a 301 elsewhere
        raise _failed(where, f"GitHub answered a redirect (301), not followed for a status: {exc}", target) from None
    except OSError as exc:  # refused, reset, timed out, past the deadline
        detail = str(exc)[:200]
        raise _failed(where, f"could not reach GitHub ({detail})", target, reach=True) from None
    finally:
        gh.close()
    return _status_url(code, headers, text, where, target)


def _status_url(code: int, headers: dict[str, object], text: str, where: str, target: GitHubTarget) -> str:
    """The posted status's URL from GitHub's answer, or :class:`PublishError` saying what came instead."""
    import json

    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if code >= 400:
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        hint = ""
        if code in (403, 404):
            hint = " (the token needs `statuses: write`, classic tokens `repo:status`)"
        elif code == 401:
            hint = " (the token was rejected)"
        raise _failed(where, f"GitHub answered {code} {message}".strip() + hint, target)
    if 300 <= code < 400:
        location = headers.get("location")
        raise _failed(where, f"GitHub answered a redirect ({code}{f' to {location}' if location else ''})", target)
    if not isinstance(data, dict) or not isinstance(data.get("state"), str):
        said = "an empty answer" if not text else "not a commit status"
        raise _failed(where, f"GitHub answered {code} with {said}", target)
    return str(data.get("url") or "")


def _failed(where: str, detail: str, target: GitHubTarget, *, reach: bool = False) -> PublishError:
    """The error for a status not posted; never with the token."""
    detail = detail.replace(target.token, "***")
    verb = "could not reach GitHub to post" if reach else "could not post"
    if reach:
        detail = detail.removeprefix("could not reach GitHub ").strip()
    return PublishError(f"--post-status: {verb} the status on {where}: {detail}")
