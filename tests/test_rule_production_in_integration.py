"""``production-in-integration``: whatever reaches production reaches the integration branch too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rule_helpers import check, only
from scenario import BOT_IDENTITY, Scenario, assert_clean, assert_only, land_hotfix

RULE = "production-in-integration"
POLICY = only(RULE)


def policy(**options: Any) -> dict[str, Any]:
    return only(RULE, options)


def release(s: Scenario, name: str = "release/1.1", *, back: bool = True) -> str:
    """A git-flow release: cut from develop, bumped, merged into main (and into develop when ``back``)."""
    s.branch(name, "develop", checkout=True)
    s.commit("Bump version to 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("main")
    merge = s.merge(name)
    if back:
        s.checkout("develop")
        s.merge(name)
        s.checkout("main")
    return merge


def test_a_finished_release_is_silent(gitflow_repo: Scenario) -> None:
    release(gitflow_repo)
    assert_clean(*check(gitflow_repo, POLICY))


def test_a_release_never_merged_back_fires(gitflow_repo: Scenario) -> None:
    merge = release(gitflow_repo, back=False)
    status, report = check(gitflow_repo, POLICY)
    (v,) = assert_only(report, RULE, severity="error")
    assert v["commit"] == merge and "is not in develop" in v["message"] and "within 7 days" in v["message"]
    assert "git switch develop && git merge --no-ff main" in v["hint"] and status == 1


def test_a_direct_commit_never_merged_back_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    pushed = s.commit("Quick fix on production", {"app/login.py": "TIMEOUT = 60\n"})
    (v,) = assert_only(check(s, POLICY)[1], RULE)
    assert v["commit"] == pushed and "commit " + pushed[:10] in v["message"]
    assert f"git cherry-pick -x {pushed[:10]}" in v["hint"]


def test_a_direct_commit_cherry_picked_into_develop_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    pushed = s.commit("Quick fix on production", {"app/login.py": "TIMEOUT = 60\n"})
    s.checkout("develop")
    s.cherry_pick(pushed, x=False)  # no "cherry picked from" line: found by patch id
    s.checkout("main")
    assert_clean(*check(s, POLICY))


def test_a_direct_commit_merged_back_with_main_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("Quick fix on production", {"app/login.py": "TIMEOUT = 60\n"})
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    assert_clean(*check(s, POLICY))


def test_a_recent_change_is_pending(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("Quick fix on production", {"app/login.py": "TIMEOUT = 60\n"})
    day = (s.clock.now + dt.timedelta(days=2)).date().isoformat()
    (v,) = assert_only(check(s, POLICY, now=day)[1], RULE, severity="warning")
    assert v["message"].startswith("pending:")


def test_a_late_merge_back_is_a_warning(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("Quick fix on production", {"app/login.py": "TIMEOUT = 60\n"})
    s.clock.advance(days=20)
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    (v,) = assert_only(check(s, policy(grace_days=3))[1], RULE, severity="warning")
    assert v["message"].startswith("late:") and "git" not in v["hint"]
    assert_clean(*check(s, policy(grace_days=30)))


def test_a_support_line_is_judged_only_when_asked(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("support/1.0", "v1.0.0", checkout=True)
    s.commit("Backport: timeout", {"app/login.py": "TIMEOUT = 10\n"})
    s.checkout("main")
    lines = {"production": ["main", "support/*"]}
    assert_clean(*check(s, only(RULE, **lines)))
    (v,) = assert_only(check(s, only(RULE, {"include_support_lines": True}, **lines))[1], RULE)
    assert "on support/1.0" in v["message"] and "do not merge support/1.0 into develop" in v["hint"]
    assert "git merge" not in v["hint"]


def test_automation_is_judged_only_when_asked(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("chore(release): 1.0.2", {"VERSION": "1.0.2\n"}, author=BOT_IDENTITY)
    data = policy()
    data["rules"]["merge-commit"] = {"severity": "off", "allow_authors": [r"\[bot\]"]}
    assert_clean(*check(s, data))
    data["rules"][RULE]["include_automation"] = True
    assert_only(check(s, data)[1], RULE)


def test_hotfixes_are_left_to_back_merge(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, back_merge=None)
    assert_clean(*check(gitflow_repo, POLICY))


def test_changes_before_since_are_not_judged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("Quick fix on production", {"app/login.py": "TIMEOUT = 60\n"})
    s.clock.advance(days=10)
    s.commit("Docs", {"README.md": "# Service\n"})  # the era starts after the quick fix
    since = (s.clock.now - dt.timedelta(days=1)).date().isoformat()
    (v,) = assert_only(check(s, only(RULE, since=since))[1], RULE)
    assert "('Docs')" in v["message"], v["message"]
