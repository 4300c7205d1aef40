"""What ``init``'s inference reads from a repository, as plain records: the reading is
:mod:`hotfix_lint.collect.git.inference`, the judging :mod:`hotfix_lint.infer.decide`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from hotfix_lint.facts.landing import pull_request_number

#: names a production line has
PRODUCTION_NAMES = re.compile(r"(main|master|production|prod|stable|trunk|live)")
#: names an integration line has
INTEGRATION_NAMES = re.compile(r"(develop|development|dev|devel|integration|next|staging)([-_/].+)?")
#: names of branches that may be production lines beside the main one: promotion branches
#: (``prod/hotfix/2024-05-22_fix``) and support lines (``support/1.x``)
LINE_FAMILY_NAMES = re.compile(r"(support|prod|production|live|stable|maintenance|maint)/.+")


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One first-parent commit of a line: what its message and its diff say."""

    commit: str
    time: int
    parents: int
    subject: str
    #: for a merge: the parsed source and target (``None``: not named), and the message's kind
    kind: str = "commit"
    source: str | None = None
    target: str | None = None
    pull_request: int | None = None
    #: files changed against the first parent (merges only; root files and ``docs/``)
    touched: tuple[str, ...] = ()
    #: a merge's second parent: what it brought
    second: str | None = None
    #: a merge off the chain, reached through a ``Merge tag 'X' into develop`` that production
    #: was later fast-forwarded past (git-flow's finish: the tag sits on the old production line)
    off_chain: bool = False

    @property
    def merge(self) -> bool:
        return self.parents > 1

    @property
    def squash(self) -> bool:
        """A single-parent commit that a pull request's squash or rebase wrote (``Fix (#12)``)."""
        return self.parents == 1 and pull_request_number(self.subject) is not None


@dataclass(frozen=True, slots=True)
class LineRecord:
    """A candidate line: its tip's time and first-parent chain (newest first)."""

    name: str
    tip_time: int
    steps: tuple[ChainStep, ...]
    truncated: bool = False
    #: tags pointing at a commit of the chain
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Observations:
    """Everything :mod:`~hotfix_lint.infer.decide` judges, read once."""

    default_branch: str | None
    #: every branch (local or remote-tracking, once) and its tip's commit time
    branches: Mapping[str, int]
    lines: Mapping[str, LineRecord]
    tags: tuple[str, ...]
    #: the newest commit time in the repository (the history's "now")
    newest: int = 0
    #: the production tip's root files, and the text of the changelog and version files there
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    #: the tags on each tagged commit
    tagged: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: branches that may be further production lines, by the family they share (``prod/hotfix/``,
    #: ``support/``): the newest members' chains, short (their own merges are near the tip)
    line_families: Mapping[str, tuple[LineRecord, ...]] = field(default_factory=dict)


def line_family(name: str) -> str | None:
    """The family a possible further production line belongs to: its name up to the last ``/``
    (``prod/hotfix/`` for ``prod/hotfix/2024-05-22_fix``, ``support/`` for ``support/1.x``)."""
    if not LINE_FAMILY_NAMES.fullmatch(name):
        return None
    return name.rsplit("/", 1)[0] + "/"
