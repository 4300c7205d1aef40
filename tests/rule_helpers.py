"""Helpers for the tests of the opt-in rules: a policy with one rule on, and a checked run."""

from __future__ import annotations

from typing import Any

from scenario import BASE_POLICY, RULE_IDS, Scenario, run_check

NOW = "2025-03-01"


def only(rule: str, options: dict[str, Any] | None = None, *, severity: str = "error", **keys: Any) -> dict[str, Any]:
    """A complete policy: the five core rules off, ``rule`` on with ``options``; ``keys`` override."""
    data: dict[str, Any] = {**BASE_POLICY, **keys}
    data["rules"] = {rid: "off" for rid in RULE_IDS}
    data["rules"][rule] = {"severity": severity, **(options or {})}
    return data


def check(s: Scenario, policy: dict[str, Any], *args: str, now: str = NOW) -> tuple[int, dict[str, Any] | None]:
    """``hotfix-lint check --now NOW`` with ``policy``; the exit status and the JSON report."""
    return run_check(s, "--now", now, *args, policy=policy)
