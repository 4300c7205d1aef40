"""The one list of rules. Nothing registers itself by being imported: add a built-in rule here;
rules from other packages come through an entry point group (:mod:`hotfix_lint.rules.plugins`)
and :func:`all_rules` adds them."""

from __future__ import annotations

from hotfix_lint.rules.back_merge import BackMerge
from hotfix_lint.rules.base import Rule
from hotfix_lint.rules.branch_name import BranchName
from hotfix_lint.rules.branch_protection import BranchProtectionRule
from hotfix_lint.rules.changelog_entry import ChangelogEntry
from hotfix_lint.rules.ci_trigger import CiTrigger
from hotfix_lint.rules.deployment_source import DeploymentSource
from hotfix_lint.rules.environment_protection import EnvironmentProtection
from hotfix_lint.rules.hotfix_base import HotfixBase
from hotfix_lint.rules.merge_commit import MergeCommit
from hotfix_lint.rules.merge_methods import MergeMethods
from hotfix_lint.rules.minimal_change import MinimalChange
from hotfix_lint.rules.pr_review import PullRequestReview
from hotfix_lint.rules.production_in_integration import ProductionInIntegration
from hotfix_lint.rules.promotion_branch import PromotionBranch
from hotfix_lint.rules.promotion_chain import PromotionChain
from hotfix_lint.rules.promotion_protection import PromotionProtection
from hotfix_lint.rules.protection_bypass import ProtectionBypass
from hotfix_lint.rules.release_tag import ReleaseTag
from hotfix_lint.rules.stale_branch import StaleBranch
from hotfix_lint.rules.ticket_reference import TicketReference
from hotfix_lint.rules.version_bump import VersionBump

ALL_RULES: tuple[type[Rule], ...] = (
    BranchName,
    HotfixBase,
    MergeCommit,
    BackMerge,
    ChangelogEntry,
    TicketReference,
    VersionBump,
    ReleaseTag,
    MinimalChange,
    StaleBranch,
    ProductionInIntegration,
    PromotionBranch,
    PromotionChain,
    CiTrigger,
    BranchProtectionRule,
    PromotionProtection,
    MergeMethods,
    ProtectionBypass,
    EnvironmentProtection,
    PullRequestReview,
    DeploymentSource,
)

RULES_BY_ID: dict[str, type[Rule]] = {rule.id: rule for rule in ALL_RULES}


def all_rules() -> tuple[type[Rule], ...]:
    """The built-in rules, then those of the installed plugins."""
    from hotfix_lint.rules.plugins import plugin_rules

    return ALL_RULES + plugin_rules(frozenset(RULES_BY_ID)).rules


def rules_by_id() -> dict[str, type[Rule]]:
    """:func:`all_rules` by id."""
    return {rule.id: rule for rule in all_rules()}


def plugin_problems() -> tuple[str, ...]:
    """Why plugins were left out (empty when all loaded)."""
    from hotfix_lint.rules.plugins import plugin_rules

    return plugin_rules(frozenset(RULES_BY_ID)).problems


def plugin_package(rule_id: str) -> str | None:
    """The package that brought the rule ``rule_id``; ``None`` for a built-in rule."""
    from hotfix_lint.rules.plugins import plugin_rules

    return plugin_rules(frozenset(RULES_BY_ID)).packages.get(rule_id)
