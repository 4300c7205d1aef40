"""The report reporters render: one repository, one policy, the violations and the rules run.

Built by ``check``, the audit and a git hook when it has something to print; apart from
:mod:`hotfix_lint.results` (what rules and the engine produce) so that a hook that finds
nothing never defines these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hotfix_lint.results import Severity, Violation


@dataclass(frozen=True)
class RuleInfo:
    """A rule's metadata as reporters show it (SARIF rule descriptors, JUnit test names).

    A copy of the registry's class attributes, so that reporters need not import the rules.
    """

    id: str
    summary: str
    explanation: str
    default_severity: Severity
    help_uri: str | None = None  # the rule's documentation page (SARIF ``helpUri``)


@dataclass(frozen=True)
class Report:
    """Everything a reporter needs: one repository, one policy, the violations.

    ``rules`` describes the rules (at least those run); a reporter falls back to the bare id
    for a rule it lacks. ``anchor`` is the repository-relative file, present at the analysed
    commit, that a finding with no path of its own (history, settings) is pinned to where a
    format wants a file (SARIF); ``None``: there is none, such findings have no file.
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
