"""Acceptance tests for ``changelog-entry``: the changelog has a section for each hotfix.

The IBM-Jazz process (seed 1): branches ``hotfix-v{version}``, merged ``--no-ff`` into main;
automation then writes the changelog section and bumps the version on main and tags
``v{version}``. The version comes from the branch name, the ticket from the fix's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from scenario import (
    BOT_IDENTITY,
    Clock,
    Scenario,
    add_changelog_section,
    assert_clean,
    assert_only,
    changelog_section,
    describe,
    land_hotfix,
    make_policy,
    run_check,
    violations,
)

TICKET = r"IBM-Jazz-\d+"


def seed1_policy(*, only: str | None = None, ticket: bool = True, **rules: Any) -> dict[str, Any]:
    """The IBM-Jazz process; the release bot may commit straight to main."""
    settings: dict[str, Any] = {"merge-commit": {"allow_authors": [r"github-actions\[bot\]"]}}
    settings.update(rules)
    if only is not None:  # the other rules off, but the bot still named as automation
        settings = {k: v for k, v in settings.items() if k == only or isinstance(v, dict)}
        settings = {k: v if k == only else {**v, "severity": "off"} for k, v in settings.items()}
    keys: dict[str, Any] = {"hotfix_branch": "hotfix-v{version}"}
    if ticket:
        keys["ticket_pattern"] = TICKET
    return make_policy(only=only, rules=settings, **keys)


def build_seed1(s: Scenario, *, section: str = "full") -> Scenario:
    """main at 1.2.0 with develop; hotfix-v1.2.1 lands, the bot writes the changelog and tags.

    ``section``: "full" (heading and ticket), "no-ticket", or "missing" (the bot only bumps
    the version).
    """
    s.commit(
        "Initial commit",
        {
            "CHANGELOG.md": "# Changelog\n\n" + changelog_section("1.2.0", "2023-06-01", ["first"], "Added"),
            "setup.py": 'VERSION = "1.2.0"\n',
            "app/data.py": "EDGE = False\n",
        },
    )
    s.tag("v1.2.0", message="Release 1.2.0")
    s.branch("develop")
    s.branch("hotfix-v1.2.1", checkout=True)
    s.marks["fix"] = s.commit("Fix: Description of the fix (IBM-Jazz-1234)", {"app/data.py": "EDGE = True\n"})
    s.checkout("main")
    s.marks["merge"] = s.merge("hotfix-v1.2.1")
    files: dict[str, str | bytes | None] = {"setup.py": 'VERSION = "1.2.1"\n'}
    entry = {
        "full": "Fixed issue with data processing in edge cases (IBM-Jazz-1234)",
        "no-ticket": "Fixed issue with data processing in edge cases",
    }.get(section)
    if entry is not None:
        files["CHANGELOG.md"] = add_changelog_section(
            s.read("CHANGELOG.md"), changelog_section("1.2.1", s.clock.now.date().isoformat(), [entry])
        )
    s.marks["release"] = s.commit("chore(release): 1.2.1", files, author=BOT_IDENTITY)
    s.tag("v1.2.1", message="Hotfix 1.2.1", tagger=BOT_IDENTITY)
    s.checkout("develop")
    s.merge("main")
    s.checkout("main")
    return s


@pytest.fixture
def seed1(scenario: Callable[..., Scenario]) -> Callable[..., Scenario]:
    def make(section: str = "full") -> Scenario:
        clock = Clock(now=dt.datetime(2023, 6, 15, 9, tzinfo=dt.timezone.utc))
        return build_seed1(scenario("ibm-jazz", clock=clock), section=section)

    return make


# -- history ----------------------------------------------------------------------------------


def test_seed1_section_at_the_tag_is_silent(seed1: Callable[..., Scenario]) -> None:
    s = seed1("full")
    assert "## [1.2.1] - 2023-06-15" in s.read("CHANGELOG.md", rev="v1.2.1")
    status, report = run_check(s, policy=seed1_policy())
    assert_clean(status, report)


def test_missing_section_fires(seed1: Callable[..., Scenario]) -> None:
    s = seed1("missing")
    status, report = run_check(s, policy=seed1_policy())
    (v,) = assert_only(report, "changelog-entry", severity="error")
    assert "1.2.1" in v["message"], describe(report)
    assert status == 1


def test_section_without_the_ticket_fires(seed1: Callable[..., Scenario]) -> None:
    s = seed1("no-ticket")
    status, report = run_check(s, policy=seed1_policy())
    (v,) = assert_only(report, "changelog-entry", severity="error")
    assert "IBM-Jazz-1234" in v["message"], describe(report)
    assert status == 1


def test_ticket_is_not_required_without_a_ticket_pattern(seed1: Callable[..., Scenario]) -> None:
    s = seed1("no-ticket")
    status, report = run_check(s, policy=seed1_policy(ticket=False))
    assert_clean(status, report)


def test_require_ticket_option(seed1: Callable[..., Scenario]) -> None:
    s = seed1("no-ticket")
    policy = seed1_policy(**{"changelog-entry": {"require_ticket": False}})
    status, report = run_check(s, policy=policy)
    assert_clean(status, report)


def test_gitflow_version_from_the_release_tag(gitflow_repo: Scenario) -> None:
    """hotfix/{slug} has no version: the tag v1.0.1 on the merge gives it."""
    status, report = run_check(gitflow_repo, policy=make_policy(only="changelog-entry"))
    assert_clean(status, report)


def test_gitflow_tagged_hotfix_without_changelog_change_fires(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", changelog=False)
    status, report = run_check(gitflow_repo, policy=make_policy())
    (v,) = assert_only(report, "changelog-entry")
    assert "1.0.2" in v["message"], describe(report)
    assert status == 1


def test_gitflow_untagged_hotfix_must_at_least_change_the_changelog(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", tag=False, changelog=True)
    status, report = run_check(gitflow_repo, policy=make_policy(only="changelog-entry"))
    assert_clean(status, report)
    land_hotfix(gitflow_repo, "hotfix/fix-other", version="1.0.3", tag=False, changelog=False)
    status, report = run_check(gitflow_repo, policy=make_policy(only="changelog-entry"))
    (v,) = violations(report, "changelog-entry")
    assert "hotfix/fix-other" in f"{v['ref']} {v['message']}", describe(report)
    assert status == 1


def test_ticket_checked_in_gitflow_section(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", changelog="no-ticket")
    policy = make_policy(only="changelog-entry", ticket_pattern=r"ABC-\d+")
    status, report = run_check(gitflow_repo, policy=policy)
    (v,) = violations(report, "changelog-entry")
    assert "ABC-124" in v["message"], describe(report)
    assert status == 1


# -- a branch under check -----------------------------------------------------------------------


def _branch(s: Scenario, name: str, changelog: str | None) -> None:
    s.branch(name, "main", checkout=True)
    files: dict[str, str | bytes | None] = {"app/data.py": "EDGE = None\n"}
    if changelog is not None:
        files["CHANGELOG.md"] = add_changelog_section(s.read("CHANGELOG.md"), changelog)
    s.commit("Fix: another edge case (IBM-Jazz-1300)", files)
    s.checkout("main")


def test_branch_under_check_not_touching_the_changelog_fires(seed1: Callable[..., Scenario]) -> None:
    s = seed1("full")
    _branch(s, "hotfix-v1.2.2", changelog=None)
    status, report = run_check(s, "--branch", "hotfix-v1.2.2", policy=seed1_policy())
    (v,) = assert_only(report, "changelog-entry", severity="error")
    assert "CHANGELOG.md" in f"{v['path']} {v['message']}", describe(report)
    assert status == 1


def test_branch_under_check_adding_its_section_is_silent(seed1: Callable[..., Scenario]) -> None:
    s = seed1("full")
    section = changelog_section("1.2.2", "2023-06-20", ["Another edge case (IBM-Jazz-1300)"])
    _branch(s, "hotfix-v1.2.2", changelog=section)
    status, report = run_check(s, "--branch", "hotfix-v1.2.2", policy=seed1_policy())
    assert_clean(status, report)


def test_branch_under_check_adding_another_versions_section_fires(seed1: Callable[..., Scenario]) -> None:
    s = seed1("full")
    section = changelog_section("1.2.3", "2023-06-20", ["Another edge case (IBM-Jazz-1300)"])
    _branch(s, "hotfix-v1.2.2", changelog=section)
    status, report = run_check(s, "--branch", "hotfix-v1.2.2", policy=seed1_policy(only="changelog-entry"))
    (v,) = violations(report, "changelog-entry")
    assert "1.2.2" in v["message"], describe(report)
    assert status == 1
