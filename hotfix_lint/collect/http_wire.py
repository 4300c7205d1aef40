"""One HTTP/1.1 request written, and its answer read, on an open connection.

``http.client`` reads every answer's headers through the ``email`` package's parser, which
costs more than everything else a 304 asks of the client: measured on loopback, about
0.23 ms of CPU per conditional GET through ``http.client`` and 0.09 ms this way (a loop of
1,200 GETs answered 304, CPU time per request). An audit sends thousands, nearly all 304s.
``collect.http_connection`` still opens connections with ``http.client`` (proxy tunnel, TLS);
this module writes and reads what goes through them: status line, headers, and a body framed
by ``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the connection.

What the server sends wrong raises ``http.client``'s own exceptions (``RemoteDisconnected``,
``BadStatusLine``, ``IncompleteRead``, ``LineTooLong``), so the caller handles them as before.
"""

from __future__ import annotations

import http.client
from typing import Any, BinaryIO

#: the longest status, header or chunk-size line accepted, and the most header lines
MAX_LINE = 65536
MAX_HEADERS = 100
_BODYLESS = (204, 304)


def encode_request(verb: str, target: str, host: str, headers: dict[str, str], body: Any) -> bytes:
    """The request's bytes; ``headers`` as given, ``Host`` and ``Accept-Encoding: identity`` (as
    ``http.client`` sends them) and ``Content-Length`` added. A header with a line break in it
    is refused (it would smuggle another header or request)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif body is not None and not isinstance(body, bytes | bytearray):
        body = body.read() if hasattr(body, "read") else bytes(body)
    lines = [f"{verb} {target} HTTP/1.1", f"Host: {host}", "Accept-Encoding: identity"]
    for name, value in headers.items():
        text = str(value)
        if any(c in name for c in "\r\n:") or "\r" in text or "\n" in text:
            raise ValueError(f"invalid HTTP header {name!r}")
        lines.append(f"{name}: {text}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    elif verb in ("POST", "PUT", "PATCH"):
        lines.append("Content-Length: 0")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + bytes(body) if body else head


def read_answer(reader: BinaryIO, verb: str) -> tuple[int, dict[str, str], bytes, bool]:
    """(status, headers with lower-case names, body, whether the server closes the connection)."""
    while True:
        line = _line(reader)
        if not line:
            raise http.client.RemoteDisconnected("the server closed the connection without an answer")
        version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
        code = rest[:3]
        if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit() or rest[3:4] not in ("", " "):
            raise http.client.BadStatusLine(line.decode("latin-1", errors="replace")[:100])
        status = int(code)
        headers = _headers(reader)
        if not 100 <= status < 200:  # an interim answer (100 Continue) is followed by the real one
            break
    connection = headers.get("connection", "").lower()
    will_close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
    if verb == "HEAD" or status in _BODYLESS:
        return status, headers, b"", will_close
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return status, headers, _chunked(reader), will_close
    length = headers.get("content-length")
    if length is None:  # the body ends with the connection
        return status, headers, reader.read(), True
    if not length.strip().isdigit():
        raise http.client.BadStatusLine(f"Content-Length: {length[:40]}")
    return status, headers, _exactly(reader, int(length)), will_close


def _line(reader: BinaryIO) -> bytes:
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise http.client.LineTooLong("answer line")
    return line


def _headers(reader: BinaryIO) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        line = _line(reader)
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            raise http.client.BadStatusLine(f"not a header line: {line[:60]!r}")
        key, text = name.strip().lower(), value.strip()
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    raise http.client.HTTPException(f"more than {MAX_HEADERS} headers")


def _exactly(reader: BinaryIO, size: int) -> bytes:
    data = reader.read(size)
    if len(data) < size:
        raise http.client.IncompleteRead(data, size - len(data))
    return data


def _chunked(reader: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        line = _line(reader)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise http.client.IncompleteRead(b"".join(parts)) from None
        if size == 0:
            while _line(reader) not in (b"\r\n", b"\n", b""):  # trailers, unused
                pass
            return b"".join(parts)
        parts.append(_exactly(reader, size))
        _exactly(reader, 2)  # the CRLF after each chunk
