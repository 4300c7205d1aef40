"""Progress on stderr: repositories done, violations so far, repositories per minute, the API
budget left and the estimated time to finish.

On a terminal outside CI, one line redrawn in place. Elsewhere (CI: ``CI`` set, as GitHub
Actions and most CI systems do; a log file), a plain line every :data:`LOG_INTERVAL` seconds,
so that a long audit shows it is alive without a thousand carriage returns in the log, and a
short one prints nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from hotfix_lint.audit.model import FAILED, RepoEntry
from hotfix_lint.progress import StatusLine, wanted

__all__ = ["LOG_INTERVAL", "ProgressBar", "wanted"]

if TYPE_CHECKING:
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github.pacing import Pacer

#: seconds between two lines where there is no terminal to redraw
LOG_INTERVAL = 30.0


class ProgressBar:
    """``update`` after each repository; ``close`` clears the line (or, logged, stops the lines).

    ``logged``: a line every ``interval`` seconds (default :data:`LOG_INTERVAL`), from a timer
    as well as after repositories (a repository that takes minutes does not silence it).
    """

    def __init__(
        self,
        total: int,
        stream: IO[str],
        meter: ApiMeter | None = None,
        *,
        interval: float | None = None,
        pacer: Pacer | None = None,
        logged: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.stream = stream
        self.meter = meter
        self.pacer = pacer
        self.logged = logged
        self.interval = interval if interval is not None else (LOG_INTERVAL if logged else 0.1)
        self.done = self.errors = self.warnings = self.failed = 0
        self._clock = clock
        self._started = clock()
        self._shown = self._started if logged else 0.0
        self._line = StatusLine(stream)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if logged and self.interval > 0:
            self._ticker = threading.Thread(target=self._tick, name="audit-progress", daemon=True)
            self._ticker.start()

    def line(self) -> str:
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        parts = [
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} repositories",
            f"{self.errors} errors, {self.warnings} warnings",
        ]
        if self.failed:
            parts.append(f"{self.failed} failed")
        elapsed = self._clock() - self._started
        if self.done and elapsed > 0:
            per_minute = self.done * 60 / elapsed
            parts.append(f"{per_minute:.0f} repositories/min")
            if self.done < self.total:
                parts.append(f"about {_duration((self.total - self.done) * elapsed / self.done)} left")
        remaining, limit = self._budget()
        if remaining is not None:
            parts.append(f"API {remaining}" + (f"/{limit}" if limit else "") + " left")
        return " · ".join(parts)

    def _budget(self) -> tuple[int | None, int | None]:
        """The hourly API budget left, as GitHub last reported it."""
        if self.pacer is not None:
            reading = self.pacer.reading()
            if reading.remaining is not None:
                return reading.remaining, reading.limit
        if self.meter is not None and self.meter.remaining is not None:
            return self.meter.remaining, self.meter.limit
        return None, None

    def update(self, entry: RepoEntry) -> None:
        with self._lock:
            self.done += 1
            self.errors += entry.errors
            self.warnings += entry.warnings
            self.failed += entry.status == FAILED
        self._show(final=self.done >= self.total)

    def _show(self, *, final: bool = False) -> None:
        with self._lock:
            now = self._clock()
            if now - self._shown < self.interval and not (final and not self.logged):
                return
            self._shown = now
            if self.logged:
                self.stream.write(self.line() + "\n")
                self.stream.flush()
                return
            self._line.show(self.line())

    def _tick(self) -> None:
        while not self._stop.wait(min(self.interval, 1.0)):
            self._show()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        self._line.clear()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
