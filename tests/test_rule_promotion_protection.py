"""Rule ``promotion-protection``: prod/hotfix/* branches are protected by a rule that requires
pull requests (a classic rule or a ruleset), checked through existing branches or a sample name."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from github_check import PROMOTION, REPO, GitHub, Run, compliant, policy

RULE = "promotion-protection"
PATTERN = "prod/hotfix/{date}_{slug}"


def check(gh: GitHub, setting: Any = "error", **keys: Any) -> Run:
    keys.setdefault("promotion_branch", PATTERN)
    return gh.check(policy=policy({RULE: setting}, **keys))


def drop_rulesets(gh: GitHub) -> None:
    gh.state.repo(REPO)["rulesets"].clear()


def test_a_ruleset_requiring_pull_requests_passes(gh: GitHub) -> None:
    compliant(gh.state)
    run = check(gh)
    assert run.findings(RULE) == [], run.everything
    assert any(unquote(r.path) == f"/repos/octo/app/rules/branches/{PROMOTION}" for r in gh.server.requests)


def test_classic_protection_passes(gh: GitHub) -> None:
    compliant(gh.state)
    drop_rulesets(gh)
    gh.state.protect_branch(REPO, PROMOTION, required_approving_review_count=1)
    assert check(gh).findings(RULE) == []


def test_an_unprotected_promotion_branch_is_a_violation(gh: GitHub) -> None:
    compliant(gh.state)
    drop_rulesets(gh)
    run = check(gh)
    (found,) = run.findings(RULE)
    assert found["kind"] == "violation" and found["ref"] == PROMOTION
    assert f"promotion branch {PROMOTION} is not protected by a rule that requires pull requests" in found["message"]
    assert "'prod/hotfix/{date}_{slug}'" in found["hint"]
    assert run.status == 1


def test_protection_without_pull_requests_is_a_violation(gh: GitHub) -> None:
    compliant(gh.state)
    drop_rulesets(gh)
    gh.state.protect_branch(REPO, PROMOTION, required_approving_review_count=None)
    (found,) = check(gh).violations(RULE)
    assert "requires pull requests" in found["message"]


def test_min_approvals(gh: GitHub) -> None:
    compliant(gh.state)
    (found,) = check(gh, {"severity": "error", "min_approvals": 2}).violations(RULE)
    assert "requires 1 approving review(s), the policy 2" in found["message"]


def test_no_promotion_branch_yet_a_ruleset_answers_for_a_sample_name(gh: GitHub, scenario: Any) -> None:
    compliant(gh.state)
    gh.repo = scenario()
    gh.repo.commit("Initial commit", {"README.md": "# app\n"})
    gh.repo.branch("develop")
    run = check(gh)
    assert run.findings(RULE) == [], run.everything
    probes = [unquote(r.path) for r in gh.server.requests if "hotfix-lint-probe" in r.path]
    assert probes == ["/repos/octo/app/rules/branches/prod/hotfix/2024-05-22_hotfix-lint-probe"], (
        "a sample name: its rulesets are read, its classic protection cannot be"
    )


def test_no_promotion_branch_and_no_ruleset_is_could_not_check(gh: GitHub, scenario: Any) -> None:
    compliant(gh.state)
    drop_rulesets(gh)
    gh.repo = scenario()
    gh.repo.commit("Initial commit", {"README.md": "# app\n"})
    (found,) = check(gh).findings(RULE)
    assert found["kind"] == "could-not-check"
    assert "no such branch exists on GitHub yet" in found["message"]


def test_403_on_protection_without_a_ruleset_is_could_not_check(gh: GitHub) -> None:
    compliant(gh.state)
    drop_rulesets(gh)
    gh.state.forbid("/repos/octo/app/branches/*/protection")
    (found,) = check(gh).findings(RULE)
    assert found["kind"] == "could-not-check" and found["ref"] == PROMOTION
    assert "administration: read" in found["message"]


def test_nothing_to_do_without_a_promotion_pattern(gh: GitHub) -> None:
    compliant(gh.state)
    drop_rulesets(gh)
    run = check(gh, promotion_branch=None)
    assert run.findings(RULE) == []
