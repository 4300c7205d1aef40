"""Audits as real processes: killed with ``kill -9``, they leave no worker behind; two on the
same cache wait for each other per repository instead of failing it."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from audit_processes import alive, kill_all, live_children, start_audit, wait_until

pytestmark = pytest.mark.slow


class SilentServer:
    """A TCP server on loopback that accepts connections and never answers: an API so slow
    that the audit's workers are all waiting on it when the audit is killed."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_killing_the_audit_ends_its_worker_processes(silent_server: SilentServer, tmp_path: Path) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform: the audit runs threads only")
    argv = ["octo/a", "octo/b", "--jobs", "2", "--github-url", silent_server.url, "--cache", str(tmp_path / "cache")]
    audit = start_audit(argv, {"HOME": str(tmp_path)}, tmp_path / "audit.log")
    workers: list[int] = []
    try:
        # both workers are waiting for an answer that never comes
        assert wait_until(lambda: len(silent_server.connections) >= 2, 30), (tmp_path / "audit.log").read_text()
        workers = live_children(audit.pid)
        assert len(workers) == 2
        audit.send_signal(signal.SIGKILL)
        audit.wait(10)
        assert wait_until(lambda: not alive(workers), 5), f"workers {alive(workers)} outlived the killed audit"
    finally:
        audit.kill()
        audit.wait(10)
        kill_all(workers)
