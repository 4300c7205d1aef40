"""Semantic versions as sort keys, and tickets found in text. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable

from hotfix_lint.facts.bounded import bounded_text

#: compiled on first use (``re`` keeps it): importing this module stays cheap for the git hooks
_VERSION = r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?"


def version_key(version: str) -> tuple[int, int, int, int] | None:
    """Sort key of ``1.2.3`` (a pre-release sorts before its release); ``None`` if not a version."""
    m = re.match(_VERSION, version)
    if m is None:
        return None
    major, minor, patch = (int(m.group(i)) for i in (1, 2, 3))
    return (major, minor, patch, 0 if m.group(4) else 1)


def find_tickets(pattern: re.Pattern[str] | None, texts: Iterable[str]) -> tuple[str, ...]:
    """Every distinct ticket id in ``texts``, in order of first appearance (``texts`` is not
    read without a pattern: commit messages are read from the repository when asked for)."""
    if pattern is None:
        return ()
    seen: dict[str, None] = {}
    for text in texts:
        for m in pattern.finditer(bounded_text(text)):
            seen.setdefault(m.group(0), None)
    return tuple(seen)
