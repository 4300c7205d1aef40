"""``collect.git.tree_paths.TreeEntries``: which of some paths a commit changes, compared level by
level between trees."""

from __future__ import annotations

from collections.abc import Callable

import pygit2
from scenario import Scenario

from hotfix_lint.collect.git.tree_paths import TreeEntries, path_trie


def _entry(tree: pygit2.Tree, path: str) -> tuple[pygit2.Oid, int] | None:
    try:
        entry = tree[path]
    except KeyError:
        return None
    return entry.id, entry.filemode


def test_differ_is_a_full_path_lookup_in_both_trees(scenario: Callable[..., Scenario]) -> None:
    """Nested paths, a directory made a file, a path missing on both sides, a shared subtree:
    each answer is that of looking the whole path up in each tree."""
    s = scenario()
    s.commit("Initial commit", files={"src/a/x.py": "1\n", "src/b.py": "1\n", "doc/readme": "1\n"})
    s.commit("Change x", files={"src/a/x.py": "2\n"})
    s.commit("Add a mode", files={"tool": "#!/bin/sh\n"})
    s.git("update-index", "--chmod=+x", "tool")
    s.git("commit", "-q", "-m", "Make tool executable")
    s.commit("A directory becomes a file", files={"src/a/x.py": None, "src/a": "now a file\n"})
    s.commit("Remove doc", files={"doc/readme": None})
    repo = pygit2.Repository(str(s.path))
    trees = TreeEntries(repo)
    commits = [repo[c].peel(pygit2.Commit) for c in s.first_parents("main")]
    paths = ["src/a/x.py", "src/a", "src/b.py", "doc/readme", "doc", "tool", "none/such", "src/a/x.py/deeper"]
    all_paths = path_trie(frozenset(paths))
    changed = 0
    for commit in commits:
        if not commit.parents:
            continue
        new, old = commit.tree, commit.parents[0].tree
        expected = {path for path in paths if _entry(new, path) != _entry(old, path)}
        for path in paths:
            alone = path_trie(frozenset([path]))
            assert trees.changed(new.id, old.id, alone) == expected & {path}, (commit.message, path)
            assert trees.changed(new.id, old.id, alone) == expected & {path}  # memoized: the same
        # the paths together, sharing their directories: the same answers, and "any" is one of them
        assert trees.changed(new.id, old.id, all_paths) == expected, commit.message
        first = trees.changed(new.id, old.id, all_paths, first=True)
        assert len(first) == min(1, len(expected)) and first <= expected
        changed += len(expected)
    assert changed >= 6
