"""What the classification of a production line's changes is handed: one :class:`Step` per
first-parent commit (what the graph knows of it) and the policy's :class:`Vocabulary` for the
line (names, automation). Kept apart so merges, single-parent runs and the line's walk
(``collect.git.landings``) share them without git.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hotfix_lint.facts.bounded import bounded_line
from hotfix_lint.facts.git import CommitFact
from hotfix_lint.facts.landing import LandingFact, is_allowed_direct_commit
from hotfix_lint.policy.model import Policy

#: a release merge whose message names no branch: ``Release 3.2.0``, ``Release v1.2.3``
RELEASE_SUBJECT = re.compile(r"^release[\s:]", re.IGNORECASE)
#: branches git's merge message leaves unnamed (``merge.suppressDest``: master; main too since
#: git 2.28 made it a common default branch name)
_SUPPRESSED_DESTINATIONS = ("master", "main")


@dataclass(frozen=True)
class Step:
    """One commit of a production line's first-parent chain, with what the graph says of it."""

    commit: CommitFact
    #: the commit lies on the integration branch's first-parent chain
    on_integration: bool = False
    #: a merge whose second parent lies on the integration branch's first-parent chain
    second_on_integration: bool = False
    #: author (name, e-mail) of a merge's second parent: who wrote what the merge brought
    tip_author: tuple[str, str] | None = None
    #: other branches whose tip is this commit (a fast-forward left them there)
    branch_tips: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """What the policy says about names and automation, for one production line."""

    policy: Policy
    line: str
    authors: tuple[re.Pattern[str], ...] = ()
    messages: tuple[re.Pattern[str], ...] = ()

    def is_automation(self, commit: CommitFact, tip_author: tuple[str, str] | None = None) -> bool:
        if is_allowed_direct_commit(commit, list(self.authors), list(self.messages)):
            return True
        return tip_author is not None and any(p.search(a) for p in self.authors for a in tip_author)

    def named_automation(self, commit: CommitFact) -> bool:
        """The subject matches the policy's ``allow_messages``: automation by the policy's word,
        a merge too (a version-bump pull request from a ``hotfix/...`` branch)."""
        summary = bounded_line(commit.summary)
        return any(p.search(summary) for p in self.messages)

    def is_feeder(self, name: str) -> bool:
        """The integration branch or a release branch: what releases come from."""
        return self.policy.is_allowed_feeder(name, self.line)

    def is_production(self, name: str) -> bool:
        """A production line's name, today's or a former one (``into master-th4`` on ``main``)."""
        return name == self.line or self.policy.is_production_target(name)

    @property
    def suppressed_destination(self) -> bool:
        """Is (or was) the line named master or main, where git's merge message names no target?"""
        return any(self.policy.is_line_name(self.line, name) for name in _SUPPRESSED_DESTINATIONS)

    @property
    def integration(self) -> str:
        return self.policy.integration_for(self.line) or "the integration branch"


def _base(commits: Sequence[CommitFact]) -> str | None:
    oldest = commits[-1]
    return oldest.parents[0] if oldest.parents else None


def landing_of(kind: str, words: Vocabulary, run: Sequence[CommitFact], evidence: str, **extra: object) -> LandingFact:
    """A landing of ``run`` (newest first) on the line, based where its oldest commit starts."""
    return LandingFact(kind, words.line, tuple(run), evidence, base=_base(run), **extra)  # type: ignore[arg-type]
