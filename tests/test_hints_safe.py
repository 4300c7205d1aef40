"""Hints are right or absent (issue 13, item 11): a hint pasted in a hurry must do no harm.

Each class: the harmful hint the old code gave is gone, and the safe one is given. Never move
a published tag; never merge the integration branch into production or a support line into the
integration branch; never name a branch that no longer exists; where no safe repair exists,
say so and offer the waiver.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rule_helpers import check, only
from scenario import Scenario, assert_only, land_hotfix, make_policy, run_check, violations

TAGGED = only("release-tag", {"annotated": True}, hotfix_branch=["hotfix/{version}", "hotfix/{slug}"])


def misplaced_tag(s: Scenario) -> None:
    """hotfix/1.0.2 lands, tagged on its branch before the merge (a misplaced tag)."""
    made = land_hotfix(s, "hotfix/1.0.2", tag=False)
    s.tag("v1.0.2", message="Hotfix 1.0.2", target=made.tip)


def hint_of(report: dict[str, Any] | None, rule: str) -> str:
    (v,) = [x for x in violations(report) if x["rule"] == rule]
    return str(v["hint"])


# -- never move a published tag ------------------------------------------------------------------


def test_a_published_tag_is_not_moved(gitflow_repo: Scenario) -> None:
    misplaced_tag(gitflow_repo)  # tagged in January; checked on 2025-03-01
    (v,) = assert_only(check(gitflow_repo, TAGGED)[1], "release-tag")
    assert "git tag" not in v["hint"] and "-f" not in v["hint"], v["hint"]
    assert "is published: do not move or re-create it" in v["hint"] and "exceptions: [{rule: release-tag" in v["hint"]


def test_a_lightweight_tag_counts_as_published(gitflow_repo: Scenario) -> None:
    made = land_hotfix(gitflow_repo, "hotfix/1.0.2", tag=False)
    gitflow_repo.tag("v1.0.2", annotated=False, target=made.tip)
    day = (gitflow_repo.clock.now + dt.timedelta(hours=1)).date().isoformat()
    policy = only("release-tag", hotfix_branch="hotfix/{version}")
    (v,) = assert_only(check(gitflow_repo, policy, now=day)[1], "release-tag")
    assert "git tag" not in v["hint"] and "lightweight tag of unknown age" in v["hint"], v["hint"]


def test_a_tag_made_today_may_be_re_tagged_before_it_is_pushed(gitflow_repo: Scenario) -> None:
    misplaced_tag(gitflow_repo)
    day = (gitflow_repo.clock.now + dt.timedelta(days=1)).date().isoformat()
    (v,) = assert_only(check(gitflow_repo, TAGGED, now=day)[1], "release-tag")
    assert "is not pushed yet, re-tag: git tag -f -a" in v["hint"], v["hint"]
    assert "git push origin v1.0.2" in v["hint"] and "push -f" not in v["hint"]  # the remote refuses a move


# -- never merge the integration branch into production -----------------------------------------


def test_a_fast_forward_to_develop_is_not_repaired_by_merging_develop(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.checkout("main")
    s.merge_ff("develop")  # main fast-forwarded: develop's merges now sit on main's chain
    _, report = run_check(s, "--now", "2025-03-01", policy=make_policy(only="merge-commit"))
    hints = [str(v["hint"]) for v in violations(report) if "fast-forwarded" in v["message"]]
    assert hints, report
    for hint in hints:
        assert "git merge" not in hint and "git switch" not in hint, hint
        assert "exceptions: [{rule: merge-commit, commit:" in hint


# -- never merge a support line into the integration branch -------------------------------------


def support_hotfix(s: Scenario) -> None:
    """support/1.0 cut from v1.0.0; hotfix/old-crash lands there and is never back-merged."""
    s.branch("support/1.0", "v1.0.0")
    land_hotfix(s, "hotfix/old-crash", start="support/1.0", production="support/1.0", back_merge=None)


SUPPORT = make_policy(only="back-merge", production=["main", "support/*"])


def test_a_support_line_is_not_merged_into_develop(gitflow_repo: Scenario) -> None:
    support_hotfix(gitflow_repo)
    _, report = run_check(gitflow_repo, "--now", "2025-03-01", policy=SUPPORT)
    hint = hint_of(report, "back-merge")
    assert "git merge" not in hint, hint
    assert "do not merge it (or its branches) into develop" in hint
    assert "git cherry-pick -x -m 1" in hint and "exceptions: [{rule: back-merge" in hint


def test_the_main_line_is_still_merged_back(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/new-crash", back_merge=None)
    _, report = run_check(gitflow_repo, "--now", "2025-03-01", policy=SUPPORT)
    assert "git switch develop && git merge --no-ff main" in hint_of(report, "back-merge")


# -- never name a deleted branch --------------------------------------------------------------------


def test_a_deleted_hotfix_branch_is_not_named(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/gone", back_merge=None)
    gitflow_repo.delete_branch("hotfix/gone")
    _, report = run_check(gitflow_repo, "--now", "2025-03-01", policy=make_policy(only="back-merge"))
    hint = hint_of(report, "back-merge")
    assert "hotfix/gone" not in hint and "git merge --no-ff main" in hint, hint


def test_an_existing_hotfix_branch_is_named(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/kept", back_merge=None)
    _, report = run_check(gitflow_repo, "--now", "2025-03-01", policy=make_policy(only="back-merge"))
    assert "(or: git merge --no-ff hotfix/kept)" in hint_of(report, "back-merge")


def test_an_open_release_branch_is_not_told_to_merge_a_deleted_branch(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("release/1.1", "develop")
    land_hotfix(s, "hotfix/gone")
    s.delete_branch("hotfix/gone")
    policy = make_policy(only="back-merge", rules={"back-merge": {"release_branches": True}})
    _, report = run_check(s, "--now", "2025-03-01", policy=policy)
    (v,) = [x for x in violations(report) if "release/1.1" in x["message"]]
    assert "hotfix/gone" not in v["hint"] and "git switch release/1.1 && git merge --no-ff main" in v["hint"]
