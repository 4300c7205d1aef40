"""Issue 13, items 1, 10, 12: every change that reached production, classified with its evidence.

Each pattern seen in real repositories, acted out firing and silent: a release merge with a
custom message, an outside contributor's ``patch-1`` pull request, production fast-forwarded
to develop, dependabot, a squash of a pull request, a hotfix merged twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from scenario import Scenario, describe, land_hotfix, make_policy, run_check, violations

from hotfix_lint.cli import main

DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
JUDGED = make_policy(
    rules={
        rule: "off"
        for rule in ("changelog-entry", "release-tag", "version-bump", "ticket-reference", "stale-branch")
    }
)


def changes(s: Scenario, *args: str, policy: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """``hotfixes --format json`` rows (``--all`` for every class)."""
    if policy is not None:
        import yaml

        (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(policy))
    out = s.path.parent / f"classes-{s.path.name}.json"
    assert main(["hotfixes", "--repo", str(s.path), "--now", "2025-03-01", "--format", "json",
                 "--output", str(out), *args]) == 0  # fmt: skip
    return list(json.loads(out.read_text())["hotfixes"])


def classes(s: Scenario) -> list[tuple[str, str | None]]:
    return [(row["class"], row["branch"]) for row in changes(s, "--all")]


def about(report: dict[str, Any] | None, commit: str) -> list[dict[str, Any]]:
    return [v for v in violations(report) if v.get("commit") and commit.startswith(str(v["commit"]))]


# -- releases that name no branch ------------------------------------------------------------


def test_release_merge_with_a_custom_message_is_a_release(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("release/3.2.0", "develop", checkout=True)
    s.commit("Bump version to 3.2.0", {"VERSION": "3.2.0\n"})
    s.checkout("main")
    release = s.merge("release/3.2.0", message="Release 3.2.0")
    assert ("release", None) in classes(s)
    assert [r["branch"] for r in changes(s)] == ["hotfix/fix-login-timeout"]
    _, report = run_check(s, policy=JUDGED)
    assert about(report, release) == [], describe(report)


def test_patch_1_pull_request_from_develop_is_a_release(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("patch-1", "develop")  # an outside contributor's fork branch, at develop's tip
    release = s.pr_merge(12, "someone", "patch-1", title="Release")
    (row,) = [r for r in changes(s, "--all") if r["commit"] == release]
    assert row["class"] == "release" and "develop" in row["evidence"]
    _, report = run_check(s, policy=JUDGED)
    assert about(report, release) == [], describe(report)


def test_patch_1_pull_request_of_its_own_work_is_a_hotfix(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("patch-1", "main", checkout=True)
    s.commit("Fix typo", {"README.md": "# Example service.\n"})
    s.checkout("main")
    merge = s.pr_merge(12, "someone", "patch-1")
    (row,) = [r for r in changes(s) if r["commit"] == merge]
    assert row["class"] == "hotfix" and row["branch"] == "patch-1" and row["pull_request"] == 12
    _, report = run_check(s, policy=JUDGED)
    assert "branch-name" in {v["rule"] for v in about(report, merge)}, describe(report)


# -- production fast-forwarded to develop ----------------------------------------------------


def test_fast_forward_to_develop_is_one_event_and_no_hotfix(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.checkout("develop")
    for name in ("feature/a", "feature/b"):
        s.branch(name, checkout=True)
        s.commit(f"Add {name}", {f"app/{name.replace('/', '_')}.py": "A = 1\n"})
        s.checkout("develop")
        s.merge(name)  # "Merge branch 'feature/a' into develop"
    s.checkout("main")
    s.merge_ff("develop")
    s.checkout("develop")
    s.commit("Keep working")
    s.checkout("main")
    found = classes(s)
    assert [c for c, _ in found].count("fast-forward") == 1, found
    assert [r["branch"] for r in changes(s)] == ["hotfix/fix-login-timeout"]  # the one real hotfix
    _, report = run_check(s, policy=JUDGED)
    errors = [v for v in violations(report) if v["severity"] == "error"]
    assert errors == [], describe(report)
    (ff,) = violations(report, "merge-commit")
    assert "fast-forwarded to develop" in ff["message"] and ff["severity"] == "warning"


def test_github_fast_forward_to_develop_tip(gitflow_repo: Scenario) -> None:
    """Pull request merges into develop name no target; develop's tip on main says whose they are."""
    s = gitflow_repo
    s.checkout("develop")
    s.branch("feature-c", checkout=True)
    s.commit("Add c", {"app/c.py": "C = 1\n"})
    s.checkout("develop")
    s.pr_merge(30, "acme", "feature-c")
    s.checkout("main")
    s.merge_ff("develop")
    assert [r["branch"] for r in changes(s)] == ["hotfix/fix-login-timeout"]
    _, report = run_check(s, policy=JUDGED)
    assert [v for v in violations(report) if v["severity"] == "error"] == [], describe(report)


# -- automation -------------------------------------------------------------------------------


def _bump(s: Scenario, branch: str, author: str) -> str:
    s.branch(branch, "main", checkout=True)
    s.commit("Bump requests from 2.31 to 2.32", {"requirements.txt": "requests==2.32\n"}, author=author)
    s.checkout("main")
    return s.pr_merge(77, "acme", branch)


def test_dependabot_merge_is_automation(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merge = _bump(s, "dependabot/pip/requests-2.32", DEPENDABOT)
    (row,) = [r for r in changes(s, "--all") if r["commit"] == merge]
    assert row["class"] == "automation" and row["hotfix"] is False
    _, report = run_check(s, policy=JUDGED)
    assert about(report, merge) == [], describe(report)


def test_a_person_bumping_a_dependency_is_a_hotfix(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merge = _bump(s, "deps/requests-2.32", "Dev <dev@example.com>")
    (row,) = [r for r in changes(s) if r["commit"] == merge]
    assert row["class"] == "hotfix"
    _, report = run_check(s, policy=JUDGED)
    assert "branch-name" in {v["rule"] for v in about(report, merge)}, describe(report)


# -- squash and rebase of a pull request -------------------------------------------------------


def test_squash_of_a_pull_request_from_an_unknown_branch_is_no_hotfix(gitflow_repo: Scenario) -> None:
    """Nothing names the branch: a squash like every pull request of a squash-merging team,
    listed by ``--all`` only, and reported by merge-commit as what it was."""
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", how="squash", pr_number=45, back_merge=None)
    s.delete_branch("hotfix/fix-crash")  # as GitHub does after the merge: nothing names the branch
    squash = hotfix.merge or ""
    assert [r for r in changes(s) if r["commit"] == squash] == []
    (row,) = [r for r in changes(s, "--all") if r["commit"] == squash]
    assert row["class"] == "squash" and row["pull_request"] == 45 and row["branch"] is None, row
    assert row["hotfix"] is False and "source is unknown" in row["evidence"], row
    _, report = run_check(s, policy=JUDGED)
    (found,) = about(report, squash)
    assert found["rule"] == "merge-commit" and found["kind"] == "violation", describe(report)
    assert "squash merge of pull request #45" in found["message"], found["message"]
    assert "source unknown" in found["message"], found["message"]


def test_squash_of_a_badly_named_branch_still_there(gitflow_repo: Scenario) -> None:
    """The branch is found by its patch: branch-name judges it."""
    s = gitflow_repo
    hotfix = land_hotfix(s, "fix-crash", how="squash", pr_number=47)
    squash = hotfix.merge or ""
    (row,) = [r for r in changes(s) if r["commit"] == squash]
    assert row["branch"] == "fix-crash" and "has its patch" in row["evidence"], row
    _, report = run_check(s, policy=JUDGED)
    found = {(v["rule"], v["kind"]) for v in about(report, squash)}
    assert ("branch-name", "violation") in found, describe(report)
    assert "back-merge" not in {rule for rule, _ in found}, describe(report)  # main was merged into develop


def test_squash_naming_its_branch_and_back_merged_by_patch(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/fix-crash", "main", checkout=True)
    s.commit("Fix: crash", {"app/crash.py": "FIXED = 1\n"})
    s.checkout("main")
    squash = s.squash("hotfix/fix-crash", "hotfix/fix-crash: fix the crash (#46)")
    s.checkout("develop")
    s.cherry_pick(squash, x=True)
    s.checkout("main")
    (row,) = [r for r in changes(s) if r["commit"] == squash]
    assert row["branch"] == "hotfix/fix-crash" and row["back_merge"] == "same change (develop)", row
    _, report = run_check(s, policy=JUDGED)
    assert {v["rule"] for v in about(report, squash)} == {"merge-commit"}, describe(report)



def test_a_direct_push_is_its_own_class_not_a_hotfix(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    pushed = s.commit("Quick fix", {"README.md": "# Example service!\n"})
    assert [r["commit"] for r in changes(s) if r["commit"] == pushed] == []
    (row,) = [r for r in changes(s, "--all") if r["commit"] == pushed]
    assert row["class"] == "direct-push" and row["hotfix"] is False and row["reached_via"] == "direct push"
    _, report = run_check(s, policy=JUDGED)
    assert {v["rule"] for v in about(report, pushed)} == {"merge-commit"}, describe(report)


# -- a hotfix merged twice ---------------------------------------------------------------------


def test_hotfix_merged_twice_is_one_row(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("stable", "main")
    s.branch("hotfix/fix-crash", "main", checkout=True)
    s.commit("Fix: crash", {"app/crash.py": "FIXED = 1\n"})
    s.checkout("stable")
    s.merge("hotfix/fix-crash", message="Merge branch 'hotfix/fix-crash'")
    s.checkout("main")
    s.merge("hotfix/fix-crash")
    assert s.parents("stable") == s.parents("main")
    policy = {**make_policy(), "production": ["main", "stable"]}
    found = [r for r in changes(s, policy=policy) if r["branch"] == "hotfix/fix-crash"]
    assert len(found) == 1, found


def test_retired_integration_says_so(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "x\n"})
    s.branch("develop")
    land_hotfix(s, "hotfix/fix-crash", changelog=False, tag=False, back_merge=None)
    policy = {**make_policy(), "integration": {"branch": "develop", "retired_since": "2000-01-01"}}
    (row,) = changes(s, policy=policy)
    assert row["back_merge"].startswith("n/a (develop retired"), row


@pytest.mark.parametrize("moved", [False, True])
def test_base_is_where_the_branch_was_cut_when_it_landed_twice(gitflow_repo: Scenario, moved: bool) -> None:
    """With ``moved``, production moved between the cut and the first landing, which had two
    commits: the cut is found through that landing's own commits, not at production's tip."""
    s = gitflow_repo
    cut = s.rev("main")
    s.branch("hotfix/fix-crash", "main", checkout=True)
    s.commit("Fix: crash", {"app/crash.py": "FIXED = 1\n"})
    if moved:
        s.commit("Fix: crash, tested", {"tests/test_crash.py": "X = 1\n"})
    s.checkout("main")
    if moved:
        s.commit("Meanwhile on main", {"app/other.py": "Y = 1\n"})
    first = s.merge("hotfix/fix-crash")
    s.checkout("hotfix/fix-crash")
    s.commit("Fix: crash, part 2", {"app/crash.py": "FIXED = 2\n"})
    s.checkout("main")
    s.merge("hotfix/fix-crash")
    newest = changes(s)[0]
    assert newest["branch"] == "hotfix/fix-crash" and newest["base"] == cut, newest
    assert f"continued after landing at {first[:10]}" in newest["base_state"]


def test_a_fix_branch_merged_into_develop_is_not_a_hotfix_once_released(gitflow_repo: Scenario) -> None:
    """pi-hole: `fix/*` is a hotfix pattern, but a `fix/x` pull request merged into the
    integration branch reaches production inside a release (off production's first-parent
    chain, on develop's): it is part of that release, not a hotfix landed and fast-forwarded."""
    s = gitflow_repo
    policy = make_policy(hotfix_branch=["hotfix/*", "fix/*"])
    s.branch("fix/spinner", "develop", checkout=True)
    s.commit("Fix the spinner", {"spinner.sh": "spin\n"})
    s.checkout("develop")
    s.pr_merge(41, "octo", "fix/spinner")
    s.checkout("main")
    s.pr_merge(42, "octo", "develop", "Release 2.0")
    rows = changes(s, policy=policy)
    assert "fix/spinner" not in [r["branch"] for r in rows], rows
    assert [r["branch"] for r in rows] == ["hotfix/fix-login-timeout"]


def test_merges_git_made_on_production_stay_its_own_when_develop_catches_up(gitflow_repo: Scenario) -> None:
    """aergo: develop was fast-forwarded to main (not main to develop), so main's own merges sit
    on develop's first-parent history up to its tip. git's `Merge branch 'x'` names no target
    only on main or master: those merges were made on production, and a misnamed hotfix among
    them is judged, not folded into a "fast-forward to develop"."""
    s = gitflow_repo
    s.checkout("main")
    s.merge("develop", message="Merge branch 'develop'")  # a release: main has all of develop
    s.branch("fix/query", "main", checkout=True)
    s.commit("Fix the query", {"query.py": "fixed\n"})
    s.checkout("main")
    landing = s.merge("fix/query", message="Merge branch 'fix/query'")
    s.checkout("develop")
    s.merge_ff("main")  # develop catches up with main: main's merge is on develop's chain now
    assert ("hotfix", "fix/query") in classes(s)
    _, report = run_check(s, "--now", "2025-03-01", policy=make_policy(only="branch-name"))
    assert any("fix/query" in v["message"] for v in about(report, landing)), describe(report)


def test_a_fix_branch_merged_into_a_release_branch_came_with_that_release(gitflow_repo: Scenario) -> None:
    """pi-hole: `fix/x` pull requests merged into `release/v5.0`, which was merged into main:
    off main's first-parent history, brought by a release merge, so part of that release."""
    s = gitflow_repo
    policy = make_policy(hotfix_branch=["hotfix/*", "fix/*"])
    s.branch("release/2.0", "develop", checkout=True)
    s.branch("fix/spinner", "release/2.0", checkout=True)
    s.commit("Fix the spinner", {"spinner.sh": "spin\n"})
    s.checkout("release/2.0")
    s.pr_merge(41, "octo", "fix/spinner")
    s.checkout("main")
    s.pr_merge(42, "octo", "release/2.0", "Release 2.0")
    rows = changes(s, policy=policy)
    assert [r["branch"] for r in rows] == ["hotfix/fix-login-timeout"], rows


def test_a_rebased_hotfix_not_in_develop_is_ported_commit_by_commit(gitflow_repo: Scenario) -> None:
    """The back-merge hint of a rebase landing copies every commit the rebase made, oldest
    first (one cherry-pick of the newest would leave the others out)."""
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", how="rebase", commits=2, back_merge=None)  # the branch names it
    newest = s.rev("main")
    oldest = s.first_parents("main")[1]
    _, report = run_check(s, policy=JUDGED)
    (v,) = [v for v in about(report, newest) if v["rule"] == "back-merge"]
    assert f"git switch develop && git cherry-pick -x '{oldest}^..{newest}'" in v["hint"], v["hint"]
    assert hotfix.merge == newest
