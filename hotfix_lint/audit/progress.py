"""A one-line progress bar on stderr: repositories done, violations so far, API budget left.

Shown only on a terminal, and never in CI (``CI`` set, as GitHub Actions and most CI systems
do): a log gets the report, not a thousand carriage returns.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

from hotfix_lint.audit.model import FAILED, RepoEntry

if TYPE_CHECKING:
    from hotfix_lint.collect.conditional import ApiMeter


def wanted(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """A bar only on a terminal outside CI (``CI`` unset or ``false``/``0``)."""
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """``update`` after each repository; ``close`` clears the line."""

    def __init__(self, total: int, stream: IO[str], meter: ApiMeter | None = None, *, interval: float = 0.1) -> None:
        self.total = total
        self.stream = stream
        self.meter = meter
        self.interval = interval
        self.done = self.errors = self.warnings = self.failed = 0
        self._shown = 0.0
        self._width = 0

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
        columns = shutil.get_terminal_size((100, 20)).columns
        text = self.line()[: max(10, columns - 1)]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
