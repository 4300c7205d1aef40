"""Hotfixes that reached production without a merge commit, judged as far as their facts allow.

A squash, a rebase or a fast-forward of a hotfix branch keeps no merge to read the branch
from; ``branch-name`` and ``back-merge`` judge them here from what the classification found
(the branch a subject or a fast-forwarded tip names; whether integration has the change by
ancestry, patch id or subject), and say "could not check" where it found nothing: such a
hotfix is never skipped in silence. ``hotfix-base`` judges where the branch was cut (a
fast-forward's base; a squash's or rebase's branch, still there), as for a merge: the parent of
a change re-committed onto the line says nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from hotfix_lint.facts import RepositoryFacts
from hotfix_lint.facts.landing import FAST_FORWARD, REBASE, SQUASH, LandingFact
from hotfix_lint.results import Finding, FindingKind, Severity
from hotfix_lint.rules.base import Rule, RuleContext
from hotfix_lint.rules.common import DAY, day

if TYPE_CHECKING:
    from hotfix_lint.facts.history import BackMergeFact

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


def back_merges(rule: Rule, facts: RepositoryFacts, grace_days: int) -> Iterator[Finding]:
    """``back-merge`` for squash, rebase and fast-forward hotfixes: the change itself must be on
    the integration branch (ancestry, or the same patch or subject there)."""
    from hotfix_lint.facts.history import back_merge_due  # not on the hooks' path (branch-name imports this module)
    from hotfix_lint.rules.hints import port_landing

    for landing in unmerged_hotfixes(facts):
        integration = facts.history.integration_of(landing.line) if facts.history is not None else None
        if integration is None:
            continue
        if integration.retired_since is not None and landing.landed_at >= integration.retired_since:
            continue
        if landing.back_merged:
            late = landing.back_merge
            if late is not None and late.at > back_merge_due(landing.landed_at, grace_days * DAY):
                yield _late(rule, landing, late, integration.name, grace_days)
            continue
        if landing.back_merged is None:
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


def _late(rule: Rule, landing: LandingFact, late: BackMergeFact, integration: str, grace_days: int) -> Finding:
    """Integration has the change today, but got it only after the grace period: judged when due."""
    words = {"squash": "the same change", "merge": "a merge", "fast-forward": "its own first-parent history"}
    return rule.finding(
        f"{_what(landing)} reached {integration} only on {day(late.at)}, {(late.at - landing.landed_at) // DAY} "
        f"day(s) after it landed (grace: {grace_days}), through {words.get(late.form, late.form)} "
        f"(commit {late.commit[:10]}{': ' + repr(late.summary) if late.summary else ''}): until then the next "
        "release could have dropped the fix",
        ref=landing.source or landing.line,
        commit=landing.commit.id,
        hint="nothing to repair now; bring each hotfix into the integration branch within grace_days of its "
        "landing, or waive this commit",
        subjects=_subjects(landing),
    )


def unmerged_bases(rule: Rule, facts: RepositoryFacts, ctx: RuleContext) -> Iterator[Finding]:
    """``hotfix-base`` for squash, rebase and fast-forward hotfixes: where the branch was cut (a
    fast-forward's base, a squash's or rebase's branch still there) against the deployed ref
    when the work started, as for a merge; could-not-check when nothing shows where it was cut
    (a squash or rebase re-commits the change onto the line's tip, its parent says nothing)."""
    if ctx.policy.deployed_ref == "promotion-branch":
        return  # a promotion branch is cut from the deployed ref and deployed itself
    stale = Severity(ctx.options.get("stale_severity", "warning"))
    for landing in unmerged_hotfixes(facts):
        cut = landing.cut_from
        found = partial(
            rule.finding,
            ref=landing.source or landing.line,
            commit=landing.commit.id,
            hint=f"history is not rewritten: cut the next hotfix from the deployed ref "
            f"(git switch -c hotfix/... {landing.line}); or waive this commit",
            subjects=_subjects(landing),
        )
        if cut is None or landing.deployed_ref is None:
            why = (
                f"the deployed ref is unknown ({landing.deployed_ref_label})"
                if cut is not None
                else f"a {landing.kind} re-commits the change onto {landing.line}'s tip (its parent "
                f"{(landing.base or '?')[:10]}), and no branch still there shows where its work was cut"
            )
            yield found(f"could not check the base of {_what(landing)}: {why}", kind=FindingKind.COULD_NOT_CHECK)
            continue
        if cut == landing.deployed_ref:
            continue
        deployed = f"{landing.deployed_ref[:10]} ({landing.deployed_ref_label})"
        distance = landing.base_distance
        if ctx.policy.deployed_ref == "branch" and landing.base_on_line and (distance is None or distance > 0):
            if stale is not Severity.OFF:
                older = f"{distance} commit(s) of {landing.line} older than" if distance is not None else "older than"
                yield found(
                    f"{_what(landing)}: its branch was cut from {cut[:10]}, {older} the deployed ref {deployed}: "
                    "its base is stale",
                    severity=stale,
                )
        elif landing.base_on_line:
            yield found(
                f"{_what(landing)}: its branch was cut from {cut[:10]}, which is on {landing.line} but is not "
                f"the deployed ref {deployed}"
            )
        else:
            yield found(
                f"{_what(landing)}: its branch was cut from {cut[:10]}, which is not on {landing.line}'s history "
                f"(cut from the integration branch or another branch, it carries undeployed commits), not from "
                f"the deployed ref {deployed}"
            )
