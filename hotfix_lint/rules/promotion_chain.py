"""Rule ``promotion-chain``: each promotion branch is cut from the last deployed ref."""

from __future__ import annotations

from collections.abc import Iterator

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.kinds import PROMOTION
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.promotion import Deployed, PromotionBranchFact, PromotionFacts, deployed_at
from hotfix_lint.results import Finding, FindingKind, Severity, shell_command
from hotfix_lint.rules.base import Rule, RuleContext, options_object
from hotfix_lint.rules.common import day, short


def _fixes(branch: PromotionBranchFact) -> list[str]:
    """The work branches merged into a promotion branch (its deployed fixes), oldest first."""
    names = []
    for commit in reversed(branch.commits):
        if len(commit.parents) >= 2:
            source = parse_merge_message(commit.message).source
            names.append(source or f"merge {commit.short}")
    return names


class PromotionChain(Rule):
    id = "promotion-chain"
    summary = "Each promotion branch is cut from the last deployed ref, so no deployed fix is dropped."
    explanation = """\
What runs in production is the newest (by commit time) of the production branch's tip and
the promotion branches' tips. A new promotion branch replaces it when deployed, so it must be
cut from exactly that ref: from the production branch for the first hotfix of a cycle, from
the previous promotion branch for the next hotfix of the same cycle (seed process: "each
subsequent hotfix must be based on the last deployed branch"), and from the production
branch again once a regular release moved it. A promotion branch cut from the production
branch while a previous promotion branch was deployed does not contain that branch: deploying
it would drop the fixes deployed from there, which are named. A promotion branch cut from an
older promotion branch after a regular release would roll the release back.

When a promotion branch was cut is not recorded by git: it is taken as the time of its first
commit past its base, else the date in its name, else its base's time. Its base is the newest
commit its first-parent chain shares with the production branch or with the promotion branch
it was cut from."""
    default_severity = Severity.ERROR
    opt_in = True
    requires = frozenset({PROMOTION})
    options_schema = options_object()

    def check(self, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
        promotion = facts.promotion
        if ctx.policy.promotion_branch is None:
            yield self.finding(
                "promotion-chain is enabled, but the policy has no promotion_branch pattern",
                kind=FindingKind.COULD_NOT_CHECK,
                hint='set promotion_branch: "prod/hotfix/{date}_{slug}" in the policy, or turn the rule off',
            )
            return
        if promotion is None:
            return
        for branch in promotion.branches:
            if branch.truncated:
                yield self.finding(
                    f"could not check where {branch.name} was cut: its history past {promotion.production} is too "
                    "long or incomplete in this clone",
                    kind=FindingKind.COULD_NOT_CHECK,
                    ref=branch.name,
                )
                continue
            expected = deployed_at(promotion, branch.created, exclude=branch.name)
            if expected is None or expected.commit == branch.base:
                continue
            yield self._finding(branch, expected, promotion)

    def _finding(self, branch: PromotionBranchFact, expected: Deployed, promotion: PromotionFacts) -> Finding:
        cut = f"{branch.name} was cut from {branch.parent or promotion.production} at {short(branch.base)}"
        last = f"the last deployed ref when it was created ({day(branch.created)}) was {expected.label()}"
        previous = promotion.branch(expected.branch)
        if previous is not None and previous.name not in branch.contains:
            fixes = _fixes(previous)
            dropped = f" ({', '.join(fixes)})" if fixes else ""
            message = (
                f"{cut}, but {last}: it does not contain {previous.name}, so deploying it drops the fix(es) "
                f"deployed from there{dropped}"
            )
            hint = (
                f"cut the next promotion branch from {previous.name}: "
                f"{shell_command(['git', 'switch', '-c', 'prod/hotfix/...'], previous.name)}; "
                f"or merge {previous.name} into {branch.name} before deploying it"
            )
        elif expected.branch == promotion.production:
            message = (
                f"{cut}, but {last}: {promotion.production} moved on (a regular release?) and {branch.name} "
                f"lacks it, so deploying it rolls production back"
            )
            hint = f"cut promotion branches from {promotion.production}'s deployed tip once a release replaced them"
        else:
            message = f"{cut}, but {last}"
            hint = f"cut promotion branches from the last deployed ref ({short(expected.commit)})"
        return self.finding(message, ref=branch.name, commit=branch.base, hint=hint, subjects=(branch.name,))
