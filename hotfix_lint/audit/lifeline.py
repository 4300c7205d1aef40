"""Forked workers that end when the process that forked them ends, however it ends.

A worker of a process pool waits on pipes that every process of the pool inherited, so the
death of the main process (``kill -9``, the out-of-memory killer, a cancelled CI job) never
reaches it: it would wait, or finish its clone, for ever. The lifeline is a pipe whose write
end only the main process keeps open: each worker closes its inherited copy first thing, and
a thread of its own reads the other end, which sees end of file only when the last writer,
the main process, is gone; the worker then exits at once. It works wherever ``fork`` does
(Linux, macOS, the BSDs), needs no polling, and does not depend on who adopts the orphans.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: the exit status of a worker whose main process died (nobody reads it but a process table)
ORPHANED = 70


@dataclass(frozen=True)
class Lifeline:
    """The two ends of the pipe, as file descriptors (inherited by the workers through fork)."""

    read_end: int
    write_end: int

    @classmethod
    @contextmanager
    def open(cls) -> Iterator[Lifeline]:
        """A new lifeline for the workers forked inside the ``with`` (closed after it)."""
        read_end, write_end = os.pipe()
        try:
            yield cls(read_end, write_end)
        finally:
            os.close(read_end)
            os.close(write_end)


def die_with_parent(lifeline: Lifeline) -> None:
    """In a forked worker: let go of the write end, and exit as soon as the main process has."""
    os.close(lifeline.write_end)
    threading.Thread(target=_wait_for_end_of_file, args=(lifeline.read_end,), name="lifeline", daemon=True).start()


def _wait_for_end_of_file(read_end: int) -> None:
    try:
        while os.read(read_end, 1):  # nothing is ever written: only end of file comes
            pass
    except OSError:  # the pipe cannot be watched (closed under us): keep the worker, not the watch
        return
    os._exit(ORPHANED)
