"""GitHub cannot hold a run: each request has a total deadline, the run a budget
(``--github-timeout``), and a rate limit is not waited out (issue 12, item 9).

The loopback GitHub drips its answers one byte at a time, or answers rate limits without
``Retry-After``; nothing is mocked and the clock is the real one, with generous bounds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from github_check import REPO, TOKEN, GitHub, compliant, policy
from github_server import GitHubServer, serve_github

from hotfix_lint.collect.github.collector import collect_github
from hotfix_lint.collect.github.deadline import Deadline, DeadlineExceeded, GitHubBudget
from hotfix_lint.collect.github.rate_limit import rate_limit_of
from hotfix_lint.collect.github.session import new_client
from hotfix_lint.facts.github import CouldNotCheck, RepoSettings


@pytest.fixture
def server() -> Iterator[GitHubServer]:
    with serve_github() as served:
        served.state.add_org("octo")
        served.state.add_repo(REPO, branches=["develop"])
        yield served


def test_a_dripping_answer_ends_with_the_run_s_budget(server: GitHubServer) -> None:
    """Before: one byte every 5 s kept a check alive past 400 s (each read within the socket timeout)."""
    server.state.drip("/repos/octo/app/branches/*/protection", 0.5)
    started = time.monotonic()
    facts = collect_github(REPO, TOKEN, server.url, ["main", "develop"], "production", budget=GitHubBudget(3))
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed
    assert isinstance(facts.settings, RepoSettings), "read before the drip"
    unread = facts.unavailable
    assert unread and all(u.permission is None for u in unread)
    assert "--github-timeout" in unread[0].reason
    assert any(u.reason.startswith("not asked: the time for GitHub (3 s") for u in unread)


def test_each_request_has_a_total_deadline_within_the_budget(server: GitHubServer) -> None:
    """A request that drips past its own deadline fails alone; the others are still read."""
    server.state.drip("/repos/octo/app/environments/production", 0.3)
    started = time.monotonic()
    facts = collect_github(REPO, TOKEN, server.url, ["main"], "production", budget=GitHubBudget(60, per_request=2))
    assert time.monotonic() - started < 12
    assert isinstance(facts.environment, CouldNotCheck)
    assert "no complete answer within 2 s" in facts.environment.reason
    main = facts.branch("main")
    assert main is not None and not isinstance(main.protection, CouldNotCheck)


def test_check_with_github_timeout_on_a_dripping_server(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.drip("/repos/octo/app/branches/*", 0.5)
    gh.state.drip("/repos/octo/app/rules/branches/*", 0.5)
    started = time.monotonic()
    run = gh.check(
        "--github-timeout", "3", "--rule", "branch-protection", policy=policy({"branch-protection": "error"})
    )
    assert time.monotonic() - started < 15
    assert run.status == 0, run.everything
    found = run.findings("branch-protection")
    assert found and {f["kind"] for f in found} == {"could-not-check"}
    assert "Traceback" not in run.everything


def test_a_rate_limit_without_retry_after_is_not_waited_for(gh: GitHub) -> None:
    """Before: a 429/403 without Retry-After waited 60 s twice per request (600 s for the default pack)."""
    compliant(gh.state)
    gh.state.rate_limit("/repos/octo/app/branches/*", retry_after=None, times=None)
    gh.state.fail("/repos/octo/app/rules/branches/*", 403, headers={"X-RateLimit-Remaining": "0"}, body="")
    started = time.monotonic()
    run = gh.check(policy=policy({"branch-protection": "error", "merge-methods": "error"}))
    assert time.monotonic() - started < 10
    assert run.status == 0, run.everything
    found = run.findings("branch-protection")
    assert found and all(f["kind"] == "could-not-check" and "until 20" in f["message"] for f in found)
    assert len(gh.state.requests_to("/repos/octo/app/branches/main/protection")) <= 1


@pytest.mark.parametrize("command", [["check"], ["audit", "octo/app"]])
def test_github_timeout_is_documented_and_checked(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from hotfix_lint.cli import main

    with pytest.raises(SystemExit):
        main([command[0], "--help"])
    assert "--github-timeout SECONDS" in capsys.readouterr().out
    assert main([*command, "--github-timeout", "0"]) == 2
    assert "--github-timeout: expected a number of seconds above 0" in capsys.readouterr().err


def test_pygithub_itself_never_sleeps_or_retries() -> None:
    """PyGithub's default ``GithubRetry`` sleeps on rate limits: the client is made without it."""
    gh = new_client("http://127.0.0.1:9", TOKEN, page_size=100, timeout=5, user_agent="t")
    requester = gh.requester
    assert vars(requester)["_Requester__retry"] is None
    assert vars(requester)["_Requester__seconds_between_requests"] is None
    gh.close()


@pytest.mark.parametrize(
    ("status", "headers", "message", "wait"),
    [
        (429, {}, "", 60.0),
        (429, {"retry-after": "7"}, "", 7.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000030"}, "", 30.0),
        (403, {}, "You have exceeded a secondary rate limit", 60.0),
        (403, {"x-ratelimit-remaining": "12"}, "Resource not accessible by integration", None),
        (404, {"x-ratelimit-remaining": "0"}, "", None),
    ],
)
def test_rate_limit_answers_and_their_reset(
    status: int, headers: dict[str, str], message: str, wait: float | None
) -> None:
    limit = rate_limit_of(status, headers, message, now=1_000_000.0)
    assert (None if limit is None else limit.reset_at - 1_000_000.0) == wait


def test_a_deadline_gives_each_read_what_is_left() -> None:
    now = [100.0]
    deadline = Deadline(5, clock=lambda: now[0])
    assert deadline.timeout(15) == 5 and deadline.timeout(2) == 2
    now[0] = 105.0
    with pytest.raises(DeadlineExceeded, match="within 5 s"):
        deadline.timeout(15)


@pytest.mark.parametrize(
    ("status", "headers", "body", "said"),
    [
        (301, {"Location": "https://elsewhere.example/repos/octo/app"}, "", "redirect"),
        (302, {"Location": "/repositories/42"}, "", "a redirect to /repositories/42"),
        (307, {"Location": "http://127.0.0.1:9/repos/octo/app"}, "", "a redirect to http://127.0.0.1:9/"),
        (200, {}, "", "an empty answer"),
        (200, {}, "[1, 2", "unexpected answer"),
    ],
)
def test_a_repository_answered_with_a_redirect_or_nothing_is_could_not_check(
    gh: GitHub, status: int, headers: dict[str, str], body: str, said: str
) -> None:
    """Before: a traceback (exit 1, "errors found"), or settings made of Nones."""
    compliant(gh.state)
    gh.state.fail("/repos/octo/app", status, headers=headers, body=body)
    run = gh.check(policy=policy({"branch-protection": "error", "merge-methods": "error"}))
    assert run.status == 0, run.everything
    found = run.findings()
    assert found and {f["kind"] for f in found} == {"could-not-check"}
    assert all(said in f["message"] for f in found), found
    assert "Traceback" not in run.everything
