"""Judging a policy with eras: each era's production changes by that era's settings.

An era is a whole policy (``Policy.eras``) whose history walk marks every change outside its
dates as outside the era, so one run per era judges each change once, by the era it landed in.
The present (branches, GitHub settings, a change under review) is judged by one era only, the
latest begun (``Policy.era_now``); the other eras run the history rules alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from hotfix_lint.engine import SelectedRule, evaluate, required_kinds, select_rules, utc_day
from hotfix_lint.facts.git import RepositoryFacts
from hotfix_lint.facts.kinds import BRANCH_STATE, GITHUB_KINDS, PROMOTION, WORKFLOWS
from hotfix_lint.facts.kinds import GIT_HISTORY as FACT_GIT_HISTORY
from hotfix_lint.policy.model import Policy
from hotfix_lint.results import Violation

#: facts about the present: a past era's run neither collects them nor runs rules that need them
_PRESENT_KINDS = GITHUB_KINDS | {BRANCH_STATE, PROMOTION, WORKFLOWS}


def past_eras(policy: Policy, now: int) -> list[Policy]:
    """The eras other than the one judging the present, oldest first."""
    present = policy.era_now(now)
    return [era for era in policy.eras if era is not present]


def history_rules(selected: Iterable[SelectedRule]) -> list[SelectedRule]:
    """The rules a past era runs: those judging production history, nothing of the present."""
    return [s for s in selected if FACT_GIT_HISTORY in s.rule.requires and not s.rule.requires & _PRESENT_KINDS]


def era_label(era: Policy) -> str:
    return f"{era.era_since or 'the beginning'} .. {era.until or 'today'}"


def era_note(policy: Policy, now: int) -> str | None:
    """The report's note naming the eras, for a policy that has them."""
    if not policy.eras:
        return None
    present = policy.era_now(now)
    labels = [era_label(e) + (" (judges the present)" if e is present else "") for e in policy.eras]
    return f"each production change judged by its era's settings: {'; '.join(labels)}"


def unique(violations: Sequence[Violation]) -> list[Violation]:
    """The violations once each: two eras' runs may both report a finding about no change."""
    return list(dict.fromkeys(violations))


def judge_past_eras(
    whole: Policy,
    now: int,
    rule_ids: Iterable[str] | None,
    gather_history: Callable[[Policy, frozenset[str]], RepositoryFacts],
) -> list[Violation]:
    """The history rules of every past era, each judged on facts gathered by that era's
    settings (``gather_history(era, kinds)``): what ``check`` and the audit add to the present
    era's findings (deduplicate with :func:`unique`)."""
    found: list[Violation] = []
    for era in past_eras(whole, now):
        chosen = history_rules(select_rules(era, rule_ids))
        facts = gather_history(era, frozenset(required_kinds(chosen)))
        found.extend(evaluate(facts, era, chosen, utc_day(now)))
    return found
