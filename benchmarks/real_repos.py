#!/usr/bin/env python3
"""Score ``hotfix-lint`` against hand-checked hotfix histories of real public repositories.

Each ``benchmarks/corpus/<owner>__<name>.yaml`` holds the policy a maintainer of that
repository would write and the truth checked by hand against ``git log``: every hotfix
landing (commit, source branch, expected verdict per rule) and, under ``other``, production
changes that are not hotfixes but that a rule should still flag (a direct push, say). The
repositories themselves are never part of the project: give the folder that holds their bare
mirrors, laid out as ``<folder>/<owner>+<name>/repo`` (what the corpus fetch brings) or
``<folder>/<owner>+<name>`` or ``<folder>/<owner>__<name>.git``.

For each repository with a truth file and a mirror, the script runs (one repository at a
time) ``hotfix-lint hotfixes --format json`` and ``hotfix-lint check --format json`` with the
truth's policy, and compares:

* hotfixes found / missed (a landing not in the ``hotfixes`` table) / extra (rows that are no
  hotfix landing inside the process era) / outside (rows dated outside every era);
* wrong verdicts on the landings: false errors (a rule flags a landing the truth says is fine)
  and missed violations (a rule the truth says is broken says nothing); a warning counts as a
  flag, could-not-check as neither;
* findings about no hotfix: findings of ``check`` that belong to no landing and to no expected
  ``other`` change, inside the eras (outside ones are counted apart);
* the time each command took.

Run::

    python benchmarks/real_repos.py /work/.mirror                  # table
    python benchmarks/real_repos.py /work/.mirror --details        # and every wrong row
    python benchmarks/real_repos.py /work/.mirror --only aergoio/aergo --json out.json
    python benchmarks/real_repos.py /work/.mirror --inferred       # init's policy, not the truth's

With ``--inferred`` the policy is the one ``hotfix-lint init --stdout`` infers from the mirror
(what a new user would get), scored against the same truth: how far the first run is from
what the maintainers would write.

A mirror stored without a ``config`` file that today's tool cannot open (issue 13, item 13)
is opened through a temporary folder of symbolic links plus a minimal ``config``; the table
notes it. Nothing is written into the mirrors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygit2
import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
VERDICTS = ("ok", "violation", "skip")
MERGE_NAMED = re.compile(r"\bmerge ([0-9a-f]{7,40})\b")


# --------------------------------------------------------------------------- truth files


@dataclass
class Landing:
    commit: str
    branch: str | None
    via: str
    expect: dict[str, str]
    why: str = ""


@dataclass
class Other:
    commit: str
    kind: str
    expect: dict[str, str]
    why: str = ""


@dataclass
class Era:
    since: dt.date | None
    until: dt.date | None

    def holds(self, day: dt.date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


@dataclass
class Truth:
    path: Path
    repository: str
    policy: dict[str, Any]
    eras: list[Era]
    landings: list[Landing]
    others: list[Other]
    now: str | None
    label: str | None = None

    @property
    def name(self) -> str:
        """The repository, and which of its lines when a file judges only one."""
        return f"{self.repository} ({self.label})" if self.label else self.repository


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_truth(path: Path) -> Truth:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []

    def expect_of(entry: dict[str, Any]) -> dict[str, str]:
        expect = {str(k): str(v) for k, v in (entry.get("expect") or {}).items()}
        for rule, verdict in expect.items():
            if verdict not in VERDICTS:
                problems.append(f"{entry.get('commit')}: {rule}: {verdict!r} is not one of {VERDICTS}")
        return expect

    landings = [
        Landing(str(e["commit"]), e.get("branch"), str(e.get("via", "merge")), expect_of(e), str(e.get("why", "")))
        for e in data.get("landings") or []
    ]
    others = [
        Other(str(e["commit"]), str(e.get("class", "?")), expect_of(e), str(e.get("why", "")))
        for e in data.get("other") or []
    ]
    eras = [Era(_day(e.get("since")), _day(e.get("until"))) for e in data.get("eras") or []] or [Era(None, None)]
    if problems:
        raise SystemExit(f"{path}: " + "; ".join(problems))
    now = data.get("now")
    label = data.get("label")
    return Truth(
        path,
        str(data["repository"]),
        dict(data["policy"]),
        eras,
        landings,
        others,
        str(now) if now else None,
        str(label) if label else None,
    )


# --------------------------------------------------------------------------- mirrors


def find_mirror(folder: Path, repository: str) -> Path | None:
    owner, name = repository.split("/", 1)
    for candidate in (
        folder / f"{owner}+{name}" / "repo",
        folder / f"{owner}+{name}",
        folder / f"{owner}__{name}.git",
        folder / f"{owner}__{name}",
    ):
        if (candidate / "objects").is_dir() and (candidate / "HEAD").exists():
            return candidate
    return None


def shim(mirror: Path, into: Path) -> Path:
    """A bare repository that is ``mirror`` by symbolic links, with a minimal ``config``."""
    into.mkdir()
    for entry in mirror.iterdir():
        if entry.name != "config":
            (into / entry.name).symlink_to(entry.resolve())
    (into / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tbare = true\n", encoding="utf-8")
    return into


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --------------------------------------------------------------------------- running the tool


@dataclass
class Run:
    data: dict[str, Any] | None
    seconds: float
    rc: int
    stderr: str


def run_tool(command: str, repo: Path, policy: Path, now: str | None) -> Run:
    argv = [sys.executable, "-m", "hotfix_lint", command, "--repo", str(repo), "--policy", str(policy)]
    argv += ["--format", "json"]
    if now:
        argv += ["--now", now]
    if command == "check":
        argv.append("--no-ci")
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN")}
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    seconds = time.monotonic() - started
    try:
        data = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    return Run(data, seconds, done.returncode, done.stderr.strip())


def opens_directly(run: Run) -> bool:
    return not (run.data is None and "not a git repository" in run.stderr)


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    repository: str
    note: str = ""
    mirror: str = ""
    truth: int = 0
    found: int = 0
    missed: list[Landing] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    outside: list[dict[str, Any]] = field(default_factory=list)
    listed: int = 0
    false_errors: list[tuple[Landing, str, str]] = field(default_factory=list)
    missed_violations: list[tuple[Landing | Other, str]] = field(default_factory=list)
    right_verdicts: int = 0
    other_hit: int = 0
    no_hotfix: list[dict[str, Any]] = field(default_factory=list)
    outside_findings: int = 0
    could_not_check: int = 0
    seconds_hotfixes: float = 0.0
    seconds_check: float = 0.0
    errors: list[str] = field(default_factory=list)


class Commits:
    """Dates and parents of commits in the mirror, for attribution and eras."""

    def __init__(self, path: Path) -> None:
        self.repo = pygit2.Repository(str(path))

    def full(self, sha: str) -> str | None:
        try:
            return str(self.repo.revparse_single(sha).peel(pygit2.Commit).id)
        except (KeyError, ValueError, pygit2.GitError):
            return None

    def day(self, sha: str) -> dt.date | None:
        try:
            commit = self.repo.revparse_single(sha).peel(pygit2.Commit)
        except (KeyError, ValueError, pygit2.GitError):
            return None
        return dt.datetime.fromtimestamp(commit.commit_time, dt.timezone.utc).date()

    def parents(self, sha: str) -> list[str]:
        try:
            return [str(p) for p in self.repo.revparse_single(sha).peel(pygit2.Commit).parent_ids]
        except (KeyError, ValueError, pygit2.GitError):
            return []


def in_eras(truth: Truth, day: dt.date | None) -> bool:
    return day is None or any(era.holds(day) for era in truth.eras)


def flagged(violation: dict[str, Any]) -> bool:
    return violation.get("kind", "violation") == "violation" and not violation.get("waived")


def score(truth: Truth, mirror: Path, hotfixes: Run, check: Run, commits: Commits, score: Score) -> None:
    rows = (hotfixes.data or {}).get("hotfixes") or []
    score.listed = len(rows)
    landings = {commits.full(x.commit) or x.commit: x for x in truth.landings}
    others = {commits.full(x.commit) or x.commit: x for x in truth.others}
    score.truth = len(landings)

    # the hotfixes table
    seen: set[str] = set()
    for row in rows:
        sha = row.get("commit") or ""
        if sha in landings:
            seen.add(sha)
            continue
        if in_eras(truth, commits.day(sha) if sha else None):
            kind = others[sha].kind if sha in others else "?"
            score.extra.append({**row, "truth_class": kind})
        else:
            score.outside.append(row)
    score.found = len(seen)
    score.missed = [x for sha, x in landings.items() if sha not in seen]

    # the findings of check
    if check.data is None:
        return
    rules_run = set((check.data.get("summary") or {}).get("rules_run") or [])
    keys: dict[str, str] = {}  # a landing's commit or its merged tip -> the landing
    for sha in landings:
        for parent in commits.parents(sha)[1:]:
            keys.setdefault(parent, sha)
        keys[sha] = sha

    def owner(violation: dict[str, Any]) -> str | None:
        """The landing (or expected other change) a finding is about, if any."""
        commit = violation.get("commit") or ""
        if commit in keys:
            return keys[commit]
        text = f"{violation.get('message') or ''} {violation.get('hint') or ''}"
        named_merges = MERGE_NAMED.findall(violation.get("message") or "")
        if named_merges:
            # the message says which merge it is about: that landing, or none of them
            return next((sha for sha in landings for m in named_merges if sha.startswith(m)), None)
        for key, sha in keys.items():
            if key[:10] in text:
                return sha
        branch = violation.get("ref")
        named = [sha for sha, x in landings.items() if branch and x.branch == branch]
        if len(named) == 1:
            return named[0]
        if commit in others:
            return commit
        # a finding about a run of commits names them all in its message
        return next((sha for sha in others if sha[:10] in text), None)

    flagged_rules: dict[str, set[str]] = {}
    messages: dict[tuple[str, str], str] = {}
    for violation in check.data.get("violations") or []:
        if violation.get("kind") == "could-not-check":
            score.could_not_check += 1
            continue
        if not flagged(violation):
            continue
        sha = owner(violation)
        if sha is None:
            # a finding that names its merge is dated by that merge, else by its commit
            about = [*MERGE_NAMED.findall(violation.get("message") or ""), violation.get("commit")]
            day = next((d for d in (commits.day(c) for c in about if c) if d is not None), None)
            if in_eras(truth, day):
                score.no_hotfix.append(violation)
            else:
                score.outside_findings += 1
            continue
        flagged_rules.setdefault(sha, set()).add(violation["rule"])
        messages.setdefault((sha, violation["rule"]), violation.get("message") or "")

    for sha, item in [*landings.items(), *others.items()]:
        got = flagged_rules.get(sha, set())
        for rule, verdict in item.expect.items():
            if verdict == "skip" or rule not in rules_run:
                continue
            if verdict == "ok" and rule in got and isinstance(item, Landing):
                score.false_errors.append((item, rule, messages[(sha, rule)]))
            elif verdict == "violation" and rule not in got:
                score.missed_violations.append((item, rule))
            elif verdict == "violation" and isinstance(item, Other):
                score.other_hit += 1
            else:
                score.right_verdicts += 1
        if isinstance(item, Other):
            # a rule flagging an expected other change where the truth expects nothing: noise
            for rule in sorted(got - {r for r, v in item.expect.items() if v != "ok"}):
                score.no_hotfix.append({"rule": rule, "commit": sha, "message": messages[(sha, rule)]})
        else:
            for rule in sorted(got - set(item.expect)):
                # a rule the truth did not judge: neither right nor wrong, but shown in --details
                score.errors.append(f"unjudged {rule} on {sha[:10]}: {messages[(sha, rule)][:100]}")


def inferred_policy(repo: Path) -> str | None:
    """The policy ``hotfix-lint init`` writes for ``repo`` (``None`` when it fails)."""
    argv = [sys.executable, "-m", "hotfix_lint", "init", "--repo", str(repo), "--stdout"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return done.stdout if done.returncode == 0 and done.stdout.strip() else None


def evaluate(truth: Truth, folder: Path, inferred: bool = False) -> Score:
    result = Score(truth.name)
    mirror = find_mirror(folder, truth.repository)
    if mirror is None:
        result.note = "skipped: no mirror"
        return result
    result.mirror = f"{mirror} ({size_of(mirror) / 2**20:.0f} MiB)"
    with tempfile.TemporaryDirectory(prefix="real-repos-") as tmp:
        policy = Path(tmp) / ".hotfix-lint.yaml"
        policy.write_text(yaml.safe_dump(truth.policy, sort_keys=False), encoding="utf-8")
        repo = mirror
        hotfixes = run_tool("hotfixes", repo, policy, truth.now)
        if not opens_directly(hotfixes):
            repo = shim(mirror, Path(tmp) / "shim.git")
            result.note = "mirror without config: opened through a shim"
        if inferred:
            text = inferred_policy(repo)
            if text is None:
                result.errors.append("init failed: no inferred policy")
                return result
            policy.write_text(text, encoding="utf-8")
            result.note = (result.note + "; " if result.note else "") + "policy inferred by init"
        if inferred or repo != mirror:
            hotfixes = run_tool("hotfixes", repo, policy, truth.now)
        check = run_tool("check", repo, policy, truth.now)
        result.seconds_hotfixes, result.seconds_check = hotfixes.seconds, check.seconds
        for name, run in (("hotfixes", hotfixes), ("check", check)):
            if run.data is None:
                result.errors.append(f"{name} exited {run.rc}: {run.stderr[-300:]}")
        score(truth, mirror, hotfixes, check, Commits(repo), result)
    return result


# --------------------------------------------------------------------------- report


COLUMNS = (
    ("repository", 30),
    ("truth", 5),
    ("found", 5),
    ("missed", 6),
    ("listed", 6),
    ("extra", 5),
    ("outside", 7),
    ("false err", 9),
    ("missed viol", 11),
    ("right", 5),
    ("no-hotfix", 9),
    ("outside f", 9),
    ("hotfixes s", 10),
    ("check s", 7),
)


def table(scores: list[Score]) -> str:
    lines = ["  ".join(name.ljust(width) if i == 0 else name.rjust(width) for i, (name, width) in enumerate(COLUMNS))]
    totals = Counter[str]()
    for s in scores:
        if s.note.startswith("skipped"):
            lines.append(f"{s.repository.ljust(30)}  ({s.note})")
            continue
        values = (
            s.truth,
            s.found,
            len(s.missed),
            s.listed,
            len(s.extra),
            len(s.outside),
            len(s.false_errors),
            len(s.missed_violations),
            s.right_verdicts + s.other_hit,
            len(s.no_hotfix),
            s.outside_findings,
        )
        for (name, _), value in zip(COLUMNS[1:], values, strict=False):
            totals[name] += value
        cells = [s.repository.ljust(30), *(str(v).rjust(w) for v, (_, w) in zip(values, COLUMNS[1:], strict=False))]
        cells += [f"{s.seconds_hotfixes:.1f}".rjust(10), f"{s.seconds_check:.1f}".rjust(7)]
        lines.append("  ".join(cells))
    cells = ["total".ljust(30), *(str(totals[n]).rjust(w) for n, w in COLUMNS[1:-2])]
    lines.append("  ".join(cells))
    return "\n".join(lines)


def details(s: Score) -> str:
    out = [f"== {s.repository}  {s.mirror}  {s.note}".rstrip()]
    out += [f"  error: {e}" for e in s.errors if not e.startswith("unjudged")]
    out += [f"  missed   {x.commit[:10]} {x.branch} ({x.via})" for x in s.missed]
    for row in s.extra:
        out.append(
            f"  extra    {(row.get('commit') or '?')[:10]} {row.get('merged_at')} {row.get('reached_via')}: "
            f"{str(row.get('branch'))[:70]} [truth: {row.get('truth_class')}]"
        )
    for landing, rule, message in s.false_errors:
        out.append(f"  false    {landing.commit[:10]} {rule}: {message[:150]}")
    for item, rule in s.missed_violations:
        out.append(f"  missed-v {item.commit[:10]} {rule}: {item.why[:150]}")
    by_rule = Counter(v["rule"] for v in s.no_hotfix)
    for rule, count in by_rule.most_common():
        first = next(v for v in s.no_hotfix if v["rule"] == rule)
        out.append(f"  no-hotfix {count:4} {rule}, e.g. {(first.get('commit') or '?')[:10]}: {first['message'][:120]}")
    out += [f"  {e}" for e in s.errors if e.startswith("unjudged")]
    return "\n".join(out)


def as_json(s: Score) -> dict[str, Any]:
    return {
        "repository": s.repository,
        "note": s.note,
        "truth": s.truth,
        "found": s.found,
        "missed": [x.commit for x in s.missed],
        "listed": s.listed,
        "extra": [r.get("commit") for r in s.extra],
        "outside": len(s.outside),
        "false_errors": [[x.commit, rule] for x, rule, _ in s.false_errors],
        "missed_violations": [[x.commit, rule] for x, rule in s.missed_violations],
        "right_verdicts": s.right_verdicts + s.other_hit,
        "no_hotfix_findings": [[v.get("commit"), v["rule"]] for v in s.no_hotfix],
        "outside_findings": s.outside_findings,
        "seconds": {"hotfixes": round(s.seconds_hotfixes, 2), "check": round(s.seconds_check, 2)},
        "errors": s.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirrors", type=Path, help="folder of bare mirrors (such as /work/.mirror)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of truth files")
    parser.add_argument("--only", action="append", default=[], help="OWNER/NAME to run (repeatable)")
    parser.add_argument("--details", action="store_true", help="list every missed, extra and wrong row")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    parser.add_argument(
        "--inferred", action="store_true", help="use the policy `hotfix-lint init` infers instead of the truth's"
    )
    args = parser.parse_args(argv)

    truths = [load_truth(p) for p in sorted(args.corpus.glob("*.yaml"))]
    if args.only:
        truths = [t for t in truths if t.repository in args.only or t.name in args.only]
    scores = []
    for truth in truths:
        print(f"{truth.name} ...", file=sys.stderr, flush=True)
        scores.append(evaluate(truth, args.mirrors, inferred=args.inferred))
    print(table(scores))
    notes = [f"{s.repository}: {s.note}" for s in scores if s.note and not s.note.startswith("skipped")]
    if notes:
        print("\n" + "\n".join(notes))
    if args.details:
        for s in scores:
            if not s.note.startswith("skipped"):
                print("\n" + details(s))
    if args.json:
        args.json.write_text(json.dumps([as_json(s) for s in scores], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
