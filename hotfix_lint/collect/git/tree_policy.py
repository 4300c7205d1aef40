"""Read a policy file, and the files it extends by relative path, from the base branch's commit.

In CI a pull request is judged by the policy of its base branch, not by the checkout the
pull request controls (it could turn the rules off). The loader reads files from disk, so
the policy's chain is copied out of the commit with pygit2 into a directory outside the
repository, keeping the paths relative to the repository root; nothing in the repository is
written. A base that lies outside the repository (``../``) is not followed: the loader then
says that it has no such file. Absolute paths and built-in packs are read as usual.

A symbolic link in the commit (the policy file, or a folder on the way to it) is followed
inside the commit's tree, never on the machine's disk: a link that leaves the tree (absolute,
or ``..`` above its root) or that goes round in circles is an error, exit 2.
"""

from __future__ import annotations

import posixpath
from collections import deque
from pathlib import Path

import pygit2

from hotfix_lint.collect.git.repository import MISSING, open_repository, resolve_branch
from hotfix_lint.errors import PolicyError, RepositoryError
from hotfix_lint.results import shell_command

#: how many files one chain may copy (a generous bound against a pathological tree)
MAX_FILES = 64
#: symbolic links followed to reach one file (Linux gives up after 40)
MAX_LINKS = 16
_LINK_MODE = 0o120000


def _bases(text: bytes) -> list[str]:
    """The relative paths named by ``extends`` (a broken file names none: the loader says why)."""
    from hotfix_lint.policy.extends import extends_named
    from hotfix_lint.policy.extends import is_path_reference as _is_path_reference

    return [
        v for v in extends_named(text) if _is_path_reference(v) and not v.startswith(("/", "~")) and "\\" not in v
    ]


class BaseTree:
    """The tree of one commit (the base branch's), read-only."""

    def __init__(self, repo: pygit2.Repository, commit: str) -> None:
        self._repo = repo
        self.commit = commit
        self._tree = repo.revparse_single(commit).peel(pygit2.Tree)

    def _link_error(self, path: str, why: str) -> PolicyError:
        where = f"in the base branch's commit {self.commit[:7]}"
        return PolicyError([f"{path}: {where}, {why}; links are followed only inside it"])

    def _entry(self, path: str) -> pygit2.Object | None:
        try:
            return self._tree[path]
        except (*MISSING, TypeError):
            return None

    def resolve(self, path: str) -> tuple[str, pygit2.Blob] | None:
        """The file ``path`` names in the commit, following symbolic links inside the tree:
        its real path and blob, or None when there is no such file. :class:`PolicyError` for a
        link that leaves the tree or loops."""
        todo = deque(path.split("/"))
        done: list[str] = []  # the real folders walked so far
        links = 0
        while todo:
            name = todo.popleft()
            if name in ("", "."):
                continue
            if name == "..":
                if not done:
                    raise self._link_error(path, "a symbolic link leads outside the repository")
                done.pop()
                continue
            entry = self._entry("/".join([*done, name]))
            if entry is None:
                return None
            if entry.filemode == _LINK_MODE:
                links += 1
                if links > MAX_LINKS:
                    raise self._link_error(path, f"more than {MAX_LINKS} symbolic links (a loop?)")
                link = self._repo[entry.id]
                target = link.data.decode("utf-8", errors="replace") if isinstance(link, pygit2.Blob) else ""
                if target.startswith("/"):
                    raise self._link_error(path, f"a symbolic link points outside the repository ({target!r})")
                todo.extendleft(reversed(target.split("/")))
                continue
            if entry.type == pygit2.GIT_OBJECT_TREE:
                done.append(name)
                continue
            if todo:  # a file used as a folder
                return None
            blob = self._repo[entry.id]
            return ("/".join([*done, name]), blob) if isinstance(blob, pygit2.Blob) else None
        return None  # a folder, not a file

    def read(self, path: str) -> bytes | None:
        """The file ``path`` (repository-relative), or None when the commit has no such file.
        A file larger than a policy may be is cut just past the loader's limit (which says so)."""
        from hotfix_lint.policy.yaml_reading import MAX_POLICY_BYTES

        found = self.resolve(path)
        if found is None:
            return None
        blob = found[1]
        return blob.data[: MAX_POLICY_BYTES + 1] if blob.size > MAX_POLICY_BYTES else blob.data

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
