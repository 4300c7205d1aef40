"""GitHub clients kept from one repository to the next, one per thread.

An audit reads hundreds of repositories from one API host with one token. A client per
repository means a new PyGithub client (about 1.5 ms of CPU here) and new connections (on
github.com, a TLS handshake) for each. Each thread keeps its own client (and with it its
``requests`` session and kept-alive connections); each repository sets its own meter on the
client's transport (``collect.github.http_session.Transport``). Whoever makes the pool closes it.

Every request of a client from here goes through ``collect.github.http_session``: paced when the
budget has a pacer, with a total deadline, counted in the meter, and answered from the HTTP
cache when one is given. A new kind of request (GraphQL: ``gh.requester.graphql_query``, or
``requestJsonAndCheck("POST", "/graphql", ...)``) made on such a client is paced the same way.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github import Github

    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.deadline import GitHubBudget


class ClientPool:
    """Kept-alive clients by (thread, API URL, token, client settings)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[Any, ...], Github] = {}

    def client(
        self,
        base_url: str,
        token: str | None,
        *,
        page_size: int,
        timeout: int,
        user_agent: str,
        etags: HttpCache | None,
        meter: ApiMeter | None,
        budget: GitHubBudget | None = None,
    ) -> Github:
        """This thread's client for these settings, answered from ``etags``, counted in
        ``meter``, each request's deadline taken from ``budget``."""
        from hotfix_lint.collect.github.http_session import build_client, transport_of

        key = (threading.get_ident(), base_url, token, page_size, timeout, user_agent)
        with self._lock:
            gh = self._clients.get(key)
        if gh is None:
            gh = build_client(base_url, token, page_size=page_size, timeout=timeout, user_agent=user_agent)
            with self._lock:
                self._clients[key] = gh
        transport = transport_of(gh)
        if transport is not None:
            transport.cache, transport.meter, transport.budget = etags, meter, budget
        return gh

    def __len__(self) -> int:
        with self._lock:
            return len(self._clients)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for gh in clients:
            gh.close()


def open_client(
    base_url: str,
    token: str | None,
    *,
    page_size: int,
    timeout: int,
    user_agent: str,
    etags: HttpCache | None = None,
    meter: ApiMeter | None = None,
    clients: ClientPool | None = None,
    budget: GitHubBudget | None = None,
) -> tuple[Github, bool]:
    """A client answered from ``etags``, counted in ``meter``, its requests' deadlines and pace
    from ``budget``: this thread's from ``clients`` (left open for the next repository), else a
    new one; the flag says whether the caller owns it and closes it."""
    if clients is not None:
        gh = clients.client(
            base_url,
            token,
            page_size=page_size,
            timeout=timeout,
            user_agent=user_agent,
            etags=etags,
            meter=meter,
            budget=budget,
        )
        return gh, False
    from hotfix_lint.collect.github.http_session import Transport, build_client

    transport = Transport(token, etags, meter, budget)
    gh = build_client(base_url, token, page_size=page_size, timeout=timeout, user_agent=user_agent, transport=transport)
    return gh, True
