"""SARIF 2.1.0 for GitHub code scanning: one run, one descriptor per rule, one located result per finding.

A finding with a path of its own is located at that path and line. A finding about history
or repository settings has no file: it gets a *logical* location (the ref, the commit; SARIF
2.1.0 section 3.33, kind ``resource``) and, when the report names one, a physical location at
its *anchor* (``Report.anchor``, line 1): a file that exists at the analysed commit, chosen by
:mod:`hotfix_lint.collect.git.anchor` (the policy file, else the workflow that ran the check). With
no anchor the result has its logical location only, which is valid SARIF; GitHub code scanning,
which shows results at files, needs a file, and a tool notification in the log says so.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from typing import IO, Any
from urllib.parse import quote

from hotfix_lint.report import described_rules, write_log_safe_json
from hotfix_lint.report.model import Report, RuleInfo
from hotfix_lint.results import FindingKind, Severity, Violation

SARIF_VERSION = "2.1.0"
#: the schema the output is valid against (tests/data/sarif/ holds a copy)
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: the partialFingerprints key; bump the version if the hashed fields ever change
FINGERPRINT_KEY = "hotfixLint/v1"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.OFF: "note"}
_NUMBER = re.compile(r"\d+")
_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")


def _level(severity: Severity) -> str:
    return _LEVELS.get(severity, "note")


def _relative(path: str, root: str = "") -> str | None:
    """``path`` as a clean repository-relative POSIX path, or ``None`` when it lies outside."""
    path = path.replace("\\", "/")
    root = root.replace("\\", "/").rstrip("/")
    if root and path.startswith(root + "/"):
        path = path[len(root) + 1 :]
    if path.startswith("/") or re.match(r"[A-Za-z]:/", path):
        return None
    path = posixpath.normpath(path)
    if path in (".", "") or path == ".." or path.startswith("../"):
        return None
    return path


def anchor_path(report: Report) -> str | None:
    """The file a finding with no path of its own is shown at, or ``None`` (see the module docstring)."""
    return _relative(report.anchor, report.repository) if report.anchor else None


def _uri(path: str) -> str:
    """A relative URI reference for a repository path (every character outside A-Z a-z 0-9 _.-~/ escaped)."""
    return quote(path, safe="/")


def fingerprint(violation: Violation) -> str:
    """Stable across runs: rule, ref, commit, path and the message with its numbers left out.

    Numbers are left out so that a finding whose message counts days (a back-merge missing for
    12 days, then 13) stays the same code scanning alert instead of closing and reopening.
    """
    parts = (
        violation.rule,
        violation.ref or "",
        violation.commit or "",
        violation.path or "",
        _NUMBER.sub("#", violation.message),
    )
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _descriptor(info: RuleInfo) -> dict[str, Any]:
    summary = info.summary or info.id
    explanation = info.explanation or summary
    markdown = f"**{summary}**\n\n{explanation}"
    if info.help_uri:
        markdown += f"\n\n[Documentation of `{info.id}`]({info.help_uri})"
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": _pascal(info.id) or info.id,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": explanation},
        "help": {"text": explanation, "markdown": markdown},
    }
    if info.help_uri:
        descriptor["helpUri"] = info.help_uri
    descriptor["defaultConfiguration"] = {"level": _level(info.default_severity)}
    return descriptor


def _logical(violation: Violation) -> list[dict[str, str]]:
    """Where a finding without a file is: its ref and its commit (at least one entry)."""
    found = [
        {"name": name, "fullyQualifiedName": name, "kind": "resource"}
        for name in (violation.ref, violation.commit)
        if name
    ]
    return found or [{"name": "repository", "kind": "resource"}]


def _message(violation: Violation) -> str:
    lines = [violation.message]
    if violation.kind is FindingKind.COULD_NOT_CHECK:
        lines[0] = f"Could not check: {violation.message}"
    where = []
    if violation.ref:
        where.append(f"ref {violation.ref}")
    if violation.commit:
        where.append(f"commit {violation.commit}")
    if where:
        lines.append("At " + ", ".join(where) + ".")
    if violation.hint:
        lines.append(f"Fix: {violation.hint}")
    if violation.waived:
        lines.append(f"Waived: {violation.waiver_reason or 'by the policy'}")
    return "\n".join(lines)


def _location(violation: Violation, anchor: str | None) -> dict[str, Any]:
    path = _relative(violation.path) if violation.path else None
    if path:
        line = max(1, violation.line or 1)
        return {"physicalLocation": {"artifactLocation": {"uri": _uri(path)}, "region": {"startLine": line}}}
    location: dict[str, Any] = {}
    if anchor:
        location["physicalLocation"] = {"artifactLocation": {"uri": _uri(anchor)}, "region": {"startLine": 1}}
    location["logicalLocations"] = _logical(violation)
    return location


def _result(violation: Violation, rule_index: int, anchor: str | None) -> dict[str, Any]:
    path = _relative(violation.path) if violation.path else None
    properties: dict[str, Any] = {"kind": violation.kind.value}
    if violation.ref:
        properties["ref"] = violation.ref
    if violation.commit:
        properties["commit"] = violation.commit
    if not path:
        properties["anchored"] = True  # no file of its own inside the repository: see the module docstring
        if violation.path:
            properties["path"] = violation.path
    result: dict[str, Any] = {
        "ruleId": violation.rule,
        "ruleIndex": rule_index,
        "level": _level(violation.severity),
        "message": {"text": _message(violation)},
        "locations": [_location(violation, anchor)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(violation)},
        "properties": properties,
    }
    if violation.waived:
        reason = violation.waiver_reason or "waived by the policy"
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": reason}]
    return result


def report_to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as plain data."""
    rules = described_rules(report)
    index = {info.id: i for i, info in enumerate(rules)}
    anchor = anchor_path(report)
    invocation: dict[str, Any] = {"executionSuccessful": True}
    notes = list(report.notes)
    unplaced = sum(1 for v in report.violations if not (v.path and _relative(v.path)))
    if unplaced and not anchor:
        notes.append(
            f"{unplaced} finding(s) concern history or settings and no file of the analysed commit "
            "configures the check: they carry a logical location only, which GitHub code scanning "
            "does not show; commit a policy file (`hotfix-lint init`) to give them one"
        )
    if notes:
        invocation["toolExecutionNotifications"] = [{"level": "note", "message": {"text": n}} for n in notes]
    driver: dict[str, Any] = {"name": report.tool_name, "version": report.tool_version}
    if _SEMVER.fullmatch(report.tool_version):
        driver["semanticVersion"] = report.tool_version
    driver["rules"] = [_descriptor(info) for info in rules]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": [_result(v, index[v.rule], anchor) for v in report.violations],
        "properties": {"policy": report.policy, **({"anchor": anchor} if anchor else {})},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


class SarifReporter:
    """Writes :func:`report_to_sarif` as indented JSON, ASCII-only so any stream can take it.

    Safe to print in a GitHub Actions log: JSON escapes line breaks inside strings, so no value
    starts a line (``::command``), and ``[`` after ``##`` is written ``\\u005b`` so no value holds
    the runner's legacy ``##[command]`` either.
    """

    def write(self, report: Report, stream: IO[str], *, color: bool = False) -> None:
        write_log_safe_json(report_to_sarif(report), stream)
