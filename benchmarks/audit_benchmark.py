#!/usr/bin/env python3
"""Benchmark ``hotfix-lint audit`` against the loopback GitHub: a cold cache and a warm one,
in parallel and serially, and API requests per repository as histories grow.

1. Generates an organisation of ``--repos`` (200) real git repositories with a git-flow
   hotfix history each (``git fast-import`` from Python, deterministic; every tenth a squash
   merge, every tenth another a missing back-merge), and a second organisation of a few
   repositories with ten times the history.
2. Serves both from a separate process: the loopback GitHub's REST API (``tests/github_server``,
   a token required) and the repositories for cloning through ``git http-backend`` at their
   ``clone_url``; the server counts every request.
3. Runs ``hotfix-lint audit --org ...`` as a user would (a subprocess, ``CI=1``): cold (empty
   cache) and warm (the same cache, nothing pushed since), with ``--jobs N`` and with
   ``--jobs 1``; prints repositories per second and requests per repository side by side.
   Each configuration runs ``--rounds`` times (3), each round from an empty cache, cold then
   warm; the table shows the run of median time, and the fastest and slowest round beside it.

Run::

    python benchmarks/audit_benchmark.py                  # 200 repositories, --jobs 8
    python benchmarks/audit_benchmark.py --repos 50 --jobs 4

The API requests per repository count every REST request the server received (the
organisation's listing pages included, spread over its repositories); "counted" leaves out
the 304 answers, which GitHub does not count against the rate limit. Git requests (clone,
fetch) are counted apart. "CPU s" is the audit's (all its processes), "server" the loopback
server's (its threads and the ``git http-backend`` processes it ran), which on a small
machine competes with the audit for the same CPUs (GitHub's would not).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ghp_benchmarkLoopbackToken0000000000000000"  # noqa: S105
EPOCH = 1735689600  # 2025-01-01T00:00:00Z
HOUR = 3600
#: the audit's closing line: how long GraphQL's read-ahead took
AHEAD = re.compile(r"GraphQL read \d+ repositories ahead in ([0-9.]+) s")
#: commits of the feature merged into develop before each hotfix
FEATURE_COMMITS = 3


# -- the repositories ----------------------------------------------------------------------------


class Stream:
    """A ``git fast-import`` stream of one git-flow repository (each branch's files kept here)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.mark = 0
        self.clock = EPOCH
        self.trees: dict[str, dict[str, str]] = {}
        self.tips: dict[str, int] = {}

    def _data(self, text: str) -> bytes:
        raw = text.encode()
        return b"data %d\n" % len(raw) + raw + b"\n"

    def commit(self, branch: str, message: str, files: dict[str, str], parents: list[str]) -> int:
        self.mark += 1
        self.clock += HOUR
        who = f"Dev <dev@example.com> {self.clock} +0000"
        head = [f"commit refs/heads/{branch}", f"mark :{self.mark}", f"author {who}", f"committer {who}"]
        self.parts.append(("\n".join(head) + "\n").encode() + self._data(message))
        lines = []
        before: dict[str, str] = {}
        if parents:
            lines.append(f"from :{self.tips[parents[0]]}")
            lines += [f"merge :{self.tips[p]}" for p in parents[1:]]
            before = self.trees[parents[0]]
        lines += [f"D {path}" for path in sorted(set(before) - set(files))]
        if lines:
            self.parts.append(("\n".join(lines) + "\n").encode())
        for path, text in sorted(files.items()):
            if before.get(path) != text:  # the tree is the first parent's with these changes
                self.parts.append(f"M 100644 inline {path}\n".encode() + self._data(text))
        self.parts.append(b"\n")
        self.tips[branch] = self.mark
        self.trees[branch] = dict(files)
        return self.mark

    def tag(self, name: str, branch: str, message: str) -> None:
        who = f"Release <release@example.com> {self.clock} +0000"
        self.parts.append(f"tag {name}\nfrom :{self.tips[branch]}\ntagger {who}\n".encode() + self._data(message))

    def reset(self, branch: str, source: str) -> None:
        self.parts.append(f"reset refs/heads/{branch}\nfrom :{self.tips[source]}\n\n".encode())
        self.tips[branch] = self.tips[source]
        self.trees[branch] = dict(self.trees[source])

    def delete(self, branch: str) -> None:
        self.parts.append(f"reset refs/heads/{branch}\nfrom {'0' * 40}\n\n".encode())
        self.tips.pop(branch)

    def bytes(self) -> bytes:
        return b"".join(self.parts) + b"done\n"


def changelog(sections: list[tuple[str, str, str]]) -> str:
    text = "# Changelog\n\n"
    for version, date, entry in reversed(sections):
        text += f"## [{version}] - {date}\n\n### Fixed\n\n- {entry}\n\n"
    return text


def history(index: int, hotfixes: int) -> tuple[bytes, set[str]]:
    """A git-flow history with ``hotfixes`` hotfixes; the rules it breaks on purpose."""
    s = Stream()
    sections = [("1.0.0", "2025-01-01", "First release.")]
    s.commit("main", "Initial commit", {"README.md": f"# service {index}\n", "CHANGELOG.md": changelog(sections)}, [])
    s.tag("v1.0.0", "main", "Release 1.0.0")
    s.reset("develop", "main")
    broken: set[str] = set()
    for n in range(1, hotfixes + 1):
        feature = f"feature/part-{n}"
        s.reset(feature, "develop")
        for step in range(FEATURE_COMMITS):
            source = "".join(f"def part_{n}_{step}_{k}(value):\n    return value * {k} + {n}\n\n" for k in range(20))
            changed = {**s.trees[feature], f"app/part_{n}.py": source, f"tests/test_part_{n}.py": f"# {step}\n"}
            s.commit(feature, f"Part {n}: step {step + 1}", changed, [feature])
        s.commit("develop", f"Merge branch '{feature}' into develop", s.trees[feature], ["develop", feature])
        s.delete(feature)
        version = f"1.0.{n}"
        branch = f"hotfix/fix-issue-{n}"
        s.reset(branch, "main")
        entry = f"issue {n} (ABC-{1000 + n})"
        sections.append((version, time.strftime("%Y-%m-%d", time.gmtime(s.clock + HOUR)), entry))
        fixed = {**s.trees["main"], f"app/fix_{n}.py": f"FIXED = {n}\n", "CHANGELOG.md": changelog(sections)}
        s.commit(branch, f"Fix: issue {n} (ABC-{1000 + n})", fixed, [branch])
        last = n == hotfixes
        if last and index % 10 == 3:  # squash-merged: no merge commit
            s.commit("main", f"Fix: issue {n} (#{n})", s.trees[branch], ["main"])
            broken.add("merge-commit")
        else:
            s.commit("main", f"Merge branch '{branch}'", s.trees[branch], ["main", branch])
        s.tag(f"v{version}", "main", f"Hotfix {version}")
        if last and index % 10 == 7:  # never merged back into develop
            broken.add("back-merge")
        else:
            merged = {**s.trees["develop"], **s.trees["main"]}
            s.commit("develop", "Merge branch 'main' into develop", merged, ["develop", "main"])
        s.delete(branch)
    return s.bytes(), broken


def build_org(git_root: Path, org: str, count: int, hotfixes: int) -> dict[str, set[str]]:
    """``count`` bare repositories ``git_root/org/r-NNN.git``; name -> rules broken on purpose."""
    planted: dict[str, set[str]] = {}
    for index in range(count):
        name = f"{org}/r-{index:03d}"
        path = git_root / f"{name}.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
        stream, broken = history(index, hotfixes)
        subprocess.run(["git", "-C", str(path), "fast-import", "--quiet", "--done"], input=stream, check=True)
        planted[name] = broken
    return planted


def build_state(planted: dict[str, set[str]], path: Path, limits: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from github_server.state import GitHubState

    state = GitHubState()
    state.require_token(TOKEN)
    state.set_limits(**limits)
    for name in planted:
        org = name.split("/")[0]
        state.add_org(org)
        state.add_repo(name, branches=["develop"], allow_squash_merge=False, allow_rebase_merge=False)
        state.protect_branch(name, "main")
        state.protect_branch(name, "develop")
        state.add_file(name, "README.md", "# service\n")
    state.save(path)


# -- the server, in its own process ---------------------------------------------------------------


def serve(state_path: Path, git_root: Path) -> None:
    """``--serve``: the loopback GitHub; reads ``stats``, ``reset``, ``quit`` on stdin."""
    sys.path.insert(0, str(ROOT / "tests"))
    from github_server import GitHubServer
    from github_server.state import GitHubState

    server = GitHubServer(GitHubState.load(state_path), git_root=git_root).start()
    print(f"PORT {server.port}", flush=True)
    cpu_at_reset = _cpu_of_this_process()
    for line in sys.stdin:
        command = line.strip()
        if command == "stats":
            requests = [(r.path, r.status) for r in server.requests]
            cpu = _cpu_of_this_process() - cpu_at_reset
            limits = server.limits.log.as_dict()
            print(
                json.dumps({"api": requests, "git": len(server.git_requests), "cpu": cpu, "limits": limits}),
                flush=True,
            )
        elif command == "reset":
            server.clear_requests()
            server.git_requests.clear()
            server.limits.clear()
            cpu_at_reset = _cpu_of_this_process()
            print("OK", flush=True)
        elif command == "quit":
            break
    server.stop()


def _cpu_of_this_process() -> float:
    """CPU seconds of the server: its threads, and the ``git http-backend`` processes it ran."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Server:
    def __init__(self, state: Path, git_root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(state), str(git_root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self._stdout().readline().split()
        self.url = f"http://127.0.0.1:{first[1]}"

    def _stdout(self) -> IO[str]:
        if self.proc.stdout is None:
            raise RuntimeError("the server has no stdout")
        return self.proc.stdout

    def _send(self, command: str) -> None:
        if self.proc.stdin is None:
            raise RuntimeError("the server has no stdin")
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def ask(self, command: str) -> str:
        self._send(command)
        return self._stdout().readline()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self._send("quit")
            self.proc.wait(timeout=30)


# -- the runs -------------------------------------------------------------------------------------


@dataclass
class Run:
    label: str
    jobs: int
    seconds: float
    cpu: float
    server_cpu: float
    repositories: int
    repo_api: int
    listing: int
    not_modified: int
    git: int
    status: int
    histories: Counter[str]
    found: dict[str, set[str]]
    #: what the server saw of GitHub's limits: points per endpoint, server time, limit answers
    limits: dict[str, Any]
    #: seconds the GraphQL read-ahead took (the GitHub part of a GraphQL run), None: a REST run
    ahead: float | None = None
    #: the fastest and slowest of the rounds this run is the median of
    spread: tuple[float, float] | None = None

    @property
    def per_second(self) -> float:
        return self.repositories / self.seconds

    def per_repo(self, n: int) -> float:
        return n / self.repositories


def audit(server: Server, org: str, cache: Path, jobs: int, label: str, workdir: Path, *extra: str) -> Run:
    server.ask("reset")
    out = workdir / f"{label.replace(' ', '-')}.json"
    env = {**os.environ, "GITHUB_TOKEN": TOKEN, "CI": "1", "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "hotfix_lint", "audit", "--org", org, "--github-url", server.url]
    argv += ["--cache", str(cache), "--jobs", str(jobs), "--format", "json", "--output", str(out), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"audit failed ({proc.returncode}):\n{proc.stderr}")
    stats = json.loads(server.ask("stats"))
    report = json.loads(out.read_text())
    found = {
        e["repository"]: {v["rule"] for v in e["report"]["violations"] if v["severity"] == "error"}
        for e in report["repositories"]
    }
    api = stats["api"]
    return Run(
        label=label,
        jobs=jobs,
        seconds=seconds,
        cpu=after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        server_cpu=float(stats["cpu"]),
        repositories=len(report["repositories"]),
        repo_api=sum(1 for path, _ in api if path.startswith("/repos/")),
        listing=sum(1 for path, _ in api if not path.startswith("/repos/")),
        not_modified=sum(1 for _, status in api if status == 304),
        git=stats["git"],
        status=proc.returncode,
        histories=Counter(e["history"] for e in report["repositories"]),
        found=found,
        limits=stats["limits"],
        ahead=float(said[1]) if (said := AHEAD.search(proc.stderr)) else None,
    )


def median_run(runs: list[Run]) -> Run:
    """The run of the median time (the lower middle of an even number); the rest only show the
    spread, kept in its label's footnote."""
    ordered = sorted(runs, key=lambda r: r.seconds)
    middle = ordered[(len(ordered) - 1) // 2]
    middle.spread = (ordered[0].seconds, ordered[-1].seconds)
    return middle


def table(runs: list[Run]) -> str:
    head = (
        f"{'run':<26} {'jobs':>4} {'seconds':>8} {'rounds':>11} {'repos/s':>8} {'CPU s':>6} {'server':>6} "
        f"{'API req/repo':>13} "
        f"{'counted/repo':>13} {'listing':>8} {'git req/repo':>13}  history"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        hist = ", ".join(f"{k} {v}" for k, v in sorted(r.histories.items()))
        counted = r.repo_api + r.listing - r.not_modified
        spread = f"{r.spread[0]:.2f}-{r.spread[1]:.2f}" if r.spread else ""
        lines.append(
            f"{r.label:<26} {r.jobs:>4} {r.seconds:>8.2f} {spread:>11} {r.per_second:>8.1f} {r.cpu:>6.1f} "
            f"{r.server_cpu:>6.1f} "
            f"{r.per_repo(r.repo_api):>13.2f} {r.per_repo(counted):>13.2f} {r.listing:>8} {r.per_repo(r.git):>13.2f}  "
            f"{hist}"
        )
    return "\n".join(lines)


def limits_table(runs: list[Run], latency: float) -> str:
    """Requests, points and server time per repository, and what GitHub's limits make of them:
    the least time 1,000 repositories can take (the busiest endpoint's 900 points a minute, 90 s
    of server time a minute, 5,000 counted requests an hour), and the limit answers received."""
    head = (
        f"{'run':<26} {'seconds':>8} {'repos/min':>9} {'req/repo':>9} {'points/repo':>12} "
        f"{'busiest/repo':>13} {'hourly/repo':>12} {'server s/repo':>14} {'floor 1000':>11} {'refused':>8} "
        f"{'GraphQL s':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in runs:
        points = sum(r.limits["points_total"].values())
        busiest = max(r.limits["points_total"].values(), default=0)
        hourly = r.repo_api + r.listing - r.not_modified
        server = r.limits["server_seconds_total"]
        per = r.repositories
        floor = max(1000 * busiest / per / 15, 1000 * server / per / 1.5)  # seconds
        hours = 1000 * hourly / per / 5000
        shown = f"{floor / 60:.1f} min" + (f" +{int(hours)} h" if hours > 1 else "")
        lines.append(
            f"{r.label:<26} {r.seconds:>8.1f} {60 * per / r.seconds:>9.0f} {(r.repo_api + r.listing) / per:>9.2f} "
            f"{points / per:>12.2f} {busiest / per:>13.2f} {hourly / per:>12.2f} {server / per:>14.3f} "
            f"{shown:>11} {len(r.limits['refused']):>8} {'' if r.ahead is None else f'{r.ahead:.1f}':>9}"
        )
    return "\n".join(lines) + (
        f"\n(latency {latency * 1000:.0f} ms an answer; floor: the least time 1,000 repositories take under "
        "GitHub's limits at these figures; GraphQL s: the GraphQL read-ahead, the whole GitHub part of a "
        "GraphQL run but for what REST reads after it)"
    )


HISTORY_ONLY = """\
# the benchmark's policy without the GitHub rules: what the mirror cache alone saves
extends: default
rules:
  branch-protection: off
  merge-methods: off
  pr-review: off
"""


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=50, help="repositories in the organisation (50)")
    parser.add_argument("--hotfixes", type=int, default=20, help="hotfixes in each history (20)")
    parser.add_argument("--deep", type=int, default=5, help="repositories with 10x the history (5)")
    parser.add_argument("--jobs", type=int, default=8, help="--jobs of the parallel runs (8)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="cold-then-warm rounds per configuration; the median run is shown (1)"
    )
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the loopback GitHub takes per answer (0.1)")
    parser.add_argument("--jitter", type=float, default=0.02, help="up to this much more, at random (0.02)")
    parser.add_argument(
        "--no-limits", action="store_true", help="the loopback GitHub enforces none of GitHub's rate limits"
    )
    parser.add_argument(
        "--only",
        default="parallel,serial,deep,history-only",
        help="configurations to run, comma-separated (default: all four)",
    )
    parser.add_argument(
        "--github-api",
        default="rest,graphql",
        help="the audit's --github-api for each configuration, comma-separated (default: rest,graphql side by side)",
    )
    args = parser.parse_args()
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hotfix-lint-audit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    git_root = workdir / "git"
    shutil.rmtree(git_root, ignore_errors=True)
    started = time.perf_counter()
    planted = build_org(git_root, "bench", args.repos, args.hotfixes)
    deep = build_org(git_root, "deep", args.deep, args.hotfixes * 10)
    limits = {"latency": args.latency, "jitter": args.jitter, "enforce": not args.no_limits}
    build_state({**planted, **deep}, workdir / "state.json", limits)
    only = set(args.only.split(","))
    apis = [a for a in args.github_api.split(",") if a]
    tags: list[str] = []
    built = time.perf_counter() - started
    history_only = workdir / "history-only.yaml"
    history_only.write_text(HISTORY_ONLY)

    def commits(name: str) -> int:
        path = git_root / f"{name}.git"
        out = subprocess.run(["git", "-C", str(path), "rev-list", "--all", "--count"], capture_output=True, text=True)
        return int(out.stdout)

    server = Server(workdir / "state.json", git_root)
    runs: dict[str, Run] = {}
    every: list[Run] = []
    #: per configuration, each round's cold time over its warm time
    rounds: dict[str, list[float]] = {}
    try:

        def pair(name: str, org: str, jobs: int, *extra: str) -> None:
            cache = workdir / f"cache-{name}"
            measured: dict[str, list[Run]] = {"cold": [], "warm": []}
            for _ in range(max(1, args.rounds)):
                shutil.rmtree(cache, ignore_errors=True)
                for temperature in ("cold", "warm"):
                    label = f"{temperature} {name}"
                    measured[temperature].append(audit(server, org, cache, jobs, label, workdir, *extra))
                    every.append(measured[temperature][-1])
            for temperature, taken in measured.items():
                runs[f"{temperature} {name}"] = median_run(taken)
            rounds[name] = [c.seconds / w.seconds for c, w in zip(measured["cold"], measured["warm"], strict=True)]

        for name, org, jobs, extra in (
            ("parallel", "bench", args.jobs, ()),
            ("serial", "bench", 1, ()),
            ("deep", "deep", args.jobs, ()),
            ("history-only", "bench", args.jobs, ("--policy", str(history_only))),
        ):
            if name not in only:
                continue
            for api in apis if name != "history-only" else ["rest"]:
                tag = f"{name} {api}" if name != "history-only" else name
                tags.append(tag)
                pair(tag, org, jobs, "--github-api", api, *extra)
    finally:
        server.stop()
    for run in every:
        if " parallel" in run.label or " serial" in run.label:
            wrong = sorted(n for n in planted if run.found.get(n) != planted[n])
            if wrong:
                raise SystemExit(f"{run.label}: findings differ from the planted violations: {wrong[:5]}")
    print(
        f"organisation 'bench': {args.repos} repositories of {commits('bench/r-000')} commits, {args.hotfixes} "
        f"hotfixes each ({sum(1 for b in planted.values() if b)} with a planted violation); 'deep': {args.deep} "
        f"repositories of {commits('deep/r-000') if args.deep else 0} commits, {args.hotfixes * 10} hotfixes each; "
        f"built in {built:.0f} s. The loopback GitHub (REST and git http-backend) runs in its own process on the "
        f"same machine: {os.cpu_count()} CPUs. Policy: the default pack (its three GitHub rules read GitHub).\n"
    )
    limited = "no rate limits" if args.no_limits else "GitHub's rate limits enforced"
    print(f"loopback GitHub: {args.latency * 1000:.0f} ms an answer (+ up to {args.jitter * 1000:.0f} ms), {limited}\n")
    print(table([run for key, run in runs.items()]))
    print()
    print(limits_table([run for key, run in runs.items()], args.latency))
    print()
    for tag in tags:
        cold, warm = runs[f"cold {tag}"], runs[f"warm {tag}"]
        each = ", ".join(f"{r:.1f}x" for r in rounds[tag])
        print(
            f"warm vs cold ({tag}): {cold.seconds / warm.seconds:.1f}x faster (each round: {each}), "
            f"{cold.cpu / warm.cpu:.1f}x less CPU"
        )
    if {"parallel", "serial"} <= only:
        for api in apis:
            cold = runs[f"cold serial {api}"].seconds / runs[f"cold parallel {api}"].seconds
            warm = runs[f"warm serial {api}"].seconds / runs[f"warm parallel {api}"].seconds
            print(f"parallel vs serial ({api}): cold {cold:.1f}x, warm {warm:.1f}x")
    print("\nevery run found exactly the planted violations")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
