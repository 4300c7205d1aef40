"""Human-readable text: a summary by rule, then the findings grouped by hotfix, each hint once.

The first screen answers "how bad, and where": per rule its errors, warnings and the hotfixes
concerned; then one block per hotfix (what is wrong with it), a hint said once per block
however many findings share it. ``verbose`` gives the full listing by rule, every finding
with its own hint.

Every value (a branch or tag name, a commit subject, a policy's words) has its control
characters shown escaped, so that it cannot colour, move the cursor, retitle or clear a
terminal; the reporter's own colours are added after. The whole text then has no line a CI
runner would execute (:func:`~hotfix_lint.report.neutralise_commands`)."""

from __future__ import annotations

import io
from collections.abc import Callable
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


_BOLD = "\033[1m"
_RULE = "\033[36m"
#: hotfixes named per rule in the summary before "and N more"
_NAMED = 3
_OTHER = "other findings (not about one hotfix)"
_UNNAMED = "changes on production with no hotfix branch named"


class TextReporter:
    """Summary then findings by hotfix (``verbose``: by rule, in full); colour only when asked
    (the CLI asks on a terminal, unless ``NO_COLOR`` is set)."""

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        buffer = io.StringIO()
        if self.verbose:
            self._write(report, buffer, color=color)
        else:
            self._write_grouped(report, buffer, color=color)
        stream.write(neutralise_commands(buffer.getvalue()))

    def _header(self, report: Report, stream: IO[str], paint: Callable[[str, str], str]) -> None:
        esc = show_controls
        subject = f"{esc(report.repository)} (policy: {esc(report.policy)})"
        stream.write(f"hotfix-lint {report.tool_version}: {subject}\n")
        for note in report.notes:
            stream.write(paint(f"note: {esc(note)}", _DIM) + "\n")

    def _write_grouped(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        paint = _painter(color)
        esc = show_controls
        self._header(report, stream, paint)
        if report.violations:
            stream.write("\n" + paint("summary", _BOLD) + "\n")
            by_rule: dict[str, list[Violation]] = {}
            for violation in report.violations:
                by_rule.setdefault(violation.rule, []).append(violation)
            width = max(len(rule) for rule in by_rule)
            for rule in sorted(by_rule, key=lambda r: (-_weight(by_rule[r]), r)):
                found = by_rule[rule]
                counts = _counts(found, paint)
                hotfixes = list(dict.fromkeys(v.hotfix for v in found if v.hotfix and not _is_sha(v.hotfix)))
                unnamed = len({v.hotfix for v in found if v.hotfix and _is_sha(v.hotfix)})
                named = ", ".join(esc(h) for h in hotfixes[:_NAMED])
                more = f" and {len(hotfixes) - _NAMED} more" if len(hotfixes) > _NAMED else ""
                about = [named + more] if hotfixes else []
                about += [f"{unnamed} change(s) with no hotfix branch"] if unnamed else []
                about_text = f": {'; '.join(about)}" if about else ""
                pad = " " * (width - len(rule))
                stream.write(f"  {paint(esc(rule), _RULE)}{pad}  {counts}{about_text}\n")
            groups: dict[str, list[Violation]] = {}
            for violation in report.violations:
                hotfix = violation.hotfix
                key = _OTHER if hotfix is None else _UNNAMED if _is_sha(hotfix) else hotfix
                groups.setdefault(key, []).append(violation)
            order = sorted(groups, key=lambda g: (g in (_UNNAMED, _OTHER), g == _OTHER, -_weight(groups[g]), g))
            for group in order:
                found = sorted(groups[group], key=lambda v: (v.waived, v.severity is not Severity.ERROR, v.rule))
                title = group
                stream.write(f"\n{paint(esc(title), _BOLD)}  ({_counts(found, paint)})\n")
                said: set[str] = set()
                for violation in found:
                    self._finding(violation, stream, paint, said)
        stream.write(
            f"\n{report.errors} error(s), {report.warnings} warning(s), {report.waived} waived; "
            f"{len(report.rules_run)} rule(s) run\n"
        )

    def _finding(
        self, violation: Violation, stream: IO[str], paint: Callable[[str, str], str], said: set[str]
    ) -> None:
        esc = show_controls
        code = _COLORS.get(violation.severity, "") if not violation.waived else _DIM
        where = _location(violation)
        stream.write(
            f"  {paint(_label(violation), code)} {paint(esc(violation.rule), _RULE)}: {esc(violation.message)}"
            + (f"  [{where}]" if where else "")
            + "\n"
        )
        if violation.waived and violation.waiver_reason:
            stream.write(f"    waived: {esc(violation.waiver_reason)}\n")
        elif violation.hint and violation.hint not in said:
            said.add(violation.hint)
            stream.write(paint(f"    hint: {esc(violation.hint)}", _DIM) + "\n")

    def _write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        paint = _painter(color)
        esc = show_controls
        self._header(report, stream, paint)
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


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color and code else text

    return paint


def _weight(found: list[Violation]) -> int:
    """Errors first, then warnings: the order a reader fixes things in (negated by callers)."""
    live = [v for v in found if not v.waived]
    return sum(v.severity is Severity.ERROR for v in live) * 10_000 + len(live)


def _counts(found: list[Violation], paint: Callable[[str, str], str]) -> str:
    errors = sum(1 for v in found if not v.waived and v.severity is Severity.ERROR)
    warnings = sum(1 for v in found if not v.waived and v.severity is Severity.WARNING)
    waived = sum(1 for v in found if v.waived)
    parts = []
    if errors:
        parts.append(paint(f"{errors} error{'s' if errors > 1 else ''}", _COLORS[Severity.ERROR]))
    if warnings:
        parts.append(paint(f"{warnings} warning{'s' if warnings > 1 else ''}", _COLORS[Severity.WARNING]))
    if waived:
        parts.append(paint(f"{waived} waived", _DIM))
    return ", ".join(parts) or "nothing"


def _is_sha(text: str) -> bool:
    return len(text) == 40 and all(c in "0123456789abcdef" for c in text)
