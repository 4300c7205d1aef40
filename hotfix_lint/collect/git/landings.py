"""Classify every change that reached a production line, with its evidence. Pure.

This is the one place that decides what a change *is* (hotfix, release, sync, automation,
squash, rebase, direct push, fast-forward, bootstrap): the history walk hands it one small
:class:`Step` per first-parent commit, and the rules and the ``hotfixes`` table read the
:class:`~hotfix_lint.facts.landing.LandingFact` records it returns. No git here: each step
already says what the graph knows (is the commit, or its second parent, on the integration
branch's first-parent chain; which branches point at it), so every decision is a unit test.

The line's walk is here (bootstrap, runs, fast-forwards to integration); merges are judged by
``collect.git.merge_verdicts``, single-parent commits by ``collect.git.direct_landings``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hotfix_lint.collect.git.direct_landings import direct_runs
from hotfix_lint.collect.git.landing_inputs import Step, Vocabulary, landing_of
from hotfix_lint.collect.git.merge_verdicts import MergeVerdict, classify_merge
from hotfix_lint.facts.landing import AUTOMATION, BOOTSTRAP, FAST_FORWARD, LandingFact


def classify_line(
    steps: Sequence[Step],
    words: Vocabulary,
    *,
    complete: bool = True,
    integration_tips: Iterable[str] = (),
    integration_known: bool = False,
) -> tuple[LandingFact, ...]:
    """Every change on one line's first-parent chain (``steps`` newest first), newest first.

    ``complete``: the chain reaches the line's first commit (not cut by ``since``), so its
    first commits are the bootstrap: the root and the single-parent commits after it that came
    before the integration branch was cut (those on its first-parent history), or, with no
    integration branch, before the first merge. ``integration_tips``: names the integration
    branch goes by (its tip among ``branch_tips`` shows a fast-forward to it).
    """
    oldest_first = list(reversed(steps))
    if not oldest_first:
        return ()
    tips = set(integration_tips)
    landings: list[LandingFact] = []
    start = 0
    if complete and not oldest_first[0].commit.parents:
        has_merge = any(len(s.commit.parents) > 1 for s in oldest_first)
        start = 1
        while (
            start < len(oldest_first)
            and len(oldest_first[start].commit.parents) == 1
            and (oldest_first[start].on_integration if integration_known else has_merge)
            and not set(oldest_first[start].branch_tips) & tips
        ):
            start += 1
        boot = [s.commit for s in reversed(oldest_first[:start])]
        landings.append(landing_of(BOOTSTRAP, words, boot, "the line's first commits, before its process began"))
    rest = oldest_first[start:]
    verdicts = {i: classify_merge(s, words) for i, s in enumerate(rest) if len(s.commit.parents) > 1}
    members = _fast_forward_members(rest, verdicts, tips)
    pending: list[Step] = []  # single-parent commits not from automation, oldest first
    ff: list[int] = []

    def flush() -> None:
        nonlocal pending, ff
        if pending:
            landings.extend(reversed(list(direct_runs(list(reversed(pending)), words))))
            pending = []
        if ff:
            landings.append(_fast_forward(rest, ff, verdicts, words))
            ff = []

    for i, step in enumerate(rest):
        if i in members:
            if pending:
                flush()
            ff.append(i)
            continue
        if ff:
            flush()
        commit = step.commit
        if len(commit.parents) > 1:
            flush()
            verdict = verdicts[i]
            landings.append(
                landing_of(
                    verdict.kind,
                    words,
                    [commit],
                    verdict.evidence if len(commit.parents) == 2 else f"octopus merge; {verdict.evidence}",
                    source=verdict.source,
                    pull_request=verdict.pull_request,
                    hotfix=verdict.hotfix,
                )
            )
        elif words.is_automation(commit):
            flush()
            landings.append(landing_of(AUTOMATION, words, [commit], "author or subject allowed for automation"))
        else:
            pending.append(step)
    flush()
    return tuple(reversed(landings))


def _fast_forward_members(steps: Sequence[Step], verdicts: dict[int, MergeVerdict], tips: set[str]) -> set[int]:
    """Indexes (oldest first) of the commits a fast-forward of production to integration brought.

    A merge naming another target (``into develop``) is one. So is every commit of the same
    contiguous stretch of integration's first-parent history when that stretch shows it was
    integration's (such a merge in it, or integration's tip at its newest end), except merges
    of a branch named as a hotfix or a production line. A stretch shared only because
    integration was cut from production (or fast-forwarded to it) shows no such evidence and
    stays production's own.
    """
    members = {i for i, v in verdicts.items() if v.foreign_target is not None}
    i = 0
    while i < len(steps):
        if not steps[i].on_integration:
            i += 1
            continue
        j = i
        while j < len(steps) and steps[j].on_integration:
            j += 1
        stretch = range(i, j)
        made_here = any(verdicts[k].made_here for k in stretch if k in verdicts)
        at_tip = bool(set(steps[j - 1].branch_tips) & tips) and not made_here
        if any(k in members for k in stretch) or at_tip:
            for k in stretch:
                verdict = verdicts.get(k)
                if verdict is None or not verdict.named or verdict.foreign_target:
                    members.add(k)
        i = j
    return members


def _fast_forward(
    steps: Sequence[Step], indexes: list[int], verdicts: dict[int, MergeVerdict], words: Vocabulary
) -> LandingFact:
    """One event for a fast-forward of the line to another branch, however many commits it brought."""
    commits = [steps[i].commit for i in reversed(indexes)]
    targets = [verdicts[i].foreign_target for i in indexes if i in verdicts and verdicts[i].foreign_target]
    name = targets[-1] if targets else words.integration
    return landing_of(
        FAST_FORWARD,
        words,
        commits,
        f"{len(commits)} commit(s) of {name} on {words.line}'s first-parent history: "
        f"{words.line} was fast-forwarded to {name}",
        source=name,
    )
