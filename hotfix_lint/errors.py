"""User-facing error classes and the one table that maps them to exit statuses.

A user mistake (bad policy, unreadable repository, wrong flag) must never end in a traceback:
the CLI catches :class:`UserError` and prints its message.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


class UserError(Exception):
    """An error the user can fix; its message is printed as is, exit status 2."""

    exit_status = EXIT_USAGE


class PolicyError(UserError):
    """A policy file is broken: its message names file, line, key path and what is expected."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class RepositoryError(UserError):
    """The repository cannot be read (missing, not a git repository, shallow, ...)."""


class UnknownRuleError(UserError):
    """A rule id given on the command line does not exist."""
