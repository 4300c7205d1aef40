"""The audit's connection to GitHub (``collect.http_connection``) and its kept clients
(``collect.github_clients``): against small real servers on 127.0.0.1, and the loopback GitHub.

The raw servers here answer what a proxy or a misbehaving server would, which the loopback
GitHub cannot: a kept-alive connection closed between two requests, a malformed status line, a
proxy that forwards absolute URLs, a proxy that refuses a ``CONNECT`` tunnel.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from github_server import GitHubServer

from hotfix_lint.collect.conditional import ApiMeter, Conditions, EtagStore
from hotfix_lint.collect.http_connection import GitHubConnection, proxy_for, tls_context

OK_JSON = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": true}"


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


def connection(host: str, port: int, scheme: str = "http", store: EtagStore | None = None) -> GitHubConnection:
    return GitHubConnection(host, port, timeout=5, scheme=scheme, conditions=Conditions(store, ApiMeter()))


def get(cnx: GitHubConnection, path: str = "/repos/octo/app") -> tuple[int, str]:
    cnx.request("GET", path, None, {"Authorization": "token t"})
    answer = cnx.getresponse()
    return answer.status, answer.read()


def test_a_kept_alive_connection_is_used_again(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (OK_JSON, False))
    cnx = connection("127.0.0.1", server.port)
    assert [get(cnx), get(cnx), get(cnx)] == [(200, '{"a": true}')] * 3
    assert server.connections == 1
    cnx.close()


def test_a_connection_the_server_closed_meanwhile_is_opened_again(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (OK_JSON, True))  # closes after each answer, without saying so
    cnx = connection("127.0.0.1", server.port)
    assert [get(cnx), get(cnx)] == [(200, '{"a": true}')] * 2
    assert server.connections == 2
    cnx.close()


def test_a_malformed_answer_is_a_network_error_the_retry_loop_knows(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (b"hello there\r\n\r\n", True))
    with pytest.raises(OSError, match=r"unreadable answer from 127\.0\.0\.1"):
        get(connection("127.0.0.1", server.port))


def test_a_304_is_turned_back_into_the_stored_200(raw_server: Callable[..., RawServer]) -> None:
    def answer(head: str) -> tuple[bytes, bool]:
        if 'if-none-match: "v1"' in head.lower():
            return b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 0\r\n\r\n', False
        body = b'[{"id": 1}]'
        headers = f'HTTP/1.1 200 OK\r\nETag: "v1"\r\nLink: <x>; rel="next"\r\nContent-Length: {len(body)}\r\n\r\n'
        return headers.encode() + body, False

    server = raw_server(answer)
    store = EtagStore()
    cnx = connection("127.0.0.1", server.port, store=store)
    assert get(cnx) == (200, '[{"id": 1}]')
    cnx.request("GET", "/repos/octo/app", None, {})
    again = cnx.getresponse()
    assert (again.status, again.read(), again.headers["link"]) == (200, '[{"id": 1}]', '<x>; rel="next"')
    assert cnx.conditions.meter is not None and cnx.conditions.meter.not_modified == 1
    assert store.used()[f"http://127.0.0.1:{server.port}/repos/octo/app"]["etag"] == '"v1"'


def test_same_answer_asks_with_the_stored_etag_and_pygithubs_headers(raw_server: Callable[..., RawServer]) -> None:
    versions = ['"v1"']

    def answer(head: str) -> tuple[bytes, bool]:
        if f"if-none-match: {versions[-1]}" in head.lower():
            return f"HTTP/1.1 304 Not Modified\r\nETag: {versions[-1]}\r\nContent-Length: 0\r\n\r\n".encode(), False
        body = versions[-1].encode()
        return f"HTTP/1.1 200 OK\r\nETag: {versions[-1]}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body, False

    server = raw_server(answer)
    store = EtagStore()
    cnx = connection("127.0.0.1", server.port, store=store)
    url = f"http://127.0.0.1:{server.port}/repos/octo/app"
    assert not cnx.same_answer(url), "nothing stored, and no request of PyGithub's to copy headers from"
    assert server.heads == []
    assert get(cnx) == (200, '"v1"')
    assert cnx.same_answer(url)
    assert "Authorization: token t" in server.heads[-1] and 'If-None-Match: "v1"' in server.heads[-1]
    versions.append('"v2"')
    assert not cnx.same_answer(url), "changed"
    assert store.used()[url]["etag"] == '"v2"', "the changed answer is stored: the request that follows gets a 304"
    assert cnx.same_answer(url)
    asked = len(server.heads)
    assert not cnx.same_answer(f"http://127.0.0.1:{server.port}/repos/octo/other"), "never stored"
    assert not cnx.same_answer("http://elsewhere.test:80/repos/octo/app"), "another host"
    assert len(server.heads) == asked
    meter = cnx.conditions.meter
    assert meter is not None and (meter.requests, meter.not_modified) == (4, 2)
    cnx.close()


def test_a_404_is_the_same_answer_when_its_body_is(raw_server: Callable[..., RawServer]) -> None:
    import hashlib

    bodies = [b'{"message": "Branch not protected"}']

    def answer(head: str) -> tuple[bytes, bool]:
        assert "if-none-match" not in head.lower(), "a 404 has no ETag to send"
        body = bodies[-1]
        status = "404 Not Found" if b"message" in body else "200 OK"
        return f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body, False

    server = raw_server(answer)
    cnx = connection("127.0.0.1", server.port, store=EtagStore())
    assert get(cnx, "/repos/octo/app/branches/main/protection")[0] == 404
    url = f"http://127.0.0.1:{server.port}/repos/octo/app/branches/main/protection"
    seen = hashlib.sha256(bodies[0]).hexdigest()
    assert cnx.same_answer(url, seen)
    bodies.append(b'{"message": "Not Found"}')
    assert not cnx.same_answer(url, seen), "another 404"
    bodies.append(b"{}")
    assert not cnx.same_answer(url, seen), "not a 404 any more"


def test_same_answer_is_false_when_the_server_cannot_answer(raw_server: Callable[..., RawServer]) -> None:
    answers = [(b'HTTP/1.1 200 OK\r\nETag: "v1"\r\nContent-Length: 2\r\n\r\n{}', False), (b"garbage\r\n\r\n", True)]
    server = raw_server(lambda head: answers.pop(0))
    cnx = connection("127.0.0.1", server.port, store=EtagStore())
    assert get(cnx) == (200, "{}")
    assert not cnx.same_answer(f"http://127.0.0.1:{server.port}/repos/octo/app")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        pytest.param(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n[{\"a\"\r\n3\r\n: 1\r\n2\r\n}]\r\n0\r\n"
            b"Trailer: x\r\n\r\n",
            (200, '[{"a": 1}]'),
            id="chunked, with an extension and a trailer",
        ),
        pytest.param(
            b"HTTP/1.1 100 Continue\r\n\r\n" + OK_JSON,
            (200, '{"a": true}'),
            id="an interim 100 before the answer",
        ),
        pytest.param(
            b"HTTP/1.1 204 No Content\r\nX-Note: a\r\n\r\n" + OK_JSON,
            (204, ""),
            id="a 204 has no body, the next answer stays on the connection",
        ),
    ],
)
def test_answers_are_framed_as_http_1_1_says(
    raw_server: Callable[..., RawServer], reply: bytes, expected: tuple[int, str]
) -> None:
    server = raw_server(lambda head: (reply, False))
    assert get(connection("127.0.0.1", server.port)) == expected


def test_a_body_without_length_ends_with_the_connection(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (b"HTTP/1.0 200 OK\r\n\r\n{\"old\": 1}", True))
    cnx = connection("127.0.0.1", server.port)
    assert [get(cnx), get(cnx)] == [(200, '{"old": 1}')] * 2
    assert server.connections == 2, "HTTP/1.0 without keep-alive: a connection per request"


def test_repeated_headers_are_joined_and_names_lower_cased(raw_server: Callable[..., RawServer]) -> None:
    reply = b"HTTP/1.1 200 OK\r\nLink: <a>; rel=\"next\"\r\nLINK: <b>; rel=\"last\"\r\nContent-Length: 2\r\n\r\n[]"
    server = raw_server(lambda head: (reply, False))
    cnx = connection("127.0.0.1", server.port)
    cnx.request("GET", "/x", None, {})
    assert cnx.getresponse().headers["link"] == '<a>; rel="next", <b>; rel="last"'


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", id="a body shorter than said"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: twelve\r\n\r\n", id="a length that is no number"),
        pytest.param(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", id="a chunk size"),
        pytest.param(b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", id="a header line"),
        pytest.param(b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000 + b"\r\n\r\n", id="a line too long"),
        pytest.param(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n", id="too many headers"),
        pytest.param(b"HTTP/1.1 2000 OK\r\n\r\n", id="a status of four digits"),
    ],
)
def test_what_a_server_sends_wrong_is_a_network_error(raw_server: Callable[..., RawServer], reply: bytes) -> None:
    server = raw_server(lambda head: (reply, True))
    with pytest.raises(OSError, match=r"unreadable answer from 127\.0\.0\.1|closed the connection"):
        get(connection("127.0.0.1", server.port))


def test_a_header_with_a_line_break_is_refused_before_anything_is_sent(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (OK_JSON, False))
    cnx = connection("127.0.0.1", server.port)
    cnx.request("GET", "/x", None, {"X-Evil": "a\r\nX-Injected: b"})
    with pytest.raises(ValueError, match="invalid HTTP header"):
        cnx.getresponse()
    assert server.heads == []


def test_the_request_carries_host_identity_encoding_and_a_body_length(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(lambda head: (OK_JSON, False))
    cnx = connection("127.0.0.1", server.port)
    cnx.request("POST", "/repos/octo/app/statuses/abc", '{"state": "success"}', {"Content-Type": "application/json"})
    assert cnx.getresponse().status == 200
    request_line, *headers = server.heads[0].split("\r\n")
    assert request_line == "POST /repos/octo/app/statuses/abc HTTP/1.1"
    assert headers[:2] == [f"Host: 127.0.0.1:{server.port}", "Accept-Encoding: identity"]
    assert "Content-Length: 20" in headers


def test_a_plain_proxy_is_sent_the_absolute_url_and_its_credentials(
    raw_server: Callable[..., RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = raw_server(lambda head: (OK_JSON, False))
    monkeypatch.setenv("HTTP_PROXY", f"http://user:s3cret@127.0.0.1:{proxy.port}")
    assert get(connection("api.example.test", 80)) == (200, '{"a": true}')
    request_line, *headers = proxy.heads[0].split("\r\n")
    assert request_line == "GET http://api.example.test:80/repos/octo/app HTTP/1.1"
    assert "Proxy-Authorization: Basic dXNlcjpzM2NyZXQ=" in headers


def test_an_https_api_is_reached_through_a_connect_tunnel(
    raw_server: Callable[..., RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = raw_server(lambda head: (b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n", True))
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:pw@127.0.0.1:{proxy.port}")
    with pytest.raises(OSError, match="407"):
        get(connection("api.example.test", 443, scheme="https"))
    request_line, *headers = proxy.heads[0].split("\r\n")
    assert request_line == "CONNECT api.example.test:443 HTTP/1.0"
    assert "Proxy-Authorization: Basic dXNlcjpwdw==" in headers


def test_no_proxy_exempts_a_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "ghe.example.com")
    assert proxy_for("https", "ghe.example.com") is None
    found = proxy_for("https", "api.github.com")
    assert found is not None and (found.hostname, found.port) == ("proxy.internal", 3128)
    assert proxy_for("http", "api.github.com") is None, "HTTPS_PROXY is for https only"


def test_the_ca_bundle_is_the_one_requests_would_use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import certifi

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    default = tls_context(True)
    assert default.verify_mode == ssl.CERT_REQUIRED and default.check_hostname
    assert default.cert_store_stats()["x509_ca"] > 50, "certifi's bundle"
    assert tls_context(True) is default, "loaded once"
    one = tmp_path / "one.pem"
    one.write_text(ssl.DER_cert_to_PEM_cert(default.get_ca_certs(binary_form=True)[0]))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(one))
    assert tls_context(True).cert_store_stats()["x509_ca"] == 1
    assert tls_context(False).verify_mode == ssl.CERT_NONE
    shutil.copy(certifi.where(), tmp_path / "copy.pem")
    assert tls_context(str(tmp_path / "copy.pem")).cert_store_stats() == default.cert_store_stats()


def test_a_client_pool_keeps_one_client_per_thread_and_takes_each_repositorys_store(
    github_server: GitHubServer,
) -> None:
    from hotfix_lint.collect.github import collect_github
    from hotfix_lint.collect.github_clients import ClientPool

    github_server.state.add_repo("octo/app", branches=["develop"])
    github_server.state.add_repo("octo/lib", branches=["develop"])
    github_server.state.protect_branch("octo/app", "main")
    github_server.state.protect_branch("octo/lib", "main")  # a 404 has no ETag: asked in full every time
    pool = ClientPool()
    stores = {name: EtagStore() for name in ("octo/app", "octo/lib")}
    first = {
        name: collect_github(name, "t", github_server.url, ["main"], None, etags=store, clients=pool)
        for name, store in stores.items()
    }
    assert len(pool) == 1
    github_server.clear_requests()
    again = {
        name: collect_github(name, "t", github_server.url, ["main"], None, etags=EtagStore(store.used()), clients=pool)
        for name, store in stores.items()
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
    assert json.dumps(stores["octo/app"].used())  # plain data for the cache
