"""``collect.git.tree_paths``: the paths two trees differ in, as libgit2's tree diff names them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest
from scenario import Scenario

from hotfix_lint.collect.git import tree_paths
from hotfix_lint.collect.git.repository import tree_entry
from hotfix_lint.collect.git.tree_paths import TreeEntries, changed_files


def changed_paths(repo: pygit2.Repository, old: pygit2.Oid | None, new: pygit2.Oid | None) -> frozenset[str] | None:
    """The paths of :func:`changed_files` (``None`` as it says)."""
    files = changed_files(repo, old, new)
    return None if files is None else frozenset(files)


def _libgit2_paths(repo: pygit2.Repository, old: pygit2.Commit, new: pygit2.Commit) -> frozenset[str]:
    return frozenset(d.new_file.path or d.old_file.path for d in repo.diff(old, new).deltas)


def test_changed_paths_are_libgit2_diff_paths(scenario: Callable[..., Scenario]) -> None:
    """Edits, additions and removals at every depth, a directory made a file and back, a mode
    change, a symbolic link, a submodule, names that sort around each other: each commit's
    paths against its parent are those of libgit2's diff of the two commits."""
    s = scenario()
    s.commit("Initial commit", files={"src/a/x.py": "1\n", "src/b.py": "1\n", "doc/readme": "1\n", "t/t1.sh": "1\n"})
    s.commit("Change deep", files={"src/a/x.py": "2\n", "t/t1.sh": "2\n"})
    s.commit("Add beside", files={"src/a.py": "next to src/a\n", "src-x/y": "1\n", "t/t0.sh": "0\n"})
    s.commit("Add a tool", files={"tool": "#!/bin/sh\n"})
    s.git("update-index", "--chmod=+x", "tool")
    s.git("commit", "-q", "-m", "Make tool executable")
    (s.path / "link").symlink_to("tool")
    s.git("add", "link")
    s.git("commit", "-q", "-m", "A link")
    s.commit("A directory becomes a file", files={"src/a/x.py": None, "src/a": "now a file\n"})
    s.commit("And a directory again", files={"src/a": None, "src/a/z/deep.py": "1\n"})
    s.commit("Remove doc", files={"doc/readme": None})
    s.git("update-index", "--add", "--cacheinfo", f"160000,{s.rev('HEAD')},vendor/lib")
    s.git("commit", "-q", "-m", "A submodule")
    # as many entries as before, but one went and another came: the others moved up a place
    s.commit("Swap a test for another", files={"t/t0.sh": None, "t/t9.sh": "9\n"})
    s.commit("Swap again, and change the one between", files={"t/t1.sh": "3\n", "t/t9.sh": None, "t/t5.sh": "5\n"})
    s.commit("Nothing in the tree changes", allow_empty=True)
    repo = pygit2.Repository(str(s.path))
    commits = [repo[c].peel(pygit2.Commit) for c in s.first_parents("main")]
    nonempty = 0
    kept = TreeEntries(repo)
    for commit in commits[:-1]:
        parent = commit.parents[0]
        expected = _libgit2_paths(repo, parent, commit)
        assert changed_paths(repo, parent.tree_id, commit.tree_id) == expected, commit.message
        assert changed_paths(repo, commit.tree_id, parent.tree_id) == expected  # either way round
        files = kept.files(parent.tree_id, commit.tree_id)  # (trees kept read from one to the next)
        assert files is not None and set(files) == expected, commit.message
        nonempty += bool(expected)
    assert nonempty >= 11
    everything = _libgit2_paths(repo, commits[-1], commits[0])
    assert changed_paths(repo, commits[-1].tree_id, commits[0].tree_id) == everything
    assert "vendor/lib" in everything and "link" in everything and "src/a/z/deep.py" in everything


def _raw_tree(repo: pygit2.Repository, data: bytes) -> pygit2.Oid:
    return repo.odb.write(pygit2.enums.ObjectType.TREE, data)


def test_what_cannot_be_compared_is_none(tmp_path: Path) -> None:
    """A missing tree, an object that is no tree, a tree whose bytes do not split into
    entries: ``None`` (the caller's "cannot tell"), never an exception."""
    repo = pygit2.init_repository(str(tmp_path / "repo"), bare=True)
    blob = repo.create_blob(b"a file\n")
    good = _raw_tree(repo, b"100644 a\0" + blob.raw)
    assert changed_paths(repo, good, _raw_tree(repo, b"100644 b\0" + blob.raw)) == {"a", "b"}
    assert changed_paths(repo, good, pygit2.Oid(hex="1" * 40)) is None
    assert changed_paths(repo, good, blob) is None
    assert changed_paths(repo, good, _raw_tree(repo, b"100644 a\0" + blob.raw + b"junk")) is None


def test_a_history_too_deep_to_compare_is_none(tmp_path: Path, monkeypatch: object) -> None:
    """Trees nested deeper than the bound (a hostile repository): ``None``, not a long walk."""
    import pytest

    repo = pygit2.init_repository(str(tmp_path / "repo"), bare=True)
    leaf = repo.create_blob(b"x\n")
    old = new = None
    for _ in range(40):
        old_entry = b"100644 f\0" + leaf.raw if old is None else b"40000 d\0" + old.raw
        new_entry = b"100644 g\0" + leaf.raw if new is None else b"40000 d\0" + new.raw
        old, new = _raw_tree(repo, old_entry), _raw_tree(repo, new_entry)
    assert changed_paths(repo, old, new) == {"d/" * 39 + "f", "d/" * 39 + "g"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tree_paths, "_TREES_ENTERED", 20)
        assert changed_paths(repo, old, new) is None


def test_a_name_asked_of_a_tree_again_and_again_is_kept_once(scenario: Callable[..., Scenario]) -> None:
    """pygit2 keeps a reference to every name a tree is asked for: asked through
    :func:`tree_entry`, a name made afresh each time is one string kept, not one per question."""
    import tracemalloc

    s = scenario()
    s.commit("Initial commit", files={"README.md": "1\n"})
    repo = pygit2.Repository(str(s.path))
    tree = repo.revparse_single("HEAD").peel(pygit2.Tree)

    def grown(ask: Callable[[str], object]) -> int:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(3000):
                ask("".join(["READ", "ME.md"]))  # (a new string each time)
            return tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()

    assert tree_entry(tree, "README.md") is not None
    assert tree_entry(tree, "NOPE") is None
    if grown(lambda name: tree[name]) < 100_000:
        pytest.skip("this pygit2 keeps no name it is asked for: nothing to guard against")
    assert grown(lambda name: tree_entry(tree, name)) < 20_000
