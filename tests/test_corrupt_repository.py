"""A corrupt repository ends in exit 2 with a message, never a traceback nor a process that spins.

Each test corrupts a real repository on disk the way a crash or a full disk does (a loose
object or a pack cut to a few bytes, a garbage ``packed-refs``, HEAD naming an invalid ref)
and runs the real ``hotfix-lint`` console entry in a process of its own: the stall watchdog
and the closed-pipe handling are properties of that process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from scenario import Scenario

from hotfix_lint.errors import PolicyError
from hotfix_lint.watchdog import call_watched

#: the console script's entry, run from this checkout
ENTRY = "import sys; sys.argv[0] = 'hotfix-lint'; from hotfix_lint.console import run; run()"
#: a corrupt repository ends well within this (the watchdog's deadline is set to 2 s)
BOUND = 30.0


def hotfix_lint(
    repo: Path,
    *argv: str,
    stall: float = 2.0,
    stdout: int | None = subprocess.PIPE,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str, float]:
    """Run ``hotfix-lint ARGV`` in ``repo``: (exit status, stdout, stderr, seconds taken)."""
    env = {**os.environ, "HOTFIX_LINT_STALL_TIMEOUT": str(stall), "NO_COLOR": "1", **(env or {})}
    env.pop("HOTFIX_LINT_CACHE_DIR", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, *argv],
        cwd=repo,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=BOUND * 2,
        check=False,
    )
    return done.returncode, done.stdout or "", done.stderr, time.monotonic() - started


def small_repo(s: Scenario) -> Scenario:
    s.commit("Initial commit", {"README.md": "# app\n"})
    s.branch("develop")
    s.commit("Second", {"app.py": "X = 1\n"})
    return s


def truncate(path: Path, size: int) -> None:
    path.chmod(0o644)
    with path.open("r+b") as stream:
        stream.truncate(size)


def loose_object(s: Scenario, rev: str) -> Path:
    oid = s.rev(rev)
    path = s.path / ".git" / "objects" / oid[:2] / oid[2:]
    assert path.is_file(), "the scenario keeps its objects loose"
    return path


def assert_clear_error(status: int, err: str, *words: str) -> None:
    assert status == 2, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert "hotfix-lint: error:" in err, err
    for word in words:
        assert word in err, err


# -- item 10: a truncated loose object makes libgit2 spin; the watchdog ends it ----------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("check",),
        ("check", "--no-history", "--branch", "develop"),
        ("hotfixes",),
        ("hook", "pre-push"),
    ],
    ids=["check", "check-branch", "hotfixes", "hook-pre-push"],
)
def test_a_truncated_loose_object_ends_in_exit_2_not_a_spin(
    scenario: Callable[..., Scenario], argv: Sequence[str]
) -> None:
    s = small_repo(scenario())
    s.branch("hotfix/fix-crash", checkout=True)
    s.commit("Fix: crash", {"app.py": "X = 2\n"})
    tip = s.rev("hotfix/fix-crash")
    truncate(loose_object(s, "hotfix/fix-crash"), 5)
    truncate(loose_object(s, "main"), 5)
    push = {  # what pre-commit sets for a push of the hotfix branch
        "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/fix-crash",
        "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/hotfix/fix-crash",
        "PRE_COMMIT_TO_REF": tip,
    }
    status, _, err, took = hotfix_lint(s.path, *argv, env=push if argv[0] == "hook" else None)
    assert took < BOUND
    assert_clear_error(status, err, "made no progress for 2 s", "run git fsck")


def test_ctrl_c_ends_a_spinning_read(scenario: Callable[..., Scenario]) -> None:
    """The terminal sends Ctrl-C to the whole job: a child stuck in libgit2 cannot answer it,
    so it is killed after a short grace, long before the deadline."""
    s = small_repo(scenario())
    truncate(loose_object(s, "main"), 5)
    env = {**os.environ, "HOTFIX_LINT_STALL_TIMEOUT": "120"}
    job = subprocess.Popen(
        [sys.executable, "-c", ENTRY, "check"],
        cwd=s.path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(3)  # started, forked, and spinning
    started = time.monotonic()
    os.killpg(job.pid, signal.SIGINT)
    _, err = job.communicate(timeout=BOUND)
    assert time.monotonic() - started < 15
    assert job.returncode == 130, err
    assert "Traceback" not in err, err


def test_the_watchdog_deadline_is_a_setting(scenario: Callable[..., Scenario]) -> None:
    s = small_repo(scenario())
    truncate(loose_object(s, "main"), 5)
    for wrong in ("-1", "0.1", "soon"):
        status, _, err, _ = hotfix_lint(s.path, "check", env={"HOTFIX_LINT_STALL_TIMEOUT": wrong})
        assert_clear_error(status, err, "HOTFIX_LINT_STALL_TIMEOUT: expected seconds, at least 1")


def test_a_sound_repository_runs_to_the_end_under_the_watchdog(scenario: Callable[..., Scenario]) -> None:
    """The heartbeat goes on while Python works: a short deadline is no false alarm."""
    s = small_repo(scenario())
    status, out, err, _ = hotfix_lint(s.path, "check", "--format", "json", stall=3)
    assert status in (0, 1), err
    assert '"violations"' in out


# -- item 12: other corruption is a clear error at once ------------------------------------------------


def _truncated_pack(s: Scenario, suffix: str) -> None:
    s.git("gc", "-q")
    (pack,) = (s.path / ".git" / "objects" / "pack").glob(f"*.{suffix}")
    truncate(pack, 100)


@pytest.mark.parametrize(
    ("corrupt", "words"),
    [
        (lambda s: _truncated_pack(s, "pack"), ("cannot be read",)),
        (lambda s: _truncated_pack(s, "idx"), ("cannot be read",)),
        (lambda s: (s.git("pack-refs", "--all"), (s.path / ".git/packed-refs").write_text("garbage\n")), ("HEAD",)),
        (
            lambda s: (s.git("pack-refs", "--all"), truncate(s.path / ".git/packed-refs", 30)),
            ("packed-refs",),
        ),
        (lambda s: (s.path / ".git/HEAD").write_text("ref: refs/heads/..bad\n"), ("..bad", "invalid ref")),
        (lambda s: (s.path / ".git/HEAD").write_text("garbage\n"), ("HEAD",)),
    ],
    ids=["pack", "idx", "packed-refs-garbage", "packed-refs-truncated", "head-invalid-ref", "head-garbage"],
)
@pytest.mark.parametrize("command", ["check", "hotfixes"])
def test_corruption_is_exit_2_with_a_message(
    scenario: Callable[..., Scenario], corrupt: Callable[[Scenario], object], words: Sequence[str], command: str
) -> None:
    s = small_repo(scenario())
    corrupt(s)
    status, _, err, took = hotfix_lint(s.path, command)
    assert took < BOUND
    assert_clear_error(status, err, "run git fsck", *words)


# -- item 12: standard output closed early (| head) ------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [("schema",), ("rules",), ("explain", "hotfix-base"), ("hotfixes",), ("check",), ("check", "--format", "json")],
    ids=["schema", "rules", "explain", "hotfixes", "check", "check-json"],
)
def test_a_closed_pipe_ends_quietly(scenario: Callable[..., Scenario], argv: Sequence[str]) -> None:
    """``hotfix-lint schema | head -1``: the reader is gone before anything is written (its end
    of the pipe closed first, so every write fails as it does once ``head`` has its line)."""
    s = small_repo(scenario())
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        status, _, err, _ = hotfix_lint(s.path, *argv, stdout=write_end)
    finally:
        os.close(write_end)
    assert status == 141, err
    assert "Traceback" not in err and "Exception ignored" not in err and "BrokenPipe" not in err, err


def _broken_policy() -> None:
    raise PolicyError(["policy.yaml:1:1: production: expected a branch name", "policy.yaml:2:1: rules: unknown"])


def test_a_watched_read_returns_its_result_and_raises_its_error_in_the_parent() -> None:
    """The audit's read of a mirror runs in a child: what it returns or raises comes back whole."""
    assert call_watched(5.0, sorted, [3, 1, 2]) == [1, 2, 3]
    with pytest.raises(PolicyError) as caught:
        call_watched(5.0, _broken_policy)
    assert caught.value.problems == [
        "policy.yaml:1:1: production: expected a branch name",
        "policy.yaml:2:1: rules: unknown",
    ]
