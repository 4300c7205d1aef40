"""Bad or unusual input for the opt-in rules and the new commands: a message, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rule_helpers import check, only
from scenario import Scenario, describe, violations

from hotfix_lint.cli import main

OPT_IN = ("ticket-reference", "version-bump", "release-tag", "minimal-change", "stale-branch", "ci-trigger")


@pytest.mark.parametrize(
    ("rule", "options", "where"),
    [
        ("ci-trigger", {"test_patterns": ["(pytest"]}, "rules.ci-trigger.test_patterns[0]"),
        ("release-tag", {"message_pattern": "^Hotfix ("}, "rules.release-tag.message_pattern"),
        ("minimal-change", {"max_files": 0}, "rules.minimal-change.max_files"),
        ("stale-branch", {"max_age_days": "week"}, "rules.stale-branch.max_age_days"),
        ("ticket-reference", {"merges": "sometimes"}, "rules.ticket-reference.merges"),
    ],
)
def test_bad_options_are_policy_errors(
    gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str], rule: str, options: dict[str, Any], where: str
) -> None:
    status, report = check(gitflow_repo, only(rule, options))
    err = capsys.readouterr().err
    assert status == 2 and report is None and where in err and "Traceback" not in err, err


def test_promotion_strategy_without_a_promotion_pattern_says_why(gitflow_repo: Scenario) -> None:
    policy = only("hotfix-base", deployed_ref="promotion-branch")
    _, report = check(gitflow_repo, policy)
    (v,) = violations(report)
    assert v["kind"] == "could-not-check" and "needs `promotion_branch`" in v["message"], describe(report)


def test_all_opt_in_rules_on_an_empty_repository(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    policy = only("ticket-reference", ticket_pattern="T-\\d+")
    for rule in OPT_IN:
        policy["rules"][rule] = "error"
    status, report = check(s, policy)
    assert status == 0 and report is not None
    assert [v for v in violations(report) if v["rule"] in OPT_IN] == [], describe(report)


def test_all_opt_in_rules_on_a_repository_without_integration_or_tags(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit")
    s.branch("hotfix/x", checkout=True)
    s.commit("Fix x")
    s.checkout("main")
    s.merge("hotfix/x")
    policy = only("ticket-reference", integration=None, changelog=None, ticket_pattern="T-\\d+")
    for rule in OPT_IN:
        policy["rules"][rule] = "error"
    status, report = check(s, policy)
    assert status == 1 and report is not None
    # no integration branch: a merged hotfix branch is not waiting for a back-merge, so it is stale
    expected = {"ticket-reference", "release-tag", "ci-trigger", "version-bump", "stale-branch"}
    assert {v["rule"] for v in violations(report)} == expected, describe(report)
    assert all("Traceback" not in v["message"] for v in violations(report))


def test_hotfixes_on_an_empty_repository(scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario()
    assert main(["hotfixes", "--repo", str(s.path)]) == 0
    out = capsys.readouterr().out
    assert "no hotfixes found" in out and "nothing to check" in out


def test_hotfixes_with_a_bad_date(gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hotfixes", "--repo", str(gitflow_repo.path), "--now", "yesterday"]) == 2
    assert "--now: expected a date YYYY-MM-DD" in capsys.readouterr().err
