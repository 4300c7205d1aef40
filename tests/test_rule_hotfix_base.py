"""Acceptance tests for ``hotfix-base``: a hotfix is cut from the deployed ref, nothing else.

Base older than the deployed ref on the production line: stale (warning by default). Base
not on the production line (cut from develop): error. Merging main into the hotfix branch
must not hide its original base.
"""

from __future__ import annotations

import shlex

from scenario import (
    Scenario,
    add_changelog_section,
    assert_clean,
    assert_only,
    changelog_section,
    describe,
    land_hotfix,
    make_policy,
    run_check,
    same_commit,
    violations,
)

ONLY = make_policy(only="hotfix-base")


def _cut(s: Scenario, name: str, start: str, version: str, ticket: str = "ABC-140") -> str:
    """Cut ``name`` from ``start`` and commit a fix with its changelog section; back on main."""
    s.branch(name, start, checkout=True)
    text = add_changelog_section(
        s.read("CHANGELOG.md"), changelog_section(version, "2025-01-07", [f"{name} ({ticket})"])
    )
    tip = s.commit(f"Fix: {name} ({ticket})", {f"app/{name.replace('/', '_')}.py": "X = 1\n", "CHANGELOG.md": text})
    s.checkout("main")
    return tip


def _land(s: Scenario, name: str, version: str) -> str:
    """Merge ``name`` into main, tag it and back-merge main into develop."""
    s.checkout("main")
    merge = s.merge(name)
    s.tag(f"v{version}", message=f"Hotfix {version}")
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    return merge


# -- cut from main's tip ------------------------------------------------------------------------


def test_cut_from_main_tip_is_silent(gitflow_repo: Scenario) -> None:
    status, report = run_check(gitflow_repo, policy=ONLY)
    assert_clean(status, report)
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2")
    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)


def test_branch_under_check_cut_from_main_tip_is_silent(gitflow_repo: Scenario) -> None:
    _cut(gitflow_repo, "hotfix/fix-crash", "main", "1.0.2")
    status, report = run_check(gitflow_repo, "--branch", "hotfix/fix-crash", policy=make_policy())
    assert_clean(status, report)


# -- stale base ---------------------------------------------------------------------------------


def test_stale_base_is_a_warning(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    old = s.rev("main")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2")  # another hotfix lands meanwhile
    _cut(s, "hotfix/slow-fix", old, "1.0.3")
    merge = _land(s, "hotfix/slow-fix", "1.0.3")
    status, report = run_check(s, policy=make_policy())
    (v,) = assert_only(report, "hotfix-base", severity="warning")
    assert same_commit(v["commit"], merge, s.rev("hotfix/slow-fix")), describe(report)
    assert status == 0  # warnings do not fail the run


def test_stale_severity_option(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    old = s.rev("main")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2")
    _cut(s, "hotfix/slow-fix", old, "1.0.3")
    _land(s, "hotfix/slow-fix", "1.0.3")
    policy = make_policy(only="hotfix-base", rules={"hotfix-base": {"stale_severity": "error"}})
    status, report = run_check(s, policy=policy)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "error"
    assert status == 1
    policy = make_policy(only="hotfix-base", rules={"hotfix-base": {"stale_severity": "off"}})
    status, report = run_check(s, policy=policy)
    assert_clean(status, report)


def test_branch_under_check_with_stale_base(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    old = s.rev("main")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2")
    _cut(s, "hotfix/slow-fix", old, "1.0.3")
    status, report = run_check(s, "--branch", "hotfix/slow-fix", policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning", describe(report)
    assert status == 0


# -- main merged into the hotfix branch -----------------------------------------------------------


def test_main_merged_into_hotfix_does_not_hide_a_stale_base(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    old = s.rev("main")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2")
    _cut(s, "hotfix/slow-fix", old, "1.0.3")
    s.checkout("hotfix/slow-fix")
    s.merge("main")  # "Merge branch 'main' into hotfix/slow-fix": now main's tip is an ancestor
    s.checkout("main")
    assert s.is_ancestor("main", "hotfix/slow-fix")

    status, report = run_check(s, "--branch", "hotfix/slow-fix", policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning", describe(report)
    assert "main was merged into the branch" in v["message"]

    _land(s, "hotfix/slow-fix", "1.0.3")
    status, report = run_check(s, policy=make_policy())
    (v,) = assert_only(report, "hotfix-base", severity="warning")
    assert "main was merged into the branch" in v["message"]
    assert status == 0


# -- cut from develop -----------------------------------------------------------------------------


def test_cut_from_develop_is_an_error(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/from-develop", version="1.0.2", start="develop")
    assert not s.is_ancestor(s.marks["merge_search"], s.marks["hotfix_merge"])  # unreleased work
    status, report = run_check(s, policy=make_policy())
    (v,) = assert_only(report, "hotfix-base", severity="error")
    assert same_commit(v["commit"], hotfix.merge, hotfix.tip), describe(report)
    assert "cut from the integration branch" in v["message"] and "never deployed" in v["message"]
    assert "merged into the branch" not in v["message"]
    assert status == 1


def test_branch_under_check_cut_from_develop_is_an_error(gitflow_repo: Scenario) -> None:
    _cut(gitflow_repo, "hotfix/from-develop", "develop", "1.0.2")
    status, report = run_check(gitflow_repo, "--branch", "hotfix/from-develop", policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "error", describe(report)
    assert "cut from the integration branch" in v["message"], describe(report)
    assert "git rebase --onto" in v["hint"]
    assert status == 1


# -- deployed_ref: tag ----------------------------------------------------------------------------


def _release_not_yet_deployed(s: Scenario) -> None:
    """Merge release/1.1 into main without tagging it: the newest tag, v1.0.1, is deployed."""
    s.branch("release/1.1", "develop", checkout=True)
    s.commit("Prepare release 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("main")
    s.merge("release/1.1")
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")


def test_tag_strategy_accepts_a_branch_cut_from_the_newest_release_tag(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _release_not_yet_deployed(s)
    _cut(s, "hotfix/from-tag", "v1.0.1", "1.0.2")
    by_tag = make_policy(only="hotfix-base", deployed_ref="tag")
    status, report = run_check(s, "--branch", "hotfix/from-tag", policy=by_tag)
    assert_clean(status, report)
    # judged by the branch tip instead, the same base is one release behind: stale
    status, report = run_check(s, "--branch", "hotfix/from-tag", policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning", describe(report)


def test_tag_strategy_rejects_a_branch_carrying_undeployed_commits(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _release_not_yet_deployed(s)
    _cut(s, "hotfix/from-tip", "main", "1.0.2")
    by_tag = make_policy(only="hotfix-base", deployed_ref="tag")
    status, report = run_check(s, "--branch", "hotfix/from-tip", policy=by_tag)
    assert violations(report, "hotfix-base"), describe(report)
    status, report = run_check(s, "--branch", "hotfix/from-tip", policy=ONLY)
    assert_clean(status, report)


def test_tag_strategy_in_history(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _release_not_yet_deployed(s)
    _cut(s, "hotfix/from-tag", "v1.0.1", "1.0.2")
    _land(s, "hotfix/from-tag", "1.0.2")
    status, report = run_check(s, policy=make_policy(only="hotfix-base", deployed_ref="tag"))
    assert_clean(status, report)
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning", describe(report)


def test_newest_tag_is_chosen_by_version_not_by_name(gitflow_repo: Scenario) -> None:
    """v1.0.10 is newer than v1.0.9 although it sorts before it as text."""
    s = gitflow_repo
    for version in ("1.0.9", "1.0.10"):
        land_hotfix(s, f"hotfix/fix-{version.replace('.', '-')}", version=version)
    _release_not_yet_deployed(s)
    _cut(s, "hotfix/from-newest", "v1.0.10", "1.0.11")
    _cut(s, "hotfix/from-older", "v1.0.9", "1.0.11")
    by_tag = make_policy(only="hotfix-base", deployed_ref="tag")
    status, report = run_check(s, "--branch", "hotfix/from-newest", policy=by_tag)
    assert_clean(status, report)
    status, report = run_check(s, "--branch", "hotfix/from-older", policy=by_tag)
    assert violations(report, "hotfix-base"), describe(report)


# -- no common history with production (an orphan branch) ---------------------------------------


def _orphan(s: Scenario, name: str) -> str:
    """A branch ``name`` with a history of its own (``git checkout --orphan``): one fix commit."""
    s.git("checkout", "-q", "--orphan", name)
    s.git("rm", "-rq", "--cached", ".")
    tip = s.commit("Fix: crash (ABC-150)", {"app/orphan.py": "X = 1\n"})
    s.git("clean", "-fdq")
    s.checkout("main")
    return tip


def test_an_orphan_hotfix_merged_into_production_is_an_error(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    root = _orphan(s, "hotfix/orphan-fix")
    unrelated = ("--no-ff", "--allow-unrelated-histories", "--no-edit")
    s.git("merge", "-q", *unrelated, "hotfix/orphan-fix", when=s.clock.tick())
    status, report = run_check(s, policy=ONLY)
    found = violations(report, "hotfix-base")
    assert status == 1, describe(report)
    assert len(found) == 1, describe(report)
    assert "shares no history with main" in found[0]["message"] and root[:10] in found[0]["message"]
    assert found[0]["severity"] == "error"
    assert "history is not rewritten" in found[0]["hint"]


def test_an_orphan_branch_under_check_is_an_error_with_a_safe_hint(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    name = "hotfix/q'$(touch${IFS}x)'"
    root = _orphan(s, name)
    status, report = run_check(s, "--branch", name, "--no-history", policy=ONLY)
    found = violations(report, "hotfix-base")
    assert status == 1, describe(report)
    assert len(found) == 1 and root[:10] in found[0]["message"], describe(report)
    command = found[0]["hint"].split(": ", 1)[1]
    assert shlex.split(command) == ["git", "rebase", "--root", "--onto", "main", name], command


# -- judged from when the work started (issue 13, item 6) ------------------------------------------


def _release(s: Scenario, version: str) -> str:
    """A release of develop lands on main (release branch merged, tagged, merged back)."""
    s.branch(f"release/{version}", "develop", checkout=True)
    s.commit(f"Prepare release {version}", {"VERSION": f"{version}\n"})
    return _land(s, f"release/{version}", version)


def test_release_landed_during_review_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _cut(s, "hotfix/in-review", "main", "1.0.2")  # cut from the deployed tip, then reviewed for days
    s.clock.advance(days=3)
    _release(s, "1.1.0")  # production moves on meanwhile
    s.clock.advance(days=1)
    _land(s, "hotfix/in-review", "1.0.2")
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_moved_during_review_is_an_optional_warning(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _cut(s, "hotfix/in-review", "main", "1.0.2")
    _release(s, "1.1.0")
    merge = _land(s, "hotfix/in-review", "1.0.2")
    policy = make_policy(only="hotfix-base", rules={"hotfix-base": {"moved_during_review": "warning"}})
    status, report = run_check(s, policy=policy)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning" and same_commit(v["commit"], merge), describe(report)
    assert "moved 1 first-parent commit(s) while it was in review" in v["message"], describe(report)
    assert status == 0


def test_cut_from_an_old_production_commit_is_stale(gitflow_repo: Scenario) -> None:
    """Stale against what was deployed when the work started, whatever landed during review."""
    s = gitflow_repo
    old = s.rev("main")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2")
    deployed = s.rev("main")
    _cut(s, "hotfix/slow-fix", old, "1.0.3")
    _release(s, "1.1.0")
    merge = _land(s, "hotfix/slow-fix", "1.0.3")
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning" and same_commit(v["commit"], merge, s.rev("hotfix/slow-fix")), describe(report)
    assert "1 commit(s) of main older than the deployed ref" in v["message"], describe(report)
    assert deployed[:10] in v["message"] and "when the work started" in v["message"], describe(report)
    assert status == 0


def _fast_forwarded_production(s: Scenario) -> str:
    """A hotfix cut from an old main commit lands; then main is fast-forwarded to develop, whose
    first-parent chain now is main's: the landing and its base are off it, still main's history."""
    old = s.rev("main")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2")  # main moves on: `old` is no longer deployed
    _cut(s, "hotfix/slow-fix", old, "1.0.3")
    merge = _land(s, "hotfix/slow-fix", "1.0.3")  # and merged into develop
    s.checkout("develop")
    s.commit("Prepare release 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("main")
    s.merge_ff("develop")
    assert merge not in s.first_parents("main") and old not in s.first_parents("main")
    return merge


def test_fast_forwarded_production_with_a_moved_base_is_stale(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merge = _fast_forwarded_production(s)
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert same_commit(v["commit"], merge, s.rev("hotfix/slow-fix")), describe(report)
    assert v["severity"] == "warning" and "its base is stale" in v["message"], describe(report)
    assert "not on main's history" not in v["message"]
    assert status == 0


def _shared_first_parent_history(s: Scenario, start_old: bool) -> str:
    """main and develop share one first-parent history: main is fast-forwarded to develop for a
    release and develop to main after a hotfix. A release lands while the hotfix is in review."""
    old = s.rev("main")
    s.checkout("develop")
    s.merge_ff("main")
    s.checkout("main")
    s.merge_ff("develop")
    land_hotfix(s, "hotfix/fast-fix", version="1.0.2", back_merge=None)
    s.checkout("develop")
    s.merge_ff("main")  # develop's first-parent chain is main's
    deployed = s.rev("main")
    s.checkout("main")
    _cut(s, "hotfix/shared", old if start_old else deployed, "1.0.3")
    s.checkout("develop")
    s.commit("Release 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("main")
    s.merge_ff("develop")  # the release lands during review
    merge = s.merge("hotfix/shared")
    s.checkout("develop")
    s.merge_ff("main")
    s.checkout("main")
    assert merge in s.first_parents("develop")
    return merge


def test_shared_first_parent_history_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _shared_first_parent_history(s, start_old=False)
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_shared_first_parent_history_does_not_make_own_commits_carried(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merge = _shared_first_parent_history(s, start_old=True)
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "hotfix-base")
    assert same_commit(v["commit"], merge, s.rev("hotfix/shared")), describe(report)
    assert v["severity"] == "warning" and "its base is stale" in v["message"], describe(report)
    assert "integration branch" not in v["message"], describe(report)
    assert status == 0


# -- cut from integration right after production was merged back into it ------------------------


def _synced_develop(s: Scenario, unreleased: bool) -> str:
    """develop is released whole, then main is merged back into develop (a sync merge whose tree
    is main's); with ``unreleased``, develop gets one more change after the sync."""
    s.checkout("main")
    s.merge("develop", message="Release 1.1.0 (#50)")
    s.tag("v1.1.0", message="Release 1.1.0")
    s.checkout("develop")
    sync = s.merge("main", message="Sync master back into development (#51)")
    if unreleased:
        s.commit("Add reports", {"app/reports.py": "REPORTS = True\n"})
    s.checkout("main")
    return sync


def test_cut_from_a_sync_merge_with_production_tree_is_silent(gitflow_repo: Scenario) -> None:
    """pi-hole #5016: cut from development's "sync: master to development", the same tree as the
    deployed tip: it started from exactly what production ran and carries nothing undeployed."""
    s = gitflow_repo
    sync = _synced_develop(s, unreleased=False)
    hotfix = land_hotfix(s, "hotfix/after-sync", version="1.1.1", start="develop")
    assert hotfix.base == sync and sync not in s.first_parents("main")
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_cut_from_integration_after_a_sync_with_unreleased_work_is_an_error(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _synced_develop(s, unreleased=True)
    hotfix = land_hotfix(s, "hotfix/after-sync", version="1.1.1", start="develop")
    status, report = run_check(s, policy=ONLY)
    (v,) = assert_only(report, "hotfix-base", severity="error")
    assert same_commit(v["commit"], hotfix.merge, hotfix.tip), describe(report)
    assert "cut from the integration branch" in v["message"] and "Add reports" in v["message"], describe(report)
    assert status == 1
