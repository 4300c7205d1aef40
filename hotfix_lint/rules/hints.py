"""Repair hints that are right or absent: what the rules may safely tell a reader to run.

A hint is pasted into a shell by someone in a hurry, so it must not do harm: never move a
published tag (others have fetched it, and a release is named by it), never merge the
integration branch into production (that releases unreleased work), never merge a support
line into the integration branch (that brings an old product line's history), never name a
branch that no longer exists. Where no safe repair exists, a hint says so and offers the
waiver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotfix_lint.facts import HotfixFact, RepositoryFacts
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Finding, FindingKind, merge_into, shell_command
from hotfix_lint.rules.common import DAY, day, short, waiver_hint

if TYPE_CHECKING:  # the hooks import this module: nothing of the history's facts at run time
    from collections.abc import Iterator

    from hotfix_lint.facts.history import HistoryFacts
    from hotfix_lint.facts.landing import LandingFact
    from hotfix_lint.rules.base import Rule

#: a tag older than this (or of unknown age: a lightweight tag) counts as published
PUBLISHED_AFTER_DAYS = 3


def tag_is_published(tag: TagFact, now: int) -> bool:
    """Has ``tag`` most likely been fetched by others? Young annotated tags only are not."""
    if tag.tagger_time is None:
        return True  # a lightweight tag records no date: assume the worst
    return now - tag.tagger_time >= PUBLISHED_AFTER_DAYS * DAY


def published_words(tag: TagFact) -> str:
    """Why a tag counts as published, for a hint."""
    if tag.tagger_time is None:
        return f"{tag.name} is a lightweight tag of unknown age: take it as published"
    return f"{tag.name} was tagged on {day(tag.tagger_time)} and is published"


def branch_exists(facts: RepositoryFacts, name: str | None) -> bool:
    """Does a branch (local or remote-tracking) of this name still exist?"""
    if name is None or facts.history is None:
        return False
    return any(b.name == name for b in facts.history.branches)


def is_main_line(policy: Policy, line: str) -> bool:
    """Is ``line`` the production line the integration branch is released into?

    The policy's first production entry, when it names one branch, or a line whose entry names
    its own integration branch: other lines (``support/*``) are older product lines whose history
    must not flow into the integration branch.
    """
    return (bool(policy.production) and policy.production[0] == line) or policy.has_own_integration(line)


def port_commands(hotfix: HotfixFact, target: str, facts: RepositoryFacts, policy: Policy) -> str | None:
    """Commands that bring one landed hotfix into ``target`` without harm, or ``None``.

    The hotfix branch, while it exists and was cut from the main line; else the main line
    itself (git-flow's back-merge); a hotfix of another line is cherry-picked (its merge, with
    ``-m 1``), never merged: its branch and its line carry that line's history.
    """
    switch = shell_command(["git", "switch"], target)
    main = is_main_line(policy, hotfix.line)
    if main and branch_exists(facts, hotfix.source) and hotfix.source is not None:
        return f"{switch} && {shell_command(['git', 'merge', '--no-ff'], hotfix.source)}"
    if main:
        return f"{switch} && {shell_command(['git', 'merge', '--no-ff'], hotfix.line)}"
    if hotfix.merge is not None:
        return f"{switch} && {shell_command(['git', 'cherry-pick', '-x', '-m', '1'], short(hotfix.merge.id))}"
    return None


def back_merge_commands(hotfix: HotfixFact, integration: str, facts: RepositoryFacts, policy: Policy) -> str:
    """How to bring a landed hotfix into the integration branch, without harm.

    The main line is merged back as git-flow does (or the hotfix branch, while it exists); a
    support line never is (it would bring an old product line into the integration branch):
    its fix is cherry-picked, if the integration branch needs it at all.
    """
    if is_main_line(policy, hotfix.line):
        merge_back = merge_into(integration, hotfix.line)
        if branch_exists(facts, hotfix.source) and hotfix.source is not None:
            merge_back += f"  (or: {shell_command(['git', 'merge', '--no-ff'], hotfix.source)})"
        return merge_back
    port = port_commands(hotfix, integration, facts, policy)
    how = f"port the fix, if {integration} needs it: {port}; if it does not" if port else "if it does not need the fix"
    return (
        f"{hotfix.line} is not the line {integration} is released into: do not merge it (or its branches) into "
        f"{integration}; {how} (fixed there another way), {waiver_hint('back-merge', hotfix)}"
    )


def commit_waiver_hint(rule: str, commit: str) -> str:
    """The waiver that accepts one commit's finding."""
    return (
        f"to accept it, add to the policy: exceptions: [{{rule: {rule}, commit: {short(commit)}, "
        'reason: "...", expires: YYYY-MM-DD}]'
    )


def missing_integration(rule: Rule, missing: str, what: str) -> Finding:
    """Could not check ``what``: the policy's integration branch is not in this clone."""
    return rule.finding(
        f"could not check {what}: integration branch '{missing}' not found in this repository",
        kind=FindingKind.COULD_NOT_CHECK,
        hint=f"fetch it ({shell_command(['git', 'fetch'], 'origin', missing)}), "
        "or set `integration: null` if the process has none",
    )


def missing_integrations(rule: Rule, history: HistoryFacts, what: str) -> Iterator[Finding]:
    """One could-not-check finding per integration branch a production line needs and lacks."""
    names = [m for line in history.production if (m := history.integration_missing_of(line))]
    if not history.production and history.integration_missing:
        names = [history.integration_missing]
    for name in dict.fromkeys(names):
        yield missing_integration(rule, name, what)


def port_landing(integration: str, landing: LandingFact) -> str:
    """Copy a change that landed without a merge commit into ``integration``: every commit it
    made (a rebase brings several), oldest first, names quoted."""
    newest, oldest = landing.commits[0].id, landing.commits[-1].id
    picked = newest if newest == oldest else f"{oldest}^..{newest}"
    return f"{shell_command(['git', 'switch'], integration)} && {shell_command(['git', 'cherry-pick', '-x'], picked)}"
