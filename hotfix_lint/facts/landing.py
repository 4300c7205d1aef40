"""How a change most likely reached production when it was not a merge commit. Pure.

Shared by the ``merge-commit`` rule and the ``hotfixes`` lifecycle table, so both name a
squash, a rebase or a direct push the same way.
"""

from __future__ import annotations

import re

from hotfix_lint.facts.bounded import bounded_line
from hotfix_lint.facts.git import CommitFact

_PR_SQUASH = re.compile(r"\(#\d+\)\s*$")


def is_allowed_direct_commit(
    commit: CommitFact, authors: list[re.Pattern[str]], messages: list[re.Pattern[str]]
) -> bool:
    """Automation the policy lets commit straight to production (by author or subject)."""
    name, email, summary = (bounded_line(t) for t in (commit.author_name, commit.author_email, commit.summary))
    if any(p.search(name) or p.search(email) for p in authors):
        return True
    return any(p.search(summary) for p in messages)


def squash_kind(commit: CommitFact) -> str | None:
    """Name the squash a single-parent commit most likely was, or ``None``."""
    if "Squashed commit of the following" in commit.message:
        return "squash merge (git merge --squash)"
    if _PR_SQUASH.search(commit.summary):
        return "squash merge of a pull request"
    return None


def recommitted_together(run: list[CommitFact]) -> bool:
    """Re-committed by a rebase: committed later than authored, all within a minute."""
    times = [c.commit_time for c in run]
    later = all(c.commit_time - c.author_time > 60 or c.committer_email != c.author_email for c in run)
    return later and max(times) - min(times) <= 60
