"""Human-readable text: findings grouped by rule, one line each plus its hint.

Every value (a branch or tag name, a commit subject, a policy's words) has its control
characters shown escaped, so that it cannot colour, move the cursor, retitle or clear a
terminal; the reporter's own colours are added after. The whole text then has no line a CI
runner would execute (:func:`~hotfix_lint.report.neutralise_commands`)."""

from __future__ import annotations

import io
from itertools import groupby
from typing import IO

from hotfix_lint.report import neutralise_commands, show_controls
from hotfix_lint.report.model import Report
from hotfix_lint.results import FindingKind, Severity, Violation

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def _label(violation: Violation) -> str:
    if violation.waived:
        return "waived"
    if violation.kind is FindingKind.COULD_NOT_CHECK:
        return "could not check"
    return violation.severity.value


def _location(violation: Violation) -> str:
    parts = []
    if violation.ref:
        parts.append(violation.ref)
    if violation.commit:
        parts.append(violation.commit[:10])
    if violation.path:
        parts.append(f"{violation.path}:{violation.line}" if violation.line else violation.path)
    return show_controls(" ".join(parts))


class TextReporter:
    """Groups by rule; colour only when asked (the CLI asks on a TTY)."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        buffer = io.StringIO()
        self._write(report, buffer, color=color)
        stream.write(neutralise_commands(buffer.getvalue()))

    def _write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        def paint(text: str, code: str) -> str:
            return f"{code}{text}{_RESET}" if color else text

        esc = show_controls
        subject = f"{esc(report.repository)} (policy: {esc(report.policy)})"
        stream.write(f"hotfix-lint {report.tool_version}: {subject}\n")
        for note in report.notes:
            stream.write(paint(f"note: {esc(note)}", _DIM) + "\n")
        ordered = sorted(report.violations, key=lambda v: v.rule)
        for rule, group in groupby(ordered, key=lambda v: v.rule):
            stream.write(f"\n{esc(rule)}\n")
            for violation in group:
                label = _label(violation)
                code = _COLORS.get(violation.severity, "") if not violation.waived else _DIM
                where = _location(violation)
                stream.write(
                    f"  {paint(label, code)}: {esc(violation.message)}" + (f"  [{where}]" if where else "") + "\n"
                )
                if violation.waived and violation.waiver_reason:
                    stream.write(f"    waived: {esc(violation.waiver_reason)}\n")
                elif violation.hint:
                    stream.write(paint(f"    hint: {esc(violation.hint)}", _DIM) + "\n")
        stream.write(
            f"\n{report.errors} error(s), {report.warnings} warning(s), {report.waived} waived; "
            f"{len(report.rules_run)} rule(s) run\n"
        )
