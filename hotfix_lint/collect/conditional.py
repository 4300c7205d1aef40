"""Conditional GitHub requests: remember each answer's ETag, ask again with ``If-None-Match``.

GitHub answers an unchanged resource with 304 Not Modified, and a 304 does not count against
the rate limit; so an audit that runs every day reads unchanged settings for free. An
:class:`EtagStore` keeps, per URL, the ETag and the body of the last 200 answer (the audit
saves it in its cache); :func:`enable_conditional_requests` makes a PyGithub client send the
stored ETag with every GET and turn a 304 back into the 200 it stands for, so the code that
reads GitHub (``collect.github``) does not know the difference. An :class:`ApiMeter` counts
the requests and the 304s, and keeps the rate-limit budget GitHub last reported.

Such a client reads the proxy variables (``HTTPS_PROXY``, ``NO_PROXY``) and the CA bundle
(``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) once, not on every request as ``requests`` does.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github import Github

log = logging.getLogger(__name__)

#: headers of a 200 answer that a 304 does not repeat and PyGithub reads (pagination)
_KEPT_HEADERS = ("link",)


@dataclass(frozen=True)
class CachedAnswer:
    """The ETag and body of a 200 answer, and the headers a 304 would not repeat."""

    etag: str
    body: str
    headers: Mapping[str, str]


class EtagStore:
    """URL -> :class:`CachedAnswer`, shared by the threads of one repository's audit.

    ``used()`` holds only the answers looked up or stored since the store was made, so a
    saved store does not keep URLs that are no longer read.
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

    def used(self) -> dict[str, dict[str, Any]]:
        """The answers of this run, as plain data for the cache."""
        with self._lock:
            return {
                url: {"etag": a.etag, "body": a.body, "headers": dict(a.headers)}
                for url, a in sorted(self._used.items())
            }


class ApiMeter:
    """Requests sent, 304s received, and the rate-limit budget GitHub reported last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.not_modified = 0
        self.remaining: int | None = None
        self.limit: int | None = None

    def record(self, status: int, headers: Mapping[str, str]) -> None:
        with self._lock:
            self.requests += 1
            if status == 304:
                self.not_modified += 1
            remaining = headers.get("x-ratelimit-remaining") or headers.get("X-RateLimit-Remaining")
            limit = headers.get("x-ratelimit-limit") or headers.get("X-RateLimit-Limit")
            if remaining is not None and str(remaining).isdigit():
                self.remaining = int(remaining)
            if limit is not None and str(limit).isdigit():
                self.limit = int(limit)

    @property
    def counted(self) -> int:
        """Requests GitHub counts against the rate limit (a 304 is not counted)."""
        return self.requests - self.not_modified


@lru_cache(maxsize=1)
def _adapter_class() -> type[Any]:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.structures import CaseInsensitiveDict

    class ConditionalAdapter(HTTPAdapter):
        """Adds ``If-None-Match`` to a GET whose answer is stored; a 304 becomes that answer."""

        def __init__(self, store: EtagStore | None, meter: ApiMeter | None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.store = store
            self.meter = meter
            self.ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")

        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("verify") is True and self.ca_bundle:  # as requests does when it reads the environment
                kwargs["verify"] = self.ca_bundle
            cached = None
            if self.store is not None and request.method == "GET":
                cached = self.store.lookup(request.url)
                if cached is not None:
                    request.headers["If-None-Match"] = cached.etag
            response = super().send(request, *args, **kwargs)
            if self.meter is not None:
                self.meter.record(response.status_code, response.headers)
            if self.store is None or request.method != "GET":
                return response
            if response.status_code == 304 and cached is not None:
                _ = response.content  # read the (empty) body: the connection goes back to the pool
                answer = requests.Response()
                answer.status_code = 200
                answer.reason = "OK (not modified)"
                answer.headers = CaseInsensitiveDict(response.headers)
                answer.headers["Content-Type"] = "application/json; charset=utf-8"
                answer.headers.pop("Content-Length", None)
                for name, value in cached.headers.items():
                    answer.headers[name] = value
                answer._content = cached.body.encode("utf-8")
                answer.encoding = "utf-8"
                answer.url = response.url
                answer.request = response.request
                answer.connection = response.connection
                answer.elapsed = response.elapsed
                return answer
            etag = response.headers.get("ETag")
            if response.status_code == 200 and etag and not kwargs.get("stream"):
                kept = {k: response.headers[k] for k in _KEPT_HEADERS if k in response.headers}
                self.store.remember(request.url, CachedAnswer(etag, response.text, kept))
            return response

    return ConditionalAdapter


def enable_conditional_requests(gh: Github, store: EtagStore | None, meter: ApiMeter | None = None) -> bool:
    """Make ``gh`` send conditional GETs from ``store`` (and count its requests in ``meter``).

    PyGithub has no public hook for this: its requester builds one connection per client from
    a connection class, so this client gets a subclass that mounts
    :class:`ConditionalAdapter`. Returns False (the client is left as it was) when the
    installed PyGithub is not built that way; the tests check that it is.
    """
    from github.Requester import HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass

    requester = gh.requester
    attribute = "_Requester__connectionClass"
    base = getattr(requester, attribute, None)
    if base not in (HTTPRequestsConnectionClass, HTTPSRequestsConnectionClass):
        log.info("conditional requests are off: this PyGithub builds its connections differently")
        return False
    adapter_class = _adapter_class()

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        import requests.utils

        base.__init__(self, *args, **kwargs)
        self.adapter = adapter_class(
            store, meter, max_retries=self.retry, pool_connections=self.pool_size, pool_maxsize=self.pool_size
        )
        self.session.mount(f"{self.protocol}://", self.adapter)
        # requests reads the proxy variables on every request (a scan of the whole environment,
        # as long as a 304 takes on loopback); this connection has one host: read them once
        self.session.proxies.update(requests.utils.get_environ_proxies(f"{self.protocol}://{self.host}:{self.port}"))
        self.session.trust_env = False

    setattr(requester, attribute, type("ConditionalConnection", (base,), {"__init__": init}))
    return True
