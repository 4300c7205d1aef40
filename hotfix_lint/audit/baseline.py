"""Drift: compare an audit with a previous one (``--baseline``), finding by finding.

A finding's identity is its repository, rule, ref, commit, path and message with numbers
taken out (so "pending for 3 days" and "pending for 4 days" are the same finding), the way
SARIF fingerprints are made. Each finding of the new report is ``new`` or ``unchanged``;
the baseline's findings that are gone are ``resolved``. A repository that failed in either
run has no findings to compare on that side: its findings are all new (it failed before),
or none are resolved (it fails, or is skipped, now: nothing is known).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hotfix_lint.audit.model import NEW, OK, UNCHANGED, AuditReport, Drift, RepoEntry, entries_by_name

_NUMBER = re.compile(r"\d+")


def finding_key(violation: Mapping[str, Any]) -> str:
    """A stable identity of a finding within its repository."""
    message = " ".join(_NUMBER.sub("#", str(violation.get("message") or "")).split())
    parts = [str(violation.get(k) or "") for k in ("rule", "ref", "commit", "path")]
    return hashlib.sha256("\x1f".join([*parts, message]).encode("utf-8")).hexdigest()[:24]


def compare_entry(entry: RepoEntry, previous: RepoEntry | None) -> RepoEntry:
    """``entry`` with its drift against ``previous`` (its baseline entry, if any)."""
    before = previous.status if previous is not None else None
    if entry.status != OK:  # failed or skipped now: nothing is known, nothing resolved
        return replace(entry, drift=Drift((), (), before))
    old = previous.violations if previous is not None and previous.status == OK else []
    remaining = Counter(finding_key(v) for v in old)
    marks: list[str] = []
    for violation in entry.violations:
        key = finding_key(violation)
        if remaining[key] > 0:
            remaining[key] -= 1
            marks.append(UNCHANGED)
        else:
            marks.append(NEW)
    resolved: list[Mapping[str, Any]] = []
    for violation in old:
        key = finding_key(violation)
        if remaining[key] > 0:
            remaining[key] -= 1
            resolved.append(violation)
    return replace(entry, drift=Drift(tuple(marks), tuple(resolved), before))


def apply_baseline(report: AuditReport, baseline: AuditReport, baseline_name: str) -> AuditReport:
    """``report`` with every entry compared to ``baseline``; ``source.baseline`` names it."""
    previous = entries_by_name(baseline.repositories)
    entries = tuple(compare_entry(e, previous.get(e.repository.lower())) for e in report.repositories)
    return replace(report, repositories=entries, source={**report.source, "baseline": baseline_name})
