"""Pure parsers: name patterns, merge messages, changelog sections, versions."""

from __future__ import annotations

import pytest

from hotfix_lint.facts.changelog import added_section, find_section
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.versions import version_key
from hotfix_lint.policy.patterns import PatternError, compile_pattern, slugify


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("hotfix/{slug}", "hotfix/fix-login-timeout", {"slug": "fix-login-timeout"}),
        ("hotfix/{slug}", "hotfix/Fix_Login", None),
        ("hotfix/{slug}", "hotfix/a/b", None),
        ("hotfix-v{version}", "hotfix-v1.2.1", {"version": "1.2.1"}),
        ("hotfix-v{version}", "hotfix-v1.2", None),
        ("prod/hotfix/{date}_{slug}", "prod/hotfix/2024-05-22_login", {"date": "2024-05-22", "slug": "login"}),
        ("prod/hotfix/{date}_{slug}", "prod/hotfix/2024-02-30_login", None),
        ("release/*", "release/1.2", {}),
        ("release/*", "release/1.2/x", None),
        ("support/**", "support/1.x/lts", {}),
        ("^hot(fix)?/.+$", "hot/x", {}),
    ],
)
def test_name_patterns(pattern: str, name: str, expected: dict[str, str] | None) -> None:
    found = compile_pattern(pattern).match(name)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert {k: v for k, v in found.items() if k in expected} == expected


def test_ticket_placeholder_uses_policy_pattern() -> None:
    pattern = compile_pattern("hotfix/{ticket}-{slug}", ticket_pattern=r"ABC-\d+")
    assert pattern.match("hotfix/ABC-12-login") == {"ticket": "ABC-12", "slug": "login"}
    with pytest.raises(PatternError, match="no ticket_pattern"):
        compile_pattern("hotfix/{ticket}")


def test_unknown_placeholder_and_bad_regex() -> None:
    with pytest.raises(PatternError, match=r"unknown placeholder \{name\}"):
        compile_pattern("hotfix/{name}")
    with pytest.raises(PatternError, match="invalid regular expression"):
        compile_pattern("^hotfix/(")


def test_examples_and_slugify_for_hints() -> None:
    assert compile_pattern("hotfix/{slug}").example(slugify("Fix_Login Timeout")) == "hotfix/fix-login-timeout"
    assert compile_pattern("hotfix-v{version}").example() == "hotfix-v1.2.1"


@pytest.mark.parametrize(
    ("message", "kind", "source", "target"),
    [
        ("Merge branch 'hotfix/x'", "branch", "hotfix/x", None),
        ("Merge branch 'main' into develop", "branch", "main", "develop"),
        ("Merge branch 'hotfix/x' of github.com:o/r into main", "branch", "hotfix/x", "main"),
        ("Merge branch 'hotfix/x' into 'main'\n\nGitLab", "branch", "hotfix/x", "main"),
        ("Merge pull request #12 from acme/hotfix/fix-a\n\nFix a", "pull-request", "hotfix/fix-a", None),
        ("Merge remote-tracking branch 'origin/hotfix/x'", "remote-branch", "hotfix/x", None),
        ("Merge remote-tracking branch 'origin/main' into develop", "remote-branch", "main", "develop"),
        ("Merge tag 'v1.2.3' into develop", "tag", "v1.2.3", "develop"),
        ("Merge branches 'a' and 'b'", "branches", "a", None),
        ("Merged hotfix", "unknown", None, None),
        # a short note before git's message (Cortex-Analyzers 2d5034e8); never a revert's subject
        ("Closes #352\nMerge branch 'hotfix/1.14.3'", "branch", "hotfix/1.14.3", None),
        ("Closes #352 Merge branch 'hotfix/1.14.3'", "branch", "hotfix/1.14.3", None),
        ("Fix the crash\n\nMerge branch 'hotfix/x' was wrong", "unknown", None, None),
        ("Fixes #9: Merge branch 'hotfix/x' into main", "branch", "hotfix/x", "main"),
        ("Revert \"Merge branch 'hotfix/x'\"", "unknown", None, None),
        ("Fix the crash that appeared after we did the Merge branch 'hotfix/x'", "unknown", None, None),
    ],
)
def test_merge_messages(message: str, kind: str, source: str | None, target: str | None) -> None:
    parsed = parse_merge_message(message)
    assert (parsed.kind, parsed.source, parsed.target) == (kind, source, target)


def test_pull_request_number() -> None:
    assert parse_merge_message("Merge pull request #7 from o/b").pull_request == 7


CHANGELOG = """# Changelog

## [Unreleased]

## [1.2.1] - 2023-06-15
### Fixed
- data processing in edge cases (IBM-Jazz-1234)

## [1.2.0] - 2023-06-01
- features
"""


def test_changelog_sections() -> None:
    section = find_section(CHANGELOG, "1.2.1")
    assert section is not None and section.line == 5
    assert "IBM-Jazz-1234" in section.text and "features" not in section.text
    assert find_section(CHANGELOG, "1.2.2") is None
    assert find_section(CHANGELOG, "1.2") is None
    assert added_section(("## [1.2.1] - 2023-06-15",), "1.2.1")
    assert not added_section(("- fixed",), "1.2.1")


def test_version_order() -> None:
    assert version_key("1.10.0") > version_key("1.9.9")  # type: ignore[operator]
    assert version_key("v2.0.0-rc1") < version_key("2.0.0")  # type: ignore[operator]
    assert version_key("banana") is None
