"""Issue 13, item 2: process eras. A policy's ``until`` ends its era: production changes that
landed after it (the repository went trunk-based that day) are neither listed as hotfixes nor
judged by any history rule; ``hotfixes --all`` shows them as outside the era."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from scenario import Scenario, describe, land_hotfix, make_policy, run_check, violations

from hotfix_lint.cli import main
from hotfix_lint.errors import PolicyError
from hotfix_lint.policy.loader import load_policy

JUDGED = make_policy(
    rules={
        rule: "off"
        for rule in ("changelog-entry", "release-tag", "version-bump", "ticket-reference", "stale-branch")
    }
)


def changes(s: Scenario, policy: dict[str, Any], *args: str) -> list[dict[str, Any]]:
    """``hotfixes --format json`` rows under ``policy`` (``--all`` for every class)."""
    import yaml

    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(policy))
    out = s.path.parent / f"eras-{s.path.name}.json"
    assert main(["hotfixes", "--repo", str(s.path), "--now", "2025-03-01", "--format", "json",
                 "--output", str(out), *args]) == 0  # fmt: skip
    return list(json.loads(out.read_text())["hotfixes"])


def went_trunk_based(s: Scenario) -> tuple[str, list[str]]:
    """After the git-flow era, the team squashes pull requests straight onto main: the day the
    era ended, and the squashes (no branch left, never back-merged: firing under git-flow)."""
    last_day = s.clock.now.date().isoformat()
    s.clock.set(dt.datetime.combine(s.clock.now.date() + dt.timedelta(days=2), dt.time(9)))
    squashes = []
    for n, name in enumerate(("fix-crash", "add-search", "tune-cache")):
        made = land_hotfix(s, f"hotfix/{name}", how="squash", pr_number=50 + n, back_merge=None, tag=False,
                          version=None)  # fmt: skip
        s.delete_branch(f"hotfix/{name}")
        squashes.append(made.merge or "")
    return last_day, squashes


def about(report: dict[str, Any] | None, commits: list[str]) -> list[dict[str, Any]]:
    return [v for v in violations(report) if v.get("commit") and any(c.startswith(str(v["commit"])) for c in commits)]


def test_without_until_the_trunk_based_squashes_are_listed_and_judged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _, squashes = went_trunk_based(s)
    # their branches are gone: squashes of unknown source, listed by --all, judged by merge-commit
    listed = [r["commit"] for r in changes(s, JUDGED, "--all") if r["class"] == "squash" and not r["outside_era"]]
    assert set(squashes) <= set(listed), listed
    _, report = run_check(s, policy=JUDGED)
    rules = {v["rule"] for v in about(report, squashes)}
    assert "merge-commit" in rules, describe(report)


def test_after_until_the_squashes_are_neither_listed_nor_judged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    last_day, squashes = went_trunk_based(s)
    policy = {**JUDGED, "until": last_day}
    rows = changes(s, policy)
    assert [r["branch"] for r in rows] == ["hotfix/fix-login-timeout"], rows  # the git-flow era's hotfix
    outside = [r for r in changes(s, policy, "--all") if r["commit"] in squashes]
    assert len(outside) == 3 and all(r["outside_era"] and not r["hotfix"] for r in outside), outside
    assert all(f"after the policy's until ({last_day})" in r["evidence"] for r in outside), outside
    code, report = run_check(s, policy=policy)
    assert about(report, squashes) == [], describe(report)
    assert code == 0, describe(report)


def test_hotfixes_all_text_names_the_era(gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    s = gitflow_repo
    last_day, _ = went_trunk_based(s)
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump({**JUDGED, "until": last_day}))
    assert main(["hotfixes", "--repo", str(s.path), "--now", "2025-03-01", "--all"]) == 0
    out = capsys.readouterr().out
    assert out.count("squash (outside era)") == 3, out


def test_a_change_landed_on_the_until_day_is_still_judged(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    last_day, squashes = went_trunk_based(s)
    landed_day = (dt.date.fromisoformat(last_day) + dt.timedelta(days=2)).isoformat()
    rows = changes(s, {**JUDGED, "until": landed_day}, "--all")  # `until` is inclusive
    listed = [r["commit"] for r in rows if not r["outside_era"]]
    assert set(squashes) <= set(listed), listed


def test_a_run_of_pushes_straddling_until_is_judged_up_to_it(gitflow_repo: Scenario) -> None:
    """Two CI fixes pushed on the era's last day, a key update a year later: one run of
    single-parent commits on main, judged for its part inside the era only."""
    s = gitflow_repo
    inside = s.commit("Fix ci", {"ci.yml": "on: push\n"})
    last_day = s.clock.now.date().isoformat()
    s.clock.advance(days=400)
    later = s.commit("Update PGP key", {"KEYS": "new\n"})
    _, report = run_check(s, policy={**JUDGED, "until": last_day})
    assert {v["rule"] for v in about(report, [inside])} == {"merge-commit"}, describe(report)
    assert about(report, [later]) == [], describe(report)
    rows = {r["commit"]: r for r in changes(s, {**JUDGED, "until": last_day}, "--all")}
    assert rows[later]["outside_era"] and not rows[inside]["outside_era"], rows


def test_until_must_come_after_since(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("since: 2022-12-31\nuntil: 2019-02-01\n")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert "policy.yaml:2:8: at until: until (2019-02-01) must be after since (2022-12-31)" in str(raised.value)
    path.write_text("since: 2019-02-01\nuntil: 2022-12-31\n")
    assert load_policy(path).until == dt.date(2022, 12, 31)


def test_until_before_since_is_a_usage_error(gitflow_repo: Scenario) -> None:
    code, report = run_check(gitflow_repo, policy={**JUDGED, "since": "2024-01-01", "until": "2023-01-01"})
    assert code == 2 and report is None
