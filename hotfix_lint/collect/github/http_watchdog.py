"""A watchdog for requests' deadlines: a server that drips its answer cannot hold the run.

A socket's timeout bounds one read, not a request: a server that sends a byte every few
seconds never trips it. :func:`watch` gives the current thread's request a :class:`Watch`;
the ``urllib3`` connections made from :data:`POOL_CLASSES` hand it their socket as they
connect and before they read an answer, and one thread per process shuts that socket when
the deadline passes, so the blocked read ends at once (``collect.github.http_session`` then raises
:class:`~hotfix_lint.collect.github.deadline.DeadlineExceeded`).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from hotfix_lint.collect.github.deadline import Deadline


class Watch:
    """One request's deadline: shuts the socket it is reading from once the deadline passes."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._done = False

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            if self._done or sock is None:
                return
            self._sock = sock
            if self.fired:
                _shut(sock)

    def fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            if self._sock is not None:
                _shut(self._sock)

    def finish(self) -> None:
        with self._lock:
            self._done = True
            self._sock = None


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class Watchdog:
    """One thread per process that fires the watches whose deadline has passed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watch]] = []
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> Watch:
        watch = Watch(deadline)
        with self._cond:
            heapq.heappush(self._heap, (deadline.end, next(self._seq), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="hotfix-lint-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is watch:  # the earliest now: the thread waits for a later one
                self._cond.notify()
        return watch

    def _run(self) -> None:
        with self._cond:
            while True:
                while self._heap and (self._heap[0][2]._done or self._heap[0][2].deadline.expired):
                    _, _, watch = heapq.heappop(self._heap)
                    if not watch._done:
                        watch.fire()
                self._cond.wait(self._heap[0][2].deadline.remaining() if self._heap else None)


_watchdog = Watchdog()
_current = threading.local()


def _forked() -> None:
    global _watchdog
    _watchdog = Watchdog()  # the parent's thread is not in the child


os.register_at_fork(after_in_child=_forked)


class _Watched:
    """``urllib3``'s connection, its socket handed to the current request's watch."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _attach(self.sock)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _attach(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


def _attach(sock: Any) -> None:
    watch = getattr(_current, "watch", None)
    if watch is not None:
        watch.attach(sock)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


#: the pool classes a ``urllib3`` pool manager makes its pools from, for watched connections
POOL_CLASSES = {"http": _Pool, "https": _TLSPool}


def watch(deadline: Deadline) -> Watch:
    """Watch the current thread's next request until :meth:`Watch.finish`: its connection's
    socket is shut once ``deadline`` passes (a blocked read then ends at once)."""
    found = _watchdog.watch(deadline)
    _current.watch = found
    return found


def unwatch(found: Watch) -> None:
    """The request is over: its socket (back in the pool) is left alone."""
    _current.watch = None
    found.finish()
