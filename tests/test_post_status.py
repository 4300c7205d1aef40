"""``check --post-status``: one commit status (context ``hotfix-lint``) on the commit judged, posted
to the loopback GitHub through PyGithub, for CI systems other than GitHub Actions.

failure when an error was found, success otherwise, error when the check could not be made
(a shallow clone); the description holds the counts within GitHub's 140 characters; the token
appears in no output. A status that cannot be posted exits 2: the required check would
otherwise never arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions_sim import actions_env, pull_request_checkout, push_payload, runner_checkout
from github_check import REPO, TOKEN, policy
from github_server import GitHubServer
from scenario import Scenario, build_gitflow, land_hotfix, run_check

from hotfix_lint.report.model import Report
from hotfix_lint.results import Severity, Violation

ONLY_GIT = policy({"branch-name": "error", "merge-commit": "error"})


@pytest.fixture
def server(github_server: GitHubServer) -> GitHubServer:
    github_server.state.add_org("octo")
    github_server.state.add_repo(REPO)
    github_server.state.require_token(TOKEN)
    return github_server


def posting(server: GitHubServer, monkeypatch: pytest.MonkeyPatch, *more: str) -> list[str]:
    """The arguments that post to the loopback GitHub, with the token in the environment."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return ["--post-status", "--github", REPO, "--github-url", server.url, *more]


def repo_with_policy(s: Scenario, data: dict[str, Any] | None = None) -> Scenario:
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(data or ONLY_GIT, sort_keys=False), encoding="utf-8")
    return s


def test_a_failing_check_posts_failure_on_the_branch_tip(
    gitflow_repo: Scenario,
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = repo_with_policy(gitflow_repo)
    s.branch("hotfix/Bad_Name", checkout=True)
    tip = s.commit("Fix: something")
    url = "https://ci.example.com/job/42"
    capsys.readouterr()
    status, report = run_check(s, *posting(server, monkeypatch, "--status-url", url))
    printed = capsys.readouterr()
    assert status == 1 and report is not None
    (posted,) = server.state.statuses_posted(REPO, tip)
    assert posted["state"] == "failure"
    assert posted["context"] == "hotfix-lint/push"  # judged no pull request: never the required context
    assert posted["target_url"] == url
    assert posted["description"] == "1 error, 0 warnings, 0 waived; 2 rules run"
    assert f"posted status failure (hotfix-lint/push) on {tip[:10]}" in printed.err
    assert TOKEN not in printed.out + printed.err
    posts = [r for r in server.state.requests if r.method == "POST"]
    assert [r.path for r in posts] == [f"/repos/{REPO}/statuses/{tip}"]
    assert all(r.authenticated for r in posts)
    assert not [r for r in server.state.requests if r.method == "GET"]  # one POST, nothing read first


def test_a_clean_check_posts_success_on_head(
    gitflow_repo: Scenario, server: GitHubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = repo_with_policy(gitflow_repo)
    status, _ = run_check(s, *posting(server, monkeypatch))
    assert status == 0
    (posted,) = server.state.statuses_posted(REPO, s.rev("HEAD"))
    assert posted["state"] == "success"
    assert len(posted["description"]) <= 140


def test_in_a_pull_request_the_status_goes_on_the_head_commit(
    scenario: Callable[..., Scenario],
    server: GitHubServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    origin = build_gitflow(scenario("origin"))
    land_hotfix(origin, "hotfix/fix-crash", version="1.0.2", how="none", back_merge=None, integration=None, tag=False)
    pr = pull_request_checkout(origin, "hotfix/fix-crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    repo_with_policy(pr.checkout)
    status, _ = run_check(pr.checkout, "--policy-from", "head", *posting(server, monkeypatch))
    assert status == 0
    (posted,) = server.state.statuses_posted(REPO, pr.head_sha)  # not the merge commit nobody pushed
    assert posted["state"] == "success"
    assert posted["target_url"] == "https://github.com/octo/app/actions/runs/4242"
    assert server.state.statuses_posted(REPO, pr.merge_sha) == []


def test_a_push_run_never_replaces_the_pull_requests_status(
    scenario: Callable[..., Scenario],
    server: GitHubServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GitHub keeps the latest status per commit and context: a push run on the pull request's head
    commit posts under hotfix-lint/push, so its success cannot stand in for the pull request's failure."""
    origin = build_gitflow(scenario("origin"))
    origin.commit("Add the hotfix policy", {".hotfix-lint.yaml": yaml.safe_dump(ONLY_GIT, sort_keys=False)})
    loose = policy({"branch-name": "off", "merge-commit": "error"})
    land_hotfix(origin, "hotfix/Bad_Name", version="1.0.2", how="none", back_merge=None, integration=None, tag=False)
    origin.checkout("hotfix/Bad_Name")
    origin.commit("Relax", {".hotfix-lint.yaml": yaml.safe_dump(loose, sort_keys=False)})
    origin.checkout("main")
    pr = pull_request_checkout(origin, "hotfix/Bad_Name")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    status, _ = run_check(pr.checkout, *posting(server, monkeypatch))
    assert status == 1
    push = runner_checkout(origin, ["+refs/heads/*:refs/remotes/origin/*"], depth=None, detach=pr.head_sha)
    actions_env(monkeypatch, tmp_path, "push", push_payload("hotfix/Bad_Name", pr.head_sha))
    status, _ = run_check(push, *posting(server, monkeypatch))
    assert status == 1  # judged by main's policy, not the branch's
    status, _ = run_check(push, "--policy-from", "head", *posting(server, monkeypatch))
    assert status == 0  # the branch's own policy, asked for: still not the pull request's verdict
    latest = {s["context"]: s["state"] for s in server.state.statuses_posted(REPO, pr.head_sha)}
    assert latest == {"hotfix-lint": "failure", "hotfix-lint/push": "success"}


def test_a_check_that_cannot_be_made_posts_error(
    gitflow_repo: Scenario,
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shallow = repo_with_policy(gitflow_repo.shallow_clone(1))
    status, report = run_check(shallow, *posting(server, monkeypatch))
    assert status == 2 and report is None
    (posted,) = server.state.statuses_posted(REPO, shallow.rev("HEAD"))
    assert posted["state"] == "error"
    assert posted["description"].startswith("could not check: this is a shallow clone")
    assert len(posted["description"]) <= 140
    assert "fetch-depth: 0" in capsys.readouterr().err


def test_a_refused_post_exits_2_without_the_token(
    gitflow_repo: Scenario,
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server.state.forbid(f"/repos/{REPO}/statuses/*", method="POST", message=f"Resource not accessible {TOKEN}")
    s = repo_with_policy(gitflow_repo)
    capsys.readouterr()
    status, report = run_check(s, *posting(server, monkeypatch))
    printed = capsys.readouterr()
    assert status == 2
    assert report is not None  # the report was written before the post was tried
    assert "--post-status: could not post the status on octo/app@" in printed.err
    assert "GitHub answered 403" in printed.err and "statuses: write" in printed.err
    assert TOKEN not in printed.out + printed.err


def test_a_rejected_token_exits_2(
    gitflow_repo: Scenario,
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = posting(server, monkeypatch)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong")
    status, _ = run_check(repo_with_policy(gitflow_repo), *args)
    err = capsys.readouterr().err
    assert status == 2
    assert "GitHub answered 401" in err and "ghp_wrong" not in err


def test_without_a_token_nothing_is_checked(
    gitflow_repo: Scenario,
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = posting(server, monkeypatch)
    monkeypatch.delenv("GITHUB_TOKEN")
    status, report = run_check(repo_with_policy(gitflow_repo), *args)
    assert status == 2 and report is None
    assert "--post-status: no GitHub token (set " in capsys.readouterr().err
    assert server.state.requests == []


def test_a_long_description_is_clipped() -> None:
    from hotfix_lint.ci.publish import DESCRIPTION_LIMIT, error_status, status_for

    status = error_status("x " * 200, "a" * 40)
    assert len(status.description) <= DESCRIPTION_LIMIT and status.description.endswith("\u2026")
    violation = Violation("branch-name", Severity.WARNING, "m", None, None, None, None, None)
    report = Report("hotfix-lint", "0.1.0", "/r", "p", (violation,), ("branch-name",))
    assert status_for(report, "b" * 40).state == "success"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ({"status": 301, "headers": {"Location": "https://elsewhere.example/x"}, "body": ""}, "a redirect (301)"),
        ({"status": 302, "headers": {"Location": "http://127.0.0.1:9/statuses"}, "body": ""}, "a redirect (302 to"),
        ({"status": 307, "headers": {"Location": "/somewhere"}, "body": ""}, "a redirect (307 to /somewhere)"),
        ({"status": 201, "body": ""}, "an empty answer"),
        ({"status": 201, "body": "<html>ok</html>"}, "not a commit status"),
    ],
)
def test_a_post_answered_with_a_redirect_or_no_status_exits_2(
    gitflow_repo: Scenario,
    server: GitHubServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: dict[str, Any],
    said: str,
) -> None:
    """Before: exit 1 (which means "errors found") with a traceback; the status was not posted."""
    server.state.fail(f"/repos/{REPO}/statuses/*", method="POST", **answer)
    s = repo_with_policy(gitflow_repo)
    capsys.readouterr()
    status, _ = run_check(s, *posting(server, monkeypatch))
    err = capsys.readouterr().err
    assert status == 2, err
    assert "--post-status: could not post the status on octo/app@" in err
    assert said in err and "Traceback" not in err
    assert TOKEN not in err
