"""Issue 13, item 4: several lines in one repository, each with its own integration branch.

TheHive keeps two product lines: TheHive 3 (``master`` released from ``develop``) and TheHive 4
(``main`` released from ``develop-th4``). A production entry names its own ``integration``
(null: a support line whose hotfixes are not back-merged); entries that do not say use the
top-level one. Each line is classified and judged against its own integration branch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scenario import Scenario, describe, land_hotfix, run_check, violations
from test_classification import JUDGED, about, changes

from hotfix_lint.errors import PolicyError
from hotfix_lint.policy.loader import load_policy

#: main is released from develop (the top-level integration), legacy from develop-legacy,
#: support lines from nothing
TWO_LINES: dict[str, Any] = {
    **JUDGED,
    "production": [
        "main",
        {"branch": "legacy", "integration": "develop-legacy"},
        {"branch": "support/*", "integration": None},
    ],
}
#: the same lines, all back-merged into develop (what the policy said before item 4)
ONE_INTEGRATION: dict[str, Any] = {**JUDGED, "production": ["main", "legacy", "support/*"]}


def two_lines(s: Scenario) -> Scenario:
    """A second product line, ``legacy``, with its own ``develop-legacy``, both cut from main."""
    s.branch("legacy", "main")
    s.branch("develop-legacy", "legacy")
    s.checkout("develop-legacy")
    s.commit("Legacy feature", {"app/legacy.py": "OLD = True\n"})
    s.checkout("legacy")
    return s


def back_merge_findings(report: dict[str, Any] | None, commit: str) -> list[dict[str, Any]]:
    return [v for v in about(report, commit) if v["rule"] == "back-merge"]


def test_a_hotfix_back_merged_into_its_own_lines_develop_is_ok(gitflow_repo: Scenario) -> None:
    s = two_lines(gitflow_repo)
    made = land_hotfix(s, "hotfix/legacy-crash", start="legacy", production="legacy", integration="develop-legacy")
    assert made.merge is not None
    code, report = run_check(s, policy=TWO_LINES)
    assert back_merge_findings(report, made.merge) == [], describe(report)
    assert code == 0, describe(report)
    # judged against the top-level develop, the same history misses its back-merge
    _, report = run_check(s, policy=ONE_INTEGRATION)
    (miss,) = back_merge_findings(report, made.merge)
    assert "not in develop" in miss["message"], describe(report)


def test_a_hotfix_back_merged_into_the_other_lines_develop_only_is_a_violation(gitflow_repo: Scenario) -> None:
    s = two_lines(gitflow_repo)
    made = land_hotfix(
        s, "hotfix/legacy-crash", start="legacy", production="legacy", integration="develop", back_merge="branch"
    )
    assert made.merge is not None
    code, report = run_check(s, policy=TWO_LINES)
    (miss,) = back_merge_findings(report, made.merge)
    assert "not in develop-legacy" in miss["message"] and miss["severity"] == "error", describe(report)
    assert "develop-legacy" in str(miss["hint"]), describe(report)
    assert code == 1
    (row,) = [r for r in changes(s, policy=TWO_LINES) if r["commit"] == made.merge]
    assert row["back_merge"].startswith("missing (develop-legacy"), row


def test_a_hotfix_on_main_is_still_judged_against_the_top_level_develop(gitflow_repo: Scenario) -> None:
    s = two_lines(gitflow_repo)
    made = land_hotfix(s, "hotfix/main-crash", integration="develop-legacy", back_merge="branch")
    assert made.merge is not None
    _, report = run_check(s, policy=TWO_LINES)
    (miss,) = back_merge_findings(report, made.merge)
    assert "not in develop " in miss["message"] or "not in develop:" in miss["message"], describe(report)


def test_a_support_line_without_integration_has_no_back_merge_finding(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.branch("support/1.x", "main")
    made = land_hotfix(s, "hotfix/old-crash", start="support/1.x", production="support/1.x", back_merge=None)
    assert made.merge is not None
    support = {**JUDGED, "production": ["main", {"branch": "support/*", "integration": None}]}
    code, report = run_check(s, policy=support)
    assert [v for v in violations(report, "back-merge")] == [], describe(report)
    assert code == 0, describe(report)
    (row,) = [r for r in changes(s, policy=support) if r["commit"] == made.merge]
    assert row["back_merge"] == "n/a", row
    # with the top-level develop for every line, the support hotfix misses its back-merge
    _, report = run_check(s, policy={**JUDGED, "production": ["main", "support/*"]})
    assert back_merge_findings(report, made.merge), describe(report)


def test_a_release_merge_is_classified_by_its_lines_integration(gitflow_repo: Scenario) -> None:
    """``develop-legacy`` merged into legacy is a release, even under a message naming no branch
    (its second parent is on develop-legacy's history); the same merge into main is not."""
    s = two_lines(gitflow_repo)
    named = s.merge("develop-legacy")
    s.checkout("develop-legacy")
    s.commit("Legacy feature 2", {"app/legacy2.py": "OLD = 2\n"})
    s.checkout("legacy")
    unnamed = s.merge("develop-legacy", message="Ship 3.5.1")
    s.checkout("main")
    foreign = s.merge("develop-legacy", message="Ship legacy work")
    rows = {r["commit"]: r for r in changes(s, "--all", policy=TWO_LINES)}
    assert rows[named]["class"] == "release" and rows[named]["line"] == "legacy", rows[named]
    assert rows[unnamed]["class"] == "release" and "develop-legacy" in rows[unnamed]["evidence"], rows[unnamed]
    assert rows[foreign]["class"] == "hotfix" and "not on develop" in rows[foreign]["evidence"], rows[foreign]
    _, report = run_check(s, policy=TWO_LINES)
    assert about(report, named) == [] and about(report, unnamed) == [], describe(report)
    # one integration for both: the unnamed release of legacy reads as a hotfix
    rows = {r["commit"]: r for r in changes(s, "--all", policy=ONE_INTEGRATION)}
    assert rows[unnamed]["class"] == "hotfix", rows[unnamed]


# -- the policy form --------------------------------------------------------------------------


def test_line_integration_in_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "integration: develop\n"
        "production:\n"
        "  - {branch: main, former_names: [master-th4], integration: develop-th4}\n"
        "  - master\n"
        "  - {branch: 'support/*', integration: null}\n"
        "  - {branch: old, integration: {branch: develop-old, retired_since: 2020-01-01}}\n"
    )
    policy = load_policy(path)
    assert policy.integration_for("main") == "develop-th4"
    assert policy.integration_for("master") == "develop"
    assert policy.integration_for("support/1.x") is None
    assert str(policy.integration_setting("old")[1]) == "2020-01-01"
    assert policy.integrations == ("develop", "develop-th4", "develop-old")
    assert policy.is_allowed_feeder("develop-th4", "main") and not policy.is_allowed_feeder("develop", "main")
    assert policy.is_allowed_feeder("develop-th4") and policy.is_integration_name("develop-old")


BAD_LINE_INTEGRATIONS = {
    "production:\n  - {branch: main, integration: 3}\n": "2:33: at production[0].integration: expected",
    "production:\n  - {branch: main, integration: ''}\n": "2:33: at production[0].integration: must not be",
    "production:\n  - {branch: main, integration: {retired_since: 2020-01-01}}\n": (
        "2:33: at production[0].integration: missing key 'branch'"
    ),
    "production: {branch: main, integraton: x}\n": "did you mean 'integration'?",
}


def assert_policy_errors(tmp_path: Path, cases: dict[str, str]) -> None:
    """Each policy text fails to load with its expected positioned message."""
    path = tmp_path / "policy.yaml"
    for text, expected in cases.items():
        path.write_text(text)
        with pytest.raises(PolicyError) as caught:
            load_policy(path)
        assert f"{path}:" in str(caught.value) and expected in str(caught.value), (text, str(caught.value))


def test_line_integration_errors_give_file_and_line(tmp_path: Path) -> None:
    assert_policy_errors(tmp_path, BAD_LINE_INTEGRATIONS)
