"""A watched call's child (:func:`hotfix_lint.watchdog.call_watched`) dies with its parent, even
one stuck in C code that never lets its heartbeat beat: a killed audit leaves nothing spinning."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest

from hotfix_lint.watchdog import call_watched

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")


def _state(pid: int) -> str | None:
    """The process's state letter (``Z``: a zombie), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _spin_holding_the_gil(report: int) -> None:
    """Say which process this is on ``report``, then do what libgit2 does on a truncated
    object: a C loop that never lets the heartbeat beat (here the regular expression engine,
    backtracking for ever)."""
    os.write(report, str(os.getpid()).encode())
    re.match(r"(a+)+$", "a" * 64 + "b")


def test_a_child_spinning_in_c_dies_with_its_killed_parent() -> None:
    read_end, write_end = os.pipe()
    middle = os.fork()
    if middle == 0:  # pragma: no cover (the middle process: waits for a spinning child)
        with contextlib.suppress(BaseException):
            call_watched(600.0, _spin_holding_the_gil, write_end)
        os._exit(0)
    os.close(write_end)
    child = int(os.read(read_end, 64).decode())
    os.close(read_end)
    try:
        assert child != middle  # the watched child, not the process that waits for it
        assert _state(child) not in (None, "Z")
        os.kill(middle, signal.SIGKILL)  # as a watchdog kills a stalled process
        os.waitpid(middle, 0)
        deadline = time.monotonic() + 10
        while _state(child) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _state(child) in (None, "Z"), "the child outlived its killed parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
