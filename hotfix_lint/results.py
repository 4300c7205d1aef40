"""Frozen records passed between the rules, the engine and the reporters.

Rules produce :class:`Finding` values (what they observed); the engine turns them into
:class:`Violation` values (with the severity and waiver decided); reporters render a
:class:`~hotfix_lint.report.model.Report` of them. Nothing here does I/O.
"""

from __future__ import annotations

import enum
import shlex
from collections.abc import Sequence
from dataclasses import dataclass


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
    #: the hotfix the finding is about (its branch, else its tip), for grouping; ``None``: not one hotfix's
    hotfix: str | None = None


def shell_command(command: Sequence[str], *operands: str) -> str:
    """``command`` and its ``operands`` as one line that is safe to paste into a shell.

    A hint's command names branches and tags chosen by whoever pushed them
    (``hotfix/$(touch${IFS}x)`` is a valid branch name): every word is quoted with
    :func:`shlex.quote`, and ``--`` goes before the operands when one starts with ``-``, so a
    name cannot become an option either. ``command`` holds the program, its options and their
    values; ``operands`` the names (branches, tags, remotes, commits).
    """
    words = [*command, *(["--"] if any(o.startswith("-") for o in operands) else []), *operands]
    return shlex.join(words)


def merge_into(line: str, source: str) -> str:
    """Switch to ``line`` and merge ``source`` into it with a merge commit, as a pastable command."""
    return f"{shell_command(['git', 'switch'], line)} && {shell_command(['git', 'merge', '--no-ff'], source)}"
