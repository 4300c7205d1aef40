"""A corrupt mirror that makes libgit2 spin is that repository's error; the audit goes on.

The audit reads each mirror in a child process under the stall watchdog
(:func:`hotfix_lint.watchdog.call_watched`), with ``HOTFIX_LINT_STALL_TIMEOUT`` as its deadline.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from audit_org import ORG, Org

from hotfix_lint.audit.state import AuditCache

pytestmark = pytest.mark.slow


def _corrupt_mirror_head(mirror: Path) -> None:
    """A new commit on main, stored loose in the mirror and cut to 5 bytes (libgit2 spins on it)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=mirror, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    tree = git("rev-parse", "main^{tree}")
    commit = subprocess.run(
        ["git", "-c", "user.name=x", "-c", "user.email=x@example.com", "commit-tree", tree, "-p", "main", "-m", "x"],
        cwd=mirror,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git("update-ref", "refs/heads/main", commit)
    loose = mirror / "objects" / commit[:2] / commit[2:]
    loose.chmod(0o644)
    with loose.open("r+b") as stream:
        stream.truncate(5)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_mirror_that_stalls_is_that_repositorys_error(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    org.publish("sound", org.gitflow("sound"))
    org.publish("corrupt", org.gitflow("corrupt"))
    assert org.audit("--org", ORG).found() == {"octo/sound": set(), "octo/corrupt": set()}
    _corrupt_mirror_head(AuditCache(org.cache, org.server.url).mirror_path("octo/corrupt"))
    # another policy: the git facts are gathered again from the mirrors, without a fetch
    policy = tmp_path / "org-policy.yaml"
    policy.write_text("extends: default\nsince: 2020-01-01\n", encoding="utf-8")
    monkeypatch.setenv("HOTFIX_LINT_STALL_TIMEOUT", "2")
    started = time.monotonic()
    run = org.audit("--org", ORG, "--no-repo-policy", "--policy", str(policy), "--jobs", jobs)
    assert time.monotonic() - started < 30
    statuses = {e["repository"]: e["status"] for e in run.report["repositories"]}
    assert statuses == {"octo/sound": "ok", "octo/corrupt": "failed"}, run.stderr
    error = run.entry("octo/corrupt")["error"]
    assert "made no progress for 2 s" in error and "run git fsck" in error, error
    assert run.status == 3
