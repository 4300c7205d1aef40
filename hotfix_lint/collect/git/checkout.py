"""Find the repository and its current branch with a few file reads, without pygit2.

A hook runs on every commit, and importing pygit2 costs most of a hook's time. The
commit-msg hook, and the pre-commit hook off a hotfix branch, only need the top of the
working tree (where the policy lives) and the branch name, which git keeps in plain files:
``.git`` (a directory, or a file ``gitdir: PATH`` in a worktree or submodule) and ``HEAD``.
During a rebase HEAD is detached and the branch being rebased is named in
``rebase-merge/head-name`` (or ``rebase-apply/head-name``). Only reads, never writes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_lint.errors import RepositoryError

if TYPE_CHECKING:
    from hotfix_lint.facts import RepositoryFacts

_HEADS = "refs/heads/"
#: HEAD under the reftable ref backend; the branch is not in a plain file then
_REFTABLE_HEAD = "refs/heads/.invalid"


class Checkout:
    """Where a repository is and what is checked out (a plain class: a dataclass costs a hook
    about a millisecond to define)."""

    __slots__ = ("branch", "git_dir", "readable", "workdir")

    def __init__(self, git_dir: Path, workdir: Path | None, branch: str | None, readable: bool = True) -> None:
        self.git_dir = git_dir
        #: top of the working tree; None for a bare repository
        self.workdir = workdir
        #: the checked-out branch (or the one a rebase is rewriting); None when detached
        self.branch = branch
        #: False when the branch could not be read from plain files (reftable): ask pygit2
        self.readable = readable

    def __repr__(self) -> str:
        return f"Checkout({self.git_dir!r}, {self.workdir!r}, {self.branch!r}, {self.readable!r})"

    @property
    def root(self) -> Path:
        return self.workdir if self.workdir is not None else self.git_dir


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def _git_dir_of(dot_git: Path) -> Path | None:
    """``.git`` itself, or the directory a ``gitdir: PATH`` file points at."""
    if dot_git.is_dir():
        return dot_git
    text = _read(dot_git)
    if text is None or not text.startswith("gitdir:"):
        return None
    target = Path(text[len("gitdir:") :].strip())
    return target if target.is_absolute() else (dot_git.parent / target)


def find_checkout(start: Path) -> Checkout:
    """The repository at or above ``start`` (``GIT_DIR``/``GIT_WORK_TREE`` win, as for git)."""
    env_dir = os.environ.get("GIT_DIR")
    if env_dir:
        git_dir = Path(env_dir)
        if not git_dir.is_absolute():
            git_dir = Path(start) / git_dir
        tree = os.environ.get("GIT_WORK_TREE")
        workdir: Path | None = Path(tree) if tree else Path(start)
    else:
        here = Path(start).resolve()
        found: tuple[Path, Path | None] | None = None
        for folder in (here, *here.parents):
            dot_git = _git_dir_of(folder / ".git")
            if dot_git is not None:
                found = (dot_git, folder)
                break
            if (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir():
                found = (folder, None)  # a bare repository
                break
        if found is None:
            raise RepositoryError(f"{start}: not a git repository (no .git found here or above)")
        git_dir, workdir = found
    head = _read(git_dir / "HEAD")
    if head is None:
        raise RepositoryError(f"{git_dir}: cannot read HEAD; is this a git repository?")
    return Checkout(git_dir, workdir, *_branch_of(git_dir, head))


def _branch_of(git_dir: Path, head: str) -> tuple[str | None, bool]:
    if head.startswith("ref:"):
        ref = head[len("ref:") :].strip()
        if ref == _REFTABLE_HEAD:
            return None, False
        return (ref[len(_HEADS) :] if ref.startswith(_HEADS) else None), True
    for rebase in ("rebase-merge", "rebase-apply"):
        name = _read(git_dir / rebase / "head-name")
        if name and name.startswith(_HEADS):
            return name[len(_HEADS) :], True
    return None, True


def branch_has_commits(checkout: Checkout) -> bool:
    """Does the checked-out branch have a commit yet (is HEAD born)? Its ref is a file under
    ``refs/heads``, or a line of ``packed-refs``, in the main git directory of a worktree."""
    if not checkout.readable:
        return True  # refs not in plain files: let pygit2 read them
    if checkout.branch is None:
        return False
    ref = f"refs/heads/{checkout.branch}"
    common = checkout.git_dir
    pointer = _read(checkout.git_dir / "commondir")
    if pointer:
        common = Path(pointer) if Path(pointer).is_absolute() else checkout.git_dir / pointer
    if (common / ref).is_file():
        return True
    try:
        packed = (common / "packed-refs").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.endswith(f" {ref}") for line in packed.splitlines())


def gather_message(checkout: Checkout, text: str, now: int) -> RepositoryFacts:
    """The facts of the commit-msg hook: the message as written, on the branch it goes to.

    The message keeps git's comment lines (``ticket-reference`` reads it as git will commit it).
    """
    from hotfix_lint.facts import RepositoryFacts  # not needed off a hotfix branch
    from hotfix_lint.facts.commit_message import PendingMessageFact

    return RepositoryFacts(
        repository=str(checkout.root),
        now=now,
        head_branch=checkout.branch,
        message=PendingMessageFact(text=text, branch=checkout.branch),
    )
