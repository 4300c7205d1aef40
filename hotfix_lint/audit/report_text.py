"""The audit as text: what changed (with a baseline), the repository x rule table (worst
first; cells are ``errors/warnings``), the failures with their reasons, the totals per rule."""

from __future__ import annotations

from typing import IO

from hotfix_lint.audit.model import FAILED, AuditReport, rule_counts
from hotfix_lint.audit.report_common import (
    RULE_TOTALS_HEADER,
    drift_header,
    drift_lead,
    entry_cells,
    headline,
    matrix_rules,
    plain,
    rule_total_cells,
    source_line,
    table_entries,
    unlisted,
)
from hotfix_lint.report import terminal_safe


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
    rows = [[plain(c) for c in row] for row in rows]  # names from GitHub or a report file
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    return out


class AuditTextReporter:
    """For a terminal or a CI log."""

    def write(self, report: AuditReport, stream: IO[str]) -> None:
        lines = [f"hotfix-lint {report.tool_version} audit: {headline(report)}"]
        where = source_line(report)
        if where:
            lines.append(f"audited: {plain(where)}")
        lines.extend(plain(line) for line in drift_lead(report))
        rules = matrix_rules(report)
        drift = report.has_baseline
        shown = table_entries(report)
        if shown:
            header = ["repository", "errors", "warnings", *drift_header(drift), *rules]
            rows = [header]
            for entry in shown:
                if entry.status == FAILED:
                    rows.append([entry.repository, "failed", *[""] * (len(header) - 2)])
                    continue
                rows.append([entry.repository, *entry_cells(entry, rules, drift, ".")])
            lines.append("")
            lines.extend(_table(rows, set(range(1, len(header)))))
            if rules:
                lines.append("(rule cells: errors/warnings)")
        lines.extend(unlisted(report))
        failed = report.failed
        if failed:
            lines.append("")
            lines.append("could not be audited:")
            lines.extend(f"  {plain(e.repository)}: {plain(e.error or 'unknown reason')}" for e in failed)
        counts = rule_counts(report)
        if counts:
            lines.append("")
            header = [*RULE_TOTALS_HEADER, *drift_header(drift)]
            rows = [header] + [[row.rule, *rule_total_cells(row, drift)] for row in counts]
            lines.extend(_table(rows, set(range(1, len(header)))))
        for note in report.notes:
            lines.append(f"note: {plain(note)}")
        stream.write(terminal_safe("\n".join(lines) + "\n"))
