"""User-facing error classes and the one table that maps them to exit statuses.

A user mistake (bad policy, unreadable repository, wrong flag) must never end in a traceback:
the CLI catches :class:`UserError` and prints its message.
"""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
#: ``audit``: some repository could not be audited (cloned, read or queried), or none could be listed
EXIT_INCOMPLETE = 3
#: standard output closed before everything was written (``| head``): 128 + SIGPIPE, what a
#: shell reports for git or grep killed by the closed pipe
EXIT_CLOSED_PIPE = 141


class UserError(Exception):
    """An error the user can fix; its message is printed as is, exit status 2."""

    exit_status = EXIT_USAGE


class PolicyError(UserError):
    """A policy file is broken: its message names file, line, key path and what is expected.

    Each problem quotes someone's text (a file name, a key, a link's target) and is printed on
    a terminal or a CI log, so each is made one printable line that starts no workflow command.
    """

    def __init__(self, problems: list[str], cut: bool = False) -> None:
        from hotfix_lint.terminal_text import printable_line

        self.problems = [printable_line(problem) for problem in problems]
        #: the list was cut: its last line says how many more there are
        self.cut = cut
        super().__init__("\n".join(self.problems))

    def __reduce__(self) -> tuple[type[PolicyError], tuple[list[str], bool]]:
        """Pickled with its problems (the audit's watched read sends errors between processes)."""
        return (type(self), (self.problems, self.cut))


class RepositoryError(UserError):
    """The repository cannot be read (missing, not a git repository, shallow, ...)."""


class UnknownRuleError(UserError):
    """A rule id given on the command line does not exist."""


class AuditIncompleteError(UserError):
    """The audit could not even start on its repositories (an organisation that cannot be
    listed): exit status 3, as when some repository failed."""

    exit_status = EXIT_INCOMPLETE


#: what an unreadable repository is told to do (a truncated pack or packed-refs, a broken HEAD)
FSCK_HINT = "the repository looks corrupt: run git fsck"


def unreadable_repository(exc: BaseException) -> RepositoryError | None:
    """A pygit2 error that escaped the collectors (a truncated pack or ``packed-refs``, HEAD naming
    an invalid ref) as the user's error, never a traceback; None for any other exception.
    pygit2 is not imported here: a command that never loaded it cannot have raised its errors."""
    pygit2 = sys.modules.get("pygit2")
    if pygit2 is None or not isinstance(exc, pygit2.GitError):
        return None
    return RepositoryError(f"the repository cannot be read ({exc}): {FSCK_HINT}")
