"""How a change reached production: the classes of change and the words for them. Pure.

Shared by the classification (``collect.git.landings``), the ``merge-commit`` rule and the
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
#: dependabot's pull request title, exactly: ``Bump <name> from <v> to <v>`` (``in /dir`` for a
#: subdirectory, a ``chore(deps): bump`` prefix when configured); "Bump version to 1.2" is not it
_DEPENDABOT_TITLE = re.compile(
    r"^(?:[a-z]+(?:\([\w./-]+\))?: )?[Bb]ump (?!version )(?P<name>[\w@./-]+) "
    r"from (?P<old>[\w.+-]*\d[\w.+-]*) to (?P<new>[\w.+-]*\d[\w.+-]*)(?: in /[\w./-]*)? \(#\d+\)$"
)


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


def is_dependabot_pull_request(summary: str) -> bool:
    """A subject in dependabot's exact form, of a pull request: ``Bump x from 1.0 to 1.1 (#12)``
    (a merge titled so carries dependabot's change even when a maintainer wrote the commit)."""
    return bool(_DEPENDABOT_TITLE.match(summary.strip()))


def pull_request_number(summary: str) -> int | None:
    """The pull request a GitHub squash or rebase subject names: ``Fix thing (#123)``."""
    found = _PR_SQUASH.search(summary)
    return int(found.group(1)) if found else None


def recommitted_together(run: list[CommitFact]) -> bool:
    """Re-committed by a rebase merge: every commit re-committed by someone other than its author
    (GitHub's "Rebase and merge" commits as GitHub, a maintainer as themselves) later than it
    was authored, all within a minute.

    Neither alone is evidence of a rebase merge: GitHub's web editor commits as GitHub at the
    author's own instant, and an author who amends, rebases or ``pull --rebase``s their own
    commits before pushing them re-commits them later as themselves: both are direct pushes.
    """
    times = [c.commit_time for c in run]
    later = all(c.commit_time - c.author_time > 60 and not _same_person(c) for c in run)
    return later and max(times) - min(times) <= 60


def _same_person(commit: CommitFact) -> bool:
    """The committer is the author: the same e-mail, or the same name (``To-om`` and ``toom``)."""
    if commit.committer_email.lower() == commit.author_email.lower():
        return True
    committer = re.sub(r"[^a-z0-9]", "", commit.committer_name.lower())
    return bool(committer) and committer == re.sub(r"[^a-z0-9]", "", commit.author_name.lower())


#: every class of change that reaches a production line (``collect.git.landings`` decides which)
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


@dataclass(frozen=True, slots=True)
class LandingFact:
    """One change that reached a production line, classified once, with the evidence for it.

    ``commits`` are the commits on the line's first-parent chain that the change made, newest
    first (one for a merge or a squash, a run for a rebase, fast-forward, push or bootstrap).
    ``hotfix`` says whether the change brought a hotfix: the class ``hotfix``, or a squash,
    rebase or fast-forward whose source is known (its subject, a branch still there, its merge
    into integration or GitHub's pull request names it) and is neither integration, release nor
    production. A squash or rebase whose source is unknown, and a direct push, are no hotfix:
    ``merge-commit`` reports them, and ``hotfixes --all`` lists them.
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
    #: there is no integration branch, or the change is no hotfix (kept for a squash or rebase of
    #: unknown source: GitHub's pull request may name it a hotfix after the history walk)
    back_merged: bool | None = None
    back_merge_evidence: str = ""
    #: the commit integration has for it (the change itself, or its copy there), and how and
    #: when integration first had it: back-merge is judged as of when it was due, not by today's
    #: ancestry (``None`` when integration's history was not read that far)
    back_merge_commit: str | None = None
    back_merge: BackMergeFact | None = None
    #: where the branch was cut, when known (a fast-forward's base; for a squash or rebase, the
    #: merge base of its branch still there with the line), and the deployed ref when its work
    #: started (``collect.git.deployed_then``): what ``hotfix-base`` judges
    cut_from: str | None = None
    #: the tip of the branch it came from, where found (a branch still there, the second parent of
    #: integration's merge of it): where ``cut_from`` is read from
    source_tip: str | None = None
    deployed_ref: str | None = None
    deployed_ref_label: str = ""
    base_distance: int | None = None
    base_on_line: bool = False
    #: landed after the policy's ``until``: outside the process's era, judged by no rule and
    #: listed only by ``hotfixes --all`` (``hotfix`` is then False)
    outside_era: bool = False

    @property
    def commit(self) -> CommitFact:
        return self.commits[0]

    @property
    def landed_at(self) -> int:
        return self.commits[0].commit_time
