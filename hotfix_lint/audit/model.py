"""The audit report: one entry per repository, each holding the check's JSON report.

The JSON form (:func:`to_dict`) is a versioned contract like the check's: ``version``,
``tool``, ``generated_at``, ``source`` (what was audited: organisations, repository file,
shard), ``summary`` (always recomputed from the entries, so a merged report sums right),
``repositories`` sorted by name, ``notes``. Each entry is ``{repository, status (ok | failed |
skipped), error, history (cloned | fetched | cached | unchanged), github (read | unchanged |
null), policy, pushed_at, report (the check's contract, or null), drift}``. Reports are read
back (:func:`from_dict`) to merge shards and to compare with a baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AUDIT_REPORT_VERSION = 1
REPORT_KIND = "hotfix-lint-audit"

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"
STATUSES = (OK, FAILED, SKIPPED)

NEW = "new"
UNCHANGED = "unchanged"
RESOLVED = "resolved"


class AuditFormatError(ValueError):
    """A file given as an audit report is not one; the message names the place."""


@dataclass(frozen=True)
class Drift:
    """What changed since the baseline: ``marks`` holds ``new`` or ``unchanged`` for each
    violation of the entry's report, in order; ``resolved`` the baseline's violations that
    are gone (as the baseline's JSON has them); ``previous`` the repository's status in the
    baseline (None: the baseline did not have it)."""

    marks: tuple[str, ...] = ()
    resolved: tuple[Mapping[str, Any], ...] = ()
    previous: str | None = None

    @property
    def new(self) -> int:
        return self.marks.count(NEW)

    @property
    def unchanged(self) -> int:
        return self.marks.count(UNCHANGED)


@dataclass(frozen=True)
class RepoEntry:
    """One repository's outcome: its check report, or why it could not be audited."""

    repository: str
    status: str
    error: str | None = None
    report: Mapping[str, Any] | None = None
    history: str | None = None
    policy: str | None = None
    pushed_at: str | None = None
    drift: Drift | None = None
    #: how the GitHub facts were had: ``read``, ``unchanged`` (every answer a 304: the kept
    #: facts), None (the rules read nothing from GitHub)
    github: str | None = None

    @property
    def violations(self) -> list[Mapping[str, Any]]:
        found = (self.report or {}).get("violations") or []
        return [v for v in found if isinstance(v, Mapping)]

    def count(self, severity: str) -> int:
        """Violations of ``severity`` that are not waived (as the check counts errors)."""
        return sum(1 for v in self.violations if v.get("severity") == severity and not v.get("waived"))

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def waived(self) -> int:
        return sum(1 for v in self.violations if v.get("waived"))


@dataclass(frozen=True)
class AuditReport:
    """Every repository audited, sorted by name; ``source`` says what was asked for."""

    tool_name: str
    tool_version: str
    generated_at: str
    repositories: tuple[RepoEntry, ...]
    source: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def failed(self) -> list[RepoEntry]:
        return [e for e in self.repositories if e.status == FAILED]

    @property
    def errors(self) -> int:
        return sum(e.errors for e in self.repositories)

    @property
    def has_baseline(self) -> bool:
        return bool(self.source.get("baseline")) or any(e.drift is not None for e in self.repositories)


def sort_entries(entries: Iterable[RepoEntry]) -> tuple[RepoEntry, ...]:
    """By name, case-insensitively: the order of every JSON report (shards merge to it)."""
    return tuple(sorted(entries, key=lambda e: (e.repository.lower(), e.repository)))


def worst_first(entries: Iterable[RepoEntry]) -> list[RepoEntry]:
    """Failed repositories, then by errors, warnings and name; skipped ones last."""
    rank = {FAILED: 0, OK: 1, SKIPPED: 2}
    return sorted(entries, key=lambda e: (rank.get(e.status, 1), -e.errors, -e.warnings, e.repository.lower()))


@dataclass(frozen=True)
class RuleCount:
    """One rule across the audit: unwaived errors and warnings, waived, repositories affected."""

    rule: str
    errors: int = 0
    warnings: int = 0
    waived: int = 0
    repositories: int = 0
    new: int = 0
    resolved: int = 0


def rule_counts(report: AuditReport) -> list[RuleCount]:
    """Per rule, most errors first (then warnings, then name)."""
    rows: dict[str, dict[str, int]] = {}

    def row(rule: str) -> dict[str, int]:
        return rows.setdefault(
            rule, dict.fromkeys(("errors", "warnings", "waived", "repositories", "new", "resolved"), 0)
        )

    for entry in report.repositories:
        marks = entry.drift.marks if entry.drift is not None else ()
        for index, violation in enumerate(entry.violations):
            counts = row(str(violation.get("rule")))
            if violation.get("waived"):
                counts["waived"] += 1
            elif violation.get("severity") in ("error", "warning"):
                counts[f"{violation.get('severity')}s"] += 1
            if index < len(marks) and marks[index] == NEW:
                counts["new"] += 1
        for rule in {str(v.get("rule")) for v in entry.violations}:
            row(rule)["repositories"] += 1
        for gone in entry.drift.resolved if entry.drift is not None else ():
            row(str(gone.get("rule")))["resolved"] += 1
    found = [RuleCount(rule, **counts) for rule, counts in rows.items()]
    return sorted(found, key=lambda r: (-r.errors, -r.warnings, -r.new, -r.resolved, r.rule))


def summarize(report: AuditReport) -> dict[str, Any]:
    """The ``summary`` block: counts over the entries (never stored state)."""
    entries = report.repositories
    audited = [e for e in entries if e.status == OK]
    summary: dict[str, Any] = {
        "repositories": len(entries),
        "ok": len(audited),
        "failed": sum(1 for e in entries if e.status == FAILED),
        "skipped": sum(1 for e in entries if e.status == SKIPPED),
        "with_errors": sum(1 for e in audited if e.errors),
        "with_warnings_only": sum(1 for e in audited if e.warnings and not e.errors),
        "clean": sum(1 for e in audited if not e.errors and not e.warnings),
        "errors": sum(e.errors for e in entries),
        "warnings": sum(e.warnings for e in entries),
        "waived": sum(e.waived for e in entries),
        "history_cached": sum(1 for e in entries if e.history == "cached"),
        "rules": {
            r.rule: {"errors": r.errors, "warnings": r.warnings, "waived": r.waived, "repositories": r.repositories}
            for r in rule_counts(report)
        },
        "drift": None,
    }
    if report.has_baseline:
        drifts = [e.drift for e in entries if e.drift is not None]
        new_errors = 0
        for entry in entries:
            marks = entry.drift.marks if entry.drift is not None else ()
            for index, violation in enumerate(entry.violations):
                if index < len(marks) and marks[index] == NEW and _is_error(violation):
                    new_errors += 1
        summary["drift"] = {
            "new": sum(d.new for d in drifts),
            "new_errors": new_errors,
            "unchanged": sum(d.unchanged for d in drifts),
            "resolved": sum(len(d.resolved) for d in drifts),
            "resolved_errors": sum(1 for d in drifts for v in d.resolved if _is_error(v)),
            "repositories_changed": sum(1 for d in drifts if d.new or d.resolved),
            "newly_failed": sum(1 for e in entries if e.status == FAILED and e.drift and e.drift.previous != FAILED),
            "no_longer_failing": sum(
                1 for e in entries if e.status != FAILED and e.drift and e.drift.previous == FAILED
            ),
            "not_in_baseline": sum(1 for e in entries if e.drift is not None and e.drift.previous is None),
        }
    return summary


def _is_error(violation: Mapping[str, Any]) -> bool:
    return violation.get("severity") == "error" and not violation.get("waived")


# -- JSON ------------------------------------------------------------------------------------


def entry_to_dict(entry: RepoEntry) -> dict[str, Any]:
    return {
        "repository": entry.repository,
        "status": entry.status,
        "error": entry.error,
        "history": entry.history,
        "github": entry.github,
        "policy": entry.policy,
        "pushed_at": entry.pushed_at,
        "report": None if entry.report is None else dict(entry.report),
        "drift": None
        if entry.drift is None
        else {
            "previous_status": entry.drift.previous,
            "violations": list(entry.drift.marks),
            "resolved": [dict(v) for v in entry.drift.resolved],
        },
    }


def to_dict(report: AuditReport) -> dict[str, Any]:
    """The audit report as plain data (the JSON contract); absent values are ``None``."""
    return {
        "version": AUDIT_REPORT_VERSION,
        "kind": REPORT_KIND,
        "tool": {"name": report.tool_name, "version": report.tool_version},
        "generated_at": report.generated_at,
        "source": dict(report.source),
        "summary": summarize(report),
        "repositories": [entry_to_dict(e) for e in sort_entries(report.repositories)],
        "notes": list(report.notes),
    }


def _expect(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise AuditFormatError(f"{where}: expected {what}")


def _entry_from_dict(data: Any, where: str) -> RepoEntry:
    _expect(isinstance(data, Mapping), where, "an object")
    repository = data.get("repository")
    _expect(isinstance(repository, str) and "/" in repository, f"{where}.repository", "OWNER/NAME")
    status = data.get("status")
    _expect(status in STATUSES, f"{where}.status", " or ".join(STATUSES))
    report = data.get("report")
    _expect(report is None or isinstance(report, Mapping), f"{where}.report", "the check's JSON report or null")
    if isinstance(report, Mapping):
        violations = report.get("violations")
        _expect(isinstance(violations, list), f"{where}.report.violations", "a list")
    drift = None
    raw = data.get("drift")
    if raw is not None:
        _expect(isinstance(raw, Mapping), f"{where}.drift", "an object or null")
        marks = raw.get("violations") or []
        resolved = raw.get("resolved") or []
        _expect(isinstance(marks, list) and all(m in (NEW, UNCHANGED) for m in marks), f"{where}.drift", "marks")
        _expect(isinstance(resolved, list), f"{where}.drift.resolved", "a list")
        previous = raw.get("previous_status")
        _expect(previous is None or previous in STATUSES, f"{where}.drift.previous_status", "a status or null")
        drift = Drift(tuple(marks), tuple(dict(v) for v in resolved if isinstance(v, Mapping)), previous)

    def text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None else str(value)

    return RepoEntry(
        repository=str(repository),
        status=str(status),
        error=text("error"),
        report=None if report is None else dict(report),
        history=text("history"),
        policy=text("policy"),
        pushed_at=text("pushed_at"),
        drift=drift,
        github=text("github"),
    )


def from_dict(data: Any, where: str = "report") -> AuditReport:
    """Read an audit report back; :class:`AuditFormatError` names what is wrong and where."""
    _expect(isinstance(data, Mapping), where, "a JSON object")
    if data.get("kind") != REPORT_KIND:
        hint = " (this is a `check` report; give an `audit --format json` report)" if "violations" in data else ""
        raise AuditFormatError(f"{where}: not a hotfix-lint audit report{hint}")
    version = data.get("version")
    if version != AUDIT_REPORT_VERSION:
        raise AuditFormatError(f"{where}: audit report version {version!r}; this hotfix-lint reads version 1")
    tool = data.get("tool") if isinstance(data.get("tool"), Mapping) else {}
    entries = data.get("repositories")
    _expect(isinstance(entries, list), f"{where}: repositories", "a list")
    source = data.get("source")
    notes = data.get("notes") or []
    return AuditReport(
        tool_name=str(tool.get("name") or "hotfix-lint"),
        tool_version=str(tool.get("version") or ""),
        generated_at=str(data.get("generated_at") or ""),
        repositories=sort_entries(
            _entry_from_dict(item, f"{where}: repositories[{index}]") for index, item in enumerate(entries)
        ),
        source=dict(source) if isinstance(source, Mapping) else {},
        notes=tuple(str(n) for n in notes) if isinstance(notes, list) else (),
    )


def entries_by_name(entries: Sequence[RepoEntry]) -> dict[str, RepoEntry]:
    return {e.repository.lower(): e for e in entries}
