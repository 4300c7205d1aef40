"""Conditional GitHub requests: remember each answer's ETag, ask again with ``If-None-Match``.

GitHub answers an unchanged resource with 304 Not Modified, and a 304 does not count against
the rate limit; so an audit that runs every day reads unchanged settings for free. An
:class:`EtagStore` keeps, per URL, the ETag and the body of the last 200 answer (the audit
saves it in its cache); :func:`enable_conditional_requests` makes a PyGithub client send the
stored ETag with every GET and turn a 304 back into the 200 it stands for, so the code that
reads GitHub (``collect.github``) does not know the difference. An :class:`ApiMeter` counts
the requests and the 304s, and keeps the rate-limit budget GitHub last reported.

Such a client talks to GitHub through ``collect.http_connection`` (``http.client``, one kept-alive
connection), which reads the proxy variables and the CA bundle once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github import Github

    from hotfix_lint.collect.deadline import GitHubBudget
    from hotfix_lint.collect.http_connection import GitHubConnection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedAnswer:
    """The ETag and body of a 200 answer, and the headers a 304 would not repeat."""

    etag: str
    body: str
    headers: Mapping[str, str]


class EtagStore:
    """URL -> :class:`CachedAnswer`, shared by the threads of one repository's audit.

    ``used()`` holds only the answers looked up or stored since the store was made, so a
    saved store does not keep URLs that are no longer read (``keep_unused``: it does, for a
    repository whose answers were not all needed this time).
    """

    def __init__(self, entries: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._old: dict[str, CachedAnswer] = {}
        self._used: dict[str, CachedAnswer] = {}
        for url, entry in (entries or {}).items():
            if isinstance(entry, Mapping) and isinstance(entry.get("etag"), str) and isinstance(entry.get("body"), str):
                headers = entry.get("headers") if isinstance(entry.get("headers"), Mapping) else {}
                self._old[str(url)] = CachedAnswer(
                    entry["etag"], entry["body"], {str(k): str(v) for k, v in (headers or {}).items()}
                )

    def lookup(self, url: str) -> CachedAnswer | None:
        with self._lock:
            found = self._used.get(url) or self._old.get(url)
            if found is not None:
                self._used[url] = found
            return found

    def remember(self, url: str, answer: CachedAnswer) -> None:
        with self._lock:
            self._used[url] = answer

    def used(self, *, keep_unused: bool = False) -> dict[str, dict[str, Any]]:
        """The answers of this run, as plain data for the cache; ``keep_unused``: and those of
        earlier runs not asked for this time (a repository not pushed to since, whose policy
        file was not read again: its ETag serves after the next push)."""
        with self._lock:
            kept = {**self._old, **self._used} if keep_unused else self._used
            return {
                url: {"etag": a.etag, "body": a.body, "headers": dict(a.headers)} for url, a in sorted(kept.items())
            }


class ApiMeter:
    """Requests sent, 304s received, and the rate-limit budget GitHub reported last."""

    def __init__(self, *, keep_answers: bool = False) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.remaining: int | None = None
        self.limit: int | None = None
        #: with ``keep_answers``, one per request: (URL, status, whether it came with an ETag, the
        #: SHA-256 of a 404's body: a 404 carries no ETag, but the same body is the same answer)
        self.answers: list[tuple[str, int, bool, str | None]] | None = [] if keep_answers else None

    def record(self, status: int, headers: Mapping[str, str], url: str | None = None, body: bytes = b"") -> None:
        with self._lock:
            self.requests += 1
            if self.answers is not None and url is not None:
                digest = hashlib.sha256(body).hexdigest() if status == 404 else None
                self.answers.append((url, status, "etag" in headers or "ETag" in headers, digest))
            if status == 304:
                self.not_modified += 1
            remaining = headers.get("x-ratelimit-remaining") or headers.get("X-RateLimit-Remaining")
            limit = headers.get("x-ratelimit-limit") or headers.get("X-RateLimit-Limit")
            if remaining is not None and str(remaining).isdigit():
                self.remaining = int(remaining)
            if limit is not None and str(limit).isdigit():
                self.limit = int(limit)

    def unanswered(self) -> None:
        """A request not sent (a rate limit in force, no time left) or not answered in time: the
        facts made without it are not to be kept as if GitHub had answered (status 0)."""
        with self._lock:
            if self.answers is not None:
                self.answers.append(("", 0, False, None))

    def reading(self) -> tuple[int, int, int | None, int | None]:
        """(requests, 304s, budget left, limit) now: what a worker process sends back."""
        with self._lock:
            return self.requests, self.not_modified, self.remaining, self.limit

    def add(self, reading: tuple[int, int, int | None, int | None]) -> None:
        """Count what another meter counted (a worker process's, for one repository)."""
        with self._lock:
            self.requests += reading[0]
            self.not_modified += reading[1]
            if reading[0] and reading[2] is not None:
                self.remaining, self.limit = reading[2], reading[3]

    @property
    def counted(self) -> int:
        """Requests GitHub counts against the rate limit (a 304 is not counted)."""
        return self.requests - self.not_modified


class Conditions:
    """The store and meter a client's connection uses, read at each request, so that a client
    kept for the next repository (see ``collect.github.ClientPool``) takes that one's store.

    The connection also leaves here itself and the headers PyGithub sent with its last GET, so
    that the audit can ask whether stored answers still hold without going through PyGithub
    (``collect.github.answers_unchanged``).
    """

    def __init__(self, store: EtagStore | None, meter: ApiMeter | None, budget: GitHubBudget | None = None) -> None:
        self.store = store
        self.meter = meter
        #: the run's time for GitHub: each request's deadline comes from it (``collect.deadline``)
        self.budget = budget
        self.connection: GitHubConnection | None = None
        self.headers: dict[str, str] | None = None


#: the conditions of each client :func:`enable_conditional_requests` switched on
_clients: weakref.WeakKeyDictionary[Github, Conditions] = weakref.WeakKeyDictionary()


def conditions_of(gh: Github) -> Conditions | None:
    """The :class:`Conditions` of a client made conditional here, else None."""
    return _clients.get(gh)


def enable_conditional_requests(
    gh: Github, store: EtagStore | None, meter: ApiMeter | None = None
) -> Conditions | None:
    """Make ``gh`` send conditional GETs from ``store`` (and count its requests in ``meter``).

    PyGithub has no public hook for this: its requester makes its connection from a class
    kept in a private attribute, so this client gets :class:`GitHubConnection` instead
    (``collect.http_connection``: ``http.client`` rather than a ``requests`` session).
    Returns the client's :class:`Conditions`, or None (the client is left as it was) when the
    installed PyGithub is not built that way; the tests check that it is.
    """
    from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass

    from hotfix_lint.collect.http_connection import GitHubConnection

    requester = gh.requester
    attribute = "_Requester__connectionClass"
    base = getattr(requester, attribute, None)
    if base not in (HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass):
        log.info("conditional requests are off: this PyGithub builds its connections differently")
        return None
    conditions = Conditions(store, meter)
    scheme = "https" if base is HTTPSRequestsConnectionClass else "http"
    setattr(requester, attribute, partial(GitHubConnection, scheme=scheme, conditions=conditions))
    _clients[gh] = conditions
    return conditions
