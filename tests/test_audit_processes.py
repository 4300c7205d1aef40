"""Audits as real processes: killed with ``kill -9``, they leave no worker behind; two on the
same cache wait for each other per repository instead of failing it."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from audit_org import ORG, TOKEN, Org
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


def _concurrent_audits(org: Org, cache: Path, tmp_path: Path, round_: str) -> list[dict[str, Any]]:
    """Two audits of the organisation at once on ``cache``: their JSON reports."""
    env = {"HOME": str(tmp_path), "GITHUB_TOKEN": TOKEN}
    audits = []
    for n in (1, 2):
        argv = ["--org", ORG, "--jobs", "4", "--github-url", org.server.url, "--cache", str(cache)]
        argv += ["--now", "2026-01-15", "--format", f"json={tmp_path / f'audit{round_}-{n}.json'}"]
        audits.append(start_audit(argv, env, tmp_path / f"audit{round_}-{n}.log"))
    try:
        for audit in audits:
            audit.wait(120)
    finally:
        for audit in audits:
            audit.kill()
            audit.wait(10)
    reports = []
    for n in (1, 2):
        log = (tmp_path / f"audit{round_}-{n}.log").read_text()
        report = json.loads((tmp_path / f"audit{round_}-{n}.json").read_text())
        failed = {e["repository"]: e["error"] for e in report["repositories"] if e["status"] != "ok"}
        assert failed == {}, log
        reports.append(report)
    return reports


def test_two_audits_on_one_cache_wait_for_each_other(org: Org, tmp_path: Path) -> None:
    names = [org.publish(f"app{n}", org.gitflow(f"app{n}")) for n in range(8)]
    cache = tmp_path / "shared-cache"
    for round_ in ("cold", "pushed", "pushed-again"):
        for report in _concurrent_audits(org, cache, tmp_path, round_):
            assert sorted(e["repository"] for e in report["repositories"]) == names
            assert report["summary"]["errors"] == 0
        for name in names:  # every repository pushed to: both audits fetch every mirror
            source = org.sources[name]
            source.checkout("develop")
            source.commit(f"More work {round_}", {f"more-{round_}.txt": "x\n"})
            org.push(name)


def test_an_audit_that_cannot_have_a_repository_in_time_says_why(org: Org) -> None:
    import fcntl

    from hotfix_lint.audit.state import AuditCache

    name = org.publish("app", org.gitflow("app"))
    lock = AuditCache(org.cache, org.server.url).lock_path(name)
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:  # another audit is busy with octo/app
        fcntl.flock(held, fcntl.LOCK_EX)
        run = org.audit("--org", ORG, "--lock-timeout", "0.3")
    assert run.status == 3
    error = run.entry(name)["error"]
    assert error.startswith("another audit on the same cache has been auditing octo/app for longer than 0.3 s")
    assert "--lock-timeout" in error
    assert org.audit("--org", ORG).status == 0  # once it is done, the repository is audited


def test_what_a_killed_audit_leaves_in_the_cache_does_not_fail_the_next(org: Org) -> None:
    from hotfix_lint.audit.state import AuditCache

    name = org.publish("app", org.gitflow("app"))
    assert org.audit("--org", ORG).status == 0
    mirror = AuditCache(org.cache, org.server.url).mirror_path(name)
    # killed mid-fetch: git's own lock files; killed mid-clone: the clone's scratch directory
    for stale in ("HEAD.lock", "packed-refs.lock", "config.lock", "refs/heads/develop.lock"):
        (mirror / stale).write_text("")
    scratch = mirror.parent / ".app.git.k1ll3d_x.clone"
    (scratch / "objects").mkdir(parents=True)
    source = org.sources[name]
    source.checkout("develop")
    source.commit("More work", {"more.txt": "x\n"})
    org.push(name)
    run = org.audit("--org", ORG)
    assert run.entry(name)["history"] == "fetched", run.entry(name)["error"]
    assert run.status == 0
    assert not list(mirror.rglob("*.lock")) and not scratch.exists()


def test_a_clone_the_server_drips_ends_at_the_clone_timeout(org: Org) -> None:
    """A git server that sends its answer a byte at a time keeps a clone busy, not stalled: only
    a total deadline ends it, and then only that repository fails."""
    dripping = org.publish("dripping", org.gitflow("dripping"))
    fine = org.publish("fine", org.gitflow("fine"))
    org.state.drip(f"/{dripping}.git/*", 0.5)
    started = time.monotonic()
    run = org.audit("--org", ORG, "--clone-timeout", "3")
    took = time.monotonic() - started
    assert took < 30, took
    assert run.status == 3
    assert run.entry(dripping)["error"] == "could not clone or fetch: did not finish within 3 s (--clone-timeout)"
    assert run.entry(fine)["status"] == "ok"
    org.state.data["errors"].clear()
    assert org.audit("--org", ORG).status == 0  # what the killed clone left does not fail the next run
