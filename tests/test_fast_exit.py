"""``hotfix_lint.console``: a command that reads a repository ends without the interpreter's
teardown once its outputs are flushed (a large history's facts are not freed one by one);
what it wrote is complete and its exit status is main's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from scenario import Scenario, build_gitflow

#: the console script, with an exit handler that says whether the interpreter tore down
ENTRY = (
    "import atexit, sys; atexit.register(lambda: sys.stderr.write('torn down\\n')); "
    "from hotfix_lint.console import run; sys.argv[0] = 'hotfix-lint'; run()"
)


def _run(repo: Path, *argv: str, stall: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOTFIX_LINT_STALL_TIMEOUT": stall, "NO_COLOR": "1"}
    env.pop("HOTFIX_LINT_CACHE_DIR", None)
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *argv],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("stall", ["0", "30"], ids=["unwatched", "watched"])
def test_a_check_ends_without_teardown_and_its_report_whole(scenario: Callable[..., Scenario], stall: str) -> None:
    s = build_gitflow(scenario())
    s.branch("hotfix/bad-name-here")
    done = _run(s.path, "check", "--no-ci", "--format", "json", stall=stall)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)  # written whole to a pipe before the process ended
    assert done.returncode == (1 if report["summary"]["errors"] else 0)
    assert "torn down" not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_check_written_to_a_file_is_whole(scenario: Callable[..., Scenario], tmp_path: Path) -> None:
    s = build_gitflow(scenario())
    out = tmp_path / "report.json"
    done = _run(s.path, "check", "--no-ci", "--format", "json", "--output", str(out), stall="0")
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["errors"] == 0


def test_other_commands_end_as_usual(scenario: Callable[..., Scenario]) -> None:
    """``rules`` reads no repository: the interpreter ends as it always does."""
    s = scenario()
    done = _run(s.path, "rules", stall="0")
    assert done.returncode == 0, done.stderr
    assert "torn down" in done.stderr and "back-merge" in done.stdout
