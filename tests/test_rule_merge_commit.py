"""Acceptance tests for ``merge-commit``: production moves only by two-parent merge commits.

Each way of landing without a merge commit is named: squash, rebase, fast-forward, direct
push, octopus. The root commit and allowed automation commits are fine; ``since`` limits
how far back the first-parent chain is judged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from scenario import (
    BOT_IDENTITY,
    Scenario,
    assert_clean,
    assert_only,
    describe,
    land_hotfix,
    make_policy,
    run_check,
    same_commit,
    violations,
)

ONLY = make_policy(only="merge-commit")


def _named(found: list[dict[str, object]], word: str) -> bool:
    return any(re.search(word, str(v["message"]), re.IGNORECASE) for v in found)


def test_merge_commits_are_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2")
    land_hotfix(gitflow_repo, "hotfix/fix-pr", version="1.0.3", how="pr", pr_number=43)
    status, report = run_check(gitflow_repo, policy=ONLY)
    assert_clean(status, report)


def test_root_commit_is_fine(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "hello\n"})
    s.branch("develop")
    status, report = run_check(s, policy=ONLY)
    assert_clean(status, report)


def test_git_squash_merge_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/fix-crash", checkout=True)
    s.commit("Fix: crash (ABC-150)")
    s.commit("Add test for the crash")
    s.checkout("main")
    squashed = s.squash("hotfix/fix-crash")  # git's "Squashed commit of the following:"
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], squashed), describe(report)
    assert _named([v], "squash"), describe(report)
    assert status == 1


def test_github_squash_merge_fires(gitflow_repo: Scenario) -> None:
    hotfix = land_hotfix(gitflow_repo, "hotfix/fix-thing", version="1.0.2", how="squash", pr_number=42)
    assert gitflow_repo.subject(hotfix.merge or "") == "Fix: fix thing (#42)"
    status, report = run_check(gitflow_repo, policy=ONLY)
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], hotfix.merge or ""), describe(report)
    assert _named([v], "squash"), describe(report)
    assert status == 1


def test_rebase_merge_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    before = s.rev("main")
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2", how="rebase", commits=3)
    rebased = s.first_parents("main")[: s.first_parents("main").index(before)]
    assert len(rebased) == 3
    status, report = run_check(s, policy=ONLY)
    found = violations(report, "merge-commit")
    assert found, describe(report)
    assert _named(found, "rebase"), describe(report)
    assert all(same_commit(v["commit"], *rebased) for v in found), describe(report)
    assert status == 1


def test_fast_forward_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", how="ff")
    assert s.rev("main") == s.rev("hotfix/fix-crash") == hotfix.tip
    status, report = run_check(s, policy=ONLY)
    found = violations(report, "merge-commit")
    assert found, describe(report)
    assert _named(found, r"fast.?forward"), describe(report)
    assert any(same_commit(v["commit"], hotfix.tip) for v in found), describe(report)
    assert status == 1


def test_fast_forward_to_develop_is_one_event(gitflow_repo: Scenario) -> None:
    """main fast-forwarded to develop: develop's merges (into develop) now sit on main's chain.

    One fast-forward finding, a warning (it released; no hotfix lost its unit), not one error
    per commit (issue 13: one such fast-forward became 35 to 221 errors, many "direct push")."""
    s = gitflow_repo
    s.merge_ff("develop")
    s.checkout("develop")
    s.commit("Keep working")  # develop moves on: main's tip is no longer a branch tip
    s.checkout("main")
    status, report = run_check(s, policy=ONLY)
    (found,) = violations(report, "merge-commit")
    assert _named([found], r"fast-forwarded to develop"), describe(report)
    assert found["severity"] == "warning" and status == 0, describe(report)


def test_direct_push_fires(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    pushed = s.commit("Fix typo in README", {"README.md": "# Example service!\n"})
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], pushed), describe(report)
    assert _named([v], "direct"), describe(report)
    assert status == 1


def test_direct_push_alone_yields_only_merge_commit(gitflow_repo: Scenario) -> None:
    """A commit pushed to main is not a hotfix merge: only merge-commit judges it."""
    s = gitflow_repo
    s.commit("Fix typo in README", {"README.md": "# Example service!\n"})
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    status, report = run_check(s, policy=make_policy())
    assert_only(report, "merge-commit", severity="error")
    assert status == 1


def test_octopus_merge_fires_unless_allowed(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    for name in ("hotfix/fix-a", "hotfix/fix-b"):
        s.branch(name, "main", checkout=True)
        s.commit(f"Fix: {name} (ABC-151)")
    s.checkout("main")
    octopus = s.octopus("hotfix/fix-a", "hotfix/fix-b")
    assert len(s.parents(octopus)) == 3
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], octopus), describe(report)
    assert _named([v], "octopus"), describe(report)
    assert status == 1
    allowed = make_policy(only="merge-commit", rules={"merge-commit": {"allow_octopus": True}})
    status, report = run_check(s, policy=allowed)
    assert_clean(status, report)


def test_allow_messages_lets_automation_through(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("chore(release): 1.0.2", {"VERSION": "1.0.2\n"}, author=BOT_IDENTITY)
    status, report = run_check(s, policy=ONLY)
    assert violations(report, "merge-commit"), describe(report)
    allowed = make_policy(only="merge-commit", rules={"merge-commit": {"allow_messages": [r"^chore\(release\)"]}})
    status, report = run_check(s, policy=allowed)
    assert_clean(status, report)
    pushed = s.commit("Quick fix straight on main", {"app/login.py": "TIMEOUT = 31\n"})
    status, report = run_check(s, policy=allowed)
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], pushed), describe(report)
    assert status == 1


def test_allow_authors_lets_automation_through(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("Update CHANGELOG.md and bump version", {"VERSION": "1.0.2\n"}, author=BOT_IDENTITY)
    allowed = make_policy(only="merge-commit", rules={"merge-commit": {"allow_authors": [r"github-actions\[bot\]"]}})
    status, report = run_check(s, policy=allowed)
    assert_clean(status, report)
    by_email = make_policy(
        only="merge-commit", rules={"merge-commit": {"allow_authors": [r"@users\.noreply\.github\.com$"]}}
    )
    status, report = run_check(s, policy=by_email)
    assert_clean(status, report)


def _old_violation_then_compliant(s: Scenario) -> str:
    s.commit("Initial commit", {"README.md": "hello\n", "CHANGELOG.md": "# Changelog\n"})
    s.branch("develop")
    pushed = s.commit("Quick fix pushed straight to main")
    land_hotfix(s, "hotfix/fix-a", version="1.0.0", changelog=False)
    land_hotfix(s, "hotfix/fix-b", version="1.0.1", changelog=False)
    return pushed


@pytest.mark.parametrize("where", ["flag", "policy"])
def test_since_excludes_older_history(scenario: Callable[..., Scenario], where: str) -> None:
    s = scenario()
    pushed = _old_violation_then_compliant(s)
    status, report = run_check(s, policy=ONLY)
    (v,) = violations(report, "merge-commit")
    assert same_commit(v["commit"], pushed), describe(report)
    if where == "flag":
        status, report = run_check(s, "--since", "v1.0.0", policy=ONLY)
    else:
        status, report = run_check(s, policy=make_policy(only="merge-commit", since="v1.0.0"))
    assert_clean(status, report)


def test_waiver_for_a_commit(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    pushed = s.commit("Emergency config change", {"config.yaml": "timeout: 30\n"})

    def waiver(expires: str) -> dict[str, object]:
        return make_policy(
            only="merge-commit",
            exceptions=[{"rule": "merge-commit", "commit": pushed, "reason": "incident INC-7", "expires": expires}],
        )

    status, report = run_check(s, policy=waiver("2999-12-31"))
    assert violations(report) == [], describe(report)
    (waived,) = violations(report, "merge-commit", waived=True)
    assert waived["waived"] is True
    assert report is not None and report["summary"]["waived"] == 1
    assert status == 0
    # an expired waiver no longer applies
    status, report = run_check(s, policy=waiver("2001-01-01"))
    assert violations(report, "merge-commit", severity="error"), describe(report)
    assert status == 1
