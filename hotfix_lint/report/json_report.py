"""The JSON report: the versioned contract other tools read (documented in docs/reports.md)."""

from __future__ import annotations

from typing import IO, Any

from hotfix_lint.report import write_log_safe_json
from hotfix_lint.report.model import Report

JSON_REPORT_VERSION = 1


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain data; absent values are ``None``."""
    return {
        "version": JSON_REPORT_VERSION,
        "tool": {"name": report.tool_name, "version": report.tool_version},
        "repository": report.repository,
        "policy": report.policy,
        "summary": {
            "errors": report.errors,
            "warnings": report.warnings,
            "waived": report.waived,
            "rules_run": list(report.rules_run),
        },
        "violations": [
            {
                "rule": v.rule,
                "severity": v.severity.value,
                "message": v.message,
                "ref": v.ref,
                "commit": v.commit,
                "path": v.path,
                "line": v.line,
                "hint": v.hint,
                "waived": v.waived,
                "kind": v.kind.value,
                "waiver_reason": v.waiver_reason,
            }
            for v in report.violations
        ],
        "notes": list(report.notes),
    }


class JsonReporter:
    """Writes :func:`report_to_dict` as indented JSON, safe to print in a CI log (see
    :func:`~hotfix_lint.report.log_safe_json`: a commit message can hold ``##[`` or ``::``)."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        write_log_safe_json(report_to_dict(report), stream)
