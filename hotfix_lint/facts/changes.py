"""What a hotfix changed, file by file: for ``minimal-change`` and the lifecycle table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PathChange:
    """One changed file of a diff: lines added and removed (0 and 0 for a binary file)."""

    path: str
    added: int
    removed: int
    binary: bool = False
    #: the path before a rename, when git detected one
    old_path: str | None = None


@dataclass(frozen=True, slots=True)
class HotfixChanges:
    """The hotfix's own diff: from ``start`` (what it was applied to) to ``end``."""

    start: str
    end: str
    files: tuple[PathChange, ...]

    @property
    def lines(self) -> int:
        return sum(f.added + f.removed for f in self.files)
