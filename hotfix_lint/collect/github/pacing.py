"""Keep an audit's requests under GitHub's limits, instead of retrying after breaking them.

GitHub publishes its secondary limits (at most 100 concurrent requests; 900 points per minute
per REST endpoint, 2,000 for GraphQL; 90 s of server time per 60 s, 60 of them GraphQL,
estimated from response times) and reports the hourly one in every answer's ``x-ratelimit-*``
headers. A client over a secondary limit is refused with 403/429 and ``retry-after`` for as
long as it keeps asking. A :class:`Pacer` therefore holds each request until every limit it
knows has room: a token bucket per limit (the endpoint's points, the server time measured from
the answers, the hourly budget the headers report) and a cap on requests in flight. A bucket
fills at 85% of its limit's rate and holds 10% of it (or one request), so no window of the
limit's length ever sees more than 95% of it (85% and a request). A secondary-limit answer
(another client of the same token, a limit lower than published) that names its
``retry-after`` pauses every request until then, and halves the pace from then on.

The state is shared memory made before the audit forks its workers, so the processes and
their threads pace together. The interface is two calls around each request,
:meth:`Pacer.before` and :meth:`Pacer.after`, whatever speaks HTTP.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlsplit

from hotfix_lint.collect.github.deadline import Deadline, DeadlineExceeded
from hotfix_lint.collect.github.rate_limit import core_budget, rate_limit_of

#: the share of a limit's rate a bucket refills at, and the share of the limit it holds
RATE_SHARE = 0.85
BURST_SHARE = 0.10
#: the share of GitHub's concurrency cap one audit takes (the token may have other users)
CONCURRENCY_SHARE = 0.5
#: the slowest a run goes after secondary-limit answers (each one halves its pace)
MIN_SCALE = 1 / 256
#: endpoint buckets (endpoints beyond share one: a shared bucket only paces more)
_SLOTS = 64
_CHEAP = frozenset({"GET", "HEAD", "OPTIONS"})
#: how long one wait lasts before the limits are looked at again
_NAP = 0.05


@dataclass(frozen=True)
class ApiLimits:
    """The limits an audit paces under: github.com's published ones unless told otherwise."""

    #: the secondary limits' window (a minute); requests in flight (REST and GraphQL together;
    #: an audit takes half); points per window per REST endpoint (a GET 1, a POST 5) and for
    #: GraphQL (a query 1, a mutation 5); seconds of server time per window, GraphQL's share
    window: float = 60.0
    concurrency: int = 100
    rest_points: int = 900
    graphql_points: int = 2000
    server_seconds: float = 90.0
    graphql_server_seconds: float = 60.0

    @classmethod
    def parse(cls, text: str) -> ApiLimits:
        """``concurrency=50,rest-points=300,window=60`` (``--api-limits``); ValueError if wrong."""
        known = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, eq, value = part.partition("=")
            key = name.strip().replace("-", "_")
            if not eq or key not in known:
                raise ValueError(f"{part!r}: expected NAME=VALUE, NAME one of {', '.join(sorted(known))}")
            number = float(value)
            if not 0 < number < float("inf"):
                raise ValueError(f"{part!r}: expected a positive number")
            values[key] = int(number) if known[key] in (int, "int") else number
        return replace(cls(), **values)


# the shared state's layout: one float each, then (level, time) per endpoint slot
_INFLIGHT, _SERVER, _SERVER_AT, _GQL, _GQL_AT = 0, 1, 2, 3, 4
_REMAINING, _RESET, _PAUSED, _ESTIMATE, _WAITED, _REFUSED, _LIMIT, _SENT, _SCALE = 5, 6, 7, 8, 9, 10, 11, 12, 13
_ENDPOINTS = 16
_SIZE = _ENDPOINTS + 2 * _SLOTS


@dataclass(frozen=True)
class Ticket:
    """A request let through: what it was charged, and when it left."""

    graphql: bool
    slot: int
    charged: float
    started: float


@dataclass(frozen=True)
class PaceReading:
    """What the pacer knows now, for the progress line and the closing line."""

    remaining: int | None
    limit: int | None
    #: seconds requests waited for room, in all; secondary-limit answers seen
    waited: float
    refused: int
    sent: int


class Pacer:
    """Token buckets and a concurrency cap, shared by the threads and the forked workers of a run."""

    def __init__(
        self,
        limits: ApiLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits or ApiLimits()
        self._clock, self._sleep, self._wall = clock, sleep, wall
        self._lock: Any
        self._state: Any
        try:  # shared with the workers a fork makes; threads only where there is no fork
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._lock, self._state = context.Lock(), context.RawArray("d", _SIZE)
        except (ValueError, OSError, ImportError):
            self._lock, self._state = threading.Lock(), [0.0] * _SIZE
        now = clock()
        s = self._state
        s[_SCALE] = 1.0
        s[_SERVER], s[_SERVER_AT] = self._burst(self.limits.server_seconds), now
        s[_GQL], s[_GQL_AT] = self._burst(self.limits.graphql_server_seconds), now
        s[_REMAINING], s[_LIMIT], s[_ESTIMATE] = -1.0, -1.0, 0.1
        for slot in range(_SLOTS):
            s[_ENDPOINTS + 2 * slot], s[_ENDPOINTS + 2 * slot + 1] = -1.0, now  # -1: not started, full

    # -- the two calls around a request ---------------------------------------------------------

    def before(self, method: str, url: str, deadline: Deadline | None = None) -> Ticket:
        """Wait until every limit has room for this request, and charge it; raises
        :class:`DeadlineExceeded` when the room comes after ``deadline`` (the run's end)."""
        graphql = urlsplit(url).path.rstrip("/").endswith("/graphql")
        points = 1.0 if method.upper() in _CHEAP else 5.0
        slot = zlib.crc32(endpoint_of(method, url).encode()) % _SLOTS
        cap = max(1, int(self.limits.concurrency * CONCURRENCY_SHARE))
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                wait = self._room(now, graphql, slot, points, cap)
                if wait <= 0:
                    return self._charge(now, graphql, slot, points, waited)
            if deadline is not None and wait > deadline.remaining():
                raise DeadlineExceeded(self._why(wait))
            nap = max(0.001, min(wait, _NAP if wait < 1 else 1.0))  # at least a millisecond: time moves on
            self._sleep(nap)
            waited += nap

    def after(self, ticket: Ticket, status: int, headers: Mapping[str, str], body: bytes = b"") -> None:
        """Count the request out: its measured time replaces the estimate charged, the
        ``x-ratelimit-*`` headers feed the hourly budget, a limit answer pauses every request."""
        now = self._clock()
        elapsed = max(0.0, now - ticket.started)
        lower = {k.lower(): v for k, v in headers.items()}
        limit = rate_limit_of(status, lower, body[:500].decode("utf-8", "replace"), self._wall()) if status else None
        with self._lock:
            s = self._state
            s[_INFLIGHT] = max(0.0, s[_INFLIGHT] - 1)
            s[_SERVER] -= elapsed - ticket.charged
            if ticket.graphql:
                s[_GQL] -= elapsed - ticket.charged
            if status:
                s[_ESTIMATE] = 0.8 * s[_ESTIMATE] + 0.2 * elapsed
            self._hourly(lower)
            if limit is not None:
                s[_REFUSED] += 1
            if limit is not None and "retry-after" in lower:  # a lower limit than it knew: wait as told,
                s[_PAUSED] = max(s[_PAUSED], now + (limit.reset_at - self._wall()))  # and go at half the pace
                s[_SCALE] = max(MIN_SCALE, s[_SCALE] / 2)

    def reading(self) -> PaceReading:
        with self._lock:
            s = self._state
            remaining = int(s[_REMAINING]) if s[_REMAINING] >= 0 else None
            limit = int(s[_LIMIT]) if s[_LIMIT] >= 0 else None
            return PaceReading(remaining, limit, s[_WAITED], int(s[_REFUSED]), int(s[_SENT]))

    # -- the buckets ----------------------------------------------------------------------------

    def _burst(self, limit: float) -> float:
        return limit * BURST_SHARE * float(self._state[_SCALE])

    def _rate(self, limit: float) -> float:
        return limit * RATE_SHARE * float(self._state[_SCALE]) / self.limits.window

    def _fill(self, level: int, at: int, limit: float, now: float, cost: float) -> float:
        """The bucket's level now; it holds at least one request's ``cost`` (else a limit
        smaller than ten requests would never let one through)."""
        s = self._state
        top = max(self._burst(limit), cost)
        s[level] = min(top, s[level] + max(0.0, now - s[at]) * self._rate(limit))
        s[at] = now
        return float(s[level])

    def _room(self, now: float, graphql: bool, slot: int, points: float, cap: int) -> float:
        """Seconds until this request may go (0: now)."""
        s, lim = self._state, self.limits
        waits = [s[_PAUSED] - now]
        if s[_INFLIGHT] >= cap:
            waits.append(_NAP)
        per_minute = lim.graphql_points if graphql else lim.rest_points
        level_at = _ENDPOINTS + 2 * slot
        if s[level_at] < 0:
            s[level_at] = self._burst(per_minute)
        short = points - self._fill(level_at, level_at + 1, per_minute, now, points)
        if short > 0:
            waits.append(short / self._rate(per_minute))
        estimate = s[_ESTIMATE]
        short = estimate - self._fill(_SERVER, _SERVER_AT, lim.server_seconds, now, estimate)
        if short > 0:
            waits.append(short / self._rate(lim.server_seconds))
        if graphql:
            short = estimate - self._fill(_GQL, _GQL_AT, lim.graphql_server_seconds, now, estimate)
            if short > 0:
                waits.append(short / self._rate(lim.graphql_server_seconds))
        if s[_REMAINING] >= 0 and s[_RESET] <= self._wall():  # a new hour: the next answer says
            s[_REMAINING] = -1.0
        if 0 <= s[_REMAINING] <= s[_INFLIGHT]:  # the hourly budget is spent: until it resets
            waits.append(max(_NAP, s[_RESET] - self._wall()))
        return float(max(waits))

    def _charge(self, now: float, graphql: bool, slot: int, points: float, waited: float) -> Ticket:
        s = self._state
        estimate = s[_ESTIMATE]
        s[_INFLIGHT] += 1
        s[_SENT] += 1
        s[_WAITED] += waited
        s[_ENDPOINTS + 2 * slot] -= points
        s[_SERVER] -= estimate
        if graphql:
            s[_GQL] -= estimate
        return Ticket(graphql, slot, estimate, now)

    def _hourly(self, headers: Mapping[str, str]) -> None:
        """The hourly REST budget the answer reports: the lowest of one window's answers (they
        arrive out of order), a new window's as it is."""
        budget = core_budget(headers)
        if budget is None:
            return
        s = self._state
        remaining, reset = budget.remaining, budget.reset
        if reset > s[_RESET] or s[_REMAINING] < 0:
            s[_REMAINING], s[_RESET] = remaining, reset
        elif reset == s[_RESET]:
            s[_REMAINING] = min(s[_REMAINING], remaining)
        s[_LIMIT] = -1 if budget.limit is None else budget.limit

    def _why(self, wait: float) -> str:
        return f"GitHub's rate limits leave no room for {wait:.0f} s, past the time for GitHub (--github-timeout)"


def endpoint_of(method: str, url: str) -> str:
    """The endpoint a request counts against, coarsely: the method and the kind of resource
    (``GET repos/*/*/branches``). Coarser than GitHub's is safe: a shared bucket only paces more."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    for at, anchor in enumerate(parts):
        if anchor in ("repos", "orgs", "users"):
            skip = 3 if anchor == "repos" else 2
            rest = parts[at + skip : at + skip + 1]
            return " ".join([method.upper(), anchor, *rest])
    return " ".join([method.upper(), *parts[-1:]])
