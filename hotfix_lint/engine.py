"""The engine: selects rules, runs them over facts, decides severity and waivers.

Rules only observe; reporters only render; every decision (is this rule on, how severe is
this finding, is it waived, has the waiver expired) is made here, in one pure function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, FindingKind, Severity, Violation
from hotfix_lint.rules.base import Rule, RuleContext

if TYPE_CHECKING:
    import datetime as dt

    from hotfix_lint.policy.waivers import Waiver

_RANK = {Severity.OFF: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class SelectedRule:
    """A rule that will run, with the severity and options the policy gave it."""

    rule: Rule
    severity: Severity
    options: Mapping[str, Any]


def select_rules(
    policy: Policy, only: Iterable[str] | None = None, rules: Iterable[type[Rule]] | None = None
) -> list[SelectedRule]:
    """The rules the policy leaves on (optionally limited to ``only``), in registry order.

    An opt-in rule runs only when the policy names it, or when ``only`` asks for it by id.
    """
    if rules is None:  # the registry imports every rule; a hook passes only its stage's rules
        from hotfix_lint.rules.registry import ALL_RULES

        rules = ALL_RULES
    wanted = set(only) if only is not None else None
    selected: list[SelectedRule] = []
    for rule_class in rules:
        if wanted is not None and rule_class.id not in wanted:
            continue
        setting = policy.rules.get(rule_class.id)
        if setting is None and rule_class.opt_in and wanted is None:
            continue
        severity = rule_class.default_severity
        options: dict[str, Any] = rule_class.option_defaults()
        if setting is not None:
            severity = setting.severity or severity
            options.update(setting.options)
        if severity is Severity.OFF:
            continue
        selected.append(SelectedRule(rule_class(), severity, options))
    return selected


def required_kinds(selected: Iterable[SelectedRule]) -> frozenset[str]:
    return frozenset(kind for s in selected for kind in s.rule.requires | s.rule.uses)


def cap_severity(selected: Iterable[SelectedRule], rule_ids: Iterable[str], ceiling: Severity) -> list[SelectedRule]:
    """Lower the rules ``rule_ids`` to at most ``ceiling`` (a hook stage where they only warn)."""
    ids = set(rule_ids)
    return [
        replace(s, severity=ceiling) if s.rule.id in ids and _RANK[s.severity] > _RANK[ceiling] else s
        for s in selected
    ]


def _decide_severity(
    configured: Severity, finding: Finding, could_not_check: Severity = Severity.WARNING
) -> Severity:
    """A rule may lower a finding's severity, never raise it; could-not-check has its own
    severity (the policy's ``could_not_check``, a warning by default), capped the same way."""
    suggested = finding.severity
    if finding.kind is FindingKind.COULD_NOT_CHECK and suggested is None:
        suggested = could_not_check
    if suggested is None or _RANK[suggested] > _RANK[configured]:
        return configured
    return suggested


def utc_day(timestamp: int) -> dt.date:
    """The day (UTC) of a Unix time, as waivers' expiry dates count days."""
    import datetime as dt  # here: the git hooks judge without waivers, and without datetime

    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date()


def skipped_rules(facts: RepositoryFacts, selected: Iterable[SelectedRule]) -> dict[str, list[str]]:
    """Rules not run because a fact kind they need was deliberately not collected (GitHub
    without a token), by reason: the report names them in a note instead of a finding."""
    found: dict[str, list[str]] = {}
    for chosen in selected:
        reasons = [facts.skipped[k] for k in sorted(chosen.rule.requires) if k in facts.skipped]
        if reasons:
            found.setdefault(reasons[0], []).append(chosen.rule.id)
    return found


def _waiver_for(finding: Finding, waivers: Iterable[Waiver]) -> Waiver | None:
    names = {n for n in (finding.commit, finding.ref, *finding.subjects) if n}
    for waiver in waivers:
        if waiver.rule != finding.rule:
            continue
        if waiver.commit and any(n.startswith(waiver.commit) for n in names):
            return waiver
        if waiver.branch and waiver.branch in names:
            return waiver
    return None


def evaluate(
    facts: RepositoryFacts, policy: Policy, selected: Iterable[SelectedRule], today: dt.date | None = None
) -> list[Violation]:
    """Run every selected rule and turn its findings into violations.

    Waivers expire against ``today``, by default the UTC day of ``facts.now``: worked out only
    when the policy has waivers (a git hook then never imports :mod:`datetime`).
    """
    live: list[Waiver] = []
    expired: list[Waiver] = []
    if policy.exceptions:
        day = today if today is not None else utc_day(facts.now)
        live = [w for w in policy.exceptions if w.expires is None or w.expires >= day]
        expired = [w for w in policy.exceptions if w.expires is not None and w.expires < day]
    violations: list[Violation] = []
    if facts.empty:
        return violations  # no commits yet: nothing to judge, not even GitHub settings of a branch
    for chosen in selected:
        rule = chosen.rule
        if any(k in facts.skipped for k in rule.requires):
            continue
        missing = [facts.unavailable[k] for k in sorted(rule.requires) if k in facts.unavailable]
        if missing:
            findings: Iterable[Finding] = [
                Finding(rule.id, f"could not check: {'; '.join(missing)}", kind=FindingKind.COULD_NOT_CHECK)
            ]
        else:
            context = RuleContext(policy=policy, options=chosen.options, now=facts.now)
            findings = rule.check(facts, context)
        for finding in findings:
            severity = _decide_severity(chosen.severity, finding, policy.could_not_check)
            if severity is Severity.OFF:
                continue
            waiver = _waiver_for(finding, live)
            stale_waiver = _waiver_for(finding, expired) if waiver is None else None
            message = finding.message
            if stale_waiver is not None:
                message += f" (the waiver at {stale_waiver.where or policy.source} expired on {stale_waiver.expires})"
            violations.append(
                Violation(
                    rule=finding.rule,
                    severity=severity,
                    message=message,
                    ref=finding.ref,
                    commit=finding.commit,
                    path=finding.path,
                    line=finding.line,
                    hint=finding.hint,
                    waived=waiver is not None,
                    waiver_reason=waiver.reason if waiver else None,
                    kind=finding.kind,
                    hotfix=_hotfix_of(finding),
                )
            )
    for waiver in expired:
        violations.append(
            Violation(
                rule=waiver.rule,
                severity=Severity.WARNING,
                message=f"the waiver for {waiver.rule} ({waiver.commit or waiver.branch}: {waiver.reason}) "
                f"expired on {waiver.expires}",
                ref=waiver.branch,
                commit=waiver.commit,
                path=waiver.where.rsplit(":", 1)[0] if waiver.where else None,
                line=int(waiver.where.rsplit(":", 1)[1]) if waiver.where.count(":") else None,
                hint="renew it with a later `expires:` or remove it",
            )
        )
    return violations


def skip_notes(facts: RepositoryFacts, selected: Iterable[SelectedRule]) -> tuple[list[str], tuple[str, ...]]:
    """The notes naming the rules skipped for want of facts (GitHub without a token), and the
    ids of the rules that did run: what ``check`` and the audit both put in a report."""
    chosen = list(selected)
    skipped = skipped_rules(facts, chosen)
    notes = [f"skipped {', '.join(rule_ids)}: {reason}" for reason, rule_ids in skipped.items()]
    not_run = {rule_id for rule_ids in skipped.values() for rule_id in rule_ids}
    return notes, tuple(s.rule.id for s in chosen if s.rule.id not in not_run)


def _hotfix_of(finding: Finding) -> str | None:
    """The hotfix a finding is about: its branch name among the finding's subjects (tip, branch,
    merge), else its tip; ``None`` for a finding that names no hotfix."""
    names = finding.subjects
    if not names:
        return None
    return next((n for n in names[1:] if not re.fullmatch(r"[0-9a-f]{40}", n)), names[0])
