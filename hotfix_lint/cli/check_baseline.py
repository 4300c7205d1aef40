"""``check --baseline FILE``: report only the findings that are not in a recorded baseline.

A team adopting the tool on an old repository records today's findings once (``hotfix-lint
baseline``, a JSON report) and is judged from then on by what is new. A finding's identity is
the audit's (:func:`~hotfix_lint.audit.baseline.finding_key`: rule, ref, commit, path and the
message with its numbers taken out, so "pending for 3 days" stays the same finding); each
recorded finding hides one equal finding, so a second, new one of the same kind still shows.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from hotfix_lint.audit.baseline import finding_key
from hotfix_lint.errors import UserError
from hotfix_lint.report.model import Report
from hotfix_lint.results import Violation

#: the file ``hotfix-lint baseline`` writes when no --output is given
DEFAULT_BASELINE = ".hotfix-lint-baseline.json"


def read_baseline(path: Path) -> list[dict[str, Any]]:
    """The findings recorded in ``path`` (a JSON report of ``check``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"--baseline: cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UserError(f"--baseline: {path} is not JSON: {exc}") from exc
    found = data.get("violations") if isinstance(data, dict) else None
    if not isinstance(found, list) or not all(isinstance(v, dict) for v in found):
        raise UserError(f"--baseline: {path} is not a hotfix-lint JSON report (write one with `hotfix-lint baseline`)")
    return found


#: what a finding's identity is made of (see :func:`~hotfix_lint.audit.baseline.finding_key`)
_IDENTITY = ("rule", "ref", "commit", "path", "message")


def _as_mapping(violation: Violation) -> dict[str, Any]:
    return {name: getattr(violation, name) for name in _IDENTITY}


def apply_baseline(report: Report, recorded: list[dict[str, Any]], name: str) -> Report:
    """``report`` without the findings ``recorded`` holds; a note says how many were hidden."""
    remaining = Counter(finding_key(v) for v in recorded)
    kept: list[Violation] = []
    for violation in report.violations:
        key = finding_key(_as_mapping(violation))
        if remaining[key] > 0:
            remaining[key] -= 1
            continue
        kept.append(violation)
    hidden = len(report.violations) - len(kept)
    resolved = sum(remaining.values())
    note = f"baseline {name}: {hidden} known finding(s) not shown"
    if resolved:
        note += f"; {resolved} recorded finding(s) are gone (record a new baseline to drop them)"
    return replace(report, violations=tuple(kept), notes=(*report.notes, note))
