"""Issue 13, item 3: a renamed production branch keeps its history.

TheHive's production branch is ``main`` today and was ``master-th4``: its first-parent history
holds "Merge branch 'hotfix/4.1.2' into master-th4" and release merges "into master-th4". Without
the former name those read as merges into another branch (production fast-forwarded past them):
the hotfix is missed and the release merge is judged as something else. A production line can
list its former names; merges into them are merges into the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scenario import Scenario, describe, land_hotfix, run_check, violations
from test_classification import JUDGED, about, changes, classes

from hotfix_lint.errors import PolicyError
from hotfix_lint.policy.loader import load_policy

RENAMED = {**JUDGED, "production": [{"branch": "main", "former_names": ["master-th4"]}]}


def renamed_line(s: Scenario) -> dict[str, str]:
    """main was called master-th4 while a hotfix and a release landed on it (git wrote
    "into master-th4" in both merges), then renamed back to main; both merged into develop."""
    s.rename_branch("main", "master-th4")
    made = land_hotfix(s, "hotfix/fix-crash", start="master-th4", production="master-th4")
    s.branch("release/1.1.0", "develop", checkout=True)
    s.commit("Bump version to 1.1.0", {"VERSION": "1.1.0\n"})
    s.checkout("master-th4")
    release = s.merge("release/1.1.0")
    s.checkout("develop")
    s.merge("release/1.1.0")
    s.checkout("master-th4")
    s.rename_branch("master-th4", "main")
    assert made.merge is not None
    assert s.subject(made.merge) == "Merge branch 'hotfix/fix-crash' into master-th4"
    assert s.subject(release) == "Merge branch 'release/1.1.0' into master-th4"
    return {"hotfix": made.merge, "release": release}


def test_without_former_names_a_merge_into_the_old_name_is_no_hotfix(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    made = renamed_line(s)
    policy: dict[str, Any] = dict(JUDGED)
    assert [r["branch"] for r in changes(s, policy=policy)] == ["hotfix/fix-login-timeout"]
    rows = [r for r in changes(s, "--all") if "master-th4" in str(r["evidence"])]
    assert rows and {r["class"] for r in rows} == {"fast-forward"}, rows
    assert not [r for r in rows if r["hotfix"]]
    _, report = run_check(s, policy=policy)
    (wrong,) = about(report, made["release"])
    assert wrong["rule"] == "merge-commit" and "fast-forwarded to master-th4" in wrong["message"], describe(report)


def test_with_former_names_the_merge_into_the_old_name_is_a_hotfix_of_the_line(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    made = renamed_line(s)
    rows = changes(s, policy=RENAMED)
    assert [r["branch"] for r in rows] == ["hotfix/fix-crash", "hotfix/fix-login-timeout"]
    assert rows[0]["commit"] == made["hotfix"] and rows[0]["line"] == "main"
    assert ("release", "release/1.1.0") in classes(s)
    assert not [c for c in classes(s) if c[0] == "fast-forward"]
    code, report = run_check(s, policy=RENAMED)
    assert about(report, made["release"]) == [], describe(report)
    assert about(report, made["hotfix"]) == [], describe(report)
    assert code == 0, describe(report)


def test_a_hotfix_into_the_old_name_is_judged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.rename_branch("main", "master-th4")
    made = land_hotfix(s, "fix/crash", start="master-th4", production="master-th4", back_merge=None)
    s.rename_branch("master-th4", "main")
    assert made.merge is not None and s.subject(made.merge).endswith("into master-th4")
    _, report = run_check(s, policy=RENAMED)
    assert {v["rule"] for v in about(report, made.merge)} >= {"branch-name"}, describe(report)
    assert [v for v in violations(report, "back-merge") if "fix/crash" in v["message"]], describe(report)


def test_a_git_merge_on_a_line_formerly_named_master_names_no_target() -> None:
    """git leaves "into master" out: on main renamed from master, such a merge was made there."""
    from hotfix_lint.collect.git.landing_inputs import Step, Vocabulary
    from hotfix_lint.collect.git.merge_verdicts import classify_merge
    from hotfix_lint.facts.git import CommitFact
    from hotfix_lint.policy.model import build_policy

    merge = CommitFact(
        id="b" * 40, parents=("a" * 40, "c" * 40),
        message="Merge branch 'patch-1'\n", author_name="x", author_email="x@example.com", author_time=0,
        committer_name="x", committer_email="x@example.com", commit_time=0,
    )  # fmt: skip
    step = Step(merge, on_integration=True)
    renamed = build_policy({"production": [{"branch": "main", "former_names": ["master"]}]}, "test")
    assert classify_merge(step, Vocabulary(renamed, "main")).made_here
    plain = build_policy({"production": "trunk"}, "test")
    assert not classify_merge(step, Vocabulary(plain, "trunk")).made_here


# -- the policy form --------------------------------------------------------------------------


def test_former_names_in_both_forms(tmp_path: Path) -> None:
    listed = tmp_path / "listed.yaml"
    listed.write_text("production:\n  - {branch: main, former_names: [master-th4]}\n  - 'support/*'\n")
    policy = load_policy(listed)
    assert policy.production == ("main", "support/*")
    assert policy.is_line_name("main", "master-th4") and not policy.is_line_name("support/1.x", "master-th4")
    assert policy.is_production_target("master-th4") and not policy.is_production_name("master-th4")
    alone = tmp_path / "alone.yaml"
    alone.write_text("production: {branch: main, former_names: [master-th4]}\n")
    assert load_policy(alone).former_names == {"main": ("master-th4",)}
    plain = tmp_path / "plain.yaml"
    plain.write_text("production: [main, 'support/*']\n")
    assert load_policy(plain).former_names == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("production:\n  - {branch: main, former_names: []}\n", "2:34: at production[0].former_names: must have"),
        ("production:\n  - {former_names: [x]}\n", "2:5: at production[0]: missing key 'branch'"),
        ("production:\n  - {branch: main, formr_names: [x]}\n", "did you mean 'former_names'?"),
        ("production:\n  - 3\n", "2:5: at production[0]: expected a string or a mapping"),
        ("production: {branch: main, former_names: ['{nope}']}\n", "1:43: at production.former_names[0]: unknown"),
    ],
)
def test_former_names_errors_give_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert "policy.yaml:" in message and expected in message, message
