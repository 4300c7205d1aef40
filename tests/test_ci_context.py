"""``check`` as a required status check: GitHub Actions runs acted out against scenario repositories.

A pull request is checked on GitHub's detached ``refs/pull/N/merge`` checkout: its head branch
at its head commit, against its base, by the base's policy (a pull request cannot loosen the
policy it is judged by). Pushes and merge groups judge only what they add. A shallow clone
exits 2 with the fix, never with an answer from a truncated history.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from actions_sim import PullRequest, actions_env, pull_request_checkout, push_payload, runner_checkout
from scenario import Scenario, build_gitflow, describe, land_hotfix, make_policy, run_check, violations

from hotfix_lint.ci.context import CIContext, context_from_event, read_ci_context
from hotfix_lint.errors import UserError

POLICY = make_policy(rules={"merge-commit": {"allow_messages": ["^Add the hotfix policy"]}})
SHA_A = "a" * 40
SHA_B = "b" * 40


def origin_repo(scenario: Callable[..., Scenario], policy: dict[str, Any] | None = None) -> Scenario:
    """A compliant git-flow history with the policy committed on main (and merged into develop)."""
    s = build_gitflow(scenario("origin"))
    s.commit("Add the hotfix policy", {".hotfix-lint.yaml": yaml.safe_dump(policy or POLICY, sort_keys=False)})
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    return s


def hotfix_branch(s: Scenario, name: str = "hotfix/fix-crash", *, loosen: dict[str, Any] | None = None) -> str:
    """A hotfix branch cut from main with a changelog entry (``loosen``: it also rewrites the policy)."""
    land_hotfix(s, name, version="1.0.2", how="none", back_merge=None, integration=None, tag=False)
    if loosen is not None:
        s.checkout(name)
        s.commit("Relax the policy", {".hotfix-lint.yaml": yaml.safe_dump(loosen, sort_keys=False)})
        s.checkout("main")
    return s.rev(name)


def stderr(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err


# -- reading the event ---------------------------------------------------------------------------


def test_pull_request_event_names_head_base_and_the_merge_checkout() -> None:
    payload = {
        "number": 12,
        "pull_request": {
            "number": 12,
            "head": {"ref": "hotfix/fix-crash", "sha": SHA_A},
            "base": {"ref": "main", "sha": SHA_B},
            "commits": 3,
        },
    }
    env = {"GITHUB_REF": "refs/pull/12/merge", "GITHUB_REPOSITORY": "octo/app", "GITHUB_RUN_ID": "9",
           "GITHUB_SERVER_URL": "https://github.com"}  # fmt: skip
    ci = context_from_event("pull_request", payload, env)
    assert (ci.head_branch, ci.base_branch, ci.pr_number) == ("hotfix/fix-crash", "main", 12)
    assert (ci.head_sha, ci.base_sha, ci.pr_commits) == (SHA_A, SHA_B, 3)
    assert ci.is_merge_checkout and ci.is_pull_request
    assert ci.run_url == "https://github.com/octo/app/actions/runs/9"


def test_pull_request_target_is_not_a_merge_checkout() -> None:
    payload = {"pull_request": {"number": 1, "head": {"ref": "hotfix/x", "sha": SHA_A}, "base": {"ref": "main"}}}
    ci = context_from_event("pull_request_target", payload, {"GITHUB_REF": "refs/heads/main"})
    assert ci.is_pull_request and not ci.is_merge_checkout and ci.base_sha is None


def test_head_and_base_fall_back_to_the_runner_variables() -> None:
    ci = context_from_event(
        "pull_request", {"number": 3}, {"GITHUB_HEAD_REF": "hotfix/fix-a", "GITHUB_BASE_REF": "main"}
    )
    assert (ci.head_branch, ci.base_branch, ci.pr_number, ci.head_sha) == ("hotfix/fix-a", "main", 3, None)


def test_merge_group_event() -> None:
    payload = {
        "merge_group": {
            "head_sha": SHA_A,
            "head_ref": f"refs/heads/gh-readonly-queue/main/pr-128-{SHA_B}",
            "base_sha": SHA_B,
            "base_ref": "refs/heads/main",
            "head_commit": {"id": SHA_A, "message": "Merge pull request #128 from octo/hotfix/fix-crash\n\nFix"},
        }
    }
    ci = context_from_event("merge_group", payload, {})
    assert (ci.base_branch, ci.pr_number, ci.head_branch) == ("main", 128, "hotfix/fix-crash")
    assert (ci.head_sha, ci.base_sha) == (SHA_A, SHA_B)
    assert ci.is_merge_group and not ci.is_pull_request


def test_push_event_new_branch_has_no_before() -> None:
    payload = {"ref": "refs/heads/hotfix/fix-crash", "before": "0" * 40, "after": SHA_A}
    ci = context_from_event("push", payload, {})
    assert (ci.head_branch, ci.head_sha, ci.before_sha) == ("hotfix/fix-crash", SHA_A, None)
    tag = context_from_event("push", {"ref": "refs/tags/v1.0.2", "after": SHA_A}, {})
    assert tag.head_branch is None


def test_the_default_branch_comes_from_the_event() -> None:
    """A push names the repository's default branch; a schedule runs on it (its payload names none)."""
    push = context_from_event("push", {"ref": "refs/heads/hotfix/x", "repository": {"default_branch": "trunk"}}, {})
    assert push.default_branch == "trunk"
    schedule = context_from_event("schedule", {"schedule": "0 3 * * *"}, {"GITHUB_REF": "refs/heads/trunk"})
    assert schedule.default_branch == "trunk"
    assert read_ci_context({"CI": "true", "CI_DEFAULT_BRANCH": "trunk"}) == CIContext("ci", default_branch="trunk")


def test_outside_ci_and_other_ci_systems() -> None:
    assert read_ci_context({}) is None
    assert read_ci_context({"CI": "true"}) == CIContext("ci")


def test_a_commit_id_that_is_not_one_is_refused() -> None:
    payload = {"pull_request": {"head": {"ref": "hotfix/x", "sha": "$(rm -rf /)"}, "base": {"ref": "main"}}}
    with pytest.raises(UserError, match="not a commit id"):
        context_from_event("pull_request", payload, {})


def test_unreadable_event_file_is_a_usage_error(
    gitflow_repo: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = actions_env(monkeypatch, tmp_path, "pull_request", {})
    path.write_text("{not json", encoding="utf-8")
    status, report = run_check(gitflow_repo)
    assert status == 2 and report is None
    assert "GITHUB_EVENT_PATH" in stderr(capsys)


# -- pull requests -------------------------------------------------------------------------------


def test_pull_request_on_the_merge_checkout_judges_the_head_branch(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin)
    pr = pull_request_checkout(origin, "hotfix/fix-crash")
    assert pr.checkout.current_branch() is None  # detached at refs/pull/7/merge
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    status, report = run_check(pr.checkout)
    assert report is not None
    assert violations(report) == [], describe(report)
    assert status == 0
    notes = "\n".join(report["notes"])
    assert "pull_request #7: hotfix/fix-crash into main" in notes
    assert f"checked hotfix branch hotfix/fix-crash at {pr.head_sha[:10]} against main" in notes
    assert "production history not judged" in notes


def test_pull_request_with_a_bad_branch_name_fails(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/Fix_Crash")
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    status, report = run_check(pr.checkout)
    (found,) = violations(report, "branch-name")
    assert "hotfix/Fix_Crash" in found["message"]
    assert status == 1


def test_head_sha_comes_from_the_merge_commit_when_the_event_lacks_it(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/Fix_Crash")
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    actions_env(monkeypatch, tmp_path, "pull_request", {"number": 7}, pr.env())
    status, report = run_check(pr.checkout)
    (found,) = violations(report, "branch-name")
    assert found["commit"] == pr.head_sha
    assert status == 1


def test_a_release_pull_request_is_not_a_hotfix(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = origin_repo(scenario)
    origin.checkout("develop")
    origin.commit("Add a feature")
    origin.checkout("main")
    pr = pull_request_checkout(origin, "develop")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    status, report = run_check(pr.checkout)
    assert status == 0 and report is not None
    assert any("develop is the integration branch, not a hotfix branch" in n for n in report["notes"])


def head_named(pr: PullRequest, name: str, head_repo: str = "octo/app") -> tuple[dict[str, Any], dict[str, str]]:
    """The event of ``pr`` with its head called ``name`` in ``head_repo`` (the base lives in octo/app)."""
    payload = pr.payload()
    payload["pull_request"]["head"].update({"ref": name, "repo": {"full_name": head_repo}})
    payload["pull_request"]["base"]["repo"] = {"full_name": "octo/app"}
    return payload, {**pr.env(), "GITHUB_HEAD_REF": name}


@pytest.mark.parametrize("name", ["main", "develop", "release/2.0"])
def test_a_fork_head_named_like_a_line_is_judged_as_a_hotfix(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """mallory/app's ``main`` (or ``develop``) is not octo/app's, whatever it is called."""
    origin = origin_repo(scenario)
    hotfix_branch(origin, "forked")  # what the fork's branch holds: a change into main
    pr = pull_request_checkout(origin, "forked")
    payload, env = head_named(pr, name, head_repo="mallory/app")
    actions_env(monkeypatch, tmp_path, "pull_request", payload, env)
    status, report = run_check(pr.checkout)
    assert report is not None
    assert [v["ref"] for v in violations(report, "branch-name")] == [name], describe(report)
    assert status == 1
    said = f"the pull request's head {name} is named like"
    assert any(said in n and "comes from another repository (mallory/app)" in n for n in report["notes"])
    assert any(f"checked hotfix branch {name} at {pr.head_sha[:10]} against main" in n for n in report["notes"])


def test_a_same_repository_head_counts_as_a_line_only_at_its_tip(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A head called ``develop`` whose commit is not develop's tip, or ``release/9.9`` that the
    clone does not have, is judged; the real ``develop`` at its tip is not."""
    origin = origin_repo(scenario)
    hotfix_branch(origin, "sneaky")
    pr = pull_request_checkout(origin, "sneaky")
    for name, why in [
        ("develop", f"its commit ({pr.head_sha[:10]}) is not the tip of develop"),
        ("release/9.9", "this repository has no branch release/9.9"),
    ]:
        payload, env = head_named(pr, name)
        actions_env(monkeypatch, tmp_path, "pull_request", payload, env)
        status, report = run_check(pr.checkout)
        assert report is not None
        assert any(why in n and "judged as a hotfix branch" in n for n in report["notes"]), report["notes"]
        assert [v["ref"] for v in violations(report, "branch-name")] == [name], describe(report)
        assert status == 1
    origin.checkout("develop")
    origin.commit("Add a feature")
    origin.checkout("main")
    real = pull_request_checkout(origin, "develop", number=8)
    actions_env(monkeypatch, tmp_path, "pull_request", *head_named(real, "develop"))
    status, report = run_check(real.checkout)
    assert status == 0 and report is not None
    assert any("develop is the integration branch, not a hotfix branch: nothing to judge" in n for n in report["notes"])


# -- the policy a pull request is judged by ---------------------------------------------------------


def test_a_pull_request_cannot_loosen_the_policy(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    origin = origin_repo(scenario)
    loose = make_policy(rules={"branch-name": "off", "changelog-entry": "off"})
    hotfix_branch(origin, "hotfix/Fix_Crash", loosen=loose)
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    assert "branch-name: 'off'" in (pr.checkout.path / ".hotfix-lint.yaml").read_text()  # the checkout is loose
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    capsys.readouterr()
    status, report = run_check(pr.checkout)
    err = stderr(capsys)
    assert violations(report, "branch-name"), describe(report)
    assert status == 1
    base = origin.rev("main")[:7]
    said = f"policy .hotfix-lint.yaml read from the base branch main at {base} (the pull request cannot loosen it)"
    assert said in err
    assert report is not None and report["policy"] == ".hotfix-lint.yaml"


def test_policy_from_head_uses_the_pull_request_policy_and_says_so(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    origin = origin_repo(scenario)
    loose = make_policy(rules={"branch-name": "off"})
    hotfix_branch(origin, "hotfix/Fix_Crash", loosen=loose)
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    capsys.readouterr()
    status, report = run_check(pr.checkout, "--policy-from", "head")
    assert violations(report, "branch-name") == [], describe(report)
    assert status == 0
    assert "read from the pull request head: --policy-from head" in stderr(capsys)


def test_relative_bases_are_read_from_the_base_commit_too(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    team = {k: v for k, v in POLICY.items()}
    origin = build_gitflow(scenario("origin"))
    origin.commit(
        "Add the hotfix policy",
        {
            ".hotfix-lint.yaml": "extends: policies/team.yaml\n",
            "policies/team.yaml": yaml.safe_dump(team, sort_keys=False),
        },
    )
    origin.checkout("develop")
    origin.merge("main")
    origin.checkout("main")
    land_hotfix(origin, "hotfix/Fix_Crash", version="1.0.2", how="none", back_merge=None, integration=None, tag=False)
    origin.checkout("hotfix/Fix_Crash")
    origin.commit("Relax", {"policies/team.yaml": yaml.safe_dump(make_policy(rules={"branch-name": "off"}))})
    origin.checkout("main")
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    status, report = run_check(pr.checkout)
    assert violations(report, "branch-name"), describe(report)
    assert status == 1
    status, report = run_check(pr.checkout, "--policy", str(pr.checkout.path / "policies" / "team.yaml"))
    assert violations(report, "branch-name"), describe(report)
    assert "policy policies/team.yaml read from the base branch main" in stderr(capsys)


def test_a_broken_base_policy_is_reported_by_its_repository_path(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    origin = origin_repo(scenario, policy={**POLICY, "rules": {"merge-comit": "error"}})
    hotfix_branch(origin)
    pr = pull_request_checkout(origin, "hotfix/fix-crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    capsys.readouterr()
    status, report = run_check(pr.checkout)
    err = stderr(capsys)
    assert status == 2 and report is None
    assert ".hotfix-lint.yaml:" in err and "did you mean 'merge-commit'" in err
    assert "hotfix-lint-policy-" not in err  # the copy's place is never shown


def test_base_without_a_policy_uses_the_inferred_policy(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No policy on the base: the history's (issue 15), not the head's loosened one."""
    origin = build_gitflow(scenario("origin"))
    hotfix_branch(origin, loosen=make_policy(rules={"branch-name": "off"}))
    pr = pull_request_checkout(origin, "hotfix/fix-crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    capsys.readouterr()
    run_check(pr.checkout)
    err = stderr(capsys)
    assert "the base branch main at" in err and "has no .hotfix-lint.yaml or .hotfix-lint.yml: " in err
    assert "using a policy inferred from the history" in err


# -- other CI systems: --branch and --base ----------------------------------------------------------


def test_base_flag_reads_the_policy_from_the_base_in_ci(
    scenario: Callable[..., Scenario], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/Fix_Crash", loosen=make_policy(rules={"branch-name": "off"}))
    origin.detach("hotfix/Fix_Crash")  # a CI checkout of the branch's commit
    monkeypatch.setenv("CI", "true")
    capsys.readouterr()
    status, report = run_check(origin, "--branch", "hotfix/Fix_Crash", "--base", "main")
    assert violations(report, "branch-name"), describe(report)
    assert status == 1
    assert "read from the base branch main at" in stderr(capsys)
    assert report is not None
    assert "production history not judged" in "\n".join(report["notes"])


def test_other_ci_judges_the_checked_out_change_not_a_branch_of_the_same_name(
    scenario: Callable[..., Scenario], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fork's merge request names its source branch; the clone's branch of that name is another
    one: the detached checkout is what is judged."""
    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/fix-crash")  # this repository's clean branch
    land_hotfix(origin, "forked", changelog=False, how="none", back_merge=None, integration=None, tag=False)
    forked = origin.rev("forked")
    origin.detach(forked)  # the CI checkout of the fork's hotfix/fix-crash
    monkeypatch.setenv("CI", "true")
    args = ("--branch", "hotfix/fix-crash", "--base", "main", "--rule", "changelog-entry")
    status, report = run_check(origin, *args)
    assert [v["commit"] for v in violations(report)] == [forked], describe(report)
    assert status == 1
    assert report is not None
    assert any(f"judged hotfix/fix-crash at the commit checked out, {forked[:10]}" in n for n in report["notes"])
    origin.detach("hotfix/fix-crash")  # the repository's own branch, checked out: judged as it is
    status, report = run_check(origin, *args)
    assert violations(report) == [] and status == 0, describe(report)


def test_base_flag_outside_ci_keeps_the_checkout_policy(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/Fix_Crash", loosen=make_policy(rules={"branch-name": "off"}))
    origin.checkout("hotfix/Fix_Crash")
    capsys.readouterr()
    status, report = run_check(origin, "--base", "main")
    assert violations(report, "branch-name") == []
    assert status == 0
    assert "using the policy .hotfix-lint.yaml at the repository root" in stderr(capsys)


def test_base_must_be_a_production_branch(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin)
    capsys.readouterr()
    status, report = run_check(origin, "--branch", "hotfix/fix-crash", "--base", "develop")
    assert status == 2 and report is None
    assert "--base develop: not a production or promotion branch of the policy (production: main)" in stderr(capsys)


def test_policy_from_base_needs_a_base(gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run_check(gitflow_repo, "--policy-from", "base")
    assert status == 2
    assert "--policy-from base: no base branch is known" in stderr(capsys)


# -- pushes and merge groups ----------------------------------------------------------------------


def test_push_to_a_hotfix_branch_judges_the_pushed_commit(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = origin_repo(scenario)
    tip = hotfix_branch(origin, "hotfix/Fix_Crash")
    runner = runner_checkout(origin, ["+refs/heads/*:refs/remotes/origin/*"], depth=None, detach=tip)
    payload = push_payload("hotfix/Fix_Crash", tip)
    actions_env(monkeypatch, tmp_path, "push", payload, {"GITHUB_REF": "refs/heads/hotfix/Fix_Crash"})
    status, report = run_check(runner)
    assert violations(report, "branch-name")
    assert status == 1
    assert report is not None
    assert any(f"checked hotfix branch hotfix/Fix_Crash at {tip[:10]}" in n for n in report["notes"])


def test_push_to_main_judges_only_what_the_push_adds(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = origin_repo(scenario)
    land_hotfix(origin, "hotfix/squashed", version="1.0.2", how="squash", pr_number=3)  # an old mistake
    before = origin.rev("main")
    land_hotfix(origin, "hotfix/fix-crash", version="1.0.3")
    after = origin.rev("main")
    runner = runner_checkout(origin, ["+refs/heads/*:refs/remotes/origin/*"], depth=None, detach=after)
    status, report = run_check(runner, "--rule", "merge-commit", "--no-ci")
    assert violations(report, "merge-commit") and status == 1  # the whole history has the squash
    actions_env(monkeypatch, tmp_path, "push", push_payload("main", after, before))
    status, report = run_check(runner, "--rule", "merge-commit")
    assert violations(report) == [], describe(report)
    assert status == 0
    assert report is not None and any("judged what the push adds to main" in n for n in report["notes"])


def test_a_push_cannot_loosen_the_policy(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A push to a hotfix branch is judged by the default branch's policy, not the one it pushed."""
    origin = origin_repo(scenario)
    tip = hotfix_branch(origin, "hotfix/Fix_Crash", loosen=make_policy(rules={"branch-name": "off"}))
    runner = runner_checkout(origin, ["+refs/heads/*:refs/remotes/origin/*"], depth=None, detach=tip)
    assert "branch-name: 'off'" in (runner.path / ".hotfix-lint.yaml").read_text()  # the checkout is loose
    actions_env(monkeypatch, tmp_path, "push", push_payload("hotfix/Fix_Crash", tip))
    capsys.readouterr()
    status, report = run_check(runner)
    assert violations(report, "branch-name"), describe(report)
    assert status == 1
    said = f"policy .hotfix-lint.yaml read from the default branch main at {origin.rev('main')[:7]} (a branch cannot"
    assert said in stderr(capsys)
    assert report is not None and any("this run's verdict stands for no pull request" in n for n in report["notes"])
    actions_env(monkeypatch, tmp_path, "push", push_payload("hotfix/Fix_Crash", tip, default="trunk"))
    status, report = run_check(runner)
    assert status == 2 and report is None
    assert "the default branch trunk is not in this clone: `git fetch origin trunk`" in stderr(capsys)


def test_other_ci_without_a_base_reads_the_default_branch_policy(
    scenario: Callable[..., Scenario], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GitLab names the default branch (CI_DEFAULT_BRANCH); a clone that names none is exit 2, not a guess."""
    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/Fix_Crash", loosen=make_policy(rules={"branch-name": "off"}))
    origin.detach("hotfix/Fix_Crash")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("CI_DEFAULT_BRANCH", "main")
    status, report = run_check(origin, "--branch", "hotfix/Fix_Crash")
    assert violations(report, "branch-name"), describe(report)
    assert status == 1
    monkeypatch.delenv("CI_DEFAULT_BRANCH")
    capsys.readouterr()
    status, report = run_check(origin, "--branch", "hotfix/Fix_Crash")
    assert status == 2 and report is None
    assert "this clone does not say which branch is the default one" in stderr(capsys)
    origin.git("update-ref", "refs/remotes/origin/main", "main")
    origin.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
    status, report = run_check(origin, "--branch", "hotfix/Fix_Crash")
    assert violations(report, "branch-name") and status == 1


def test_a_hotfix_of_a_support_line_is_judged_by_that_lines_policy(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The nearest production line's policy: support/1.x names its hotfix branches its own way."""
    lines = {**POLICY, "production": ["main", "support/*"]}
    origin = origin_repo(scenario, policy=lines)
    origin.branch("support/1.x", "main", checkout=True)
    strict = {**lines, "hotfix_branch": "hotfix/1.x-{slug}"}
    origin.commit("Support policy", {".hotfix-lint.yaml": yaml.safe_dump(strict, sort_keys=False)})
    support = origin.rev("support/1.x")
    land_hotfix(origin, "hotfix/fix-crash", start="support/1.x", production="support/1.x", how="none",
                back_merge=None, integration=None, tag=False)  # fmt: skip
    origin.checkout("hotfix/fix-crash")
    origin.commit("Relax", {".hotfix-lint.yaml": yaml.safe_dump(lines, sort_keys=False)})
    tip = origin.rev("hotfix/fix-crash")
    origin.checkout("main")
    runner = runner_checkout(origin, ["+refs/heads/*:refs/remotes/origin/*"], depth=None, detach=tip)
    actions_env(monkeypatch, tmp_path, "push", push_payload("hotfix/fix-crash", tip))
    capsys.readouterr()
    status, report = run_check(runner, "--rule", "branch-name")
    assert [v["ref"] for v in violations(report)] == ["hotfix/fix-crash"], describe(report)
    assert status == 1
    said = f"policy .hotfix-lint.yaml read from the production branch support/1.x at {support[:7]}"
    assert said in stderr(capsys)


@pytest.mark.parametrize("how", ["merge", "squash"])
def test_merge_group_judges_the_queue_commit(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin)
    base = origin.rev("main")
    queue = f"gh-readonly-queue/main/pr-7-{base}"
    origin.branch(queue, "main", checkout=True)
    if how == "merge":
        head = origin.pr_merge(7, "octo", "hotfix/fix-crash")
    else:
        head = origin.squash("hotfix/fix-crash", "Fix: fix crash (#7)")
    origin.checkout("main")
    runner = runner_checkout(origin, ["+refs/heads/*:refs/remotes/origin/*"], depth=None, detach=head)
    payload = {
        "merge_group": {
            "head_sha": head,
            "head_ref": f"refs/heads/{queue}",
            "base_sha": base,
            "base_ref": "refs/heads/main",
            "head_commit": {"id": head, "message": origin.message(head)},
        }
    }
    actions_env(monkeypatch, tmp_path, "merge_group", payload, {"GITHUB_REF": f"refs/heads/{queue}"})
    status, report = run_check(runner, "--rule", "merge-commit", "--rule", "branch-name")
    if how == "merge":
        assert violations(report) == [], describe(report)
        assert status == 0
    else:
        assert {v["rule"] for v in violations(report)} == {"merge-commit"}, describe(report)
        assert status == 1


# -- shallow clones --------------------------------------------------------------------------------


def test_shallow_pull_request_checkout_exits_2_with_the_fix(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin)
    pr = pull_request_checkout(origin, "hotfix/fix-crash", depth=1)  # actions/checkout's default
    assert pr.checkout.is_shallow()
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    capsys.readouterr()
    status, report = run_check(pr.checkout)
    err = stderr(capsys)
    assert status == 2 and report is None
    assert "this is a shallow clone" in err
    assert "fetch-depth: 0" in err


def test_shallow_pull_request_with_the_base_policy_from_head_still_refuses(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    origin = origin_repo(scenario)
    hotfix_branch(origin)
    pr = pull_request_checkout(origin, "hotfix/fix-crash", depth=1)
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    capsys.readouterr()
    status, report = run_check(pr.checkout, "--policy-from", "head")
    err = stderr(capsys)
    assert status == 2 and report is None
    assert "shallow clone" in err and "fetch-depth: 0" in err and "is not in it" in err


def test_shallow_history_says_how_deep_it_must_be(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    origin = origin_repo(scenario)
    shallow = origin.shallow_clone(2)
    capsys.readouterr()
    status, report = run_check(shallow, "--rule", "merge-commit")
    err = stderr(capsys)
    assert status == 2 and report is None
    assert "the history of main stops at" in err and "after 2 commits" in err
    assert "back to its first commit" in err
    assert "must reach to the first commit on every branch checked: more than 2" in err
    assert "fetch-depth: 0" in err and "git fetch --unshallow" in err


def test_a_clone_deep_enough_for_since_is_judged(scenario: Callable[..., Scenario]) -> None:
    """A boundary older than ``since`` is fine: the history after it is complete."""
    import datetime as dt

    origin = origin_repo(scenario)
    origin.clock.set(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc))
    land_hotfix(origin, "hotfix/fix-march", version="1.0.2")
    shallow = origin.shallow_clone(3)  # main only: its history stops at 2025-01-05
    assert shallow.is_shallow()
    rules = ["--rule", "merge-commit", "--rule", "branch-name", "--rule", "hotfix-base"]
    status, report = run_check(shallow, "--since", "2025-02-15", *rules)
    assert violations(report) == [], describe(report)
    assert status == 0
    status, report = run_check(shallow, "--since", "2025-01-01", *rules)
    assert status == 2 and report is None


def test_event_file_written_by_the_runner_is_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = {"ref": "refs/heads/main", "after": SHA_A}
    path = actions_env(monkeypatch, tmp_path, "push", payload)
    assert json.loads(path.read_text()) == payload
    import os

    ci = read_ci_context(os.environ)
    assert ci is not None and ci.head_branch == "main" and ci.head_sha == SHA_A


# -- the composite action ------------------------------------------------------------------------

ACTION = Path(__file__).resolve().parent.parent / "action.yml"


def _action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return data


def test_action_passes_inputs_through_the_environment_only() -> None:
    """An input pasted into a script is a script injection; every one goes through ``env:``."""
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"policy", "policy-from", "formats", "sarif", "args", "github-token", "source"} <= set(action["inputs"])
    import subprocess

    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
        if "run" in step:  # bash can parse it
            subprocess.run(["bash", "-n", "-c", step["run"]], check=True)
    upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["if"].startswith("always()") and "inputs.sarif-upload != 'false'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif-file }}"
    assert action["outputs"]["sarif-file"]["value"] == "${{ steps.check.outputs.sarif-file }}"


#: the current major release of each action the composite action uses (GitHub deprecates older ones)
CURRENT_MAJOR = {"actions/setup-python": 7, "github/codeql-action/upload-sarif": 4}


def test_action_pins_current_majors_by_commit_with_the_version_in_a_comment() -> None:
    """GitHub's hardening guide: a full commit sha (a tag can be moved), the release named beside it."""
    lines = [line.strip() for line in ACTION.read_text(encoding="utf-8").splitlines()]
    uses = [line for line in lines if line.startswith(("uses:", "- uses:"))]
    assert len(uses) == len(CURRENT_MAJOR)
    for line in uses:
        found = re.fullmatch(r"(?:- )?uses: ([\w./-]+)@([0-9a-f]{40}) # v(\d+)\.(\d+)\.(\d+)", line)
        assert found, line
        assert int(found.group(3)) == CURRENT_MAJOR[found.group(1)], line


def test_action_metadata_is_valid_against_the_schema_of_actions() -> None:
    """``action.yml`` against SchemaStore's schema of action metadata (vendored by check-jsonschema)."""
    import jsonschema
    from vendored_schemas import vendored_schema

    schema = vendored_schema("github-actions")
    jsonschema.validate(_action(), schema)
    broken = {**_action(), "runs": {"using": "composite"}}  # no steps
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_action_check_step_runs_hotfix_lint(
    scenario: Callable[..., Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check step's script, run by bash as the runner runs it, against a pull request checkout."""
    import os
    import subprocess
    import sys

    origin = origin_repo(scenario)
    hotfix_branch(origin, "hotfix/Fix_Crash")
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    event = actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "check")
    outputs = tmp_path / "github-output"
    env = {
        **os.environ,
        "INPUT_POLICY": "",
        "INPUT_POLICY_FROM": "auto",
        "INPUT_FORMATS": "github",
        "INPUT_SARIF": "true",
        "INPUT_SARIF_FILE": "hotfix-lint.sarif",
        "INPUT_ARGS": "--rule branch-name",
        "HOTFIX_LINT_TOKEN": "",
        "HOTFIX_LINT_PYTHON": sys.executable,
        "PYTHONPATH": str(ACTION.parent),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=pr.checkout.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("::error title=hotfix-lint%3A branch-name::"), proc.stdout
    assert "read from the base branch main" in proc.stderr
    # an absolute path: the upload step (ours or the user's) reads it from any directory
    assert outputs.read_text(encoding="utf-8") == f"sarif-file={pr.checkout.path / 'hotfix-lint.sarif'}\n"
    log = json.loads((pr.checkout.path / "hotfix-lint.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["branch-name"]
