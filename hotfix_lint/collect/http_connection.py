"""PyGithub's connection to GitHub: one kept-alive connection, with conditional GETs.

PyGithub sends each request through a connection object made from a class; its own class wraps
a ``requests`` session. An audit asks GitHub thousands of questions whose answer is mostly
"not modified", and for a 304 the work ``requests`` does per request (merging settings,
cookies, hooks, redirect handling) costs more than the round trip: measured on loopback,
0.72 ms of CPU per 304 through a ``requests`` session, 0.21-0.26 ms through ``http.client``,
0.05-0.1 ms as done here (``http.client`` opens the connection, ``collect.http_wire`` writes
the requests and reads the answers). :class:`GitHubConnection` keeps one persistent HTTP/1.1
connection, sends a conditional GET when an :class:`~hotfix_lint.collect.conditional.EtagStore`
holds the answer, and turns a 304 back into the 200 it stands for, so PyGithub and
``collect.github`` never see the difference; :meth:`GitHubConnection.same_answer` asks whether
a stored answer still holds without PyGithub at all.

What ``requests`` reads from the environment is read once per client, with the same meaning:
the proxy variables (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``; an HTTPS API is reached
through a ``CONNECT`` tunnel) and the CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``,
else the bundle ``requests`` ships with).

Every request has a total deadline (``collect.deadline``: the budget in ``Conditions``, else
:data:`~hotfix_lint.collect.deadline.REQUEST_SECONDS`), checked before each read and write of
the socket, so a server that drips its answer cannot hold the run; running out raises
:class:`~hotfix_lint.collect.deadline.DeadlineExceeded`, an ``OSError``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import os
import select
import ssl
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, unquote, urlsplit

from hotfix_lint.collect.deadline import REQUEST_SECONDS, Deadline
from hotfix_lint.collect.http_wire import encode_request, read_answer

if TYPE_CHECKING:
    from hotfix_lint.collect.conditional import Conditions, EtagStore

#: headers of a 200 answer that a 304 does not repeat and PyGithub reads (pagination)
KEPT_HEADERS = ("link",)
#: methods sent again once when a kept-alive connection turns out to be closed by the server
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


class Answer:
    """What PyGithub reads of an answer: its status, headers (lower-case) and text."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def getheaders(self) -> list[tuple[str, str]]:
        return list(self.headers.items())

    def read(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def iter_content(self, chunk_size: int | None = 1) -> Iterator[bytes]:
        yield self.body


class GitHubConnection:
    """One persistent connection to the API host, with conditional GETs from ``store``.

    Made by PyGithub's requester as it makes its own connection class (same arguments);
    :func:`~hotfix_lint.collect.conditional.enable_conditional_requests` binds ``scheme`` and
    ``conditions`` (the store and meter, read at each request: a reused client changes them
    from one repository to the next). Network failures are raised as ``OSError`` (as ``requests``
    raises them), which the retry loop in ``collect.github`` handles.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        strict: bool = False,
        timeout: int | None = None,
        retry: Any = None,
        pool_size: int | None = None,
        *,
        scheme: str,
        conditions: Conditions,
        verify: bool | str = True,
        **_ignored: Any,
    ) -> None:
        self.protocol = scheme
        self.host = host
        self.port = port or (443 if scheme == "https" else 80)
        self.timeout = timeout
        self.conditions = conditions
        self._verify = verify
        self._proxy = proxy_for(scheme, host)
        self._sock: Any = None
        self._reader: Any = None
        self._deadline = Deadline(REQUEST_SECONDS)
        self._host_header = _host_header(host, self.port, scheme)
        self._pending: tuple[str, str, Any, dict[str, str]] | None = None
        self._origin = f"{scheme}://{host}:{self.port}"
        conditions.connection = self

    # -- what PyGithub calls ----------------------------------------------------------------

    def request(self, verb: str, url: str, input: Any, headers: dict[str, str], stream: bool = False) -> None:
        self._pending = (verb.upper(), url, input, dict(headers))

    def getresponse(self) -> Answer:
        if self._pending is None:
            raise http.client.ResponseNotReady("no request was sent")
        verb, path, body, headers = self._pending
        self._pending = None
        store, meter = self.conditions.store, self.conditions.meter
        full_url = self._origin + path
        if verb == "GET":
            self.conditions.headers = headers.copy()
        cached = store.lookup(full_url) if store is not None and verb == "GET" else None
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        status, answer_headers, payload = self._paced(verb, path, body, headers)
        if meter is not None:
            meter.record(status, answer_headers, full_url, payload)
        if store is None or verb != "GET":
            return Answer(status, answer_headers, payload)
        if status == 304 and cached is not None:
            answer_headers.pop("content-length", None)
            answer_headers["content-type"] = "application/json; charset=utf-8"
            answer_headers.update({k.lower(): v for k, v in cached.headers.items()})
            return Answer(200, answer_headers, cached.body.encode("utf-8"))
        if status == 200 and answer_headers.get("etag"):
            self._remember(store, full_url, answer_headers, payload)
        return Answer(status, answer_headers, payload)

    @staticmethod
    def _remember(store: EtagStore, url: str, answer_headers: dict[str, str], payload: bytes) -> None:
        from hotfix_lint.collect.conditional import CachedAnswer

        kept = {k: answer_headers[k] for k in KEPT_HEADERS if k in answer_headers}
        store.remember(url, CachedAnswer(answer_headers["etag"], payload.decode("utf-8", errors="replace"), kept))

    def same_answer(self, url: str, missing: str | None = None) -> bool:
        """Whether GitHub still answers ``url`` as before: a 304 to its stored ETag, or (``missing``,
        the SHA-256 of the body of the 404 it was) a 404 with the same body.

        Asked with the headers PyGithub sent with its last GET (the ETag of an answer holds for
        requests like the one that got it), counted in the meter like any request. A changed
        answer is stored (a request that follows gets a 304 for it); a failure is False.
        """
        store, meter, headers = self.conditions.store, self.conditions.meter, self.conditions.headers
        cached = store.lookup(url) if store is not None and missing is None else None
        if headers is None or not url.startswith(self._origin + "/") or (missing is None and cached is None):
            return False
        if cached is not None:
            headers = {**headers, "If-None-Match": cached.etag}
        try:
            status, answer_headers, payload = self._paced("GET", url[len(self._origin) :], None, headers)
        except OSError:
            return False
        if meter is not None:
            meter.record(status, answer_headers, url, payload)
        if store is not None and status == 200 and answer_headers.get("etag"):
            self._remember(store, url, answer_headers, payload)
        if missing is not None:
            return status == 404 and hashlib.sha256(payload).hexdigest() == missing
        return status == 304

    def _paced(self, verb: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """One exchange, held by the run's pacer (``collect.pacing``) until GitHub's limits
        have room, and reported to it; its deadline starts when it is let through."""
        budget = self.conditions.budget
        pacer = budget.pacer if budget is not None else None
        if pacer is None:
            self._deadline = self._new_deadline()
            return self._exchange(verb, path, body, headers)
        ticket = pacer.before(verb, path, budget.run if budget is not None else None)
        status, payload = 0, b""
        answer_headers: dict[str, str] = {}
        try:
            self._deadline = self._new_deadline()
            status, answer_headers, payload = self._exchange(verb, path, body, headers)
        finally:
            pacer.after(ticket, status, answer_headers, payload if status >= 400 else b"")
        return status, answer_headers, payload

    def _new_deadline(self) -> Deadline:
        """This request's deadline: from the run's budget when there is one."""
        budget = self.conditions.budget
        return budget.request_deadline() if budget is not None else Deadline(REQUEST_SECONDS)

    def close(self) -> None:
        reader, sock, self._reader, self._sock = self._reader, self._sock, None, None
        for part in (reader, sock):
            if part is not None:
                part.close()

    # -- the exchange -------------------------------------------------------------------------

    def _exchange(self, verb: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """Send one request and read the whole answer; a kept-alive connection the server has
        closed meanwhile is opened again (and an idempotent request sent again) once."""
        target = path
        if self._proxy is not None and self.protocol == "http":  # a plain proxy forwards absolute URLs
            target = f"http://{self.host}:{self.port}{path}"
            headers = {**headers, **_proxy_headers(self._proxy)}
        request = encode_request(verb, target, self._host_header, headers, body)
        for attempt in (1, 2):
            reused = False
            try:
                reused = self._connect()
                self._sock.settimeout(self._deadline.timeout(self.timeout))
                self._sock.sendall(request)
                status, answer_headers, payload, will_close = read_answer(self._reader, verb)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if reused and attempt == 1 and verb in _IDEMPOTENT:
                    continue
                raise ConnectionError(f"{self.host} closed the connection ({exc})") from exc
            except http.client.HTTPException as exc:  # a malformed answer: not an OSError of its own
                self.close()
                raise ConnectionError(f"unreadable answer from {self.host} ({type(exc).__name__}: {exc})") from exc
            except OSError:
                self.close()
                raise
            if will_close:
                self.close()
            return status, answer_headers, payload
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> bool:
        """Keep the open connection (True) or open a new one (False): ``http.client`` connects
        (through the proxy's tunnel, with TLS), ``collect.http_wire`` talks over it."""
        if self._sock is not None and not _closed_by_peer(self._sock):
            return True
        self.close()
        host, port = (self._proxy.hostname or "", self._proxy.port or 80) if self._proxy else (self.host, self.port)
        conn: http.client.HTTPConnection
        timeout = self._deadline.timeout(self.timeout)  # each step of connecting: at most what is left
        if self.protocol == "https":
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=tls_context(self._verify))
            if self._proxy is not None:
                conn.set_tunnel(self.host, self.port, headers=_proxy_headers(self._proxy))
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.connect()
        self._sock, conn.sock = conn.sock, None
        self._reader = io.BufferedReader(_DeadlineSocket(self._sock, self))
        return False


class _DeadlineSocket(io.RawIOBase):
    """The socket's reads, each with a timeout that ends at the current request's deadline
    (a buffered reader over it makes one read per arrival, however little arrives)."""

    def __init__(self, sock: Any, owner: GitHubConnection) -> None:
        super().__init__()
        self._sock = sock
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        deadline = self._owner._deadline
        self._sock.settimeout(deadline.timeout(self._owner.timeout))
        try:
            return int(self._sock.recv_into(buffer))
        except TimeoutError:
            if deadline.expired:  # say which limit it was
                deadline.timeout(None)
            raise


def _host_header(host: str, port: int, scheme: str) -> str:
    """``Host``, as ``http.client`` writes it: the port only when it is not the scheme's."""
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return name if port == (443 if scheme == "https" else 80) else f"{name}:{port}"


def _closed_by_peer(sock: Any) -> bool:
    """Whether the server closed an idle kept-alive connection (it is readable: EOF)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _proxy_headers(proxy: SplitResult) -> dict[str, str]:
    if proxy.username is None:
        return {}
    credentials = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
    return {"Proxy-Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}


def proxy_for(scheme: str, host: str) -> SplitResult | None:
    """The proxy the environment names for ``scheme`` unless ``NO_PROXY`` exempts ``host``."""
    import urllib.request

    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return urlsplit(proxy if "://" in proxy else f"http://{proxy}")


def tls_context(verify: bool | str) -> ssl.SSLContext:
    """The TLS settings ``requests`` would use: ``verify`` a CA bundle's path, True for
    ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE`` or the bundle ``requests`` ships with."""
    if verify is False:
        return _context(None)
    if isinstance(verify, str):
        return _context(verify)
    import certifi  # the bundle requests uses (certifi comes with it, and requests with PyGithub)

    return _context(os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where())


@lru_cache(maxsize=8)
def _context(bundle: str | None) -> ssl.SSLContext:
    """Made once per bundle (loading one takes a while); None: no verification."""
    if bundle is None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)
