"""GitHub's published rate limits, enforced by the loopback server, and the latency it adds.

What GitHub documents ("Rate limits for the REST API", "About secondary rate limits"):

- at most 100 concurrent requests (REST and GraphQL together);
- at most 900 points per minute per REST endpoint, 2,000 for the GraphQL endpoint (a GET,
  HEAD or OPTIONS is 1 point, another REST method 5; a GraphQL query 1, a mutation 5);
- at most 90 seconds of server time per 60 seconds of real time, 60 of them for GraphQL,
  which GitHub estimates from the response times;
- 5,000 requests per hour for a token (the primary limit; a 304 is not counted there).

Beyond a secondary limit the answer is a 403 (``status`` configurable: 429) with GitHub's
secondary-limit message and ``retry-after``; a client that asks again before that time is
answered so again, and the penalty starts over (GitHub "keeps doing so for clients that do not
back off"). Beyond the hourly budget: a 403 with ``x-ratelimit-remaining: 0`` and the reset time.
Every answer carries the ``x-ratelimit-limit/remaining/used/reset/resource`` of its token.

The limits are read from the state (``GitHubState.set_limits``) at each request, so a test can
shrink them (a window of 2 s instead of 60, 20 points instead of 900) and the benchmark, whose
server runs in another process, passes them through the saved state. :attr:`LimitKeeper.log`
keeps what a test asserts on: the limit answers given, the peak concurrency, and the most
points and server time any window held.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

#: GitHub's message for a secondary rate limit (a request ID at the end, as GitHub words it)
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
PRIMARY_MESSAGE = "API rate limit exceeded for user ID 4242."
LIMITS_DOC = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
_CHEAP = frozenset({"GET", "HEAD", "OPTIONS"})
#: GitHub's figures (the documentation's words: "no more than 100 concurrent requests", ...)
PUBLISHED: dict[str, float] = {"hourly": 5000, "concurrency": 100, "rest_points": 900, "graphql_points": 2000}
PUBLISHED.update(server_seconds=90.0, graphql_server_seconds=60.0, window=60.0)


@dataclass(frozen=True)
class Limits:
    """What the server enforces; GitHub's published figures unless told otherwise."""

    #: the primary limit: requests per ``hour`` for a token (a 304 not counted); the secondary
    #: ones per ``window``: requests in flight, points per endpoint, server time (all; GraphQL)
    hourly: int = int(PUBLISHED["hourly"])
    window: float = PUBLISHED["window"]
    concurrency: int = int(PUBLISHED["concurrency"])
    rest_points: int = int(PUBLISHED["rest_points"])
    graphql_points: int = int(PUBLISHED["graphql_points"])
    server_seconds: float = PUBLISHED["server_seconds"]
    graphql_server_seconds: float = PUBLISHED["graphql_server_seconds"]
    #: the primary limit's window (GitHub: an hour)
    hour: float = 3600.0
    #: seconds every API answer takes, and up to how much more at random
    latency: float = 0.0
    jitter: float = 0.0
    #: what a secondary limit answers, and the ``retry-after`` it names
    status: int = 403
    retry_after: int = 60
    #: False: no limit enforced (the headers are still sent)
    enforce: bool = True

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Limits:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


@dataclass
class LimitLog:
    """What the server saw of the limits, for the tests and the benchmark."""

    #: (kind, endpoint) of every limit answer: kind is concurrency, points, server-time, hourly, penalty
    refused: list[tuple[str, str]] = field(default_factory=list)
    peak_concurrency: int = 0
    #: the most points any endpoint had in a window, and the most server time (all; GraphQL)
    peak_points: int = 0
    peak_server_seconds: float = 0.0
    peak_graphql_seconds: float = 0.0
    #: all along: points per endpoint, server time
    points_total: dict[str, int] = field(default_factory=dict)
    server_seconds_total: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "points_total": dict(self.points_total),
            "server_seconds_total": round(self.server_seconds_total, 3),
            "refused": [list(r) for r in self.refused],
            "peak_concurrency": self.peak_concurrency,
            "peak_points": self.peak_points,
            "peak_server_seconds": round(self.peak_server_seconds, 3),
            "peak_graphql_seconds": round(self.peak_graphql_seconds, 3),
        }


@dataclass
class Refusal:
    """A limit answer: status, message and headers."""

    status: int
    message: str
    headers: dict[str, str]
    doc: str = LIMITS_DOC


@dataclass
class _Token:
    used: int = 0
    reset: float = 0.0


class _Window:
    """(time, amount) within the last ``window`` seconds, summed."""

    def __init__(self) -> None:
        self.items: deque[tuple[float, float]] = deque()
        self.total = 0.0

    def sum(self, now: float, window: float) -> float:
        while self.items and self.items[0][0] <= now - window:
            self.total -= self.items.popleft()[1]
        return self.total

    def add(self, now: float, amount: float) -> None:
        self.items.append((now, amount))
        self.total += amount


def points(method: str) -> int:
    """A REST request's points for the secondary limit (GitHub's table): a GET 1, a POST 5
    (GraphQL: a query 1, a mutation 5)."""
    return 1 if method.upper() in _CHEAP else 5


class LimitKeeper:
    """The server's accounting of GitHub's limits (one per server; threads share it)."""

    def __init__(self, read: Callable[[], Mapping[str, Any] | None], clock: Callable[[], float] = time.monotonic):
        self._read = read
        self._clock = clock
        self._lock = threading.Lock()
        self._inflight = 0
        self._points: dict[str, _Window] = {}
        self._server = _Window()
        self._graphql = _Window()
        self._tokens: dict[str, _Token] = {}
        self._penalty: dict[str, float] = {}
        self.log = LimitLog()

    @property
    def limits(self) -> Limits:
        return Limits.of(self._read())

    def admit(
        self, token: str, method: str, endpoint: str, graphql: bool, mutation: bool = False
    ) -> tuple[Refusal | None, Limits]:
        """Count a request in, or the answer that refuses it (then it is not counted in)."""
        limits = self.limits
        now = self._clock()
        with self._lock:
            cost = (5 if mutation else 1) if graphql else points(method)
            refusal = self._refusal(limits, now, token, cost, endpoint, graphql) if limits.enforce else None
            if refusal is not None:
                return refusal, limits
            self._inflight += 1
            self.log.peak_concurrency = max(self.log.peak_concurrency, self._inflight)
            window = self._points.setdefault(endpoint, _Window())
            window.add(now, cost)
            self.log.points_total[endpoint] = self.log.points_total.get(endpoint, 0) + cost
            self.log.peak_points = max(self.log.peak_points, int(window.sum(now, limits.window)))
        return None, limits

    def _refusal(
        self, limits: Limits, now: float, token: str, cost: int, endpoint: str, graphql: bool
    ) -> Refusal | None:
        penalty = self._penalty.get(token, 0.0)
        kind = None
        if now < penalty:
            kind = "penalty"
        elif self._inflight >= limits.concurrency:
            kind = "concurrency"
        elif self._points.get(endpoint, _Window()).sum(now, limits.window) + cost > (
            limits.graphql_points if graphql else limits.rest_points
        ):
            kind = "points"
        elif self._server.sum(now, limits.window) >= limits.server_seconds or (
            graphql and self._graphql.sum(now, limits.window) >= limits.graphql_server_seconds
        ):
            kind = "server-time"
        if kind is not None:  # a client that does not wait is refused again, and waits longer
            self._penalty[token] = now + limits.retry_after
            self.log.refused.append((kind, endpoint))
            message = SECONDARY_MESSAGE.format(request_id=f"{len(self.log.refused):04X}:LOOPBACK")
            headers = {**self._headers(limits, now, token, graphql), "Retry-After": str(limits.retry_after)}
            return Refusal(limits.status, message, headers)
        record = self._token(limits, now, token)
        if record.used >= limits.hourly:
            self.log.refused.append(("hourly", endpoint))
            return Refusal(403, PRIMARY_MESSAGE, self._headers(limits, now, token, graphql))
        return None

    def _token(self, limits: Limits, now: float, token: str) -> _Token:
        record = self._tokens.setdefault(token, _Token(0, now + limits.hour))
        if now >= record.reset:
            record.used, record.reset = 0, now + limits.hour
        return record

    def _headers(self, limits: Limits, now: float, token: str, graphql: bool) -> dict[str, str]:
        record = self._token(limits, now, token)
        return {
            "X-RateLimit-Limit": str(limits.hourly),
            "X-RateLimit-Remaining": str(max(0, limits.hourly - record.used)),
            "X-RateLimit-Used": str(record.used),
            # epoch seconds, as GitHub sends them (the window runs on the monotonic clock)
            "X-RateLimit-Reset": str(int(time.time() + (record.reset - now)) + 1),
            "X-RateLimit-Resource": "graphql" if graphql else "core",
        }

    def delay(self, limits: Limits) -> None:
        """The latency the server adds to an answer."""
        seconds = limits.latency + (random.uniform(0, limits.jitter) if limits.jitter else 0.0)  # noqa: S311
        if seconds > 0:
            time.sleep(seconds)

    def done(self, token: str, status: int, started: float, graphql: bool) -> dict[str, str]:
        """Count a request out (its server time, its hourly cost): its ``x-ratelimit-*`` headers."""
        limits = self.limits
        now = self._clock()
        with self._lock:
            self._inflight -= 1
            spent = now - started
            self._server.add(now, spent)
            self.log.server_seconds_total += spent
            self.log.peak_server_seconds = max(self.log.peak_server_seconds, self._server.sum(now, limits.window))
            if graphql:
                self._graphql.add(now, spent)
                self.log.peak_graphql_seconds = max(
                    self.log.peak_graphql_seconds, self._graphql.sum(now, limits.window)
                )
            if status != 304:  # GitHub: a 304 does not count against the primary limit
                self._token(limits, now, token).used += 1
            return self._headers(limits, now, token, graphql)

    def clear(self) -> None:
        """Forget what was seen (the log), not the limits' windows."""
        with self._lock:
            self.log = LimitLog()

    def now(self) -> float:
        return self._clock()
