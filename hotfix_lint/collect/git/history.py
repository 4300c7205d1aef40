"""Collect production history with pygit2: production lines, hotfixes, back-merges.

Designed for large histories: each production line is walked once for its first-parent
chain and once for its merges (``collect.git.line_walk``); what a merge brought in comes from
the commit graph read once, or one ``Walker`` that pushes the second parent and hides the
first (no ``merge_base`` per hotfix); since when the integration branch has each hotfix is
one pass over its history (``collect.git.hotfix_dating``), and each hotfix's deployed ref is
dated from when its work started (``collect.git.deployed_then``). The parts: every step of a
line classified (``line_landings``), a hotfix merge's facts (``merged_hotfix``), the source
and back-merge of a squash, rebase or fast-forward (``landing_sources``). This module runs
them line by line. The reads it shares with the branch check are
:class:`~hotfix_lint.collect.git.reader.GitReader`'s; a git hook judging one branch never
imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pygit2

from hotfix_lint.collect.git.hotfix_dating import HotfixDating
from hotfix_lint.collect.git.landing_sources import LandingSources
from hotfix_lint.collect.git.line_landings import LineLandings
from hotfix_lint.collect.git.line_walk import WalkedLine
from hotfix_lint.collect.git.many_objects import fewer_collections
from hotfix_lint.collect.git.merged_hotfix import MergedHotfixes
from hotfix_lint.collect.git.repository import ref_tip
from hotfix_lint.facts import HotfixFact
from hotfix_lint.facts.history import HistoryFacts, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import DIRECT_PUSH, HOTFIX, RELEASE, LandingFact
from hotfix_lint.facts.merge_message import parse_merge_message


def _by_era(landing: LandingFact, in_era: Callable[[int], bool]) -> list[LandingFact]:
    """The landing as the process's era sees it: whole when it landed inside, outside the era
    (no hotfix, judged by no rule) when before its start or after its ``until``. A fast-forward
    or a rebase is one event, no earlier than its newest commit; a run of direct pushes that straddles ``until`` (one on
    the last day, another a year later) was several pushes, each when committed: split at it."""
    if landing.kind != DIRECT_PUSH:
        whole = in_era(landing.landed_at)
        return [landing if whole else replace(landing, hotfix=False, outside_era=True)]
    inside = tuple(c for c in landing.commits if in_era(c.commit_time))
    if len(inside) == len(landing.commits):
        return [landing]
    outside = tuple(c for c in landing.commits if not in_era(c.commit_time))
    parts = [replace(landing, commits=outside, hotfix=False, outside_era=True)]
    if inside:
        parts.append(replace(landing, commits=inside))
    return parts


class HistoryCollector(LineLandings, MergedHotfixes, LandingSources, HotfixDating):
    """Walks the production history of one repository for one policy; every method only reads."""

    def history(self, push: tuple[str, str, str | None] | None = None) -> HistoryFacts:
        """Production history.

        ``push`` is (line, new tip, old tip or None), what a push would do to one production
        line (the pre-push hook): only that line is read, as if at the new tip, and only what
        the push adds (first-parent commits and merges the old tip lacks) is reported.
        """
        with fewer_collections():  # (the facts read live to the end of the run)
            return self._history(push)

    def _history(self, push: tuple[str, str, str | None] | None) -> HistoryFacts:
        refs, missing_lines = self.reader.production_refs()
        if push is not None:
            refs = [(push[0], dict(refs).get(push[0], f"refs/heads/{push[0]}"))]
            missing_lines = []
        default = (self.policy.integration, self.policy.integration_retired_since)
        integration, integration_missing = self._integration(*default)
        heads = [
            (name, ref, self.reader.revision(push[1]) if push is not None else ref_tip(self.repo, ref))
            for name, ref in refs
        ]
        own_integrations = [self._integration(*self.policy.integration_setting(name))[0] for name, _ in refs]
        self._read_index([tip.id for _, _, tip in heads], [integration, *own_integrations])
        lines: list[ProductionLineFact] = []
        walked: list[WalkedLine] = []
        integrations: list[IntegrationFact | None] = []
        for name, ref, head in heads:
            own = self.policy.integration_setting(name) != default
            line_integration, line_missing = (
                self._integration(*self.policy.integration_setting(name)) if own else (integration, integration_missing)
            )
            integrations.append(line_integration)
            line = WalkedLine(name, ref, head)
            self._first_parent_chain(line)
            tips: dict[str, list[str]] = {}
            for branch in self.reader.branches:
                if branch.name != name:
                    tips.setdefault(branch.tip, []).append(branch.name)
            merges = self._merges(line)
            named = self._named_by_merges(line, merges)
            landings = self._landings(line, {c: tips.get(c, []) + named.get(c, []) for c in {*tips, *named}})
            evidence = {
                x.commit.id: x.evidence
                for x in landings
                if x.kind == HOTFIX and len(x.commit.parents) > 1 and x.on_first_parent
            }
            pulled = {  # merged on a clone, then pushed by a pull merge
                x.commit.id: x.evidence
                for x in landings
                if x.kind == HOTFIX and len(x.commit.parents) == 2 and not x.on_first_parent
            }
            hotfixes: list[HotfixFact] = []
            seen_tips: set[str] = set()
            off_chain: list[pygit2.Commit] = []
            # an earlier landing of the same hotfix branch (not a release of the integration branch,
            # whose tip a hotfix cut from it would otherwise take as an already deployed base)
            landed = {str(m.parent_ids[1]): str(m.id) for m in merges if str(m.id) in evidence}
            added: set[str] | None = None
            if push is not None and push[2] is not None:
                added = {str(c.id) for c in self.reader.walk([line.tip.id], [self.reader.revision(push[2]).id])}
                merges = [m for m in merges if str(m.id) in added]
                landings = [x for x in landings if x.commit.id in added]
            if self.progress is not None:
                self.progress.judging(sum(1 for m in merges if str(m.id) in evidence and str(m.id) in line.index))
            for merge in merges:
                merge_id = str(merge.id)
                if merge_id not in line.index:
                    off_chain.append(merge)
                    continue
                if merge_id in evidence and len(merge.parent_ids) == 2:
                    hotfixes.append(self._hotfix_from_merge(line, merge, True, landed, evidence[merge_id]))
                    seen_tips.add(str(merge.parent_ids[1]))
                    if self.progress is not None:
                        self.progress.judged()
            kinds = {c.id: x.kind for x in landings for c in x.commits}
            for merge in off_chain:
                if str(merge.id) in pulled and str(merge.parent_ids[1]) not in seen_tips:
                    hotfixes.append(self._hotfix_from_merge(line, merge, False, evidence=pulled[str(merge.id)]))
                    seen_tips.add(str(merge.parent_ids[1]))
                    continue
                if str(merge.parent_ids[1]) in seen_tips:
                    continue
                if str(merge.id) in self._integration_chain(line.name):
                    continue  # a merge into integration (its first-parent history): it came with a release
                if not self._merge_is_hotfix(merge, line, False):  # (after the set: it parses the message)
                    continue
                if kinds.get(self._introduced_by(line, str(merge.id)) or "") in (RELEASE, HOTFIX):
                    continue  # merged into a release or hotfix branch, it reached the line inside that one
                because = f"merged into {line.name} off its first-parent history (then fast-forwarded)"
                hotfix = self._hotfix_from_merge(line, merge, False, evidence=because)
                hotfixes.append(hotfix)
                landings.append(
                    LandingFact(
                        HOTFIX, name, (self.reader.fact(merge),), because, source=hotfix.source,
                        pull_request=parse_merge_message(merge.message).pull_request, hotfix=True,
                        on_first_parent=False, base=hotfix.original_base,
                    )
                )  # fmt: skip
                seen_tips.add(str(merge.parent_ids[1]))
            hotfixes.sort(key=lambda h: h.merge.commit_time if h.merge else 0, reverse=True)
            if self.policy.has_era_bounds:  # outside the process's era: listed by --all only, judged by none
                hotfixes = [h for h in hotfixes if h.merge is None or self.policy.in_era(h.merge.commit_time)]
                landings = [part for x in landings for part in _by_era(x, self.policy.in_era)]
            walked.append(line)
            landings.sort(key=lambda x: x.landed_at, reverse=True)
            landings = self._named_by_branch(line, landings)
            if line_integration is not None:
                landings = self._landings_back_merged(line, landings, line_integration)
            landings = self._landing_bases(line, landings)
            lines.append(
                ProductionLineFact(
                    name=name,
                    ref=ref,
                    tip=str(line.tip.id),
                    first_parent=tuple(c for c in line.first_parent if added is None or c.id in added),
                    hotfixes=tuple(hotfixes),
                    branch_tips={k: tuple(sorted(set(v))) for k, v in tips.items()},
                    truncated_by_since=line.truncated,
                    landings=tuple(landings),
                    own_integration=own,
                    integration=line_integration if own else None,
                    integration_missing=line_missing if own else None,
                )
            )
        lines = self._with_integration(lines, walked, integrations)
        if lines and all(x.own_integration for x in lines):
            integration_missing = None  # every line names its own: the top-level one is not used
        return HistoryFacts(
            production=tuple(lines),
            integration=integration,
            integration_missing=integration_missing,
            branches=tuple(self.reader.branches),
            tags=tuple(self.reader.tags),
            missing_production=tuple(missing_lines),
        )
