"""Issue 13, item 2 (rest): one policy file, several eras with different settings.

``eras:`` lists periods oldest first, each with its ``since``/``until`` and the keys that differ
from the file's during it. A production change is judged by the era it landed in; outside
every era by none (``hotfixes --all`` lists it as outside the era).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from scenario import Scenario, describe, land_hotfix, run_check, violations
from test_eras import JUDGED, about, changes, went_trunk_based
from test_line_integration import assert_policy_errors

from hotfix_lint.policy.loader import load_policy


def next_day(day: str) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()


def test_git_flow_then_trunk_based_each_judged_by_its_era(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.clock.advance(days=1)
    missed = land_hotfix(s, "hotfix/no-back-merge", version="1.0.2", back_merge=None)
    last_day, squashes = went_trunk_based(s)
    assert missed.merge is not None
    policy = {
        **JUDGED,
        "eras": [
            {"until": last_day},
            {"since": next_day(last_day), "integration": None, "rules": {"merge-commit": "off", "branch-name": "off"}},
        ],
    }
    _, report = run_check(s, policy=policy)
    assert about(report, squashes) == [], describe(report)  # trunk-based: squashes are the process
    assert [v["rule"] for v in about(report, [missed.merge])] == ["back-merge"], describe(report)
    assert "judged by its era's settings" in " ".join(report["notes"] if report else []), report
    # the git-flow settings alone judge the squashes too
    _, report = run_check(s, policy=JUDGED)
    # squashes of unknown source: not hotfixes, judged by merge-commit alone (issue 13, item 1)
    assert {v["rule"] for v in about(report, squashes)} == {"merge-commit"}, describe(report)
    rows = {r["commit"]: r for r in changes(s, policy, "--all")}
    assert set(squashes) <= set(rows) and missed.merge in rows, rows
    assert rows[missed.merge]["back_merge"].startswith("missing (develop"), rows[missed.merge]
    assert all(rows[c]["back_merge"] == "n/a" for c in squashes), rows


def test_the_hotfix_pattern_changed_from_dash_to_slash(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.clock.advance(days=1)
    old = land_hotfix(s, "hotfix-old-crash", version="1.0.2")
    last_day = s.clock.now.date().isoformat()
    s.clock.advance(days=3)
    new = land_hotfix(s, "hotfix/new-crash", version="1.0.3")
    s.clock.advance(days=1)
    late = land_hotfix(s, "hotfix-late-crash", version="1.0.4")
    policy = {
        **JUDGED,
        "hotfix_branch": "hotfix/{slug}",
        "eras": [{"until": last_day, "hotfix_branch": "hotfix-*"}, {"since": next_day(last_day)}],
    }
    _, report = run_check(s, policy=policy)
    assert about(report, [old.merge or "", new.merge or ""]) == [], describe(report)
    assert [v["rule"] for v in about(report, [late.merge or ""])] == ["branch-name"], describe(report)
    listed = [r["branch"] for r in changes(s, policy)]
    assert {"hotfix-old-crash", "hotfix/new-crash", "hotfix-late-crash"} <= set(listed), listed
    # one pattern for all time: the old hotfix is misnamed too
    _, report = run_check(s, policy=JUDGED)
    assert "branch-name" in {v["rule"] for v in about(report, [old.merge or ""])}, describe(report)


def test_a_change_before_the_first_era_is_outside_every_era(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.clock.advance(days=1)
    before = s.commit("Fix ci", {"ci.yml": "on: push\n"})  # a direct push before the process began
    start = next_day(s.clock.now.date().isoformat())
    s.clock.advance(days=2)
    made = land_hotfix(s, "hotfix/crash", version="1.0.2")
    policy = {**JUDGED, "eras": [{"since": start}]}
    code, report = run_check(s, policy=policy)
    assert about(report, [before]) == [] and code == 0, describe(report)
    assert [v for v in violations(report) if v["rule"] == "merge-commit"] == [], describe(report)
    rows = {r["commit"]: r for r in changes(s, policy, "--all")}
    assert rows[before]["outside_era"] and f"before the era's since ({start})" in rows[before]["evidence"], rows
    assert not rows[made.merge or ""]["outside_era"], rows
    _, report = run_check(s, policy=JUDGED)  # without the era the push is judged
    assert about(report, [before]), describe(report)


# -- the policy form --------------------------------------------------------------------------


def test_eras_in_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(
        "hotfix_branch: 'hotfix/{slug}'\n"
        "rules: {back-merge: {severity: error, grace_days: 3}}\n"
        "eras:\n"
        "  - until: 2019-12-31\n"
        "    hotfix_branch: 'hotfix-*'\n"
        "  - since: 2020-01-01\n"
        "    integration: null\n"
        "    rules: {back-merge: warning}\n"
    )
    policy = load_policy(path)
    first, second = policy.eras
    assert first.hotfix_branch == ("hotfix-*",) and first.until == dt.date(2019, 12, 31) and first.era_since is None
    assert second.hotfix_branch == ("hotfix/{slug}",) and second.integration is None
    assert second.era_since == dt.date(2020, 1, 1) and second.until is None
    assert second.rules["back-merge"].options == {"grace_days": 3}, second.rules  # merged per rule
    assert policy.era_at(int(dt.datetime(2019, 6, 1, tzinfo=dt.timezone.utc).timestamp())) is first
    assert policy.era_now(int(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc).timestamp())) is second


BAD_ERAS = {
    "eras:\n  - {since: 2020-01-01, until: 2021-12-31}\n  - {since: 2021-06-01}\n": (
        "3:13: at eras[1].since: eras overlap or are out of order: since (2021-06-01) must come after"
    ),
    "eras:\n  - {since: 2022-01-01, until: 2022-12-31}\n  - {since: 2020-01-01, until: 2020-12-31}\n": (
        "3:13: at eras[1].since: eras overlap or are out of order"
    ),
    "eras:\n  - {since: 2020-01-01}\n  - {since: 2022-01-01}\n": "2:5: at eras[0]: every era but the last says until",
    "eras:\n  - {until: 2020-01-01}\n  - {until: 2022-01-01}\n": "3:5: at eras[1]: every era but the first says since",
    "eras:\n  - {since: 2020-01-01, until: 2019-01-01}\n": "2:32: at eras[0].until: until (2019-01-01) is before",
    "until: 2020-01-01\neras:\n  - {since: 2019-01-01}\n": "1:8: at until: with eras, until belongs to the last era",
    "eras:\n  - {since: 2020-01-01, hotfix_branch: '{nope}'}\n": "2:40: at eras[0].hotfix_branch: unknown placeholder",
    "eras:\n  - {since: 2020-01-01, extends: default}\n": "2:25: at eras[0].extends: unknown key",
    "eras:\n  - {since: 2020-13-01}\n": "2:13: at eras[0].since: expected a calendar date",
}


def test_era_errors_give_file_and_line(tmp_path: Path) -> None:
    assert_policy_errors(tmp_path, BAD_ERAS)


def test_overlapping_eras_are_a_usage_error(gitflow_repo: Scenario) -> None:
    policy: dict[str, Any] = {**JUDGED, "eras": [{"until": "2025-01-10"}, {"since": "2025-01-01"}]}
    code, report = run_check(gitflow_repo, policy=policy)
    assert code == 2 and report is None
