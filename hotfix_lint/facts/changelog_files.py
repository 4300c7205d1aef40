"""Which file is the changelog, when the policy does not name one. Pure name matching.

Teams call it ``CHANGELOG.md``, ``CHANGES.rst``, ``Changes.mdown``, ``HISTORY.md``,
``NEWS`` and the like: the stems and extensions below, in any case, at the repository's root
(then in ``docs/`` or ``doc/``). Kept apart from :mod:`.changelog`: a git hook that never
reads a section still needs the name.
"""

from __future__ import annotations

from collections.abc import Iterable

#: in order of preference when a repository has several
STEMS = ("changelog", "changes", "history", "news", "releases", "release-notes", "release_notes")
EXTENSIONS = ("", ".md", ".markdown", ".mdown", ".mkd", ".rst", ".txt", ".adoc")
#: folders searched, in order, when the root has none
FOLDERS = ("", "docs/", "doc/")
#: the file a hint proposes when a repository has none yet
DEFAULT_CHANGELOG = "CHANGELOG.md"
#: what a message says was looked for
DESCRIPTION = "CHANGELOG.md, CHANGES.md, CHANGES.rst, HISTORY.md, NEWS.md, CHANGELOG and the like, in any case"


def _rank(name: str) -> tuple[int, int] | None:
    lower = name.lower()
    for s, stem in enumerate(STEMS):
        if lower.startswith(stem) and lower[len(stem) :] in EXTENSIONS:
            return s, EXTENSIONS.index(lower[len(stem) :])
    return None


def pick_changelog(names: Iterable[str]) -> str | None:
    """The changelog among the file names of one folder, or ``None``."""
    ranked = sorted((rank, name) for name in names if (rank := _rank(name)) is not None)
    return ranked[0][1] if ranked else None


def is_changelog_path(path: str) -> bool:
    """Could ``path`` be a changelog found by :func:`pick_changelog` (at the root, ``docs/``, ``doc/``)?"""
    folder, _, name = path.rpartition("/")
    return (folder + "/" if folder else "") in FOLDERS and _rank(name) is not None
