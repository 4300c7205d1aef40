"""Acceptance tests for ``branch-name``: every hotfix branch matches the hotfix pattern.

A hotfix is any merge into production whose source is neither the integration branch nor a
release branch; its source name comes from the merge message (git, GitHub, remote-tracking).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
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

ONLY = make_policy(only="branch-name")


def _mentions(v: dict[str, object], text: str) -> bool:
    return text in f"{v.get('ref') or ''} {v.get('message') or ''}"


def _start_branch(s: Scenario, name: str, version: str = "1.0.2", start: str = "main") -> str:
    """A branch cut from ``start`` with a fix that also adds its changelog section."""
    s.branch(name, start, checkout=True)
    text = add_changelog_section(s.read("CHANGELOG.md"), changelog_section(version, "2025-01-06", ["login (ABC-125)"]))
    tip = s.commit("Fix: login (ABC-125)", {"app/login.py": "TIMEOUT = 60\n", "CHANGELOG.md": text})
    s.checkout("main")
    return tip


# -- a branch under check ---------------------------------------------------------------------


def test_branch_under_check_with_bad_name_fires(gitflow_repo: Scenario) -> None:
    _start_branch(gitflow_repo, "Hotfix_Login")
    status, report = run_check(gitflow_repo, "--branch", "Hotfix_Login", policy=ONLY)
    (v,) = violations(report, "branch-name")
    assert _mentions(v, "Hotfix_Login"), describe(report)
    assert v["severity"] == "error"
    assert status == 1


def test_branch_under_check_with_bad_name_alone_yields_only_branch_name(gitflow_repo: Scenario) -> None:
    _start_branch(gitflow_repo, "Hotfix_Login")
    status, report = run_check(gitflow_repo, "--branch", "Hotfix_Login", policy=make_policy())
    assert_only(report, "branch-name", severity="error")
    assert status == 1


def test_branch_under_check_with_good_name_is_silent(gitflow_repo: Scenario) -> None:
    _start_branch(gitflow_repo, "hotfix/fix-login-again")
    status, report = run_check(gitflow_repo, "--branch", "hotfix/fix-login-again", policy=make_policy())
    assert_clean(status, report)


# -- history ----------------------------------------------------------------------------------


def test_merge_from_badly_named_branch_fires(gitflow_repo: Scenario) -> None:
    hotfix = land_hotfix(gitflow_repo, "quickfix-login", version="1.0.2")
    status, report = run_check(gitflow_repo, policy=make_policy())
    (v,) = assert_only(report, "branch-name", severity="error")
    assert _mentions(v, "quickfix-login"), describe(report)
    assert same_commit(v["commit"], hotfix.merge, hotfix.tip), describe(report)
    assert status == 1


def test_badly_named_branch_is_reported_after_it_was_deleted(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "quickfix-login", version="1.0.2")
    gitflow_repo.delete_branch("quickfix-login")
    status, report = run_check(gitflow_repo, policy=ONLY)
    (v,) = violations(report, "branch-name")
    assert _mentions(v, "quickfix-login"), describe(report)
    assert status == 1


def test_hint_suggests_a_name_matching_the_pattern(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "quickfix-login", version="1.0.2")
    _status, report = run_check(gitflow_repo, policy=ONLY)
    (v,) = violations(report, "branch-name")
    assert v["hint"] and "hotfix/" in v["hint"], describe(report)


def test_feature_released_via_release_merge_is_not_reported(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("release/1.1", "develop", checkout=True)
    text = add_changelog_section(
        s.read("CHANGELOG.md"), changelog_section("1.1.0", "2025-01-10", ["search", "export"], "Added")
    )
    s.commit("Prepare release 1.1.0", {"CHANGELOG.md": text, "VERSION": "1.1.0\n"})
    s.checkout("main")
    s.merge("release/1.1")
    s.tag("v1.1.0", message="Release 1.1.0")
    s.checkout("develop")
    s.merge("release/1.1")
    s.checkout("main")
    status, report = run_check(s, policy=make_policy())
    assert_clean(status, report)


def test_feature_merges_brought_in_by_a_fast_forward_are_not_hotfixes(gitflow_repo: Scenario) -> None:
    """main fast-forwarded: feature merges are reachable but off main's first-parent chain."""
    s = gitflow_repo
    s.branch("release/1.1", "main", checkout=True)
    s.merge("develop")  # "Merge branch 'develop' into release/1.1"
    s.checkout("main")
    s.merge_ff("release/1.1")
    assert s.is_ancestor(s.marks["merge_search"], "main")
    assert s.marks["merge_search"] not in s.first_parents("main")
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_merges_from_release_and_develop_are_not_hotfixes(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("release/1.1", "develop", checkout=True)
    s.commit("Prepare release 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("main")
    s.merge("release/1.1")
    s.tag("v1.1.0", message="Release 1.1.0")
    s.checkout("develop")
    s.merge("main")
    s.branch("feature/report", checkout=True)
    s.commit("Add report")
    s.checkout("develop")
    s.merge("feature/report")
    s.checkout("main")
    s.merge("develop")  # "Merge branch 'develop'": a regular release straight from develop
    s.tag("v1.2.0", message="Release 1.2.0")
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    status, report = run_check(s, policy=make_policy())
    assert_clean(status, report)


def test_pull_request_merge_message_is_parsed(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("quickfix", checkout=True)
    s.commit("Fix the session cookie (ABC-130)")
    s.checkout("main")
    merge = s.pr_merge(12, "acme", "quickfix")
    s.delete_branch("quickfix")  # only the message says where it came from
    assert s.subject(merge) == "Merge pull request #12 from acme/quickfix"
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "branch-name")
    assert _mentions(v, "quickfix"), describe(report)
    assert not _mentions(v, "acme/quickfix"), "the owner is not part of the branch name"
    assert same_commit(v["commit"], merge, s.parents(merge)[1]), describe(report)
    assert status == 1


def test_pull_request_from_hotfix_branch_is_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-session-cookie", version="1.0.2", how="pr", pr_number=13)
    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)


@pytest.mark.parametrize(("branch", "fires"), [("hotfix/x", False), ("quickfix-y", True)])
def test_remote_tracking_merge_message_is_parsed(gitflow_repo: Scenario, branch: str, fires: bool) -> None:
    origin = gitflow_repo
    work = origin.clone()
    origin.branch(branch, "main", checkout=True)
    origin.commit("Fix: the thing (ABC-131)")
    origin.checkout("main")
    work.fetch()
    merge = work.merge(f"origin/{branch}")
    assert work.subject(merge) == f"Merge remote-tracking branch 'origin/{branch}'"
    status, report = run_check(work, policy=ONLY)
    if fires:
        (v,) = violations(report, "branch-name")
        assert _mentions(v, branch), describe(report)
        assert status == 1
    else:
        assert_clean(status, report)


def test_ignore_sources_option(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("dependabot/pip/requests-2.32.0", checkout=True)
    s.commit("Bump requests from 2.31.0 to 2.32.0", {"requirements.txt": "requests==2.32.0\n"})
    s.checkout("main")
    s.merge("dependabot/pip/requests-2.32.0")
    status, report = run_check(s, policy=ONLY)
    assert violations(report, "branch-name"), describe(report)
    assert status == 1
    policy = make_policy(only="branch-name", rules={"branch-name": {"ignore_sources": ["dependabot/**"]}})
    status, report = run_check(s, policy=policy)
    assert_clean(status, report)


def test_waiver_for_a_branch(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "quickfix-login", version="1.0.2")
    policy = make_policy(
        only="branch-name",
        exceptions=[
            {
                "rule": "branch-name",
                "branch": "quickfix-login",
                "reason": "named before the policy existed",
                "expires": "2999-12-31",
            }
        ],
    )
    status, report = run_check(gitflow_repo, policy=policy)
    assert violations(report) == [], describe(report)
    (waived,) = violations(report, "branch-name", waived=True)
    assert waived["waived"] is True
    assert report is not None
    assert report["summary"]["waived"] == 1
    assert report["summary"]["errors"] == 0
    assert status == 0


def test_custom_pattern_with_version(scenario: Callable[..., Scenario]) -> None:
    """The IBM-Jazz process: hotfix branches are named hotfix-v{version}."""
    s = scenario()
    s.commit("Initial commit", {"CHANGELOG.md": "# Changelog\n\n## [1.2.0] - 2025-01-01\n- first\n"})
    s.branch("develop")
    for name in ("hotfix-v1.2.1", "hotfix/1.2.2"):
        s.branch(name, "main", checkout=True)
        s.commit(f"Fix: {name} (IBM-Jazz-1234)")
        s.checkout("main")
        s.merge(name)
    policy = make_policy(only="branch-name", hotfix_branch="hotfix-v{version}")
    status, report = run_check(s, policy=policy)
    (v,) = violations(report, "branch-name")
    assert _mentions(v, "hotfix/1.2.2"), describe(report)
    assert status == 1
