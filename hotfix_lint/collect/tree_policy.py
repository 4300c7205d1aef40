"""Read a policy file, and the files it extends by relative path, from a commit's tree.

In CI a pull request is judged by the policy of its base branch, not by the checkout the
pull request controls (it could turn the rules off). The loader reads files from disk, so
the policy's chain is copied out of the commit with pygit2 into a directory outside the
repository, keeping the paths relative to the repository root; nothing in the repository is
written. A base that lies outside the repository (``../``) is not followed: the loader then
says that it has no such file. Absolute paths and built-in packs are read as usual.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import pygit2
import yaml

from hotfix_lint.collect.repository import MISSING

#: how many files one chain may copy (a generous bound against a pathological tree)
MAX_FILES = 64


def _blob_text(repo: pygit2.Repository, tree: pygit2.Tree, path: str) -> bytes | None:
    try:
        entry = tree[path]
        blob = repo[entry.id]
    except (*MISSING, TypeError):
        return None
    return blob.data if isinstance(blob, pygit2.Blob) else None


def find_in_tree(repo: pygit2.Repository, commit: str, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (repository-relative) are files in ``commit``'s tree."""
    tree = repo.revparse_single(commit).peel(pygit2.Tree)
    return [name for name in names if _blob_text(repo, tree, name) is not None]


def _bases(text: bytes) -> list[str]:
    """The relative paths named by ``extends`` (a broken file names none: the loader says why)."""
    from hotfix_lint.policy.loader import _is_path_reference

    try:
        data: Any = yaml.safe_load(text.decode("utf-8-sig", errors="replace"))
    except yaml.YAMLError:
        return []
    value = data.get("extends") if isinstance(data, dict) else None
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [
        v
        for v in values
        if isinstance(v, str) and _is_path_reference(v) and not v.startswith(("/", "~")) and "\\" not in v
    ]


def copy_policy_chain(repo: pygit2.Repository, commit: str, path: str, dest: Path) -> list[str]:
    """Copy ``path`` and the relative bases it extends from ``commit`` into ``dest``.

    Returns the repository paths copied (``path`` first); empty when ``path`` is not a file
    of that commit. Never writes into the repository.
    """
    tree = repo.revparse_single(commit).peel(pygit2.Tree)
    copied: list[str] = []
    pending = [posixpath.normpath(path)]
    while pending and len(copied) < MAX_FILES:
        current = pending.pop(0)
        if current in copied or current.startswith("../") or current in ("..", "."):
            continue
        data = _blob_text(repo, tree, current)
        if data is None:
            continue
        target = dest / current
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        copied.append(current)
        folder = posixpath.dirname(current)
        pending.extend(posixpath.normpath(posixpath.join(folder, base)) for base in _bases(data))
    return copied
