"""Which production line a branch goes into, found without reading the branch's own tree.

In CI a branch that is not a production line is judged by the policy of the line it targets,
never by its own ``.hotfix-lint.yaml`` (a push could turn the rules off). That line is found
from the repository alone: the default branch (the CI event's, else ``origin/HEAD``), then, by
the default branch's policy, the production branch the commit is nearest to (fewest commits
of its own on top of it). Only this repository's branches count: local, or ``origin``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.git.repository import MISSING, branch_tip, list_branches

if TYPE_CHECKING:
    from hotfix_lint.policy.model import Policy

_ORIGIN_HEAD = "refs/remotes/origin/HEAD"
_ORIGIN = "refs/remotes/origin/"


def default_branch(repo: pygit2.Repository, named: str | None) -> str | None:
    """The default branch: ``named`` (the CI's word for it) when the clone has it, else the one
    ``origin/HEAD`` points at; None when neither says."""
    if named and branch_tip(repo, named) is not None:
        return named
    try:
        target = repo.lookup_reference(_ORIGIN_HEAD).target
    except MISSING:
        return None
    if isinstance(target, str) and target.startswith(_ORIGIN):
        return target[len(_ORIGIN) :] or None
    return None


def nearest_line(repo: pygit2.Repository, policy: Policy, commit: str, prefer: str) -> str | None:
    """The production branch of ``policy`` that ``commit`` has the fewest commits of its own on
    top of (``prefer`` wins a tie); None when the clone has no production branch."""
    try:
        oid = repo.revparse_single(commit).peel(pygit2.Commit).id
    except MISSING:
        return None
    best: tuple[int, bool, str] | None = None
    for branch in list_branches(repo):
        if branch.remote not in (None, "origin") or not policy.is_production_name(branch.name):
            continue
        ahead, _ = repo.ahead_behind(oid, pygit2.Oid(hex=branch.tip))
        key = (ahead, branch.name != prefer, branch.name)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else None
