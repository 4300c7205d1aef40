"""The built-in packs against the seed processes they encode.

For each pack: a repository that follows its seed process step by step gets zero findings;
the same history with exactly one step skipped or done wrong gets exactly the rule that
checks that step (the step tables in the README say which).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from packs_scenarios import (
    GITFLOW_STEPS,
    MAIN_DEVELOPMENT_STEPS,
    NOW,
    PROD_HOTFIX_STEPS,
    build_gitflow_process,
    build_main_development_process,
    build_prod_hotfix_process,
)
from scenario import Scenario, assert_clean, describe, rules_found, run_check, violations

from hotfix_lint.facts.kinds import GIT_BRANCH, GIT_HISTORY, PROMOTION, WORKFLOWS
from hotfix_lint.policy.loader import load_pack
from hotfix_lint.policy.packs import pack_names
from hotfix_lint.rules.registry import ALL_RULES

PACKS: dict[str, tuple[Callable[..., Scenario], dict[str, str]]] = {
    "ibm-jazz": (build_gitflow_process, GITFLOW_STEPS),
    "compactconnect": (build_main_development_process, MAIN_DEVELOPMENT_STEPS),
    "gaia-gateway": (build_prod_hotfix_process, PROD_HOTFIX_STEPS),
}


#: rules that read GitHub, not git history: the pack tests' repositories have no GitHub
GITHUB_RULES = frozenset(
    rule.id for rule in ALL_RULES if not rule.requires & {GIT_HISTORY, GIT_BRANCH, WORKFLOWS, PROMOTION}
)


def check(s: Scenario, pack: str) -> tuple[int, dict[str, object] | None]:
    return run_check(s, "--now", NOW, policy={"extends": pack})


@pytest.mark.parametrize("pack", sorted(PACKS))
def test_the_seed_process_followed_step_by_step_is_clean(scenario: Callable[..., Scenario], pack: str) -> None:
    build, _ = PACKS[pack]
    s = build(scenario(pack))
    status, report = check(s, pack)
    assert_clean(status, report)
    assert report is not None
    assert _enabled(pack) - GITHUB_RULES <= set(report["summary"]["rules_run"])


@pytest.mark.parametrize(
    ("pack", "step", "rule"),
    [(pack, step, rule) for pack, (_, steps) in sorted(PACKS.items()) for step, rule in steps.items()],
)
def test_each_step_done_wrong_yields_exactly_its_rule(
    scenario: Callable[..., Scenario], pack: str, step: str, rule: str
) -> None:
    build, _ = PACKS[pack]
    s = build(scenario(pack), wrong=step)
    _, report = check(s, pack)
    assert rules_found(report) == {rule}, f"{pack}/{step}: expected only {rule}\n{describe(report)}"


def _enabled(pack: str) -> set[str]:
    from hotfix_lint.engine import select_rules

    return {selected.rule.id for selected in select_rules(load_pack(pack))}


def test_every_pack_rule_is_exercised_by_a_step() -> None:
    """A rule a pack enables is either proven by a step test or is a core rule of every pack."""
    for pack, (_, steps) in PACKS.items():
        exercised = set(steps.values())
        missing = _enabled(pack) - exercised - GITHUB_RULES
        assert not missing, f"{pack}: no step test for {sorted(missing)}"


def test_every_builtin_pack_loads() -> None:
    for name in pack_names():
        policy = load_pack(name)
        assert policy.source == f"pack:{name}"
    assert {"default", *PACKS} <= set(pack_names())


def test_findings_name_the_step(scenario: Callable[..., Scenario]) -> None:
    s = build_prod_hotfix_process(scenario("prod"), wrong="second-promotion-from-main")
    _, report = check(s, "gaia-gateway")
    (v,) = violations(report)
    assert "prod/hotfix/2025-01-12_fix-export" in v["message"]
    assert "prod/hotfix/2025-01-10_fix-login" in v["message"] and "hotfix/fix-login" in v["message"]
