"""One audit at a time per repository of a cache: a file lock that waits, with a bound.

Two audits may share a ``--cache`` (a scheduled run and one started by hand, two shards on
one machine). Without a lock, both clone or fetch the same mirror at once (one replaces the
mirror the other is reading; git's own ref locks refuse the second fetch) and write the same
state files. So a repository's audit runs holding an exclusive lock on
``HOST/locks/OWNER/NAME.lock``: the second audit waits until the first is done with that
repository, then finds its mirror and state fresh. The lock is an advisory ``flock`` (POSIX:
Linux, macOS, the BSDs; ``msvcrt.locking`` elsewhere) on an open file, so the kernel lets go
of it when its process ends, even by ``kill -9``: no stale lock to clean up, ever. Lock files
are never deleted (deleting one would let a third audit lock a new file beside a held one).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hotfix_lint.errors import UserError

#: how long an audit waits for another to finish with a repository (a big clone takes minutes)
DEFAULT_LOCK_TIMEOUT = 600.0
_LONGEST_NAP = 0.25


class LockTimeoutError(UserError):
    """Another audit kept the repository for longer than the wait allowed."""


def _try_lock(fd: int) -> bool:
    """Take the lock on ``fd`` if nobody holds it; whether it was taken."""
    try:
        import fcntl
    except ImportError:  # not POSIX: Windows locks a byte range instead
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def held(path: Path, timeout: float, what: str) -> Iterator[None]:
    """Hold the lock file ``path`` for the ``with``: wait up to ``timeout`` seconds for it, then
    raise :class:`LockTimeoutError` saying that another audit has ``what``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        nap = 0.01
        while not _try_lock(fd):
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockTimeoutError(
                    f"another audit on the same cache has been auditing {what} for longer than {timeout:g} s "
                    f"(lock {path}): let the audits run one after the other, give each its own --cache, "
                    "or wait longer with --lock-timeout SECONDS"
                )
            time.sleep(min(nap, left))
            nap = min(nap * 2, _LONGEST_NAP)
        yield
    finally:
        os.close(fd)  # closing the file lets go of the lock
