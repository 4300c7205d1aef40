"""Changelogs as teams write them: version headings of every style, and which file is the changelog.

Each text is a changelog as real projects write it (Keep a Changelog, conventional-changelog,
git-flow's ``Changes.mdown``, reStructuredText ``CHANGES.rst``, a plain ``NEWS`` file).
"""

from __future__ import annotations

import pytest

from hotfix_lint.facts.changelog import added_section, find_section, heading_example, newest_version
from hotfix_lint.facts.changelog_files import is_changelog_path, pick_changelog

KEEP_A_CHANGELOG = """# Changelog

## [Unreleased]

## [1.2.3] - 2024-01-01
### Fixed
- the fix (T-1)

## [1.2.2] - 2023-12-01
- older (T-0)

[1.2.3]: https://github.com/o/r/compare/v1.2.2...v1.2.3
[1.2.2]: https://github.com/o/r/compare/v1.2.1...v1.2.2
"""

CONVENTIONAL = """# Changelog

### [1.2.3](https://github.com/o/r/compare/v1.2.2...v1.2.3) (2024-01-01)


### Bug Fixes

* the fix (T-1)

## [1.2.2](https://github.com/o/r/compare/v1.2.1...v1.2.2) (2023-12-01)

### Features

* older (T-0)
"""

GITFLOW_MDOWN = """1.2.x
-----

#### 1.2.3
* the fix (T-1)

#### 1.2.2
* older (T-0)
"""

V_PREFIX = "# Release notes\n\n## v1.2.3\n- the fix (T-1)\n\n## v1.2.2\n- older (T-0)\n"
DATE_SUFFIX = "## 1.2.3 (2024-01-01)\n- the fix (T-1)\n\n## 1.2.2 (2023-12-01)\n- older (T-0)\n"

RST = """=========
Changelog
=========

1.2.3 (2024-01-01)
------------------

Bug fixes
~~~~~~~~~

- the fix (T-1)

1.2.2 (2023-12-01)
------------------

- older (T-0)
"""

RST_EQUALS = "1.2.3\n=====\n\n* the fix (T-1)\n\n1.2.2\n=====\n\n* older (T-0)\n"
NEWS = "Version 1.2.3 - 2024-01-01\n  * the fix (T-1)\n\nVersion 1.2.2\n  * older (T-0)\n"
BRACKET_LINES = "[1.2.3] - 2024-01-01\n- the fix (T-1)\n\n[1.2.2]\n- older (T-0)\n"
TOWNCRIER = (
    "hotfix-lint 1.2.3 (2024-01-01)\n===============================\n\n- the fix (T-1)\n\n"
    "hotfix-lint 1.2.2 (2023-12-01)\n===============================\n\n- older (T-0)\n"
)

STYLES = [
    (KEEP_A_CHANGELOG, "`## [1.2.4] - YYYY-MM-DD`"),
    (CONVENTIONAL, "`### [1.2.4](...) (YYYY-MM-DD)`"),
    (GITFLOW_MDOWN, "`#### 1.2.4`"),
    (V_PREFIX, "`## v1.2.4`"),
    (DATE_SUFFIX, "`## 1.2.4 (YYYY-MM-DD)`"),
    (RST, "`1.2.4 (YYYY-MM-DD)` underlined with `------------------`"),
    (RST_EQUALS, "`1.2.4` underlined with `=====`"),
    (NEWS, "`Version 1.2.4 - YYYY-MM-DD`"),
    (BRACKET_LINES, "`[1.2.4] - YYYY-MM-DD`"),
    (TOWNCRIER, "`hotfix-lint 1.2.4 (YYYY-MM-DD)` underlined with `==============================`"),
]


@pytest.mark.parametrize(("text", "example"), STYLES)
def test_every_style_has_its_section(text: str, example: str) -> None:
    section = find_section(text, "1.2.3")
    assert section is not None
    assert "the fix (T-1)" in section.text and "older" not in section.text
    assert "1.2.3" in section.heading
    assert find_section(text, "1.2.2") is not None
    assert newest_version(text) == "1.2.3"


@pytest.mark.parametrize(("text", "example"), STYLES)
def test_the_hint_writes_the_files_own_heading_style(text: str, example: str) -> None:
    assert heading_example(text, "CHANGELOG.md", "1.2.4") == example


@pytest.mark.parametrize(("text", "example"), STYLES)
def test_no_section_for_another_version(text: str, example: str) -> None:
    for other in ("1.2.4", "1.2.30", "1.2", "2.3", "1.2.3-rc1"):
        assert find_section(text, other) is None, other


def test_what_is_not_a_version_heading() -> None:
    text = (
        "# Changelog\n\n## [Unreleased]\n- Bump foo to 1.2.3\n  1.2.3\n\n"
        "#1.2.3 is an issue reference\n[1.2.3]: https://example.com/v1.2.3\n"
        "Version 1.2.3 fixes the crash reported by many users.\n"
        "```\n    1.2.3\n    -----\n```\n"
    )
    assert find_section(text, "1.2.3") is None
    assert newest_version(text) is None


def test_a_section_ends_at_a_higher_heading_not_at_its_own_subsections() -> None:
    text = "## 1.2.3\n### Fixed\n- the fix\n```sh\n# upgrade\npip install x\n```\n- (T-1)\n# Older releases\n- old\n"
    section = find_section(text, "1.2.3")
    assert section is not None and "the fix" in section.text and "(T-1)" in section.text
    assert "old" not in section.text


def test_added_lines_with_a_heading_in_any_style() -> None:
    assert added_section(("## [1.2.3] - 2024-01-01", "- fix"), "1.2.3")
    assert added_section(("#### 1.2.3", "* fix"), "v1.2.3")
    assert added_section(("1.2.3 (2024-01-01)", "------------------", "", "- fix"), "1.2.3")
    assert not added_section(("- fix for 1.2.3",), "1.2.3")
    assert not added_section(("1.2.3 (2024-01-01)",), "1.2.4")


def test_a_new_changelog_gets_the_conventional_heading_for_its_format() -> None:
    assert heading_example(None, "CHANGELOG.md", "1.2.4") == "`## [1.2.4] - YYYY-MM-DD`"
    assert heading_example("# Changelog\n", "NEWS.md", "1.2.4") == "`## [1.2.4] - YYYY-MM-DD`"
    assert heading_example("", "CHANGES.rst", "1.2.4") == "`1.2.4 (YYYY-MM-DD)` underlined with `==================`"


@pytest.mark.parametrize(
    ("names", "found"),
    [
        (["README.md", "CHANGELOG.md", "setup.py"], "CHANGELOG.md"),
        (["README.md", "Changes.mdown", "git-flow"], "Changes.mdown"),
        (["CHANGES.rst", "HISTORY.md"], "CHANGES.rst"),
        (["NEWS", "history.md"], "history.md"),
        (["CHANGELOG", "NEWS.md"], "CHANGELOG"),
        (["changelog.txt"], "changelog.txt"),
        (["CHANGELOG.md", "changelog.rst", "CHANGES.md"], "CHANGELOG.md"),
        (["README.md", "CHANGELOG.md.orig", "changelog-tool.py", "NEWSLETTER.md"], None),
    ],
)
def test_which_file_is_the_changelog(names: list[str], found: str | None) -> None:
    assert pick_changelog(names) == found


def test_changelog_paths() -> None:
    assert is_changelog_path("CHANGES.md") and is_changelog_path("docs/changelog.rst")
    assert not is_changelog_path("src/CHANGELOG.md") and not is_changelog_path("CHANGELOG.md.orig")


def test_find_section_reads_down_to_the_section_as_a_full_parse_does() -> None:
    """``find_section`` stops reading headings at its section's end: the same section as from
    every heading of the file, for each version, whatever the heading styles."""
    from hotfix_lint.facts.changelog import _section_end, find_section, headings

    text = "\n".join(
        [
            "Changelog",
            "=========",
            "",
            "## [2.0.1] - 2024-03-01",
            "### Fixed",
            "- a fix",
            "",
            "2.0.0",
            "-----",
            "- big release",
            "",
            "# Older releases",
            "",
            "[1.9.0] - 2023-01-01",
            "- old",
            "",
            "Version 1.8.0",
            "- older",
            "```",
            "## 9.9.9 inside a code block",
            "```",
        ]
    )
    everything = headings(text)
    lines = text.splitlines()
    versions = [h.version for h in everything if h.version is not None]
    assert versions == ["2.0.1", "2.0.0", "1.9.0", "1.8.0"]
    for n, heading in enumerate(everything):
        if heading.version is None:
            continue
        section = find_section(text, heading.version)
        assert section is not None
        assert section.line == heading.index + 1
        assert section.text == "\n".join(lines[heading.end : _section_end(everything, n, len(lines))])
    assert find_section(text, "9.9.9") is None


def test_find_section_in_a_long_changelog_is_the_one_the_whole_text_gives():
    """A long changelog is first split only in part: every section, wherever it starts or ends
    (underlined headings astride the cut too), is the one found on the whole text."""
    from hotfix_lint.facts import changelog

    blocks = []
    for n in range(400, 0, -1):
        if n % 3:
            blocks.append(
                f"## [1.{n}.0] - 2026-01-01\n\n- fix TICKET-{n}\n"
                + "- more words, to make the changelog long enough\n" * (n % 7)
            )
        else:
            title = f"1.{n}.0 (2026-01-01)"
            blocks.append(
                f"{title}\n{'-' * len(title)}\n\n* fix TICKET-{n}\n\n" + "  more text of the entry, long\n" * (n % 5)
            )
    text = "# Changelog\n\n" + "\n".join(blocks)
    assert len(text) > 2 * changelog._FIRST_PART
    for n in range(400, 0, -1):
        version = f"1.{n}.0"
        whole = changelog._section(text.splitlines(), version, whole=True)
        assert whole is not None
        assert find_section(text, version) == whole, version
    assert find_section(text, "9.9.9") is None
