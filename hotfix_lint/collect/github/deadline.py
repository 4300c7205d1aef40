"""Wall-clock limits on talking to GitHub: a deadline per request, a budget per run.

A socket timeout bounds one read, not a request: a server that sends one byte every few
seconds never trips it. Each request therefore gets a :class:`Deadline` (at most
:data:`REQUEST_SECONDS`, and never past the run's end), which the connection layer consults
before every read and write; the run's :class:`GitHubBudget` (``--github-timeout``) bounds
all requests together, and remembers the first rate-limit answer so that nothing more is
asked until it resets. Nothing here knows how HTTP is spoken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from hotfix_lint.collect.github.rate_limit import RateLimit

if TYPE_CHECKING:
    from hotfix_lint.collect.github.pacing import Pacer

#: seconds one request may take in all (connecting, sending, reading the whole answer)
REQUEST_SECONDS = 30.0
#: ``--github-timeout`` of ``check`` and of ``audit`` unless given
CHECK_BUDGET_SECONDS = 120.0
AUDIT_BUDGET_SECONDS = 3600.0


class DeadlineExceeded(TimeoutError):
    """A request ran out of time (a ``TimeoutError``, so an ``OSError`` as network errors are)."""


class Deadline:
    """A point in time (monotonic clock: shared by forked workers, immune to clock changes)."""

    def __init__(self, seconds: float, *, why: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.seconds = seconds
        self.end = clock() + seconds
        #: what running out means, for the message
        self.why = why or f"no complete answer within {seconds:g} s"

    def remaining(self) -> float:
        return max(0.0, self.end - self._clock())

    @property
    def expired(self) -> bool:
        return self._clock() >= self.end

    def timeout(self, per_read: float | None) -> float:
        """The socket timeout for the next read or write: ``per_read`` but never past the
        deadline; raises :class:`DeadlineExceeded` once it is reached."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(self.why)
        return left if per_read is None else min(per_read, left)


class GitHubBudget:
    """One run's time for GitHub, the rate limit that stopped it (shared by threads), and the
    pacer that keeps its requests under GitHub's limits (``collect.github.pacing``; an audit's)."""

    def __init__(self, seconds: float = CHECK_BUDGET_SECONDS, *, per_request: float = REQUEST_SECONDS) -> None:
        self.seconds = seconds
        self.per_request = per_request
        self.run = Deadline(seconds)
        self._lock = threading.Lock()
        self._limit: RateLimit | None = None
        #: what keeps the requests under GitHub's limits (an audit's; None: not paced)
        self.pacer: Pacer | None = None

    def request_deadline(self) -> Deadline:
        """A deadline for one request: :attr:`per_request` seconds, or what the run has left
        when that is less (raises :class:`DeadlineExceeded` when nothing is left)."""
        left = self.run.remaining()
        if left <= 0:
            raise DeadlineExceeded(self.spent_reason())
        if left <= self.per_request:
            return Deadline(left, why=self.spent_reason())
        return Deadline(self.per_request)

    @property
    def spent(self) -> bool:
        return self.run.expired

    def spent_reason(self) -> str:
        return f"the time for GitHub ({self.seconds:g} s, --github-timeout) ran out"

    def hit(self, limit: RateLimit) -> None:
        """Remember a rate-limit answer: no request until it resets (the later reset wins)."""
        with self._lock:
            if self._limit is None or limit.reset_at > self._limit.reset_at or self._limit.over():
                self._limit = limit

    def rate_limit(self) -> RateLimit | None:
        """The rate limit in force, None once it has reset."""
        with self._lock:
            if self._limit is not None and self._limit.over():
                self._limit = None
            return self._limit
