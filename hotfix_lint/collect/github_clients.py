"""GitHub clients kept from one repository to the next, one per thread.

An audit reads hundreds of repositories from one API host with one token. A client per
repository means a new PyGithub client (about 1.5 ms of CPU here) and a new connection (on
github.com, a TLS handshake) for each. A connection is not shared between threads, so each
thread keeps its own client; each repository sets its own ETag store on it (see
``collect.conditional.Conditions``). Whoever makes the pool closes it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github import Github

    from hotfix_lint.collect.conditional import ApiMeter, Conditions, EtagStore
    from hotfix_lint.collect.deadline import GitHubBudget


class ClientPool:
    """Kept-alive clients by (thread, API URL, token, client settings)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[Any, ...], tuple[Github, Conditions | None]] = {}

    def client(
        self,
        base_url: str,
        token: str | None,
        *,
        page_size: int,
        timeout: int,
        user_agent: str,
        etags: EtagStore | None,
        meter: ApiMeter | None,
        budget: GitHubBudget | None = None,
    ) -> Github:
        """This thread's client for these settings, asking with ``etags``, counted in ``meter``,
        each request's deadline taken from ``budget``."""
        from hotfix_lint.collect.conditional import enable_conditional_requests
        from hotfix_lint.collect.github import new_client

        key = (threading.get_ident(), base_url, token, page_size, timeout, user_agent)
        with self._lock:
            kept = self._clients.get(key)
        if kept is None:
            gh = new_client(base_url, token, page_size=page_size, timeout=timeout, user_agent=user_agent)
            kept = (gh, enable_conditional_requests(gh, etags, meter))  # always: the next one may have a store
            with self._lock:
                self._clients[key] = kept
        gh, conditions = kept
        if conditions is not None:
            conditions.store, conditions.meter, conditions.budget = etags, meter, budget
        return gh

    def __len__(self) -> int:
        with self._lock:
            return len(self._clients)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for gh, _ in clients:
            gh.close()


def open_client(
    base_url: str,
    token: str | None,
    *,
    page_size: int,
    timeout: int,
    user_agent: str,
    etags: EtagStore | None = None,
    meter: ApiMeter | None = None,
    clients: ClientPool | None = None,
    budget: GitHubBudget | None = None,
) -> tuple[Github, bool]:
    """A client asking with ``etags``, counted in ``meter``, its requests' deadlines from
    ``budget``: this thread's from ``clients`` (left open for the next repository), else a new
    one; the flag says whether the caller owns it and closes it. Either way it talks through
    ``collect.http_connection``, whose requests have a total deadline."""
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
    from hotfix_lint.collect.github import new_client

    gh = new_client(base_url, token, page_size=page_size, timeout=timeout, user_agent=user_agent)
    with_deadlines(gh, budget, etags, meter)
    return gh, True


def with_deadlines(
    gh: Github, budget: GitHubBudget | None, etags: EtagStore | None = None, meter: ApiMeter | None = None
) -> None:
    """Make ``gh`` talk through ``collect.http_connection`` (each request's deadline from
    ``budget``, else its own), asking with ``etags`` and counted in ``meter``."""
    from hotfix_lint.collect.conditional import enable_conditional_requests

    conditions = enable_conditional_requests(gh, etags, meter)
    if conditions is not None:
        conditions.budget = budget
