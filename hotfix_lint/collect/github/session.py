"""How every REST request to GitHub is made: one PyGithub client, one bounded retry loop, the
run's budget, and the secret kept out of every message.

A 5xx is retried a few times (:class:`RetryPolicy`); after that, as for a 403 or a 404 GitHub
uses to hide a setting, the request raises :class:`RequestFailed`, which the collector of
each fact turns into a :class:`CouldNotCheck` naming the permission needed, so the other facts
are still collected. Time is bounded (``collect.github.deadline``): each request has a total
deadline, the run a budget (``--github-timeout``); a rate-limit answer is never waited out: it
and every request not made yet fail with the time the limit resets. The REST collectors, the
organisation listing (``org.py``) and the GraphQL reader (``graphql.py``) share it. Here too,
for the REST collectors: :func:`guard` (a surprise in one fact's answer stays that fact's)
and the conversions every answer needs (:func:`epoch`, :func:`login`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from hotfix_lint.collect.github.target import DEFAULT_API_URL
from hotfix_lint.facts.github import CouldNotCheck

if TYPE_CHECKING:
    from github import Github
    from github.GithubException import GithubException
    from github.GithubObject import GithubObject
    from github.PaginatedList import PaginatedList

    from hotfix_lint.collect.github.clients import ClientPool
    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.deadline import GitHubBudget

log = logging.getLogger(__name__)

T = TypeVar("T")
G = TypeVar("G", bound="GithubObject")
#: What a fine-grained token or GitHub App needs for each kind of fact (classic tokens: the
#: ``repo`` scope, and admin rights on the repository for branch protection).
PERMISSION_METADATA = "metadata: read"
PERMISSION_ADMINISTRATION = "administration: read"
PERMISSION_ACTIONS = "actions: read"  # environments and their deployment branch policies
PERMISSION_DEPLOYMENTS = "deployments: read"
PERMISSION_PULL_REQUESTS = "pull_requests: read"
#: at most this many pages of a list that is read whole (rules, reviews, branch policies)
MAX_PAGES = 5
#: seconds a request may take, and the User-Agent sent (a pooled client is kept per setting)
TIMEOUT = 15
#: secondary-limit answers a paced run waits out for one request (the pacer holds every request)
SECONDARY_RETRIES = 6
USER_AGENT = "hotfix-lint"


@dataclass(frozen=True)
class RetryPolicy:
    """How long to insist: ``attempts`` per request, no single wait longer than ``max_wait``.

    A 5xx or a dropped connection is retried after ``backoff``, doubling, while the run's
    GitHub budget lasts; a rate limit or a request past its deadline is not retried (see
    :class:`GitHubSession`). Tests pass a tiny cap and their own ``sleep``.
    """

    attempts: int = 3
    max_wait: float = 60.0
    backoff: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)


#: what PyGithub raises on an answer it cannot use (a redirect elsewhere, no body, not JSON)
_SURPRISES = (RuntimeError, AssertionError, ValueError, TypeError, AttributeError, KeyError)


class RequestFailed(Exception):
    """A request that did not succeed; ``wait`` is set when trying again may help."""

    def __init__(
        self,
        status: int | None,
        message: str,
        *,
        reason: str,
        wait: float | None = None,
        permission_relevant: bool = True,
        paced: bool = False,
    ):
        super().__init__(reason)
        #: a secondary limit a paced run waits out (the pacer holds the next attempt)
        self.paced = paced
        self.status = status
        self.message = message
        self.reason = reason
        self.wait = wait
        #: False for rate limits, outages and network errors: no permission would help
        self.permission_relevant = permission_relevant

    def could_not(self, what: str, permission: str | None) -> CouldNotCheck:
        return CouldNotCheck(what, self.reason, permission if self.permission_relevant else None)


class GitHubSession:
    """One PyGithub client, the retry loop, the run's budget, and the secret to keep out of
    every message.

    A rate-limit answer is not waited out (GitHub may ask for an hour): the budget remembers
    it, and every request until it resets fails at once with the reset time, so the facts not
    read yet become "could not check". When the budget's time is spent, likewise.
    """

    def __init__(
        self,
        gh: Github,
        secret: str | None,
        retry: RetryPolicy,
        budget: GitHubBudget | None = None,
        *,
        owned: bool = False,
    ):
        from hotfix_lint.collect.github.deadline import GitHubBudget

        self.gh = gh
        self._secret = secret
        self.retry = retry
        self.budget = budget or GitHubBudget()
        #: whether :meth:`close` closes the client (a pooled client stays open for the next repository)
        self.owned = owned

    def close(self) -> None:
        if self.owned:
            self.gh.close()

    def __repr__(self) -> str:
        return f"<GitHub session {self.gh.requester.base_url}>"

    def redact(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "***")
        return text

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (one request) with bounded retries; raise :class:`RequestFailed` if it fails."""
        from github.GithubException import GithubException

        attempt = limited = 0
        while True:
            self._may_ask()
            attempt += 1
            try:
                return fn()
            except GithubException as exc:
                failure = self._classify(exc, attempt)
                if failure.paced and limited < SECONDARY_RETRIES:  # the pacer waits, not this loop
                    limited += 1
                    attempt -= 1
            except TimeoutError as exc:  # a slow or silent server: asking again would be as slow
                self._unanswered()
                raise self._unreachable(self.redact(str(exc))[:200], None) from None
            except OSError as exc:  # refused, reset, timed out (requests' errors are OSErrors too)
                failure = self._unreachable(self.redact(str(exc))[:200], self._backoff(attempt))
            except _SURPRISES as exc:  # PyGithub on a redirect, an empty or non-JSON body
                raise self._unexpected(exc) from None
            if failure.wait is None:
                raise failure
            if attempt >= self.retry.attempts:
                failure.reason += f" (gave up after {attempt} attempts)"
                raise failure
            if failure.wait >= self.budget.run.remaining():
                failure.reason += f"; {self.budget.spent_reason()}"
                raise failure
            log.info("%s; trying again in %.1f s", failure.reason, failure.wait)
            self.retry.sleep(failure.wait)

    def _may_ask(self) -> None:
        """Raise :class:`RequestFailed` without asking when a rate limit is in force or the time is spent."""
        limit = self.budget.rate_limit()
        if limit is not None or self.budget.spent:
            self._unanswered()
        if limit is not None:
            raise RequestFailed(
                limit.status,
                limit.message,
                reason=f"not asked: GitHub rate-limited this run until {limit.resets()}",
                permission_relevant=False,
            )
        if self.budget.spent:
            raise RequestFailed(None, "", reason=f"not asked: {self.budget.spent_reason()}", permission_relevant=False)

    def _unanswered(self) -> None:
        from hotfix_lint.collect.github.http_session import transport_of

        transport = transport_of(self.gh)
        if transport is not None and transport.meter is not None:
            transport.meter.unanswered()

    def _unreachable(self, detail: str, wait: float | None) -> RequestFailed:
        return RequestFailed(
            None, detail, reason=f"GitHub could not be reached ({detail})", wait=wait, permission_relevant=False
        )

    def _unexpected(self, exc: BaseException) -> RequestFailed:
        detail = self.redact(f"{type(exc).__name__}: {exc}")[:300]
        return RequestFailed(
            None, detail, reason=f"unexpected answer from GitHub ({detail})", permission_relevant=False
        )

    def _backoff(self, attempt: int) -> float:
        return float(min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait))

    def _classify(self, exc: GithubException, attempt: int) -> RequestFailed:
        from hotfix_lint.collect.github.rate_limit import rate_limit_of

        status = exc.status
        data = exc.data
        message = self.redact(str(data.get("message", ""))) if isinstance(data, dict) else ""
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        said = f"{status} {message}".strip()
        limit = rate_limit_of(status, headers, message, self.retry.clock())
        paced = self.budget.pacer is not None
        if limit is not None and paced and "retry-after" in headers and headers.get("x-ratelimit-remaining") != "0":
            # a secondary limit in a paced run (a limit lower than GitHub publishes, another
            # client of the token): the pacer holds every request until its retry-after; one
            # that names no time ("at least a minute") is not waited out
            wait = limit.reset_at - self.retry.clock()
            if wait <= self.retry.max_wait:
                return RequestFailed(
                    status,
                    message,
                    reason=f"rate limited by GitHub ({said}) until {limit.resets()}",
                    wait=0.0,
                    permission_relevant=False,
                    paced=True,
                )
        if limit is not None:
            self.budget.hit(limit)
            return RequestFailed(
                status,
                message,
                reason=f"rate limited by GitHub ({said}) until {limit.resets()}; not waited for",
                permission_relevant=False,
            )
        if status >= 500:
            return RequestFailed(
                status,
                message,
                reason=f"GitHub answered {said}",
                wait=self._backoff(attempt),
                permission_relevant=False,
            )
        if status == 401:
            return RequestFailed(
                status, message, reason=f"GitHub rejected the token ({said})", permission_relevant=False
            )
        if status == 403:
            return RequestFailed(status, message, reason=f"GitHub refused access ({said})")
        if status == 404:
            return RequestFailed(status, message, reason=f"GitHub answered {said}: missing, or hidden from this token")
        return RequestFailed(status, message, reason=f"GitHub answered {said}")

    def first(self, listing: PaginatedList[G], limit: int) -> Iterator[G]:
        """Up to ``limit`` items of a list, newest first, fetching a page only when it is needed.

        PyGithub follows the ``Link: rel="next"`` header, so the last page costs no extra
        request; a failed page fetch leaves the list as it was, so it is simply retried.
        """
        for index in range(limit):
            try:
                yield self.call(partial(listing.__getitem__, index))
            except IndexError:
                return

    def get(self, url: str, parameters: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
        """A GET through PyGithub's requester, for endpoints PyGithub has no method for:
        (headers, JSON body)."""
        return self.call(partial(self.gh.requester.requestJsonAndCheck, "GET", url, parameters=parameters))

    def get_json(self, url: str, parameters: dict[str, Any] | None = None) -> Any:
        """The JSON body of :meth:`get`."""
        return self.get(url, parameters)[1]

    def get_list(self, url: str, page_size: int, key: str | None = None) -> list[Any]:
        """Every item of a list endpoint PyGithub has no method for, following Link headers
        (at most :data:`MAX_PAGES` pages); ``key`` names the list inside an object answer."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            headers, data = self.get(url, {"per_page": page_size, "page": page})
            items.extend(data if key is None else data.get(key) or [])
            if 'rel="next"' not in str(headers.get("link", "")):
                break
        return items


def open_session(
    api_url: str | None,
    token: str | None,
    *,
    page_size: int = 100,
    timeout: int = TIMEOUT,
    user_agent: str = USER_AGENT,
    etags: HttpCache | None = None,
    meter: ApiMeter | None = None,
    clients: ClientPool | None = None,
    budget: GitHubBudget | None = None,
    retry: RetryPolicy | None = None,
) -> GitHubSession:
    """A session on ``api_url`` (default github.com's) for ``token``: the client from
    ``collect.github.clients.open_client`` (this thread's from ``clients``, else its own, which
    :meth:`GitHubSession.close` closes). A URL that is not http(s) is a ``ValueError``."""
    from hotfix_lint.collect.github.clients import open_client
    from hotfix_lint.collect.github.deadline import GitHubBudget

    base_url = (api_url or DEFAULT_API_URL).rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise ValueError(f"the GitHub API URL must start with https:// or http://, not {api_url!r}")
    token = (token or "").strip() or None
    budget = budget or GitHubBudget()
    gh, owned = open_client(
        base_url,
        token,
        page_size=max(1, min(100, page_size)),
        timeout=timeout,
        user_agent=user_agent,
        etags=etags,
        meter=meter,
        clients=clients,
        budget=budget,
    )
    return GitHubSession(gh, token, retry or RetryPolicy(), budget, owned=owned)


def new_client(base_url: str, token: str | None, *, page_size: int, timeout: int, user_agent: str) -> Github:
    """A PyGithub client without its own retries or pauses (:class:`RetryPolicy` decides), its
    requests through ``collect.github.http_session`` (each with a total deadline)."""
    from hotfix_lint.collect.github.http_session import build_client

    return build_client(base_url, token, page_size=page_size, timeout=timeout, user_agent=user_agent)


def guard(session: GitHubSession, what: str, collect: Callable[[], T]) -> T | CouldNotCheck:
    """One fact kind: an unexpected answer makes it unknown instead of stopping the others."""
    try:
        return collect()
    except RequestFailed as failure:  # a request outside the per-fact handling (a lazy attribute)
        return failure.could_not(what, None)
    except Exception as exc:  # any surprise in GitHub's answer is "could not check", not a crash
        detail = session.redact(f"{type(exc).__name__}: {exc}")[:300]
        log.warning("could not read %s from GitHub: %s", what, detail)
        return CouldNotCheck(what, f"unexpected answer from GitHub ({detail})")


def epoch(value: dt.datetime | None) -> int | None:
    """A PyGithub time as epoch seconds."""
    return None if value is None else int(value.timestamp())


def login(user: Any) -> str | None:
    """A PyGithub user's login (None when the answer names none)."""
    return None if user is None else str(user.login)
