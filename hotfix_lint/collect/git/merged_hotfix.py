"""A hotfix that landed as a merge, as one :class:`~hotfix_lint.facts.HotfixFact`: its own
commits (from the commit graph when it has them), where it was cut, the deployed ref then,
its version, release point, tag and release window, the paths it changed, and which commit
of the line's chain brought a merge made off it.
"""

from __future__ import annotations

import itertools
import re

import pygit2

from hotfix_lint.collect.git.commit_graph import NONE
from hotfix_lint.collect.git.deployed_then import DeployedRefs
from hotfix_lint.collect.git.line_walk import LineWalk, WalkedLine
from hotfix_lint.collect.git.reader import bases
from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.landing import is_allowed_direct_commit
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.facts.release import automation_window
from hotfix_lint.facts.versions import find_tickets
from hotfix_lint.fork_safe import cached_property
from hotfix_lint.policy.automation import Automation, automation_of

_HEX = re.compile(r"\b[0-9a-f]{40}\b")


def _missing_id(exc: BaseException, fallback: str) -> str:
    found = _HEX.search(str(exc))
    return found.group(0) if found else fallback


class MergedHotfixes(LineWalk):
    """The facts of each hotfix merge."""

    def _release_window(self, line: WalkedLine, merge_id: str) -> tuple[str, ...]:
        """The merge and the automation commits right after it on the first-parent chain, oldest
        first (``facts.release.automation_window``). Empty off the first-parent chain."""
        start = line.index.get(merge_id)
        if start is None:
            return ()
        return automation_window(line.first_parent, start, self._is_automation)

    def _is_automation(self, commit: CommitFact) -> bool:
        automation = self._automation
        return is_allowed_direct_commit(commit, list(automation.authors), list(automation.messages))

    @cached_property
    def _automation(self) -> Automation:
        return automation_of(self.policy)

    def _release_tag(self, merge_id: str, window: tuple[str, ...], version: str | None) -> TagFact | None:
        """The tag of the hotfix's version, else a release tag in its release window."""
        if version is not None and version in self.tags_by_version:
            return self.tags_by_version[version]
        for commit_id in window or (merge_id,):
            found = self.reader.release_tags.get(commit_id)
            if found:
                return found[0]
        return None

    def _introduced_by(self, line: WalkedLine, commit: str) -> str | None:
        """The oldest commit of the line's first-parent chain that contains ``commit`` (off the
        chain): the step that brought it. Containment only grows towards the tip, so a binary
        search over the chain asks git a few ancestry questions, not one per step."""
        chain = line.first_parent
        if self.index is not None and commit in self.index.graph:
            tip = str(line.tip.id)
            step = self.index.introduced_by(tip, commit)
            via = self.index.graph.ids[self.index.line(tip).chain[step]] if step is not None else None
            if via is not None and via in line.index:
                return via  # the line's own chain is its plain first-parent chain there
            if tip not in self._chain_ids:  # (once a line: a list of its whole chain)
                self._chain_ids[tip] = [c.id for c in chain]
            own = self.index.own_line(tip, self._chain_ids[tip])
            if own is not None:  # the own chain's reach: the same answer as the search below
                step = own.step_of(commit)
                return self.index.graph.ids[own.chain[step]] if step is not None else None

        def contains(index: int) -> bool:
            here = chain[index].id
            try:
                return here == commit or self.reader.descendant_of(here, commit)
            except MISSING:
                return False

        if not chain or not contains(0):
            return None
        low, high = 0, len(chain) - 1  # contains(low) holds; find the last index that does
        while low < high:
            middle = (low + high + 1) // 2
            if contains(middle):
                low = middle
            else:
                high = middle - 1
        return chain[low].id

    def _cut_from(self, base: str | None, landed: dict[str, str] | None) -> str | None:
        """Where a branch was first cut: through its earlier landings (rare: one walk each)."""
        seen: set[str] = set()
        while base is not None and landed and base in landed and base not in seen:
            seen.add(base)
            merge = landed[base]
            if merge in self._bases:  # (found already: no read of the merge)
                base = self._bases[merge]
                continue
            earlier = self.reader.commit(merge)
            try:
                base = self._base(earlier.parent_ids[1], earlier.parent_ids[0], merge)
            except MISSING:
                return None
        return base

    @cached_property
    def _chain_ids(self) -> dict[str, list[str]]:
        """Each line's first-parent chain by its tip, as ids (:meth:`_introduced_by`)."""
        return {}

    @cached_property
    def _bases(self) -> dict[str, str | None]:
        """Each landing's base by its merge, as :meth:`_own_commits` found it: a later landing
        of the same branch asks for it again (:meth:`_cut_from`)."""
        return {}

    @cached_property
    def _own_found(self) -> dict[str, list[str]]:
        """A landing's own commits by its merge, found by :meth:`_base` before its own facts are
        made (landings are judged newest first): :meth:`_own_commits` takes them from here."""
        return {}

    def _base(self, tip: pygit2.Oid, mainline: pygit2.Oid, merge: str) -> str | None:
        """:meth:`_own_commits`'s base alone: from the index, no fact of each commit made."""
        if merge in self._bases:
            return self._bases[merge]
        found = self.index.own(str(tip), str(mainline), merge) if self.index is not None else None
        if found is None or self.index is None:
            return self._own_commits(tip, mainline, merge)[1]
        self._own_found[merge] = found
        graph, own, cursor = self.index.graph, set(found), str(tip)
        while cursor in own:  # (as ``bases``: down the tip's first parents while they are its own)
            n = graph.index[cursor]
            if graph.first[n] == NONE:
                return None if graph.arity[n] == 0 else self._own_commits(tip, mainline, merge)[1]
            cursor = graph.ids[graph.first[n]]
        self._bases[merge] = cursor
        return cursor

    def _own_commits(
        self, tip: pygit2.Oid, mainline: pygit2.Oid, merge: str | None = None
    ) -> tuple[list[CommitFact], str | None, list[str]]:
        """:meth:`GitReader.own_commits`, answered from the index when it has both commits."""
        found = self._own_found.pop(merge, None) if merge is not None else None
        if found is None and self.index is not None:
            found = self.index.own(str(tip), str(mainline), merge)
        if found is None:
            return self.reader.own_commits(tip, mainline)
        own = [self.reader.fact(c) for c in found]
        base, extra = bases(own, str(tip))
        return own, base, extra

    def _hotfix_from_merge(
        self,
        line: WalkedLine,
        merge: pygit2.Commit,
        on_first_parent: bool,
        landed: dict[str, str] | None = None,
        evidence: str = "",
    ) -> HotfixFact:
        merge_fact = self.reader.fact(merge)
        mainline_id, tip_id = merge.parent_ids[0], merge.parent_ids[1]
        source = parse_merge_message(merge.message).source
        try:
            own, base, extra = self._own_commits(tip_id, mainline_id, str(merge.id))
            self._bases[str(merge.id)] = base
        except MISSING as exc:
            return HotfixFact(
                source=source,
                line=line.name,
                tip=str(tip_id),
                mainline=str(mainline_id),
                own_commits=(),
                original_base=None,
                merge=merge_fact,
                on_first_parent=on_first_parent,
                evidence=evidence,
                missing_objects=(_missing_id(exc, str(tip_id)),),
            )
        cut_from = self._cut_from(base, landed)  # where the branch was really cut: the table's base
        if base is not None and landed and base in landed:
            base = landed[base]  # the branch landed before: its base is that earlier merge
        if line.deployed is None:
            line.deployed = DeployedRefs(self.reader, line.name, line.first_parent, line.index, self._newer)
        then = line.deployed.before_merge(str(mainline_id), base)  # dated by ``_dated`` once carried is known
        version = self.reader.version_from_name(source)
        window = self._release_window(line, merge_fact.id)
        tag = self._release_tag(merge_fact.id, window, version)
        if version is None and tag is not None:
            version = self.reader.tag_version(tag)
        if tag is not None and tag.target in window:
            # the release is the landing..its tag: automation after the tag is the next one's
            window = window[: window.index(tag.target) + 1]
        # the changelog and version files are read at the landing plus its automation commits
        # (up to its tag); a tag elsewhere (on the branch before the merge, after other changes)
        # does not say where it was released: release-tag reports it
        off_chain = tag.target if tag is not None else str(line.tip.id)
        release_point = window[-1] if window else off_chain
        missing: list[str] = []
        try:
            paths, added = (
                self.reader.diff_facts(mainline_id, merge.id, changelog_lines=False) if self.changed_paths else ((), ())
            )
        except MISSING as exc:
            paths, added = (), ()
            missing.append(_missing_id(exc, str(merge.id)))
        changelog = self.reader.snapshot(release_point)
        if changelog is not None and changelog.missing_object:
            missing.append(changelog.missing_object)
        return HotfixFact(
            source=source,
            line=line.name,
            tip=str(tip_id),
            mainline=str(mainline_id),
            evidence=evidence,
            own_commits=tuple(own),
            original_base=base,
            cut_from=cut_from,
            merge=merge_fact,
            on_first_parent=on_first_parent,
            extra_bases=tuple(extra),
            unrelated_root=self.reader.own_root(own),
            base_on_line=then.base_on_line,
            base_distance=then.distance,
            deployed_ref=then.deployed,
            deployed_ref_label=then.label,
            version=version,
            tickets=find_tickets(
                self.reader.ticket_re, itertools.chain((source or "", merge_fact.message), (c.message for c in own))
            ),
            release_tag=tag,
            release_point=release_point,
            release_window=window,
            changelog=changelog,
            changed_paths=paths,
            changelog_added_lines=added,
            missing_objects=tuple(missing),
        )
