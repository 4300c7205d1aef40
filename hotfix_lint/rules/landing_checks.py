"""Hotfixes that reached production without a merge commit, judged as far as their facts allow.

A squash, a rebase or a fast-forward of a hotfix branch keeps no merge to read the branch
from; ``branch-name`` and ``back-merge`` judge them here from what the classification found
(the branch a subject or a fast-forwarded tip names; whether integration has the change by
ancestry, patch id or subject), and say "could not check" where it found nothing: such a
hotfix is never skipped in silence. ``hotfix-base`` needs nothing more: the base of a change
re-committed onto the line is its parent, the line's tip when it landed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.landing import FAST_FORWARD, REBASE, SQUASH, LandingFact
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import Rule, RuleContext
from hotfix_lint.rules.common import DAY

if TYPE_CHECKING:
    from hotfix_lint.facts.history import IntegrationFact

_JUDGED = (SQUASH, REBASE, FAST_FORWARD)


def unmerged_hotfixes(facts: RepositoryFacts) -> Iterator[LandingFact]:
    """Hotfixes on a production line's first-parent history that came without a merge commit."""
    if facts.history is None:
        return
    for line in facts.history.production:
        for landing in line.landings:
            if landing.hotfix and landing.on_first_parent and landing.kind in _JUDGED:
                yield landing


def _what(landing: LandingFact) -> str:
    pr = f" of pull request #{landing.pull_request}" if landing.pull_request is not None else ""
    return f"{landing.kind} {landing.commit.short}{pr} on {landing.line} ('{landing.commit.summary}')"


def _subjects(landing: LandingFact) -> tuple[str, ...]:
    return tuple(c.id for c in landing.commits) + ((landing.source,) if landing.source else ())


def branch_names(rule: Rule, facts: RepositoryFacts, ctx: RuleContext, expected: str) -> Iterator[Finding]:
    """``branch-name`` for squash, rebase and fast-forward hotfixes: the branch their subject,
    a branch tip, their merge into integration or GitHub's pull request names."""
    for landing in unmerged_hotfixes(facts):
        source = landing.source
        if source is None:
            yield rule.finding(
                f"could not check the branch name of {_what(landing)}: neither its subject nor a branch "
                f"tip names the branch it came from (expected {expected})",
                kind=FindingKind.COULD_NOT_CHECK,
                ref=landing.line,
                commit=landing.commit.id,
                hint="land hotfixes with a merge commit, which names the branch; or waive this commit",
                subjects=_subjects(landing),
            )
        elif not ctx.policy.is_hotfix_name(source):
            yield rule.finding(
                f"{_what(landing)} brought branch '{source}', a hotfix whose name does not match {expected}",
                ref=landing.line,
                commit=landing.commit.id,
                subjects=_subjects(landing),
            )


def back_merges(
    rule: Rule, facts: RepositoryFacts, integration: IntegrationFact, grace_days: int
) -> Iterator[Finding]:
    """``back-merge`` for squash, rebase and fast-forward hotfixes: the change itself must be on
    the integration branch (ancestry, or the same patch or subject there)."""
    from hotfix_lint.rules.hints import port_landing  # not on the hooks' path (branch-name imports this module)

    for landing in unmerged_hotfixes(facts):
        if landing.back_merged is not False:
            continue
        if integration.retired_since is not None and landing.landed_at >= integration.retired_since:
            continue
        age = facts.now - landing.landed_at
        pending = 0 <= age < grace_days * DAY
        yield rule.finding(
            ("pending: " if pending else "")
            + f"{_what(landing)} is not in {integration.name}: no commit there is its ancestor, "
            "has its patch or its subject",
            severity=Severity.WARNING if pending else None,
            ref=landing.source or landing.line,
            commit=landing.commit.id,
            hint=f"bring the change into {integration.name} ({port_landing(integration.name, landing)}), "
            "or waive this commit",
            subjects=_subjects(landing),
        )


def unmerged_bases(rule: Rule, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
    """``hotfix-base`` for squash, rebase and fast-forward hotfixes: their base is their parent,
    the deployed ref only when the policy deploys the line's tip (a promotion branch is cut from
the deployed ref and deployed itself)."""
    if ctx.policy.deployed_ref in ("branch", "promotion-branch"):
        return  # the parent is the line's tip before the change: the deployed ref
    for landing in unmerged_hotfixes(facts):
        yield rule.finding(
            f"could not check the base of {_what(landing)}: it keeps only its parent "
            f"{(landing.base or '?')[:10]}, not where its branch was cut, and the deployed ref is "
            f"the {ctx.policy.deployed_ref!r} strategy's",
            kind=FindingKind.COULD_NOT_CHECK,
            ref=landing.line,
            commit=landing.commit.id,
            hint="land hotfixes with a merge commit, which keeps where the branch was cut; or waive this commit",
            subjects=_subjects(landing),
        )
