"""GitHub as it really answers: recorded real answers replayed by the loopback server.

Each test serves a recorded body (``tests/data/github-recorded``: octokit/fixtures' recordings
of github.com, the examples of GitHub's own REST description, and answers quoted from real
captures; see the README there) and checks the facts the collector builds from it, then the
verdict a rule gives. Where a test changes a recorded body (to reach a case the recordings
lack), it says what and why. The loopback server's own rendering answers the same cases as
GitHub does: unescaped environment ``url``, ``inactive`` statuses, the plan 403, merge queues,
``can_admins_bypass``, bypass actors.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from github_server import GitHubServer, serve_github

from hotfix_lint.collect.github.collector import collect_github
from hotfix_lint.facts.git import RepositoryFacts
from hotfix_lint.facts.github import (
    BranchProtection,
    BypassActor,
    CouldNotCheck,
    DeploymentBranchPattern,
    DeploymentBranchPolicy,
    Environment,
    GitHubFacts,
    RepoSettings,
    github_fnmatch,
)
from hotfix_lint.facts.workflows import PushTrigger, WorkflowFile, WorkflowJob, WorkflowsFact, WorkflowStep
from hotfix_lint.policy.model import build_policy
from hotfix_lint.results import Finding
from hotfix_lint.rules.base import Rule, RuleContext
from hotfix_lint.rules.branch_protection import BranchProtectionRule
from hotfix_lint.rules.ci_trigger import CiTrigger
from hotfix_lint.rules.deployment_source import DeploymentSource
from hotfix_lint.rules.environment_protection import EnvironmentProtection
from hotfix_lint.rules.merge_methods import MergeMethods
from hotfix_lint.rules.protection_bypass import ProtectionBypass

DATA = Path(__file__).parent / "data" / "github-recorded"
TOKEN = "ghp_L00pbackS3cretT0kenThatMustNeverLeak42"  # noqa: S105 - a fake
#: the repository of octokit/fixtures' recordings
REPO = "octokit-fixture-org/hello-world"
API = f"/repos/{REPO}"
T0 = int(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc).timestamp())


@cache
def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def recorded(name: str) -> Any:
    """A fresh copy of a recorded file (tests may change their copy)."""
    return copy.deepcopy(_load(name))


def example(name: str) -> Any:
    """An example of GitHub's REST description (``openapi-examples.json``)."""
    return recorded("openapi-examples.json")[name]


def octokit(scenario: str, index: int) -> dict[str, Any]:
    """One recorded exchange of an octokit/fixtures scenario."""
    exchange: dict[str, Any] = recorded(f"octokit-fixtures/{scenario}.json")[index]
    return exchange


@pytest.fixture
def gh() -> Iterator[GitHubServer]:
    with serve_github() as server:
        server.state.replay(API, octokit("get-repository", 0)["response"])
        yield server


def collect(gh: GitHubServer, branches: tuple[str, ...] = ("main",), environment: str | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    return collect_github(REPO, TOKEN, gh.url, branches, environment, pull_bases=(), **kw)


def judge(rule: type[Rule], github: GitHubFacts, options: dict[str, Any] | None = None, **policy: Any) -> list[Finding]:
    """The findings of ``rule`` on these GitHub facts, under a policy with ``policy`` keys."""
    chosen = build_policy({"production": ["main"], "integration": "develop", **policy}, "test")
    merged = {**rule.option_defaults(), **(options or {})}
    facts = RepositoryFacts(repository="repo", now=T0, github=github)
    return list(rule().check(facts, RuleContext(policy=chosen, options=merged, now=T0)))


def messages(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings]


# -- the repository and classic protection (octokit/fixtures) ----------------------------------


def test_repository_settings_from_the_recorded_repository(gh: GitHubServer) -> None:
    facts = collect(gh)
    settings = facts.settings
    assert isinstance(settings, RepoSettings)
    assert settings.full_name == REPO and settings.default_branch == "master"  # recorded in 2017
    assert settings.archived is False and settings.private is False


def test_branch_not_protected_as_recorded(gh: GitHubServer) -> None:
    exchange = octokit("branch-protection", 0)
    assert exchange["status"] == 404 and exchange["response"]["message"] == "Branch not protected"
    gh.state.replay(f"{API}/branches/main/protection", exchange["response"], status=404)
    gh.state.replay(f"{API}/rules/branches/main", [])
    branch = collect(gh).branch("main")
    assert branch is not None and branch.protection == BranchProtection.unprotected("main")
    assert "is not protected on GitHub" in messages(judge(BranchProtectionRule, collect(gh)))[0]


def recorded_protection() -> dict[str, Any]:
    """The protection body GitHub answered (octokit/fixtures, branch-protection, the second PUT:
    the same shape ``GET .../protection`` answers)."""
    body: dict[str, Any] = octokit("branch-protection", 2)["response"]
    return body


def test_recorded_protection_body(gh: GitHubServer) -> None:
    gh.state.replay(f"{API}/branches/main/protection", recorded_protection())
    gh.state.replay(f"{API}/rules/branches/main", [])
    protection = collect(gh).branch("main").protection  # type: ignore[union-attr]
    assert isinstance(protection, BranchProtection)
    assert protection.protected and protection.require_pull_request
    assert protection.required_approving_review_count == 1
    assert protection.required_status_checks == ("foo/bar",) and protection.strict_status_checks
    assert protection.restricts_pushes and protection.dismiss_stale_reviews


def test_a_legacy_review_rule_without_a_count_requires_one_approval(gh: GitHubServer) -> None:
    """8: the recorded body with ``required_approving_review_count`` left out, as GitHub leaves
    it out for review rules made before the count existed: one approval, not none."""
    body = recorded_protection()
    del body["required_pull_request_reviews"]["required_approving_review_count"]
    gh.state.replay(f"{API}/branches/main/protection", body)
    gh.state.replay(f"{API}/rules/branches/main", [])
    branch = collect(gh).branch("main")
    assert branch is not None and branch.required_approvals == 1
    assert judge(BranchProtectionRule, collect(gh)) == []


def test_a_legacy_review_rule_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        server.state.add_repo("octo/app")
        server.state.protect_branch("octo/app", "main", omit_review_count=True)
        facts = collect_github("octo/app", TOKEN, server.url, ["main"], None, pull_bases=())
    assert facts.branch("main").required_approvals == 1  # type: ignore[union-attr]


def test_a_locked_branch_is_its_own_message(gh: GitHubServer) -> None:
    """8: the REST description's ``branch-protection`` example with ``lock_branch`` turned on."""
    body = example("branch-protection")
    body["lock_branch"]["enabled"] = True
    gh.state.replay(f"{API}/branches/main/protection", body)
    gh.state.replay(f"{API}/rules/branches/main", [])
    found = messages(judge(BranchProtectionRule, collect(gh)))
    assert any("is locked on GitHub" in m and "nothing can be merged" in m for m in found), found
    body["lock_branch"]["enabled"] = False
    gh.state.replay(f"{API}/branches/main/protection", body)
    with serve_github() as other:
        other.state.replay(API, octokit("get-repository", 0)["response"])
        other.state.replay(f"{API}/branches/main/protection", body)
        other.state.replay(f"{API}/rules/branches/main", [])
        assert not any("locked" in m for m in messages(judge(BranchProtectionRule, collect(other))))


# -- the plan 403 (captured message) -----------------------------------------------------------


def test_the_plan_403_is_a_violation_not_a_missing_permission(gh: GitHubServer) -> None:
    answer = recorded("captured.json")["plan-403"]
    gh.state.replay(f"{API}/branches/main/protection", answer["body"], status=answer["status"])
    gh.state.replay(f"{API}/rules/branches/main", answer["body"], status=answer["status"])
    branch = collect(gh).branch("main")
    assert branch is not None and branch.rules == ()
    assert isinstance(branch.protection, BranchProtection) and branch.protection.plan_blocked
    found = judge(BranchProtectionRule, collect(gh))
    assert [f.kind.value for f in found] == ["violation"]
    assert "cannot be protected on this plan" in found[0].message


def test_the_plan_403_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        server.state.add_repo("octo/app", private=True, plan_protection=False)
        facts = collect_github("octo/app", TOKEN, server.url, ["main"], None, pull_bases=())
        server.state.add_repo("octo/open", private=False, plan_protection=False)
        public = collect_github("octo/open", TOKEN, server.url, ["main"], None, pull_bases=())
    assert facts.branch("main").protection.plan_blocked  # type: ignore[union-attr]
    assert public.branch("main").protection == BranchProtection.unprotected("main")  # type: ignore[union-attr]


# -- rulesets: rules for a branch, bypass actors, evaluate mode, merge queue ------------------


def test_rules_for_a_branch_and_the_bypass_actors_of_a_ruleset(gh: GitHubServer) -> None:
    """``repository-rule-items`` (rulesets 42 and 73 apply) and ``repository-ruleset`` (42, with
    its ``bypass_actors``: Team 234, always); ruleset 73 is not answered (404): unknown."""
    gh.state.replay(f"{API}/branches/main/protection", octokit("branch-protection", 0)["response"], status=404)
    gh.state.replay(f"{API}/rules/branches/main", example("repository-rule-items"))
    gh.state.replay(f"{API}/rulesets", example("repository-ruleset-items"))
    gh.state.replay(f"{API}/rulesets/42", example("repository-ruleset"))
    facts = collect(gh, bypass=True)
    rules = facts.branch("main").rules  # type: ignore[union-attr]
    assert isinstance(rules, tuple) and [r.ruleset_id for r in rules] == [42, 73]
    assert rules[0].ruleset_name == "super cool ruleset"
    bypass = {b.ruleset_id: b for b in facts.ruleset_bypass}
    assert bypass[42].actors == (BypassActor("Team", 234, "always"),)
    assert isinstance(bypass[73].actors, CouldNotCheck)
    found = judge(ProtectionBypass, facts)
    assert "ruleset 'super cool ruleset' on main can be bypassed by Team #234" in messages(found)
    assert [f.kind.value for f in found][-1] == "could-not-check"
    allowed = judge(ProtectionBypass, facts, {"allow": ["Team #234"]})
    assert [f.kind.value for f in allowed] == ["could-not-check"]


def test_bypasses_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        state = server.state
        state.add_repo("octo/app")
        state.protect_branch("octo/app", "main", enforce_admins=False, bypass_pull_request=["hurried-dev"])
        state.add_ruleset(
            "octo/app",
            "main rules",
            rules=["deletion"],
            bypass_actors=[{"actor_id": None, "actor_type": "OrganizationAdmin", "bypass_mode": "always"}],
        )
        state.add_environment("octo/app", "production", reviewers=["lead"], can_admins_bypass=True)
        facts = collect_github(
            "octo/app", TOKEN, server.url, ["main"], "production", pull_bases=(), bypass=True, deployments=False
        )
    protection = facts.branch("main").protection  # type: ignore[union-attr]
    assert isinstance(protection, BranchProtection) and protection.pull_request_bypassers == ("hurried-dev",)
    assert isinstance(facts.environment, Environment) and facts.environment.can_admins_bypass is True
    found = messages(judge(ProtectionBypass, facts))
    assert len(found) == 4, found
    assert any("administrators can bypass the branch protection of main" in m for m in found)
    assert any("'hurried-dev' can merge into main without" in m for m in found)
    assert any("can be bypassed by OrganizationAdmin" in m for m in found)
    assert any("administrators can deploy to 'production'" in m for m in found)
    quiet = judge(ProtectionBypass, facts, {"allow": ["admins", "hurried-dev", "OrganizationAdmin"]})
    assert quiet == []


def test_protection_bypass_is_opt_in_and_chosen_by_its_id() -> None:
    """Off unless the policy names ``protection-bypass`` (a warning by default, an error when asked)."""
    from hotfix_lint.engine import select_rules

    def chosen(rules: dict[str, str]) -> dict[str, str]:
        policy = build_policy({"production": ["main"], "integration": "develop", "rules": rules}, "test")
        return {s.rule.id: s.severity.value for s in select_rules(policy)}

    assert "protection-bypass" not in chosen({})
    assert chosen({"protection-bypass": "warning"})["protection-bypass"] == "warning"
    assert chosen({"protection-bypass": "error"})["protection-bypass"] == "error"


def test_a_ruleset_in_evaluate_mode_only_is_named() -> None:
    with serve_github() as server:
        server.state.add_repo("octo/app")
        server.state.add_ruleset("octo/app", "trial rules", rules=["deletion"], enforcement="evaluate")
        facts = collect_github("octo/app", TOKEN, server.url, ["main"], None, pull_bases=())
    assert facts.branch("main").evaluate_rulesets == ("trial rules",)  # type: ignore[union-attr]
    found = messages(judge(BranchProtectionRule, facts))
    assert "'trial rules' targets it in evaluate mode only" in found[0], found


def merge_queue(method: str) -> dict[str, Any]:
    """A ``merge_queue`` rule as GitHub's rules for a branch list it: the recorded
    ``repository-rule-items`` shape (source, id) with the parameters of the description's
    ``repository-rule-merge-queue`` schema (no recording has one)."""
    item = dict(example("repository-rule-items")[0])
    item["type"] = "merge_queue"
    item["parameters"] = {
        "check_response_timeout_minutes": 60,
        "grouping_strategy": "ALLGREEN",
        "max_entries_to_build": 5,
        "max_entries_to_merge": 5,
        "merge_method": method,
        "min_entries_to_merge": 1,
        "min_entries_to_merge_wait_minutes": 5,
    }
    return item


def test_a_merge_queue_decides_how_pull_requests_land(gh: GitHubServer) -> None:
    gh.state.replay(f"{API}/branches/main/protection", recorded_protection())
    gh.state.replay(f"{API}/rules/branches/main", [merge_queue("SQUASH")])
    facts = collect(gh)
    found = messages(judge(MergeMethods, replace_settings(facts, merge=True, squash=False, rebase=False)))
    assert any("squash merges can be used" in m and "merge queue" in m for m in found), found
    assert any("merge commits cannot be used" in m for m in found), found
    gh.state.replay(f"{API}/rules/branches/main", [merge_queue("MERGE")])
    with serve_github() as other:
        other.state.replay(API, octokit("get-repository", 0)["response"])
        other.state.replay(f"{API}/branches/main/protection", recorded_protection())
        other.state.replay(f"{API}/rules/branches/main", [merge_queue("MERGE")])
        merged = collect(other)
    assert judge(MergeMethods, replace_settings(merged, merge=True, squash=True, rebase=True)) == []


def replace_settings(facts: GitHubFacts, *, merge: bool, squash: bool, rebase: bool) -> GitHubFacts:
    from dataclasses import replace

    settings = facts.settings
    assert isinstance(settings, RepoSettings)
    changed = replace(settings, allow_merge_commit=merge, allow_squash_merge=squash, allow_rebase_merge=rebase)
    return replace(facts, settings=changed)


def test_merge_queue_rules_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        server.state.add_repo("octo/app", allow_squash_merge=False, allow_rebase_merge=False)
        server.state.add_ruleset(
            "octo/app", "queue", rules=[{"type": "merge_queue", "parameters": {"merge_method": "REBASE"}}]
        )
        facts = collect_github("octo/app", TOKEN, server.url, ["main"], None, pull_bases=())
    found = messages(judge(MergeMethods, facts))
    assert any("rebase merges can be used" in m and "ruleset 'queue'" in m for m in found), found


# -- environments and their deployment branch policies ----------------------------------------


def test_an_environment_name_with_a_slash(gh: GitHubServer) -> None:
    """The description's ``environment`` example, renamed ``prod/eu``: GitHub's ``url`` leaves the
    slash unescaped, and the branch policies (``deployment-branch-policies-list``) are asked
    for at the percent-encoded name; asked at the ``url``, they would be a 404."""
    body = example("environment")
    body["name"] = "prod/eu"
    body["url"] = body["url"].replace("/environments/staging", "/environments/prod/eu")
    gh.state.replay(f"{API}/environments/prod%2Feu", body)
    gh.state.replay(
        f"{API}/environments/prod%2Feu/deployment-branch-policies", example("deployment-branch-policies-list")
    )
    facts = collect(gh, branches=(), environment="prod/eu", deployments=False)
    env = facts.environment
    assert isinstance(env, Environment) and env.reviewers == ("octocat",) and env.reviewer_teams == ("justice-league",)
    assert env.branch_policy is not None
    assert env.branch_policy.patterns == (
        DeploymentBranchPattern("release/*", "branch"),
        DeploymentBranchPattern("main", "branch"),
    )


def test_an_environment_name_with_a_slash_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        server.state.add_repo("octo/app")
        server.state.add_environment("octo/app", "prod/eu", reviewers=["lead"], branch_patterns=["main"])
        facts = collect_github("octo/app", TOKEN, server.url, [], "prod/eu", pull_bases=(), deployments=False)
        env_url = server.state.data["repos"]["octo/app"]["environments"]["prod/eu"]["name"]
    assert env_url == "prod/eu"
    assert isinstance(facts.environment, Environment)
    assert facts.environment.branch_policy.patterns == (DeploymentBranchPattern("main"),)  # type: ignore[union-attr]


def test_deployment_policies_have_a_type(gh: GitHubServer) -> None:
    """``deployment-branch-policies-list`` (no ``type``: branch) and the tag policy of
    ``deployment-branch-policy-single-tag``, served as one listing."""
    listing = example("deployment-branch-policies-list")
    listing["branch_policies"].append(example("deployment-branch-policy-single-tag"))
    listing["total_count"] = 3
    gh.state.replay(f"{API}/environments/staging", example("environment"))
    gh.state.replay(f"{API}/environments/staging/deployment-branch-policies", listing)
    facts = collect(gh, branches=(), environment="staging", deployments=False)
    env = facts.environment
    assert isinstance(env, Environment) and env.branch_policy is not None
    patterns = env.branch_policy.patterns
    assert isinstance(patterns, tuple) and [p.type for p in patterns] == ["branch", "branch", "tag"]
    # a tag policy does not stand for a branch source, nor a branch policy for a tag source
    found = messages(
        judge(
            EnvironmentProtection,
            facts,
            {"refs": ["main", "release/{version}"], "min_reviewers": 1},
            deployed_ref={"strategy": "tag", "environment": "staging"},
        )
    )
    assert any("accepts deployments from 'tag v1'" in m for m in found), found
    tagged = messages(
        judge(
            EnvironmentProtection,
            facts,
            {"refs": ["main", "release/{version}", "v{version}"]},
            tag_pattern="v{version}",
            deployed_ref={"strategy": "tag", "environment": "staging"},
        )
    )
    assert any("does not accept deployments from 'v{version}'" in m for m in tagged), tagged


def test_patterns_match_as_github_matches() -> None:
    assert github_fnmatch("release/*", "release/1.2")
    assert not github_fnmatch("release/*", "release/1.2/hotfix")  # * does not cross /
    assert github_fnmatch("release/**/*", "release/1.2/hotfix")
    assert github_fnmatch("v[0-9]*", "v1.2.3") and not github_fnmatch("v[0-9]*", "vx")
    # a class no regex can hold, as an untrusted answer may carry it: itself, literally, no traceback
    assert github_fnmatch("v[9-0]", "v[9-0]") and not github_fnmatch("v[9-0]", "v5")
    env = Environment(
        "production",
        reviewers=("lead",),
        branch_policy=DeploymentBranchPolicy(False, True, (DeploymentBranchPattern("prod/*"),)),
    )
    facts = GitHubFacts("octo/app", settings=_settings(), environment_name="production", environment=env)
    found = messages(judge(EnvironmentProtection, facts, {"refs": ["prod/hotfix/{date}_{slug}"]}))
    assert any("does not accept deployments from 'prod/hotfix/{date}_{slug}'" in m for m in found), found


def _settings() -> RepoSettings:
    return RepoSettings("octo/app", "main", True, False, False, False, False, True, None)


# -- deployments and their statuses ------------------------------------------------------------


def test_an_inactive_deployment_succeeded_and_was_superseded(gh: GitHubServer) -> None:
    """``deployment-items`` with ``deployment-status-items``: the recorded ``success`` status, and
    before it (newest first) the ``inactive`` status GitHub adds when a newer deployment to a
    non-production environment succeeds (``auto_inactive``), made from the same example."""
    deployments = example("deployment-items")
    statuses = example("deployment-status-items")
    inactive = copy.deepcopy(statuses[0])
    inactive.update(id=2, state="inactive", created_at="2012-07-21T00:00:00Z", updated_at="2012-07-21T00:00:00Z")
    gh.state.replay(f"{API}/deployments", deployments)
    gh.state.replay("/repos/octocat/example/deployments/1/statuses", [inactive, *statuses])
    facts = collect(gh, branches=(), environment="production")
    deployments_read = facts.deployments
    assert isinstance(deployments_read, tuple) and deployments_read[0].state == "inactive"
    assert deployments_read[0].succeeded_at == int(
        dt.datetime(2012, 7, 20, 1, 19, 13, tzinfo=dt.timezone.utc).timestamp()
    )
    after = int(dt.datetime(2012, 7, 20, 12, tzinfo=dt.timezone.utc).timestamp())
    sha, _ = facts.deployed_at(after)
    assert sha == "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d"
    before = int(dt.datetime(2012, 7, 20, 1, tzinfo=dt.timezone.utc).timestamp())
    assert facts.deployed_at(before)[0] is None


def test_inactive_statuses_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        state = server.state
        state.add_repo("octo/app")
        state.add_deployment(
            "octo/app", environment="staging", sha="1" * 40, created_at=T0, statuses=[("success", T0 + 60)]
        )
        state.add_deployment(
            "octo/app", environment="staging", sha="2" * 40, created_at=T0 + 3600, statuses=[("success", T0 + 3660)]
        )
        facts = collect_github(
            "octo/app", TOKEN, server.url, [], "staging", pull_bases=(), max_deployments=5, deployments_back_to=0
        )
    deployments = facts.deployments
    assert isinstance(deployments, tuple) and [d.state for d in deployments] == ["success", "inactive"]
    assert facts.deployed_at(T0 + 1800)[0] == "1" * 40  # before the fix, "no deployment succeeded"
    assert facts.deployed_at(T0 + 7200)[0] == "2" * 40


def test_a_deployment_without_a_status_says_so(gh: GitHubServer) -> None:
    """``deployment-items`` (a ``topic-branch`` deployment), its status list empty."""
    gh.state.replay(f"{API}/deployments", example("deployment-items"))
    gh.state.replay("/repos/octocat/example/deployments/1/statuses", [])
    facts = collect(gh, branches=(), environment="production", deployments_back_to=0)
    found = messages(judge(DeploymentSource, facts))
    assert len(found) == 1 and "(no status) came from 'topic-branch'" in found[0], found
    assert "with no status" in facts.deployed_at(None)[1]


# -- workflows ---------------------------------------------------------------------------------


def test_workflow_states_as_listed(gh: GitHubServer) -> None:
    """``workflow-paginated``: both workflows active; the second one then disabled for
    inactivity, as GitHub lists a workflow it turned off."""
    listing = example("workflow-paginated")
    gh.state.replay(f"{API}/actions/workflows", listing)
    facts = collect(gh, branches=(), workflows=True)
    assert facts.workflow_states == (
        (".github/workflows/blank.yaml", "active"),
        (".github/workflows/linter.yaml", "active"),
    )
    assert _ci(facts) == []
    listing["workflows"][0]["state"] = "disabled_inactivity"
    gh.state.replay(f"{API}/actions/workflows", listing)
    with serve_github() as other:
        other.state.replay(API, octokit("get-repository", 0)["response"])
        other.state.replay(f"{API}/actions/workflows", listing)
        disabled = collect(other, branches=(), workflows=True)
    found = _ci(disabled)
    assert len(found) == 1 and "blank.yaml is disabled_inactivity on GitHub" in found[0], found


def test_disabled_workflows_from_the_loopback_rendering() -> None:
    with serve_github() as server:
        server.state.add_repo("octo/app")
        server.state.add_workflow("octo/app", ".github/workflows/blank.yaml", "disabled_manually")
        facts = collect_github("octo/app", TOKEN, server.url, [], None, pull_bases=(), workflows=True)
    assert facts.workflow_states == ((".github/workflows/blank.yaml", "disabled_manually"),)
    assert "disabled_manually" in _ci(facts)[0]


def _ci(github: GitHubFacts) -> list[str]:
    """ci-trigger's findings for a push-triggered workflow running pytest, with these states."""
    workflow = WorkflowFile(
        ".github/workflows/blank.yaml",
        push=PushTrigger(),
        jobs=(WorkflowJob("test", steps=(WorkflowStep(run="pytest"),)),),
    )
    chosen = build_policy({"production": ["main"], "integration": "develop"}, "test")
    facts = RepositoryFacts(
        repository="repo",
        now=T0,
        github=github,
        workflows=(WorkflowsFact("main", "0" * 40, (workflow,)),),
    )
    context = RuleContext(policy=chosen, options=CiTrigger.option_defaults(), now=T0)
    return [f.message for f in CiTrigger().check(facts, context)]
