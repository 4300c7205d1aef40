"""How many lines a diff adds less those it removes, file by file: what two diffs with one
patch id must share, told from the blobs' sizes in lines without diffing them.

A patch id hashes every added and every removed line of each file (whitespace and line
numbers aside), so two diffs with one patch id add as many lines and remove as many in each
file; and for any line diff, lines added less lines removed is the new blob's line count less
the old one's. Counting newlines costs a small part of a diff (a translation file's 12,000
changed lines take libgit2 20 ms to diff, a tenth of that to count), and most commits that
change the same files as a hotfix's commit change other lines. A patch id hashes a binary
file's name only: a blob that may be binary (a NUL or another control character, as libgit2
tells text from binary), a submodule or an unreadable blob leaves the balance unknown.
"""

from __future__ import annotations

import pygit2
from pygit2.enums import ObjectType

from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.collect.git.tree_paths import FileSides

#: the bytes libgit2 counts as printable or white space: a blob with any other (a NUL, a
#: control character) may be binary (deleted with ``bytes.translate``: ten times a search's speed)
_TEXT = bytes(sorted({8, 9, 10, 11, 12, 13, 27, *range(0x20, 0x7F), *range(0x80, 0x100)}))
#: blobs larger than this are not read for a count (the patch id decides, as without one)
_LARGEST = 16 << 20


def line_balance(repo: pygit2.Repository, files: dict[str, FileSides]) -> tuple[int, ...] | None:
    """For each changed file (by path), its new line count less its old one; ``None`` when
    one of them cannot be told (see the module's text)."""
    balance = []
    for path in sorted(files):
        old, new = files[path]
        before, after = _lines(repo, old), _lines(repo, new)
        if before is None or after is None:
            return None
        balance.append(after - before)
    return tuple(balance)


def _lines(repo: pygit2.Repository, side: tuple[int, pygit2.Oid] | None) -> int | None:
    """The blob's lines as a diff counts them (a last line without a newline too); 0 for a
    side without the file; ``None`` for a submodule, a binary-looking or unreadable blob."""
    if side is None:
        return 0
    try:
        kind, size = repo.odb.read_header(side[1])
        if kind != ObjectType.BLOB or size > _LARGEST:
            return None
        data = repo.odb.read(side[1])[1]
    except MISSING:
        return None
    if data.translate(None, _TEXT):
        return None
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
