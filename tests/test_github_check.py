"""``hotfix-lint check`` with GitHub: which repository and token, what is skipped without them,
honest answers under refusals, rate limits and outages, and a token that never leaks."""

from __future__ import annotations

from typing import Any

import pytest
from github_check import REPO, T0, TOKEN, GitHub, compliant, fast_retries, github_check, policy
from github_server import GitHubServer
from scenario import Scenario

GITHUB_RULES = ("branch-protection", "merge-methods", "pr-review")
ALL_GITHUB_RULES = (*GITHUB_RULES, "promotion-protection", "environment-protection", "deployment-source")
DAY = 86400


def every_github_rule(**keys: Any) -> dict[str, Any]:
    keys.setdefault("promotion_branch", "prod/hotfix/{date}_{slug}")
    return policy(dict.fromkeys(ALL_GITHUB_RULES, "error"), **keys)


def assert_no_token(run: Any) -> None:
    assert TOKEN not in run.everything
    assert "L00pbackS3cret" not in run.everything


# -- not configured: skipped, with a note ---------------------------------------------------------


def test_without_a_token_the_github_rules_are_skipped_and_named(gh: GitHub) -> None:
    compliant(gh.state)
    gh.unprotect("main")
    run = gh.check(token=None, policy=every_github_rule())
    assert run.status == 0
    assert run.report is not None
    assert run.findings() == [], "no violation and no per-rule warning for want of a token"
    (note,) = [n for n in run.report["notes"] if n.startswith("skipped")]
    skipped, _, reason = note.partition(": ")
    assert set(skipped.removeprefix("skipped ").split(", ")) == set(ALL_GITHUB_RULES)
    assert reason.startswith("no GitHub token (set ")
    assert "GITHUB_TOKEN" in reason and "--token-env" in reason
    assert f"hotfix-lint: {note}" in run.stderr
    assert not set(ALL_GITHUB_RULES) & set(run.report["summary"]["rules_run"])
    assert gh.server.requests == [], "GitHub is not asked anything"


def test_the_default_pack_runs_the_github_rules_it_can(gh: GitHub) -> None:
    """With no policy file, GitHub rules that need no opt-in are named as skipped without a token."""
    run = gh.check(token=None, server=False, repository=None)
    assert run.status == 0
    assert run.report is not None
    (note,) = [n for n in run.report["notes"] if n.startswith("skipped")]
    for rule in GITHUB_RULES:
        assert rule in note
    assert "no GitHub repository (there is no origin remote; name one with --github OWNER/NAME)" in note


def test_a_remote_that_is_not_github_is_named(gh: GitHub) -> None:
    gh.repo.git("remote", "add", "origin", "/srv/git/app.git")
    run = gh.check(repository=None, server=False, policy=every_github_rule())
    assert run.report is not None
    assert any("the origin remote is not a GitHub URL" in n for n in run.report["notes"]), run.everything


def test_the_token_goes_to_no_other_host_than_github_unless_named(gh: GitHub) -> None:
    """owner/name on any host parses; without --github-url the token is not sent there."""
    gh.repo.git("remote", "add", "origin", "https://gitlab.example.com/group/app.git")
    run = gh.check(repository=None, server=False, policy=every_github_rule())
    assert run.report is not None and run.findings() == []
    assert any(
        "the origin remote is on gitlab.example.com, not github.com: for GitHub Enterprise Server give "
        "--github-url https://gitlab.example.com/api/v3" in n
        for n in run.report["notes"]
    ), run.everything


def test_an_enterprise_remote_with_github_url(gh: GitHub) -> None:
    compliant(gh.state)
    gh.repo.git("remote", "add", "origin", "git@ghe.example.com:octo/app.git")
    run = gh.check(repository=None, policy=every_github_rule())
    assert run.report is not None
    assert "read GitHub repository octo/app (from the origin remote)" in run.report["notes"]
    assert run.findings() == [], run.everything


def test_token_env_names_the_variable(gh: GitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    compliant(gh.state)
    run = gh.check("--token-env", "CI_BOT_TOKEN", policy=every_github_rule())
    assert run.report is not None
    assert any("the variable CI_BOT_TOKEN named by --token-env is not set" in n for n in run.report["notes"])
    monkeypatch.setenv("CI_BOT_TOKEN", TOKEN)
    gh.state.require_token(TOKEN)
    wrong = "ghp_not_this_one"  # in GITHUB_TOKEN, which --token-env overrides
    run = gh.check("--token-env", "CI_BOT_TOKEN", token=wrong, policy=every_github_rule())
    assert run.findings() == [], run.everything
    assert all(r.authenticated for r in gh.server.requests)
    assert_no_token(run)


# -- which repository -------------------------------------------------------------------------------


def test_the_repository_comes_from_the_origin_remote(gh: GitHub) -> None:
    compliant(gh.state)
    gh.unprotect("develop")
    gh.repo.git("remote", "add", "origin", "git@github.com:octo/app.git")
    run = gh.check("--rule", "branch-protection", repository=None, policy=every_github_rule())
    assert run.report is not None
    assert "read GitHub repository octo/app (from the origin remote)" in run.report["notes"]
    (found,) = run.violations("branch-protection")
    assert found["ref"] == "develop"


def test_github_enterprise_server(
    scenario: Any,
    github_enterprise_server: GitHubServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compliant(github_enterprise_server.state)
    github_enterprise_server.state.require_token("ghe_enterprise_token_0123456789")
    repo: Scenario = scenario()
    repo.commit("Initial commit", {"README.md": "# app\n"})
    repo.branch("develop")
    assert github_enterprise_server.url.endswith("/api/v3")
    run = github_check(
        repo,
        github_enterprise_server,
        capsys,
        monkeypatch,
        policy=every_github_rule(),
        token=TOKEN,
        env={"GH_ENTERPRISE_TOKEN": "ghe_enterprise_token_0123456789"},
    )
    assert run.findings() == [], run.everything
    requests = github_enterprise_server.requests
    assert requests and all(r.status in (200, 404) for r in requests), "every request went to /api/v3"
    assert "ghe_enterprise_token_0123456789" not in run.everything
    assert_no_token(run)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--github", "not a repo"], "--github: expected OWNER/NAME"),
        (["--github-url", f"ftp://x:{TOKEN}@ghe.example.com"], "--github-url: expected the API's URL"),
        (["--token-env", "NOT-A-NAME"], "--token-env: expected the name of an environment variable"),
    ],
)
def test_bad_github_arguments_are_usage_errors(gh: GitHub, args: list[str], expected: str) -> None:
    run = gh.check(*args, repository=None, server=False, policy=every_github_rule())
    assert run.status == 2
    assert expected in run.stderr
    assert_no_token(run)


# -- honest answers ---------------------------------------------------------------------------------


def test_an_unreadable_repository_is_could_not_check_for_every_rule(gh: GitHub) -> None:
    run = gh.check(policy=every_github_rule())
    assert run.status == 0
    found = run.findings()
    assert {f["rule"] for f in found} == set(ALL_GITHUB_RULES)
    assert {f["kind"] for f in found} == {"could-not-check"}
    assert all("not found, or hidden from this token" in f["message"] for f in found)


def test_a_rate_limit_is_could_not_check_with_the_reset_time(gh: GitHub) -> None:
    sleeps = fast_retries(gh.monkeypatch)
    compliant(gh.state)
    gh.unprotect("develop")
    gh.state.rate_limit("/repos/octo/app/branches/*/protection", retry_after=2, times=1)
    run = gh.check("--rule", "branch-protection", policy=every_github_rule())
    assert sleeps.waits == []
    found = run.findings("branch-protection")
    assert {f["kind"] for f in found} == {"could-not-check"}
    assert all("rate limited by GitHub" in f["message"] or "rate-limited this run until" in f["message"] for f in found)
    assert run.status == 0


def test_a_primary_rate_limit_is_not_waited_for(gh: GitHub) -> None:
    import time

    sleeps = fast_retries(gh.monkeypatch, max_wait=30.0)
    compliant(gh.state)
    reset = int(time.time()) + 10
    gh.state.rate_limit("/repos/octo/app", status=403, retry_after=None, reset=reset, times=1)
    run = gh.check("--rule", "merge-methods", policy=every_github_rule())
    (found,) = run.findings("merge-methods")
    assert found["kind"] == "could-not-check"
    assert time.strftime("%H:%M:%S UTC", time.gmtime(reset)) in found["message"]
    assert sleeps.waits == []


def test_a_long_rate_limit_is_could_not_check(gh: GitHub) -> None:
    sleeps = fast_retries(gh.monkeypatch)
    compliant(gh.state)
    gh.state.rate_limit("/repos/octo/app/pulls", retry_after=3600, times=None)
    run = gh.check("--rule", "pr-review", policy=every_github_rule())
    (found,) = run.findings("pr-review")
    assert found["kind"] == "could-not-check" and found["severity"] == "warning"
    assert "rate limited by GitHub" in found["message"] and "not waited for" in found["message"]
    assert sleeps.waits == []
    assert run.status == 0


def test_server_errors_are_retried_a_bounded_number_of_times(gh: GitHub) -> None:
    sleeps = fast_retries(gh.monkeypatch)
    compliant(gh.state)
    gh.state.fail("/repos/octo/app/environments/production", 502, times=2)
    run = gh.check("--rule", "environment-protection", policy=every_github_rule())
    assert run.findings() == [], run.everything
    assert sleeps.waits == [0.25, 0.5]


def test_server_errors_every_time_are_could_not_check(gh: GitHub) -> None:
    sleeps = fast_retries(gh.monkeypatch)
    compliant(gh.state)
    gh.unprotect("develop")  # a violation nobody can see: GitHub is down
    gh.state.fail("/repos/octo/app/branches/*/protection", 500)
    gh.state.fail("/repos/octo/app/rules/branches/*", 500)
    run = gh.check("--rule", "branch-protection", policy=every_github_rule())
    found = run.findings("branch-protection")
    assert found and {f["kind"] for f in found} == {"could-not-check"}
    assert all("gave up after 3 attempts" in f["message"] for f in found)
    assert len(sleeps.waits) == 2 * 2 * 3, "2 waits per request, 2 requests per branch read, 3 branches"
    assert run.status == 0


# -- the token never appears -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_the_token_never_appears_in_any_output(gh: GitHub, fmt: str) -> None:
    fast_retries(gh.monkeypatch)
    compliant(gh.state)
    gh.state.require_token(TOKEN)
    gh.state.forbid("/repos/octo/app/branches/main/protection", f"token {TOKEN} lacks administration: read")
    gh.state.fail("/repos/octo/app/pulls", 422, f"Validation Failed for {TOKEN}")
    gh.state.fail("/repos/octo/app/environments/production", 500, f"boom {TOKEN}")
    run = gh.check(policy=every_github_rule(), fmt=fmt)
    assert all(r.authenticated for r in gh.server.requests), "the token was sent"
    assert "***" in run.everything, "the server's echo of the token was redacted"
    assert_no_token(run)


def test_bad_credentials_are_could_not_check_without_the_token(gh: GitHub) -> None:
    compliant(gh.state)
    gh.state.require_token("ghp_the_right_one")
    run = gh.check(policy=every_github_rule())
    found = run.findings()
    assert found and {f["kind"] for f in found} == {"could-not-check"}
    assert "401 Bad credentials" in found[0]["message"]
    assert_no_token(run)


# -- deployed_ref: github-deployment -----------------------------------------------------------------


def deploy(gh: GitHub, sha: str, at: int, state: str = "success", ref: str = "main") -> None:
    """A deployment of ``sha`` created at ``at`` that reached ``state`` five minutes later."""
    gh.state.add_deployment(REPO, ref=ref, sha=sha, created_at=at, statuses=[(state, at + 300)])


def test_hotfix_base_uses_the_last_successful_deployment(gitflow_repo: Scenario, gh: GitHub) -> None:
    """The hotfix in build_gitflow was cut from main's root, which was deployed before its merge."""
    gh.repo = gitflow_repo
    compliant(gh.state)
    root = gitflow_repo.marks["root"]
    merge_time = int(gitflow_repo.git("log", "-1", "--format=%ct", gitflow_repo.marks["hotfix_merge"]).strip())
    deploy(gh, root, merge_time - DAY)
    deploy(gh, "f" * 40, merge_time - 3600, "failure")
    deploy(gh, gitflow_repo.marks["hotfix_merge"], merge_time + 3600)
    rules = {"hotfix-base": "error"}
    run = gh.check("--rule", "hotfix-base", policy=policy(rules, deployed_ref="github-deployment"))
    assert run.findings("hotfix-base") == [], run.everything


def test_hotfix_base_fires_when_the_deployed_commit_was_another(gitflow_repo: Scenario, gh: GitHub) -> None:
    gh.repo = gitflow_repo
    compliant(gh.state)
    merge_time = int(gitflow_repo.git("log", "-1", "--format=%ct", gitflow_repo.marks["hotfix_merge"]).strip())
    deployed = gitflow_repo.marks["merge_export"]  # develop's commit was deployed, not main's
    deploy(gh, deployed, merge_time - DAY, ref="develop")
    run = gh.check("--rule", "hotfix-base", policy=policy({"hotfix-base": "error"}, deployed_ref="github-deployment"))
    (found,) = run.findings("hotfix-base")
    assert found["kind"] == "violation"
    assert deployed[:10] in found["message"] and "last successful deployment to 'production'" in found["message"]


def test_hotfix_base_could_not_check_without_deployments_before_the_merge(gitflow_repo: Scenario, gh: GitHub) -> None:
    gh.repo = gitflow_repo
    compliant(gh.state)  # its only deployment is dated 2025-03-01, after the hotfix
    run = gh.check("--rule", "hotfix-base", policy=policy({"hotfix-base": "error"}, deployed_ref="github-deployment"))
    (found,) = run.findings("hotfix-base")
    assert found["kind"] == "could-not-check"
    assert "no deployment to 'production' succeeded before 2025-01-05" in found["message"]


def test_hotfix_base_without_github_says_why(gitflow_repo: Scenario, gh: GitHub) -> None:
    gh.repo = gitflow_repo
    run = gh.check(
        "--rule", "hotfix-base", token=None, policy=policy({"hotfix-base": "error"}, deployed_ref="github-deployment")
    )
    (found,) = run.findings("hotfix-base")
    assert found["kind"] == "could-not-check"
    assert "deployed_ref github-deployment: it needs GitHub: no GitHub token" in found["message"]


def test_the_branch_under_check_is_judged_against_the_current_deployment(gitflow_repo: Scenario, gh: GitHub) -> None:
    gh.repo = gitflow_repo
    compliant(gh.state)
    s = gitflow_repo
    deploy(gh, s.marks["root"], T0 + DAY)
    s.branch("hotfix/next", "main", checkout=True)
    s.commit("Fix: next", {"app/login.py": "TIMEOUT = 31\n"})
    rules = {"hotfix-base": "error"}
    run = gh.check("--rule", "hotfix-base", "--no-history", policy=policy(rules, deployed_ref="github-deployment"))
    (found,) = run.findings("hotfix-base")
    assert found["ref"] == "hotfix/next"
    assert s.marks["root"][:10] in found["message"]
