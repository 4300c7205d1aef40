"""The audit as one self-contained HTML page: inline CSS, an inline SVG chart, no script, no
external asset (it opens from a CI artifact, a mail, a file share, offline).

A person looking at it sees, top to bottom: the headline and what changed since the last run;
a few big numbers; a bar chart of violations by rule; the repositories worst first, each with
its status, counts and the rules it breaks; the counts per rule; why each failed repository
could not be audited; and, folded, every finding of every repository. Every value from a
repository or a report file is escaped: HTML's own characters as entities, control characters
and line breaks shown as ``\\xNN`` (a value never starts a line), ``[`` as ``&#91;`` (no
``##[`` command if the page is printed in a CI log).
"""

from __future__ import annotations

from html import escape
from typing import IO, Any

from hotfix_lint.audit.model import FAILED, NEW, OK, SKIPPED, AuditReport, RepoEntry, rule_counts, worst_first
from hotfix_lint.audit.report_common import (
    cell,
    drift_lead,
    headline,
    new_count,
    plain,
    plural,
    resolved_count,
    source_line,
    status_word,
)
from hotfix_lint.report import show_controls, terminal_safe

_CSS = """
:root{--err:#c62828;--warn:#e0a100;--ok:#2e7d32;--fail:#6a1b9a;--skip:#9e9e9e;--ink:#1f2328;
--muted:#59636e;--line:#d1d9e0;--bg:#f6f8fa;--new:#0969da}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;
color:var(--ink);background:#fff}
header{padding:24px 32px 16px;background:var(--bg);border-bottom:1px solid var(--line)}
main{padding:8px 32px 48px;max-width:1280px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px}
.headline{font-size:17px;margin:4px 0}.muted{color:var(--muted)}
.drift{margin:14px 0 0;padding:10px 14px;border-left:4px solid var(--new);background:#ddf4ff;border-radius:4px}
.drift p{margin:2px 0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0 4px}
.card{min-width:140px;padding:10px 16px;border:1px solid var(--line);border-radius:8px;background:#fff}
.card .n{font-size:28px;font-weight:600;display:block}.card .l{color:var(--muted);font-size:13px}
.card.err .n{color:var(--err)}.card.warn .n{color:#9a6700}.card.fail .n{color:var(--fail)}.card.ok .n{color:var(--ok)}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.status-failed td{background:#f5eefa}tr.status-errors td.num.e{color:var(--err);font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;
white-space:nowrap}
.b-failed{background:var(--fail)}.b-errors{background:var(--err)}.b-warnings{background:var(--warn);color:#1f2328}
.b-clean{background:var(--ok)}.b-skipped{background:var(--skip)}.b-new{background:var(--new)}
.b-resolved{background:#8c959f}
.rules span{display:inline-block;margin:0 6px 2px 0;padding:0 6px;border:1px solid var(--line);border-radius:4px;
font-size:12px;white-space:nowrap}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
details{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 10px}
summary{cursor:pointer;font-weight:600}
ul.findings{margin:6px 0 8px;padding-left:18px}ul.findings li{margin:3px 0}
.sev-error{color:var(--err);font-weight:600}.sev-warning{color:#9a6700;font-weight:600}.sev-waived{color:var(--muted)}
.hint{color:var(--muted);font-size:13px}
.chart{max-width:900px}.chart text{font-size:12px;fill:var(--ink)}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
"""


#: the findings of this many worst repositories are shown unfolded
OPEN_DETAILS = 3


def _e(value: Any) -> str:
    return escape(show_controls(str(value), line_feeds=False), quote=True).replace("[", "&#91;")


def _chart(report: AuditReport) -> str:
    """Horizontal stacked bars, errors then warnings, one per rule with findings."""
    rows = [r for r in rule_counts(report) if r.errors or r.warnings]
    if not rows:
        return '<p class="muted" id="chart-empty">No violations: nothing to chart.</p>'
    label_width, bar_width, row_height = 190, 560, 26
    biggest = max(r.errors + r.warnings for r in rows)
    height = row_height * len(rows) + 10
    parts = [
        f'<svg class="chart" id="chart" role="img" aria-labelledby="chart-title" '
        f'viewBox="0 0 {label_width + bar_width + 90} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Violations by rule (errors and warnings)</title>',
    ]
    for index, row in enumerate(rows):
        y = index * row_height + 5
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="rule-label">{_e(row.rule)}</text>'
        )
        x = float(label_width)
        for count, colour, word in ((row.errors, "#c62828", "error"), (row.warnings, "#e0a100", "warning")):
            if not count:
                continue
            width = max(2.0, bar_width * count / biggest)
            parts.append(
                f'<rect class="bar bar-{word}" data-rule="{_e(row.rule)}" data-count="{count}" x="{x:.1f}" '
                f'y="{y + 2}" width="{width:.1f}" height="{row_height - 8}" rx="2" fill="{colour}">'
                f"<title>{_e(row.rule)}: {plural(count, word)}</title></rect>"
            )
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 15}" class="bar-total">{row.errors + row.warnings}'
            f"{f' ({row.errors} E)' if row.errors and row.warnings else ''}</text>"
        )
    parts.append("</svg>")
    legend = (
        '<p class="legend"><span><i class="sw" style="background:#c62828"></i>errors</span>'
        '<span><i class="sw" style="background:#e0a100"></i>warnings</span></p>'
    )
    return "".join(parts) + legend


def _badge(word: str) -> str:
    key = word.split(" ", 1)[0]
    return f'<span class="badge b-{_e(key)}">{_e(key)}</span>'


def _rules_cell(entry: RepoEntry) -> str:
    found: dict[str, tuple[int, int]] = {}
    for violation in entry.violations:
        rule = str(violation.get("rule"))
        if rule not in found:
            found[rule] = cell(entry, rule)
    spans = [
        f'<span title="{_e(rule)}: {e} errors, {w} warnings">{_e(rule)} {e}/{w}</span>'
        for rule, (e, w) in sorted(found.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        if e or w
    ]
    return '<td class="rules">' + "".join(spans) + "</td>"


def _repositories(report: AuditReport) -> str:
    drift = report.has_baseline
    head = ["status", "repository", "errors", "warnings", *(["new", "resolved"] if drift else []), "rules", "history"]
    numeric = {"errors", "warnings", "new", "resolved"}
    out = ['<table id="repositories"><thead><tr>']
    out += [f'<th class="{"num" if h in numeric else ""}">{h}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for entry in worst_first(e for e in report.repositories if e.status != SKIPPED):
        word = status_word(entry)
        out.append(
            f'<tr class="status-{_e(word)}" data-repository="{_e(entry.repository)}" '
            f'data-status="{_e(entry.status)}" data-errors="{entry.errors}" data-warnings="{entry.warnings}">'
        )
        out.append(f"<td>{_badge(word)}</td><td><code>{_e(entry.repository)}</code></td>")
        if entry.status == FAILED:
            span = len(head) - 2
            out.append(f'<td colspan="{span}" class="error">{_e(plain(entry.error or "unknown reason"))}</td></tr>')
            continue
        out.append(f'<td class="num e">{entry.errors}</td><td class="num">{entry.warnings}</td>')
        if drift:
            out.append(f'<td class="num">{new_count(entry)}</td><td class="num">{resolved_count(entry)}</td>')
        out.append(_rules_cell(entry))
        out.append(f'<td class="muted">{_e(entry.history or "")}</td></tr>')
    out.append("</tbody></table>")
    skipped = [e for e in report.repositories if e.status == SKIPPED]
    if skipped:
        names = ", ".join(f"<code>{_e(e.repository)}</code>" for e in skipped)
        out.append(
            f'<details id="skipped"><summary>{plural(len(skipped), "repository", "repositories")} skipped '
            f"(archived)</summary><p>{names}</p></details>"
        )
    return "".join(out)


def _rules_table(report: AuditReport) -> str:
    drift = report.has_baseline
    rows = rule_counts(report)
    if not rows:
        return '<p class="muted">No rule reported anything.</p>'
    head = ["rule", "errors", "warnings", "waived", "repositories", *(["new", "resolved"] if drift else [])]
    out = ['<table id="rules"><thead><tr>']
    out += [f'<th class="{"" if h == "rule" else "num"}">{h}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        extra = f'<td class="num">{row.new}</td><td class="num">{row.resolved}</td>' if drift else ""
        out.append(
            f'<tr data-rule="{_e(row.rule)}"><td><code>{_e(row.rule)}</code></td><td class="num">{row.errors}</td>'
            f'<td class="num">{row.warnings}</td><td class="num">{row.waived}</td>'
            f'<td class="num">{row.repositories}</td>{extra}</tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _finding(violation: Any, mark: str | None) -> str:
    severity = "waived" if violation.get("waived") else str(violation.get("severity"))
    where = " ".join(
        _e(part)
        for part in (violation.get("ref"), str(violation.get("commit") or "")[:10] or None, violation.get("path"))
        if part
    )
    bits = [f'<span class="sev-{_e(severity)}">{_e(severity)}</span>']
    if mark == NEW:
        bits.append('<span class="badge b-new">new</span>')
    bits.append(f"<code>{_e(violation.get('rule'))}</code> {_e(plain(violation.get('message') or ''))}")
    if where:
        bits.append(f'<span class="muted">[{where}]</span>')
    hint = violation.get("waiver_reason") if violation.get("waived") else violation.get("hint")
    if hint:
        bits.append(f'<br><span class="hint">{_e(plain(hint))}</span>')
    return "<li>" + " ".join(bits) + "</li>"


def _details(report: AuditReport) -> str:
    out: list[str] = []
    shown = 0
    for entry in worst_first(report.repositories):
        if entry.status != OK or not (entry.violations or resolved_count(entry)):
            continue
        marks = entry.drift.marks if entry.drift is not None else ()
        shown += 1
        opened = " open" if shown <= OPEN_DETAILS else ""
        name = _e(entry.repository)
        out.append(
            f'<details class="repo"{opened} data-repository="{name}"><summary><code>{name}'
            f"</code> {plural(entry.errors, 'error')}, {plural(entry.warnings, 'warning')}</summary>"
            f'<p class="muted">policy: {_e(entry.policy or "")}</p><ul class="findings">'
        )
        for index, violation in enumerate(entry.violations):
            out.append(_finding(violation, marks[index] if index < len(marks) else None))
        out.append("</ul>")
        if entry.drift is not None and entry.drift.resolved:
            out.append('<p><span class="badge b-resolved">resolved</span> since the baseline:</p><ul class="findings">')
            for violation in entry.drift.resolved:
                out.append(_finding(violation, None))
            out.append("</ul>")
        out.append("</details>")
    if not out:
        return '<p class="muted">No findings.</p>'
    return "".join(out)


class AuditHtmlReporter:
    """One page, no external assets."""

    def write(self, report: AuditReport, stream: IO[str]) -> None:
        s_failed = [e for e in report.repositories if e.status == FAILED]
        with_errors = sum(1 for e in report.repositories if e.status == OK and e.errors)
        warnings = sum(e.warnings for e in report.repositories)
        cards = [
            ("", len(report.repositories), "repositories"),
            ("err", with_errors, "with errors"),
            ("fail" if s_failed else "ok", len(s_failed), "could not be audited"),
            ("err", report.errors, "errors"),
            ("warn", warnings, "warnings"),
        ]
        if report.has_baseline:
            new = sum(new_count(e) for e in report.repositories)
            resolved = sum(resolved_count(e) for e in report.repositories)
            cards += [("", new, "new since baseline"), ("ok", resolved, "resolved")]
        lead = drift_lead(report)
        where = source_line(report)
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>hotfix-lint audit</title>",
            f"<style>{_CSS}</style></head><body>",
            "<header><h1>hotfix-lint audit</h1>",
            f'<p class="headline" id="headline">{_e(headline(report))}</p>',
            f'<p class="muted">{_e(where)}{" · " if where else ""}generated {_e(report.generated_at)} '
            f"by hotfix-lint {_e(report.tool_version)}</p>",
        ]
        if lead:
            parts.append('<div class="drift" id="drift">' + "".join(f"<p>{_e(line)}</p>" for line in lead) + "</div>")
        parts.append("</header><main>")
        parts.append(
            '<div class="cards" id="cards">'
            + "".join(
                f'<div class="card {cls}"><span class="n">{n}</span><span class="l">{_e(label)}</span></div>'
                for cls, n, label in cards
            )
            + "</div>"
        )
        parts.append("<h2>Violations by rule</h2>")
        parts.append(_chart(report))
        parts.append("<h2>Repositories, worst first</h2>")
        parts.append(_repositories(report))
        parts.append("<h2>By rule</h2>")
        parts.append(_rules_table(report))
        if s_failed:
            parts.append('<h2>Could not be audited</h2><ul id="failures">')
            parts += [
                f"<li><code>{_e(e.repository)}</code>: {_e(plain(e.error or 'unknown reason'))}</li>" for e in s_failed
            ]
            parts.append("</ul>")
        parts.append("<h2>Findings</h2>")
        parts.append(_details(report))
        if report.notes:
            parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{_e(plain(n))}</li>" for n in report.notes) + "</ul>")
        parts.append("<footer>Rule cells read errors/warnings; waived findings are not counted.</footer>")
        parts.append("</main></body></html>")
        stream.write(terminal_safe("\n".join(parts) + "\n"))
