"""How a change reached production: the classes of change and the words for them. Pure.

Shared by the classification (``collect.landings``), the ``merge-commit`` rule and the
``hotfixes`` table, so all name a squash, a rebase or a direct push the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotfix_lint.facts.bounded import bounded_line
from hotfix_lint.facts.git import CommitFact

if TYPE_CHECKING:
    from hotfix_lint.facts.history import BackMergeFact

#: authors whose changes are automation unless a policy says otherwise (``merge-commit``'s
#: ``allow_authors``): dependency bots open pull requests that people merge
DEFAULT_AUTOMATION_AUTHORS = (r"dependabot\[bot\]", r"renovate\[bot\]")
_PR_SQUASH = re.compile(r"\(#(\d+)\)\s*$")


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


def pull_request_number(summary: str) -> int | None:
    """The pull request a GitHub squash or rebase subject names: ``Fix thing (#123)``."""
    found = _PR_SQUASH.search(summary)
    return int(found.group(1)) if found else None


def recommitted_together(run: list[CommitFact]) -> bool:
    """Re-committed by a rebase: committed later than authored, all within a minute."""
    times = [c.commit_time for c in run]
    later = all(c.commit_time - c.author_time > 60 or c.committer_email != c.author_email for c in run)
    return later and max(times) - min(times) <= 60


#: every class of change that reaches a production line (``collect.landings`` decides which)
HOTFIX = "hotfix"
RELEASE = "release"
SYNC = "sync"
AUTOMATION = "automation"
SQUASH = "squash"
REBASE = "rebase"
DIRECT_PUSH = "direct-push"
FAST_FORWARD = "fast-forward"
BOOTSTRAP = "bootstrap"
LANDING_KINDS = (HOTFIX, RELEASE, SYNC, AUTOMATION, SQUASH, REBASE, DIRECT_PUSH, FAST_FORWARD, BOOTSTRAP)
#: how the ``hotfixes`` table words the way a change without a hotfix merge reached the line
LANDED_AS = {
    SQUASH: "squash",
    REBASE: "rebase",
    DIRECT_PUSH: "direct push",
    FAST_FORWARD: "fast-forward",
    BOOTSTRAP: "first commits",
    AUTOMATION: "automation commit",
}


@dataclass(frozen=True)
class LandingFact:
    """One change that reached a production line, classified once, with the evidence for it.

    ``commits`` are the commits on the line's first-parent chain that the change made, newest
    first (one for a merge or a squash, a run for a rebase, fast-forward, push or bootstrap).
    ``hotfix`` says whether the change brought a hotfix: the class ``hotfix``, or a squash,
    rebase or fast-forward whose source is neither integration nor release (a direct push has
    no source: it is no hotfix, and ``merge-commit`` reports it).
    """

    kind: str
    line: str
    commits: tuple[CommitFact, ...]
    evidence: str
    source: str | None = None
    pull_request: int | None = None
    hotfix: bool = False
    on_first_parent: bool = True
    #: where the change was based: the first parent of its oldest commit
    base: str | None = None
    #: whether the integration branch has the change (ancestry, patch id or subject); None when
    #: there is no integration branch, or the change is no hotfix
    back_merged: bool | None = None
    back_merge_evidence: str = ""
    #: the commit integration has for it (the change itself, or its copy there), and how and
    #: when integration first had it: back-merge is judged as of when it was due, not by today's
    #: ancestry (``None`` when integration's history was not read that far)
    back_merge_commit: str | None = None
    back_merge: BackMergeFact | None = None
    #: landed after the policy's ``until``: outside the process's era, judged by no rule and
    #: listed only by ``hotfixes --all`` (``hotfix`` is then False)
    outside_era: bool = False

    @property
    def commit(self) -> CommitFact:
        return self.commits[0]

    @property
    def landed_at(self) -> int:
        return self.commits[0].commit_time
