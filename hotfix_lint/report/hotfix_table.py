"""The records of ``hotfix-lint hotfixes``: one worded row per hotfix, for release managers.

Kept apart from :mod:`hotfix_lint.results` so that hooks, which never print this table, do
not pay for defining it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class HotfixRow:
    """One hotfix's lifecycle, as ``hotfix-lint hotfixes`` shows it: every value already worded.

    ``branch`` is ``None`` when no branch name is known (a squash, a push: ``subject`` says
    what it was). ``landed`` is how it reached production (merge commit, squash, rebase, fast-forward, direct
    push); ``base_state`` whether its base was the deployed ref; ``back_merge`` yes, pending or
    missing with the age, or n/a; ``deleted`` whether its branch is gone.
    """

    branch: str | None
    line: str
    landed: str
    commit: str | None
    merged_at: str | None
    base: str | None
    base_state: str
    tag: str | None
    changelog: str
    version: str | None
    back_merge: str
    deleted: str
    tickets: tuple[str, ...] = ()
    #: the class of change (``collect.git.landings``) and the evidence for it
    kind: str = "hotfix"
    evidence: str = ""
    pull_request: int | None = None
    subject: str | None = None
    #: the change brought a hotfix (``hotfixes`` without ``--all`` lists only these)
    is_hotfix: bool = True
    #: landed after the policy's ``until``: outside the process's era (listed by ``--all`` only)
    outside_era: bool = False


@dataclass(frozen=True)
class HotfixTable:
    """Every hotfix found in one repository's history, newest first."""

    tool_name: str
    tool_version: str
    repository: str
    policy: str
    rows: tuple[HotfixRow, ...]
    notes: tuple[str, ...] = field(default=())
    #: every class of change is listed (``hotfixes --all``), not only hotfixes
    all_classes: bool = False
