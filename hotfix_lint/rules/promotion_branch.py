"""Rule ``promotion-branch``: promotion branches are named right and receive only work branches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.kinds import PROMOTION
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.promotion import PromotionBranchFact
from hotfix_lint.policy.model import Policy
from hotfix_lint.policy.patterns import slugify
from hotfix_lint.results import Finding, FindingKind, Severity, shell_command
from hotfix_lint.rules.base import FACT_GIT_BRANCH, Rule, RuleContext, options_object

_HINT_DIRECT = "make the change on a work branch (not named like a promotion branch) and merge it by pull request"


class PromotionBranch(Rule):
    id = "promotion-branch"
    summary = "Promotion branches match their pattern and receive changes only by merges of work branches."
    explanation = """\
In a promotion process (the policy's `promotion_branch`, such as `prod/hotfix/{date}_{slug}`)
a hotfix is made on a work branch and merged by pull request into a promotion branch, which
is what gets deployed. Checked: every branch under the pattern's prefix (`prod/hotfix/`)
matches the whole pattern, with a real calendar date (`2024-02-30` does not); a work branch
(the branch under check, and the source of every merge into a promotion branch) is not named
like a promotion branch; and every change on a promotion branch past its base arrives
through a merge of a work branch: not a merge of the integration branch, a release branch,
a production branch or another promotion branch (which would deploy changes that are not
the hotfix), and not a direct commit. When the promotion branches are production lines of
the policy (`production: [main, "prod/hotfix/**"]`), direct commits on them are reported by
`merge-commit` (production moves only by merges), not twice."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({PROMOTION, FACT_GIT_BRANCH})
    options_schema = options_object()

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = ctx.policy
        if policy.promotion_branch is None or policy.promotion_pattern is None:
            yield self.finding(
                "promotion-branch is enabled, but the policy has no promotion_branch pattern",
                kind=FindingKind.COULD_NOT_CHECK,
                hint='set promotion_branch: "prod/hotfix/{date}_{slug}" in the policy, or turn the rule off',
            )
            return
        if facts.branch is not None and facts.branch.source and policy.is_promotion_name(facts.branch.source):
            yield self.finding(
                f"branch {facts.branch.source} is checked as a hotfix (work) branch but is named like a promotion "
                f"branch ({policy.promotion_branch}): make the changes on a work branch",
                ref=facts.branch.source,
                commit=facts.branch.tip,
                hint=shell_command(
                    ["git", "branch", "-m"],
                    facts.branch.source,
                    f"hotfix/{slugify(facts.branch.source.rsplit('/', 1)[-1])}",
                )
                + " (a name the promotion pattern does not match)",
                subjects=(facts.branch.source,),
            )
        if facts.promotion is None:
            return
        for branch in facts.promotion.branches:
            if not branch.matches:
                yield self._misnamed(branch, policy)
            yield from self._arrivals(branch, policy)

    def _misnamed(self, branch: PromotionBranchFact, policy: Policy) -> Finding:
        pattern = policy.promotion_pattern
        described = pattern.describe() if pattern is not None else repr(policy.promotion_branch)
        tail = branch.name.rsplit("/", 1)[-1]
        example = pattern.example(slug=slugify(tail.split("_", 1)[-1])) if pattern is not None else None
        why = ""
        if branch.date is not None and "{date}" in (policy.promotion_branch or ""):
            why = f" ({branch.date} is not a real calendar date)" if _bad_date(branch.date) else ""
        return self.finding(
            f"promotion branch {branch.name} does not match {described}{why}",
            ref=branch.name,
            commit=branch.tip,
            hint=f"name it like '{example}': {shell_command(['git', 'branch', '-m'], branch.name, example)} "
            "(and push the new name)"
            if example
            else None,
            subjects=(branch.name,),
        )

    def _arrivals(self, branch: PromotionBranchFact, policy: Policy) -> Iterator[Finding]:
        production_line = policy.is_production_name(branch.name)
        for commit in branch.commits:
            if len(commit.parents) < 2:
                if production_line:
                    continue  # merge-commit reports direct commits on production lines
                yield self.finding(
                    f"{commit.short} ('{commit.summary}') was committed directly on promotion branch {branch.name}: "
                    "changes reach a promotion branch only through a merge of a work branch",
                    ref=branch.name,
                    commit=commit.id,
                    hint=_HINT_DIRECT,
                    subjects=(branch.name, commit.id),
                )
                continue
            source = parse_merge_message(commit.message).source
            if source is None:
                continue
            what = None
            if policy.is_promotion_name(source):
                what = f"the work branch {source} is named like a promotion branch"
            elif policy.is_integration_name(source):
                what = f"it merges the integration branch {source}, which carries undeployed changes"
            elif policy.is_release_name(source):
                what = f"it merges the release branch {source}, which is not a hotfix"
            elif policy.is_production_target(source):
                what = f"it merges the production branch {source} instead of a work branch"
            if what is None:
                continue
            yield self.finding(
                f"merge {commit.short} into promotion branch {branch.name} ('{commit.summary}'): {what}",
                ref=branch.name,
                commit=commit.id,
                hint=_HINT_DIRECT,
                subjects=(branch.name, commit.id),
            )


def _bad_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return True
    return False
