"""Read a policy file, and the files it extends by relative path, from the base branch's commit.

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

from hotfix_lint.collect.repository import MISSING, open_repository, resolve_branch
from hotfix_lint.errors import RepositoryError
from hotfix_lint.results import shell_command

#: how many files one chain may copy (a generous bound against a pathological tree)
MAX_FILES = 64


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


class BaseTree:
    """The tree of one commit (the base branch's), read-only."""

    def __init__(self, repo: pygit2.Repository, commit: str) -> None:
        self._repo = repo
        self.commit = commit
        self._tree = repo.revparse_single(commit).peel(pygit2.Tree)

    def read(self, path: str) -> bytes | None:
        """The file ``path`` (repository-relative), or None when the commit has no such file."""
        try:
            blob = self._repo[self._tree[path].id]
        except (*MISSING, TypeError):
            return None
        return blob.data if isinstance(blob, pygit2.Blob) else None

    def find(self, names: tuple[str, ...]) -> list[str]:
        """Which of ``names`` are files of the commit."""
        return [name for name in names if self.read(name) is not None]

    def copy_chain(self, path: str, dest: Path) -> list[str]:
        """Copy ``path`` and the relative bases it extends into ``dest``; the paths copied,
        ``path`` first (none when it is not a file of the commit)."""
        copied: list[str] = []
        pending = [posixpath.normpath(path)]
        while pending and len(copied) < MAX_FILES:
            current = pending.pop(0)
            if current in copied or current.startswith("../") or current in ("..", "."):
                continue
            data = self.read(current)
            if data is None:
                continue
            target = dest / current
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            copied.append(current)
            folder = posixpath.dirname(current)
            pending.extend(posixpath.normpath(posixpath.join(folder, base)) for base in _bases(data))
        return copied


def base_tree(root: Path, branch: str, sha: str | None) -> BaseTree:
    """The base branch's commit: ``sha`` (the event's) when the clone has it, else the branch's tip."""
    repo = open_repository(root)
    if sha:
        try:
            return BaseTree(repo, str(repo.revparse_single(sha).peel(pygit2.Commit).id))
        except MISSING:
            pass
    ref = resolve_branch(repo, branch)
    if ref is not None:
        return BaseTree(repo, str(repo.lookup_reference(ref).peel(pygit2.Commit).id))
    where = f"the base branch {branch}" + (f" ({sha[:10]})" if sha else "")
    if repo.is_shallow:
        raise RepositoryError(
            f"this is a shallow clone: {where} is not in it, and the policy is read from there.\n"
            "  fix: fetch the whole history: actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow origin`"
        )
    raise RepositoryError(
        f"{where} is not in this clone, and the policy is read from there (a pull request cannot loosen it): "
        f"fetch it (`{shell_command(['git', 'fetch'], 'origin', branch)}`), "
        "or read the checkout's policy with --policy-from head"
    )
