"""How PyGithub's requests go out: ``requests`` and ``urllib3`` (PyGithub's own HTTP stack),
paced, bounded in time and size, counted, and answered from an HTTP cache when one is given.

PyGithub sends each request through a connection object made from a class, by default one that
wraps a ``requests`` session. :func:`build_client` gives a client a :class:`Transport`'s class
instead, through PyGithub's public ``Requester.injectConnectionClasses`` (in force only while
that client is made: a requester keeps the class it was made with, so other clients are left as
they are). The transport's ``requests`` session keeps its connections alive (``urllib3``'s pool)
and reads the proxy variables and the CA bundle as ``requests`` does. Its adapter:

- asks the run's pacer (``collect.github.pacing``) before each request that goes out, 304s and limit
  answers included, and reports the answer to it after;
- gives each request a total deadline (``collect.github.deadline``): the socket's timeout is never
  longer than what is left, and a watchdog shuts the socket of a request still running at its
  deadline, so a server that drips its answer cannot hold the run
  (:class:`~hotfix_lint.collect.github.deadline.DeadlineExceeded`, an ``OSError``);
- refuses an answer over :data:`MAX_ANSWER_BYTES` (:class:`AnswerTooLarge`);
- counts each request in the transport's :class:`~hotfix_lint.collect.github.conditional.ApiMeter`;
- with an :class:`~hotfix_lint.collect.github.conditional.HttpCache`: CacheControl's adapter around all
  that stores each 200 with an ETag, asks again with ``If-None-Match`` every time (GitHub's
  ``max-age`` is not trusted: a setting changed a second ago must be seen) and turns a 304 into
  the stored 200; ``Authorization`` is left out of what the cache stores (a folder per token).

A client's transport is read at each request, so a client kept for the next repository
(``collect.github.clients.ClientPool``) takes that one's meter and budget. Everything a client
sends through PyGithub (``gh.requester.requestJsonAndCheck``, ``graphql_query``...) goes this way.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.utils
from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass, RequestsResponse

from hotfix_lint.collect.github.deadline import REQUEST_SECONDS, Deadline, DeadlineExceeded
from hotfix_lint.collect.github.http_watchdog import POOL_CLASSES, unwatch, watch

if TYPE_CHECKING:
    from github import Github

    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.deadline import GitHubBudget

#: the largest answer read (GitHub's largest JSON answers are a few MB; a test keeps
#: ``collect.github.conditional.MAX_ENTRY_BYTES`` just above it)
MAX_ANSWER_BYTES = 32 * 1024 * 1024
#: connections kept alive per host by one session
POOL_SIZE = 8
_CHUNK = 64 * 1024
#: how long an entry a 304 confirmed goes without being written again
REWRITE_SECONDS = 86400
#: methods sent again once when a kept-alive connection turns out to be closed by the server
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


class AnswerTooLarge(ValueError):
    """GitHub's answer is larger than :data:`MAX_ANSWER_BYTES` (never read whole)."""


# -- the adapters ---------------------------------------------------------------------------------


class PacedAdapter(requests.adapters.HTTPAdapter):
    """``requests``' adapter with the pacer, the deadline, the size bound and the meter."""

    def __init__(self, *args: Any, transport: Transport, **kwargs: Any) -> None:
        self._transport = transport
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(POOL_CLASSES)
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        transport = self._transport
        budget = transport.budget
        pacer = budget.pacer if budget is not None else None
        parts = urlsplit(request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        ticket = pacer.before(request.method or "GET", path, budget.run) if pacer is not None and budget else None
        status, headers, body = 0, {}, b""
        try:
            deadline = budget.request_deadline() if budget is not None else Deadline(REQUEST_SECONDS)
            response = self._exchange(request, deadline, timeout, verify, cert, proxies)
            status = 304 if getattr(response, "from_cache", False) else response.status_code
            headers, body = dict(response.headers), response.content
        finally:
            if pacer is not None and ticket is not None:
                pacer.after(ticket, status, headers, body if status >= 400 else b"")
        meter = transport.meter
        if meter is not None:
            meter.record(status, {k.lower(): v for k, v in headers.items()}, request.url, body)
        return response

    def _exchange(
        self, request: requests.PreparedRequest, deadline: Deadline, timeout: Any, verify: Any, cert: Any, proxies: Any
    ) -> requests.Response:
        """The request and its whole answer, within ``deadline``."""
        per_read = timeout if isinstance(timeout, int | float) else None
        watched = watch(deadline)
        try:
            for attempt in (1, 2):
                left = deadline.timeout(per_read)
                try:
                    response = super().send(
                        request, stream=True, timeout=(left, left), verify=verify, cert=cert, proxies=proxies
                    )
                    break
                except requests.ConnectionError as exc:
                    # a kept-alive connection the server closed as it was reused: once more
                    if attempt == 2 or request.method not in _IDEMPOTENT or watched.fired or not _dropped(exc):
                        raise
            _read_whole(response)
            return response
        except (requests.RequestException, OSError) as exc:
            if watched.fired or deadline.expired:
                raise DeadlineExceeded(deadline.why) from exc
            if isinstance(exc, requests.Timeout):  # as a socket's timeout: not worth asking again
                raise TimeoutError(f"no answer within {left:g} s") from exc
            raise
        finally:
            unwatch(watched)


def _dropped(exc: BaseException) -> bool:
    """Whether the server closed the connection before answering (``exc`` or what it wraps)."""
    pending, seen = [exc], 0
    while pending and seen < 20:
        error = pending.pop()
        seen += 1
        if isinstance(error, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
            return True
        pending.extend(a for a in error.args if isinstance(a, BaseException))
        pending.extend(e for e in (error.__cause__, error.__context__) if e is not None)
    return False


def _read_whole(response: requests.Response) -> None:
    """Read the body now (within the deadline), at most :data:`MAX_ANSWER_BYTES` of it."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_ANSWER_BYTES:
        response.close()
        raise AnswerTooLarge(f"an answer of {length} bytes (at most {MAX_ANSWER_BYTES})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            response.close()
            raise AnswerTooLarge(f"an answer of more than {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    response._content = b"".join(chunks)  # what ``response.content`` reads from now on


def _caching_adapter(transport: Transport, cache: HttpCache) -> requests.adapters.HTTPAdapter:
    """CacheControl's adapter over :class:`PacedAdapter`: only what goes out is paced."""
    from cachecontrol import CacheControlAdapter
    from cachecontrol.heuristics import BaseHeuristic

    class Revalidate(BaseHeuristic):
        """Ask again every time, and keep the token out of the stored ``Vary``."""

        def update_headers(self, response: Any) -> dict[str, str]:
            vary = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
            kept = ", ".join(v for v in vary if v.lower() != "authorization")
            return {"cache-control": "no-cache", "vary": kept}

        def warning(self, response: Any) -> str | None:
            return None

    class CachingAdapter(CacheControlAdapter, PacedAdapter):
        pass

    return CachingAdapter(
        cache=cache.file_cache(transport.token),
        heuristic=Revalidate(),
        controller_class=_controller_class(),
        transport=transport,
        pool_maxsize=POOL_SIZE,
    )


def _controller_class() -> type[Any]:
    """CacheControl's controller, but an entry a 304 confirms is written again at most once a
    day (its time marks it as used, see ``HttpCache.prune``), not on every 304."""
    from cachecontrol.caches.file_cache import FileCache, url_to_file_path
    from cachecontrol.controller import CacheController

    class Controller(CacheController):
        def update_cached_response(self, request: Any, response: Any) -> Any:
            data = None
            if isinstance(self.cache, FileCache):
                with contextlib.suppress(OSError):
                    written = os.stat(url_to_file_path(request.url, self.cache)).st_mtime
                    if time.time() - written < REWRITE_SECONDS:
                        data = self.cache.get(self.cache_url(request.url))
            cached = self.serializer.loads(request, data) if data else None
            if cached is None:
                return super().update_cached_response(request, response)
            cached.headers.update({k: v for k, v in response.headers.items() if k.lower() != "content-length"})
            cached.status = 200
            return cached

    return Controller


# -- the transport, and PyGithub's connection classes -------------------------------------------


class Transport:
    """A client's way out: its sessions (one with the cache, one without), and the cache,
    meter and budget its next request uses."""

    def __init__(
        self,
        token: str | None,
        cache: HttpCache | None = None,
        meter: ApiMeter | None = None,
        budget: GitHubBudget | None = None,
    ) -> None:
        self.token = token
        self.cache = cache
        self.meter = meter
        #: the run's time for GitHub and its pacer (``collect.github.deadline``); None: a request's own deadline
        self.budget = budget
        self._sessions: dict[str | None, requests.Session] = {}
        self._lock = threading.Lock()

    def session(self, origin: str) -> requests.Session:
        """The session for the cache set now (made on first use, for the API at ``origin``)."""
        cache = self.cache
        key = None if cache is None else str(cache.directory)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = requests.Session()
                session.auth = _no_auth  # no ~/.netrc: PyGithub sets the Authorization header
                # what requests reads from the environment at every request, read once, same meaning
                session.trust_env = False
                session.proxies = requests.utils.get_environ_proxies(origin)  # *_PROXY, NO_PROXY
                session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
                adapter = (
                    PacedAdapter(transport=self, pool_maxsize=POOL_SIZE)
                    if cache is None
                    else _caching_adapter(self, cache)
                )
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                self._sessions[key] = session
            return session

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()

    def connection_class(self, scheme: str) -> type[Any]:
        """The class PyGithub makes this client's connection from."""
        base: type[Any] = HTTPSRequestsConnectionClass if scheme == "https" else HTTPRequestsConnectionClass
        transport = self

        class Connection(base):  # type: ignore[misc]
            def __init__(self, host: str, port: int | None = None, *args: Any, **kwargs: Any) -> None:
                # not base's: it makes a session of its own per connection
                self.host = host
                self.port = port or (443 if scheme == "https" else 80)
                self.protocol = scheme
                self.timeout = kwargs.get("timeout")
                self.verify = kwargs.get("verify", True)

            def getresponse(self) -> RequestsResponse:
                origin = f"{self.protocol}://{self.host}:{self.port}"
                answer = transport.session(origin).request(
                    self.verb.upper(),
                    origin + self.url,
                    headers=self.headers,
                    data=self.input,
                    timeout=self.timeout,
                    verify=None if self.verify is True else self.verify,  # True: the session's bundle
                    allow_redirects=False,
                )
                return RequestsResponse(answer)

            def close(self) -> None:
                transport.close()

        Connection.__name__ = Connection.__qualname__ = f"HotfixLint{base.__name__}"
        return Connection


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


#: the transport of each client :func:`build_client` made
_transports: weakref.WeakKeyDictionary[Github, Transport] = weakref.WeakKeyDictionary()
_building = threading.Lock()


def build_client(
    base_url: str,
    token: str | None,
    *,
    page_size: int,
    timeout: int,
    user_agent: str,
    transport: Transport | None = None,
) -> Github:
    """A PyGithub client whose requests all go through ``transport`` (a new one: no cache, no
    meter, each request's own deadline), without PyGithub's own retries or pauses."""
    from github import Auth, Github
    from github.Requester import Requester

    transport = transport or Transport(token)
    with _building:  # the injected classes are PyGithub's for as long as this client is made
        Requester.injectConnectionClasses(transport.connection_class("http"), transport.connection_class("https"))
        try:
            gh = Github(
                base_url=base_url,
                auth=Auth.Token(token) if token else None,
                retry=None,  # our own bounded loop decides, see collect.github.session.RetryPolicy
                timeout=timeout,
                per_page=page_size,
                seconds_between_requests=None,
                seconds_between_writes=None,
                user_agent=user_agent,
            )
        finally:
            Requester.resetConnectionClasses()
    _transports[gh] = transport
    return gh


def transport_of(gh: Github) -> Transport | None:
    """The :class:`Transport` of a client made by :func:`build_client`, else None."""
    return _transports.get(gh)
