"""JUnit XML for CI test views: one ``<testcase>`` per rule run, named after the rule.

JUnit has pass, failure and skipped, and nothing for a warning, so the mapping is:

- an unwaived error makes the rule's test case a ``<failure>`` (as it makes the exit status 1);
- otherwise, an unwaived "could not check" makes it ``<skipped>``: the rule reached no verdict;
- otherwise it passes, warnings included (a warning never fails the build).

Every finding of the rule (errors, warnings, could-not-check, waived with their reasons) is
listed in the test case's ``<system-out>``, so a passing test case still shows its warnings.
The output is valid against the JUnit schema CI systems read (Jenkins' ``junit-10.xsd``).

The file may well be printed in a CI log, where a line starting with ``::`` or holding ``##[``
is a command to the GitHub Actions runner; so a line break inside a value is written as
``&#10;`` and ``[`` after ``##`` as ``&#91;`` (the same text to any XML reader), and no value
ever starts a line of the file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # building only: nothing is parsed here
from typing import IO

from hotfix_lint.report import described_rules, finding_label, plural, show_code
from hotfix_lint.report.model import Report
from hotfix_lint.results import FindingKind, Severity, Violation

#: characters XML 1.0 cannot carry at all (not even as references): shown as \\xNN instead;
#: also the private-use character that stands for a line break until the text is serialised
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ue000\ufffe\uffff]")
_NEWLINE = "\ue000"


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by a visible ``\\xNN``/``\\uNNNN``."""
    return _NOT_XML.sub(show_code, text)


def _body(lines: list[str]) -> str:
    """Element text, each line ending to be written as ``&#10;`` (XML reads any line ending as that)."""
    return xml_text(re.sub(r"\r\n?", "\n", "\n".join(lines))).replace("\n", _NEWLINE)


def _describe(violation: Violation) -> str:
    where = [part for part in (violation.ref, violation.commit) if part]
    if violation.path:
        where.append(f"{violation.path}:{violation.line}" if violation.line else violation.path)
    text = f"{finding_label(violation)}: {violation.message}" + (f" [{' '.join(where)}]" if where else "")
    if violation.waived:
        text += f"\n    waived: {violation.waiver_reason or 'by the policy'}"
    elif violation.hint:
        text += f"\n    fix: {violation.hint}"
    return text


def report_to_junit(report: Report) -> ET.Element:
    """The ``<testsuites>`` element: one suite, one test case per rule run (or with a finding)."""
    cases: list[ET.Element] = []
    failures = skipped = 0
    for info in described_rules(report):
        case = ET.Element("testcase", classname=report.tool_name, name=info.id, time="0")
        found = [v for v in report.violations if v.rule == info.id]
        active = [v for v in found if not v.waived]
        errors = [v for v in active if v.severity is Severity.ERROR]
        unknown = [v for v in active if v.kind is FindingKind.COULD_NOT_CHECK]
        if errors:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=xml_text(f"{plural(len(errors), 'error')}: {errors[0].message}"),
                type="error",
            )
            failure.text = _body([_describe(v) for v in errors])
        elif unknown:
            skipped += 1
            ET.SubElement(case, "skipped", message=xml_text(f"could not check: {unknown[0].message}"))
        if found:
            out = ET.SubElement(case, "system-out")
            header = f"{info.id}: {info.summary}" if info.summary else info.id
            out.text = _body([header, *(_describe(v) for v in found)])
        cases.append(case)

    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}
    # the common schema (Jenkins' junit-10.xsd) counts skipped test cases on the suite only
    root = ET.Element("testsuites", {"name": report.tool_name, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": report.tool_name, **counts, "skipped": str(skipped), "time": "0"})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("repository", report.repository),
        ("policy", report.policy),
        ("version", report.tool_version),
    ):
        ET.SubElement(properties, "property", name=name, value=xml_text(value))
    suite.extend(cases)
    if report.notes:
        ET.SubElement(suite, "system-out").text = _body([f"note: {n}" for n in report.notes])
    return root


class JunitReporter:
    """Writes :func:`report_to_junit` as indented XML, ASCII-only (character references), so any stream takes it."""

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        root = report_to_junit(report)
        ET.indent(root)
        text = ET.tostring(root, encoding="us-ascii", xml_declaration=True).decode("ascii")
        # values only: the markup holds neither a private-use character nor "##["
        text = text.replace(f"&#{ord(_NEWLINE)};", "&#10;").replace("##[", "##&#91;")
        stream.write(text)
        stream.write("\n")
