"""Frozen records passed between the engine and the reporters.

Rules produce :class:`Finding` values (what they observed); the engine turns them into
:class:`Violation` values (with the severity and waiver decided); reporters render a
:class:`Report`. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    """How much a finding matters; ``off`` disables a rule."""

    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


class FindingKind(str, enum.Enum):
    """A violation of the policy, or a check that could not be made (never a pass)."""

    VIOLATION = "violation"
    COULD_NOT_CHECK = "could-not-check"


@dataclass(frozen=True)
class Finding:
    """One observation by a rule.

    ``severity`` is only set when the rule knows better than the policy's severity for this
    one case (a stale base is a warning, a back-merge still inside its grace period is a
    warning "pending"); the engine never raises it above the configured severity.
    """

    rule: str
    message: str
    ref: str | None = None
    commit: str | None = None
    path: str | None = None
    line: int | None = None
    hint: str | None = None
    severity: Severity | None = None
    kind: FindingKind = FindingKind.VIOLATION
    #: Extra ids a waiver may name: the hotfix branch, the merge commit, the hotfix tip.
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Violation:
    """A finding after the engine's decisions: final severity and waiver."""

    rule: str
    severity: Severity
    message: str
    ref: str | None
    commit: str | None
    path: str | None
    line: int | None
    hint: str | None
    waived: bool = False
    waiver_reason: str | None = None
    kind: FindingKind = FindingKind.VIOLATION


@dataclass(frozen=True)
class RuleInfo:
    """A rule's metadata as reporters show it (SARIF rule descriptors, JUnit test names).

    A copy of the registry's class attributes, so that reporters need not import the rules.
    """

    id: str
    summary: str
    explanation: str
    default_severity: Severity


@dataclass(frozen=True)
class Report:
    """Everything a reporter needs: one repository, one policy, the violations.

    ``rules`` describes the rules (at least those run); a reporter falls back to the bare id
    for a rule it lacks. ``anchor`` is the repository-relative file that a finding with no
    path of its own (history, settings) is pinned to where a format needs a file (SARIF);
    ``None`` lets the reporter choose (the policy file, else ``.hotfix-lint.yaml``).
    """

    tool_name: str
    tool_version: str
    repository: str
    policy: str
    violations: tuple[Violation, ...]
    rules_run: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    rules: tuple[RuleInfo, ...] = field(default=())
    anchor: str | None = None

    @property
    def errors(self) -> int:
        return sum(1 for v in self.violations if v.severity is Severity.ERROR and not v.waived)

    @property
    def warnings(self) -> int:
        return sum(1 for v in self.violations if v.severity is Severity.WARNING and not v.waived)

    @property
    def waived(self) -> int:
        return sum(1 for v in self.violations if v.waived)
