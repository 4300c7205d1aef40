"""``hotfix-lint audit`` run as a real process, and a look at the processes it leaves: for the
tests of what happens when an audit is killed, or runs beside another on the same cache."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

#: the audit with worker processes even on a machine of one CPU (two workers of one thread)
AUDIT_SCRIPT = """
import sys
from hotfix_lint.audit import workers
workers._usable_cpus = lambda: 2
from hotfix_lint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_audit(argv: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``hotfix-lint audit ARGV`` in a process of its own, its output to ``log``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_", "CI"))}
    clean.update(env)
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", AUDIT_SCRIPT, "audit", *argv], stdout=out, stderr=subprocess.STDOUT, env=clean
        )


def live_children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` and that still run (zombies do not count)."""
    table = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,stat="], capture_output=True, text=True, check=True).stdout
    found = []
    for line in table.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[1] == str(pid) and not fields[2].startswith("Z"):
            found.append(int(fields[0]))
    return found


def alive(pids: Sequence[int]) -> list[int]:
    """Those of ``pids`` that still run (a zombie has ended)."""
    table = subprocess.run(["ps", "-A", "-o", "pid=,stat="], capture_output=True, text=True, check=True).stdout
    running = {int(f[0]) for f in (line.split() for line in table.splitlines()) if len(f) >= 2 and f[1][0] != "Z"}
    return [pid for pid in pids if pid in running]


def wait_until(condition: object, seconds: float) -> bool:
    """Whether ``condition()`` became true within ``seconds`` (asked every 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


def kill_all(pids: Sequence[int]) -> None:
    """SIGKILL each of ``pids`` still running (a test's clean-up)."""
    for pid in alive(pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
