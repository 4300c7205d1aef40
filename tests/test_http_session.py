"""How GitHub is spoken to (``collect.github.http_session``) and the kept clients
(``collect.github.clients``): against small real servers on 127.0.0.1, and the loopback GitHub.

The raw servers here answer what a proxy or a misbehaving server would, which the loopback
GitHub cannot: a kept-alive connection closed between two requests, a malformed status line, a
proxy that forwards absolute URLs, a proxy that refuses a ``CONNECT`` tunnel. Every request is
made as the collectors make it: through a PyGithub client from ``build_client``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from github_server import GitHubServer

from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
from hotfix_lint.collect.github.http_session import (
    MAX_ANSWER_BYTES,
    AnswerTooLarge,
    Transport,
    build_client,
    transport_of,
)

OK_JSON = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"a": true}'
TOKEN = "ghp_HttpSessionT0kenNeverWritten000000001"  # noqa: S105


class RawServer:
    """Accepts connections on 127.0.0.1; for each request ``answer(head)`` gives the bytes to
    send back, and whether to close the connection after them. Records every request head.

    ``close`` shuts the sockets down before the threads end: a socket merely closed under a
    thread blocked on it leaves the thread holding a file descriptor number that the next
    test's sockets reuse."""

    def __init__(self, answer: Callable[[str], tuple[bytes, bool]]) -> None:
        self.answer = answer
        self.heads: list[str] = []
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._open: list[socket.socket] = []
        self._threads = [threading.Thread(target=self._serve, daemon=True)]
        self._threads[0].start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            thread = threading.Thread(target=self._talk, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _talk(self, conn: socket.socket) -> None:
        data = b""
        try:
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                self.heads.append(head.decode("latin-1"))
                reply, close = self.answer(head.decode("latin-1"))
                conn.sendall(reply)
                if close:
                    conn.shutdown(socket.SHUT_RDWR)
                    return
        except OSError:
            return

    def close(self) -> None:
        for sock in (self.sock, *self._open):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)
        for sock in (self.sock, *self._open):
            sock.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[str], tuple[bytes, bool]]], RawServer]]:
    made: list[RawServer] = []

    def make(answer: Callable[[str], tuple[bytes, bool]]) -> RawServer:
        made.append(RawServer(answer))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def client(url: str, cache: HttpCache | None = None, meter: ApiMeter | None = None, token: str = TOKEN) -> Any:
    return build_client(url, token, page_size=30, timeout=5, user_agent="t", transport=Transport(token, cache, meter))


def get(gh: Any, path: str = "/repos/octo/app") -> tuple[dict[str, Any], Any]:
    headers, data = gh.requester.requestJsonAndCheck("GET", path)
    return headers, data


def etag_server(raw_server: Callable[..., RawServer], extra: str = "") -> RawServer:
    """Answers with an ETag, and 304 to a request that names it."""

    def answer(head: str) -> tuple[bytes, bool]:
        if 'if-none-match: "v1"' in head.lower():
            return b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nX-RateLimit-Remaining: 4999\r\n\r\n', False
        body = b'{"full_name": "octo/app"}'
        return (
            b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETag: "v1"\r\n'
            + b"Date: Sat, 05 Dec 2026 12:00:00 GMT\r\n"
            + extra.encode()
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body,
            False,
        )

    return raw_server(answer)


def test_every_request_of_a_client_goes_through_its_transport(raw_server: Callable[..., RawServer]) -> None:
    """The hook into PyGithub (``Requester.injectConnectionClasses`` while a client is made):
    if PyGithub stopped taking it, nothing would be paced, counted or cached; this says so."""
    server = raw_server(lambda head: (OK_JSON, False))
    meter = ApiMeter()
    gh = client(f"http://127.0.0.1:{server.port}", meter=meter)
    assert transport_of(gh) is not None
    assert get(gh)[1]["a"] is True
    assert meter.requests == 1, "the request did not go through hotfix-lint's transport"
    other = __import__("github").Github(base_url=f"http://127.0.0.1:{server.port}", retry=None)
    other.requester.requestJsonAndCheck("GET", "/repos/octo/app")
    assert meter.requests == 1, "a client made otherwise is left as PyGithub makes it"
    gh.close()


def test_a_kept_alive_connection_is_used_again(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (OK_JSON, False))
    gh = client(f"http://127.0.0.1:{server.port}")
    assert [get(gh)[1]["a"] for _ in range(3)] == [True] * 3
    assert server.connections == 1
    gh.close()


def test_a_connection_the_server_closed_meanwhile_is_opened_again(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (OK_JSON, True))  # closes after each answer, without saying so
    gh = client(f"http://127.0.0.1:{server.port}")
    assert [get(gh)[1]["a"] for _ in range(2)] == [True] * 2
    assert server.connections == 2
    gh.close()


def test_a_malformed_answer_is_a_network_error_the_retry_loop_knows(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (b"hello there\r\n\r\n", True))
    with pytest.raises(OSError):
        get(client(f"http://127.0.0.1:{server.port}"))


def test_a_304_is_turned_back_into_the_stored_200(raw_server: Callable[..., RawServer], tmp_path: Path) -> None:
    server = etag_server(
        raw_server, "Cache-Control: private, max-age=60, s-maxage=60\r\nVary: Accept, Authorization\r\n"
    )
    cache, meter = HttpCache(tmp_path / "http"), ApiMeter()
    gh = client(f"http://127.0.0.1:{server.port}", cache, meter)
    first = get(gh)
    second = get(gh)  # within max-age: asked again all the same (a setting changed a second ago is seen)
    assert first[1] == second[1] and first[1]["full_name"] == "octo/app"
    assert (meter.requests, meter.not_modified, meter.remaining) == (2, 1, 4999)
    assert 'if-none-match: "v1"' not in server.heads[0].lower()
    assert 'if-none-match: "v1"' in server.heads[1].lower()
    stored = [p for p in (tmp_path / "http").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert stored and all(TOKEN not in p.read_bytes().decode("latin-1") for p in stored)
    assert all(p.stat().st_mode & 0o077 == 0 for p in stored)
    gh.close()


def test_the_cache_is_shared_by_clients_and_kept_apart_by_token(
    raw_server: Callable[..., RawServer], tmp_path: Path
) -> None:
    server = etag_server(raw_server)
    cache = HttpCache(tmp_path / "http")
    get(client(f"http://127.0.0.1:{server.port}", cache))
    meter = ApiMeter()
    get(client(f"http://127.0.0.1:{server.port}", HttpCache(tmp_path / "http"), meter))  # another run, or worker
    assert meter.not_modified == 1
    get(client(f"http://127.0.0.1:{server.port}", cache, meter, token="ghp_another"))  # noqa: S106
    assert meter.not_modified == 1, "another token's answers are its own"
    assert cache.folder(TOKEN) != cache.folder("ghp_another")


def test_a_forked_worker_answers_from_the_same_cache(raw_server: Callable[..., RawServer], tmp_path: Path) -> None:
    import multiprocessing

    server = etag_server(raw_server)
    cache = HttpCache(tmp_path / "http")
    get(client(f"http://127.0.0.1:{server.port}", cache))
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply(_not_modified_in_worker, (f"http://127.0.0.1:{server.port}", cache)) == 1


def _not_modified_in_worker(url: str, cache: HttpCache) -> int:
    meter = ApiMeter()
    get(client(url, cache, meter))
    return meter.not_modified


@pytest.mark.parametrize("declared", [True, False])
def test_an_answer_too_large_is_refused_and_not_kept(
    raw_server: Callable[..., RawServer], tmp_path: Path, declared: bool
) -> None:
    size = MAX_ANSWER_BYTES + 128 * 1024  # past the largest entry the cache keeps, too
    framing = b"Content-Length: %d\r\n" % size if declared else b"Connection: close\r\n"

    def answer(head: str) -> tuple[bytes, bool]:
        return b'HTTP/1.1 200 OK\r\nETag: "big"\r\n' + framing + b"\r\n" + b" " * size, True

    server = raw_server(answer)
    with pytest.raises(AnswerTooLarge):
        get(client(f"http://127.0.0.1:{server.port}", HttpCache(tmp_path / "http")))
    assert not [p for p in (tmp_path / "http").rglob("*") if p.is_file() and not p.name.endswith(".lock")]


def test_prune_drops_old_entries_then_the_oldest_beyond_the_size(tmp_path: Path) -> None:
    import os
    import time

    cache = HttpCache(tmp_path / "http")
    folder = cache.folder(TOKEN)
    folder.mkdir(parents=True)
    for n, age_days in enumerate((40, 2, 1, 0)):
        path = folder / f"entry{n}"
        path.write_bytes(b"x" * 100)
        stamp = time.time() - age_days * 86400
        os.utime(path, (stamp, stamp))
    assert cache.prune(max_age_days=30, max_bytes=250) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["entry2", "entry3"]


def test_a_plain_proxy_is_sent_the_absolute_url_and_its_credentials(
    raw_server: Callable[..., RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = raw_server(lambda head: (OK_JSON, False))
    monkeypatch.setenv("HTTP_PROXY", f"http://user:s3cret@127.0.0.1:{proxy.port}")
    assert get(client("http://api.example.test"))[1]["a"] is True
    request_line, *headers = proxy.heads[0].split("\r\n")
    assert request_line == "GET http://api.example.test:80/repos/octo/app HTTP/1.1"
    assert "Proxy-Authorization: Basic dXNlcjpzM2NyZXQ=" in headers


def test_an_https_api_is_reached_through_a_connect_tunnel(
    raw_server: Callable[..., RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = raw_server(lambda head: (b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", True))
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:pw@127.0.0.1:{proxy.port}")
    with pytest.raises(OSError, match="407"):
        get(client("https://api.example.test"))
    request_line, *headers = proxy.heads[0].split("\r\n")
    assert request_line.startswith("CONNECT api.example.test:443 HTTP/1.")
    assert "Proxy-Authorization: Basic dXNlcjpwdw==" in headers


def test_no_proxy_exempts_a_host(raw_server: Callable[..., RawServer], monkeypatch: pytest.MonkeyPatch) -> None:
    server = raw_server(lambda head: (OK_JSON, False))
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert get(client(f"http://127.0.0.1:{server.port}"))[1]["a"] is True


def test_the_ca_bundle_is_the_one_requests_would_use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "bundle.pem"))
    with pytest.raises(OSError, match=r"bundle\.pem"):
        get(client("https://127.0.0.1:9"))


def test_a_client_pool_keeps_one_client_per_thread_and_takes_each_repositorys_meter(
    github_server: GitHubServer, tmp_path: Path
) -> None:
    from hotfix_lint.collect.github.clients import ClientPool
    from hotfix_lint.collect.github.collector import collect_github

    github_server.state.add_repo("octo/app", branches=["develop"])
    github_server.state.add_repo("octo/lib", branches=["develop"])
    github_server.state.protect_branch("octo/app", "main")
    github_server.state.protect_branch("octo/lib", "main")
    pool = ClientPool()
    cache = HttpCache(tmp_path / "http")
    meters = {name: ApiMeter() for name in ("octo/app", "octo/lib")}
    first = {
        name: collect_github(name, "t", github_server.url, ["main"], None, etags=cache, meter=meter, clients=pool)
        for name, meter in meters.items()
    }
    assert len(pool) == 1
    assert all(m.requests for m in meters.values())
    github_server.clear_requests()
    again = {
        name: collect_github(name, "t", github_server.url, ["main"], None, etags=cache, clients=pool) for name in meters
    }
    assert again == first
    assert github_server.requests and {r.status for r in github_server.requests} == {304}
    elsewhere: list[int] = []
    thread = threading.Thread(
        target=lambda: elsewhere.append(
            len([collect_github("octo/app", "t", github_server.url, ["main"], None, clients=pool)]) and len(pool)
        )
    )
    thread.start()
    thread.join()
    assert elsewhere == [2], "another thread gets a client of its own"
    pool.close()
    assert len(pool) == 0


def test_the_largest_cache_entry_holds_the_largest_answer() -> None:
    from hotfix_lint.collect.github.conditional import MAX_ENTRY_BYTES

    assert MAX_ANSWER_BYTES < MAX_ENTRY_BYTES <= MAX_ANSWER_BYTES + 64 * 1024


def test_a_304_rewrites_its_entry_at_most_once_a_day(raw_server: Callable[..., RawServer], tmp_path: Path) -> None:
    """The entry's time says it is in use (``HttpCache.prune``); writing it on every 304 would
    cost a file lock and a rename per request."""
    import os
    import time

    server = etag_server(raw_server)
    meter = ApiMeter()
    gh = client(f"http://127.0.0.1:{server.port}", HttpCache(tmp_path / "http"), meter)
    get(gh)
    (entry,) = [p for p in (tmp_path / "http").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    yesterday = time.time() - 86400 - 60
    os.utime(entry, (yesterday, yesterday))
    get(gh)
    assert entry.stat().st_mtime > yesterday + 3600, "a day old: written again"
    written = entry.stat().st_mtime_ns
    assert get(gh)[1]["full_name"] == "octo/app"
    assert entry.stat().st_mtime_ns == written, "written today: left alone"
    assert meter.not_modified == 2


def test_a_graphql_query_goes_through_the_transport_too(github_server: GitHubServer) -> None:
    """What the audit's GraphQL client sends on a client from ``open_client`` is paced and
    counted like every REST request (``PacedAdapter``)."""
    from hotfix_lint.collect.github.clients import open_client
    from hotfix_lint.collect.github.deadline import GitHubBudget
    from hotfix_lint.collect.github.pacing import ApiLimits, Pacer

    github_server.state.add_repo("octo/app")
    meter, budget = ApiMeter(), GitHubBudget(60)
    budget.pacer = Pacer(ApiLimits())
    gh, owned = open_client(github_server.url, "t", page_size=30, timeout=5, user_agent="t", meter=meter, budget=budget)
    _, data = gh.requester.graphql_query('query { repository(owner: "octo", name: "app") { nameWithOwner } }', {})
    assert data["data"]["repository"]["nameWithOwner"] == "octo/app"
    assert meter.requests == 1
    assert [(r.method, r.path) for r in github_server.requests][-1] == ("POST", "/graphql")
    assert owned
    gh.close()
