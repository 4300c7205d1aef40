"""Read Keep a Changelog files: find the section of a version. Pure text functions."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADING = re.compile(r"^##(?!#)\s*(.*)$")


@dataclass(frozen=True)
class ChangelogSection:
    """One ``## [1.2.1] - 2023-06-15`` section: its heading line (1-based) and its text."""

    line: int
    heading: str
    text: str


def _heading_names(heading: str, version: str) -> bool:
    pattern = rf"^\[?v?{re.escape(version)}\]?(?:\s|$|[-(])"
    return re.match(pattern, heading.strip()) is not None


def find_section(text: str, version: str) -> ChangelogSection | None:
    """The section whose ``##`` heading names ``version``, or ``None``."""
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        m = _HEADING.match(raw)
        if m is None or not _heading_names(m.group(1), version):
            continue
        body: list[str] = []
        for following in lines[i + 1 :]:
            if _HEADING.match(following):
                break
            body.append(following)
        return ChangelogSection(i + 1, raw.strip(), "\n".join(body))
    return None


def added_section(added_lines: tuple[str, ...], version: str) -> bool:
    """Do the lines a diff adds include a heading for ``version``?"""
    for raw in added_lines:
        m = _HEADING.match(raw)
        if m is not None and _heading_names(m.group(1), version):
            return True
    return False
