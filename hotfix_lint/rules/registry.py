"""The one list of rules. Nothing registers itself by being imported: add a rule here."""

from __future__ import annotations

from hotfix_lint.rules.back_merge import BackMerge
from hotfix_lint.rules.base import Rule
from hotfix_lint.rules.branch_name import BranchName
from hotfix_lint.rules.changelog_entry import ChangelogEntry
from hotfix_lint.rules.hotfix_base import HotfixBase
from hotfix_lint.rules.merge_commit import MergeCommit
from hotfix_lint.rules.ticket_reference import TicketReference

ALL_RULES: tuple[type[Rule], ...] = (
    BranchName,
    HotfixBase,
    MergeCommit,
    BackMerge,
    ChangelogEntry,
    TicketReference,
)

RULES_BY_ID: dict[str, type[Rule]] = {rule.id: rule for rule in ALL_RULES}
