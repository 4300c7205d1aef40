"""A one-line progress bar on stderr: repositories done, violations so far, API budget left.

Shown only on a terminal, and never in CI (``CI`` set, as GitHub Actions and most CI systems
do): a log gets the report, not a thousand carriage returns.
"""

from __future__ import annotations

import time
from typing import IO, TYPE_CHECKING

from hotfix_lint.audit.model import FAILED, RepoEntry
from hotfix_lint.progress import StatusLine, wanted

__all__ = ["ProgressBar", "wanted"]

if TYPE_CHECKING:
    from hotfix_lint.collect.conditional import ApiMeter


class ProgressBar:
    """``update`` after each repository; ``close`` clears the line."""

    def __init__(self, total: int, stream: IO[str], meter: ApiMeter | None = None, *, interval: float = 0.1) -> None:
        self.total = total
        self.stream = stream
        self.meter = meter
        self.interval = interval
        self.done = self.errors = self.warnings = self.failed = 0
        self._shown = 0.0
        self._line = StatusLine(stream)

    def line(self) -> str:
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        parts = [
            f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} repositories",
            f"{self.errors} errors, {self.warnings} warnings",
        ]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.meter is not None and self.meter.remaining is not None:
            budget = f"API {self.meter.remaining}"
            if self.meter.limit:
                budget += f"/{self.meter.limit}"
            parts.append(budget + " left")
        return " · ".join(parts)

    def update(self, entry: RepoEntry) -> None:
        self.done += 1
        self.errors += entry.errors
        self.warnings += entry.warnings
        self.failed += entry.status == FAILED
        now = time.monotonic()
        if now - self._shown < self.interval and self.done < self.total:
            return
        self._shown = now
        self._line.show(self.line())

    def close(self) -> None:
        self._line.clear()
