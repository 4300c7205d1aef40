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
import yaml
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


# -- changelogs as teams write them: the file found, its own heading style ----------------------

STYLES = {
    # file: (its first release's heading, how a section for {v} is written there)
    "Changes.mdown": ("#### 1.0.0\n* first release\n", "#### {v}\n* {entry}\n"),
    "HISTORY.md": ("# History\n\n## v1.0.0\n- first release\n", "## v{v}\n- {entry}\n"),
    "CHANGES.rst": (
        "Changes\n=======\n\n1.0.0 (2025-01-01)\n------------------\n\n- first release\n",
        "{v} (2025-02-01)\n------------------\n\n- {entry}\n",
    ),
    "docs/changelog.rst": ("1.0.0\n=====\n\n* first release\n", "{v}\n=====\n\n* {entry}\n"),
    "NEWS": ("Version 1.0.0\n  * first release\n", "Version {v} - 2025-02-01\n  * {entry}\n"),
    "CHANGELOG": ("[1.0.0] - 2025-01-01\n- first release\n", "[{v}] - 2025-02-01\n- {entry}\n"),
}
HINTS = {
    "Changes.mdown": "`#### 1.0.2`",
    "HISTORY.md": "`## v1.0.2`",
    "CHANGES.rst": "`1.0.2 (YYYY-MM-DD)` underlined with `------------------`",
    "docs/changelog.rst": "`1.0.2` underlined with `=====`",
    "NEWS": "`Version 1.0.2 - YYYY-MM-DD`",
    "CHANGELOG": "`[1.0.2] - YYYY-MM-DD`",
}


def unnamed(**keys: Any) -> dict[str, Any]:
    """A policy with only changelog-entry on that does not name the changelog: it is found."""
    policy = make_policy(only="changelog-entry", **keys)
    del policy["changelog"]
    return policy


def with_section(text: str, section: str) -> str:
    """``section`` above the first release: after a title (a first line followed by an
    underline or a blank line) when the file has one."""
    lines = text.splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if "1.0.0" in line)
    return "".join(lines[:cut]) + section + "\n" + "".join(lines[cut:])


def changelog_project(s: Scenario, path: str) -> None:
    s.commit("Initial commit", {path: STYLES[path][0], "app/data.py": "EDGE = 0\n"})
    s.tag("v1.0.0", message="Release 1.0.0")
    s.branch("develop")


def land(s: Scenario, branch: str, version: str, path: str | None) -> None:
    """A hotfix merged into main and tagged; ``path``: the changelog it writes its section to."""
    s.branch(branch, "main", checkout=True)
    files: dict[str, str | bytes | None] = {"app/data.py": f"EDGE = {version!r}\n"}
    if path is not None:
        files[path] = with_section(s.read(path), STYLES[path][1].format(v=version, entry="the fix"))
    s.commit(f"Fix: edge case {version}", files)
    s.checkout("main")
    s.merge(branch)
    s.tag(f"v{version}", message=f"Hotfix {version}")


@pytest.mark.parametrize("path", sorted(STYLES))
def test_the_changelog_is_found_and_read_in_its_own_style(scenario: Callable[..., Scenario], path: str) -> None:
    s = scenario()
    changelog_project(s, path)
    land(s, "hotfix/edge-case", "1.0.1", path)
    assert find_section_in(s, path, "1.0.1")
    assert_clean(*run_check(s, policy=unnamed()))
    land(s, "hotfix/other-case", "1.0.2", None)
    status, report = run_check(s, policy=unnamed())
    (v,) = assert_only(report, "changelog-entry")
    assert f"{path} at v1.0.2" in v["message"] and "no section for 1.0.2" in v["message"], describe(report)
    assert HINTS[path] in v["hint"], v["hint"]
    assert status == 1


def find_section_in(s: Scenario, path: str, version: str) -> bool:
    from hotfix_lint.facts.changelog import find_section

    return find_section(s.read(path), version) is not None


def test_the_hotfixes_table_reads_the_found_changelog(scenario: Callable[..., Scenario]) -> None:
    import json

    from hotfix_lint.cli import main

    s = scenario()
    changelog_project(s, "Changes.mdown")
    land(s, "hotfix/edge-case", "1.0.1", "Changes.mdown")
    land(s, "hotfix/other-case", "1.0.2", None)
    policy = s.path.parent / "unnamed.yaml"
    policy.write_text(yaml.safe_dump(unnamed()), encoding="utf-8")
    out = s.path.parent / "hotfixes.json"
    args = ["hotfixes", "--repo", str(s.path), "--policy", str(policy), "--format", "json", "--output", str(out)]
    assert main(args) == 0
    rows = {r["branch"]: r["changelog"] for r in json.loads(out.read_text(encoding="utf-8"))["hotfixes"]}
    assert rows == {"hotfix/edge-case": "yes", "hotfix/other-case": "no section"}


def test_a_branch_under_check_is_told_the_files_heading_style(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    changelog_project(s, "CHANGES.rst")
    policy = unnamed(hotfix_branch="hotfix-v{version}")
    s.branch("hotfix-v1.0.1", "main", checkout=True)
    s.commit("Fix: edge case", {"app/data.py": "EDGE = 1\n"})
    s.checkout("main")
    (v,) = violations(run_check(s, "--branch", "hotfix-v1.0.1", policy=policy)[1], "changelog-entry")
    assert "does not change CHANGES.rst" in v["message"], v
    assert "`1.0.1 (YYYY-MM-DD)` underlined with `------------------`" in v["message"]
    s.checkout("hotfix-v1.0.1")
    section = STYLES["CHANGES.rst"][1].format(v="1.0.1", entry="the fix")
    s.commit("Changes for 1.0.1", {"CHANGES.rst": with_section(s.read("CHANGES.rst"), section)})
    s.checkout("main")
    assert_clean(*run_check(s, "--branch", "hotfix-v1.0.1", policy=policy))


def test_no_changelog_found_says_what_was_looked_for(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "# svc\n", "app/data.py": "EDGE = 0\n"})
    s.tag("v1.0.0", message="Release 1.0.0")
    s.branch("develop")
    land(s, "hotfix/edge-case", "1.0.1", None)
    status, report = run_check(s, policy=unnamed())
    (v,) = assert_only(report, "changelog-entry")
    assert "there is no changelog (looked for CHANGELOG.md, CHANGES.md" in v["message"], describe(report)
    assert "`changelog:`" in v["hint"] and status == 1


def test_a_named_changelog_is_the_only_one_read(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    changelog_project(s, "HISTORY.md")
    land(s, "hotfix/edge-case", "1.0.1", "HISTORY.md")
    (v,) = assert_only(run_check(s, policy=make_policy(only="changelog-entry"))[1], "changelog-entry")
    assert "there is no CHANGELOG.md at v1.0.1" in v["message"]
    assert_clean(*run_check(s, policy=make_policy(only="changelog-entry", changelog="HISTORY.md")))
    assert_clean(*run_check(s, policy=make_policy(only="changelog-entry", changelog=None)))
