"""What a git hook prints: one screen, what is wrong and the command that repairs it.

The first note says what was checked (``hotfix branch 'x'``, ``the commit message for
branch 'x'``); each unwaived finding is one line with its rule, then its repair; the last
line counts them and says where the reasons are. Waived findings are accepted: not shown.
Values are shown as the text report shows them: control characters escaped, no CI command.
"""

from __future__ import annotations

import io
from typing import IO

from hotfix_lint.report import neutralise_commands, plural, show_controls
from hotfix_lint.report.model import Report
from hotfix_lint.results import FindingKind, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}
_RESET = "\033[0m"


class HookReporter:
    """Compact text for a hook's output (pre-commit shows it when the hook fails)."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        buffer = io.StringIO()
        self._write(report, buffer, color=color)
        stream.write(neutralise_commands(buffer.getvalue()))

    def _write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        def paint(text: str, severity: Severity) -> str:
            return f"{_COLORS[severity]}{text}{_RESET}" if color and severity in _COLORS else text

        esc = show_controls
        subject, *notes = report.notes or ("the repository",)
        stream.write(f"{report.tool_name}: {esc(subject)} (policy: {esc(report.policy)})\n")
        shown = [v for v in report.violations if not v.waived]
        order = {Severity.ERROR: 0, Severity.WARNING: 1}
        for violation in sorted(shown, key=lambda v: order.get(v.severity, 2)):
            label = "could not check" if violation.kind is FindingKind.COULD_NOT_CHECK else violation.severity.value
            stream.write(f"  {paint(label, violation.severity)} [{esc(violation.rule)}] {esc(violation.message)}\n")
            if violation.hint:
                stream.write(f"      fix: {esc(violation.hint)}\n")
        for note in notes:
            stream.write(f"  note: {esc(note)}\n")
        rules = sorted({v.rule for v in shown})
        why = f"; why: hotfix-lint explain {esc(rules[0])}" if len(rules) == 1 else "; why: hotfix-lint explain RULE"
        stream.write(f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}{why}\n")
