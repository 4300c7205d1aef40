"""The audit in Markdown (a job summary, an issue, a wiki page): what changed, the
repositories worst first with their findings per rule, the totals per rule, the failures.
Every value from a repository is escaped as the check's Markdown report escapes it."""

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
        shown = [
            e
            for e in worst_first(report.repositories)
            if e.status == FAILED or e.errors or e.warnings or resolved_count(e)
        ]
        if shown:
            out += ["## Repositories, worst first", ""]
            header = [
                "repository",
                "errors",
                "warnings",
                *(["new", "resolved"] if drift else []),
                *[md(r) for r in rules],
            ]
            out.append(_row(header))
            out.append(_row(["---", *["---:" for _ in header[1:]]]))
            for entry in shown:
                if entry.status == FAILED:
                    out.append(_row([md(entry.repository), "**failed**", "", *([""] * (len(header) - 3))]))
                    continue
                marks = [str(new_count(entry)), str(resolved_count(entry))] if drift else []
                cells = []
                for rule in rules:
                    errors, warnings = cell(entry, rule)
                    cells.append("" if not errors and not warnings else f"{errors}/{warnings}")
                out.append(_row([md(entry.repository), str(entry.errors), str(entry.warnings), *marks, *cells]))
            out += ["", "Rule columns: errors/warnings.", ""]
        quiet = sum(1 for e in report.repositories if e.status == OK and e not in shown)
        skipped = sum(1 for e in report.repositories if e.status == SKIPPED)
        tail = []
        if quiet:
            tail.append(f"{plural(quiet, 'repository', 'repositories')} without findings")
        if skipped:
            tail.append(f"{plural(skipped, 'repository', 'repositories')} skipped (archived)")
        if tail:
            out += ["; ".join(tail) + ".", ""]
        counts = rule_counts(report)
        if counts:
            out += ["## By rule", ""]
            header = ["rule", "errors", "warnings", "waived", "repositories", *(["new", "resolved"] if drift else [])]
            out.append(_row(header))
            out.append(_row(["---", *["---:" for _ in header[1:]]]))
            for row in counts:
                extra = [str(row.new), str(row.resolved)] if drift else []
                out.append(
                    _row(
                        [
                            md(row.rule),
                            str(row.errors),
                            str(row.warnings),
                            str(row.waived),
                            str(row.repositories),
                            *extra,
                        ]
                    )
                )
            out.append("")
        failed = [e for e in report.repositories if e.status == FAILED]
        if failed:
            out += ["## Could not be audited", ""]
            out += [f"- {md(e.repository)}: {md(plain(e.error or 'unknown reason'))}" for e in failed]
            out.append("")
        for note in report.notes:
            out.append(f"> {md(plain(note))}")
        stream.write("\n".join(out).rstrip("\n") + "\n")
