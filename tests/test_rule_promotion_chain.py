"""``promotion-chain`` and the ``promotion-branch`` deployed-ref strategy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from packs_scenarios import build_prod_hotfix_process
from rule_helpers import check
from scenario import Scenario, assert_clean, assert_only, describe, violations
from test_rule_promotion_branch import policy

from hotfix_lint.facts.promotion import PromotionBranchFact, PromotionFacts, deployed_at, deployed_now

RULE = "promotion-chain"
UTC = dt.timezone.utc


@pytest.fixture
def prod(scenario: Callable[..., Scenario]) -> Scenario:
    return build_prod_hotfix_process(scenario("prod"))


def _release(s: Scenario, name: str) -> None:
    """A regular release: develop -> release/NAME -> main."""
    s.checkout("develop")
    s.branch(f"release/{name}", checkout=True)
    s.commit(f"Release {name}", {"RELEASE": f"{name}\n"})
    s.checkout("main")
    s.merge(f"release/{name}")
    s.checkout("develop")
    s.merge(f"release/{name}")
    s.checkout("main")


def _promote(s: Scenario, promo: str, start: str, work: str) -> None:
    """A hotfix on ``work`` cut from ``start``, merged by pull request into ``promo`` cut from ``start``."""
    s.branch(promo, start)
    s.branch(work, start, checkout=True)
    s.commit(f"Fix {work}", {f"gateway/{work.replace('/', '_')}.py": "X = 1\n"})
    s.checkout(promo)
    s.pr_merge(90, "openai", work, title=f"Fix {work}")
    s.checkout("develop")
    s.pr_merge(91, "openai", work, title=f"Fix {work}")
    s.checkout("main")


def test_deployed_at_is_the_newest_tip() -> None:
    from hotfix_lint.facts import CommitFact

    def commit(cid: str, time: int) -> CommitFact:
        return CommitFact(cid, ("p",), "Merge", "a", "a@x", time, "c", "c@x", time)

    promo = PromotionBranchFact("prod/hotfix/x", "r", "m1", 20, True, "d", 10, 20, commits=(commit("m1", 20),))
    facts = PromotionFacts("p", "main", "d", ((30, "r2"), (10, "d")), (promo,))
    assert deployed_at(facts, 15) is not None and deployed_at(facts, 15).commit == "d"  # type: ignore[union-attr]
    assert deployed_at(facts, 25).commit == "m1"  # type: ignore[union-attr]
    assert deployed_at(facts, 35).commit == "r2"  # type: ignore[union-attr]
    assert deployed_at(facts, 20, strict=True).commit == "d"  # type: ignore[union-attr]
    assert deployed_at(facts, 25, exclude="prod/hotfix/x").commit == "d"  # type: ignore[union-attr]
    assert deployed_now(facts).commit == "r2"  # type: ignore[union-attr]


def test_the_process_is_silent(prod: Scenario) -> None:
    assert_clean(*check(prod, policy(RULE)))


def test_second_promotion_branch_cut_from_main_drops_the_first_fix(scenario: Callable[..., Scenario]) -> None:
    s = build_prod_hotfix_process(scenario("prod"), wrong="second-promotion-from-main")
    (v,) = assert_only(check(s, policy(RULE))[1], RULE)
    assert "does not contain prod/hotfix/2025-01-10_fix-login" in v["message"]
    assert "(hotfix/fix-login)" in v["message"] and "git switch -c" in v["hint"]


def test_after_a_regular_release_the_next_cycle_starts_from_main(prod: Scenario) -> None:
    s = prod
    s.clock.set(dt.datetime(2025, 1, 20, 9, tzinfo=UTC))
    _release(s, "2025.2")
    s.clock.set(dt.datetime(2025, 1, 22, 9, tzinfo=UTC))
    _promote(s, "prod/hotfix/2025-01-22_fix-cache", "main", "hotfix/fix-cache")
    assert_clean(*check(s, policy(RULE)))


def test_cut_from_an_old_promotion_branch_after_a_release_rolls_it_back(prod: Scenario) -> None:
    s = prod
    s.clock.set(dt.datetime(2025, 1, 20, 9, tzinfo=UTC))
    _release(s, "2025.2")
    s.clock.set(dt.datetime(2025, 1, 22, 9, tzinfo=UTC))
    _promote(s, "prod/hotfix/2025-01-22_fix-cache", "prod/hotfix/2025-01-12_fix-export", "hotfix/fix-cache")
    (v,) = assert_only(check(s, policy(RULE))[1], RULE)
    assert "main moved on" in v["message"] and "rolls production back" in v["message"], describe(
        check(s, policy(RULE))[1]
    )


def test_an_empty_promotion_branch_is_judged_by_the_date_in_its_name(prod: Scenario) -> None:
    s = prod
    s.branch("prod/hotfix/2025-01-15_fix-next", "main")  # cut, nothing merged yet, from main
    (v,) = assert_only(check(s, policy(RULE))[1], RULE)
    assert v["message"].startswith("prod/hotfix/2025-01-15_fix-next was cut from main")
    assert "prod/hotfix/2025-01-12_fix-export" in v["message"]


def test_without_a_promotion_pattern_it_cannot_check(prod: Scenario) -> None:
    _, report = check(prod, policy(RULE, promotion_branch=None, deployed_ref="branch"))
    (v,) = violations(report)
    assert v["kind"] == "could-not-check" and v["rule"] == RULE


# -- the promotion-branch deployed-ref strategy, as hotfix-base sees it -------------------------


def test_hotfix_into_main_while_a_promotion_branch_is_deployed(prod: Scenario) -> None:
    s = prod
    s.branch("hotfix/direct", "main", checkout=True)  # main is not what runs: the promotion branch is
    s.commit("Fix directly on main")
    s.checkout("main")
    s.pr_merge(95, "openai", "hotfix/direct", title="Fix")
    (v,) = assert_only(check(s, policy("hotfix-base"))[1], "hotfix-base")
    assert "prod/hotfix/2025-01-12_fix-export" in v["message"]


def test_branch_under_check_is_judged_against_the_newest_tip(prod: Scenario) -> None:
    s = prod
    s.branch("hotfix/next", "prod/hotfix/2025-01-12_fix-export", checkout=True)
    s.commit("Fix next")
    s.branch("hotfix/stale", "main", checkout=True)
    s.commit("Fix stale")
    s.checkout("main")
    assert_clean(*check(s, policy("hotfix-base"), "--branch", "hotfix/next"))
    (v,) = assert_only(check(s, policy("hotfix-base"), "--branch", "hotfix/stale")[1], "hotfix-base")
    assert "the last deployed ref: prod/hotfix/2025-01-12_fix-export" in v["message"]
