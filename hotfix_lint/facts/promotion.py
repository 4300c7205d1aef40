"""Promotion branches (``prod/hotfix/{date}_{slug}``) and the last deployed ref they define.

In a promotion process a hotfix is deployed from a branch cut from what runs in production;
a second hotfix in the same cycle is cut from the previous promotion branch. The collector
records, for each promotion branch, where it was cut and what arrived on it since; the
functions here answer "what was deployed at that moment?" from those records alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hotfix_lint.facts.git import CommitFact


@dataclass(frozen=True, slots=True)
class PromotionBranchFact:
    """One branch under the promotion prefix (it may fail the pattern: that is a finding).

    ``base`` is where it was cut: the newest commit of its first-parent chain that the
    production branch or the promotion branch it was cut from (``parent``) also has.
    ``commits`` are its first-parent commits past the base, newest first. ``created`` is an
    estimate of when it was cut: its first own commit, else the date in its name, else its
    base's time.
    """

    name: str
    ref: str
    tip: str
    tip_time: int
    matches: bool
    base: str
    base_time: int
    created: int
    parent: str | None = None
    commits: tuple[CommitFact, ...] = ()
    #: other promotion branches whose tip this one contains
    contains: tuple[str, ...] = ()
    date: str | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Deployed:
    """The ref in production at some moment: a commit, when it got there, and whose it is."""

    commit: str
    time: int
    branch: str

    def label(self) -> str:
        when = dt.datetime.fromtimestamp(self.time, dt.timezone.utc).date().isoformat()
        return f"{self.branch} at {self.commit[:10]} ({when})"


@dataclass(frozen=True, slots=True)
class PromotionFacts:
    """The production branch's timeline and every promotion branch, oldest first."""

    pattern: str
    production: str
    production_tip: str
    #: (commit time, commit id) along the production branch's first-parent chain, newest first
    production_chain: tuple[tuple[int, str], ...]
    branches: tuple[PromotionBranchFact, ...] = ()

    def branch(self, name: str) -> PromotionBranchFact | None:
        for fact in self.branches:
            if fact.name == name:
                return fact
        return None

    def owner(self, commit: str) -> str | None:
        """The branch a commit belongs to: the promotion branch it arrived on, else production."""
        for fact in self.branches:
            if any(c.id == commit for c in fact.commits):
                return fact.name
        if any(c == commit for _, c in self.production_chain):
            return self.production
        return None


def deployed_at(
    facts: PromotionFacts, moment: int, *, exclude: str | None = None, strict: bool = False
) -> Deployed | None:
    """The last deployed ref at ``moment``: the newest of production's and the promotion branches' tips.

    A branch's tip at a moment is its newest first-parent commit no younger than the moment
    (``strict``: older than it). ``exclude`` leaves out one promotion branch (the one being
    judged). Ties go to a promotion branch, which was cut from production.
    """

    def before(time: int) -> bool:
        return time < moment if strict else time <= moment

    best: Deployed | None = None
    for time, commit in facts.production_chain:
        if before(time):
            best = Deployed(commit, time, facts.production)
            break
    for branch in facts.branches:
        if branch.name == exclude:
            continue
        for commit_fact in branch.commits:
            if before(commit_fact.commit_time):
                if best is None or commit_fact.commit_time >= best.time:
                    best = Deployed(commit_fact.id, commit_fact.commit_time, branch.name)
                break
    return best


def deployed_now(facts: PromotionFacts) -> Deployed | None:
    """The newest (by the tip's commit time) of production's tip and the promotion branches' tips."""
    best: Deployed | None = None
    if facts.production_chain:
        time, commit = facts.production_chain[0]
        best = Deployed(commit, time, facts.production)
    for branch in facts.branches:
        if best is None or branch.tip_time >= best.time:
            best = Deployed(branch.tip, branch.tip_time, branch.name)
    return best
