"""``hotfix-lint audit`` against an organisation on the loopback GitHub whose repositories are
real git repositories cloned over HTTP: known violations found exactly, failures isolated,
the warm cache, sharding and merge-reports, drift against a baseline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from audit_org import ORG, TOKEN, Org, compliant_settings, land_squash, land_without_back_merge
from hostile import TERMINAL, TERMINAL_BRANCH, WORKFLOW, assert_inert
from scenario import land_hotfix

from hotfix_lint.collect.github.conditional import HttpCache

#: the REST path alone (conditional requests, kept facts): what these tests are about
REST = ("--github-api", "rest")

pytestmark = pytest.mark.slow

#: what each repository of :func:`known_org` breaks, and nothing else
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "octo/clean": set(),
    "octo/squashed": {("merge-commit", "error")},
    "octo/no-back-merge": {("back-merge", "error")},
    "octo/open-merges": {("merge-methods", "error")},
    "octo/own-policy": {("branch-name", "error")},
}


def known_org(org: Org) -> None:
    """Five audited repositories with known violations, one archived, one that cannot be cloned."""
    org.publish("clean", org.gitflow("clean"))
    org.publish("squashed", land_squash(org.gitflow("squashed")))
    org.publish("no-back-merge", land_without_back_merge(org.gitflow("nbm")))
    org.publish("open-merges", org.gitflow("om"), allow_squash_merge=True)
    # its own policy (read through the API) names hotfix branches fix/{slug}: hotfix/... is wrong
    org.publish("own-policy", org.gitflow("op"), policy={"extends": "default", "hotfix_branch": "fix/{slug}"})
    org.publish("archived", land_squash(org.gitflow("ar")), archived=True)
    org.publish("broken", org.gitflow("br"))
    org.break_clone("broken")


def test_an_audit_finds_exactly_the_known_violations(org: Org) -> None:
    known_org(org)
    run = org.audit("--org", ORG)
    assert run.found() == EXPECTED
    assert run.entry("octo/archived")["status"] == "skipped"
    assert run.entry("octo/archived")["report"] is None
    broken = run.entry("octo/broken")
    assert broken["status"] == "failed"
    assert "could not clone or fetch" in broken["error"] and "404" in broken["error"]
    assert run.entry("octo/own-policy")["policy"] == "repository .hotfix-lint.yaml"
    assert run.entry("octo/own-policy")["report"]["policy"] == "octo/own-policy:.hotfix-lint.yaml"
    assert run.entry("octo/clean")["policy"] == "pack:default"
    assert {e["history"] for e in run.report["repositories"] if e["status"] == "ok"} == {"cloned"}
    assert run.status == 3, "a repository failed: the audit is incomplete"
    summary = run.report["summary"]
    assert (summary["repositories"], summary["ok"], summary["failed"], summary["skipped"]) == (7, 5, 1, 1)
    assert summary["errors"] == 4 and summary["with_errors"] == 4 and summary["clean"] == 1
    assert summary["rules"]["merge-commit"] == {"errors": 1, "warnings": 0, "waived": 0, "repositories": 1}
    # each entry's report is the check's JSON contract
    check_keys = {"version", "tool", "repository", "policy", "summary", "violations", "notes"}
    assert set(run.entry("octo/squashed")["report"]) == check_keys
    assert run.entry("octo/squashed")["report"]["repository"] == "octo/squashed"
    assert TOKEN not in run.everything
    # the clone used the token: the server asked (401), then accepted it
    assert any(r.authenticated and r.status == 200 for r in org.server.git_requests)


def test_without_failures_the_exit_status_says_whether_errors_were_found(org: Org) -> None:
    org.publish("clean", org.gitflow("clean"))
    assert org.audit("--org", ORG).status == 0
    org.publish("squashed", land_squash(org.gitflow("squashed")))
    assert org.audit("--org", ORG).status == 1


def test_a_repository_that_fails_mid_audit_does_not_stop_the_others(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    import hotfix_lint.audit.runner as runner

    for name in ("a-first", "b-unclonable", "c-bad-policy", "d-bug", "e-gone", "f-last"):
        policy = {"extends": "default", "rules": {"merge-comit": "error"}} if name == "c-bad-policy" else None
        org.publish(name, land_squash(org.gitflow(name)), policy=policy)
    org.break_clone("b-unclonable")
    org.state.fail("/repos/octo/e-gone/contents", 403, "Resource not accessible by integration")
    real_check = runner._check

    def buggy(info: Any, *args: Any, **kwargs: Any) -> Any:
        if info.full_name == "octo/d-bug":
            raise RuntimeError(f"a bug, with the token {TOKEN} in its message")
        return real_check(info, *args, **kwargs)

    monkeypatch.setattr(runner, "_check", buggy)
    run = org.audit("--org", ORG, *REST, "--jobs", "1")
    statuses = {e["repository"]: e["status"] for e in run.report["repositories"]}
    assert statuses == {
        "octo/a-first": "ok",
        "octo/b-unclonable": "failed",
        "octo/c-bad-policy": "failed",
        "octo/d-bug": "failed",
        "octo/e-gone": "failed",
        "octo/f-last": "ok",
    }
    assert run.found() == {"octo/a-first": {("merge-commit", "error")}, "octo/f-last": {("merge-commit", "error")}}
    errors = {e["repository"]: e["error"] for e in run.report["repositories"] if e["error"]}
    assert "could not clone or fetch" in errors["octo/b-unclonable"]
    assert errors["octo/c-bad-policy"].startswith("the policy is broken: octo/c-bad-policy:.hotfix-lint.yaml:")
    assert "RuntimeError: a bug" in errors["octo/d-bug"]
    assert "403" in errors["octo/e-gone"] and "refused" in errors["octo/e-gone"]
    assert TOKEN not in run.everything
    assert run.status == 3
    # in parallel too
    monkeypatch.setattr(runner, "_check", real_check)
    parallel = org.audit("--org", ORG, *REST, "--jobs", "4")
    assert {e["repository"]: e["status"] for e in parallel.report["repositories"]}["octo/d-bug"] == "ok"
    assert parallel.status == 3


def test_a_warm_run_fetches_nothing_and_asks_github_conditionally(org: Org) -> None:
    known_org(org)
    cold = org.audit("--org", ORG, *REST)
    org.server.clear_requests()
    org.server.git_requests.clear()
    warm = org.audit("--org", ORG, *REST)
    assert warm.found() == cold.found() == EXPECTED
    assert {e["repository"]: e["history"] for e in warm.report["repositories"] if e["status"] == "ok"} == dict.fromkeys(
        EXPECTED, "cached"
    )
    assert not [g for g in org.server.git_requests if not g.path.startswith("/octo/broken.git")], "nothing fetched"
    counted = [(r.target, r.status) for r in org.server.requests if r.status != 304]
    # only the failed repository (no cached state) is read again in full
    assert all(target.startswith("/repos/octo/broken/") for target, _ in counted), counted
    assert sum(1 for r in org.server.requests if r.status == 304) >= 5 * 5
    assert not any(r.target.startswith("/repos/octo/own-policy/contents") for r in org.server.requests), (
        "the policy file changes only with a push: not read again"
    )

    # a push to one repository: only it is fetched, its policy file read again; a fixed problem goes
    repo = org.sources["octo/no-back-merge"]
    repo.checkout("develop")
    repo.merge("main")
    repo.checkout("main")
    org.push("octo/no-back-merge")
    org.server.git_requests.clear()
    after = org.audit("--org", ORG, *REST)
    histories = {e["repository"]: e["history"] for e in after.report["repositories"] if e["status"] == "ok"}
    assert histories.pop("octo/no-back-merge") == "fetched"
    assert set(histories.values()) == {"cached"}
    assert after.found()["octo/no-back-merge"] == set()
    assert {g.path.split(".git")[0] for g in org.server.git_requests} <= {"/octo/no-back-merge", "/octo/broken"}


def test_a_clone_or_fetch_whose_connection_drops_is_tried_once_more(org: Org) -> None:
    """libgit2 does not reconnect when a server drops a kept-alive connection ("unexpected
    EOF"): the mirror tries once more, and only once."""
    upload = "/octo/{}.git/git-upload-pack"

    def posts(name: str) -> int:
        return sum(1 for g in org.server.git_requests if g.method == "POST" and g.path == upload.format(name))

    org.publish("dropped-once", org.gitflow("d1"))
    org.publish("dropped-always", org.gitflow("d2"))
    org.publish("server-error-once", org.gitflow("d3"))
    org.state.hang_up(upload.format("dropped-once"), method="POST", times=1)
    org.state.fail(upload.format("server-error-once"), 502, method="POST", times=1)
    always = org.state.hang_up(upload.format("dropped-always"), method="POST", times=None)
    run = org.audit("--org", ORG)
    assert (run.entry("octo/dropped-once")["status"], run.entry("octo/dropped-once")["history"]) == ("ok", "cloned")
    failed = run.entry("octo/dropped-always")
    assert failed["status"] == "failed", failed
    assert failed["error"].startswith("could not clone or fetch: GitError:") and "EOF" in failed["error"]
    assert run.entry("octo/server-error-once")["status"] == "ok"
    assert (posts("dropped-once"), posts("dropped-always"), posts("server-error-once")) == (2, 2, 2), "once more only"

    # a fetch into the kept mirror is tried once more too; a refusal (404) is not
    org.sources["octo/dropped-once"].commit("later work")
    org.push("octo/dropped-once")
    org.state.hang_up(upload.format("dropped-once"), method="POST", times=1)
    org.state.data["errors"].remove(always)
    org.break_clone("dropped-always")
    org.server.git_requests.clear()
    again = org.audit("--org", ORG)
    once = again.entry("octo/dropped-once")
    assert (once["status"], once["history"]) == ("ok", "fetched")
    assert posts("dropped-once") == 2
    assert "404" in again.entry("octo/dropped-always")["error"]
    refs = "/octo/dropped-always.git/info/refs"
    assert sum(1 for g in org.server.git_requests if g.path == refs and g.status == 404) == 1, "a refusal is final"


def test_github_settings_are_read_again_on_a_warm_run(org: Org) -> None:
    """Settings change without a push: the GitHub rules always ask (a 200 when changed)."""
    org.publish("clean", org.gitflow("clean"))
    assert org.audit("--org", ORG).found() == {"octo/clean": set()}
    org.state.repo("octo/clean")["settings"]["allow_rebase_merge"] = True
    warm = org.audit("--org", ORG)
    assert warm.found() == {"octo/clean": {("merge-methods", "error")}}
    assert (warm.entry("octo/clean")["history"], warm.entry("octo/clean")["github"]) == ("cached", "read")


def test_unchanged_github_answers_are_judged_from_the_kept_github_facts(org: Org) -> None:
    """Every GitHub answer a 304: the GitHub facts made of them last time are judged again
    (nothing rebuilt, nothing written); one changed answer: GitHub is read as usual."""
    org.publish("clean", org.gitflow("clean"), policy={"extends": "default"})
    org.publish("open-merges", org.gitflow("om"), allow_squash_merge=True)
    cold = org.audit("--org", ORG, *REST)
    assert {e["repository"]: e["github"] for e in cold.report["repositories"]} == {
        "octo/clean": "read",
        "octo/open-merges": "read",
    }
    state_file = org.cache / f"127.0.0.1_{org.server.port}" / "state" / "octo" / "clean.json"
    state = json.loads(state_file.read_text())
    kept = state["kept_github"]
    answers = HttpCache(state_file.parents[2] / "http").file_cache(TOKEN)  # the answers, in the HTTP cache
    assert kept["urls"] and all(answers.get(url) for url in kept["urls"]) and kept["missing"] == {}
    stored = [p for p in (state_file.parents[2] / "http").rglob("*") if p.is_file()]
    assert stored and not any(TOKEN in p.read_bytes().decode("latin-1") for p in stored)
    written = state_file.stat().st_mtime_ns
    org.server.clear_requests()
    warm = org.audit("--org", ORG, *REST)
    assert warm.found() == cold.found() == {"octo/clean": set(), "octo/open-merges": {("merge-methods", "error")}}
    assert {e["repository"]: (e["history"], e["github"]) for e in warm.report["repositories"]} == dict.fromkeys(
        ("octo/clean", "octo/open-merges"), ("cached", "unchanged")
    )
    asked = [f"{org.server.url}{r.target}" for r in org.server.requests if r.target.startswith("/repos/octo/clean")]
    assert asked == kept["urls"], "each answer the facts were made of, asked once"
    assert {r.status for r in org.server.requests} == {304}
    assert state_file.stat().st_mtime_ns == written, "a run that learnt nothing writes nothing"
    assert json.loads(state_file.read_text()) == state, "the policy file's ETag is kept though it was not read"

    # a setting changed without a push: that repository is read again, the other still is not
    org.state.repo("octo/open-merges")["settings"]["allow_squash_merge"] = False
    changed = org.audit("--org", ORG, *REST)
    assert changed.found() == {"octo/clean": set(), "octo/open-merges": set()}
    assert changed.entry("octo/open-merges")["github"] == "read"
    assert changed.entry("octo/clean")["github"] == "unchanged"
    assert org.audit("--org", ORG, *REST).entry("octo/open-merges")["github"] == "unchanged", "kept again"

    # a push: the policy file is read again, and it has not changed: a 304
    org.sources["octo/clean"].checkout("develop")
    org.sources["octo/clean"].commit("Docs", {"docs/notes.md": "notes\n"})
    org.push("octo/clean")
    org.server.clear_requests()
    pushed = org.audit("--org", ORG, *REST)
    assert pushed.entry("octo/clean")["history"] == "fetched"
    policy_reads = [r.status for r in org.server.requests if r.target == "/repos/octo/clean/contents/.hotfix-lint.yaml"]
    assert policy_reads == [304]

    # kept facts that are not the ones the state names are not used
    kept_facts = state_file.with_name("clean.github.facts")
    kept_facts.write_bytes(kept_facts.read_bytes() + b"x")
    damaged = org.audit("--org", ORG, *REST)
    assert damaged.entry("octo/clean")["github"] == "read"
    assert damaged.found() == {"octo/clean": set(), "octo/open-merges": set()}


def test_github_facts_kept_for_some_rules_are_not_judged_by_others(org: Org, tmp_path: Path) -> None:
    """Facts kept by a ``--rule`` run hold only what those rules read; a run of every rule on
    the same unchanged repository reads GitHub for the rest."""
    org.publish("clean", org.gitflow("clean"))
    org.state.add_pull("octo/clean", head="hotfix/fix-crash", merged_at="2026-01-10T10:00:00Z")  # no review
    both = ("--rule", "merge-methods", "--rule", "pr-review")
    fresh = org.audit("--org", ORG, *REST, *both, cache=tmp_path / "fresh-cache")
    assert fresh.found() == {"octo/clean": {("pr-review", "error")}}
    subset = org.audit("--org", ORG, *REST, "--rule", "merge-methods")
    assert subset.entry("octo/clean")["github"] == "read"
    assert org.audit("--org", ORG, *REST, "--rule", "merge-methods").entry("octo/clean")["github"] == "unchanged"
    after = org.audit("--org", ORG, *REST, *both)
    assert after.entry("octo/clean")["github"] == "read"
    assert after.found() == fresh.found()


def test_a_404_is_recognised_by_its_body_and_a_retried_answer_is_not_kept(org: Org) -> None:
    """An unprotected branch is a 404 without an ETag: the same 404 body again is the same answer."""
    org.publish("unprotected", org.gitflow("up"), compliant=False)
    cold = org.audit("--org", ORG, *REST)
    assert ("branch-protection", "error") in cold.found()["octo/unprotected"]
    warm = org.audit("--org", ORG, *REST)
    entry = warm.entry("octo/unprotected")
    assert (entry["history"], entry["github"]) == ("cached", "unchanged")
    assert warm.found() == cold.found()
    assert any(r.status == 404 for r in org.server.requests), "a 404 costs a request each time"

    # another 404 (the token lost access): not the same answer
    org.state.fail("/repos/octo/unprotected/branches/develop/protection", 404, "Not Found")
    hidden = org.audit("--org", ORG, *REST)
    assert hidden.entry("octo/unprotected")["github"] == "read"
    org.state.data["errors"].clear()

    # protected meanwhile: a 200 instead of the 404
    compliant_settings(org.server, "octo/unprotected")
    protected = org.audit("--org", ORG, *REST)
    assert protected.entry("octo/unprotected")["github"] == "read"
    assert ("branch-protection", "error") not in protected.found()["octo/unprotected"]

    # an answer that needed a second try is not kept: nothing says the next first try is the same
    org.state.fail("/repos/octo/unprotected/branches/main/protection", 502, times=1)
    changed_again = org.state.repo("octo/unprotected")["settings"]
    changed_again["allow_rebase_merge"] = True
    retried = org.audit("--org", ORG, *REST)
    assert retried.entry("octo/unprotected")["github"] == "read"
    assert org.audit("--org", ORG, *REST).entry("octo/unprotected")["github"] == "read", "nothing was kept"
    assert org.audit("--org", ORG, *REST).entry("octo/unprotected")["github"] == "unchanged"


def test_time_moves_on_for_cached_history(org: Org) -> None:
    """Cached facts are judged again as of today: a waiver that expired since is reported."""
    repo = org.gitflow("squashed")
    squash = land_hotfix(repo, how="squash").merge
    assert squash is not None
    waiver = {"rule": "merge-commit", "commit": squash[:10], "reason": "known", "expires": "2026-01-20"}
    org.publish("squashed", repo, policy={"extends": "default", "exceptions": [waiver]})
    first = org.audit("--org", ORG)
    assert first.found() == {"octo/squashed": set()}
    assert first.found(waived=True) == {"octo/squashed": {("merge-commit", "error")}}
    later = org.audit("--org", ORG, "--now", "2026-02-01")
    assert later.entry("octo/squashed")["history"] == "cached"
    assert ("merge-commit", "error") in later.found()["octo/squashed"]


def test_repositories_from_a_file_and_the_command_line_with_globs(org: Org, tmp_path: Path) -> None:
    for name in ("svc-a", "svc-b", "lib-c", "tool-d"):
        org.publish(name, org.gitflow(name))
    listing = tmp_path / "repos.txt"
    listing.write_text("# the services\nocto/svc-a\nOcto/SVC-B  # same name, other case\n\nocto/lib-c\n")
    run = org.audit("--repos", str(listing), "octo/tool-d", "octo/svc-a", "--exclude", "lib-*")
    assert sorted(e["repository"] for e in run.report["repositories"]) == ["octo/svc-a", "octo/svc-b", "octo/tool-d"]
    only = org.audit("--org", ORG, "--include", "octo/svc-*")
    assert sorted(e["repository"] for e in only.report["repositories"]) == ["octo/svc-a", "octo/svc-b"]
    archived = org.audit("--org", ORG, "--include-archived", "--include", "tool-*")
    assert [e["status"] for e in archived.report["repositories"]] == ["ok"]


def test_a_repository_named_that_does_not_exist_is_a_failed_entry(org: Org) -> None:
    org.publish("clean", org.gitflow("clean"))
    run = org.audit("octo/clean", "octo/missing")
    assert run.entry("octo/missing")["status"] == "failed"
    assert "not found, or hidden from this token" in run.entry("octo/missing")["error"]
    assert run.entry("octo/clean")["status"] == "ok"
    assert run.status == 3


def test_an_organisation_that_cannot_be_listed_exits_3(org: Org) -> None:
    run = org.audit("--org", "nobody")
    assert run.status == 3
    assert "--org nobody: organisation 'nobody' not found" in run.stderr


def test_what_github_says_when_a_listing_fails_is_shown_inert(org: Org) -> None:
    org.state.fail(f"/orgs/{ORG}/repos", 422, message=f"denied\n{WORKFLOW}\r{TERMINAL}")
    run = org.audit("--org", ORG)
    assert run.status == 3
    assert "denied ::error::pwned" in run.stderr
    assert_inert(run.stderr)


def test_an_empty_repository_is_audited_with_nothing_to_say(org: Org) -> None:
    empty = org.scenario("empty")
    org.publish("empty", empty)
    run = org.audit("--org", ORG)
    assert run.found() == {"octo/empty": set()}, json.dumps(run.entry("octo/empty"), indent=1)
    assert run.status == 0


def test_no_repository_policy_uses_the_organisation_policy(org: Org, tmp_path: Path) -> None:
    org.publish("own-policy", org.gitflow("op"), policy={"extends": "default", "hotfix_branch": "fix/{slug}"})
    org_policy = tmp_path / "org.yaml"
    org_policy.write_text("extends: default\nrules:\n  merge-methods: off\n")
    run = org.audit("--org", ORG, "--no-repo-policy", "--policy", str(org_policy))
    assert run.found() == {"octo/own-policy": set()}
    assert run.entry("octo/own-policy")["policy"] == f"--policy {org_policy}"


def test_github_enterprise_under_api_v3(
    github_enterprise_server: Any, scenario: Any, tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ghe = Org(github_enterprise_server, scenario, tmp_path, capsys, monkeypatch)
    ghe.publish("squashed", land_squash(ghe.gitflow("squashed")))
    assert ghe.server.url.endswith("/api/v3")
    run = ghe.audit("--org", ORG)
    assert run.found() == {"octo/squashed": {("merge-commit", "error")}}


# -- usage ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the repositories"),
        (("octo/a", "--shard", "4/3"), "--shard: K must be between 1 and N"),
        (("octo/a", "--shard", "two"), "--shard: expected K/N"),
        (("not-a-name",), "expected OWNER/NAME"),
        (("octo/a", "--jobs", "0"), "--jobs: expected at least 1"),
        (("octo/a", "--lock-timeout", "-1"), "--lock-timeout: expected seconds (0 or more), got -1"),
        (("octo/a", "--lock-timeout", "nan"), "--lock-timeout: expected seconds (0 or more), got nan"),
        (("octo/a", "--format", "json", "--format", "html"), "json and html would both go to standard output"),
        (("octo/a", "--format", "pdf"), "unknown format 'pdf'"),
        (("octo/a", "--format", "json=a.json", "--output", "b"), "every --format already names its file"),
        (("octo/a", "--rule", "merge-comit"), "unknown rule 'merge-comit'"),
        (("octo/a", "--token-env", "NO_SUCH_VARIABLE_SET"), "the variable NO_SUCH_VARIABLE_SET is not set"),
    ],
)
def test_usage_errors_exit_2(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from hotfix_lint.cli import main

    status = main(["audit", "--cache", str(tmp_path), *args])
    assert status == 2
    assert message in capsys.readouterr().err


def test_a_broken_organisation_policy_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from hotfix_lint.cli import main

    bad = tmp_path / "org.yaml"
    bad.write_text("extends: default\nrules:\n  merge-comit: error\n")
    assert main(["audit", "--cache", str(tmp_path), "--policy", str(bad), "octo/a"]) == 2
    assert "did you mean 'merge-commit'" in capsys.readouterr().err


# -- sharding and merge-reports -----------------------------------------------------------------


def test_shards_cover_every_repository_once_and_merge_to_the_unsharded_report(org: Org, tmp_path: Path) -> None:
    from hotfix_lint.cli import main

    known_org(org)
    for n in range(6):
        org.publish(f"extra-{n}", land_squash(org.gitflow(f"extra{n}")) if n % 2 else org.gitflow(f"extra{n}"))
    whole = org.audit("--org", ORG)
    names = [e["repository"] for e in whole.report["repositories"]]
    shard_files = []
    seen: list[str] = []
    for k in (1, 2, 3):
        part = org.audit("--org", ORG, "--shard", f"{k}/3", cache=tmp_path / "shards-cache")
        assert part.report["source"]["shard"] == f"{k}/3"
        seen += [e["repository"] for e in part.report["repositories"]]
        path = tmp_path / f"shard-{k}.json"
        path.write_text(part.written)
        shard_files.append(str(path))
    assert sorted(seen) == sorted(names), "every repository in exactly one shard"
    assert len(seen) == len(set(seen))

    merged_path = tmp_path / "merged.json"
    status = main(["merge-reports", *shard_files, "--format", "json", "--output", str(merged_path)])
    merged = json.loads(merged_path.read_text())
    assert status == whole.status == 3
    assert merged["repositories"] == whole.report["repositories"]
    assert merged["summary"] == whole.report["summary"]
    assert merged["source"]["shards"] == ["1/3", "2/3", "3/3"]
    assert merged["notes"] == []

    # a missing shard is named, and a repository twice is kept once
    partial = tmp_path / "partial.json"
    main(
        ["merge-reports", shard_files[0], shard_files[0], shard_files[2], "--format", "json", "--output", str(partial)]
    )
    err = org.capsys.readouterr().err
    assert "shard 2/3 missing" in err
    notes = json.loads(partial.read_text())["notes"]
    assert any("shard 2/3 missing" in n for n in notes)


def test_merge_reports_refuses_what_is_not_an_audit_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hotfix_lint.cli import main

    check_report = tmp_path / "check.json"
    check_report.write_text(json.dumps({"version": 1, "violations": []}))
    assert main(["merge-reports", str(check_report)]) == 2
    assert "not a hotfix-lint audit report (this is a `check` report" in capsys.readouterr().err
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{")
    assert main(["merge-reports", str(garbage)]) == 2
    assert "garbage.json: not JSON" in capsys.readouterr().err


# -- drift ----------------------------------------------------------------------------------------


def test_a_baseline_marks_findings_new_unchanged_and_resolved(org: Org, tmp_path: Path) -> None:
    known_org(org)
    first = org.audit("--org", ORG)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(first.written)
    # fixed: the back-merge; new: a second squash in octo/squashed, a squash in octo/clean
    nbm = org.sources["octo/no-back-merge"]
    nbm.checkout("develop")
    nbm.merge("main")
    nbm.checkout("main")
    org.push("octo/no-back-merge")
    land_hotfix(org.sources["octo/squashed"], "hotfix/fix-other", version="1.0.3", how="squash", pr_number=43)
    org.push("octo/squashed")
    land_hotfix(org.sources["octo/clean"], "hotfix/fix-clean", version="1.0.2", how="squash")
    org.push("octo/clean")

    run = org.audit("--org", ORG, "--baseline", str(baseline))
    drift = {e["repository"]: e["drift"] for e in run.report["repositories"]}
    squashed = run.entry("octo/squashed")
    messages = [v["message"][:10] for v in squashed["report"]["violations"]]
    marks = dict(zip(messages, drift["octo/squashed"]["violations"], strict=True))
    assert sorted(marks.values()) == ["new", "unchanged"]
    assert drift["octo/clean"]["violations"] == ["new"]
    assert drift["octo/no-back-merge"]["violations"] == []
    assert [v["rule"] for v in drift["octo/no-back-merge"]["resolved"]] == ["back-merge"]
    assert drift["octo/open-merges"]["violations"] == ["unchanged"]
    assert drift["octo/broken"] == {"previous_status": "failed", "violations": [], "resolved": []}
    summary = run.report["summary"]["drift"]
    assert (summary["new"], summary["unchanged"], summary["resolved"]) == (2, 3, 1)
    assert run.report["source"]["baseline"] == "baseline.json"

    text = org.audit("--org", ORG, "--baseline", str(baseline), fmt="text").written
    lines = text.splitlines()
    assert lines[1].startswith("audited: organisation octo")
    assert lines[2].startswith("Since baseline.json: 2 new findings (2 errors), 1 resolved (1 error), 3 unchanged")


# -- the text and Markdown reports -----------------------------------------------------------------


def test_the_text_summary_table_is_repository_by_rule_worst_first(org: Org) -> None:
    known_org(org)
    land_hotfix(org.sources["octo/squashed"], "hotfix/fix-other", version="1.0.3", how="squash", pr_number=43)
    org.push("octo/squashed")
    text = org.audit("--org", ORG, fmt="text").written
    lines = text.splitlines()
    assert lines[0].endswith("7 repositories: 1 clean, 4 with errors, 1 failed, 1 skipped · 5 errors, 0 warnings")
    table = lines[lines.index("") + 1 :]
    header = table[0].split()
    assert header[:3] == ["repository", "errors", "warnings"]
    assert header[3] == "merge-commit", "the rule with the most errors first"
    rows = [line.split()[0] for line in table[1:6]]
    assert rows == ["octo/broken", "octo/squashed", "octo/no-back-merge", "octo/open-merges", "octo/own-policy"]
    squashed = table[2].split()
    assert squashed[1:4] == ["2", "0", "2/0"]
    assert "1 repository without findings" in text
    assert "could not be audited:\n  octo/broken: could not clone or fetch" in text


def test_the_markdown_report_escapes_and_ranks(org: Org) -> None:
    known_org(org)
    md = org.audit("--org", ORG, fmt="markdown").written
    assert md.startswith("# hotfix-lint audit\n")
    assert "## Repositories, worst first" in md and "## By rule" in md and "## Could not be audited" in md
    assert "| octo/squashed | 1 | 0 |" in md


def test_several_formats_in_one_run(org: Org, tmp_path: Path) -> None:
    org.publish("squashed", land_squash(org.gitflow("squashed")))
    json_file, html_file = tmp_path / "out" / "audit.json", tmp_path / "out" / "audit.html"
    run = org.audit(
        "--org", ORG, "--format", f"json={json_file}", "--format", f"html={html_file}", "--format", "text", fmt=None
    )
    assert run.status == 1
    assert json.loads(json_file.read_text())["summary"]["errors"] == 1
    assert html_file.read_text().startswith("<!DOCTYPE html>")
    assert "audit: 1 repository: 0 clean, 1 with errors" in run.written
    assert run.stderr.endswith(f"wrote {json_file}, {html_file}\n")


def test_parallel_workers_find_and_count_what_a_serial_run_does(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotfix_lint.audit import workers

    monkeypatch.setattr(workers, "_usable_cpus", lambda: 2)  # two processes of two threads
    known_org(org)
    serial = org.audit("--org", ORG, "--jobs", "1", cache=org.tmp_path / "serial-cache")
    org.server.clear_requests()
    parallel = org.audit("--org", ORG, "--jobs", "3", cache=org.tmp_path / "parallel-cache")
    assert parallel.found() == serial.found() == EXPECTED
    # the worker processes' requests are counted in the summary line as the serial run's are
    asked = len(org.server.requests)
    assert f"; {asked} API requests (0 not modified)" in parallel.stderr
    assert serial.stderr.split("; ")[1] == parallel.stderr.split("; ")[1]


def test_a_repository_that_kills_its_worker_process_fails_alone(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from hotfix_lint.audit import runner, workers

    if workers._FORK is None:
        pytest.skip("no fork on this platform: the audit runs threads, and a crash ends it")
    monkeypatch.setattr(workers, "_usable_cpus", lambda: 2)  # worker processes even on one CPU
    known_org(org)
    real_check = runner._check

    def crashing(info: Any, *args: Any, **kwargs: Any) -> Any:
        if info.full_name == "octo/squashed":
            os._exit(9)  # as a crash in a C library, or the kernel's out-of-memory killer, would end it
        return real_check(info, *args, **kwargs)

    monkeypatch.setattr(runner, "_check", crashing)
    run = org.audit("--org", ORG, "--jobs", "3")
    squashed = run.entry("octo/squashed")
    assert squashed["status"] == "failed"
    assert squashed["error"] == "its audit stopped the worker process (a crash)"
    assert run.found() == {name: found for name, found in EXPECTED.items() if name != "octo/squashed"}
    assert run.status == 3


def test_every_report_shows_hostile_names_and_subjects_inert(org: Org, tmp_path: Path) -> None:
    repo = org.gitflow("hostile")
    land_hotfix(repo, "hotfix/" + TERMINAL_BRANCH, how="squash", description=f"{WORKFLOW} {TERMINAL}")
    repo.commit(f"{WORKFLOW} {TERMINAL}")  # a direct push to main
    name = org.publish("hostile", repo)
    files = {fmt: tmp_path / f"out.{fmt}" for fmt in ("json", "html", "markdown")}
    formats = [arg for fmt, path in files.items() for arg in ("--format", f"{fmt}={path}")]
    run = org.audit("--org", ORG, *formats, "--format", "text", fmt=None)
    assert run.status == 1
    messages = [v["message"] for v in json.loads(files["json"].read_text())["repositories"][0]["report"]["violations"]]
    assert any(TERMINAL in m and WORKFLOW in m for m in messages), messages  # exact to a JSON reader
    for text in (run.stdout, run.stderr, *(path.read_text() for path in files.values())):
        assert_inert(text)
    assert name in run.stdout and "\\x1b]0;pwned\\x07" in files["html"].read_text()


@pytest.mark.parametrize(
    ("base", "then", "present", "found"), [("off", "error", "off", True), ("error", "off", "error", False)]
)
def test_each_change_is_audited_by_the_era_it_landed_in(
    org: Org, base: str, then: str, present: str, found: bool
) -> None:
    """With ``eras``, the hotfix of January 2025 is judged by the era of that time, not by the
    file's base settings nor by the era judging the present (``--now`` 2026-01-15)."""
    policy = {
        "extends": "default",
        "rules": {"back-merge": base, "merge-methods": "off"},
        "eras": [
            {"until": "2025-06-30", "rules": {"back-merge": then}},
            {"since": "2025-07-01", "rules": {"back-merge": present}},
        ],
    }
    org.publish("eras", land_without_back_merge(org.gitflow("eras")), policy=policy)
    run = org.audit("--org", ORG)
    assert run.found() == {"octo/eras": {("back-merge", "error")} if found else set()}, run.entry("octo/eras")
    assert any("judged by its era's settings" in n for n in run.entry("octo/eras")["report"]["notes"])
