"""A production branch the policy names that the repository does not have: exit 2, not a pass.

Without its production line every history rule has nothing to judge, so a typo in
``production:`` (or the default pack's ``main`` on a ``master`` repository) would pass
silently. The error names what the repository does have: its default branch (``origin/HEAD``,
else HEAD's branch) and the branches that look like production lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygit2

from hotfix_lint.collect.git.repository import list_branches
from hotfix_lint.errors import RepositoryError

#: names a production line usually has (main, master, production, prod, release and support lines)
LOOKS_LIKE_PRODUCTION = re.compile(r"(main|master|production|prod|trunk|(release|releases|support)([/-].+)?)")
_SHOWN = 8


class MissingProductionError(RepositoryError):
    """The policy's production branch does not exist: its history cannot be judged."""


def default_branch(repo: pygit2.Repository) -> str | None:
    """The remote's default branch (``origin/HEAD``), else the branch checked out."""
    try:
        target = repo.lookup_reference("refs/remotes/origin/HEAD").target
    except (KeyError, pygit2.GitError, ValueError):
        target = None
    if isinstance(target, str) and target.startswith("refs/remotes/origin/"):
        return target[len("refs/remotes/origin/") :]
    if repo.head_is_unborn or repo.head_is_detached:
        return None
    return repo.head.shorthand


def production_like(repo: pygit2.Repository) -> list[str]:
    """Branch names (local or remote-tracking, once each) that look like production lines."""
    return sorted({b.name for b in list_branches(repo) if LOOKS_LIKE_PRODUCTION.fullmatch(b.name)})


def missing_production_error(repo: pygit2.Repository, missing: Sequence[str]) -> MissingProductionError:
    """What to say when the literal production branch(es) ``missing`` do not exist."""
    names = ", ".join(repr(name) for name in missing)
    plural = "es" if len(missing) > 1 else ""
    default = default_branch(repo)
    candidates = production_like(repo)
    found = []
    if default is not None:
        found.append(f"the default branch is {default!r}")
    if candidates:
        more = len(candidates) - _SHOWN
        shown = ", ".join(candidates[:_SHOWN]) + (f" and {more} more" if more > 0 else "")
        found.append(f"branches that look like production: {shown}")
    suggestion = default if default is not None else (candidates[0] if candidates else None)
    fix = f"set `production: {suggestion}` in the policy" if suggestion else "set `production:` in the policy"
    return MissingProductionError(
        f"production branch{plural} {names} (the policy's `production:`) not found in this repository, neither "
        f"local nor remote-tracking: no history rule could judge it; {'; '.join(found) or 'it has no branch'}.\n"
        f"  fix: {fix} (or fetch the branch; a line that may not exist is a pattern, such as "
        "\"^(main|master)$\")"
    )
