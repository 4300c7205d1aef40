"""Acceptance tests across rules: the report contract, exit statuses and awkward histories.

Empty repository, detached HEAD, shallow clone, a reverted hotfix, renamed branches and a
hotfix merged twice. (A repository without develop is in ``test_rule_back_merge.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from scenario import (
    RULE_IDS,
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

# -- the report contract ------------------------------------------------------------------------


def test_compliant_gitflow_passes_every_rule(gitflow_repo: Scenario) -> None:
    from hotfix_lint import __version__

    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)
    assert report is not None
    assert report["version"] == 1
    assert report["tool"] == {"name": "hotfix-lint", "version": __version__}
    assert report["summary"]["errors"] == 0
    assert report["summary"]["warnings"] == 0
    assert report["summary"]["waived"] == 0
    rules_run = report["summary"]["rules_run"]
    assert rules_run == len(RULE_IDS) or sorted(rules_run) == sorted(RULE_IDS)
    assert {"repository", "policy"} <= set(report)


def test_default_policy_without_a_policy_file(gitflow_repo: Scenario) -> None:
    assert not (gitflow_repo.path / ".hotfix-lint.yaml").exists()
    status, report = run_check(gitflow_repo)
    assert_clean(status, report)


def test_violation_fields(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "quickfix-login", version="1.0.2")
    status, report = run_check(gitflow_repo, policy=make_policy())
    (v,) = violations(report)
    assert set(v) >= {"rule", "severity", "message", "ref", "commit", "path", "line", "hint", "waived"}
    assert v["waived"] is False
    assert report is not None and report["summary"]["errors"] == 1
    assert status == 1


def test_severity_from_policy(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "quickfix-login", version="1.0.2")
    status, report = run_check(gitflow_repo, policy=make_policy(rules={"branch-name": "warning"}))
    assert_only(report, "branch-name", severity="warning")
    assert report is not None and report["summary"]["warnings"] == 1
    assert status == 0


# -- exit status 2 --------------------------------------------------------------------------------


def test_not_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    status, _report = run_check(plain)
    assert status == 2


@pytest.mark.parametrize(
    "rules",
    [{"no-such-rule": "error"}, {"merge-commit": "fatal"}, {"merge-commit": {"no_such_option": 1}}],
)
def test_broken_policy_is_a_usage_error(gitflow_repo: Scenario, rules: dict[str, object]) -> None:
    status, _report = run_check(gitflow_repo, policy=make_policy(rules=rules))
    assert status == 2


def test_shallow_clone_says_how_much_history_is_needed(
    gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    shallow = gitflow_repo.shallow_clone(1)
    assert shallow.is_shallow()
    status, _report = run_check(shallow)
    out = capsys.readouterr()
    assert status == 2
    assert re.search(r"fetch-depth|unshallow", out.err + out.out), out


# -- awkward histories ------------------------------------------------------------------------------


def test_empty_repository(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    status, report = run_check(s, policy=make_policy())
    assert report is not None
    assert report["summary"]["errors"] == 0
    assert status == 0


def test_empty_repository_with_default_policy(scenario: Callable[..., Scenario]) -> None:
    status, report = run_check(scenario())
    assert status == 0
    assert report is not None and report["summary"]["errors"] == 0
    assert report["violations"] == [], "nothing to judge: not even a could-not-check"
    assert any("no commits yet" in note for note in report["notes"])


def test_detached_head_history_is_still_checked(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    pushed = s.commit("Fix typo in README", {"README.md": "# Example service!\n"})
    s.detach("v1.0.0")
    assert s.current_branch() is None
    status, report = run_check(s, policy=make_policy(only="merge-commit"))
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], pushed), describe(report)
    assert status == 1


def test_detached_head_compliant_history(gitflow_repo: Scenario) -> None:
    gitflow_repo.detach(gitflow_repo.marks["hotfix_fix"])
    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)


def test_reverted_hotfix_through_a_hotfix_branch(gitflow_repo: Scenario) -> None:
    """The login fix is reverted by a hotfix of its own; both are compliant."""
    s = gitflow_repo
    s.branch("hotfix/revert-login-timeout", "main", checkout=True)
    s.revert(s.marks["hotfix_merge"])
    text = add_changelog_section(
        s.read("CHANGELOG.md", rev="v1.0.1"),
        changelog_section("1.0.2", "2025-01-08", ["revert the login timeout change (ABC-123)"]),
    )
    s.commit("Changelog for 1.0.2 (ABC-123)", {"CHANGELOG.md": text})
    s.checkout("main")
    s.merge("hotfix/revert-login-timeout")
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    assert s.read("app/login.py") == "TIMEOUT = 5\n"
    status, report = run_check(s, policy=make_policy(ticket_pattern=r"ABC-\d+"))
    assert_clean(status, report)


def test_hotfix_reverted_directly_on_main(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    revert = s.revert(s.marks["hotfix_merge"])
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    status, report = run_check(s, policy=make_policy())
    (v,) = assert_only(report, "merge-commit", severity="error")
    assert same_commit(v["commit"], revert), describe(report)
    assert status == 1


def test_branch_renamed_before_merging_is_judged_by_its_new_name(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("quickfix-login", checkout=True)
    text = add_changelog_section(
        s.read("CHANGELOG.md"), changelog_section("1.0.2", "2025-01-08", ["login again (ABC-160)"])
    )
    s.commit("Fix: login again (ABC-160)", {"app/login.py": "TIMEOUT = 45\n", "CHANGELOG.md": text})
    s.rename_branch("quickfix-login", "hotfix/login-again")
    s.checkout("main")
    s.merge("hotfix/login-again")
    s.tag("v1.0.2", message="Hotfix 1.0.2")
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    status, report = run_check(s, policy=make_policy())
    assert_clean(status, report)


def test_branch_renamed_after_merging_is_judged_by_the_name_it_was_merged_under(
    gitflow_repo: Scenario,
) -> None:
    s = gitflow_repo
    land_hotfix(s, "quickfix-login", version="1.0.2")
    s.rename_branch("quickfix-login", "hotfix/quickfix-login")
    status, report = run_check(s, policy=make_policy(only="branch-name"))
    (v,) = violations(report, "branch-name")
    assert "quickfix-login" in v["message"], describe(report)
    assert status == 1


def _merge_twice(s: Scenario, back_merge_second: bool) -> tuple[str, str]:
    """hotfix/fix-crash lands as 1.0.2, gets a follow-up commit and lands again as 1.0.3."""
    first = land_hotfix(s, "hotfix/fix-crash", version="1.0.2")
    s.checkout("hotfix/fix-crash")
    text = add_changelog_section(
        s.read("CHANGELOG.md"), changelog_section("1.0.3", "2025-01-09", ["crash, part two (ABC-124)"])
    )
    s.commit("Fix: crash, part two (ABC-124)", {"app/crash.py": "PART = 2\n", "CHANGELOG.md": text})
    s.checkout("main")
    second = s.merge("hotfix/fix-crash")
    s.tag("v1.0.3", message="Hotfix 1.0.3")
    if back_merge_second:
        s.checkout("develop")
        s.merge("main")
        s.checkout("main")
    assert first.merge is not None
    return first.merge, second


# The second landing's base is the first landing's tip: hotfix-base takes the first merge as
# its base (it was deployed), so no rule but back-merge may speak here.
TWICE = make_policy()


def test_hotfix_merged_twice_and_back_merged(gitflow_repo: Scenario) -> None:
    _merge_twice(gitflow_repo, back_merge_second=True)
    status, report = run_check(gitflow_repo, policy=TWICE)
    assert_clean(status, report)


def test_hotfix_merged_twice_second_not_back_merged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    first, second = _merge_twice(s, back_merge_second=False)
    status, report = run_check(s, policy=TWICE)
    (v,) = assert_only(report, "back-merge", severity="error")
    assert same_commit(v["commit"], second, s.rev("hotfix/fix-crash")), describe(report)
    assert not same_commit(v["commit"], first)
    assert status == 1


def test_hotfix_branch_deleted_after_landing(gitflow_repo: Scenario) -> None:
    """Seed 2, step 6: delete the hotfix branch; history alone still proves compliance."""
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", how="pr", back_merge="branch")
    gitflow_repo.delete_branch("hotfix/fix-crash")
    gitflow_repo.delete_branch("hotfix/fix-login-timeout")
    status, report = run_check(gitflow_repo, policy=make_policy())
    assert_clean(status, report)
