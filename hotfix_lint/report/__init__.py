"""Reporters: one class per format, looked up by name and imported only when asked for."""

from __future__ import annotations

import importlib
from typing import IO, Protocol

from hotfix_lint.report.model import Report, RuleInfo
from hotfix_lint.results import FindingKind, Severity, Violation
from hotfix_lint.terminal_text import (  # the reporters' helpers, here where they always were
    log_safe_json,
    log_safe_json_parts,
    neutralise_commands,
    printable_line,
    show_code,
    show_controls,
    terminal_safe,
    write_log_safe_json,
)

__all__ = [
    "FORMATS",
    "Reporter",
    "described_rules",
    "finding_label",
    "get_reporter",
    "log_safe_json",
    "log_safe_json_parts",
    "neutralise_commands",
    "plural",
    "printable_line",
    "show_code",
    "show_controls",
    "terminal_safe",
    "write_log_safe_json",
]


class Reporter(Protocol):
    """Renders a whole report to a text stream."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None: ...


#: format name -> "module:Class"; the module is imported only when the format is used
FORMATS: dict[str, str] = {
    "text": "hotfix_lint.report.text:TextReporter",
    "json": "hotfix_lint.report.json_report:JsonReporter",
    "hook": "hotfix_lint.report.hook:HookReporter",  # what the git hooks print
    "sarif": "hotfix_lint.report.sarif:SarifReporter",  # GitHub code scanning and other SARIF readers
    "junit": "hotfix_lint.report.junit:JunitReporter",  # CI test views: one test case per rule
    "github": "hotfix_lint.report.github:GithubReporter",  # Actions annotations + step summary
    "markdown": "hotfix_lint.report.markdown:MarkdownReporter",
}


def get_reporter(name: str) -> Reporter:
    module_name, _, class_name = FORMATS[name].partition(":")
    reporter: Reporter = getattr(importlib.import_module(module_name), class_name)()
    return reporter


def described_rules(report: Report) -> list[RuleInfo]:
    """The rules run, then any other rule with a finding, each with its metadata.

    Metadata comes from ``report.rules``; a rule missing there gets its bare id (no summary,
    no explanation) so that a report built without metadata still renders.
    """
    known = {info.id: info for info in report.rules}
    ids = list(dict.fromkeys([*report.rules_run, *(v.rule for v in report.violations)]))
    return [known.get(rule_id) or RuleInfo(rule_id, "", "", Severity.ERROR) for rule_id in ids]


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def finding_label(violation: Violation) -> str:
    """``waived``, ``could not check (SEVERITY)`` or the severity (Markdown and JUnit)."""
    if violation.waived:
        return "waived"
    if violation.kind is FindingKind.COULD_NOT_CHECK:
        return f"could not check ({violation.severity.value})"
    return violation.severity.value
