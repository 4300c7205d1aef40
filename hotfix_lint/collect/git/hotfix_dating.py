"""Each hotfix dated against the deployed ref of the time its work started (its first commit
integration did not already have), with the commits it carried from integration, and each
change with how and when integration received it (back-merges): one pass over each
integration branch's history for all the lines released from it (``collect.git.reach``, or
the commit graph's first-parent reach when integration's own chain is its plain one).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pygit2

from hotfix_lint.collect.git.back_merge import BackMergeFinder
from hotfix_lint.collect.git.commit_graph import NONE
from hotfix_lint.collect.git.deployed_then import first_own
from hotfix_lint.collect.git.first_parent_reach import FirstParentReach
from hotfix_lint.collect.git.line_walk import LineWalk, WalkedLine
from hotfix_lint.collect.git.reach import IntegrationReach, ReachIndex
from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.git import first_line
from hotfix_lint.facts.history import DEFAULT_GRACE_DAYS, BackMergeFact, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import LandingFact
from hotfix_lint.fork_safe import cached_property


def _carried(hotfix: HotfixFact, reach: ReachIndex) -> tuple[CommitFact, ...]:
    """The hotfix's commits that integration had before it landed, received apart from the
    hotfix's tip: it was cut from there. Commits integration received with the tip (the branch
    merged there first, or a first-parent history shared with production) are its own work."""
    if hotfix.merge is None:
        return ()
    tip = reach.reached(hotfix.tip)
    carried = []
    for commit in hotfix.own_commits:
        reached = reach.reached(commit.id)
        if reached is None or reached.at > hotfix.merge.commit_time:
            continue
        if tip is None or reached.via != tip.via:
            carried.append(commit)
    return tuple(carried)


def _changed(hotfix: HotfixFact, fields: dict[str, Any]) -> HotfixFact:
    """``hotfix`` with ``fields`` changed: one copy of the fact for all of them (none if none)."""
    return replace(hotfix, **fields) if fields else hotfix


class HotfixDating(LineWalk):
    """Hotfixes dated, carried commits and back-merges found, per integration branch."""

    def _with_integration(
        self, lines: list[ProductionLineFact], walked: list[WalkedLine], integrations: list[IntegrationFact | None]
    ) -> list[ProductionLineFact]:
        """Each hotfix dated against the deployed ref of its time, with what it carried from its
        line's integration branch and its back-merges: each integration branch's history is read
        in one pass for all the lines released from it."""
        found: dict[str, tuple[ReachIndex, BackMergeFinder]] = {}
        for integration in {i.name: i for i in integrations if i is not None}.values():
            served = [
                fact
                for fact, of in zip(lines, integrations, strict=True)
                if of is not None and of.name == integration.name
            ]
            landings = [h for fact in served for h in fact.hotfixes if h.merge is not None]
            copies = [x for fact in served for x in fact.landings if x.back_merge_commit is not None]
            if landings or copies:
                starts = [min((c.commit_time for c in h.own_commits), default=h.merged_at or 0) for h in landings]
                cutoff = min(starts + [x.commits[-1].commit_time for x in copies])
                reach = self._reach(integration, cutoff)
                found[integration.name] = (reach, BackMergeFinder(self.repo, reach, self._grace()))
        out: list[ProductionLineFact] = []
        for fact, line, of in zip(lines, walked, integrations, strict=True):
            reach_of = found.get(of.name) if of is not None else None
            if reach_of is None:
                out.append(replace(fact, hotfixes=tuple(self._dated(line, h, None) for h in fact.hotfixes)))
                continue
            index, finder = reach_of
            hotfixes = [_changed(h, {**self._dating(line, h, index), **finder.found(h)}) for h in fact.hotfixes]
            changes = tuple(self._reached(x, index) for x in fact.landings)
            out.append(replace(fact, hotfixes=tuple(hotfixes), landings=changes))
        return out

    def _dated(self, line: WalkedLine, hotfix: HotfixFact, reach: ReachIndex | None) -> HotfixFact:
        return _changed(hotfix, self._dating(line, hotfix, reach))

    def _dating(self, line: WalkedLine, hotfix: HotfixFact, reach: ReachIndex | None) -> dict[str, Any]:
        """The deployed ref when the hotfix's work started (its first commit that integration did
        not already have), and the commits it carried from integration: the fields to change."""
        if hotfix.merge is None or hotfix.original_base is None or not hotfix.own_commits:
            return {}
        carried = _carried(hotfix, reach) if reach is not None else ()
        skip = {c.id for c in carried}
        first = first_own([c for c in hotfix.own_commits if c.id not in skip], hotfix.tip)
        if line.deployed is None:
            return {}
        then = line.deployed.when_started(hotfix.mainline, hotfix.original_base, first)
        same = self._same_tree(first, then.deployed) if hotfix.original_base != then.deployed else None
        if same is not None:
            return {
                "base_on_line": True,
                "base_distance": 0,
                "deployed_ref": then.deployed,
                "deployed_ref_label": then.label,
                "work_started": then.started,
                "cut_at_deployed_tree": same,
            }
        return {
            "base_on_line": then.base_on_line,
            "base_distance": then.distance,
            "deployed_ref": then.deployed,
            "deployed_ref_label": then.label,
            "work_started": then.started,
            "moved_during_review": then.moved,
            "carried": carried if hotfix.original_base != then.deployed else (),
        }

    def _reached(self, landing: LandingFact, reach: ReachIndex) -> LandingFact:
        """A squash, rebase or fast-forward hotfix with how and when integration first had it."""
        if landing.back_merge_commit is None:
            return landing
        found = reach.reached(landing.back_merge_commit)
        if found is None:
            return landing
        if landing.back_merge_commit != landing.commit.id:
            form, commit = "squash", landing.back_merge_commit  # integration's commit with its patch or subject
        else:
            form, commit = ("merge" if found.via_merge else "fast-forward"), found.via
        try:
            summary = first_line(self.reader.commit(commit).message).strip()
        except MISSING:
            summary = ""
        return replace(landing, back_merge=BackMergeFact(form, found.at, commit, summary))

    def _same_tree(self, first: CommitFact | None, deployed: str | None) -> str | None:
        """The commit the work started on (the parent of its first own commit), when it is not
        ``deployed`` but has its tree: integration just after production was merged back into it."""
        if first is None or not first.parents or deployed is None or first.parents[0] == deployed:
            return None
        try:
            same = self._tree_of(first.parents[0]) == self._tree_of(deployed)
        except MISSING:
            return None
        return first.parents[0] if same else None

    def _tree_of(self, commit_id: str) -> pygit2.Oid:
        """A commit's tree, read once (hotfixes of the same time share their deployed ref)."""
        found = self._trees_of.get(commit_id)
        if found is None:
            found = self._trees_of[commit_id] = self.reader.commit(commit_id).tree_id
        return found

    @cached_property
    def _trees_of(self) -> dict[str, pygit2.Oid]:
        """Commits' trees by id, as :meth:`_tree_of` read them."""
        return {}

    def _grace(self) -> int:
        """back-merge's ``grace_days``: how far after a landing a squash or pick is looked for."""
        setting = self.policy.rules.get("back-merge")
        options = dict(setting.options) if setting is not None else {}
        return int(options.get("grace_days", DEFAULT_GRACE_DAYS)) * 86400

    def _reach(self, integration: IntegrationFact, cutoff: int) -> ReachIndex:
        """When each commit reached the integration branch's own chain: from the index when that
        chain is its plain first-parent chain (no pull merge, no fast-forward onto production),
        else from a walk of the own chain."""
        tip = pygit2.Oid(hex=integration.tip)
        chain = self._integration_walk(integration.name, tip)
        graph = self.index.graph if self.index is not None else None
        if graph is not None and integration.tip in graph and self.reader.since_commit is None:
            ids = [graph.index.get(c, NONE) for c in chain]
            if NONE not in ids:  # (the own chain: the same pass as IntegrationReach's, on the index)
                return FirstParentReach(graph, integration.tip, cutoff, chain=ids)
        commits = (self.reader.commit(c) for c in chain)  # (read as far as the cutoff)
        return IntegrationReach(self.repo, integration.tip, cutoff, commits)
