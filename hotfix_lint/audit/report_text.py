"""The audit as text: what changed (with a baseline), the repository x rule table (worst
first; cells are ``errors/warnings``), the failures with their reasons, the totals per rule."""

from __future__ import annotations

from typing import IO

from hotfix_lint.audit.model import FAILED, OK, SKIPPED, AuditReport, rule_counts, worst_first
from hotfix_lint.audit.report_common import (
    cell,
    drift_lead,
    headline,
    matrix_rules,
    new_count,
    plain,
    plural,
    resolved_count,
    source_line,
)


def _table(rows: list[list[str]], right: set[int]) -> list[str]:
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
            lines.append(f"audited: {where}")
        lines.extend(drift_lead(report))
        rules = matrix_rules(report)
        drift = report.has_baseline
        ranked = worst_first(report.repositories)
        shown = [e for e in ranked if e.status == FAILED or e.errors or e.warnings or resolved_count(e)]
        if shown:
            header = ["repository", "errors", "warnings", *(["new", "resolved"] if drift else []), *rules]
            rows = [header]
            for entry in shown:
                if entry.status == FAILED:
                    rows.append([entry.repository, "failed", "", *(["", ""] if drift else []), *["" for _ in rules]])
                    continue
                marks = [str(new_count(entry)), str(resolved_count(entry))] if drift else []
                cells = []
                for rule in rules:
                    errors, warnings = cell(entry, rule)
                    cells.append("." if not errors and not warnings else f"{errors}/{warnings}")
                rows.append([entry.repository, str(entry.errors), str(entry.warnings), *marks, *cells])
            lines.append("")
            lines.extend(_table(rows, set(range(1, len(header)))))
            if rules:
                lines.append("(rule cells: errors/warnings)")
        quiet = [e for e in report.repositories if e.status == OK and e not in shown]
        if quiet:
            lines.append(f"{plural(len(quiet), 'repository', 'repositories')} without findings")
        skipped = [e for e in report.repositories if e.status == SKIPPED]
        if skipped:
            lines.append(f"{plural(len(skipped), 'repository', 'repositories')} skipped (archived)")
        failed = [e for e in report.repositories if e.status == FAILED]
        if failed:
            lines.append("")
            lines.append("could not be audited:")
            lines.extend(f"  {e.repository}: {plain(e.error or 'unknown reason')}" for e in failed)
        counts = rule_counts(report)
        if counts:
            lines.append("")
            header = ["rule", "errors", "warnings", "waived", "repositories", *(["new", "resolved"] if drift else [])]
            rows = [header]
            for row in counts:
                extra = [str(row.new), str(row.resolved)] if drift else []
                rows.append(
                    [row.rule, str(row.errors), str(row.warnings), str(row.waived), str(row.repositories), *extra]
                )
            lines.extend(_table(rows, set(range(1, len(header)))))
        for note in report.notes:
            lines.append(f"note: {plain(note)}")
        stream.write("\n".join(lines) + "\n")
