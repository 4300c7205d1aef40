#!/usr/bin/env python3
"""Benchmark ``hotfix-lint check`` against the git CLI on a large synthetic git-flow history.

1. Builds (once, then cached) a repository with ~100,000 commits and 500 hotfixes in the
   shape of a git-flow process, by feeding ``git fast-import`` from Python; a handful of
   process violations are planted in it.
2. Times, in one run, ``hotfix-lint check`` on it and the ``git`` commands that answer the
   same questions, and prints them side by side with the violations found next to the
   planted ones.

Run::

    python benchmarks/history_benchmark.py                                # 100k commits, 500 hotfixes
    python benchmarks/history_benchmark.py --commits 5000 --hotfixes 50   # quick run
    python benchmarks/history_benchmark.py --rebuild                      # rebuild the cached repo
    python benchmarks/history_benchmark.py --repo /work/.mirror/git+git/repo \
        --policy benchmarks/policies/git-git.yaml                        # any repository (a bare mirror)
    python benchmarks/history_benchmark.py --growth 10000,100000,1000000  # time and memory by size
    python benchmarks/history_benchmark.py --refs 5000                    # 5,000 branches + 5,000 tags vs 10 refs

``--repo``/``--policy``, ``--growth`` and ``--refs`` print, for each repository, the wall time
and peak RSS of ``hotfix-lint check`` beside one pygit2 walk of production and git's best
single command for the graph (``git rev-list --parents --topo-order PROD INTEGRATION``), each
a process of its own measured alike (``os.wait4``: the child and what it waited for), in
interleaved rounds (a shared machine's speed drifts: all three meet the same drift), with the
check's ratio to the walk of each round.

The history (``main`` = production, ``develop`` = integration):

* features: ``feature/<slug>`` cut from develop, 1-4 commits, merged ``--no-ff`` into develop
  ("Merge branch 'feature/<slug>' into develop");
* releases: ``release/1.N`` cut from develop with a version bump and a changelog section,
  merged ``--no-ff`` into main ("Merge branch 'release/1.N'"), annotated tag ``v1.N.0`` on the
  merge, merged back into develop ("Merge branch 'release/1.N' into develop");
* hotfixes: ``hotfix/fix-<slug>`` cut from main's tip, 1-3 commits "Fix: ... (ABC-1234)", the
  last one adding a Keep a Changelog section ``## [1.N.K] - DATE`` naming the ticket, merged
  ``--no-ff`` into main ("Merge branch 'hotfix/fix-<slug>'"), annotated tag ``v1.N.K`` on the
  merge, then main merged into develop ("Merge branch 'main' into develop").

Feature, release and hotfix branches are deleted after their merge, as git-flow does: the
finished repository has the branches ``main`` and ``develop`` and the tags. Timestamps are
fixed (from 2020-01-01 UTC, 10 minutes apart) and the generator is seeded, so a given size
always gives the same commit ids.

No commit-graph file is written and ``core.commitGraph`` is false: pygit2 (libgit2) does not
read commit-graph files, and with one git would get generation numbers and parsed parents for
free, which is not the comparison we want to make.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

GENERATOR_VERSION = 1
SEED = 20240611
EPOCH = 1577836800  # 2020-01-01T00:00:00Z
STEP = 600  # seconds between consecutive commits
SCRATCH_REF = "refs/bench/scratch"  # feature/release/hotfix branches live here until merged
MARKER = "hotfix-lint-bench.json"  # in .git/: build parameters, planted violations, build figures
PROJECT_ROOT = Path(__file__).resolve().parent.parent

POLICY = """\
# Policy for the synthetic benchmark repository (written by benchmarks/history_benchmark.py).
production: main
integration: develop
hotfix_branch: "hotfix/{slug}"
release_branches: ["release/*"]
ticket_pattern: "ABC-\\\\d+"
changelog: CHANGELOG.md
tag_pattern: "v{version}"
deployed_ref: branch
rules:
  back-merge:
    # The history's timestamps are fixed (2020 onwards), so develop "stopped moving" long
    # ago; without this, one "integration branch retired" finding would replace the
    # per-hotfix back-merge findings.
    retired_after_days: 100000
"""

CHANGELOG_HEAD = (
    "# Changelog\n\nAll notable changes to this project are documented in this file.\n\n"
    "The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/).\n\n"
    "## [Unreleased]\n\n"
)

MODULES = ("cart", "checkout", "catalog", "payment", "search", "users")
SOURCE_FILES = (*(f"src/shop/{m}.py" for m in MODULES), "tests/test_shop.py")

AUTHORS = (
    ("Alice Martin", "alice@example.com"),
    ("Bob Nguyen", "bob@example.com"),
    ("Chandra Rao", "chandra@example.com"),
    ("Dana Kowalski", "dana@example.com"),
    ("Emeka Obi", "emeka@example.com"),
    ("Fatima Haddad", "fatima@example.com"),
)
RELEASE_MANAGER = ("Release Bot", "release@example.com")

_WORDS = """
    basket coupon invoice refund shipping tax currency locale session token cache index query
    filter export import report audit webhook retry queue email sms avatar profile password
    login logout signup search ranking thumbnail upload stock warehouse discount voucher
    receipt payout ledger
"""
WORDS = _WORDS.split()
FIX_VERBS = ("handle", "guard against", "correct", "prevent", "reject", "retry on", "escape", "clamp")

# Planted violations: kind -> (rule expected to report it, description)
PLANTS: dict[str, tuple[str, str]] = {
    "squash": ("merge-commit", "hotfix squash-merged: one non-merge commit on main"),
    "from-develop": ("hotfix-base", "hotfix branch cut from develop (brings unreleased features)"),
    "bad-name": ("branch-name", "hotfix branch named 'quickfix-foo'"),
    "no-changelog": ("changelog-entry", "hotfix without a changelog section"),
    "no-ticket": ("changelog-entry", "hotfix changelog section without its ticket"),
    "stale-base": ("hotfix-base", "hotfix cut from main before the last release merge (stale, a warning)"),
    "direct-push": ("merge-commit", "direct push to main (non-merge commit, not a hotfix)"),
    "no-back-merge": ("back-merge", "hotfix never merged back into develop (the last hotfix)"),
}


# --------------------------------------------------------------------------------------
# Building the repository
# --------------------------------------------------------------------------------------


Section = tuple[tuple[int, int, int], str]  # (version, text)


@dataclass(frozen=True)
class State:
    """A commit as the generator sees it: its mark, its files and its changelog sections."""

    mark: int
    files: dict[str, tuple[int, bytes]]  # path -> (stamp of the commit that wrote it, content)
    sections: frozenset[Section]


@dataclass
class Planted:
    kind: str
    rule: str
    what: str
    ref: str  # branch or tag that identifies it
    mark: int  # the commit: the merge into main, or the non-merge commit on main
    commit: str = ""


def render_changelog(sections: frozenset[Section]) -> bytes:
    body = "".join(text for _, text in sorted(sections, reverse=True))
    return (CHANGELOG_HEAD + body).encode()


def merge_states(a: State, b: State) -> tuple[dict[str, tuple[int, bytes]], frozenset[Section]]:
    """The tree of a merge of ``a`` and ``b``: per file the newer write, changelogs united."""
    files = dict(a.files)
    for path, entry in b.files.items():
        if path not in files or entry[0] > files[path][0]:
            files[path] = entry
    return files, a.sections | b.sections


def day(ts: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def version_str(v: tuple[int, int, int]) -> str:
    return ".".join(map(str, v))


class Builder:
    """Writes a git-flow history as a ``git fast-import`` stream."""

    def __init__(self, out: BinaryIO, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.count = 0  # commits written
        self.main: State
        self.develop: State
        self.minor = 0  # current release line is 1.<minor>
        self.patch = 0
        self.feature_no = 0
        self.pr_no = 400
        self.tags = 0
        self.planted: list[Planted] = []
        self.hotfix_merges = 0

    # -- stream primitives -------------------------------------------------------------

    def _data(self, payload: bytes) -> bytes:
        return b"data %d\n%s\n" % (len(payload), payload)

    def commit(
        self,
        ref: str,
        message: str,
        parents: list[State],
        author: tuple[str, str],
        changes: dict[str, bytes] | None = None,
        add_sections: Iterable[Section] = (),
    ) -> State:
        """Write one commit; its tree is the (merged) parents' plus ``changes``."""
        self.count += 1
        mark = self.count
        ts = EPOCH + self.count * STEP
        if not parents:
            files: dict[str, tuple[int, bytes]] = {}
            sections: frozenset[Section] = frozenset()
        elif len(parents) == 1:
            files, sections = dict(parents[0].files), parents[0].sections
        else:
            files, sections = merge_states(parents[0], parents[1])
        for path, content in (changes or {}).items():
            files[path] = (mark, content)
        sections = sections | frozenset(add_sections)
        ident = b"%s <%s> %d +0000" % (author[0].encode(), author[1].encode(), ts)
        chunks = [
            b"commit %s\nmark :%d\nauthor %s\ncommitter %s\n" % (ref.encode(), mark, ident, ident),
            self._data(message.encode()),
        ]
        if parents:
            chunks.append(b"from :%d\n" % parents[0].mark)
            for p in parents[1:]:
                chunks.append(b"merge :%d\n" % p.mark)
        base_files = parents[0].files if parents else {}
        for path, entry in files.items():
            old = base_files.get(path)
            if old is None or old[1] != entry[1]:
                chunks.append(b"M 100644 inline %s\n" % path.encode())
                chunks.append(self._data(entry[1]))
        if not parents or sections != parents[0].sections:
            chunks.append(b"M 100644 inline CHANGELOG.md\n")
            chunks.append(self._data(render_changelog(sections)))
        chunks.append(b"\n")
        self.out.write(b"".join(chunks))
        return State(mark, files, sections)

    def tag(self, name: str, target: State, message: str) -> None:
        self.tags += 1
        ts = EPOCH + self.count * STEP + 60
        tagger = b"%s <%s> %d +0000" % (RELEASE_MANAGER[0].encode(), RELEASE_MANAGER[1].encode(), ts)
        self.out.write(
            b"tag %s\nfrom :%d\ntagger %s\n%s" % (name.encode(), target.mark, tagger, self._data(message.encode()))
        )

    # -- content -------------------------------------------------------------------------

    def source_change(self, path: str | None = None, what: str = "change") -> dict[str, bytes]:
        path = path or self.rng.choice(SOURCE_FILES)
        name = path.rsplit("/", 1)[-1].removesuffix(".py")
        n = self.count + 1
        text = (
            f'"""{name}: part of the benchmark shop."""\n\n'
            f"# last {what}: commit {n}\n"
            f"REVISION = {n}\n\n\n"
            f"def {name.replace('test_', 'check_')}_{n % 97}(value: int) -> int:\n"
            f"    return value * {self.rng.randint(2, 99)} + {n % 13}\n"
        )
        return {path: text.encode()}

    def author(self) -> tuple[str, str]:
        return self.rng.choice(AUTHORS)

    def slug(self) -> str:
        return f"{self.rng.choice(WORDS)}-{self.rng.choice(WORDS)}"

    # -- git-flow events -----------------------------------------------------------------

    def root(self) -> None:
        files = {
            "README.md": b"# Benchmark shop\n\nA synthetic repository for hotfix-lint benchmarks.\n",
            "VERSION": b"0.0.0\n",
            ".hotfix-lint.yaml": POLICY.encode(),
        }
        for path in SOURCE_FILES:
            files.update(self.source_change(path, "creation"))
        self.main = self.commit("refs/heads/main", "Initial commit", [], AUTHORS[0], files)
        self.out.write(b"reset refs/heads/develop\nfrom :%d\n\n" % self.main.mark)
        self.develop = self.main

    def feature(self, max_commits: int) -> None:
        self.feature_no += 1
        name = f"feature/{self.slug()}-{self.feature_no}"
        who = self.author()
        tip = self.develop
        for _ in range(max(1, min(self.rng.randint(1, 4), max_commits - 1))):
            change = self.source_change()
            path = next(iter(change)).rsplit("/", 1)[-1]
            tip = self.commit(SCRATCH_REF, f"Update {path} for {name.split('/')[1]}", [tip], who, change)
        self.develop = self.commit(
            "refs/heads/develop", f"Merge branch '{name}' into develop", [self.develop, tip], who
        )

    def release(self) -> None:
        self.minor += 1
        self.patch = 0
        v = (1, self.minor, 0)
        name = f"release/1.{self.minor}"
        ts = EPOCH + (self.count + 1) * STEP
        section = (v, f"## [{version_str(v)}] - {day(ts)}\n### Added\n- Release 1.{self.minor}.\n\n")
        tip = self.commit(
            SCRATCH_REF,
            f"Bump version to {version_str(v)}",
            [self.develop],
            RELEASE_MANAGER,
            {"VERSION": f"{version_str(v)}\n".encode()},
            [section],
        )
        self.main = self.commit("refs/heads/main", f"Merge branch '{name}'", [self.main, tip], RELEASE_MANAGER)
        self.tag(f"v{version_str(v)}", self.main, f"Release {version_str(v)}")
        self.develop = self.commit(
            "refs/heads/develop", f"Merge branch '{name}' into develop", [self.develop, tip], RELEASE_MANAGER
        )

    def direct_push(self) -> None:
        ts = EPOCH + (self.count + 1) * STEP
        self.main = self.commit(
            "refs/heads/main",
            "Update on-call contact in README",
            [self.main],
            AUTHORS[1],
            {"README.md": f"# Benchmark shop\n\nOn call since {day(ts)}: bob@example.com\n".encode()},
        )
        self.planted.append(Planted("direct-push", *PLANTS["direct-push"], "main", self.main.mark))

    def hotfix(self, idx: int, kind: str | None, stale_base: State | None) -> None:
        self.patch += 1
        v = (1, self.minor, self.patch)
        vs = version_str(v)
        ticket = f"ABC-{1000 + idx}"
        desc = f"{self.rng.choice(FIX_VERBS)} {self.rng.choice(WORDS)} {self.rng.choice(WORDS)}"
        slug = re.sub(r"[^a-z0-9]+", "-", desc.lower()).strip("-") + f"-{idx}"
        branch = "quickfix-foo" if kind == "bad-name" else f"hotfix/fix-{slug}"
        who = self.author()
        ts = EPOCH + (self.count + 1) * STEP
        entry = f"- {desc[0].upper()}{desc[1:]}" + ("" if kind == "no-ticket" else f" ({ticket})")
        section = (v, f"## [{vs}] - {day(ts)}\n### Fixed\n{entry}\n\n")
        sections = [] if kind == "no-changelog" else [section]
        if kind == "squash":
            self.pr_no += 1
            change = self.source_change(what=f"fix {ticket}")
            change["VERSION"] = f"{vs}\n".encode()
            self.main = self.commit(
                "refs/heads/main",
                f"Fix: {desc} ({ticket}) (#{self.pr_no})",
                [self.main],
                who,
                change,
                sections,
            )
            self.planted.append(Planted(kind, *PLANTS[kind], f"v{vs}", self.main.mark))
        else:
            if kind == "from-develop":
                tip = self.develop
            elif kind == "stale-base" and stale_base is not None:
                tip = stale_base
            else:
                tip = self.main
            n = self.rng.randint(1, 3)
            for k in range(n):
                change = self.source_change(what=f"fix {ticket}")
                last = k == n - 1
                if last:
                    change["VERSION"] = f"{vs}\n".encode()
                tip = self.commit(
                    SCRATCH_REF,
                    f"Fix: {desc} ({ticket})" if k == 0 else f"Fix: {desc}, part {k + 1} ({ticket})",
                    [tip],
                    who,
                    change,
                    sections if last else (),
                )
            self.main = self.commit("refs/heads/main", f"Merge branch '{branch}'", [self.main, tip], who)
            self.hotfix_merges += 1
            if kind is not None:
                self.planted.append(Planted(kind, *PLANTS[kind], branch, self.main.mark))
        self.tag(f"v{vs}", self.main, f"Hotfix {vs}: {desc} ({ticket})")
        if kind != "no-back-merge":
            self.develop = self.commit(
                "refs/heads/develop", "Merge branch 'main' into develop", [self.develop, self.main], who
            )


def plan_plants(hotfixes: int, per_segment: list[int]) -> dict[int, str]:
    """Which hotfix (by index) carries which planted violation."""
    if hotfixes < len(PLANTS):
        return {}
    plants: dict[int, str] = {hotfixes - 1: "no-back-merge"}
    firsts, i = set(), 0
    for n in per_segment:
        if n:
            firsts.add(i)
        i += n
    for kind, frac in (
        ("squash", 0.15),
        ("from-develop", 0.3),
        ("bad-name", 0.45),
        ("no-changelog", 0.55),
        ("no-ticket", 0.65),
        ("stale-base", 0.75),
        ("direct-push", 0.85),
    ):
        j = int(hotfixes * frac)
        # a stale base needs a release between cut and merge: the first hotfix of a segment
        while j in plants or (kind == "stale-base" and j not in firsts and j < hotfixes - 1):
            j += 1
        if j < hotfixes - 1 and j not in plants:
            plants[j] = kind
    return plants


def generate(out: BinaryIO, commits: int, hotfixes: int, releases: int, seed: int) -> Builder:
    b = Builder(out, seed)
    b.root()
    segments = releases + 1  # segment s ends with release s+1; hotfixes only after release 1
    per_segment = [0] * segments
    for i in range(hotfixes):
        per_segment[1 + i * releases // hotfixes] += 1
    plants = plan_plants(hotfixes, per_segment)
    idx = 0
    stale_base: State | None = None  # main before a release, for the "stale-base" hotfix
    for s in range(segments):
        start, end = b.count, commits * (s + 1) // segments
        is_last = s == segments - 1
        budget = end - start - (0 if is_last else 3)
        n = per_segment[s]
        due = [start + (j + 1) * budget // (n + 1) for j in range(n)]
        while b.count < start + budget or due:
            if due and b.count >= due[0]:
                due.pop(0)
                kind = plants.get(idx)
                if kind == "direct-push":
                    b.direct_push()
                    kind = None
                b.hotfix(idx, kind, stale_base if kind == "stale-base" else None)
                idx += 1
            else:
                b.feature(max(2, start + budget - b.count))
        if not is_last:
            if plants.get(sum(per_segment[: s + 1])) == "stale-base":
                stale_base = b.main  # the hotfix is cut here, before the release merge moves main
            b.release()
    return b


def git(repo: Path, *args: str, input: bytes | None = None, check: bool = True) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, check=False)
    if check and proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed ({proc.returncode}): {proc.stderr.decode().strip()}")
    return proc.stdout


def build_key(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "generator": GENERATOR_VERSION,
        "commits": args.commits,
        "hotfixes": args.hotfixes,
        "releases": args.releases,
        "seed": SEED,
        "repack": not args.no_repack,
        "policy": hashlib.sha256(POLICY.encode()).hexdigest()[:16],
    }


def load_cached(repo: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    marker = repo / ".git" / MARKER
    try:
        meta: dict[str, Any] = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    return meta if meta.get("key") == key else None


def build(repo: Path, args: argparse.Namespace, key: dict[str, Any]) -> dict[str, Any]:
    if repo.exists():
        if any(repo.iterdir()) and not (repo / ".git" / MARKER).exists():
            raise SystemExit(f"{repo} exists and was not built by this benchmark; refusing to delete it")
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    t0 = time.perf_counter()
    git(repo, "init", "-q", "--initial-branch=main")
    # marks the directory as ours at once, so that a failed build can be rebuilt over
    (repo / ".git" / MARKER).write_text(json.dumps({"key": None, "state": "building"}))
    for k, v in (
        ("core.commitGraph", "false"),
        ("gc.writeCommitGraph", "false"),
        ("fetch.writeCommitGraph", "false"),
        ("gc.auto", "0"),
        ("maintenance.auto", "false"),
        ("repack.writeBitmaps", "false"),
        ("user.name", "Benchmark"),
        ("user.email", "bench@example.com"),
    ):
        git(repo, "config", k, v)
    marks = repo / ".git" / "bench-marks"
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "fast-import", "--quiet", "--done", f"--export-marks={marks}"],
        stdin=subprocess.PIPE,
    )
    assert proc.stdin is not None  # noqa: S101
    stdin: BinaryIO = proc.stdin  # type: ignore[assignment]
    builder = generate(stdin, args.commits, args.hotfixes, args.releases, SEED)
    stdin.write(b"done\n")
    stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    t_import = time.perf_counter() - t0
    git(repo, "update-ref", "-d", SCRATCH_REF)
    size_import = dir_size(repo / ".git" / "objects")
    t_repack = 0.0
    if not args.no_repack:
        t1 = time.perf_counter()
        git(repo, "repack", "-adq")
        t_repack = time.perf_counter() - t1
    git(repo, "checkout", "-q", "-f", "main")
    mark_to_id = dict(line.split(" ", 1) for line in marks.read_text().splitlines() if line.startswith(":"))
    marks.unlink()
    for p in builder.planted:
        p.commit = mark_to_id[f":{p.mark}"].strip()
    meta = {
        "key": key,
        "commits": builder.count,
        "hotfix_events": args.hotfixes,
        "hotfix_merges": builder.hotfix_merges,
        "tags": builder.tags,
        "releases": builder.minor,
        "import_seconds": round(t_import, 2),
        "repack_seconds": round(t_repack, 2),
        "build_seconds": round(time.perf_counter() - t0, 2),
        "objects_bytes_after_import": size_import,
        "planted": [p.__dict__ for p in builder.planted],
    }
    (repo / ".git" / MARKER).write_text(json.dumps(meta, indent=2))
    return meta


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --------------------------------------------------------------------------------------
# Timing the git CLI
# --------------------------------------------------------------------------------------


@dataclass
class Row:
    question: str
    command: str
    seconds: float
    forms: tuple[str, ...]  # "best", "script": which totals it counts in
    runs: int = 1


@dataclass
class GitSide:
    rows: list[Row] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)


SLOW_SECONDS = 20.0  # a form whose first run takes longer is not repeated


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any, int]:
    """Median wall time of ``repeat`` runs (one run only when the first is slower than SLOW_SECONDS)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        if times[0] > SLOW_SECONDS:
            break
    return statistics.median(times), result, len(times)


MERGE_SOURCE = re.compile(r"^Merge branch '([^']+)'")


def paint_brought_in(parents: dict[str, tuple[str, ...]], gen: dict[str, int], merge: str) -> list[str]:
    """Commits reachable from merge^2 and not from merge^1 (git's paint-down, by generation)."""
    p1, p2 = parents[merge][0], parents[merge][1]
    flags = {p1: 1, p2: 2}
    heap = [(-gen[p1], p1), (-gen[p2], p2)]
    heapq.heapify(heap)
    done: set[str] = set()
    out = []
    while heap and any(flags[c] != 3 for _, c in heap):
        _, c = heapq.heappop(heap)
        if c in done:
            continue
        done.add(c)
        f = flags[c]
        if f == 2:
            out.append(c)
        for p in parents[c]:
            if flags.get(p, 0) | f != flags.get(p, 0):
                flags[p] = flags.get(p, 0) | f
                heapq.heappush(heap, (-gen[p], p))
    return out


def time_git(repo: Path, repeat: int, loops: bool) -> GitSide:
    side = GitSide()
    g = ["git", "-C", str(repo)]

    def run(*args: str, stdin: bytes | None = None) -> bytes:
        return subprocess.run([*g, *args], input=stdin, capture_output=True, check=True).stdout

    def add(question: str, command: str, forms: tuple[str, ...], fn: Callable[[], Any]) -> Any:
        sec, result, runs = median_time(fn, repeat)
        side.rows.append(Row(question, command, sec, forms, runs))
        return result

    both = ("best", "script")
    # 1. first-parent chain of main with merge / non-merge classification
    fp = add(
        "first-parent chain of main",
        "git rev-list --first-parent --parents main",
        both,
        lambda: run("rev-list", "--first-parent", "--parents", "main"),
    )
    chain = [line.split() for line in fp.decode().splitlines()]
    fp_merges = [c[0] for c in chain if len(c) > 2]
    fp_direct = [c[0] for c in chain if len(c) == 2]  # the root commit (no parent) is not counted
    # 2. all merges reachable from main, with messages
    lg = add(
        "merges reachable from main + subjects",
        "git log --merges --format=%H%x00%P%x00%s main",
        both,
        lambda: run("log", "--merges", "--format=%H%x00%P%x00%s", "main"),
    )
    subjects = {}
    for line in lg.decode().splitlines():
        sha, _, subject = line.split("\x00", 2)
        subjects[sha] = subject
    hotfix_merges = []
    for sha in fp_merges:
        m = MERGE_SOURCE.match(subjects.get(sha, ""))
        src = m.group(1) if m else None
        if src is not None and src != "develop" and not src.startswith("release/"):
            hotfix_merges.append(sha)
    side.answers.append(
        f"first-parent chain: {len(chain)} commits, {len(fp_merges)} merges, "
        f"{len(fp_direct)} non-merge besides the root commit; "
        f"{len(subjects)} merges reachable; {len(hotfix_merges)} hotfix merges on main "
        "(first-parent merges from neither develop nor release/*)"
    )

    # 3. for each hotfix merge M, what it brought in: M^2 ^M^1
    def loop_brought_in() -> dict[str, list[str]]:
        return {
            m: run("log", "--format=%H%x00%P%x00%s", f"{m}^2", f"^{m}^1").decode().splitlines() for m in hotfix_merges
        }

    if loops:
        per_merge = add(
            "what each hotfix merge brought in",
            f"git log --format=%H%x00%P%x00%s M^2 ^M^1  (x{len(hotfix_merges)}, one per merge)",
            ("script",),
            loop_brought_in,
        )
    else:
        per_merge = loop_brought_in()

    def one_walk() -> dict[str, list[str]]:
        out = run("rev-list", "--topo-order", "--reverse", "--parents", "main").decode()
        parents: dict[str, tuple[str, ...]] = {}
        gen: dict[str, int] = {}
        for line in out.splitlines():
            c, *ps = line.split()
            parents[c] = tuple(ps)
            gen[c] = 1 + max((gen[p] for p in ps), default=0)
        return {m: paint_brought_in(parents, gen, m) for m in hotfix_merges}

    walked = add(
        "what each hotfix merge brought in",
        "git rev-list --topo-order --reverse --parents main  + paint walk in Python",
        ("best",),
        one_walk,
    )
    mismatch = [m for m in hotfix_merges if {x.split("\x00")[0] for x in per_merge[m]} != set(walked[m])]
    total_in = sum(len(v) for v in walked.values())
    side.answers.append(
        f"hotfix merges brought in {total_in} commits "
        f"({max((len(v) for v in walked.values()), default=0)} at most, from the merge cut from develop); "
        + (
            "one-process walk agrees with the per-merge git log"
            if not mismatch
            else f"WALK DISAGREES with git log on {len(mismatch)} merges"
        )
    )

    # 4. which hotfix tips are not in develop
    not_in_dev = add(
        "hotfix tips not in develop",
        "git rev-list main ^develop",
        ("best",),
        lambda: set(run("rev-list", "main", "^develop").decode().split()),
    )
    second_parent = {c[0]: c[2] for c in chain if len(c) > 2}
    tips = {m: second_parent[m] for m in hotfix_merges}
    missing = [m for m, tip in tips.items() if tip in not_in_dev]

    if loops:

        def loop_ancestor() -> list[str]:
            return [
                m
                for m, tip in tips.items()
                if subprocess.run([*g, "merge-base", "--is-ancestor", tip, "develop"], check=False).returncode
            ]

        add(
            "hotfix tips not in develop",
            f"git merge-base --is-ancestor M^2 develop  (x{len(tips)}, one per merge)",
            ("script",),
            loop_ancestor,
        )
    side.answers.append(
        f"{len(not_in_dev)} commits of main are not in develop; hotfix tips not in develop: "
        + (", ".join(subjects[m] for m in missing) or "none")
    )

    # 5. tags
    refs = add(
        "tags (peeled)",
        "git for-each-ref --format=%(refname:short) %(objectname) %(*objectname) refs/tags",
        both,
        lambda: run("for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)", "refs/tags"),
    )
    tags = [line.split()[0] for line in refs.decode().splitlines()]

    # 6. the changelog at each tag
    batch_in = "".join(f"{t}:CHANGELOG.md\n" for t in tags).encode()
    batch = add(
        "CHANGELOG.md at each tag",
        f"git cat-file --batch  ({len(tags)} '<tag>:CHANGELOG.md' lines)",
        ("best",),
        lambda: run("cat-file", "--batch", stdin=batch_in),
    )
    if loops:
        add(
            "CHANGELOG.md at each tag",
            f"git show <tag>:CHANGELOG.md  (x{len(tags)}, one per tag)",
            ("script",),
            lambda: [run("show", f"{t}:CHANGELOG.md") for t in tags],
        )
    # parse the batch output: "<sha> blob <size>\n<content>\n" per tag
    lacking, pos, data = [], 0, batch
    for t in tags:
        nl = data.index(b"\n", pos)
        header = data[pos:nl].split()
        size = int(header[2]) if len(header) == 3 else 0
        text = data[nl + 1 : nl + 1 + size].decode()
        pos = nl + 1 + size + (1 if size else 0)
        if f"## [{t.lstrip('v')}]" not in text:
            lacking.append(t)
    side.answers.append(
        f"{len(tags)} tags; tags whose CHANGELOG.md has no section for their version: " + (", ".join(lacking) or "none")
    )
    return side


# --------------------------------------------------------------------------------------
# Timing hotfix-lint
# --------------------------------------------------------------------------------------


@dataclass
class LintResult:
    command: str
    seconds: float | None = None
    runs: list[float] = field(default_factory=list)
    exit_status: int | None = None
    violations: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def lint_command() -> tuple[list[str], dict[str, str]]:
    # bytecode kept, as an install has it (hook_benchmark.py does the same): with
    # PYTHONDONTWRITEBYTECODE set, every module changed since its .pyc was written is compiled
    # again on each run (80 ms of a git/git check after a day's changes)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = Path(sys.executable).parent / "hotfix-lint"
    if script.exists():
        return [str(script)], env
    # not installed in this venv: run the package from this checkout
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    return [sys.executable, "-m", "hotfix_lint"], env


def time_lint(repo: Path, output: Path, repeat: int, timeout: float) -> LintResult:
    prefix, env = lint_command()
    cmd = [*prefix, "check", "--repo", str(repo), "--format", "json", "--output", str(output)]
    res = LintResult(" ".join(cmd))
    for _ in range(repeat):
        output.unlink(missing_ok=True)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            res.error = f"timed out after {timeout:.0f} s"
            return res
        elapsed = time.perf_counter() - t0
        res.exit_status = proc.returncode
        try:
            report = json.loads(output.read_text())
            violations = report["violations"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            stderr = proc.stderr.decode(errors="replace").strip()
            res.error = f"exit status {proc.returncode}, no usable JSON report ({exc})\n{stderr}"
            return res
        res.runs.append(elapsed)
        res.violations = violations
    res.seconds = statistics.median(res.runs)
    return res


# --------------------------------------------------------------------------------------
# Any repository: hotfix-lint beside one pygit2 walk and git rev-list, time and peak RSS
# --------------------------------------------------------------------------------------

WALK_SCRIPT = """\
import sys, pygit2
repo = pygit2.Repository(sys.argv[1])
n = 0
for commit in repo.walk(repo.revparse_single(sys.argv[2]).peel(pygit2.Commit).id):
    n += 1
print(n)
"""


@dataclass
class Measured:
    seconds: float
    peak_rss: int  # bytes
    status: int
    stdout: bytes


def measure(cmd: list[str], env: dict[str, str] | None = None, timeout: float | None = None) -> Measured:
    """Wall time and peak RSS of one process (and the children it waited for), as ``time -v``."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except KeyboardInterrupt:
            proc.kill()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - t0
        out.seek(0)
        data = out.read()
    if timeout is not None and elapsed > timeout:
        print(f"  (took {elapsed:.0f} s, over the {timeout:.0f} s asked)", file=sys.stderr)
    return Measured(elapsed, usage.ru_maxrss * 1024, proc.returncode, data)


def lines_of(policy_file: Path) -> tuple[str, str | None]:
    """Production (the first line named) and integration, as the policy names them."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from hotfix_lint.policy.loader import load_policy

    policy = load_policy(policy_file)
    return policy.production[0], policy.integration


def compare_on(repo: Path, policy_file: Path, since: str | None, repeat: int) -> dict[str, Measured]:
    """hotfix-lint check, one pygit2 walk of production, git rev-list of production and
    integration: the median run of each by time, its peak RSS."""
    production, integration = lines_of(policy_file)
    prefix, env = lint_command()
    check = [*prefix, "check", "--repo", str(repo), "--policy", str(policy_file), "--format", "json", "--no-ci"]
    check += ["--output", os.devnull] + (["--since", since] if since else [])
    commands = {
        "hotfix-lint check": (check, env),
        f"one pygit2 walk of {production}": ([sys.executable, "-c", WALK_SCRIPT, str(repo), production], None),
        f"git rev-list --parents --topo-order {production} {integration or ''}".rstrip(): (
            ["git", "-C", str(repo), "rev-list", "--parents", "--topo-order", production, *filter(None, [integration])],
            None,
        ),
    }
    rounds: dict[str, list[Measured]] = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved: a shared machine whose speed drifts slows all alike
        for name, (cmd, cmd_env) in commands.items():
            rounds[name].append(measure(cmd, cmd_env))
    _ROUNDS.clear()
    _ROUNDS.update(rounds)
    out: dict[str, Measured] = {}
    for name, runs in rounds.items():
        out[name] = sorted(runs, key=lambda m: m.seconds)[len(runs) // 2]
    return out


#: the last :func:`compare_on`'s runs of each command, in order (for the ratios of each round)
_ROUNDS: dict[str, list[Measured]] = {}


def print_comparison(title: str, figures: dict[str, Measured]) -> None:
    walk = next(m for name, m in figures.items() if name.startswith("one pygit2 walk"))
    print(title)
    width = max(len(n) for n in figures)
    print(f"  {'command':<{width}}  {'wall s':>8}  {'x walk':>7}  {'peak RSS':>10}  status")
    for name, m in figures.items():
        ratio = m.seconds / walk.seconds if walk.seconds else float("nan")
        print(f"  {name:<{width}}  {m.seconds:8.2f}  {ratio:7.1f}  {human_bytes(m.peak_rss):>10}  {m.status}")
    walk_name = next(name for name in figures if name.startswith("one pygit2 walk"))
    checks, walks = _ROUNDS.get("hotfix-lint check", []), _ROUNDS.get(walk_name, [])
    if len(checks) > 1 and len(checks) == len(walks):
        each = "  ".join(f"{c.seconds / w.seconds:.1f}" for c, w in zip(checks, walks, strict=True) if w.seconds)
        print(f"  hotfix-lint check / the walk, round by round (each pair run back to back): {each}")


def run_on_repo(args: argparse.Namespace) -> int:
    repo: Path = args.repo
    commits = git(repo, "rev-list", "--count", "--all").decode().strip()
    figures = compare_on(repo, args.policy, args.since, args.repeat)
    since = f", since {args.since}" if args.since else ""
    print_comparison(f"{repo} ({int(commits):,} commits in all refs{since}; policy {args.policy})", figures)
    return 0


def synthetic(commits: int, hotfixes: int, args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The cached synthetic repository of that size (built on first use) and its policy file."""
    ns = argparse.Namespace(**{**vars(args), "commits": commits, "hotfixes": hotfixes})
    ns.releases = max(2, commits // 1000)
    size = f"{commits // 1000}k" if commits % 1000 == 0 else str(commits)
    repo = (args.dir or Path(tempfile.gettempdir()) / "hotfix-lint-bench") / f"repo-{size}"
    key = build_key(ns)
    meta = load_cached(repo, key)
    if meta is None:
        print(f"building {repo} ({commits:,} commits, {hotfixes} hotfixes) ...", flush=True)
        meta = build(repo, ns, key)
    policy = repo.parent / "policy.yaml"
    policy.write_text(POLICY)
    return repo, meta


def run_growth(args: argparse.Namespace) -> int:
    """hotfix-lint at each size (hotfixes one per 200 commits): time and memory should grow linearly."""
    rows = []
    for commits in (int(x) for x in args.growth.split(",")):
        repo, meta = synthetic(commits, max(1, commits // 200), args)
        figures = compare_on(repo, repo.parent / "policy.yaml", None, args.repeat)
        print_comparison(f"{repo}: {meta['commits']:,} commits, {meta['hotfix_events']} hotfixes", figures)
        rows.append((meta["commits"], meta["hotfix_events"], figures["hotfix-lint check"]))
    print()
    print("growth of hotfix-lint check")
    print(
        f"  {'commits':>10}  {'hotfixes':>8}  {'wall s':>8}  {'us/commit':>9}  {'peak RSS':>10}  {'bytes/commit':>12}"
    )
    for commits, hotfixes, m in rows:
        print(
            f"  {commits:>10,}  {hotfixes:>8,}  {m.seconds:8.2f}  {m.seconds / commits * 1e6:9.1f}  "
            f"{human_bytes(m.peak_rss):>10}  {m.peak_rss / commits:12.0f}"
        )
    return 0


def run_refs(args: argparse.Namespace) -> int:
    """The same history with 10 refs and with ``--refs`` branches and as many tags (shared clones)."""
    base, meta = synthetic(args.commits, args.hotfixes, args)
    policy = base.parent / "policy.yaml"
    ids = git(base, "rev-list", "--all").decode().split()
    tags = git(base, "for-each-ref", "--sort=-creatordate", "--format=%(refname)", "refs/tags").decode().split()
    results = {}
    for label, many in (("10 refs", False), (f"{args.refs:,} branches + {args.refs:,} tags", True)):
        clone = base.parent / f"refs-{'many' if many else 'few'}-{base.name}"
        if clone.exists():
            shutil.rmtree(clone)
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(base), str(clone)], check=True)
        git(clone, "config", "core.commitGraph", "false")
        lines = [f"update refs/heads/{b} refs/remotes/origin/{b}\n" for b in ("main", "develop")]
        keep = tags[:8] if not many else tags
        drop = [
            t for t in git(clone, "for-each-ref", "--format=%(refname)", "refs/tags").decode().split() if t not in keep
        ]
        lines += [f"delete {t}\n" for t in drop]
        if many:
            rng = random.Random(SEED)
            for i in range(args.refs):
                kind = "hotfix" if i % 2 else "feature"
                lines.append(f"create refs/heads/{kind}/bench-{i} {rng.choice(ids)}\n")
                lines.append(f"create refs/tags/bench-{i} {rng.choice(ids)}\n")
        git(clone, "update-ref", "--stdin", input="".join(lines).encode())
        git(clone, "remote", "remove", "origin")
        refs = len(git(clone, "for-each-ref").decode().splitlines())
        figures = compare_on(clone / ".git", policy, None, args.repeat)
        print_comparison(f"{clone}: {meta['commits']:,} commits, {refs:,} refs ({label})", figures)
        results[label] = figures["hotfix-lint check"]
    few, many_m = results.values()
    print(f"  {args.refs:,} branches + {args.refs:,} tags / 10 refs: {many_m.seconds / few.seconds:.2f}x time")
    return 0


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n:.0f} B"
        n /= 1024
    return f"{n:.1f} GiB"


def print_report(
    repo: Path, meta: dict[str, Any], cached: bool, side: GitSide, lint: LintResult | None, repeat: int
) -> None:
    objects = dir_size(repo / ".git" / "objects")
    packs = len(list((repo / ".git" / "objects" / "pack").glob("*.pack")))
    print(f"hotfix-lint history benchmark: {repo}")
    print(
        f"  history: {meta['commits']:,} commits, {meta['hotfix_events']} hotfixes "
        f"({meta['hotfix_merges']} merge commits into main, the others squashed), "
        f"{meta['releases']} releases, {meta['tags']} annotated tags"
    )
    how = "cached build" if cached else "built now"
    print(
        f"  build ({how}): {meta['build_seconds']:.1f} s (fast-import {meta['import_seconds']:.1f} s, "
        f"repack -adq {meta['repack_seconds']:.1f} s); objects after fast-import "
        f"{human_bytes(meta['objects_bytes_after_import'])}, now {human_bytes(objects)} in {packs} pack(s)"
    )
    print(
        "  no commit-graph file, core.commitGraph=false: pygit2 (libgit2) does not read commit-graph "
        "files,\n  so git runs without the generation numbers it would otherwise get from one"
    )
    print(f"  times: wall clock, median of {repeat} runs, each including process start-up")
    print()
    print("git CLI answers (sanity check of the history's shape):")
    for a in side.answers:
        print(f"  - {a}")
    print()
    w_q = max(len(r.question) for r in side.rows)
    lint_shown = "hotfix-lint check --repo DIR --format json --output FILE"
    w_c = max(max(len(r.command) for r in side.rows), len(lint_shown))
    line = f"  {'question':<{w_q}}  {'command':<{w_c}}  {'median s':>9}  form"
    print(line)
    print("  " + "-" * (len(line) - 2))
    for r in side.rows:
        form = "both" if len(r.forms) == 2 else ("single" if r.forms == ("best",) else "loop")
        if r.runs < repeat:
            form += f" ({r.runs} run: over {SLOW_SECONDS:.0f} s)"
        print(f"  {r.question:<{w_q}}  {r.command:<{w_c}}  {r.seconds:9.3f}  {form}")
    best = sum(r.seconds for r in side.rows if "best" in r.forms)
    script = sum(r.seconds for r in side.rows if "script" in r.forms)
    has_loops = any(r.forms == ("script",) for r in side.rows)
    print("  " + "-" * (len(line) - 2))
    print(f"  {'git total, best single-command forms':<{w_q + w_c + 2}}  {best:9.3f}")
    if has_loops:
        print(f"  {'git total, shell-script forms (one process per merge/tag)':<{w_q + w_c + 2}}  {script:9.3f}")
    if lint is not None:
        shown = "FAILED" if lint.seconds is None else f"{lint.seconds:9.3f}"
        print(f"  {'hotfix-lint, all five rules':<{w_q}}  {lint_shown:<{w_c}}  {shown:>9}")
    print()
    print(
        "  form: single = the fewest git processes that answer the question; loop = one git process\n"
        "  per hotfix merge or tag, as a shell script would run them; both = the same in either total.\n"
        "  What each hotfix merge M brought in (M^2 ^M^1) has no one-process git form: ranges fed to\n"
        "  one 'git rev-list --stdin' are united (all positives minus all negatives), so the single form\n"
        "  lists the DAG once and walks it in Python (git's paint-down by generation), time included."
    )
    print()
    if lint is None:
        print("hotfix-lint: skipped (--no-lint)")
        return
    if lint.seconds is None:
        print(f"hotfix-lint failed: {lint.error}")
        print(f"  command: {lint.command}")
    else:
        print(f"  ratio hotfix-lint / git (best single-command forms): {lint.seconds / best:6.2f}x")
        if has_loops:
            print(f"  ratio hotfix-lint / git (shell-script forms):        {lint.seconds / script:6.2f}x")
        runs = ", ".join(f"{t:.3f}" for t in lint.runs)
        print(f"  hotfix-lint runs: {runs} s; exit status {lint.exit_status}")
        print(f"  command: {lint.command}")
    print()
    planted = Counter(p["rule"] for p in meta["planted"])
    found = Counter(str(v.get("rule")) for v in lint.violations)
    sev: dict[str, Counter[str]] = {}
    for v in lint.violations:
        sev.setdefault(str(v.get("rule")), Counter())[str(v.get("severity", "?"))] += 1
    print("violations: planted vs found by hotfix-lint")
    print(f"  {'rule':<16} {'planted':>7} {'found':>7}  found by severity")
    for rule in sorted(set(planted) | set(found) | {r for r, _ in PLANTS.values()}):
        by_sev = ", ".join(f"{k} {n}" for k, n in sorted(sev.get(rule, Counter()).items()))
        shown_found = str(found[rule]) if lint.seconds is not None else "-"
        print(f"  {rule:<16} {planted[rule]:>7} {shown_found:>7}  {by_sev}")
    print("  planted:" if meta["planted"] else f"  none planted: that needs --hotfixes >= {len(PLANTS)}")
    for p in meta["planted"]:
        print(f"    {p['rule']:<16} {p['commit'][:10]}  {p['ref']:<40} {p['what']}")


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    default_dir = Path(tempfile.gettempdir()) / "hotfix-lint-bench"
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0] if __doc__ else None)
    ap.add_argument("--commits", type=int, default=100_000, help="commits in the history (about)")
    ap.add_argument("--hotfixes", type=int, default=500, help="hotfixes in the history")
    ap.add_argument("--releases", type=int, default=None, help="releases (default: commits // 1000, >= 2)")
    ap.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"where the repository is built and cached (default: {default_dir}/repo-<size>)",
    )
    ap.add_argument("--rebuild", action="store_true", help="rebuild even if a cached repository matches")
    ap.add_argument("--no-repack", action="store_true", help="keep fast-import's packs as they are")
    ap.add_argument("--repeat", type=int, default=3, help="runs per command; the median is printed")
    ap.add_argument("--no-loops", action="store_true", help="skip the one-process-per-merge git forms")
    ap.add_argument("--no-lint", action="store_true", help="time the git side only")
    ap.add_argument("--lint-timeout", type=float, default=1800, help="seconds before a hotfix-lint run is killed")
    ap.add_argument("--build-only", action="store_true", help="build (or reuse) the repository and stop")
    ap.add_argument("--repo", type=Path, help="measure on this existing repository (with --policy)")
    ap.add_argument("--policy", type=Path, help="the policy for --repo")
    ap.add_argument("--since", help="with --repo: pass --since to hotfix-lint (a slice of the history)")
    ap.add_argument("--growth", metavar="N,N,...", help="sizes to measure, one hotfix per 200 commits")
    ap.add_argument("--refs", type=int, help="branches (and as many tags) added to the --commits history")
    args = ap.parse_args(argv)
    if args.repo is not None or args.policy is not None:
        if args.repo is None or args.policy is None:
            ap.error("--repo and --policy go together")
        return run_on_repo(args)
    if args.growth:
        return run_growth(args)
    if args.releases is None:
        args.releases = max(2, args.commits // 1000)
    if args.commits < 20 * (args.hotfixes + args.releases) // 4:
        ap.error("too few commits for that many hotfixes and releases (need about 5 per hotfix/release)")
    if args.refs:
        return run_refs(args)
    size = f"{args.commits // 1000}k" if args.commits % 1000 == 0 else str(args.commits)
    repo: Path = args.dir or default_dir / f"repo-{size}"
    key = build_key(args)
    meta = None if args.rebuild else load_cached(repo, key)
    cached = meta is not None
    if meta is None:
        print(f"building {repo} ({args.commits:,} commits, {args.hotfixes} hotfixes) ...", flush=True)
        meta = build(repo, args, key)
    if args.build_only:
        print(json.dumps({k: v for k, v in meta.items() if k != "planted"}, indent=2))
        return 0
    side = time_git(repo, args.repeat, loops=not args.no_loops)
    lint = None
    if not args.no_lint:
        output = repo.parent / f"report-{size}.json"
        lint = time_lint(repo, output, args.repeat, args.lint_timeout)
    print_report(repo, meta, cached, side, lint, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
