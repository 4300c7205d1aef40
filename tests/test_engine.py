"""The engine's decisions: severity, waivers, expiry, could-not-check. Pure: no git here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from hotfix_lint.engine import SelectedRule, evaluate, select_rules
from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.policy.model import Policy, RuleSetting
from hotfix_lint.policy.waivers import Waiver
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import Rule, RuleContext

TODAY = dt.date(2026, 1, 10)
FACTS = RepositoryFacts(repository="/repo", now=0)


class Planted(Rule):
    """A rule that reports what the test planted, to exercise the engine alone."""

    id = "branch-name"
    summary = "planted"
    explanation = "planted"
    planted: tuple[Finding, ...] = ()

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        yield from self.planted


def run(*findings: Finding, severity: Severity = Severity.ERROR, waivers: tuple[Waiver, ...] = (),
        facts: RepositoryFacts = FACTS) -> list:
    rule = Planted()
    rule.planted = findings
    policy = Policy(source="test", exceptions=waivers)
    return evaluate(facts, policy, [SelectedRule(rule, severity, {})], TODAY)


def test_configured_severity_applies() -> None:
    [v] = run(Finding("branch-name", "bad"), severity=Severity.WARNING)
    assert v.severity is Severity.WARNING and not v.waived


def test_a_rule_may_lower_but_never_raise_severity() -> None:
    lowered, capped = run(
        Finding("branch-name", "stale", severity=Severity.WARNING),
        Finding("branch-name", "loud", severity=Severity.ERROR),
        severity=Severity.WARNING,
    )
    assert lowered.severity is Severity.WARNING
    assert capped.severity is Severity.WARNING


def test_could_not_check_is_a_warning_by_default() -> None:
    [v] = run(Finding("branch-name", "no access", kind=FindingKind.COULD_NOT_CHECK))
    assert v.severity is Severity.WARNING and v.kind is FindingKind.COULD_NOT_CHECK


def test_waiver_by_commit_prefix_and_by_branch() -> None:
    sha = "a" * 40
    by_commit = Waiver(rule="branch-name", reason="legacy", commit="aaaaaaa")
    by_branch = Waiver(rule="branch-name", reason="renamed later", branch="quickfix")
    first, second, third = run(
        Finding("branch-name", "x", commit=sha),
        Finding("branch-name", "y", ref="main", subjects=("quickfix",)),
        Finding("branch-name", "z", commit="b" * 40),
        waivers=(by_commit, by_branch),
    )
    assert first.waived and first.waiver_reason == "legacy"
    assert second.waived and second.waiver_reason == "renamed later"
    assert not third.waived


def test_waiver_for_another_rule_does_not_apply() -> None:
    [v] = run(Finding("branch-name", "x", commit="c" * 40),
              waivers=(Waiver(rule="back-merge", reason="r", commit="ccc"),))
    assert not v.waived


def test_expired_waiver_no_longer_waives_and_warns() -> None:
    expired = Waiver(rule="branch-name", reason="r", commit="ddd", expires=dt.date(2026, 1, 1),
                     where=".hotfix-lint.yaml:12")
    found, warning = run(Finding("branch-name", "x", commit="d" * 40), waivers=(expired,))
    assert not found.waived and found.severity is Severity.ERROR
    assert "expired on 2026-01-01" in found.message
    assert warning.severity is Severity.WARNING and "expired" in warning.message
    assert (warning.path, warning.line) == (".hotfix-lint.yaml", 12)


def test_waiver_expiring_today_still_applies() -> None:
    today = Waiver(rule="branch-name", reason="r", commit="eee", expires=TODAY)
    [v] = run(Finding("branch-name", "x", commit="e" * 40), waivers=(today,))
    assert v.waived


def test_unavailable_facts_become_could_not_check() -> None:
    facts = RepositoryFacts(repository="/r", now=0, unavailable={"git-branch": "object missing"})
    [v] = run(Finding("branch-name", "never produced"), facts=facts)
    assert v.kind is FindingKind.COULD_NOT_CHECK and "object missing" in v.message


def test_select_rules_honours_off_and_options() -> None:
    policy = Policy(
        source="t",
        rules={
            "merge-commit": RuleSetting(Severity.OFF),
            "back-merge": RuleSetting(None, {"grace_days": 3}),
        },
    )
    chosen = {s.rule.id: s for s in select_rules(policy)}
    assert "merge-commit" not in chosen
    assert chosen["back-merge"].options["grace_days"] == 3
    assert chosen["back-merge"].options["accept_cherry_picks"] is False
    assert chosen["back-merge"].severity is Severity.ERROR
    assert [s.rule.id for s in select_rules(policy, only=["branch-name"])] == ["branch-name"]
