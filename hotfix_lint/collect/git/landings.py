"""Classify every change that reached a production line, with its evidence. Pure.

This is the one place that decides what a change *is* (hotfix, release, sync, automation,
squash, rebase, direct push, fast-forward, bootstrap): the history walk hands it one small
:class:`Step` per first-parent commit, and the rules and the ``hotfixes`` table read the
:class:`~hotfix_lint.facts.landing.LandingFact` records it returns. No git here: each step
already says what the graph knows (is the commit, or its second parent, on the integration
branch's first-parent chain; which branches point at it), so every decision is a unit test.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from hotfix_lint.facts.bounded import bounded_line
from hotfix_lint.facts.git import CommitFact
from hotfix_lint.facts.landing import (
    AUTOMATION,
    BOOTSTRAP,
    DIRECT_PUSH,
    FAST_FORWARD,
    HOTFIX,
    REBASE,
    RELEASE,
    SQUASH,
    SYNC,
    LandingFact,
    is_allowed_direct_commit,
    is_dependabot_pull_request,
    pull_request_number,
    recommitted_together,
    squash_kind,
)
from hotfix_lint.facts.merge_message import MergeSource, parse_merge_message
from hotfix_lint.policy.model import Policy

#: a release merge whose message names no branch: ``Release 3.2.0``, ``Release v1.2.3``
_RELEASE_SUBJECT = re.compile(r"^release[\s:]", re.IGNORECASE)
#: branches git's merge message leaves unnamed (``merge.suppressDest``: master; main too since
#: git 2.28 made it a common default branch name)
_SUPPRESSED_DESTINATIONS = ("master", "main")
_NAME_CHARS = "'\"`()[]{}<>,;:."


@dataclass(frozen=True)
class Step:
    """One commit of a production line's first-parent chain, with what the graph says of it."""

    commit: CommitFact
    #: the commit lies on the integration branch's first-parent chain
    on_integration: bool = False
    #: a merge whose second parent lies on the integration branch's first-parent chain
    second_on_integration: bool = False
    #: author (name, e-mail) of a merge's second parent: who wrote what the merge brought
    tip_author: tuple[str, str] | None = None
    #: other branches whose tip is this commit (a fast-forward left them there)
    branch_tips: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """What the policy says about names and automation, for one production line."""

    policy: Policy
    line: str
    authors: tuple[re.Pattern[str], ...] = ()
    messages: tuple[re.Pattern[str], ...] = ()

    def is_automation(self, commit: CommitFact, tip_author: tuple[str, str] | None = None) -> bool:
        if is_allowed_direct_commit(commit, list(self.authors), list(self.messages)):
            return True
        return tip_author is not None and any(p.search(a) for p in self.authors for a in tip_author)

    def named_automation(self, commit: CommitFact) -> bool:
        """The subject matches the policy's ``allow_messages``: automation by the policy's word,
        a merge too (a version-bump pull request from a ``hotfix/...`` branch)."""
        summary = bounded_line(commit.summary)
        return any(p.search(summary) for p in self.messages)

    def is_feeder(self, name: str) -> bool:
        """The integration branch or a release branch: what releases come from."""
        return self.policy.is_allowed_feeder(name, self.line)

    def is_production(self, name: str) -> bool:
        """A production line's name, today's or a former one (``into master-th4`` on ``main``)."""
        return name == self.line or self.policy.is_production_target(name)

    @property
    def suppressed_destination(self) -> bool:
        """Is (or was) the line named master or main, where git's merge message names no target?"""
        return any(self.policy.is_line_name(self.line, name) for name in _SUPPRESSED_DESTINATIONS)

    @property
    def integration(self) -> str:
        return self.policy.integration_for(self.line) or "the integration branch"


@dataclass(frozen=True)
class MergeVerdict:
    """What one merge commit on the chain is, and why."""

    kind: str
    evidence: str
    source: str | None = None
    pull_request: int | None = None
    #: the merge message names a non-production target (``into develop``): production was
    #: fast-forwarded past it
    foreign_target: str | None = None
    #: the source's name itself says hotfix or production (not merely "neither integration nor release")
    named: bool = False
    #: git wrote this message on the line itself: ``Merge branch 'x'`` names no target only when
    #: merged into master or main (git's ``merge.suppressDest``), never into develop
    made_here: bool = False

    @property
    def hotfix(self) -> bool:
        return self.kind == HOTFIX


def classify_merge(step: Step, words: Vocabulary) -> MergeVerdict:
    """Classify a merge commit on a production line's first-parent chain."""
    commit = step.commit
    parsed = parse_merge_message(commit.message)
    source, pr = parsed.source, parsed.pull_request
    target = parsed.target
    if target is not None and not words.is_production(target):
        return MergeVerdict(
            FAST_FORWARD, f"a merge into {target}: {words.line} was fast-forwarded past it", source, pr, target
        )
    if parsed.kind in ("branch", "remote-branch") and target is None and words.suppressed_destination:
        return replace(_classify_named_merge(step, words, parsed), made_here=True)
    return _classify_named_merge(step, words, parsed)


def _classify_named_merge(step: Step, words: Vocabulary, parsed: MergeSource) -> MergeVerdict:
    commit = step.commit
    source, pr = parsed.source, parsed.pull_request
    if parsed.kind in ("tag", "commit"):
        if step.second_on_integration:
            return MergeVerdict(RELEASE, f"merge of {parsed.kind} '{source}', on {words.integration}", source)
        return MergeVerdict(SYNC, f"merge of {parsed.kind} '{source}', not a branch", source)
    via = f"pull request #{pr} from " if pr is not None else ""
    if words.named_automation(commit):  # the policy says so, whatever branch it came from
        return MergeVerdict(AUTOMATION, "subject allowed for automation (allow_messages)", source, pr)
    if source is not None and words.policy.is_hotfix_name(source):
        return MergeVerdict(HOTFIX, f"{via}branch '{source}' matches the hotfix pattern", source, pr, named=True)
    if source is not None and words.is_feeder(source):
        return MergeVerdict(RELEASE, f"{via}'{source}', the integration or a release branch", source, pr)
    if source is not None and words.is_production(source):
        return MergeVerdict(SYNC, f"{via}'{source}', a production line", source, pr, named=True)
    if _RELEASE_SUBJECT.match(commit.summary):
        return MergeVerdict(RELEASE, f"a release merge ('{commit.summary}')", source, pr)
    if step.second_on_integration:
        return MergeVerdict(
            RELEASE, f"its second parent is on {words.integration}'s first-parent history", source, pr
        )
    if words.is_automation(commit, step.tip_author):
        return MergeVerdict(AUTOMATION, "author or subject allowed for automation", source, pr)
    if is_dependabot_pull_request(commit.summary) and any(p.search("dependabot[bot]") for p in words.authors):
        return MergeVerdict(AUTOMATION, "dependabot's pull request, by its title", source, pr)
    if source is None:
        return MergeVerdict(HOTFIX, f"names no branch, and its second parent is not on {words.integration}")
    return MergeVerdict(HOTFIX, f"{via}branch '{source}': neither integration nor release", source, pr)


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
    return bool(_RELEASE_SUBJECT.match(landing.commit.summary))


_UNKNOWN = "; its source is unknown (no branch named), so no hotfix"


def _unknown(evidence: str) -> str:
    return evidence + _UNKNOWN


def _base(commits: Sequence[CommitFact]) -> str | None:
    oldest = commits[-1]
    return oldest.parents[0] if oldest.parents else None


def _landing(kind: str, words: Vocabulary, run: Sequence[CommitFact], evidence: str, **extra: object) -> LandingFact:
    return LandingFact(kind, words.line, tuple(run), evidence, base=_base(run), **extra)  # type: ignore[arg-type]


def _direct_runs(run: list[Step], words: Vocabulary) -> Iterable[LandingFact]:
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
        released = bool(_RELEASE_SUBJECT.match(summary))
        yield _landing(
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
        yield _landing(
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
                yield _landing(DIRECT_PUSH, words, part, "committed straight to the line, no merge")


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
    return _landing(
        REBASE,
        words,
        commits,
        what if named else _unknown(what),
        source=named,
        pull_request=pull_request_number(newest),
        hotfix=source_is_hotfix(named, words),
    )


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
        landings.append(_landing(BOOTSTRAP, words, boot, "the line's first commits, before its process began"))
    rest = oldest_first[start:]
    verdicts = {i: classify_merge(s, words) for i, s in enumerate(rest) if len(s.commit.parents) > 1}
    members = _fast_forward_members(rest, verdicts, tips)
    pending: list[Step] = []  # single-parent commits not from automation, oldest first
    ff: list[int] = []

    def flush() -> None:
        nonlocal pending, ff
        if pending:
            landings.extend(reversed(list(_direct_runs(list(reversed(pending)), words))))
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
                _landing(
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
            landings.append(_landing(AUTOMATION, words, [commit], "author or subject allowed for automation"))
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
    return _landing(
        FAST_FORWARD,
        words,
        commits,
        f"{len(commits)} commit(s) of {name} on {words.line}'s first-parent history: "
        f"{words.line} was fast-forwarded to {name}",
        source=name,
    )
