"""What one version file says: the record every version-file parser returns."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: a version file longer than this is not parsed (no build tool writes one that large)
MAX_VERSION_FILE_BYTES = 1024 * 1024

#: ``+build`` metadata, which names no other release (SemVer: ignored when versions are compared)
_BUILD = re.compile(r"\+[0-9A-Za-z.-]*$")
#: a numeric ``-N`` after a version: a revision of that release where the format reads it so
_REVISION = re.compile(r"^(v?\d+(?:\.\d+)+(?:-[0-9A-Za-z.]*[A-Za-z][0-9A-Za-z.]*)*)-\d+$")


@dataclass(frozen=True, slots=True)
class DeclaredVersion:
    """A literal version, or ``None`` with the reason.

    ``elsewhere`` marks a file whose version is not a literal (``dynamic``, ``${revision}``,
    ``attr:``, a workspace's or a parent's version): it cannot be checked, which is not the same
    as a file that declares no version at all.

    ``revisions`` marks a format whose build tool reads a numeric ``-N`` after a version as
    revision N of that same release, later than it (Maven's, sbt's and Gradle's version
    ordering; PEP 440's post-release ``1.0-1``): ``3.1.3-1`` there is release 3.1.3 packaged
    once more, where SemVer (``package.json``, ``Cargo.toml``) reads a pre-release of 3.1.3.
    """

    path: str
    version: str | None
    reason: str = ""
    elsewhere: bool = False
    revisions: bool = False

    @property
    def declares(self) -> bool:
        return self.version is not None

    @property
    def release(self) -> str | None:
        """The release the version names: without ``+build`` metadata and, in a format with
        ``revisions``, without a numeric ``-N`` revision (``3.1.3-1`` -> ``3.1.3``)."""
        if self.version is None:
            return None
        release = _BUILD.sub("", self.version) or self.version
        if self.revisions:
            m = _REVISION.match(release)
            if m is not None:
                return m.group(1)
        return release


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
