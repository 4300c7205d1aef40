"""``stale-branch``: a hotfix branch merged into production is deleted within N days."""

from __future__ import annotations

from rule_helpers import check, only
from scenario import Scenario, assert_clean, assert_only, land_hotfix, violations

RULE = "stale-branch"


def test_deleted_branch_is_silent(gitflow_repo: Scenario) -> None:
    gitflow_repo.delete_branch("hotfix/fix-login-timeout")
    assert_clean(*check(gitflow_repo, only(RULE)))


def test_merged_branch_older_than_the_limit_fires(gitflow_repo: Scenario) -> None:
    tip = gitflow_repo.rev("hotfix/fix-login-timeout")
    status, report = check(gitflow_repo, only(RULE))
    (v,) = assert_only(report, RULE, severity="error")
    assert "hotfix/fix-login-timeout was merged into main on 2025-01-05" in v["message"]
    assert v["commit"] == tip and v["hint"] == "git branch -d hotfix/fix-login-timeout"
    assert status == 1


def test_within_the_limit_is_silent(gitflow_repo: Scenario) -> None:
    assert_clean(*check(gitflow_repo, only(RULE), now="2025-01-08"))
    assert_clean(*check(gitflow_repo, only(RULE, {"max_age_days": 60})))


def test_local_and_remote_copies_are_one_finding(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.update_ref("refs/remotes/origin/hotfix/fix-login-timeout", "hotfix/fix-login-timeout")
    (v,) = assert_only(check(s, only(RULE))[1], RULE)
    assert "hotfix/fix-login-timeout, origin/hotfix/fix-login-timeout" in v["message"]
    assert v["hint"] == "git push --delete origin hotfix/fix-login-timeout && git branch -d hotfix/fix-login-timeout"
    s.delete_branch("hotfix/fix-login-timeout")
    (v,) = assert_only(check(s, only(RULE))[1], RULE)
    assert v["hint"] == "git push --delete origin hotfix/fix-login-timeout"
    assert_clean(*check(s, only(RULE, {"include_remote": False})))


def test_not_back_merged_yet_is_still_needed(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, back_merge=None)  # hotfix/fix-crash: merged into main, not into develop

    def stale(options: dict[str, object]) -> set[str]:
        return {v["ref"] for v in violations(check(gitflow_repo, only(RULE, options))[1])}

    assert stale({}) == {"hotfix/fix-login-timeout"}
    assert stale({"after_back_merge": False}) == {"hotfix/fix-login-timeout", "hotfix/fix-crash"}


def test_unmerged_or_moved_branch_is_not_stale(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.delete_branch("hotfix/fix-login-timeout")
    s.branch("hotfix/open-work", checkout=True)
    s.commit("Fix: not merged yet (ABC-400)")
    s.checkout("main")
    land_hotfix(s, "hotfix/moved-on")
    s.checkout("hotfix/moved-on")
    s.commit("Fix: follow-up (ABC-401)")  # the branch moved after its merge: not merged any more
    s.checkout("main")
    assert_clean(*check(s, only(RULE)))


def test_fast_forwarded_branch_counts_as_merged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.delete_branch("hotfix/fix-login-timeout")
    land_hotfix(s, "hotfix/ff", how="ff", tag=False, back_merge="main")
    (v,) = assert_only(check(s, only(RULE))[1], RULE)
    assert "hotfix/ff was merged into main (" in v["message"]


def test_waiver_by_branch(gitflow_repo: Scenario) -> None:
    policy = only(RULE)
    policy["exceptions"] = [{"rule": RULE, "branch": "hotfix/fix-login-timeout", "reason": "kept for audit"}]
    status, report = check(gitflow_repo, policy)
    assert violations(report) == [] and status == 0
