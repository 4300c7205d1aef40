"""``ci-trigger``: a push of a hotfix branch starts a GitHub Actions workflow that runs the tests."""

from __future__ import annotations

import time

import pytest
from rule_helpers import check, only
from scenario import Scenario, assert_clean, assert_only, describe, violations

from hotfix_lint.collect.git.workflows import parse_workflow, push_trigger
from hotfix_lint.facts.workflows import PushTrigger, filter_matches, glob_matches

RULE = "ci-trigger"
WORKFLOW = """\
name: ci
on:
  push:
    branches: [{branches}]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: {run}
"""
POLICY = only(RULE, hotfix_branch="hotfix-v{version}")


def workflow(s: Scenario, text: str, name: str = "ci.yml") -> None:
    s.checkout("main")
    s.commit("CI", {f".github/workflows/{name}": text})


# -- GitHub's filter patterns ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("hotfix-*", "hotfix-v1.2.1", True),
        ("hotfix-*", "hotfix-v1/x", False),
        ("hotfix/*", "hotfix/fix-login", True),
        ("hotfix/**", "hotfix/a/b", True),
        ("**", "anything/at/all", True),
        ("*", "main", True),
        ("*", "feature/x", False),
        ("v[12].*", "v1.x", True),
        ("v[12].*", "v3.x", False),
        ("hotfix-v1.?", "hotfix-v1", True),
        ("hotfix-v1.?", "hotfix-v1.", True),
        ("hotfix-v1+", "hotfix-v11", True),
        ("hotfix-v1+", "hotfix-v", False),
        ("release/1.0", "release/1x0", False),
    ],
)
def test_glob(pattern: str, name: str, expected: bool) -> None:
    assert glob_matches(pattern, name) is expected


def test_ordered_negation() -> None:
    assert filter_matches(("hotfix-*", "!hotfix-v0*"), "hotfix-v1.0.1")
    assert not filter_matches(("hotfix-*", "!hotfix-v0*"), "hotfix-v0.9.1")
    assert filter_matches(("hotfix-*", "!hotfix-v0*", "hotfix-v0.9.*"), "hotfix-v0.9.1")
    assert not filter_matches(("!hotfix-*",), "hotfix-v1")


def test_push_trigger_forms() -> None:
    assert push_trigger("push") == PushTrigger()
    assert push_trigger(["pull_request", "push"]) == PushTrigger()
    assert push_trigger(["pull_request"]) is None
    assert push_trigger({"push": None}) == PushTrigger()
    assert push_trigger({"push": {"branches": "main"}}) == PushTrigger(branches=("main",))
    only_tags = push_trigger({"push": {"tags": ["v*"]}})
    assert only_tags is not None and only_tags.tags_only and not only_tags.runs_for("hotfix-v1")
    ignore = push_trigger({"push": {"branches-ignore": ["hotfix-*"]}})
    assert ignore is not None and not ignore.runs_for("hotfix-v1") and ignore.runs_for("main")
    paths = push_trigger({"push": {"paths": ["src/**"]}})
    assert paths is not None and paths.has_path_filter and paths.runs_for("hotfix-v1")


def test_parse_workflow_reads_on_as_yaml_1_1_true_and_reports_broken_files() -> None:
    parsed = parse_workflow("w.yml", "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n")
    assert parsed.push == PushTrigger() and parsed.jobs[0].steps[0].run == "pytest"
    assert parse_workflow("w.yml", "on: [push\n").error == "not valid YAML (line 2)"
    assert parse_workflow("w.yml", "- a list\n").error == "not a mapping of workflow keys"
    assert parse_workflow("w.yml", "name: x\n").error == "no `on:` key: nothing triggers it"


def test_a_workflow_alias_bomb_is_refused_at_once_and_anchors_still_work() -> None:
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = "\n".join(levels) + "\non: push\njobs:\n  t:\n    steps:\n      - run: *l9\n"
    started = time.monotonic()
    parsed = parse_workflow("w.yml", bomb)
    assert time.monotonic() - started < 5
    assert parsed.error is not None and "aliases are expanded" in parsed.error
    anchored = "on:\n  push:\n    branches: &lines [main]\njobs:\n  t:\n    steps:\n      - run: pytest\n"
    anchored += "  u:\n    steps:\n      - run: pytest\n        name: *lines\n"
    parsed = parse_workflow("w.yml", anchored)
    assert parsed.error is None and parsed.push is not None and parsed.push.branches == ("main",)


# -- repositories ------------------------------------------------------------------------------


def test_workflow_on_hotfix_pushes_running_pytest_is_silent(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, WORKFLOW.format(branches="main, 'hotfix-*'", run="python -m pytest -q"))
    assert_clean(*check(gitflow_repo, POLICY))


def test_no_workflows_at_all(gitflow_repo: Scenario) -> None:
    status, report = check(gitflow_repo, POLICY)
    (v,) = assert_only(report, RULE)
    assert "hotfix-v1.2.1" in v["message"] and "there is no workflow in .github/workflows at main" in v["message"]
    assert "branches: ['hotfix-v*']" in v["hint"]
    assert status == 1


def test_workflow_not_triggered_by_hotfix_branches(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, WORKFLOW.format(branches="main, 'release/**'", run="pytest"))
    (v,) = assert_only(check(gitflow_repo, POLICY)[1], RULE)
    assert "starts no workflow (.github/workflows/ci.yml runs on pushes of main, release/**)" in v["message"]


def test_tags_only_and_branches_ignore_do_not_run_for_the_hotfix(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, "on:\n  push:\n    tags: ['v*']\njobs: {t: {steps: [{run: pytest}]}}\n")
    workflow(
        gitflow_repo, "on:\n  push:\n    branches-ignore: ['hotfix-*']\njobs: {t: {steps: [{run: pytest}]}}\n", "b.yml"
    )
    (v,) = assert_only(check(gitflow_repo, POLICY)[1], RULE)
    assert "tag pushes only" in v["message"] and "every branch but hotfix-*" in v["message"]


def test_negated_pattern_excludes_the_hotfix(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, WORKFLOW.format(branches="'**', '!hotfix-*'", run="pytest"))
    assert_only(check(gitflow_repo, POLICY)[1], RULE)


def test_triggered_but_no_tests(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, WORKFLOW.format(branches="'hotfix-*'", run="echo deploy"))
    (v,) = assert_only(check(gitflow_repo, POLICY)[1], RULE)
    assert "starts .github/workflows/ci.yml, but no step there runs the tests" in v["message"]
    assert_clean(*check(gitflow_repo, only(RULE, {"require_tests": False}, hotfix_branch="hotfix-v{version}")))
    custom = only(RULE, {"test_patterns": ["echo deploy"]}, hotfix_branch="hotfix-v{version}")
    assert_clean(*check(gitflow_repo, custom))


def test_tests_in_a_reusable_workflow_of_the_repository(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, "on: {workflow_call: {}}\njobs:\n  t:\n    steps:\n      - run: tox -e py\n", "tests.yml")
    caller = "on:\n  push:\n    branches: ['hotfix-*']\njobs:\n  call:\n    uses: ./.github/workflows/tests.yml\n"
    workflow(gitflow_repo, caller)
    assert_clean(*check(gitflow_repo, POLICY))


def test_a_broken_workflow_is_named(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, "on: [push\njobs: {}\n")
    (v,) = assert_only(check(gitflow_repo, POLICY)[1], RULE)
    assert ".github/workflows/ci.yml could not be read: not valid YAML" in v["message"], describe(
        check(gitflow_repo, POLICY)[1]
    )


def test_existing_hotfix_branches_are_judged_too(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    workflow(s, WORKFLOW.format(branches="'hotfix/s*', 'hotfix/fix-*'", run="pytest"))  # the sample passes
    s.branch("hotfix/urgent-db")
    (v,) = assert_only(check(s, only(RULE))[1], RULE)
    assert v["message"].startswith("a push of a hotfix branch such as hotfix/urgent-db"), v["message"]


def test_extra_branches_option(gitflow_repo: Scenario) -> None:
    workflow(gitflow_repo, WORKFLOW.format(branches="'hotfix-*'", run="pytest"))
    policy = only(RULE, {"branches": ["main"]}, hotfix_branch="hotfix-v{version}")
    (v,) = assert_only(check(gitflow_repo, policy)[1], RULE)
    assert v["message"].startswith("a push of main starts no workflow")


def test_branch_under_check_uses_its_own_workflows(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    workflow(s, WORKFLOW.format(branches="'hotfix-*'", run="pytest"))
    s.branch("hotfix-v1.0.2", checkout=True)
    s.commit("drop CI", {".github/workflows/ci.yml": None})
    s.checkout("main")
    _, report = check(s, POLICY, "--branch", "hotfix-v1.0.2")
    found = violations(report, RULE)
    assert [v["ref"] for v in found] == ["hotfix-v1.0.2"], describe(report)
