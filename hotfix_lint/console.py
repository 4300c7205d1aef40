"""The ``hotfix-lint`` console script: :func:`hotfix_lint.cli.main` as a process.

Three things belong to the process, not to ``main`` (which tests call in-process): a command
that reads a repository runs under the stall watchdog (:mod:`hotfix_lint.watchdog`: the
work in a forked child, before anything else is imported, so that the child copies little);
a standard output closed early (``| head``) ends quietly with exit status 141; and such a
command ends without the interpreter's teardown, once its outputs are flushed (its reports
are written and closed by then): freeing a large history's facts one object at a time
costs seconds nobody waits for usefully (1,000,000 commits: 2.8 s), as mypy's fast exit
avoids too.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

#: the commands that read a repository (``hook commit-msg`` reads only ``.git/HEAD``)
WATCHED_COMMANDS = frozenset({"check", "hotfixes", "hook", "init"})


def watched(arguments: Sequence[str]) -> bool:
    return bool(arguments) and arguments[0] in WATCHED_COMMANDS and arguments[1:2] != ["commit-msg"]


def run() -> NoReturn:
    """``hotfix-lint ARGUMENTS``: the exit status of :func:`~hotfix_lint.cli.main`."""
    arguments = sys.argv[1:]
    if watched(arguments):
        from hotfix_lint.errors import UserError
        from hotfix_lint.watchdog import can_watch, stall_seconds, supervise

        try:
            seconds = stall_seconds()
        except UserError as exc:
            sys.stderr.write(f"hotfix-lint: error: {exc}\n")
            sys.exit(exc.exit_status)
        if can_watch(seconds):
            status = supervise(seconds)
            if status is not None:  # the parent, whose child ran the command: nothing to flush
                os._exit(status)
    from hotfix_lint.cli import main
    from hotfix_lint.errors import EXIT_CLOSED_PIPE

    try:
        status = main(arguments)
        sys.stdout.flush()
        if watched(arguments):
            sys.stderr.flush()
            os._exit(status)  # no teardown (see the module)
    except BrokenPipeError:
        # the reader went away (``| head``): nothing more to say, and no "Exception ignored"
        # when the interpreter flushes what is left: both outputs go to /dev/null
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.dup2(devnull, sys.stderr.fileno())
        status = EXIT_CLOSED_PIPE
    sys.exit(status)
