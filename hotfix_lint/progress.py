"""Progress of a long read on stderr: one line on a terminal, a closing line in a log.

A run over a large history takes seconds to minutes; on a terminal the user sees what it is
doing (commits read, hotfixes judged) once it has taken :data:`DELAY` seconds, on one line
rewritten in place and cleared at the end. Off a terminal, and in CI (``CI`` set, as GitHub
Actions and most CI systems do), a log gets no carriage returns: one closing line only, and
only for a large history (a small one says nothing, wherever it runs).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from typing import IO

#: seconds before anything is shown
DELAY = 2.0
#: a history this large gets its closing line in a log
LARGE = 10_000


def wanted(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """A live line only on a terminal outside CI (``CI`` unset or ``false``/``0``)."""
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class StatusLine:
    """One line of a terminal, rewritten in place and cleared at the end."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.width = 0

    def show(self, text: str) -> None:
        columns = shutil.get_terminal_size((100, 20)).columns
        text = text[: max(10, columns - 1)]
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = len(text)

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


class HistoryProgress:
    """Commits read and hotfixes judged; :meth:`close` clears the line and writes the closing one."""

    def __init__(
        self,
        stream: IO[str],
        live: bool,
        *,
        delay: float = DELAY,
        interval: float = 0.2,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.live = live
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.commits = 0
        self.total = 0
        self.done = 0
        self._shown = 0.0
        self._line = StatusLine(stream)

    @classmethod
    def on(cls, stream: IO[str]) -> HistoryProgress:
        return cls(stream, wanted(stream))

    def line(self) -> str:
        text = f"hotfix-lint: {self.commits:,} commits read"
        if self.total:
            text += f" · {self.done:,}/{self.total:,} hotfixes judged"
        return text

    def read(self, commits: int) -> None:
        self.commits = commits
        self._show()

    def judging(self, hotfixes: int) -> None:
        self.total += hotfixes
        self._show()

    def judged(self) -> None:
        self.done += 1
        self._show()

    def _show(self) -> None:
        if not self.live:
            return
        now = self.clock()
        if now - self.started < self.delay or now - self._shown < self.interval:
            return
        self._shown = now
        self._line.show(self.line())

    def close(self) -> None:
        """Clear the live line; after a long run, say what was read and how long it took."""
        shown = self._line.width > 0
        self._line.clear()
        elapsed = self.clock() - self.started
        if elapsed >= self.delay and (shown or self.commits >= LARGE):
            self.stream.write(f"{self.line()} in {elapsed:.1f} s\n")
        self.stream.flush()
