"""Read Keep a Changelog files: find the section of a version. Pure text functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: compiled on first use (``re`` keeps them): importing this module stays cheap for the git hooks
_HEADING = r"^##(?!#)\s*(.*)$"
_HEADING_VERSION = r"^\[?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\]?(?:\s|$|[-(])"


@dataclass(frozen=True)
class ChangelogSection:
    """One ``## [1.2.1] - 2023-06-15`` section: its heading line (1-based) and its text."""

    line: int
    heading: str
    text: str


def _heading_version(heading: str) -> str | None:
    m = re.match(_HEADING_VERSION, heading.strip())
    return m.group(1) if m else None


def find_section(text: str, version: str) -> ChangelogSection | None:
    """The section whose ``##`` heading names ``version``, or ``None``.

    Scans from the top and stops at the match: a hotfix's section is usually the newest.
    """
    wanted = version.removeprefix("v")
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        if not raw.startswith("##"):
            continue
        m = re.match(_HEADING, raw)
        if m is None or _heading_version(m.group(1)) != wanted:
            continue
        body: list[str] = []
        for following in lines[i + 1 :]:
            if re.match(_HEADING, following):
                break
            body.append(following)
        return ChangelogSection(i + 1, raw.strip(), "\n".join(body))
    return None


def added_section(added_lines: tuple[str, ...], version: str) -> bool:
    """Do the lines a diff adds include a heading for ``version``?"""
    wanted = version.removeprefix("v")
    for raw in added_lines:
        m = re.match(_HEADING, raw)
        if m is not None and _heading_version(m.group(1)) == wanted:
            return True
    return False
