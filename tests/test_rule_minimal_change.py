"""``minimal-change``: a hotfix's own diff stays small and away from forbidden paths."""

from __future__ import annotations

from rule_helpers import check, only
from scenario import Scenario, assert_clean, assert_only, describe, land_hotfix, same_commit, violations

RULE = "minimal-change"


def _land(s: Scenario, files: dict[str, str | bytes | None], branch: str = "hotfix/big") -> str:
    s.checkout("main")
    s.branch(branch, checkout=True)
    s.commit("Fix: big (ABC-300)", files)
    s.checkout("main")
    return s.merge(branch)


def _lines(n: int) -> str:
    return "".join(f"X{i} = {i}\n" for i in range(n))


def test_small_hotfix_is_silent(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo)
    assert_clean(*check(gitflow_repo, only(RULE)))


def test_too_many_files_is_a_warning(gitflow_repo: Scenario) -> None:
    merge = _land(gitflow_repo, {f"app/f{n}.py": "X = 1\n" for n in range(11)})
    status, report = check(gitflow_repo, only(RULE, severity="warning"))
    (v,) = assert_only(report, RULE, severity="warning")
    assert "11 files (at most 10)" in v["message"] and same_commit(v["commit"], merge)
    assert status == 0


def test_too_many_lines(gitflow_repo: Scenario) -> None:
    _land(gitflow_repo, {"app/big.py": _lines(150), "app/big2.py": _lines(60)})
    (v,) = assert_only(check(gitflow_repo, only(RULE))[1], RULE)
    assert "210 lines added or removed (at most 200)" in v["message"] and "app/big.py (+150 -0)" in v["message"]
    assert_clean(*check(gitflow_repo, only(RULE, {"max_lines": 300})))


def test_changelog_version_files_and_ignored_paths_are_not_counted(gitflow_repo: Scenario) -> None:
    _land(gitflow_repo, {"CHANGELOG.md": _lines(300), "poetry.lock": _lines(300), "VERSION": "1.0.2\n"})
    policy = only(RULE, {"ignore_paths": ["*.lock"]}, version_files=["VERSION"])
    assert_clean(*check(gitflow_repo, policy))


def test_forbidden_paths(gitflow_repo: Scenario) -> None:
    _land(gitflow_repo, {"db/migrations/0042_add.sql": "ALTER TABLE x;\n"})
    (v,) = assert_only(check(gitflow_repo, only(RULE, {"forbidden_paths": ["db/migrations/**"]}))[1], RULE)
    assert "touches paths a hotfix must not change: db/migrations/0042_add.sql" in v["message"]


def test_a_rename_is_one_file_and_no_lines(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.checkout("main")
    s.commit("Add module", {"app/module.py": _lines(400)})  # direct commit: merge-commit is off here
    s.branch("hotfix/rename", checkout=True)
    s.git("mv", "app/module.py", "app/renamed.py")
    s.commit("Fix: rename (ABC-301)", allow_empty=True)
    s.checkout("main")
    s.merge("hotfix/rename")
    assert_clean(*check(s, only(RULE, {"max_lines": 10})))


def test_commits_carried_from_the_integration_branch_are_not_counted(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.checkout("develop")
    s.commit("Big feature", {f"feature/f{n}.py": _lines(50) for n in range(12)})
    s.branch("hotfix/from-develop", checkout=True)
    s.commit("Fix: small (ABC-302)", {"app/small.py": "X = 1\n"})
    s.checkout("main")
    s.merge("hotfix/from-develop")
    _, report = check(s, only(RULE))
    assert violations(report, RULE) == [], describe(report)


def test_branch_under_check(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("hotfix/wide", checkout=True)
    s.commit("Fix: wide (ABC-303)", {f"app/w{n}.py": "X = 1\n" for n in range(12)})
    s.checkout("main")
    (v,) = assert_only(check(s, only(RULE), "--branch", "hotfix/wide")[1], RULE)
    assert v["message"].startswith("branch hotfix/wide is not a minimal change") and "regular branch" in v["hint"]
