"""Issue 13, items 1 and 10: squash, rebase and direct-push landings as real histories show them.

A squash or rebase is a hotfix only when its source is known to be one (its subject names
the branch, the branch is still there, its merge into integration or GitHub's pull request
names it); otherwise it is what it was, a squash or rebase of a pull request, reported by
merge-commit plainly. A hotfix that landed so is judged by hotfix-base from where its branch
was really cut, or could-not-check says why not. A rebase is told from a direct push by
evidence: commits re-committed by someone other than their author, later than authored.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from github_check import REPO, T0, GitHub, policy
from scenario import GITHUB_IDENTITY, Scenario, describe, land_hotfix, make_policy, run_check, violations

from hotfix_lint.cli import main

BASE_ONLY = make_policy(only="hotfix-base")


def rows(s: Scenario, *args: str) -> list[dict[str, Any]]:
    out = s.path.parent / f"rows-{s.path.name}.json"
    assert main(["hotfixes", "--repo", str(s.path), "--now", "2025-03-01", "--format", "json",
                 "--output", str(out), *args]) == 0  # fmt: skip
    return list(json.loads(out.read_text())["hotfixes"])


def about(report: dict[str, Any] | None, commit: str, rule: str | None = None) -> list[dict[str, Any]]:
    return [v for v in violations(report, rule) if v.get("commit") and commit.startswith(str(v["commit"]))]


# -- rebase or direct push ------------------------------------------------------------------


def test_web_editor_commits_are_a_direct_push_not_a_rebase(gitflow_repo: Scenario) -> None:
    """TheHive 555c65ab81: two README edits in GitHub's web editor (committed as GitHub, at the
    author's own instant). A GitHub "Rebase and merge" (as GitHub, later) is a rebase."""
    s = gitflow_repo
    s.commit("Update README.md", {"README.md": "# one\n"}, committer=GITHUB_IDENTITY)
    edited = s.commit("Update README.md", {"README.md": "# two\n"}, committer=GITHUB_IDENTITY)
    (row,) = [r for r in rows(s, "--all") if r["commit"] == edited]
    assert row["class"] == "direct-push", row
    land_hotfix(s, "hotfix/fix-crash", how="rebase", tag=False, changelog=False, back_merge=None)
    assert rows(s, "--all")[0]["class"] == "rebase"


def test_an_authors_own_amended_commit_is_a_direct_push(gitflow_repo: Scenario) -> None:
    """aergo 83cbcc027c: committed two minutes after it was authored, by its author (an amend or
    a pull --rebase before the push): a direct push, not a rebase merge."""
    s = gitflow_repo
    s.commit("[lua] Get height of the last staking block", {"lua.c": "x\n"})
    later = s.clock.advance(minutes=2)
    s.git("commit", "-q", "--amend", "--no-edit", when=later)
    pushed = s.rev("main")
    (row,) = [r for r in rows(s, "--all") if r["commit"] == pushed]
    assert row["class"] == "direct-push" and row["hotfix"] is False, row
    _, report = run_check(s, policy=make_policy(only="merge-commit"))
    (found,) = about(report, pushed)
    assert "most likely a direct push" in found["message"], describe(report)


# -- hotfix-base of a squash or rebase hotfix -----------------------------------------------


def _squash_from(s: Scenario, start: str) -> str:
    s.branch("hotfix/fix-crash", start, checkout=True)
    s.commit("Fix: crash", {"app/crash.py": "FIXED = 1\n"})
    s.checkout("main")
    return s.squash("hotfix/fix-crash", "hotfix/fix-crash: fix the crash (#46)")


def test_a_squash_hotfix_cut_from_an_old_commit_is_stale(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    squash = _squash_from(s, "main~1")  # before the 1.0.1 hotfix merge, which was deployed
    _, report = run_check(s, policy=BASE_ONLY)
    (found,) = about(report, squash, "hotfix-base")
    assert "cut from" in found["message"] and "stale" in found["message"], describe(report)
    assert "squash" in found["message"] and found["severity"] == "warning", found
    # the hotfixes table says where it was really cut, as the rule does (issue 13, item 12)
    (row,) = [r for r in rows(gitflow_repo) if r["commit"] == squash]
    assert row["base"] == gitflow_repo.rev("main~2") and row["base_state"].startswith("stale"), row


def test_a_squash_hotfix_cut_from_the_deployed_tip_passes(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    squash = _squash_from(s, "main")
    _, report = run_check(s, policy=BASE_ONLY)
    assert about(report, squash, "hotfix-base") == [], describe(report)
    (row,) = [r for r in rows(s) if r["commit"] == squash]
    assert (row["base"], row["base_state"]) == (s.rev("main~1"), "deployed ref"), row


def test_a_squash_hotfix_whose_branch_is_gone_could_not_be_checked(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    squash = _squash_from(s, "main~1")
    s.delete_branch("hotfix/fix-crash")  # its subject still names it: a hotfix, but where was it cut?
    _, report = run_check(s, policy=BASE_ONLY)
    (found,) = about(report, squash, "hotfix-base")
    assert found["kind"] == "could-not-check" and "where its work was cut" in found["message"], found


def test_a_fast_forwarded_hotfix_keeps_its_base(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/ff", how="ff", tag=False, changelog=False)
    _, report = run_check(s, policy=BASE_ONLY)
    assert about(report, hotfix.tip, "hotfix-base") == [], describe(report)


# -- GitHub names a squash's branch ---------------------------------------------------------


def _squashed_pull(gh: GitHub, head: str) -> str:
    """A squash of pull request #7 whose branch was deleted; GitHub knows its head ``head``."""
    gh.state.add_org("octo")
    gh.state.add_repo(REPO, branches=["develop"])
    s = gh.repo
    s.clock.set(dt.datetime.fromtimestamp(T0 + 4000, dt.timezone.utc))
    s.branch(head, "main", checkout=True)
    s.commit("Fix the crash", {"crash.py": "fixed\n"})
    s.checkout("main")
    squash = s.squash(head, "Fix the crash (#7)", committer=GITHUB_IDENTITY)
    s.delete_branch(head)
    gh.state.add_pull(REPO, head=head, number=7, merged_at=T0 + 5000, merge_commit_sha=squash,
                      reviews=[("reviewer", "APPROVED", T0 + 4500)])  # fmt: skip
    return squash


def _check(gh: GitHub) -> list[tuple[str, str]]:
    run = gh.check(policy=policy({"pr-review": "error", "back-merge": "error", "merge-commit": "error"}))
    return [(v["rule"], v["message"]) for v in run.findings()]


def test_github_names_a_squash_a_hotfix(gh: GitHub) -> None:
    squash = _squashed_pull(gh, "hotfix/fix-crash")
    found = _check(gh)
    back = [m for rule, m in found if rule == "back-merge" and squash[:10] in m]
    assert back, found  # a hotfix now: develop has neither its commit nor its patch
    (merge,) = [m for rule, m in found if rule == "merge-commit"]
    assert "from branch 'hotfix/fix-crash', a hotfix" in merge, merge


def test_a_squash_github_does_not_name_stays_unknown(gh: GitHub) -> None:
    squash = _squashed_pull(gh, "release/1.1")  # GitHub's listing leaves release pull requests out
    found = _check(gh)
    assert [rule for rule, m in found if squash[:10] in m] == ["merge-commit"], found
    (merge,) = [m for rule, m in found if rule == "merge-commit"]
    assert "source unknown" in merge, merge


# -- dependabot's pull request merged under its title ------------------------------------------


def test_a_merge_titled_as_dependabot_titles_is_automation(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    merges = {}
    for branch, title in (("bump-setup-python", "Bump actions/setup-python from 4.2.0 to 4.3.0 (#4980)"),
                          ("bump-version", "Bump version to 1.0.2 (#4981)")):  # fmt: skip
        s.branch(branch, "main", checkout=True)
        s.commit(title.split(" (#")[0], {f"{branch}.txt": "x\n"})  # a maintainer wrote it
        s.checkout("main")
        merges[branch] = s.merge(branch, message=title)
    classes = {r["commit"]: r["class"] for r in rows(s, "--all")}
    assert classes[merges["bump-setup-python"]] == "automation"
    assert classes[merges["bump-version"]] == "hotfix"
    _, report = run_check(s, policy=make_policy(only="branch-name"))
    assert about(report, merges["bump-setup-python"]) == [], describe(report)
    assert about(report, merges["bump-version"], "branch-name"), describe(report)


# -- a branch under check: stale from when its work started (collect.git.checked_branch) -------------


def _release_lands_meanwhile(s: Scenario) -> None:
    """A release of develop reaches main after the hotfix branch's work started."""
    s.clock.advance(days=1)
    s.branch("release/1.1", "develop", checkout=True)
    s.commit("Prepare release 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("main")
    s.merge("release/1.1")
    s.checkout("main")


def _branch_from(s: Scenario, start: str) -> None:
    s.branch("hotfix/in-review", start, checkout=True)
    s.commit("Fix: in review", {"app/review.py": "FIXED = 1\n"})
    s.checkout("main")


def test_a_branch_cut_from_the_tip_stays_fresh_when_production_moves(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _branch_from(s, "main")
    _release_lands_meanwhile(s)  # main moved while the branch was in review: not stale
    _, report = run_check(s, "--branch", "hotfix/in-review", policy=BASE_ONLY)
    assert violations(report, "hotfix-base") == [], describe(report)
    noted = make_policy(only="hotfix-base", rules={"hotfix-base": {"moved_during_review": "warning"}})
    _, report = run_check(s, "--branch", "hotfix/in-review", policy=noted)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning" and "moved 1 first-parent commit(s) since" in v["message"], v


def test_a_branch_cut_from_an_older_commit_than_deployed_then_is_stale(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _branch_from(s, "main~1")  # before the 1.0.1 hotfix, which was deployed when the work started
    _release_lands_meanwhile(s)
    _, report = run_check(s, "--branch", "hotfix/in-review", policy=BASE_ONLY)
    (v,) = violations(report, "hotfix-base")
    assert v["severity"] == "warning" and "stale" in v["message"], describe(report)
    assert "1 commit(s) of main older than" in v["message"], v["message"]  # than then, not than now (2)
