"""GitHub Actions: workflow-command annotations on standard output, a Markdown step summary.

Each unwaived finding is one ``::error``/``::warning`` line (a waived one, and each note, a
``::notice``), with ``file``/``line`` when the finding has a path. Branch names and commit
messages are chosen by whoever pushes, and the runner executes any line that starts with
``::`` (after blanks) and any ``##[command]`` anywhere in a line, so:

- every value is escaped as GitHub's toolkit does: in the message ``%`` ``\\r`` ``\\n`` become
  ``%25`` ``%0D`` ``%0A``; in a property also ``:`` ``,`` become ``%3A`` ``%2C``. A value can
  therefore never end the line, so it never starts one (no ``::stop-commands::``, no
  ``::add-mask::``), and never ends the properties early;
- other control characters (escape sequences, form feeds, Unicode line separators) are shown
  as ``\\xNN``/``\\uNNNN``;
- every line written starts with ``::error ``, ``::warning `` or ``::notice `` (which the runner
  parses as that command, so the ``##[`` form is never looked for), or is the closing count
  line, made of fixed words and numbers only.

The step summary is the :mod:`markdown <hotfix_lint.report.markdown>` report, appended (never
overwritten: other steps write there too) to the file named by ``GITHUB_STEP_SUMMARY`` in the
environment given to the reporter, within GitHub's 1 MiB limit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import IO

from hotfix_lint.report import plural, show_code
from hotfix_lint.report.markdown import render_markdown
from hotfix_lint.report.model import Report
from hotfix_lint.results import FindingKind, Severity, Violation

#: GitHub refuses a step summary larger than this
SUMMARY_LIMIT = 1024 * 1024
#: control characters other than the three the escaping handles, and Unicode line breaks
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LEVEL_ORDER = {"error": 0, "warning": 1, "notice": 2}


def escape_data(text: str) -> str:
    """A command's message, escaped as the toolkit's ``escapeData`` does."""
    return _CONTROL.sub(show_code, text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value, escaped as the toolkit's ``escapeProperty`` does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Mapping[str, str], message: str) -> str:
    """One workflow command line (without its newline), every value escaped."""
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value)
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _level(violation: Violation) -> str | None:
    if violation.waived:
        return "notice"
    if violation.severity is Severity.ERROR:
        return "error"
    if violation.severity is Severity.WARNING:
        return "warning"
    return None  # severity off: nothing to say


def _annotation(tool: str, violation: Violation, level: str) -> str:
    title = f"{tool}: {violation.rule}"
    if violation.waived:
        title += " (waived)"
    elif violation.kind is FindingKind.COULD_NOT_CHECK:
        title += " (could not check)"
    lines = [violation.message]
    where = [f"{name} {value}" for name, value in (("ref", violation.ref), ("commit", violation.commit)) if value]
    if where:
        lines.append(", ".join(where))
    if violation.waived:
        lines.append(f"waived: {violation.waiver_reason or 'by the policy'}")
    elif violation.hint:
        lines.append(f"fix: {violation.hint}")
    properties = {"title": title}
    if violation.path:
        properties["file"] = violation.path
        if violation.line:
            properties["line"] = str(violation.line)
    return command(level, properties, "\n".join(lines))


def command_lines(report: Report) -> Iterator[str]:
    """Every command line: errors, then warnings, then waived findings and notes as notices."""
    tool = report.tool_name
    found = [(level, v) for v in report.violations if (level := _level(v))]
    found.sort(key=lambda pair: _LEVEL_ORDER[pair[0]])
    for level, violation in found:
        yield _annotation(tool, violation, level)
    for note in report.notes:
        yield command("notice", {"title": f"{tool}: note"}, note)


class GithubReporter:
    """Annotations on the stream; the Markdown summary appended to ``GITHUB_STEP_SUMMARY``.

    ``environ`` is the environment to read ``GITHUB_STEP_SUMMARY`` from (tests pass their own);
    ``None`` means the process environment, read once here.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = dict(os.environ if environ is None else environ)

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        for line in command_lines(report):
            stream.write(line + "\n")
        summary = self._environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            problem = self._append_summary(report, summary)
            if problem:
                stream.write(command("warning", {"title": f"{report.tool_name}: step summary"}, problem) + "\n")
        # fixed words and numbers only: never a command, whatever the report holds
        stream.write(
            f"hotfix-lint: {plural(report.errors, 'error')}, {plural(report.warnings, 'warning')}, "
            f"{report.waived} waived; {plural(len(report.rules_run), 'rule')} run\n"
        )

    @staticmethod
    def _append_summary(report: Report, path: str) -> str | None:
        """Append the Markdown to ``path``; a sentence saying what went wrong, or ``None``."""
        try:
            used = os.path.getsize(path) if os.path.exists(path) else 0
            room = SUMMARY_LIMIT - used
            text = render_markdown(report, max_bytes=room)
            if len(text.encode("utf-8")) > room:
                return f"the step summary has no room left for the report ({used} of {SUMMARY_LIMIT} bytes used)"
            with open(path, "a", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as exc:
            return f"could not append the report to the step summary {path}: {exc.strerror or exc}"
        return None
