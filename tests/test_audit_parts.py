"""The audit's parts on their own: shards, selection, the fact cache, conditional requests,
mirrors and tokens, baseline keys, merging, the progress bar and the reports' escaping."""

from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from github_server import GitHubServer
from hostile import TERMINAL, WORKFLOW, assert_inert
from scenario import Scenario, build_gitflow, land_hotfix

from hotfix_lint.audit.baseline import compare_entry, finding_key
from hotfix_lint.audit.factcodec import CodecError, decode_facts, encode_facts
from hotfix_lint.audit.merge import merge_reports
from hotfix_lint.audit.model import (
    FAILED,
    OK,
    SKIPPED,
    AuditReport,
    RepoEntry,
    from_dict,
    summarize,
    to_dict,
    worst_first,
)
from hotfix_lint.audit.progress import ProgressBar, wanted
from hotfix_lint.audit.selection import Target, matches, read_repos_file, select
from hotfix_lint.audit.sharding import Shard, parse_shard, shard_of
from hotfix_lint.audit.state import AuditCache, RepoState, host_directory
from hotfix_lint.collect.git.mirror import token_allowed
from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
from hotfix_lint.errors import UserError

# -- shards ------------------------------------------------------------------------------------


def test_shards_split_names_stably_and_evenly() -> None:
    names = [f"org-{n % 7}/repository-{n}" for n in range(3000)]
    for count in (1, 2, 5, 16):
        shards = [shard_of(name, count) for name in names]
        assert set(shards) <= set(range(1, count + 1))
        sizes = Counter(shards)
        assert min(sizes.values()) > len(names) / count * 0.8, sizes
        for k in range(1, count + 1):
            held = [n for n in names if Shard(k, count).holds(n)]
            assert len(held) == sizes[k]
    assert shard_of("Octo/App", 8) == shard_of("octo/app", 8), "GitHub names are case-insensitive"
    # the same on every machine and run (a digest, not Python's salted hash)
    assert [shard_of(f"octo/r{n}", 4) for n in range(8)] == [shard_of(f"octo/r{n}", 4) for n in range(8)]
    assert shard_of("octo/app", 4) == int.from_bytes(__import__("hashlib").sha256(b"octo/app").digest()[:8]) % 4 + 1


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", ""])
def test_bad_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(UserError, match="--shard"):
        parse_shard(text)


def test_a_shard_parses() -> None:
    assert parse_shard(" 2 / 8 ") == Shard(2, 8)
    assert str(Shard(2, 8)) == "2/8"


# -- selection ----------------------------------------------------------------------------------


def test_globs_match_the_name_or_the_full_name() -> None:
    assert matches("octo/svc-api", ["svc-*"])
    assert matches("Octo/SVC-api", ["octo/svc-*"])
    assert not matches("octo/lib-api", ["svc-*"])
    assert not matches("other/svc-api", ["octo/*"])
    kept = select(
        [Target("octo/svc-a"), Target("octo/lib-b"), Target("OCTO/SVC-A"), Target("octo/svc-c")],
        include=["svc-*"],
        exclude=["*-c"],
    )
    assert [t.full_name for t in kept] == ["octo/svc-a"]


def test_a_repository_file_reports_every_bad_line(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text("octo/a\nnot a name\n\n# comment\nocto/b.git\n../etc\nocto/..\n")
    with pytest.raises(UserError) as caught:
        read_repos_file(listing)
    message = str(caught.value)
    assert f"{listing}:2: expected OWNER/NAME" in message
    assert f"{listing}:6:" in message and f"{listing}:7:" in message
    listing.write_text("octo/a  # first\nocto/b.git\n")
    assert read_repos_file(listing) == ["octo/a", "octo/b"]
    with pytest.raises(UserError, match="--repos"):
        read_repos_file(tmp_path / "missing.txt")


# -- the cache ----------------------------------------------------------------------------------


def test_cache_paths_stay_inside_the_cache(tmp_path: Path) -> None:
    cache = AuditCache(tmp_path, "https://ghe.example.com/api/v3")
    assert cache.mirror_path("Octo/App") == tmp_path / "ghe.example.com" / "mirrors" / "octo" / "app.git"
    assert host_directory(None) == "api.github.com"
    assert host_directory("http://127.0.0.1:8080") == "127.0.0.1_8080"
    for bad in ("../x", "octo/..", "octo/a/b", "octo"):
        with pytest.raises(ValueError):
            cache.state_path(bad)


def test_a_state_file_that_does_not_parse_is_a_fresh_start(tmp_path: Path) -> None:
    cache = AuditCache(tmp_path, None)
    cache.state_path("octo/app").parent.mkdir(parents=True)
    cache.state_path("octo/app").write_text("{not json")
    assert cache.load("octo/app") == RepoState()
    state = RepoState(pushed_at="2025-01-01T00:00:00Z", policy_file=(".hotfix-lint.yaml", "x: 1\n"), policy_read=True)
    cache.save("octo/app", state)
    assert cache.load("octo/app") == state
    assert not [p for p in cache.state_path("octo/app").parent.iterdir() if p.name.startswith(".")], "no scratch left"


def test_facts_survive_the_cache_exactly(scenario: Any) -> None:
    """Every fact kind the rules read, from a real history, cached and read back to equal records."""
    from hotfix_lint.collect.gather import gather
    from hotfix_lint.facts.kinds import GITHUB_KINDS
    from hotfix_lint.policy.loader import load_pack
    from hotfix_lint.rules.registry import ALL_RULES

    repo = build_gitflow(scenario("facts"))
    land_hotfix(repo, "hotfix/fix-crash", how="squash")
    land_hotfix(repo, "hotfix/fix-more", version="1.0.3", back_merge=None)
    repo.branch("prod/hotfix/2025-02-01_fix")
    kinds = frozenset(k for rule in ALL_RULES for k in rule.requires) - GITHUB_KINDS
    for pack in ("default", "github-flow-hotfix", "ibm-jazz", "gaia-gateway", "compactconnect"):  # main, not master
        facts = gather(repo.path, load_pack(pack), kinds, branch=None, since=None, now=1_760_000_000)
        assert decode_facts(encode_facts(facts)) == facts, pack


class Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        import os

        return (os.system, ("echo pwned",))


def test_a_fact_cache_names_no_other_code() -> None:
    import pickle

    from hotfix_lint.audit.factcodec import facts_schema
    from hotfix_lint.facts import RepositoryFacts
    from hotfix_lint.facts.refs import TagFact
    from hotfix_lint.results import Severity

    head = b"hotfix-lint facts 1\n" + facts_schema().encode() + b"\n"
    for payload in (Evil(), Severity.ERROR, {"a": TagFact("v1", "x", False)}, Path("/")):
        with pytest.raises(CodecError):
            decode_facts(head + pickle.dumps(payload))
    good = encode_facts(RepositoryFacts("r", 1))
    assert decode_facts(good) == RepositoryFacts("r", 1)
    with pytest.raises(CodecError, match="other fact records"):
        decode_facts(good.replace(facts_schema().encode(), b"0" * 64))
    for bad in (None, b"", b"{}", good[:-5]):
        with pytest.raises(CodecError):
            decode_facts(bad)


# -- conditional requests -----------------------------------------------------------------------


def test_a_304_is_the_stored_answer_and_is_not_counted(github_server: GitHubServer, tmp_path: Path) -> None:
    from hotfix_lint.collect.github.org import GitHubReader

    github_server.state.add_org("octo")
    for n in range(3):
        github_server.state.add_repo(f"octo/r{n}")
    store = HttpCache(tmp_path / "http")
    meter = ApiMeter()
    with GitHubReader(github_server.url, "t", store=store, meter=meter, page_size=2) as reader:
        first = reader.organisation_repositories("octo")
    assert [r.full_name for r in first] == ["octo/r0", "octo/r1", "octo/r2"]
    assert (meter.requests, meter.not_modified, meter.remaining, meter.limit) == (2, 0, 4998, 5000)
    again = HttpCache(tmp_path / "http")  # another run: the answers are on disk
    with GitHubReader(github_server.url, "t", store=again, meter=meter, page_size=2) as reader:
        second = reader.organisation_repositories("octo")
    assert second == first
    assert (meter.requests, meter.not_modified, meter.counted) == (4, 2, 2)
    assert meter.remaining == 4998  # the hourly budget GitHub reports: 304s are not counted
    assert [r.status for r in github_server.requests[-2:]] == [304, 304]
    assert all("if-none-match" in r.headers for r in github_server.requests[-2:])
    github_server.state.add_repo("octo/r3")
    with GitHubReader(github_server.url, "t", store=again, meter=meter, page_size=2) as reader:
        third = reader.organisation_repositories("octo")
    assert [r.full_name for r in third][-1] == "octo/r3"


def test_the_github_fact_collector_asks_conditionally_too(github_server: GitHubServer, tmp_path: Path) -> None:
    from hotfix_lint.collect.github.collector import collect_github

    github_server.state.add_repo("octo/app", branches=["develop"])
    github_server.state.protect_branch("octo/app", "main")
    github_server.state.protect_branch("octo/app", "develop")  # a 404 has no ETag: asked in full every time
    store = HttpCache(tmp_path / "http")
    first = collect_github("octo/app", "t", github_server.url, ["main", "develop"], None, etags=store)
    github_server.clear_requests()
    second = collect_github(
        "octo/app", "t", github_server.url, ["main", "develop"], None, etags=HttpCache(tmp_path / "http")
    )
    assert second == first
    assert github_server.requests and {r.status for r in github_server.requests} == {304}


# -- mirrors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clone", "api", "allowed"),
    [
        ("https://github.com/octo/app.git", None, True),
        ("https://github.com/octo/app.git", "https://api.github.com", True),
        ("http://github.com/octo/app.git", None, False),
        ("https://evil.example/octo/app.git", None, False),
        ("https://ghe.example.com/octo/app.git", "https://ghe.example.com/api/v3", True),
        ("https://other.example.com/octo/app.git", "https://ghe.example.com/api/v3", False),
        ("https://tenant.ghe.com/octo/app.git", "https://api.tenant.ghe.com", True),
        ("http://127.0.0.1:8080/octo/app.git", "http://127.0.0.1:8080", True),
        ("git@github.com:octo/app.git", None, False),
    ],
)
def test_the_token_goes_only_to_the_api_host(clone: str, api: str | None, allowed: bool) -> None:
    assert token_allowed(clone, api) is allowed


def test_a_mirror_is_cloned_once_then_fetched_and_pruned(scenario: Any, tmp_path: Path) -> None:
    import pygit2

    from hotfix_lint.collect.git.mirror import sync_mirror

    source: Scenario = build_gitflow(scenario("source"))
    url = source.path.resolve().as_uri()
    mirror = tmp_path / "cache" / "octo" / "app.git"
    assert sync_mirror(url, mirror, default_branch="main").action == "cloned"
    repo = pygit2.Repository(str(mirror))
    assert repo.is_bare
    assert sorted(r for r in repo.references if r.startswith("refs/heads/")) == [
        "refs/heads/develop",
        "refs/heads/feature/export",
        "refs/heads/feature/search",
        "refs/heads/hotfix/fix-login-timeout",
        "refs/heads/main",
    ]
    assert "refs/tags/v1.0.1" in repo.references
    assert repo.references["HEAD"].target == "refs/heads/main"
    source.delete_branch("feature/export")
    land_hotfix(source, "hotfix/fix-crash")
    synced = sync_mirror(url, mirror, default_branch="main")
    assert synced.action == "fetched" and synced.received_objects > 0
    repo = pygit2.Repository(str(mirror))
    assert "refs/heads/feature/export" not in repo.references, "pruned"
    assert str(repo.references["refs/heads/main"].target) == source.rev("main")


def test_a_damaged_mirror_is_cloned_again(scenario: Any, tmp_path: Path) -> None:
    from hotfix_lint.collect.git.mirror import sync_mirror

    source: Scenario = build_gitflow(scenario("source"))
    mirror = tmp_path / "cache" / "octo" / "app.git"
    sync_mirror(source.path.resolve().as_uri(), mirror)
    (mirror / "objects").rename(tmp_path / "lost-objects")
    (mirror / "config").write_text("[core\n")
    assert sync_mirror(source.path.resolve().as_uri(), mirror).action == "cloned"


def test_a_failed_clone_leaves_nothing_in_the_cache(tmp_path: Path) -> None:
    from hotfix_lint.collect.git.mirror import MirrorError, sync_mirror

    mirror = tmp_path / "cache" / "octo" / "app.git"
    with pytest.raises(MirrorError):
        sync_mirror((tmp_path / "nowhere").as_uri(), mirror)
    assert not mirror.exists()
    assert list(mirror.parent.iterdir()) == []


# -- reports ------------------------------------------------------------------------------------


def violation(rule: str, message: str, severity: str = "error", **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "severity": severity,
        "message": message,
        "ref": extra.get("ref", "main"),
        "commit": extra.get("commit", "a" * 40),
        "path": None,
        "line": None,
        "hint": extra.get("hint"),
        "waived": extra.get("waived", False),
        "kind": "violation",
        "waiver_reason": None,
    }


def check_report(name: str, *violations: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "tool": {"name": "hotfix-lint", "version": "0"},
        "repository": name,
        "policy": "pack:default",
        "summary": {"errors": 0, "warnings": 0, "waived": 0, "rules_run": []},
        "violations": list(violations),
        "notes": [],
    }


def audit(*entries: RepoEntry, **source: Any) -> AuditReport:
    return AuditReport("hotfix-lint", "0", "2026-01-01T00:00:00Z", tuple(entries), source)


def test_finding_keys_ignore_numbers_but_not_places() -> None:
    a = violation("back-merge", "pending for 3 days (develop)")
    assert finding_key(a) == finding_key(violation("back-merge", "pending for 40 days (develop)"))
    assert finding_key(a) != finding_key(violation("back-merge", "pending for 3 days (develop)", ref="support/1"))
    assert finding_key(a) != finding_key(violation("merge-commit", "pending for 3 days (develop)"))


def test_drift_counts_duplicates_one_for_one() -> None:
    same = violation("merge-commit", "squash")
    before = RepoEntry("octo/a", OK, report=check_report("octo/a", same, same, violation("back-merge", "x")))
    now = RepoEntry("octo/a", OK, report=check_report("octo/a", same, violation("branch-name", "y")))
    drift = compare_entry(now, before).drift
    assert drift is not None
    assert drift.marks == ("unchanged", "new")
    assert sorted(v["rule"] for v in drift.resolved) == ["back-merge", "merge-commit"]
    failed_now = compare_entry(RepoEntry("octo/a", FAILED, error="x"), before).drift
    assert failed_now is not None and failed_now.resolved == () and failed_now.previous == OK
    fresh = compare_entry(now, None).drift
    assert fresh is not None and fresh.marks == ("new", "new") and fresh.previous is None


def test_the_json_report_reads_back_to_the_same_report() -> None:
    entries = (
        RepoEntry("octo/b", OK, report=check_report("octo/b", violation("merge-commit", "m")), history="cloned"),
        RepoEntry("octo/a", FAILED, error="could not clone"),
        RepoEntry("octo/c", SKIPPED, error="archived"),
    )
    report = audit(*entries, orgs=["octo"])
    data = json.loads(json.dumps(to_dict(report)))
    assert [e["repository"] for e in data["repositories"]] == ["octo/a", "octo/b", "octo/c"]
    assert to_dict(from_dict(data)) == data
    assert [e.repository for e in worst_first(report.repositories)] == ["octo/a", "octo/b", "octo/c"]


def test_merging_names_what_overlaps_and_what_is_missing() -> None:
    a = audit(RepoEntry("octo/a", OK, report=check_report("octo/a")), shard="1/3", orgs=["octo"])
    b = audit(
        RepoEntry("octo/a", FAILED, error="x"), RepoEntry("octo/b", OK, report=check_report("octo/b")), shard="3/3"
    )
    merged = merge_reports([("a.json", a), ("b.json", b)])
    assert [(e.repository, e.status) for e in merged.repositories] == [("octo/a", OK), ("octo/b", OK)]
    assert "octo/a is in a.json and b.json: kept the entry of a.json" in merged.notes
    assert "shard 2/3 missing: their repositories are not in this report" in merged.notes
    assert merged.source["shards"] == ["1/3", "3/3"] and merged.source["shard"] is None
    assert summarize(merged)["repositories"] == 2


def test_reports_escape_what_repositories_say() -> None:
    from hotfix_lint.cli.audit import render

    nasty = "<img src=x onerror=alert(1)> | *bold* [link](http://x)\n::error::injected\x1b[31m"
    report = audit(
        RepoEntry("octo/a", OK, report=check_report("octo/a", violation("merge-commit", nasty, hint=nasty, ref=nasty))),
        RepoEntry("octo/b", FAILED, error=nasty),
    )
    html = io.StringIO()
    render(report, "html", html)
    assert "<img" not in html.getvalue() and "&lt;img src=x onerror=alert(1)&gt;" in html.getvalue()
    markdown = io.StringIO()
    render(report, "markdown", markdown)
    assert "<img" not in markdown.getvalue() and "\\[link\\]" in markdown.getvalue()
    text = io.StringIO()
    render(report, "text", text)
    assert not any(line.startswith("::") for line in text.getvalue().splitlines())
    assert "\x1b" not in text.getvalue()


# -- progress -----------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_for_terminals_outside_ci() -> None:
    assert wanted(Terminal(), {})
    assert not wanted(Terminal(), {"CI": "true"})
    assert wanted(Terminal(), {"CI": "false"})
    assert not wanted(io.StringIO(), {})


def test_the_progress_bar_shows_repositories_violations_and_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    meter = ApiMeter()
    meter.record(200, {"X-RateLimit-Remaining": "4321", "X-RateLimit-Limit": "5000"})
    stream = Terminal()
    clock = iter([0.0, 20.0, 20.0, 30.0, 30.0]).__next__
    bar = ProgressBar(3, stream, meter, interval=0, clock=clock)
    bar.update(RepoEntry("octo/a", OK, report=check_report("octo/a", violation("merge-commit", "m"))))
    bar.update(RepoEntry("octo/b", FAILED, error="x"))
    bar.close()
    shown = stream.getvalue()
    assert "1/3 repositories · 1 errors, 0 warnings · 3 repositories/min · about 40 s left · API 4321/5000" in shown
    assert "2/3 repositories · 1 errors, 0 warnings · 1 failed · 4 repositories/min · about 15 s left" in shown
    assert shown.endswith("\r")


def test_progress_in_ci_is_a_line_every_30_seconds() -> None:
    """Not a terminal (a CI log): a plain line only once 30 s have passed since the last."""
    times = [0.0, 10.0, 31.0, 31.0, 45.0, 62.0, 62.0]  # each update, and each line shown, reads it
    stream = io.StringIO()
    bar = ProgressBar(100, stream, logged=True, clock=iter(times).__next__)
    bar._stop.set()  # the test's clock is the only one: no timer
    for name in ("a", "b", "c", "d"):
        bar.update(RepoEntry(f"octo/{name}", OK, report=check_report(f"octo/{name}")))
    bar.close()
    lines = stream.getvalue().splitlines()
    assert [line.split(" · ")[0] for line in lines] == [
        "[........................] 2/100 repositories",
        "[........................] 4/100 repositories",
    ]
    assert "4 repositories/min" in lines[0] and "\r" not in stream.getvalue()


def test_merge_reports_shows_what_report_files_say_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hotfix_lint.cli import main

    hostile = f"{WORKFLOW}\n::warning::on a new line\r{TERMINAL}"
    name = f"octo/x{hostile}"  # a report file can say anything
    rule = f"merge-commit{hostile}"
    entry = RepoEntry(name, OK, report=check_report(name, violation(rule, hostile, hint=hostile, ref=hostile)))
    shards = []
    for n in (1, 2):  # the same repository in both: a warning on stderr names it
        report = audit(entry, RepoEntry(f"octo/f{n}", FAILED, error=hostile), baseline=hostile, orgs=[hostile])
        report = replace(report, notes=(hostile,), tool_version=hostile)
        shards.append(tmp_path / f"shard{n}.json")
        shards[-1].write_text(json.dumps(to_dict(report)), encoding="utf-8")
    files = {fmt: tmp_path / f"merged.{fmt}" for fmt in ("json", "html", "markdown")}
    formats = [arg for fmt, path in files.items() for arg in ("--format", f"{fmt}={path}")]
    capsys.readouterr()
    assert main(["merge-reports", *map(str, shards), *formats, "--format", "text"]) == 3
    out, err = capsys.readouterr()
    assert "octo/x" in out and " is in shard1.json and shard2.json" in err
    for text in (out, err, *(path.read_text() for path in files.values())):
        assert_inert(text)
    merged = json.loads(files["json"].read_text())
    assert name in [e["repository"] for e in merged["repositories"]]  # exact to a JSON reader
