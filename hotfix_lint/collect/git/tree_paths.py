"""The files that differ between two trees: all of them (:func:`changed_files`, from the raw
tree objects), or those of a few paths asked (:class:`TreeEntries`, level by level).

A tree diff in libgit2 walks every entry of both sides of each subtree it enters, building a
path for each (about 1.4 ms for a commit of git/git, whose root holds 500 entries and ``t/``
1,200). Here a tree object's entries are split by one regular expression and compared as
byte strings, so only the entries that differ are decoded: about a third of the time, and
the same paths as libgit2's deltas (``new_file.path or old_file.path``: no rename detection,
a file that became a directory counts both the file and every file below).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pygit2
from pygit2.enums import FileMode, ObjectType

from hotfix_lint.collect.git.repository import MISSING, Recent, tree_entry

#: one tree entry: octal mode, a space, the name, a NUL and the 20-byte object id
_ENTRY = re.compile(rb"[0-7]+ [^\0]*\0.{20}", re.S)
#: trees entered in one comparison: a bound for untrusted histories (git/git's deepest is 6)
_TREES_ENTERED = 1 << 16
#: tree entries remembered before the memo starts over (windows overlap: most are asked again)
_ENTRIES_KEPT = 1 << 14
#: trees kept read (a large project's root tree is tens of kilobytes parsed)
_TREES_KEPT = 64
#: trees kept as raw entries (a few suffice: the trees of a commit and of its parent and child)
_RAW_TREES_KEPT = 8


class MalformedTree(ValueError):
    """A tree object whose entries do not split as git writes them."""


#: a changed file's entry on each side: (mode, id), None where the side has no such file
FileSides = tuple[tuple[int, pygit2.Oid] | None, tuple[int, pygit2.Oid] | None]


def changed_files(
    repo: pygit2.Repository,
    old: pygit2.Oid | None,
    new: pygit2.Oid | None,
    entries: Callable[[pygit2.Oid | None], list[bytes]] | None = None,
) -> dict[str, FileSides] | None:
    """The files (blobs, links, submodules) that differ between trees ``old`` and ``new``, each
    with its entries on both sides; ``None`` when an object is missing or malformed, or the
    trees are too many. ``entries`` reads a tree's raw entries (:class:`TreeEntries` keeps the
    recent ones)."""
    try:
        return _changed(entries or (lambda tree: _entries(repo, tree)), old, new)
    except (*MISSING, MalformedTree):
        return None


def _changed(
    entries: Callable[[pygit2.Oid | None], list[bytes]], old: pygit2.Oid | None, new: pygit2.Oid | None
) -> dict[str, FileSides]:
    found: dict[str, FileSides] = {}
    stack: list[tuple[pygit2.Oid | None, pygit2.Oid | None, bytes]] = [(old, new, b"")]
    entered = 0
    while stack:
        a, b, prefix = stack.pop()
        entered += 1
        if entered > _TREES_ENTERED:
            raise MalformedTree("too many trees")
        gone, came = _differing(entries(a), entries(b))
        for name in gone.keys() | came.keys():
            x, y = gone.get(name), came.get(name)
            subtree_x = x is not None and x[0] == FileMode.TREE
            subtree_y = y is not None and y[0] == FileMode.TREE
            if subtree_x or subtree_y:
                below = prefix + name + b"/"
                stack.append((x[1] if x and subtree_x else None, y[1] if y and subtree_y else None, below))
            if (x is not None and not subtree_x) or (y is not None and not subtree_y):
                sides = (None if subtree_x else x, None if subtree_y else y)
                found[(prefix + name).decode("utf-8", "replace")] = sides
    return found


def _differing(
    before: list[bytes], after: list[bytes]
) -> tuple[dict[bytes, tuple[int, pygit2.Oid]], dict[bytes, tuple[int, pygit2.Oid]]]:
    """The entries only ``before`` has and those only ``after`` has, by name. Both lists are in
    git's order: as long as no entry came or went, a change is an entry unlike the one at its
    place (one pass, where two set differences of a large root tree cost ten times more); an
    entry met at two places moved (some came or went): it is in both, so neither side's."""
    if len(before) != len(after):
        old, new = set(before), set(after)
        return _by_name(old - new), _by_name(new - old)
    gone = {x for x, y in zip(before, after, strict=True) if x != y}
    if not gone:
        return {}, {}
    came = {y for x, y in zip(before, after, strict=True) if x != y}
    both = gone & came
    return _by_name(gone - both), _by_name(came - both)


def _entries(repo: pygit2.Repository, tree: pygit2.Oid | None) -> list[bytes]:
    """The raw entries of ``tree`` (none for ``None``), in the tree's order."""
    if tree is None:
        return []
    kind, data = repo.odb.read(tree)[:2]
    if kind != ObjectType.TREE:
        raise MalformedTree(f"{tree} is no tree")
    entries = _ENTRY.findall(data)
    if sum(map(len, entries)) != len(data):
        raise MalformedTree(f"tree {tree} does not split into entries")
    return entries


def _by_name(entries: set[bytes]) -> dict[bytes, tuple[int, pygit2.Oid]]:
    """Raw entries as name -> (mode, id)."""
    found = {}
    for entry in entries:
        space = entry.index(b" ")
        nul = entry.index(b"\0", space)
        found[entry[space + 1 : nul]] = (int(entry[:space], 8), pygit2.Oid(raw=entry[nul + 1 :]))
    return found


class PathNode:
    """A name in a :class:`PathTrie`: the whole path when one ends here, and the names below."""

    __slots__ = ("below", "path")

    def __init__(self) -> None:
        self.path: str | None = None
        self.below: PathTrie = {}


#: paths by their components (``t/t1.sh`` and ``t/t2.sh`` share the node of ``t``)
PathTrie = dict[str, PathNode]


def path_trie(paths: frozenset[str]) -> PathTrie:
    """``paths`` as a trie of their components: a directory many paths share is compared once."""
    root: PathTrie = {}
    for path in paths:
        level = root
        parts = path.split("/")
        for depth, name in enumerate(parts):
            node = level.get(name)
            if node is None:
                node = level[name] = PathNode()
            if depth == len(parts) - 1:
                node.path = path
            level = node.below
    return root


class TreeEntries:
    """Tree entries by (tree, name), each read once: paths are compared between two trees level
    by level, and a subtree they share (most of them: a commit changes a few) is not read."""

    def __init__(self, repo: pygit2.Repository) -> None:
        self.repo = repo
        self._entries: dict[tuple[pygit2.Oid, str], tuple[pygit2.Oid, int] | None] = {}
        #: raw entries of the trees :meth:`files` read lately (a commit's tree is its child's parent's)
        self._raw: Recent[pygit2.Oid, list[bytes]] = Recent(_RAW_TREES_KEPT)
        #: trees read lately: a commit's parent is mostly the next commit a window holds
        self._trees: dict[pygit2.Oid, pygit2.Tree] = {}

    def changed(self, a: pygit2.Oid | None, b: pygit2.Oid | None, paths: PathTrie, first: bool = False) -> set[str]:
        """The paths of ``paths`` whose entry differs (id or mode; missing on one side) between
        trees ``a`` and ``b``; with ``first``, at most one (is there any?). A missing object
        raises one of ``MISSING``."""
        found: set[str] = set()
        stack: list[tuple[pygit2.Oid | None, pygit2.Oid | None, PathTrie]] = [(a, b, paths)]
        while stack:
            a, b, level = stack.pop()
            for name, node in level.items():
                ea = self._entry(a, name) if a is not None else None
                eb = self._entry(b, name) if b is not None else None
                if ea == eb:
                    continue  # the same subtree (or missing on both sides): the same entries below
                if node.path is not None:
                    found.add(node.path)
                    if first:
                        return found
                if node.below:
                    below_a = ea[0] if ea is not None and ea[1] == FileMode.TREE else None
                    below_b = eb[0] if eb is not None and eb[1] == FileMode.TREE else None
                    if below_a is not None or below_b is not None:
                        stack.append((below_a, below_b, node.below))
        return found

    def files(self, old: pygit2.Oid | None, new: pygit2.Oid | None) -> dict[str, FileSides] | None:
        """:func:`changed_files`, each tree read once while it is among the recent ones."""
        return changed_files(self.repo, old, new, self._raw_entries)

    def _raw_entries(self, tree: pygit2.Oid | None) -> list[bytes]:
        return [] if tree is None else self._raw.get(tree, lambda oid: _entries(self.repo, oid))

    def _entry(self, tree: pygit2.Oid, name: str) -> tuple[pygit2.Oid, int] | None:
        key = (tree, name)
        if key not in self._entries:
            if len(self._entries) >= _ENTRIES_KEPT:
                self._entries.clear()
            found = self._trees.get(tree)
            if found is None:
                if len(self._trees) >= _TREES_KEPT:
                    self._trees.clear()
                found = self._trees[tree] = self.repo[tree].peel(pygit2.Tree)  # missing: "changed"
            entry = tree_entry(found, name)
            self._entries[key] = None if entry is None else (entry.id, entry.filemode)
        return self._entries[key]
