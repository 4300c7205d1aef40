"""What one version file says: the record every version-file parser returns."""

from __future__ import annotations

from dataclasses import dataclass

#: a version file longer than this is not parsed (no build tool writes one that large)
MAX_VERSION_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class DeclaredVersion:
    """A literal version, or ``None`` with the reason.

    ``elsewhere`` marks a file whose version is not a literal (``dynamic``, ``${revision}``,
    ``attr:``, a workspace's or a parent's version): it cannot be checked, which is not the same
    as a file that declares no version at all.
    """

    path: str
    version: str | None
    reason: str = ""
    elsewhere: bool = False

    @property
    def declares(self) -> bool:
        return self.version is not None


def literal(path: str, value: str) -> DeclaredVersion:
    """A declared version, stripped; an empty one declares none."""
    value = value.strip()
    return DeclaredVersion(path, value) if value else DeclaredVersion(path, None, "the version is empty")


def elsewhere(path: str, reason: str) -> DeclaredVersion:
    """A version that is not a literal in this file: could not be checked, for ``reason``."""
    return DeclaredVersion(path, None, reason, elsewhere=True)


def shown(text: str, limit: int = 60) -> str:
    """A piece of file text for a message: one line, cut at ``limit`` characters."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
