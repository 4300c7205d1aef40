"""Whether the integration branch received each change that reached a production line.

git-flow's other half: besides hotfixes (``back-merge``), release merges and direct commits on
production must reach the integration branch too, or the next release undoes them. The
collector (``collect.git.coverage``) finds, for each first-parent change of each production line,
when the integration branch first contained it and any copy (same patch id) it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotfix_lint.facts.git import CommitFact


@dataclass(frozen=True, slots=True)
class ProductionChangeFact:
    """One change on a production line's first-parent chain (not a hotfix landing).

    ``kind``: ``merge`` (a release, a sync), ``direct`` (a commit pushed or squashed onto the
    line) or ``automation`` (a commit by the policy's allowed authors/messages).
    """

    line: str
    commit: CommitFact
    kind: str
    #: the integration branch's first-parent commit that first contained the change (by
    #: ancestry: what a merge brought in, or the commit itself), and when it was made
    arrived_by: str | None = None
    arrived_at: int | None = None
    #: an integration-only commit with the same patch id (a cherry-pick, a squash), and its time
    copy: str | None = None
    copy_at: int | None = None
