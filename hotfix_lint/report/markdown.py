"""Markdown (GitHub-flavoured): a summary table of the rules run, then the findings grouped by rule.

Branch names, commit messages and paths come from whoever pushed them, so every such value is
escaped: ``& < >`` become entities (no raw HTML reaches the page), Markdown punctuation gets a
backslash (no emphasis, links, images, code spans, table cells or math), a line break becomes
``<br>`` so a value never starts a block (a heading, a list, a quote), and control characters
are dropped. Only the reporter's own text carries markup. The same text is the GitHub step
summary (``--format github``).
"""

from __future__ import annotations

import re
from typing import IO

from hotfix_lint.report import described_rules, finding_label, plural
from hotfix_lint.report.model import Report, RuleInfo
from hotfix_lint.results import FindingKind, Severity, Violation

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PUNCTUATION = re.compile(r"([\\`*_\[\]()!|~$])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
#: what would open a block if a value stood at the start of a line or list item
_BLOCK_START = re.compile(r"^(#|\+|-|=|\d+(?=[.)]))")


def md(text: str) -> str:
    """``text`` escaped for inline Markdown: shows literally, line breaks as ``<br>``."""
    text = _CONTROL.sub("", text).replace("\t", " ")
    text = "".join(_ENTITIES.get(c, c) for c in text)
    text = _PUNCTUATION.sub(r"\\\1", text)
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", text)]
    return "<br>".join(lines)


def md_block(text: str) -> str:
    """Like :func:`md`, for a value that starts a list item: a leading ``#``, ``-``, ``1.`` is escaped too."""
    text = md(text)
    found = _BLOCK_START.match(text)
    if not found:
        return text
    if found.group().isdigit():  # "1." or "1)": escape the punctuation after the number
        end = found.end()
        return text[:end] + "\\" + text[end:]
    return "\\" + text


def _result(found: list[Violation]) -> str:
    active = [v for v in found if not v.waived]
    if any(v.severity is Severity.ERROR for v in active):
        return "failed"
    if any(v.kind is FindingKind.COULD_NOT_CHECK for v in active):
        return "could not check"
    if any(v.severity is Severity.WARNING for v in active):
        return "warnings"
    return "passed"


def _finding(violation: Violation) -> str:
    parts = [f"- **{finding_label(violation)}**: {md(violation.message)}"]
    where = []
    if violation.ref:
        where.append(f"ref {md(violation.ref)}")
    if violation.commit:
        where.append(f"commit {md(violation.commit[:12])}")
    if violation.path:
        where.append(md(f"{violation.path}:{violation.line}" if violation.line else violation.path))
    if where:
        parts.append(", ".join(where))
    if violation.waived:
        parts.append(f"waived: {md(violation.waiver_reason or 'by the policy')}")
    elif violation.hint:
        parts.append(f"fix: {md(violation.hint)}")
    return "<br>".join(parts)


def _heading(info: RuleInfo) -> str:
    return f"#### `{info.id}`" + (f": {md(info.summary)}" if info.summary else "")


def render_markdown(report: Report, *, max_bytes: int | None = None) -> str:
    """The Markdown text; with ``max_bytes``, findings that do not fit are counted instead of shown."""
    rules = described_rules(report)
    by_rule: dict[str, list[Violation]] = {info.id: [] for info in rules}
    for violation in report.violations:
        by_rule[violation.rule].append(violation)

    head = [
        f"## {md(report.tool_name)}: {plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')}, {report.waived} waived",
        "",
        f"Repository: {md(report.repository)} · policy: {md(report.policy)} · "
        f"{plural(len(report.rules_run), 'rule')} run",
        "",
        "| rule | result | errors | warnings | waived |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for info in rules:
        found = by_rule[info.id]
        active = [v for v in found if not v.waived]
        errors = sum(1 for v in active if v.severity is Severity.ERROR)
        warnings = sum(1 for v in active if v.severity is Severity.WARNING)
        waived = len(found) - len(active)
        head.append(f"| `{info.id}` | {_result(found)} | {errors} | {warnings} | {waived} |")

    tail: list[str] = []
    if report.notes:
        tail += ["", "### Notes", "", *(f"- {md_block(note)}" for note in report.notes)]

    body: list[str] = []
    if report.violations:
        body += ["", "### Findings"]
        for info in rules:
            if by_rule[info.id]:
                body += ["", _heading(info), "", *(_finding(v) for v in by_rule[info.id])]
    else:
        body += ["", "No findings."]

    text = "\n".join([*head, *body, *tail]) + "\n"
    if max_bytes is None or len(text.encode("utf-8")) <= max_bytes:
        return text
    return _shortened(head, rules, by_rule, tail, max_bytes)


def _shortened(
    head: list[str], rules: list[RuleInfo], by_rule: dict[str, list[Violation]], tail: list[str], max_bytes: int
) -> str:
    """The findings that fit in ``max_bytes``, then a line counting the rest."""
    total = sum(len(found) for found in by_rule.values())
    reserve = 200  # the closing line
    lines = [*head, "", "### Findings"]
    used = len("\n".join([*lines, *tail]).encode("utf-8")) + reserve
    shown = 0
    for info in rules:
        block = ["", _heading(info), ""]
        for violation in by_rule[info.id]:
            line = _finding(violation)
            cost = len("\n".join([*block, line]).encode("utf-8")) + 1
            if used + cost > max_bytes:
                break
            lines += [*block, line]
            used += cost
            block = []
            shown += 1
        else:
            continue
        break
    lines += ["", f"_{total - shown} more finding(s) not shown here: see the full report (json or sarif)._"]
    return "\n".join([*lines, *tail]) + "\n"


class MarkdownReporter:
    """Writes :func:`render_markdown`."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        stream.write(render_markdown(report))
