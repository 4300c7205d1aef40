"""Collect production history with pygit2: production lines, hotfixes, back-merges.

Designed for large histories: each production line is walked once for its first-parent
chain and once for its merges; what a merge brought in comes from one ``Walker`` that
pushes the second parent and hides the first (no ``merge_base`` or ``descendant_of`` per
hotfix); whether the integration branch has a hotfix is one walk of ``P ^I`` plus set
look-ups. pygit2 does not read git's commit-graph file, so nothing here counts on it.
The reads it shares with the branch check are :class:`~hotfix_lint.collect.reader.GitReader`'s;
a git hook judging one branch never imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.reader import GitReader
from hotfix_lint.collect.repository import MISSING, ref_tip, resolve_branch, to_commit_fact
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.history import HistoryFacts, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import is_allowed_direct_commit
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.facts.release import automation_window
from hotfix_lint.facts.versions import find_tickets, version_key
from hotfix_lint.policy.automation import Automation, automation_of

_HEX = re.compile(r"\b[0-9a-f]{40}\b")
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")


class _Line:
    """Working state for one production line while its hotfixes are collected."""

    def __init__(self, name: str, ref: str, tip: pygit2.Commit) -> None:
        self.name = name
        self.ref = ref
        self.tip = tip
        self.first_parent: list[CommitFact] = []
        self.index: dict[str, int] = {}
        self.truncated = False
        #: best release tag (by version) strictly older than each first-parent index
        self.tag_before: list[TagFact | None] = []


class _Evidence:
    """What the integration branch has on its own: to recognise cherry-picks and squashes."""

    def __init__(self) -> None:
        self.commits: list[CommitFact] = []
        self.patch_ids: dict[str, CommitFact] = {}
        self.picked_from: set[str] = set()


def _missing_id(exc: BaseException, fallback: str) -> str:
    found = _HEX.search(str(exc))
    return found.group(0) if found else fallback


class HistoryCollector:
    """Walks the production history of one repository for one policy; every method only reads."""

    def __init__(self, reader: GitReader) -> None:
        self.reader = reader
        self.repo = reader.repo
        self.policy = reader.policy
        self._timeline: list[tuple[int, str]] | None = None
        self._timeline_walk: Iterator[pygit2.Commit] = iter(())

    @cached_property
    def tags_by_version(self) -> dict[str, TagFact]:
        """Release tags by the version they name (the first tag of a version wins)."""
        found: dict[str, TagFact] = {}
        for tags in self.reader.release_tags.values():
            for tag in tags:
                version = self.reader.tag_version(tag)
                if version is not None:
                    found.setdefault(version, tag)
        return found

    # -- walks -------------------------------------------------------------------------

    def _since_hide(self) -> list[pygit2.Oid]:
        return [self.reader.since_commit] if self.reader.since_commit is not None else []

    def _check_shallow(self, commit: pygit2.Commit, line: str, fetched: int | None = None) -> None:
        if str(commit.id) in self.reader.boundary:
            raise self.reader.shallow_error(f"the history of {line}", commit, fetched)

    def _first_parent_chain(self, line: _Line) -> None:
        for commit in self.reader.walk([line.tip.id], self._since_hide(), first_parent=True):
            if self.reader.since_time is not None and commit.commit_time < self.reader.since_time:
                line.truncated = True
                break
            self._check_shallow(commit, line.name, len(line.first_parent) + 1)
            fact = to_commit_fact(commit)
            line.index[fact.id] = len(line.first_parent)
            line.first_parent.append(fact)
        if self.reader.since_commit is not None:
            line.truncated = True
        # best release tag strictly older than each index, by version
        best: TagFact | None = None
        tag_before: list[TagFact | None] = [None] * len(line.first_parent)
        for i in range(len(line.first_parent) - 1, -1, -1):
            tag_before[i] = best
            for tag in self.reader.release_tags.get(line.first_parent[i].id, ()):
                if best is None or self._newer(tag, best):
                    best = tag
        line.tag_before = tag_before

    def _newer(self, tag: TagFact, than: TagFact) -> bool:
        a = version_key(self.reader.tag_version(tag) or "")
        b = version_key(self.reader.tag_version(than) or "")
        if a is None:
            return False
        return b is None or a > b

    def _merges(self, line: _Line) -> list[pygit2.Commit]:
        """Every merge reachable from the line since `since`: the one full walk of its history."""
        merges: list[pygit2.Commit] = []
        since_time = self.reader.since_time
        shallow = bool(self.reader.boundary)
        for commit in self.reader.walk([line.tip.id], self._since_hide(), sort=SortMode.NONE):
            if since_time is not None and commit.commit_time < since_time:
                continue  # older than `since`: a shallow boundary there is fine
            if shallow:
                self._check_shallow(commit, line.name)
            if len(commit.parent_ids) > 1:
                merges.append(commit)
        return merges

    # -- classification ----------------------------------------------------------------

    def _merge_is_hotfix(self, commit: pygit2.Commit, line: _Line, on_first_parent: bool) -> bool:
        if len(commit.parent_ids) != 2:
            return False
        parsed = parse_merge_message(commit.message)
        if parsed.kind in ("tag", "commit"):
            return False
        source = parsed.source
        if on_first_parent:
            if parsed.target is not None and parsed.target != line.name:
                return (
                    False  # a merge into another branch: the line was fast-forwarded (merge-commit says so)
                )
            if source is None:
                return True
            return not (self.policy.is_allowed_feeder(source) or self.policy.is_production_name(source))
        if source is None or not self.policy.is_hotfix_name(source):
            return False
        return (
            parsed.target is None
            or parsed.target == line.name
            or self.policy.is_production_name(parsed.target)
        )

    # -- hotfix facts ------------------------------------------------------------------

    def _release_window(self, line: _Line, merge_id: str) -> tuple[str, ...]:
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

    def _deployed_before(self, line: _Line, merge_id: str, mainline: str) -> tuple[str | None, str]:
        strategy = self.policy.deployed_ref
        index = line.index.get(merge_id)
        if strategy == "tag" and index is not None:
            tag = line.tag_before[index]
            if tag is None:
                return None, "no release tag before the merge"
            return tag.target, f"release tag {tag.name}"
        if strategy in ("branch", "tag"):
            return mainline, f"{line.name}'s tip before the merge"
        return None, f"deployed_ref strategy {strategy!r} is not available from git history"

    def _hotfix_from_merge(
        self, line: _Line, merge: pygit2.Commit, on_first_parent: bool, landed: dict[str, str] | None = None
    ) -> HotfixFact:
        merge_fact = to_commit_fact(merge)
        mainline_id, tip_id = merge.parent_ids[0], merge.parent_ids[1]
        source = parse_merge_message(merge.message).source
        try:
            own, base, extra = self.reader.own_commits(tip_id, mainline_id)
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
                missing_objects=(_missing_id(exc, str(tip_id)),),
            )
        if base is not None and landed and base in landed:
            base = landed[base]  # the branch landed before: its base is that earlier merge
        base_index = line.index.get(base) if base else None
        mainline_index = line.index.get(str(mainline_id))
        distance = None
        if base_index is not None and mainline_index is not None:
            distance = base_index - mainline_index
        deployed, deployed_label = self._deployed_before(line, merge_fact.id, str(mainline_id))
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
            paths, added = self.reader.diff_facts(mainline_id, merge.id, changelog_lines=False)
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
            own_commits=tuple(own),
            original_base=base,
            merge=merge_fact,
            on_first_parent=on_first_parent,
            extra_bases=tuple(extra),
            unrelated_root=self.reader.own_root(own),
            base_on_line=base_index is not None,
            base_distance=distance,
            deployed_ref=deployed,
            deployed_ref_label=deployed_label,
            version=version,
            tickets=find_tickets(self.reader.ticket_re, source or "", merge_fact.message, *(c.message for c in own)),
            release_tag=tag,
            release_point=release_point,
            release_window=window,
            changelog=changelog,
            changed_paths=paths,
            changelog_added_lines=added,
            missing_objects=tuple(missing),
        )

    # -- integration -------------------------------------------------------------------

    def _integration(self) -> tuple[IntegrationFact | None, str | None]:
        """The integration branch as it is now, or the configured name when it is missing."""
        name = self.policy.integration
        if not name:
            return None, None
        ref = resolve_branch(self.repo, name)
        if ref is None:
            return None, name
        tip = ref_tip(self.repo, ref)
        retired = self.policy.integration_retired_since
        retired_ts = None
        if retired is not None:
            retired_ts = int(
                dt.datetime(retired.year, retired.month, retired.day, tzinfo=dt.timezone.utc).timestamp()
            )
        return IntegrationFact(name, str(tip.id), tip.commit_time, retired_ts), None

    def _integration_at(self, integration: IntegrationFact, when: int) -> str | None:
        """Where the integration branch stood at ``when``: the newest first-parent commit not after it.

        The first-parent chain is read lazily, newest first, and only as far back as asked.
        """
        if self._timeline is None:
            self._timeline = []
            self._timeline_walk = self.reader.walk([pygit2.Oid(hex=integration.tip)], first_parent=True)
        timeline = self._timeline
        while not timeline or timeline[-1][0] > when:
            step = next(self._timeline_walk, None)
            if step is None:
                break
            timeline.append((step.commit_time, str(step.id)))
        for commit_time, commit_id in timeline:
            if commit_time <= when:
                return commit_id
        return None

    def _with_carried(self, hotfixes: list[HotfixFact], integration: IntegrationFact) -> list[HotfixFact]:
        """For hotfixes not based on the deployed ref, find what they carried from integration."""
        out: list[HotfixFact] = []
        for hotfix in hotfixes:
            if (
                hotfix.original_base is None
                or hotfix.original_base == hotfix.deployed_ref
                or hotfix.merge is None
            ):
                out.append(hotfix)
                continue
            then = self._integration_at(integration, hotfix.merge.commit_time)
            out.append(replace(hotfix, carried=self.reader.carried(hotfix, then)))
        return out

    def _with_back_merge(
        self, line: _Line, hotfixes: list[HotfixFact], integration: IntegrationFact
    ) -> list[HotfixFact]:
        """Mark each hotfix back-merged or not; look for cherry-picks and squashes of the misses."""
        i_tip = pygit2.Oid(hex=integration.tip)
        not_in_integration = {str(c.id) for c in self.reader.walk([line.tip.id], [i_tip])}
        marked = [
            replace(h, back_merged=h.tip not in not_in_integration)
            for h in self._with_carried(hotfixes, integration)
        ]
        misses = [h for h in marked if not h.back_merged]
        if not misses:
            return marked
        evidence = self._integration_only_evidence(line, i_tip, misses)
        return [self._judge_miss(h, evidence) if not h.back_merged else h for h in marked]

    def _integration_only_evidence(
        self, line: _Line, i_tip: pygit2.Oid, misses: list[HotfixFact]
    ) -> _Evidence:
        """Patch ids and messages of integration-only commits since the oldest miss began."""
        cutoff = min((c.commit_time for h in misses for c in h.own_commits), default=0)
        cutoff = min(cutoff, min((h.merge.commit_time for h in misses if h.merge), default=cutoff))
        evidence = _Evidence()
        for commit in self.reader.walk([i_tip], [line.tip.id], sort=SortMode.TIME):
            if commit.commit_time < cutoff:
                break
            if len(commit.parent_ids) != 1:
                continue
            fact = to_commit_fact(commit)
            evidence.commits.append(fact)
            for picked in _CHERRY_PICKED.findall(commit.message):
                evidence.picked_from.add(picked)
            try:
                evidence.patch_ids[str(self.repo.diff(commit.parents[0], commit).patchid)] = fact
            except MISSING:
                continue
        return evidence

    def _patch_id(self, old: str, new: str) -> str | None:
        try:
            return str(self.repo.diff(self.reader.commit(old), self.reader.commit(new)).patchid)
        except MISSING:
            return None

    def _judge_miss(self, hotfix: HotfixFact, evidence: _Evidence) -> HotfixFact:
        own = [c for c in hotfix.own_commits if len(c.parents) == 1]
        picked = bool(own) and all(
            self._patch_id(c.parents[0], c.id) in evidence.patch_ids
            or any(c.id.startswith(p) for p in evidence.picked_from)
            for c in own
        )
        squashed: str | None = None
        if hotfix.merge is not None:
            whole = self._patch_id(hotfix.mainline, hotfix.merge.id)
            if whole is not None and whole in evidence.patch_ids:
                squashed = evidence.patch_ids[whole].id
        if squashed is None:
            for commit in evidence.commits:
                text = commit.message
                names_branch = hotfix.source is not None and hotfix.source in commit.summary
                lists_commits = "Squashed commit of the following" in text and any(c.id in text for c in own)
                if names_branch or lists_commits:
                    squashed = commit.id
                    break
        return replace(hotfix, cherry_picked_to_integration=picked, squashed_into_integration=squashed)

    # -- entry point -------------------------------------------------------------------

    def history(self, push: tuple[str, str, str | None] | None = None) -> HistoryFacts:
        """Production history.

        ``push`` is (line, new tip, old tip or None), what a push would do to one production
        line (the pre-push hook): only that line is read, as if at the new tip, and only what
        the push adds (first-parent commits and merges the old tip lacks) is reported.
        """
        refs, missing_lines = self.reader.production_refs()
        if push is not None:
            refs = [(push[0], dict(refs).get(push[0], f"refs/heads/{push[0]}"))]
            missing_lines = []
        integration, integration_missing = self._integration()
        lines: list[ProductionLineFact] = []
        for name, ref in refs:
            line = _Line(name, ref, self.reader.revision(push[1]) if push is not None else ref_tip(self.repo, ref))
            self._first_parent_chain(line)
            hotfixes: list[HotfixFact] = []
            seen_tips: set[str] = set()
            off_chain: list[pygit2.Commit] = []
            merges = self._merges(line)
            # an earlier landing of the same hotfix branch (not a release of the integration branch,
            # whose tip a hotfix cut from it would otherwise take as an already deployed base)
            landed = {
                str(m.parent_ids[1]): str(m.id)
                for m in merges
                if str(m.id) in line.index and self._merge_is_hotfix(m, line, True)
            }
            added: set[str] | None = None
            if push is not None and push[2] is not None:
                added = {str(c.id) for c in self.reader.walk([line.tip.id], [self.reader.revision(push[2]).id])}
                merges = [m for m in merges if str(m.id) in added]
            for merge in merges:
                on_chain = str(merge.id) in line.index
                if not on_chain:
                    off_chain.append(merge)
                    continue
                if self._merge_is_hotfix(merge, line, True):
                    hotfixes.append(self._hotfix_from_merge(line, merge, True, landed))
                    seen_tips.add(str(merge.parent_ids[1]))
            for merge in off_chain:
                if str(merge.parent_ids[1]) in seen_tips or not self._merge_is_hotfix(merge, line, False):
                    continue
                hotfixes.append(self._hotfix_from_merge(line, merge, False))
                seen_tips.add(str(merge.parent_ids[1]))
            hotfixes.sort(key=lambda h: h.merge.commit_time if h.merge else 0, reverse=True)
            if integration is not None:
                hotfixes = self._with_back_merge(line, hotfixes, integration)
            tips: dict[str, list[str]] = {}
            for branch in self.reader.branches:
                if branch.name != name:
                    tips.setdefault(branch.tip, []).append(branch.name)
            lines.append(
                ProductionLineFact(
                    name=name,
                    ref=ref,
                    tip=str(line.tip.id),
                    first_parent=tuple(c for c in line.first_parent if added is None or c.id in added),
                    hotfixes=tuple(hotfixes),
                    branch_tips={k: tuple(sorted(set(v))) for k, v in tips.items()},
                    truncated_by_since=line.truncated,
                )
            )
        return HistoryFacts(
            production=tuple(lines),
            integration=integration,
            integration_missing=integration_missing,
            branches=tuple(self.reader.branches),
            tags=tuple(self.reader.tags),
            missing_production=tuple(missing_lines),
        )
