"""``promotion-branch``: promotion branches are named right and receive only work branches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from packs_scenarios import build_prod_hotfix_process
from rule_helpers import check
from scenario import RULE_IDS, Scenario, assert_clean, assert_only, describe, violations

from hotfix_lint.policy.model import Policy

RULE = "promotion-branch"


def policy(rule: str = RULE, **keys: Any) -> dict[str, Any]:
    """The prod-hotfix pack with only ``rule`` on."""
    rules: dict[str, Any] = {rid: "off" for rid in (*RULE_IDS, "promotion-branch", "promotion-chain")}
    rules[rule] = "error"
    return {"extends": "prod-hotfix", "rules": rules, **keys}


@pytest.fixture
def prod(scenario: Callable[..., Scenario]) -> Scenario:
    return build_prod_hotfix_process(scenario("prod"))


def test_is_promotion_name() -> None:
    p = Policy(source="t", promotion_branch="prod/hotfix/{date}_{slug}")
    assert p.is_promotion_name("prod/hotfix/2024-05-22_fix-login")
    assert p.is_promotion_name("prod/hotfix/fix-login")  # under the prefix: a misnamed one
    assert not p.is_promotion_name("hotfix/fix-login")
    assert not Policy(source="t").is_promotion_name("prod/hotfix/x")


def test_the_process_is_silent(prod: Scenario) -> None:
    assert_clean(*check(prod, policy()))


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        ("promotion-branch-without-date", "prod/hotfix/fix-login does not match 'prod/hotfix/{date}_{slug}'"),
        ("promotion-branch-impossible-date", "(2025-02-30 is not a real calendar date)"),
        ("develop-merged-into-promotion", "it merges the integration branch develop"),
        ("work-branch-named-like-promotion", "the work branch prod/hotfix/2025-01-10_login-work is named like"),
    ],
)
def test_each_mistake(scenario: Callable[..., Scenario], wrong: str, words: str) -> None:
    s = build_prod_hotfix_process(scenario("prod"), wrong=wrong)
    (v,) = assert_only(check(s, policy())[1], RULE)
    assert words in v["message"], describe(check(s, policy())[1])


def test_merge_of_a_release_or_production_branch(prod: Scenario) -> None:
    s = prod
    s.checkout("develop")
    s.branch("release/2025.2", checkout=True)
    s.commit("Release 2025.2", {"RELEASE": "2025.2\n"})
    s.checkout("main")
    s.merge("release/2025.2")
    s.checkout("prod/hotfix/2025-01-12_fix-export")
    s.merge("release/2025.2")
    s.merge("main", message="Merge branch 'main' into prod/hotfix/2025-01-12_fix-export")
    s.checkout("main")
    _, report = check(s, policy())
    messages = sorted(v["message"] for v in violations(report))
    assert len(messages) == 2, describe(report)
    assert any("it merges the production branch main instead of a work branch" in m for m in messages)
    assert any("it merges the release branch release/2025.2, which is not a hotfix" in m for m in messages)


def test_direct_commit_is_left_to_merge_commit_on_production_lines(prod: Scenario) -> None:
    s = prod
    s.checkout("prod/hotfix/2025-01-12_fix-export")
    s.commit("quick tweak", {"gateway/tweak.py": "X = 1\n"})
    s.checkout("main")
    assert_clean(*check(s, policy()))  # merge-commit (off here) reports it
    _, report = check(s, policy(production="main"))  # promotion branches are not production lines
    (v,) = assert_only(report, RULE)
    assert "was committed directly on promotion branch prod/hotfix/2025-01-12_fix-export" in v["message"]


def test_branch_under_check_named_like_a_promotion_branch(prod: Scenario) -> None:
    s = prod
    s.branch("prod/hotfix/2025-01-20_new-fix", "prod/hotfix/2025-01-12_fix-export", checkout=True)
    s.commit("Fix: new")
    s.checkout("main")
    _, report = check(s, policy(production="main"), "--branch", "prod/hotfix/2025-01-20_new-fix")
    found = [v for v in violations(report, RULE) if "is checked as a hotfix (work) branch" in v["message"]]
    assert len(found) == 1, describe(report)


def test_without_a_promotion_pattern_it_cannot_check(prod: Scenario) -> None:
    _, report = check(prod, policy(promotion_branch=None, deployed_ref="branch"))
    (v,) = violations(report)
    assert v["kind"] == "could-not-check" and v["rule"] == RULE
