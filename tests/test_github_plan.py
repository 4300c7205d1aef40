"""The pure parts of reading GitHub: which repository and token, which branches, and which
deployment was running at a given moment."""

from __future__ import annotations

import pytest

from hotfix_lint.collect.github.target import GitHubRequest, GitHubTarget, resolve_target
from hotfix_lint.collect.github_plan import plan_branches, probe_name
from hotfix_lint.facts.github import CouldNotCheck, Deployment, GitHubFacts
from hotfix_lint.facts.kinds import GITHUB, GITHUB_PULLS
from hotfix_lint.policy.model import Policy, RuleSetting
from hotfix_lint.policy.patterns import compile_pattern
from hotfix_lint.rules.github_common import github_globs

TOKEN = "ghp_L00pbackS3cretT0kenThatMustNeverLeak42"  # noqa: S105


# -- resolve_target ---------------------------------------------------------------------------------


def test_the_origin_remote_names_the_repository() -> None:
    target = resolve_target(GitHubRequest(), "git@github.com:octo/app.git", {"GITHUB_TOKEN": TOKEN})
    assert target == GitHubTarget("octo/app", None, TOKEN, "the origin remote")
    assert TOKEN not in repr(target)


def test_github_names_the_repository_over_the_remote() -> None:
    target = resolve_target(GitHubRequest(repository="octo/other"), "https://github.com/octo/app", {"GH_TOKEN": TOKEN})
    assert isinstance(target, GitHubTarget) and (target.repository, target.source) == ("octo/other", "--github")


@pytest.mark.parametrize(
    ("request_", "origin", "environ", "reason"),
    [
        (GitHubRequest(), None, {"GITHUB_TOKEN": TOKEN}, "no GitHub repository (there is no origin remote;"),
        (GitHubRequest(), "/srv/git/app.git", {"GITHUB_TOKEN": TOKEN}, "the origin remote is not a GitHub URL"),
        (
            GitHubRequest(),
            "https://ghe.example.com/octo/app.git",
            {"GITHUB_TOKEN": TOKEN},
            "give --github-url https://ghe.example.com/api/v3",
        ),
        (GitHubRequest(), "https://github.com/octo/app", {}, "no GitHub token (set GITHUB_TOKEN or GH_TOKEN"),
        (
            GitHubRequest(token_env="CI_TOKEN"),  # noqa: S106 - a variable's name
            "https://github.com/octo/app",
            {"GITHUB_TOKEN": TOKEN},
            "the variable CI_TOKEN named by --token-env is not set",
        ),
        (
            GitHubRequest(api_url="https://ghe.example.com/api/v3"),
            "https://ghe.example.com/octo/app",
            {},
            "set GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN or GITHUB_TOKEN or GH_TOKEN",
        ),
    ],
)
def test_not_configured_says_why(
    request_: GitHubRequest, origin: str | None, environ: dict[str, str], reason: str
) -> None:
    found = resolve_target(request_, origin, environ)
    assert isinstance(found, str) and reason in found
    assert TOKEN not in found


def test_enterprise_from_the_url_and_its_token() -> None:
    request = GitHubRequest(api_url="https://ghe.example.com/api/v3")
    environ = {"GITHUB_TOKEN": "public", "GH_ENTERPRISE_TOKEN": TOKEN}
    target = resolve_target(request, "git@ghe.example.com:team/service.git", environ)
    assert target == GitHubTarget("team/service", "https://ghe.example.com/api/v3", TOKEN, "the origin remote")


def test_data_residency_hosts_need_no_url() -> None:
    target = resolve_target(GitHubRequest(), "https://octo.ghe.com/team/service", {"GITHUB_TOKEN": TOKEN})
    assert isinstance(target, GitHubTarget) and target.api_url == "https://api.octo.ghe.com"


# -- plan_branches -----------------------------------------------------------------------------------


def test_branches_read_for_a_policy() -> None:
    policy = Policy(
        source="test",
        production=("main", "support/*"),
        integration="develop",
        promotion_branch="prod/hotfix/{date}_{slug}",
        rules={"branch-protection": RuleSetting(options={"branches": {"release/*": {}}})},
    )
    existing = {
        "main": 10,
        "develop": 9,
        "support/1.x": 5,
        "support/2.x": 7,
        "release/1.3.0": 3,
        "prod/hotfix/2025-01-01_a": 1,
        "prod/hotfix/2025-02-01_b": 2,
        "prod/hotfix/wrong-name": 3,
        "feature/x": 11,
    }
    plan = plan_branches(policy, existing, frozenset({GITHUB, GITHUB_PULLS}))
    assert plan.branches == (
        "main",
        "support/2.x",
        "support/1.x",
        "develop",
        "release/1.3.0",
        "prod/hotfix/2025-02-01_b",
        "prod/hotfix/2025-01-01_a",
    )
    assert plan.probes == ()
    promotion = ("prod/hotfix/2025-02-01_b", "prod/hotfix/2025-01-01_a")
    assert plan.pull_bases == ("main", "support/2.x", "support/1.x", *promotion)


def test_a_promotion_pattern_without_branches_is_probed() -> None:
    policy = Policy(source="test", promotion_branch="prod/hotfix/*")
    plan = plan_branches(policy, {"main": 1, "develop": 1}, frozenset({GITHUB}))
    assert plan.probes == ("prod/hotfix/hotfix-lint-probe",)
    assert plan.pull_bases == (), "pull requests are read only for the pr-review rule"


def test_probe_names_match_their_pattern() -> None:
    assert probe_name(compile_pattern("prod/hotfix/{date}_{slug}")) == "prod/hotfix/2024-05-22_hotfix-lint-probe"
    assert probe_name(compile_pattern("^prod/")) is None


def test_github_globs() -> None:
    assert github_globs("prod/hotfix/{date}_{slug}") == ("prod/hotfix/*_*", "prod/hotfix/*")
    assert github_globs("release/**") == ("release/**",)
    assert github_globs("main") == ("main",)
    assert github_globs("^prod/.*") == ()
    # a placeholder with a literal beside it keeps the literal: v{version} is v*, never *
    assert github_globs("v{version}") == ("v*",)
    assert github_globs("hotfix/v{version}") == ("hotfix/v*",)


# -- deployed_at --------------------------------------------------------------------------------------


def deployment(n: int, created: int, state: str | CouldNotCheck | None, done: int | None = None) -> Deployment:
    return Deployment(n, f"{n:040d}", "main", "production", created, state, done)


def facts(*deployments: Deployment, complete: bool = False) -> GitHubFacts:
    return GitHubFacts(
        "octo/app",
        CouldNotCheck("x", "y"),
        environment_name="production",
        deployments=deployments,
        deployments_complete=complete,
    )


def test_the_last_success_before_a_moment() -> None:
    found = facts(
        deployment(4, 400, "success", 410),
        deployment(3, 300, "failure", 310),
        deployment(2, 200, "success", 260),
        deployment(1, 100, "success", 110),
    )
    assert found.deployed_at(None)[0] == f"{4:040d}"
    assert found.deployed_at(350)[0] == f"{2:040d}"
    assert found.deployed_at(250)[0] == f"{1:040d}", "deployment 2 was still running at 250"
    sha, label = found.deployed_at(50)
    assert sha is None and "do not reach back to a successful one before 1970-01-01" in label


def test_no_success_at_all_when_every_deployment_was_read() -> None:
    sha, label = facts(deployment(1, 100, "failure"), complete=True).deployed_at(None)
    assert sha is None and label == "no deployment to 'production' succeeded now"


def test_an_unknown_state_in_between_is_could_not_check() -> None:
    unknown = CouldNotCheck("status of deployment 2", "GitHub answered 500", None)
    found = facts(deployment(2, 200, unknown), deployment(1, 100, "success", 110))
    assert found.deployed_at(300) == (None, str(unknown))
    assert found.deployed_at(150)[0] == f"{1:040d}", "the unknown one came later"


def test_deployments_unreadable() -> None:
    refused = CouldNotCheck("deployments to 'production'", "403", "deployments: read")
    found = GitHubFacts("octo/app", refused, deployments=refused)
    assert found.deployed_at(None) == (None, str(refused))
