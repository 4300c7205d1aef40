"""Add what only some rules need to the collected facts, after the history walk.

``gather`` collects production history and the branch under check; this step then adds,
for the fact kinds the selected rules require: version files and diffs per hotfix, where
hotfix and release branches stand, GitHub Actions workflows, promotion branches (and the
``promotion-branch`` deployed-ref strategy). Shared history of several production lines is
judged once (see ``collect.git.lines``). Each part is bounded and read-only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.git.repository import MISSING, list_branches, ref_tip, resolve_branch
from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts import kinds as K
from hotfix_lint.policy.model import Policy

if TYPE_CHECKING:
    from hotfix_lint.facts.history import HistoryFacts
    from hotfix_lint.facts.workflows import WorkflowsFact

# Each part is imported where it is used: a git hook gathers a branch on every commit and must
# not pay for the parts it does not use (the workflows reader imports PyYAML).


def _wants_release_branches(policy: Policy) -> bool:
    setting = policy.rules.get("back-merge")
    return setting is not None and bool(setting.options.get("release_branches"))


def _workflows(repo: pygit2.Repository, policy: Policy, facts: RepositoryFacts) -> tuple[WorkflowsFact, ...]:
    """Workflows at the first production branch's tip, and at the branch under check's tip."""
    from hotfix_lint.collect.git.workflows import read_workflows

    out: list[WorkflowsFact] = []
    if facts.history is not None and facts.history.production:
        line = facts.history.production[0]
        out.append(read_workflows(repo, line.name, line.tip))
    else:
        for name in policy.production:
            ref = resolve_branch(repo, name)
            if ref is not None:
                out.append(read_workflows(repo, name, str(ref_tip(repo, ref).id)))
                break
    if facts.branch is not None and facts.branch.source:
        out.append(read_workflows(repo, facts.branch.source, facts.branch.tip))
    return tuple(out)


def _versions(
    repo: pygit2.Repository, policy: Policy, facts: RepositoryFacts, kinds: frozenset[str]
) -> RepositoryFacts:
    want_versions = K.VERSION_FILES in kinds
    want_changes = K.DIFF_STATS in kinds
    if not (want_versions or want_changes):
        return facts  # nothing to add, nothing to import (a git hook gathers a branch alone)
    from hotfix_lint.collect.git.versions import VersionCollector

    collector = VersionCollector(repo, policy)
    history = facts.history
    if history is not None:
        lines = []
        for line in history.production:
            hotfixes = []
            for hotfix in line.hotfixes:
                if want_versions:
                    hotfix = collector.with_versions(hotfix)
                if want_changes:
                    hotfix = collector.with_changes(hotfix)
                hotfixes.append(hotfix)
            lines.append(replace(line, hotfixes=tuple(hotfixes)))
        history = replace(history, production=tuple(lines))
    branch = facts.branch
    if branch is not None:
        if want_versions:
            branch = collector.with_versions(branch)
        if want_changes:
            branch = collector.with_changes(branch)
    return replace(facts, history=history, branch=branch)


def enrich(repo: pygit2.Repository, policy: Policy, kinds: frozenset[str], facts: RepositoryFacts) -> RepositoryFacts:
    """The facts with every optional part the selected rules (``kinds``) need added."""
    if facts.empty:
        return facts
    if facts.history is not None:
        from hotfix_lint.collect.git.lines import separate_lines

        facts = replace(facts, history=separate_lines(facts.history, policy))
    promotion = None
    if policy.promotion_branch and (K.PROMOTION in kinds or policy.deployed_ref == "promotion-branch"):
        from hotfix_lint.collect.git.promotion import apply_promotion_strategy, collect_promotion

        branches = list(facts.history.branches) if facts.history is not None else list_branches(repo)
        try:
            promotion = collect_promotion(repo, policy, branches)
        except MISSING as exc:
            unavailable = {**facts.unavailable, K.PROMOTION: f"promotion branches: object missing ({exc})"}
            facts = replace(facts, unavailable=unavailable)
        if promotion is not None:
            if policy.deployed_ref == "promotion-branch":
                facts = apply_promotion_strategy(facts, policy, promotion)
            facts = replace(facts, promotion=promotion)
    if promotion is None and policy.deployed_ref == "promotion-branch":
        from hotfix_lint.collect.git.promotion import unknown_deployed_ref

        facts = unknown_deployed_ref(
            facts,
            "deployed_ref: promotion-branch needs `promotion_branch` (such as 'prod/hotfix/{date}_{slug}') "
            "and a production branch that is a plain branch name",
        )
    facts = _versions(repo, policy, facts, kinds)
    history: HistoryFacts | None = facts.history
    if history is not None:
        from hotfix_lint.collect.git.branches import hotfix_branches, release_branches

        if K.BRANCH_STATE in kinds:
            history = replace(history, hotfix_branches=hotfix_branches(repo, policy, history))
        if _wants_release_branches(policy):
            history = replace(history, release_branches=release_branches(repo, policy, history))
        if K.INTEGRATION_COVERAGE in kinds:
            from hotfix_lint.collect.git.coverage import production_changes

            try:
                history = replace(history, production_changes=production_changes(repo, policy, history))
            except MISSING as exc:
                reason = f"production changes in the integration branch: object missing ({exc})"
                facts = replace(facts, unavailable={**facts.unavailable, K.INTEGRATION_COVERAGE: reason})
        facts = replace(facts, history=history)
    if K.WORKFLOWS in kinds:
        facts = replace(facts, workflows=_workflows(repo, policy, facts))
    return facts
