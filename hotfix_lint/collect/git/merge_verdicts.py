"""What one merge commit on a production line's first-parent chain is (hotfix, release, sync,
automation, or a fast-forward past a merge into another branch), from its message and what
the graph says of its second parent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hotfix_lint.collect.git.landing_inputs import RELEASE_SUBJECT, Step, Vocabulary
from hotfix_lint.facts.landing import (
    AUTOMATION,
    FAST_FORWARD,
    HOTFIX,
    RELEASE,
    SYNC,
    is_dependabot_pull_request,
)
from hotfix_lint.facts.merge_message import MergeSource, parse_merge_message


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
    if RELEASE_SUBJECT.match(commit.summary):
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
