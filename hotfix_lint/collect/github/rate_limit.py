"""GitHub's rate-limit answers, recognised, and when they end.

A rate-limited run that waits (GitHub asks a minute when it names no time) can take many
minutes for nothing: hotfix-lint stops asking instead, and what it could not read becomes
"could not check" with the time the limit resets. This module only reads answers; the
budget (``collect.github.deadline``) remembers the limit, and ``collect.github.collector`` stops asking.
:func:`core_budget` reads the hourly REST budget an answer reports, for the pacer and the meter alike.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: GitHub: "wait at least one minute" when a rate-limit answer names no time
DEFAULT_WAIT = 60.0
_MESSAGES = ("rate limit", "please retry your request again later", "please wait a few minutes")


@dataclass(frozen=True)
class RateLimit:
    """A rate-limit answer: its status and message, and when it resets (epoch seconds)."""

    status: int
    message: str
    reset_at: float

    def resets(self) -> str:
        """The reset time as people read it, in UTC."""
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.reset_at))

    def over(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) >= self.reset_at


def rate_limit_of(status: int, headers: Mapping[str, Any], message: str, now: float | None = None) -> RateLimit | None:
    """The rate limit this answer is (a 429; a 403 with ``x-ratelimit-remaining: 0``,
    ``retry-after`` or a rate-limit message), else None. ``headers``: lower-case names."""
    remaining = str(headers.get("x-ratelimit-remaining", ""))
    limited = status == 429 or (
        status == 403 and ("retry-after" in headers or remaining == "0" or any(m in message.lower() for m in _MESSAGES))
    )
    if not limited:
        return None
    now = time.time() if now is None else now
    return RateLimit(status, message, now + _wait(headers, remaining, now))


def _wait(headers: Mapping[str, Any], remaining: str, now: float) -> float:
    """Seconds until GitHub takes requests again: ``retry-after``, else ``x-ratelimit-reset``
    when the budget is spent, else GitHub's minute."""
    try:
        return max(0.0, float(headers["retry-after"]))
    except (KeyError, TypeError, ValueError):
        pass
    if remaining == "0":
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - now)
        except (KeyError, TypeError, ValueError):
            pass
    return DEFAULT_WAIT


@dataclass(frozen=True)
class CoreBudget:
    """The hourly REST (``core``) budget one answer reports: requests left, the limit (None: not
    said) and when it resets (epoch seconds, 0: not said)."""

    remaining: int
    limit: int | None
    reset: float


def core_budget(headers: Mapping[str, Any]) -> CoreBudget | None:
    """The REST budget an answer's ``x-ratelimit-*`` headers report (names in any case); None when
    they report none, or another resource's: a GraphQL answer's are its points, and taken for REST's
    they would show GraphQL's budget under REST's name."""
    lower = {str(k).lower(): v for k, v in headers.items()}
    if str(lower.get("x-ratelimit-resource", "core")) not in ("core", ""):
        return None
    remaining = _count(lower.get("x-ratelimit-remaining"))
    if remaining is None:
        return None
    try:
        reset = float(lower.get("x-ratelimit-reset", 0))
    except (TypeError, ValueError):
        reset = 0.0
    return CoreBudget(remaining, _count(lower.get("x-ratelimit-limit")), reset)


def _count(value: Any) -> int | None:
    return int(value) if value is not None and str(value).isdigit() else None
