"""Single-parent commits on a production line: squashes, rebases (commits re-committed
together), direct pushes and fast-forwards to a branch, with the source a subject names. A
squash or rebase is a hotfix only when its source is known to be one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import replace

from hotfix_lint.collect.git.landing_inputs import RELEASE_SUBJECT, Step, Vocabulary, landing_of
from hotfix_lint.facts.git import CommitFact
from hotfix_lint.facts.landing import (
    DIRECT_PUSH,
    FAST_FORWARD,
    REBASE,
    SQUASH,
    LandingFact,
    pull_request_number,
    recommitted_together,
    squash_kind,
)
from hotfix_lint.facts.merge_message import parse_merge_message

_NAME_CHARS = "'\"`()[]{}<>,;:."


def squash_source(summary: str, words: Vocabulary) -> str | None:
    """The branch a squash or rebase subject names, when it names one (``hotfix/x: fix (#12)``)."""
    parsed = parse_merge_message(summary)
    if parsed.source is not None:
        return parsed.source
    for token in summary.split():
        name = token.strip(_NAME_CHARS)
        if "/" in name and (words.policy.is_hotfix_name(name) or words.is_feeder(name)):
            return name
    return None


def source_is_hotfix(source: str | None, words: Vocabulary) -> bool:
    """Is a squash's or rebase's source known, and a hotfix's? A branch that is neither
    integration, release nor production, as for a merge that names it. Unknown is no hotfix:
    every pull request of a squash-merging team looks alike, and a merge commit would name it."""
    return source is not None and not (words.is_feeder(source) or words.is_production(source))


def named_source(landing: LandingFact, source: str, how: str, words: Vocabulary) -> LandingFact:
    """A squash or rebase whose source was found after classification (a branch still there,
    integration's merge of it, GitHub's pull request): a hotfix when that source is one."""
    hotfix = not landing.outside_era and source_is_hotfix(source, words) and not _released(landing)
    evidence = landing.evidence.removesuffix(_UNKNOWN)
    return replace(landing, source=source, evidence=f"{evidence}; {how}", hotfix=hotfix)


def _released(landing: LandingFact) -> bool:
    return bool(RELEASE_SUBJECT.match(landing.commit.summary))


_UNKNOWN = "; its source is unknown (no branch named), so no hotfix"


def _unknown(evidence: str) -> str:
    return evidence + _UNKNOWN


def direct_runs(run: list[Step], words: Vocabulary) -> Iterable[LandingFact]:
    """Single-parent commits (newest first) not from automation: squashes, rebases, pushes,
    fast-forwards of a branch."""
    rest: list[Step] = []
    together = _committed_at_once(run)
    for step in run:
        kind = squash_kind(step.commit)
        if kind is None or step.commit.id in together:
            rest.append(step)
            continue
        yield from _group(rest, words)
        rest = []
        summary = step.commit.summary
        source = squash_source(summary, words)
        released = bool(RELEASE_SUBJECT.match(summary))
        yield landing_of(
            SQUASH,
            words,
            [step.commit],
            kind + (f" of '{source}'" if source else "") if source or released else _unknown(kind),
            source=source,
            pull_request=pull_request_number(summary),
            hotfix=not released and source_is_hotfix(source, words),
        )
    yield from _group(rest, words)


def _committed_at_once(run: list[Step]) -> set[str]:
    """Commits of ``run`` that one committer committed in the same second as a neighbour: a
    rebase or a pushed batch, whatever their subjects say (a release rebased onto the line
    carries its pull requests' ``(#N)`` subjects; each GitHub squash is committed on its own)."""
    found: set[str] = set()
    for newer, older in itertools.pairwise(run):
        a, b = newer.commit, older.commit
        if a.committer_email == b.committer_email and a.commit_time == b.commit_time:
            found.update((a.id, b.id))
    return found


def _group(run: list[Step], words: Vocabulary) -> Iterable[LandingFact]:
    if not run:
        return
    commits = [s.commit for s in run]
    tips = [name for s in run for name in s.branch_tips]
    if tips:
        source = tips[0]
        yield landing_of(
            FAST_FORWARD,
            words,
            commits,
            f"{words.line} was fast-forwarded to branch '{source}'",
            source=source,
            hotfix=not (words.is_feeder(source) or words.is_production(source)),
        )
    else:
        for part, rebased in _rebases_and_pushes(commits):
            if rebased:
                yield _rebase(part, words)
            else:  # no branch, no pull request: not a hotfix by its source (merge-commit reports it)
                yield landing_of(DIRECT_PUSH, words, part, "committed straight to the line, no merge")


def _rebases_and_pushes(commits: list[CommitFact]) -> list[tuple[list[CommitFact], bool]]:
    """A run of single-parent commits (newest first) split into rebase merges and the direct
    pushes between them. Commits one committer committed together (within a minute) are one
    event: a rebase merge when each was re-committed by someone other than its author, else a
    push (a maintainer who re-applied others' commits along with their own pushed them)."""
    batches: list[list[CommitFact]] = []
    for commit in commits:
        last = batches[-1] if batches else None
        if (
            last is not None
            and last[0].committer_email == commit.committer_email
            and last[0].commit_time - commit.commit_time <= 60
        ):
            last.append(commit)
        else:
            batches.append([commit])
    parts: list[tuple[list[CommitFact], bool]] = []
    for batch in batches:
        rebased = recommitted_together(batch)
        if parts and not rebased and not parts[-1][1]:
            parts[-1][0].extend(batch)
        else:
            parts.append((batch, rebased))
    return parts


def _rebase(commits: list[CommitFact], words: Vocabulary) -> LandingFact:
    newest = commits[0].summary
    what = "commits re-committed together" if len(commits) > 1 else "one commit re-committed (rebase or pick)"
    named = squash_source(newest, words)
    return landing_of(
        REBASE,
        words,
        commits,
        what if named else _unknown(what),
        source=named,
        pull_request=pull_request_number(newest),
        hotfix=source_is_hotfix(named, words),
    )
