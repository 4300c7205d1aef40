#!/usr/bin/env python3
"""Benchmark the git hooks against their floor (``import pygit2``) and gitlint, side by side.

A hook runs on every commit, so it must cost about what starting Python and importing
pygit2 costs, and less than gitlint, which teams already accept in their commit-msg hook.
This script builds a small git-flow repository in a temporary directory (a ``main`` with a
few released hotfixes and tags, a ``develop``, a policy that enables ``ticket-reference``),
checks out a hotfix branch with a staged change, and times in one run, interleaved round
by round so that load on the machine hits every command alike:

* ``python -c "import pygit2"``: the floor;
* ``hotfix-lint hook commit-msg MSG`` on the hotfix branch (a message naming its ticket);
* ``hotfix-lint hook pre-commit`` on the hotfix branch (reads the staged changes with pygit2);
* ``hotfix-lint hook pre-commit`` on ``develop`` (not a hotfix branch: the quick way out);
* ``gitlint --staged --msg-filename MSG`` on the same message (gitlint's own commit-msg hook).

and prints the median wall time of each, its ratio to the floor, and whether the targets
hold (each hook at most 1.3x the floor, and faster than gitlint).

The hooks run as the ``hotfix-lint`` console script runs them (``from hotfix_lint.console
import run``: the stall watchdog's fork included), from this checkout, with a warm policy
cache where users have it (``XDG_CACHE_HOME`` in the temporary directory, found through
platformdirs as a hook finds it: the first run validated the policy) and with byte-code
caching on (``PYTHONPYCACHEPREFIX`` in the temporary directory), as in the virtual
environment pip or pre-commit installs. Run::

    python benchmarks/hook_benchmark.py              # 21 rounds
    python benchmarks/hook_benchmark.py --rounds 51
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FLOOR_RATIO = 1.3
CONSOLE_SCRIPT = "from hotfix_lint.console import run; run()"
MESSAGE = "Fix: session cookie lost on login (ABC-130)\n\nThe cookie is now renewed.\n"
POLICY = """\
production: main
integration: develop
hotfix_branch: "hotfix/{slug}"
ticket_pattern: "ABC-\\\\d+"
changelog: CHANGELOG.md
tag_pattern: "v{version}"
rules:
  ticket-reference: error
  changelog-entry: error
"""


def _git(repo: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(home),
        GIT_AUTHOR_NAME="Dev",
        GIT_AUTHOR_EMAIL="dev@example.com",
        GIT_COMMITTER_NAME="Dev",
        GIT_COMMITTER_EMAIL="dev@example.com",
        GIT_AUTHOR_DATE="@1735689600 +0000",
        GIT_COMMITTER_DATE="@1735689600 +0000",
    )
    return env


def build_repository(repo: Path, env: dict[str, str], hotfixes: int) -> None:
    """main with ``hotfixes`` released hotfixes (merge, tag, back-merge), develop, and a
    hotfix branch in progress with a staged change."""
    repo.mkdir(parents=True)

    def git(*args: str) -> str:
        return _git(repo, *args, env=env)

    def commit(message: str, files: dict[str, str]) -> None:
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text, encoding="utf-8")
            git("add", name)
        git("commit", "-q", "--no-verify", "-m", message)

    git("init", "-q", "-b", "main")
    git("config", "user.name", "Dev")  # gitlint --staged reads the author from git's configuration
    git("config", "user.email", "dev@example.com")
    changelog = "# Changelog\n\n## [1.0.0] - 2025-01-01\n### Added\n- First release.\n"
    commit("Initial commit", {"CHANGELOG.md": changelog, "app/login.py": "TIMEOUT = 5\n"})
    git("tag", "-a", "-m", "Release 1.0.0", "v1.0.0")
    git("branch", "develop")
    for n in range(1, hotfixes + 1):
        branch = f"hotfix/fix-issue-{n}"
        git("checkout", "-q", "-b", branch, "main")
        changelog = changelog.replace(
            "## [", f"## [1.0.{n}] - 2025-01-0{1 + n % 9}\n### Fixed\n- issue {n} (ABC-{100 + n})\n\n## [", 1
        )
        commit(f"Fix: issue {n} (ABC-{100 + n})", {"CHANGELOG.md": changelog, f"app/fix_{n}.py": f"N = {n}\n"})
        git("checkout", "-q", "main")
        git("merge", "-q", "--no-ff", "--no-edit", branch)
        git("tag", "-a", "-m", f"Hotfix 1.0.{n}", f"v1.0.{n}")
        git("checkout", "-q", "develop")
        commit(f"Feature {n}", {f"app/feature_{n}.py": "pass\n"})
        git("merge", "-q", "--no-ff", "--no-edit", "main")
        git("branch", "-q", "-d", branch)
    (repo / ".hotfix-lint.yaml").write_text(POLICY, encoding="utf-8")
    git("checkout", "-q", "-b", "hotfix/fix-session-cookie", "main")
    changelog = changelog.replace("## [", "## [1.0.99] - 2025-02-01\n### Fixed\n- session cookie (ABC-130)\n\n## [", 1)
    (repo / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (repo / "app" / "session.py").write_text("RENEW = True\n", encoding="utf-8")
    git("add", "CHANGELOG.md", "app/session.py")


def time_commands(commands: dict[str, tuple[list[str], Path]], env: dict[str, str], rounds: int) -> dict[str, float]:
    """Median wall time (ms) of each command, run round-robin ``rounds`` times after a warm-up."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for warm in range(3):
        for name, (argv, cwd) in commands.items():
            done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
            if warm == 0 and done.returncode != 0:
                raise SystemExit(f"{name} failed with status {done.returncode}:\n{done.stdout}{done.stderr}")
    for _ in range(rounds):
        for name, (argv, cwd) in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=21, help="timed runs of each command (default 21)")
    parser.add_argument("--hotfixes", type=int, default=20, help="released hotfixes in the repository (default 20)")
    args = parser.parse_args()
    gitlint = shutil.which("gitlint", path=str(Path(sys.executable).parent)) or shutil.which("gitlint")
    with tempfile.TemporaryDirectory(prefix="hotfix-lint-hook-bench-") as tmp:
        work = Path(tmp)
        repo = work / "repo"
        genv = git_env(work / "home")
        (work / "home").mkdir()
        build_repository(repo, genv, args.hotfixes)
        message = work / "COMMIT_EDITMSG"
        message.write_text(MESSAGE, encoding="utf-8")
        # a second checkout of the same repository, on develop: not a hotfix branch
        other = work / "develop"
        _git(repo, "worktree", "add", "-q", str(other), "develop", env=genv)
        env = {k: v for k, v in genv.items() if k not in ("PYTHONDONTWRITEBYTECODE", "HOTFIX_LINT_CACHE_DIR")}
        env.update(
            PYTHONPATH=str(PROJECT_ROOT),
            PYTHONPYCACHEPREFIX=str(work / "pycache"),
            # the cache where users get it (platformdirs finds it: its import is part of a hook's
            # cost), in the temporary directory
            XDG_CACHE_HOME=str(work / "cache"),
        )
        py = sys.executable
        hook = [py, "-c", CONSOLE_SCRIPT, "hook"]
        commands: dict[str, tuple[list[str], Path]] = {
            'python -c "import pygit2" (the floor)': ([py, "-c", "import pygit2"], repo),
            "hotfix-lint hook commit-msg MSG (hotfix branch)": ([*hook, "commit-msg", str(message)], repo),
            "hotfix-lint hook pre-commit (hotfix branch, staged)": ([*hook, "pre-commit"], repo),
            "hotfix-lint hook pre-commit (develop: not a hotfix)": ([*hook, "pre-commit"], other),
        }
        if gitlint:
            commands["gitlint --staged --msg-filename MSG"] = (
                [gitlint, "--staged", "--msg-filename", str(message)],
                repo,
            )
        medians = time_commands(commands, env, args.rounds)
    floor = next(iter(medians.values()))
    gitlint_ms = medians.get("gitlint --staged --msg-filename MSG")
    width = max(len(name) for name in medians)
    print(f"median wall time of {args.rounds} runs each, interleaved; Python {sys.version.split()[0]}")
    print(f"{'command':<{width}}  {'median':>9}  {'x floor':>7}")
    for name, ms in medians.items():
        print(f"{name:<{width}}  {ms:7.1f}ms  {ms / floor:7.2f}")
    verdicts = []
    for name, ms in medians.items():
        if not name.startswith("hotfix-lint"):
            continue
        ok = ms <= FLOOR_RATIO * floor and (gitlint_ms is None or ms < gitlint_ms)
        verdicts.append(ok)
        target = f"<= {FLOOR_RATIO}x floor" + (" and < gitlint" if gitlint_ms is not None else "")
        print(f"{'ok' if ok else 'MISSED':>6}: {name} ({target})")
    if gitlint_ms is None:
        print("gitlint not found: pip install gitlint to compare")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
