"""Option values the commands share (``check``, ``baseline``, ``hotfixes``, ``audit``), checked
and converted in one place: a wrong value is a user error that names the option."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hotfix_lint.errors import UserError

if TYPE_CHECKING:
    import argparse

    from hotfix_lint.collect.github.deadline import GitHubBudget
    from hotfix_lint.collect.github.target import GitHubRequest

#: the audit's report formats, the first the default (``--format`` and its help)
AUDIT_FORMATS = ("text", "json", "markdown", "html")



def add_github_timeout(group: argparse._ArgumentGroup, default: float) -> None:
    """``--github-timeout`` (check and audit): the run's total time for GitHub."""
    from hotfix_lint.collect.github.deadline import REQUEST_SECONDS

    group.add_argument(
        "--github-timeout",
        type=float,
        default=default,
        metavar="SECONDS",
        help=f"the most time all GitHub requests of the run may take together (default {default:g}); each request "
        f"also ends after {REQUEST_SECONDS:g} s; a rate-limit answer is not waited out: what is not read by then is "
        "'could not check', with the time the limit resets",
    )


def github_budget(args: argparse.Namespace) -> GitHubBudget:
    """The run's :class:`GitHubBudget` from ``--github-timeout``, checked."""
    from hotfix_lint.collect.github.deadline import GitHubBudget

    seconds = args.github_timeout
    if not 0 < seconds < float("inf"):
        raise UserError(f"--github-timeout: expected a number of seconds above 0, got {seconds:g}")
    return GitHubBudget(seconds)


def parse_now(text: str | None) -> int:
    if text is None:
        return int(time.time())
    import datetime as dt  # not at the top: a git hook never needs it

    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"--now: expected a date YYYY-MM-DD, got {text!r}") from exc
    return int(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc).timestamp())


def github_request(args: argparse.Namespace) -> GitHubRequest:
    """What ``--github``, ``--github-url`` and ``--token-env`` ask for, checked."""
    import re
    from urllib.parse import urlsplit

    from hotfix_lint.collect.github.target import GitHubRequest

    repository = getattr(args, "github", None)
    url = getattr(args, "github_url", None)
    variable = getattr(args, "token_env", None)
    if repository is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        raise UserError(f"--github: expected OWNER/NAME, such as octo/app, got {repository!r}")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise UserError(
                "--github-url: expected the API's URL, such as https://ghe.example.com/api/v3 "
                f"(https:// or http://), got {parts.scheme or 'no scheme'}://{parts.hostname or ''}"
            )
    if variable is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        raise UserError(
            f"--token-env: expected the name of an environment variable, such as CI_GITHUB_TOKEN, got {variable!r}"
        )
    return GitHubRequest(repository=repository, api_url=url.rstrip("/") if url else None, token_env=variable)


def parse_formats(values: Sequence[str] | None, output: str | None) -> list[tuple[str, str | None]]:
    """The report formats of ``check`` and where each goes (see :mod:`hotfix_lint.output_targets`)."""
    from hotfix_lint.output_targets import parse_formats as parse_targets
    from hotfix_lint.report import FORMATS

    return parse_targets(values, output, list(FORMATS))
