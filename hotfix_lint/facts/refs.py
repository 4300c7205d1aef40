"""Branches and tags, as the repository's refs name them.

The history walk lists them (``HistoryFacts.branches`` and ``.tags``), and so do the parts
that read branches (promotion, hotfix and release branches); a git hook judging one branch
against a literal production branch with the ``branch`` strategy lists neither, and does
not define these records.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TagFact:
    """A tag and the commit it points at (annotated tags are peeled)."""

    name: str
    target: str
    annotated: bool
    message: str | None = None
    tagger_time: int | None = None


@dataclass(frozen=True, slots=True)
class BranchFact:
    """A local or remote-tracking branch."""

    name: str  # short name without remote: "hotfix/x"
    ref: str  # full ref: "refs/remotes/origin/hotfix/x"
    tip: str
    tip_time: int
    remote: str | None = None
