"""Every first-parent step of a production line classified (``collect.git.landings`` decides,
with what the graph says of each step), what each pull merge on it pushed, and which branch
a merge elsewhere names as a commit's: where the line was fast-forwarded to a branch.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pygit2

from hotfix_lint.collect.git.landing_inputs import Step
from hotfix_lint.collect.git.landings import classify_line
from hotfix_lint.collect.git.line_walk import LineWalk, WalkedLine
from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts import CommitFact
from hotfix_lint.facts.landing import HOTFIX, SYNC, LandingFact
from hotfix_lint.facts.merge_message import parse_merge_message


class LineLandings(LineWalk):
    """What reached each production line, classified."""

    def _tip_author(self, commit: CommitFact) -> tuple[str, str] | None:
        if len(commit.parents) < 2:
            return None
        try:
            author = self.reader.commit(commit.parents[1]).author
        except MISSING:
            return None
        return author.name, author.email

    def _landings(self, line: WalkedLine, tips: dict[str, list[str]]) -> list[LandingFact]:
        """Classify every first-parent step of the line (``collect.git.landings``), and what each
        pull merge on it pushed."""
        pulls = {str(c.id) for c in line.pulls}
        pulled = f"a pull merge: {line.name} as the server had it is its second parent"
        landings = [
            replace(x, kind=SYNC, hotfix=False, evidence=pulled)
            if x.commit.id in pulls and len(x.commits) == 1
            else x
            for x in self._classify(line.first_parent, line, tips, complete=not line.truncated)
        ]
        for merge in line.pulls:
            landings.extend(self._pushed_by(line, merge, tips))
        return landings

    def _classify(
        self, commits: list[CommitFact], line: WalkedLine, tips: dict[str, list[str]], complete: bool
    ) -> tuple[LandingFact, ...]:
        chain = self._integration_chain(line.name)
        steps = [
            Step(
                commit,
                on_integration=commit.id in chain,
                second_on_integration=len(commit.parents) > 1 and commit.parents[1] in chain,
                tip_author=self._tip_author(commit),
                branch_tips=tuple(sorted(set(tips.get(commit.id, ())))),
            )
            for commit in commits
        ]
        integration = self.policy.integration_for(line.name)
        names = (integration,) if integration else ()
        return classify_line(
            steps,
            self._vocabulary(line.name),
            complete=complete,
            integration_tips=names,
            integration_known=bool(chain),
        )

    def _pushed_by(self, line: WalkedLine, merge: pygit2.Commit, tips: dict[str, list[str]]) -> list[LandingFact]:
        """What a pull merge pushed (the clone's own commits), classified like the line's own
        steps: a hotfix merged on the clone is a landing "merge, then pull merge" (off the chain)."""
        chains = self.reader.chains
        since = self.reader.since_time
        side: list[CommitFact] = []
        for commit in chains.pushed_by(merge, line.name, self._since_hide()):
            if since is not None and commit.commit_time < since:
                break
            side.append(chains.fact(commit, line.name))
        how = f"pushed by the pull merge {str(merge.id)[:10]}"
        out: list[LandingFact] = []
        for landing in self._classify(side, line, tips, complete=False):
            if landing.kind == HOTFIX and len(landing.commit.parents) > 1:
                because = f"{landing.evidence}; merged into {line.name} on a clone, then {how}"
                landing = replace(landing, on_first_parent=False, evidence=because)
            else:
                landing = replace(landing, evidence=f"{landing.evidence}; {how}")
            out.append(landing)
        return out

    def _named_by_merges(self, line: WalkedLine, merges: list[pygit2.Commit]) -> dict[str, list[str]]:
        """Single-parent commits of the line's chain that a merge elsewhere names as a branch's
        tip (``Merge branch 'hotfix/0.11.1' into develop`` whose second parent is on master's
        chain): the line was fast-forwarded to that branch, deleted since or moved on. Merges of
        a production line or of integration name no branch that landed (a back-merge of main)."""
        found: dict[str, list[str]] = {}
        integration = self._integration(*self.policy.integration_setting(line.name))[0]
        if integration is not None:  # and the merges integration has that the line has not
            with contextlib.suppress(*MISSING):  # a partial clone: the line's own merges still name what they can
                merges = merges + self._merges_only_on(integration.tip, line)
        for merge in merges:
            if len(merge.parent_ids) != 2 or str(merge.id) in line.index:
                continue
            tip = str(merge.parent_ids[1])
            at = line.index.get(tip)
            if at is None or len(line.first_parent[at].parents) != 1:
                continue
            parsed = parse_merge_message(merge.message)
            source = parsed.source
            if parsed.kind not in ("branch", "remote-branch", "pull-request") or source is None:
                continue
            if self.policy.is_integration_name(source) or self.policy.is_production_target(source):
                continue
            found.setdefault(tip, []).append(source)
        return found

    def _merges_only_on(self, tip: str, line: WalkedLine) -> list[pygit2.Commit]:
        """The two-parent merges reachable from ``tip`` and not from the line: from the
        commit-graph index, only the merges are read (a walk reads every commit)."""
        graph = self.index.graph if self.index is not None else None
        own = self.index.own(tip, str(line.tip.id)) if self.index is not None else None
        if graph is None or own is None:
            walked = self.reader.walk([pygit2.Oid(hex=tip)], [line.tip.id])
            return [c for c in walked if len(c.parent_ids) == 2]
        arity, index = graph.arity, graph.index
        return [self.reader.commit(c) for c in own if arity[index[c]] == 2]

    def _merge_is_hotfix(self, commit: pygit2.Commit, line: WalkedLine, on_first_parent: bool) -> bool:
        if len(commit.parent_ids) != 2:
            return False
        parsed = parse_merge_message(commit.message)
        if parsed.kind in ("tag", "commit"):
            return False
        source = parsed.source
        if on_first_parent:
            if parsed.target is not None and not self.policy.is_line_name(line.name, parsed.target):
                return (
                    False  # a merge into another branch: the line was fast-forwarded (merge-commit says so)
                )
            if source is None:
                return True
            return not (self.policy.is_allowed_feeder(source, line.name) or self.policy.is_production_name(source))
        if source is None or not self.policy.is_hotfix_name(source):
            return False
        return (
            parsed.target is None
            or parsed.target == line.name
            or self.policy.is_production_target(parsed.target)  # today's name or a former one
        )
