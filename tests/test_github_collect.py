"""The GitHub collector against the loopback GitHub: values, honest "could not check", bounds.

Nothing is mocked: PyGithub talks HTTP to ``tests/github_server``. Waits go through a
recording ``sleep`` so rate-limit tests are instant and can assert what was waited.
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from github_server import GitHubServer, serve_github
from github_server.state import MUST_HAVE_ADMIN, NOT_ACCESSIBLE_BY_INTEGRATION

from hotfix_lint.collect.github.collector import collect_github
from hotfix_lint.collect.github.session import (
    PERMISSION_ACTIONS,
    PERMISSION_ADMINISTRATION,
    PERMISSION_DEPLOYMENTS,
    PERMISSION_METADATA,
    PERMISSION_PULL_REQUESTS,
    RetryPolicy,
)
from hotfix_lint.collect.github.target import RemoteRepository, discover_token, parse_remote_url
from hotfix_lint.facts.github import (
    BranchProtection,
    CouldNotCheck,
    DeploymentBranchPattern,
    Environment,
    GitHubFacts,
)

REPO = "octo/app"
HOTFIX = "prod/hotfix/2025-03-01_fix"
TOKEN = "ghp_L00pbackS3cretT0kenThatMustNeverLeak42"  # noqa: S105 - a fake, to catch leaks
T0 = int(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc).timestamp())


class Sleeps:
    """A ``sleep`` that records instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def gh() -> Iterator[GitHubServer]:
    with serve_github() as server:
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def gitflow(gh: GitHubServer) -> None:
    """main protected classically, prod/hotfix/* by a ruleset, a guarded production environment."""
    state = gh.state
    state.add_org("octo")
    state.add_repo(REPO, branches=["develop", HOTFIX], allow_squash_merge=False, allow_rebase_merge=False)
    state.protect_branch(
        REPO,
        "main",
        required_approving_review_count=2,
        dismiss_stale_reviews=True,
        status_checks=["ci/test"],
        required_linear_history=True,
    )
    state.add_ruleset(
        REPO,
        "hotfix branches",
        include=["refs/heads/prod/hotfix/*"],
        rules=[
            "deletion",
            "non_fast_forward",
            {"type": "pull_request", "parameters": {"required_approving_review_count": 1}},
        ],
    )
    state.add_environment(
        REPO,
        "production",
        reviewers=["dawid-ciarach-ext", "maximilian-kimmel-ext"],
        reviewer_teams=["release-managers"],
        prevent_self_review=True,
        wait_timer=10,
        branch_patterns=["main", "prod/hotfix/*"],
    )
    state.add_environment(REPO, "staging")
    state.add_deployment(
        REPO,
        environment="production",
        ref="main",
        sha="1" * 40,
        created_at=T0,
        statuses=[("in_progress", T0 + 5), ("success", T0 + 60)],
    )
    state.add_deployment(
        REPO,
        environment="production",
        ref=HOTFIX,
        sha="2" * 40,
        created_at=T0 + 3600,
        statuses=[("in_progress", T0 + 3605), ("success", T0 + 3660)],
    )
    state.add_deployment(
        REPO,
        environment="production",
        ref=HOTFIX,
        sha="3" * 40,
        created_at=T0 + 7200,
        statuses=[("in_progress", T0 + 7205), ("failure", T0 + 7260)],
    )
    state.add_deployment(REPO, environment="staging", ref="develop", sha="4" * 40, created_at=T0 + 9000)
    state.add_pull(
        REPO,
        head="hotfix/fix-timeout",
        base=HOTFIX,
        user="dev",
        created_at=T0 + 1000,
        merged_at=T0 + 3000,
        merge_commit_sha="5" * 40,
        reviews=[
            ("maximilian-kimmel-ext", "CHANGES_REQUESTED", T0 + 1500),
            ("maximilian-kimmel-ext", "APPROVED", T0 + 2500),
            ("dev", "COMMENTED", T0 + 2600),
        ],
    )
    state.add_pull(REPO, head="hotfix/abandoned", base=HOTFIX, user="dev", created_at=T0 + 1100, closed_at=T0 + 1200)
    state.add_pull(REPO, head="hotfix/still-open", base=HOTFIX, user="dev", created_at=T0 + 1300)
    state.add_pull(
        REPO,
        head="release/1.3.0",
        base="main",
        user="dev",
        created_at=T0 + 100,
        merged_at=T0 + 900,
        reviews=[("dawid-ciarach-ext", "APPROVED", T0 + 800)],
    )


def collect(
    gh: GitHubServer,
    *,
    branches: tuple[str, ...] = ("main", "develop", HOTFIX),
    environment: str | None = "production",
    token: str | None = TOKEN,
    sleeps: Sleeps | None = None,
    **kwargs: Any,
) -> GitHubFacts:
    kwargs.setdefault("retry", RetryPolicy(attempts=3, max_wait=5.0, backoff=0.25, sleep=sleeps or Sleeps()))
    return collect_github(REPO, token, gh.url, list(branches), environment, **kwargs)


# -- values ------------------------------------------------------------------------------------


def test_repository_settings(gh: GitHubServer) -> None:
    gitflow(gh)
    facts = collect(gh, branches=(), environment=None, pull_bases=[])
    settings = facts.settings
    assert not isinstance(settings, CouldNotCheck)
    assert (settings.full_name, settings.default_branch, settings.archived, settings.private) == (
        REPO,
        "main",
        False,
        True,
    )
    assert settings.merge_methods == ("merge",)
    assert settings.delete_branch_on_merge is False
    assert settings.viewer_is_admin is True
    assert settings.pushed_at is not None
    assert [r.target for r in gh.requests] == ["/repos/octo/app"]


def test_classic_protection(gh: GitHubServer) -> None:
    gitflow(gh)
    main = collect(gh).branch("main")
    assert main is not None
    assert main.protection == BranchProtection(
        branch="main",
        protected=True,
        require_pull_request=True,
        required_approving_review_count=2,
        dismiss_stale_reviews=True,
        required_status_checks=("ci/test",),
        strict_status_checks=True,
        required_linear_history=True,
    )
    assert main.rules == ()
    assert (main.requires_pull_request, main.required_approvals, main.blocks_force_push) == (True, 2, True)


def test_branch_not_protected_is_a_value_not_a_could_not_check(gh: GitHubServer) -> None:
    gitflow(gh)
    develop = collect(gh).branch("develop")
    assert develop is not None
    assert develop.protection == BranchProtection.unprotected("develop")
    assert (develop.requires_pull_request, develop.required_approvals, develop.blocks_force_push) == (False, 0, False)


def test_ruleset_protects_a_branch_without_classic_protection(gh: GitHubServer) -> None:
    gitflow(gh)
    hotfix = collect(gh).branch(HOTFIX)
    assert hotfix is not None
    assert hotfix.protection == BranchProtection.unprotected(HOTFIX)
    assert isinstance(hotfix.rules, tuple)
    assert [r.type for r in hotfix.rules] == ["deletion", "non_fast_forward", "pull_request"]
    assert {(r.ruleset_source_type, r.ruleset_source) for r in hotfix.rules} == {("Repository", REPO)}
    assert (hotfix.requires_pull_request, hotfix.required_approvals, hotfix.blocks_force_push) == (True, 1, True)


def test_environment_with_reviewers_and_branch_policies(gh: GitHubServer) -> None:
    gitflow(gh)
    env = collect(gh).environment
    assert isinstance(env, Environment)
    assert env.reviewers == ("dawid-ciarach-ext", "maximilian-kimmel-ext")
    assert env.reviewer_teams == ("release-managers",)
    assert (env.prevent_self_review, env.wait_timer, env.requires_review) == (True, 10, True)
    assert env.branch_policy is not None
    assert (env.branch_policy.protected_branches, env.branch_policy.custom_branch_policies) == (False, True)
    assert env.branch_policy.patterns == (DeploymentBranchPattern("main"), DeploymentBranchPattern("prod/hotfix/*"))


def test_environment_open_to_any_branch_and_missing_environment(gh: GitHubServer) -> None:
    gitflow(gh)
    staging = collect(gh, environment="staging").environment
    assert staging == Environment(name="staging", can_admins_bypass=True)  # GitHub says so, on by default
    assert not staging.requires_review
    facts = collect(gh, environment="qa")
    assert facts.environment is None
    assert facts.deployments == ()
    assert "environment 'qa' does not exist on GitHub" in facts.notes


def test_deployments_until_the_last_successful_one(gh: GitHubServer) -> None:
    gitflow(gh)
    facts = collect(gh)
    assert isinstance(facts.deployments, tuple)
    assert [(d.sha[0], d.ref, d.state) for d in facts.deployments] == [
        ("3", HOTFIX, "failure"),
        ("2", HOTFIX, "success"),
    ]
    last = facts.last_successful_deployment
    assert last is not None
    assert (last.sha, last.environment, last.created_at, last.state_at) == (
        "2" * 40,
        "production",
        T0 + 3600,
        T0 + 3660,
    )
    status_reads = [r for r in gh.requests if r.path.endswith("/statuses")]
    assert len(status_reads) == 2, "statuses stop at the first success"


def test_merged_pull_requests_with_reviews(gh: GitHubServer) -> None:
    gitflow(gh)
    facts = collect(gh, pull_bases=[HOTFIX, "main"])
    assert isinstance(facts.pulls, tuple)
    hotfix, release = facts.pulls
    assert (hotfix.number, hotfix.head_ref, hotfix.base_ref, hotfix.author) == (1, "hotfix/fix-timeout", HOTFIX, "dev")
    assert (hotfix.merged_at, hotfix.merge_commit_sha) == (T0 + 3000, "5" * 40)
    assert isinstance(hotfix.reviews, tuple)
    assert [(r.user, r.state, r.submitted_at) for r in hotfix.reviews] == [
        ("maximilian-kimmel-ext", "CHANGES_REQUESTED", T0 + 1500),
        ("maximilian-kimmel-ext", "APPROVED", T0 + 2500),
        ("dev", "COMMENTED", T0 + 2600),
    ]
    assert hotfix.approvers == ("maximilian-kimmel-ext",)
    assert (release.head_ref, release.approvers) == ("release/1.3.0", ("dawid-ciarach-ext",))
    review_reads = [r.path for r in gh.requests if r.path.endswith("/reviews")]
    assert review_reads == ["/repos/octo/app/pulls/1/reviews", "/repos/octo/app/pulls/4/reviews"], (
        "only merged pull requests have their reviews read"
    )


def test_head_filter_keeps_only_matching_pull_requests(gh: GitHubServer) -> None:
    gitflow(gh)
    facts = collect(gh, pull_bases=[HOTFIX, "main"], head_filter=lambda ref: ref.startswith("hotfix/"))
    assert isinstance(facts.pulls, tuple)
    assert [p.number for p in facts.pulls] == [1]
    assert len([r for r in gh.requests if r.path.endswith("/reviews")]) == 1


def test_enterprise_base_url_with_api_prefix() -> None:
    with serve_github(prefix="/api/v3") as ghe:
        gitflow(ghe)
        facts = collect(ghe)
        assert facts.unavailable == ()
        assert all(r.status in (200, 404) for r in ghe.requests)
        assert isinstance(facts.environment, Environment)


def test_everything_collected_is_frozen(gh: GitHubServer) -> None:
    gitflow(gh)
    facts = collect(gh, pull_bases=[HOTFIX])
    with pytest.raises(AttributeError):
        facts.settings = None  # type: ignore[misc,assignment]
    assert hash(facts.branches[0].protection)
    assert facts.unavailable == ()


# -- honest answers: could not check -----------------------------------------------------------


@pytest.mark.parametrize("message", [NOT_ACCESSIBLE_BY_INTEGRATION, MUST_HAVE_ADMIN])
def test_403_on_protection_is_could_not_check_with_the_permission(gh: GitHubServer, message: str) -> None:
    gitflow(gh)
    gh.state.forbid("/repos/octo/app/branches/*/protection", message)
    facts = collect(gh)
    main = facts.branch("main")
    assert main is not None
    assert isinstance(main.protection, CouldNotCheck)
    assert main.protection.permission == PERMISSION_ADMINISTRATION == "administration: read"
    assert message in main.protection.reason
    assert "could not check branch protection of 'main'" in str(main.protection)
    assert main.requires_pull_request is None, "no rule, and classic protection unknown: unknown"
    hotfix = facts.branch(HOTFIX)
    assert hotfix is not None and hotfix.requires_pull_request is True, "a ruleset rule answers on its own"
    assert not isinstance(facts.settings, CouldNotCheck)
    assert isinstance(facts.environment, Environment), "one fact failing does not stop the others"


def test_404_not_found_for_a_token_without_admin_rights_is_could_not_check(gh: GitHubServer) -> None:
    gitflow(gh)
    gh.state.repo(REPO)["permissions"]["admin"] = False
    facts = collect(gh, branches=("main",))
    main = facts.branch("main")
    assert main is not None and isinstance(main.protection, CouldNotCheck)
    assert main.protection.permission == PERMISSION_ADMINISTRATION
    assert "404 Not Found" in main.protection.reason


def test_missing_branch_is_could_not_check_without_a_permission(gh: GitHubServer) -> None:
    gitflow(gh)
    gone = collect(gh, branches=("support/1.x",)).branch("support/1.x")
    assert gone is not None and isinstance(gone.protection, CouldNotCheck)
    assert (gone.protection.reason, gone.protection.permission) == (
        "branch 'support/1.x' does not exist on GitHub",
        None,
    )


@pytest.mark.parametrize(
    ("path", "part", "permission"),
    [
        ("/repos/octo/app/rules/branches/*", "rules", PERMISSION_METADATA),
        ("/repos/octo/app/environments/production", "environment", PERMISSION_ACTIONS),
        ("/repos/octo/app/environments/production/deployment-branch-policies", "patterns", PERMISSION_ACTIONS),
        ("/repos/octo/app/deployments", "deployments", PERMISSION_DEPLOYMENTS),
        ("/repos/octo/app/deployments/*/statuses", "deployment state", PERMISSION_DEPLOYMENTS),
        ("/repos/octo/app/pulls", "pulls", PERMISSION_PULL_REQUESTS),
        ("/repos/octo/app/pulls/*/reviews", "reviews", PERMISSION_PULL_REQUESTS),
    ],
)
def test_each_fact_kind_names_its_permission(gh: GitHubServer, path: str, part: str, permission: str) -> None:
    gitflow(gh)
    gh.state.forbid(path)
    facts = collect(gh, pull_bases=[HOTFIX])
    (unknown, *_) = facts.unavailable
    assert unknown.permission == permission
    assert "403 Resource not accessible by integration" in unknown.reason
    assert not isinstance(facts.settings, CouldNotCheck)


def test_unreadable_repository_makes_everything_could_not_check_in_one_request(gh: GitHubServer) -> None:
    facts = collect(gh, pull_bases=["main"])
    assert isinstance(facts.settings, CouldNotCheck)
    assert facts.settings.permission == PERMISSION_METADATA
    assert "not found, or hidden from this token" in facts.settings.reason
    assert all(b.protection == facts.settings and b.rules == facts.settings for b in facts.branches)
    assert facts.environment == facts.deployments == facts.pulls == facts.settings
    assert len(gh.requests) == 1


def test_bad_credentials(gh: GitHubServer) -> None:
    gitflow(gh)
    gh.state.require_token("ghp_the_right_one")
    facts = collect(gh)
    assert isinstance(facts.settings, CouldNotCheck)
    assert "401 Bad credentials" in facts.settings.reason
    assert facts.settings.permission is None
    assert len(gh.requests) == 1


# -- rate limits and outages -------------------------------------------------------------------


def test_a_429_is_not_waited_out_and_nothing_more_is_asked(gh: GitHubServer, sleeps: Sleeps) -> None:
    """A rate limit is not waited for, even a short one: the fact and those not read yet are
    could-not-check with the reset time; what was read before keeps its value."""
    gitflow(gh)
    gh.state.rate_limit("/repos/octo/app/deployments", retry_after=120, times=1)
    retry = RetryPolicy(sleep=sleeps, clock=lambda: 1_800_000_000.0)
    facts = collect(gh, pull_bases=[HOTFIX], retry=retry)
    assert sleeps.waits == []
    assert isinstance(facts.environment, Environment)
    assert isinstance(facts.deployments, CouldNotCheck) and isinstance(facts.pulls, CouldNotCheck)
    assert facts.deployments.permission is None and facts.pulls.permission is None
    assert "rate limited by GitHub (429" in facts.deployments.reason
    assert "until 2027-01-15 08:02:00 UTC" in facts.deployments.reason
    assert facts.pulls.reason == "not asked: GitHub rate-limited this run until 2027-01-15 08:02:00 UTC"
    assert [r.status for r in gh.requests if r.path == "/repos/octo/app/deployments"] == [429]
    assert not [r for r in gh.requests if r.path.startswith("/repos/octo/app/pulls")]


def test_403_primary_rate_limit_names_the_reset_of_x_ratelimit_reset(gh: GitHubServer, sleeps: Sleeps) -> None:
    gitflow(gh)
    gh.state.rate_limit(
        "/repos/octo/app/environments/production", status=403, retry_after=None, reset=1_800_000_003, times=1
    )
    retry = RetryPolicy(max_wait=5.0, sleep=sleeps, clock=lambda: 1_800_000_000.0)
    facts = collect(gh, retry=retry)
    assert isinstance(facts.environment, CouldNotCheck) and facts.environment.permission is None
    assert "403 API rate limit exceeded" in facts.environment.reason
    assert "until 2027-01-15 08:00:03 UTC" in facts.environment.reason
    assert sleeps.waits == []


def test_a_rate_limit_without_a_time_is_github_s_minute(gh: GitHubServer, sleeps: Sleeps) -> None:
    gitflow(gh)
    gh.state.rate_limit("/repos/octo/app/deployments", retry_after=None, times=None)  # 429, no Retry-After
    facts = collect(gh, retry=RetryPolicy(sleep=sleeps, clock=lambda: 1_800_000_000.0))
    assert isinstance(facts.deployments, CouldNotCheck)
    assert "until 2027-01-15 08:01:00 UTC" in facts.deployments.reason
    assert sleeps.waits == []
    assert len(gh.state.requests_to("/repos/octo/app/deployments")) == 1


def test_a_rate_limit_that_has_reset_lets_the_next_facts_be_read(gh: GitHubServer, sleeps: Sleeps) -> None:
    """Retry-After: 0 is over at once: only the fact that met it is could-not-check."""
    gitflow(gh)
    gh.state.rate_limit("/repos/octo/app/deployments", retry_after=0, times=1)
    facts = collect(gh, pull_bases=[HOTFIX], sleeps=sleeps)
    assert isinstance(facts.deployments, CouldNotCheck)
    assert isinstance(facts.pulls, tuple) and [p.number for p in facts.pulls] == [1]
    assert sleeps.waits == []


def test_500_every_time_is_could_not_check_after_bounded_attempts(gh: GitHubServer, sleeps: Sleeps) -> None:
    gitflow(gh)
    gh.state.fail("/repos/octo/app/rules/branches/*", 500)
    facts = collect(gh, branches=("main",), sleeps=sleeps)
    main = facts.branch("main")
    assert main is not None and isinstance(main.rules, CouldNotCheck)
    assert main.rules.permission is None
    assert "500 Server Error" in main.rules.reason and "gave up after 3 attempts" in main.rules.reason
    assert sleeps.waits == [0.25, 0.5]
    assert len([r for r in gh.requests if r.path.startswith("/repos/octo/app/rules/")]) == 3
    assert main.protection != BranchProtection.unprotected("main") and not isinstance(main.protection, CouldNotCheck)


def test_500_a_few_times_then_the_value(gh: GitHubServer, sleeps: Sleeps) -> None:
    gitflow(gh)
    gh.state.fail("/repos/octo/app", 502, times=2)
    facts = collect(gh, branches=(), environment=None, pull_bases=[], sleeps=sleeps)
    assert not isinstance(facts.settings, CouldNotCheck)
    assert sleeps.waits == [0.25, 0.5]


def test_an_unreachable_server_is_could_not_check() -> None:
    with serve_github() as gone:
        url = gone.url
    sleeps = Sleeps()
    facts = collect_github(
        REPO,
        TOKEN,
        url,
        ["main"],
        "production",
        retry=RetryPolicy(attempts=2, max_wait=1.0, backoff=0.01, sleep=sleeps),
    )
    assert isinstance(facts.settings, CouldNotCheck)
    assert "could not be reached" in facts.settings.reason
    assert sleeps.waits == [0.01]


# -- the token stays secret ---------------------------------------------------------------------


def test_the_token_never_appears_in_facts_logs_or_errors(gh: GitHubServer, caplog: pytest.LogCaptureFixture) -> None:
    gitflow(gh)
    state = gh.state
    state.require_token(TOKEN)
    state.forbid("/repos/octo/app/branches/main/protection")
    state.fail("/repos/octo/app/rules/branches/*", 500)
    state.rate_limit("/repos/octo/app/deployments", retry_after=3600, times=None)
    # a server that echoes the credentials back must not get them into our messages either
    state.fail("/repos/octo/app/environments/production", 403, f"token {TOKEN} lacks actions: read")
    state.fail("/repos/octo/app/pulls", 422, f"Validation Failed for {TOKEN}")
    caplog.set_level(logging.DEBUG)
    facts = collect(gh, pull_bases=[HOTFIX])
    assert len(facts.unavailable) >= 5
    assert all(r.authenticated for r in gh.requests), "the token was sent"
    texts = [repr(facts), str(facts), caplog.text, repr(gh.requests)]
    texts += [str(u) for u in facts.unavailable]
    assert any("***" in u.reason for u in facts.unavailable)
    for text in texts:
        assert TOKEN not in text
    with serve_github() as gone:
        url = gone.url
    facts = collect_github(REPO, TOKEN, url, ["main"], None, retry=RetryPolicy(attempts=1))
    assert TOKEN not in repr(facts) and TOKEN not in caplog.text


def test_a_bad_base_url_is_refused_without_the_token() -> None:
    with pytest.raises(ValueError, match="must start with https://") as raised:
        collect_github(REPO, TOKEN, "ftp://ghe.example.com", ["main"], None)
    assert TOKEN not in str(raised.value) and TOKEN not in repr(raised.value)


# -- bounded requests --------------------------------------------------------------------------


def test_the_number_of_requests_is_bounded_and_does_not_grow_with_history(gh: GitHubServer) -> None:
    gitflow(gh)
    options: dict[str, Any] = {"pull_bases": [HOTFIX], "max_pulls": 6, "max_deployments": 4, "page_size": 3}
    collect(gh, **options)
    # repo, 3 x (protection, rules), the ruleset names (a ruleset applies), environment, its branch
    # policies, 1 page of deployments and the statuses of the 2 newest (the second succeeded), 1 page
    # of closed pulls, reviews of the merged one
    assert len(gh.requests) == 1 + 3 * 2 + 1 + 1 + 1 + (1 + 2) + 1 + 1
    for n in range(40):
        gh.state.add_pull(
            REPO,
            head=f"hotfix/old-{n}",
            base=HOTFIX,
            created_at=T0 - 10_000 + n,
            merged_at=T0 - 9_000 + n,
            reviews=[("dev", "APPROVED", T0 - 9_500 + n)],
        )
        gh.state.add_deployment(
            REPO, environment="production", created_at=T0 - 5000 + n, statuses=[("failure", T0 - 4000 + n)]
        )
    for n in range(10):
        gh.state.add_deployment(
            REPO, environment="production", created_at=T0 + 20_000 + n, statuses=[("error", T0 + 20_100 + n)]
        )
    expected = (
        1
        + 3 * 2
        + 1  # ruleset names
        + 1
        + 1
        + 2
        + 4  # the 4 newest deployments failed: 2 pages of 3 to list them, 4 statuses
        + 2
        + 5  # 6 closed pulls (#1, #2 and 4 old ones): 2 pages; the 5 merged ones' reviews
    )
    gh.clear_requests()
    facts = collect(gh, **options)
    assert len(gh.requests) == expected
    assert isinstance(facts.deployments, tuple) and len(facts.deployments) == 4
    assert facts.last_successful_deployment is None
    assert f"only the 6 most recently updated closed pull requests into {HOTFIX!r} were read" in facts.notes
    for n in range(40):
        gh.state.add_pull(
            REPO,
            head=f"hotfix/older-{n}",
            base=HOTFIX,
            created_at=T0 - 20_000 + n,
            merged_at=T0 - 19_000 + n,
            reviews=[("dev", "APPROVED", T0 - 19_500 + n)],
        )
    gh.clear_requests()
    collect(gh, **options)
    assert len(gh.requests) == expected, "more history, same number of requests"


def test_pull_requests_are_read_page_by_page(gh: GitHubServer) -> None:
    gh.state.add_repo(REPO)
    for n in range(7):
        gh.state.add_pull(REPO, head=f"hotfix/{n}", merged_at=T0 + n)
    facts = collect(gh, branches=(), environment=None, pull_bases=["main"], max_pulls=5, page_size=2)
    assert isinstance(facts.pulls, tuple) and [p.number for p in facts.pulls] == [7, 6, 5, 4, 3]
    pages = [r.query.get("page", "1") for r in gh.requests if r.path == "/repos/octo/app/pulls"]
    assert pages == ["1", "2", "3"]
    assert {r.query["per_page"] for r in gh.requests if r.path == "/repos/octo/app/pulls"} == {"2"}


def test_importing_hotfix_lint_does_not_load_pygithub() -> None:
    code = (
        "import sys, hotfix_lint, hotfix_lint.facts.github, hotfix_lint.collect.github.collector\n"
        "loaded = sorted(m for m in sys.modules if m == 'github' or m.startswith('github.'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[1]))


# -- discovery ---------------------------------------------------------------------------------


def test_discover_token() -> None:
    assert discover_token({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}) == "a"
    assert discover_token({"GH_TOKEN": " b \n"}) == "b"
    assert discover_token({"GITHUB_TOKEN": "", "GH_TOKEN": ""}) is None
    assert discover_token({"GITHUB_TOKEN": "a", "CI_BOT_TOKEN": "c"}, variable="CI_BOT_TOKEN") == "c"
    assert discover_token({"GITHUB_TOKEN": "a"}, variable="CI_BOT_TOKEN") is None
    enterprise = {"GITHUB_TOKEN": "a", "GH_ENTERPRISE_TOKEN": "e"}
    assert discover_token(enterprise, host="ghe.example.com") == "e"
    assert discover_token(enterprise, host="github.com") == "a"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/app.git", RemoteRepository("github.com", "octo", "app")),
        ("https://github.com/octo/app", RemoteRepository("github.com", "octo", "app")),
        ("https://github.com/octo/app/", RemoteRepository("github.com", "octo", "app")),
        (f"https://x-access-token:{TOKEN}@github.com/octo/app.git", RemoteRepository("github.com", "octo", "app")),
        ("git@github.com:octo/app.git", RemoteRepository("github.com", "octo", "app")),
        ("git@github.com:octo/my.app", RemoteRepository("github.com", "octo", "my.app")),
        ("org-123@github.com:octo/app.git", RemoteRepository("github.com", "octo", "app")),
        ("ssh://git@github.com/octo/app.git", RemoteRepository("github.com", "octo", "app")),
        ("ssh://git@ssh.github.com:443/octo/app.git", RemoteRepository("github.com", "octo", "app")),
        ("git://github.com/octo/app.git", RemoteRepository("github.com", "octo", "app")),
        (
            "https://github.siemens.cloud/OpenAIatDI/gaia-gateway.git",
            RemoteRepository("github.siemens.cloud", "OpenAIatDI", "gaia-gateway"),
        ),
        ("git@GHE.Example.com:team/service.git", RemoteRepository("ghe.example.com", "team", "service")),
        ("ssh://git@ghe.example.com:2222/team/service", RemoteRepository("ghe.example.com", "team", "service")),
        ("https://octo.ghe.com/team/service", RemoteRepository("octo.ghe.com", "team", "service")),
        ("/srv/git/app.git", None),
        ("file:///srv/git/octo/app.git", None),
        ("https://gitlab.example.com/group/sub/app.git", None),
        ("C:\\repos\\app", None),
        ("", None),
    ],
)
def test_parse_remote_url(url: str, expected: RemoteRepository | None) -> None:
    parsed = parse_remote_url(url)
    assert parsed == expected
    assert TOKEN not in repr(parsed)


def test_remote_api_urls() -> None:
    assert RemoteRepository("github.com", "octo", "app").api_url is None
    assert RemoteRepository("ghe.example.com", "octo", "app").api_url == "https://ghe.example.com/api/v3"
    assert RemoteRepository("octo.ghe.com", "team", "app").api_url == "https://api.octo.ghe.com"
    assert RemoteRepository("github.com", "octo", "app").full_name == "octo/app"
