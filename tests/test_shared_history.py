"""History shared by production lines is judged once; open release branches get hotfixes too."""

from __future__ import annotations

import datetime as dt

import pytest
from rule_helpers import check, only
from scenario import Scenario, assert_clean, describe, land_hotfix, make_policy, violations

from hotfix_lint.catalog import rules_by_pack, rules_markdown
from hotfix_lint.cli import main

# -- shared history ----------------------------------------------------------------------------


def test_a_mistake_below_a_support_branch_is_reported_once(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.commit("direct push on main")  # shared by main and the support branch cut below
    land_hotfix(s, "quickfix", version=None, ticket=None, tag=False, changelog=False)  # a badly named hotfix
    s.branch("support/1.x", "main")
    s.checkout("support/1.x")
    land_hotfix(s, "hotfix/support-fix", production="support/1.x", version=None, tag=False, changelog=False,
                back_merge=None)  # fmt: skip
    policy = make_policy(production=["main", "support/*"], rules={"changelog-entry": "off"})
    _, report = check(s, policy)
    found = violations(report)
    assert sorted(v["rule"] for v in found) == ["back-merge", "branch-name", "merge-commit"], describe(report)
    assert any("support/1.x" in (v["ref"] or "") or "support-fix" in v["message"] for v in found)


# -- open release branches (back-merge option release_branches) --------------------------------

RELEASES = only("back-merge", {"release_branches": True})


def _release_cut(s: Scenario, name: str = "release/1.1") -> None:
    s.checkout("develop")
    s.branch(name, checkout=True)
    s.commit(f"Prepare {name}")
    s.checkout("main")


def test_open_release_branch_cut_before_the_hotfix_must_contain_it(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _release_cut(s)
    made = land_hotfix(s)
    (v,) = violations(check(s, RELEASES)[1])
    assert v["ref"] == "release/1.1" and "hotfix/fix-crash" in v["message"] and v["commit"] == made.merge
    assert v["hint"] == "git switch release/1.1 && git merge --no-ff hotfix/fix-crash"
    s.checkout("release/1.1")
    s.merge("main")
    assert_clean(*check(s, RELEASES))


def test_release_branches_that_do_not_need_it(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s)  # merged into main, then main into develop
    _release_cut(s, "release/1.2")  # cut after the hotfix (develop has it)
    s.checkout("develop")
    s.branch("release/1.0-old", "v1.0.0")  # an old release, merged into main long ago
    s.checkout("main")
    assert_clean(*check(s, RELEASES))
    assert_clean(*check(s, only("back-merge")))  # the option is off by default


def test_pending_within_grace(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    _release_cut(s)
    land_hotfix(s)
    day = (s.clock.now + dt.timedelta(days=1)).date().isoformat()
    (v,) = violations(check(s, RELEASES, now=day)[1])
    assert v["severity"] == "warning" and v["message"].startswith("pending: ")


# -- the catalogue: rules, their packs, the README table ---------------------------------------


def test_rules_lists_the_packs_that_enable_each_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "packs: gitflow" in out and "opt-in" in out
    packs = rules_by_pack()
    assert "ibm-jazz" in packs["ticket-reference"] and "gaia-gateway" in packs["promotion-chain"]
    assert "compactconnect" in packs["stale-branch"] and "default" not in packs["ci-trigger"]
    assert "| `ci-trigger` | error, opt-in | `ibm-jazz` |" in rules_markdown()


def test_explain_names_the_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "promotion-chain"]) == 0
    out = capsys.readouterr().out
    assert "built-in packs that enable it: gaia-gateway" in out and "opt-in" in out
