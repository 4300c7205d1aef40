"""Which file a finding with no file of its own is pinned to in SARIF: one that exists.

Code scanning shows a result at a file of the analysed commit; a history or settings finding
has none, so it is pinned to the file that configures the check: the policy file, else the
GitHub Actions workflow that ran it, else the repository's README (or its first top-level
file): code scanning shows no result without a file. A candidate absent from the analysed
commit's tree is never used (an alert at a file that does not exist cannot be opened); a
commit with no file at all leaves the result its logical location (the ref or commit) only,
as SARIF 2.1.0 allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pygit2

from hotfix_lint.collect.git.repository import MISSING

#: the fallback anchor, in this order: a README at the top of the tree
_READMES = ("README.md", "README.rst", "README.txt", "README", "readme.md")


def workflow_file(environ: Mapping[str, str]) -> str | None:
    """The running workflow's path from ``GITHUB_WORKFLOW_REF`` (``owner/repo/PATH@REF``), when
    the workflow belongs to the repository checked (``GITHUB_REPOSITORY``), not a reusable one."""
    ref, repository = environ.get("GITHUB_WORKFLOW_REF", ""), environ.get("GITHUB_REPOSITORY", "")
    where, at, _ = ref.rpartition("@")
    prefix = repository + "/"
    if not at or not repository or not where.lower().startswith(prefix.lower()):
        return None
    return where[len(prefix) :] or None


def existing_anchor(repo: pygit2.Repository, commit: str | None, candidates: Sequence[str | None]) -> str | None:
    """The first candidate (repository-relative) that is a file in ``commit``'s tree, else its
    README or first top-level file, else ``None`` (no file at the top)."""
    if not commit:
        return None
    try:
        tree = repo[commit].peel(pygit2.Tree)
    except MISSING:
        return None
    for path in candidates:
        if not path:
            continue
        try:
            entry = tree[path.replace("\\", "/").removeprefix("./")]
        except (KeyError, ValueError):
            continue
        if entry.type_str == "blob":
            return path
    names = sorted(entry.name for entry in tree if entry.type_str == "blob" and entry.name)
    readme = next((name for name in _READMES if name in names), None)
    return readme or (names[0] if names else None)
