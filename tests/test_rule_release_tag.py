"""``release-tag``: each hotfix is tagged on production right after its merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rule_helpers import check, only
from scenario import (
    BOT_IDENTITY,
    Scenario,
    add_changelog_section,
    assert_clean,
    assert_only,
    changelog_section,
    describe,
    land_hotfix,
    same_commit,
    violations,
)

RULE = "release-tag"
POLICY = only(RULE, {"annotated": True, "message_pattern": "^Hotfix {version}$"})
#: hotfix branches named by version, so that a tag is found by the hotfix's version
VERSIONED = only(RULE, {"annotated": True}, hotfix_branch=["hotfix/{version}", "hotfix/{slug}"])


def test_compliant_tag_is_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo)  # tags v1.0.2 "Hotfix 1.0.2" on the merge
    assert_clean(*check(gitflow_repo, POLICY))


def test_missing_tag_fires(gitflow_repo: Scenario) -> None:
    made = land_hotfix(gitflow_repo, tag=False)
    status, report = check(gitflow_repo, POLICY)
    (v,) = assert_only(report, RULE, severity="error")
    assert same_commit(v["commit"], made.merge or "") and "git tag -a -m 'Hotfix X.Y.Z' vX.Y.Z " in v["hint"]
    assert status == 1


def test_missing_tag_within_grace_is_pending(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, tag=False)
    day = (gitflow_repo.clock.now + dt.timedelta(days=1)).date().isoformat()
    policy = only(RULE, {"grace_days": 3})
    (v,) = assert_only(check(gitflow_repo, policy, now=day)[1], RULE, severity="warning")
    assert v["message"].startswith("pending")


def test_lightweight_tag(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, tag=False)
    gitflow_repo.tag("v1.0.2", annotated=False)
    (v,) = assert_only(check(gitflow_repo, POLICY)[1], RULE)
    assert "lightweight" in v["message"]
    assert_clean(*check(gitflow_repo, only(RULE)))


def test_tag_message_must_match(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, tag=False)
    gitflow_repo.tag("v1.0.2", message="release")
    (v,) = assert_only(check(gitflow_repo, POLICY)[1], RULE)
    assert "'release' does not match ^Hotfix {version}$" in v["message"]


def test_tag_on_the_branch_before_the_merge(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    made = land_hotfix(s, "hotfix/1.0.2", tag=False)
    s.tag("v1.0.2", message="Hotfix 1.0.2", target=made.tip)
    (v,) = assert_only(check(s, VERSIONED)[1], RULE)
    assert "not on main's first-parent chain" in v["message"]
    # the changelog is judged where the release really was, not at the misplaced tag
    data = only(RULE, {"annotated": True}, hotfix_branch=["hotfix/{version}", "hotfix/{slug}"])
    data["rules"]["changelog-entry"] = "error"
    _, report = check(s, data)
    assert {x["rule"] for x in violations(report)} == {RULE}, describe(report)


def test_tag_after_the_next_merge(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/1.0.2", tag=False)
    land_hotfix(s, "hotfix/1.0.3", version="1.0.3", ticket="ABC-125")
    s.tag("v1.0.2", message="Hotfix 1.0.2", target="v1.0.3")  # on the next hotfix's merge
    (v,) = assert_only(check(s, VERSIONED)[1], RULE)
    assert "after the next merge" in v["message"] and "hotfix/1.0.2" in v["message"]


#: the release bot is the policy's automation (merge-commit's allow_authors), merge-commit itself off
BOT = {"severity": "off", "allow_authors": [r"github-actions\[bot\]"]}


def with_bot(policy: dict[str, Any]) -> dict[str, Any]:
    return {**policy, "rules": {**policy["rules"], "merge-commit": BOT}}


def bot_changelog(s: Scenario, version: str = "1.0.2") -> str:
    text = add_changelog_section(s.read("CHANGELOG.md"), changelog_section(version, "2025-01-06", ["crash (ABC-124)"]))
    return s.commit(f"chore(release): {version}", {"CHANGELOG.md": text}, author=BOT_IDENTITY)


def test_tag_written_by_automation_after_the_merge(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, tag=False, changelog=False)
    bot_changelog(s)
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    assert_clean(*check(s, with_bot(POLICY)))


def test_tag_on_a_version_bump_pull_request_the_policy_names_as_automation(gitflow_repo: Scenario) -> None:
    """ut-issl/s2e-core: the tag is on the next merge, a version-bump pull request (from a
    ``hotfix/...`` branch) that ``allow_messages`` names: automation, merge or not, and no hotfix."""
    s = gitflow_repo
    land_hotfix(s, "hotfix/1.0.2", tag=False)
    s.branch("hotfix/update-version-v1.0.2", "main", checkout=True)
    s.commit("Update version to v1.0.2", {"VERSION": "1.0.2\n"})
    s.checkout("main")
    bump = s.merge("hotfix/update-version-v1.0.2", message="Merge pull request #9 from o/hotfix/update-version-v1.0.2")
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    named = {
        **VERSIONED,
        "rules": {**VERSIONED["rules"], "merge-commit": {"severity": "off", "allow_messages": ["update-version-v"]}},
    }
    assert_clean(*check(s, named))
    (v,) = assert_only(check(s, VERSIONED)[1], RULE)  # not named: the bump is the next change
    assert f"at or after the next merge {bump[:10]}" in v["message"], v["message"]


def test_tag_after_an_unrelated_commit_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/1.0.2", tag=False)
    other = s.commit("Tweak the banner", {"app/banner.py": "TEXT = 'hi'\n"})
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    (v,) = assert_only(check(s, with_bot(VERSIONED))[1], RULE)
    assert f"past {other[:10]} ('Tweak the banner'), which is not automation" in v["message"], v["message"]
    assert v["ref"] == "v1.0.2"


def test_tag_after_a_commit_the_policy_does_not_name_as_automation_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, tag=False, changelog=False)
    bot = bot_changelog(s)
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    (v,) = assert_only(check(s, POLICY)[1], RULE)  # no allow_authors: the bot is not automation
    assert "no release tag" in v["message"] and f"past {bot[:10]}" in v["message"], v["message"]


def test_tag_placed_late_on_the_landing_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    made = land_hotfix(s, "hotfix/1.0.2", tag=False)
    land_hotfix(s, "hotfix/1.0.3", version="1.0.3", ticket="ABC-125")
    s.clock.advance(days=30)
    s.tag("v1.0.2", message="Hotfix 1.0.2", target=made.merge)  # a month later, on the landing itself
    assert_clean(*check(s, VERSIONED))


def test_tag_placed_late_on_the_automation_commit_is_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, tag=False, changelog=False)
    bot = bot_changelog(s)
    land_hotfix(s, "hotfix/other", version="1.0.3", ticket="ABC-125")
    s.clock.advance(days=30)
    s.tag("v1.0.2", message="Hotfix 1.0.2", target=bot)
    assert_clean(*check(s, with_bot(POLICY)))


def test_changelog_is_read_at_the_landing_plus_its_automation(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, tag=False, changelog=False)
    bot_changelog(s)  # the bot writes the changelog right after the landing
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    policy = with_bot(POLICY)
    policy["rules"]["changelog-entry"] = "error"
    assert_clean(*check(s, policy))
    # a later human commit is not the release: the changelog it writes does not count
    t = gitflow_repo
    later = land_hotfix(t, "hotfix/later", version="1.0.3", ticket="ABC-125", tag=False, changelog=False)
    t.commit("Docs: changelog", {"CHANGELOG.md": t.read("CHANGELOG.md") + "\n## [1.0.3] - 2025-01-07\n- later\n"})
    _, report = check(t, only("changelog-entry"))
    (v,) = [x for x in violations(report) if "hotfix/later" in x["message"]]
    assert same_commit(v["commit"], later.merge or ""), describe(report)  # read at the landing, not the tip


def test_tag_with_another_version_than_the_branch(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit", {"CHANGELOG.md": "# Changelog\n"})
    s.branch("develop")
    s.branch("hotfix-v1.0.1", checkout=True)
    s.commit("Fix: x")
    s.checkout("main")
    s.merge("hotfix-v1.0.1")
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    (v,) = assert_only(check(s, only(RULE, hotfix_branch="hotfix-v{version}"))[1], RULE)
    assert "its version 1.0.2 is not the hotfix's version 1.0.1" in v["message"]


def _landed_saying(s: Scenario, branch: str, version: str) -> None:
    """A hotfix whose changelog and VERSION say ``version``, merged into main."""
    s.commit("Initial commit", {"CHANGELOG.md": "# Changelog\n", "VERSION": "1.0.0\n"})
    s.branch("develop")
    s.branch(branch, checkout=True)
    log = "# Changelog\n\n" + changelog_section(version, "2025-01-02", ["crash"])
    s.commit("Fix: crash", {"CHANGELOG.md": log, "VERSION": f"{version}\n"})
    s.checkout("main")
    s.merge(branch)


def test_tag_is_the_odd_one_out(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    _landed_saying(s, "hotfix/crash", "1.0.1")
    s.tag("v1.0.3", message="Hotfix 1.0.3")
    (v,) = assert_only(check(s, only(RULE))[1], RULE)
    assert "the changelog and the version files at the tag say 1.0.1, the tag says 1.0.3" in v["message"]


def test_branch_under_check_is_not_judged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/pending", checkout=True)
    s.commit("Fix: pending (ABC-200)")
    s.checkout("main")
    assert_clean(*check(s, POLICY, "--branch", "hotfix/pending"))


def test_waiver_by_merge_commit(gitflow_repo: Scenario) -> None:
    made = land_hotfix(gitflow_repo, tag=False)
    policy = dict(POLICY, exceptions=[{"rule": RULE, "commit": (made.merge or "")[:8], "reason": "tagged elsewhere"}])
    status, report = check(gitflow_repo, policy)
    assert violations(report) == [] and status == 0, describe(report)


def test_tag_on_a_later_fix_up_is_not_the_odd_one_out(scenario: Callable[..., Scenario]) -> None:
    """gitflow-avh 1.5.2: merged saying 1.0.1-rc.1, then a hand-made "Update version number."
    on main carries the tag 1.0.1. The tag is placed after a change that is not automation (the
    finding), but it is not "the odd one out": what the landing says is not what the tag's
    commit says, and the tag names the hotfix's own version."""
    s = scenario()
    _landed_saying(s, "hotfix/1.0.1", "1.0.1-rc.1")
    log = "# Changelog\n\n" + changelog_section("1.0.1", "2025-01-02", ["crash"])
    fixup = s.commit("Update version number.", {"CHANGELOG.md": log, "VERSION": "1.0.1\n"})
    s.tag("v1.0.1", message="Hotfix 1.0.1")
    (v,) = assert_only(check(s, only(RULE, hotfix_branch="hotfix/{version}"))[1], RULE)
    assert f"past {fixup[:10]} ('Update version number.'), which is not automation" in v["message"], v["message"]
    assert "the tag says" not in v["message"], v["message"]
