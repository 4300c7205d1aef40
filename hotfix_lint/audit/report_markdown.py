"""The audit in Markdown (a job summary, an issue, a wiki page): what changed, the
repositories worst first with their findings per rule, the totals per rule, the failures.
Every value from a repository is escaped as the check's Markdown report escapes it, and the
whole is safe to print on a terminal or in a CI log."""

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
from hotfix_lint.report.markdown import md


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


class AuditMarkdownReporter:
    """GitHub-flavoured Markdown."""

    def write(self, report: AuditReport, stream: IO[str]) -> None:
        out = ["# hotfix-lint audit", "", f"**{md(headline(report))}**", ""]
        where = source_line(report)
        if where:
            out += [f"Audited: {md(where)}.", ""]
        lead = drift_lead(report)
        if lead:
            out += ["## What changed", ""] + [f"- {md(line)}" for line in lead] + [""]
        drift = report.has_baseline
        rules = matrix_rules(report)
        shown = table_entries(report)
        if shown:
            out += ["## Repositories, worst first", ""]
            header = ["repository", "errors", "warnings", *drift_header(drift), *[md(r) for r in rules]]
            out.append(_row(header))
            out.append(_row(["---", *["---:" for _ in header[1:]]]))
            for entry in shown:
                if entry.status == FAILED:
                    out.append(_row([md(entry.repository), "**failed**", "", *([""] * (len(header) - 3))]))
                    continue
                out.append(_row([md(entry.repository), *entry_cells(entry, rules, drift, "")]))
            out += ["", "Rule columns: errors/warnings.", ""]
        tail = unlisted(report)
        if tail:
            out += ["; ".join(tail) + ".", ""]
        counts = rule_counts(report)
        if counts:
            out += ["## By rule", ""]
            header = [*RULE_TOTALS_HEADER, *drift_header(drift)]
            out.append(_row(header))
            out.append(_row(["---", *["---:" for _ in header[1:]]]))
            out.extend(_row([md(row.rule), *rule_total_cells(row, drift)]) for row in counts)
            out.append("")
        failed = report.failed
        if failed:
            out += ["## Could not be audited", ""]
            out += [f"- {md(e.repository)}: {md(plain(e.error or 'unknown reason'))}" for e in failed]
            out.append("")
        for note in report.notes:
            out.append(f"> {md(plain(note))}")
        stream.write(terminal_safe("\n".join(out).rstrip("\n") + "\n"))
