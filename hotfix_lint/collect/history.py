"""Collect production history with pygit2: production lines, hotfixes, back-merges.

Designed for large histories: each production line is walked once for its first-parent
chain and once for its merges; what a merge brought in comes from one ``Walker`` that
pushes the second parent and hides the first (no ``merge_base`` per hotfix; one
``descendant_of`` only for a base a fast-forward left off the chain); since when the
integration branch has each hotfix is one pass over its history (``collect.reach``), and each
hotfix's deployed ref is dated from when its work started (``collect.deployed_then``).
pygit2 does not read git's commit-graph file, so nothing here counts on it.
The reads it shares with the branch check are :class:`~hotfix_lint.collect.reader.GitReader`'s;
a git hook judging one branch never imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.back_merge import BackMergeFinder
from hotfix_lint.collect.deployed_then import DeployedRefs, first_own
from hotfix_lint.collect.graph_index import CommitGraph, FirstParentReach, HistoryIndex, HistoryProgress
from hotfix_lint.collect.landings import Step, Vocabulary, classify_line
from hotfix_lint.collect.reach import IntegrationReach, ReachIndex
from hotfix_lint.collect.reader import GitReader, bases
from hotfix_lint.collect.repository import MISSING, ref_tip, resolve_branch, to_commit_fact
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.history import DEFAULT_GRACE_DAYS, HistoryFacts, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import (
    DEFAULT_AUTOMATION_AUTHORS,
    DIRECT_PUSH,
    HOTFIX,
    REBASE,
    RELEASE,
    SQUASH,
    LandingFact,
    is_allowed_direct_commit,
)
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.facts.release import automation_window
from hotfix_lint.facts.versions import find_tickets, version_key
from hotfix_lint.policy.automation import Automation, automation_of

_HEX = re.compile(r"\b[0-9a-f]{40}\b")
_PR_SUFFIX = re.compile(r"\s*\(#\d+\)\s*$")
#: how long before a squash or rebase its branch's commits may have reached integration
_EVIDENCE_DAYS = 30


def _plain_subject(message: str) -> str:
    """A commit's subject without GitHub's ``(#123)``: a squash's and its branch's commit agree."""
    return _PR_SUFFIX.sub("", message.split("\n", 1)[0].strip())


class _Line:
    """Working state for one production line while its hotfixes are collected."""

    def __init__(self, name: str, ref: str, tip: pygit2.Commit) -> None:
        self.name = name
        self.ref = ref
        self.tip = tip
        self.first_parent: list[CommitFact] = []
        self.index: dict[str, int] = {}
        self.truncated = False
        #: the deployed ref of each hotfix's time, on this line (made with the first hotfix)
        self.deployed: DeployedRefs | None = None


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


def _by_era(landing: LandingFact, in_era: Callable[[int], bool]) -> list[LandingFact]:
    """The landing as the process's era sees it: whole when it landed inside, outside the era
    (no hotfix, judged by no rule) when after ``until``. A fast-forward or a rebase is one event,
    no earlier than its newest commit; a run of direct pushes that straddles ``until`` (one on
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


class _Merge:
    """A merge reachable from a line: its id and parents; the commit is read when needed."""

    __slots__ = ("_commit", "_read", "id", "parents")

    def __init__(self, merge_id: str, parents: tuple[str, ...], read: Callable[[str], pygit2.Commit]) -> None:
        self.id = merge_id
        self.parents = parents
        self._read = read
        self._commit: pygit2.Commit | None = None

    @property
    def commit(self) -> pygit2.Commit:
        if self._commit is None:
            self._commit = self._read(self.id)
        return self._commit


def _missing_id(exc: BaseException, fallback: str) -> str:
    found = _HEX.search(str(exc))
    return found.group(0) if found else fallback


class HistoryCollector:
    """Walks the production history of one repository for one policy; every method only reads."""

    def __init__(
        self, reader: GitReader, *, changed_paths: bool = True, progress: HistoryProgress | None = None
    ) -> None:
        self.reader = reader
        self.repo = reader.repo
        self.policy = reader.policy
        #: read the paths each hotfix changes (a tree diff each): only a rule that reads them needs them
        self.changed_paths = changed_paths
        self.progress = progress
        #: the commit graph of the lines and integration, read once (``None``: a shallow clone, walks)
        self.index: HistoryIndex | None = None

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
            fact = self.reader.fact(commit)
            line.index[fact.id] = len(line.first_parent)
            line.first_parent.append(fact)
        if self.reader.since_commit is not None:
            line.truncated = True

    def _newer(self, tag: TagFact, than: TagFact) -> bool:
        a = version_key(self.reader.tag_version(tag) or "")
        b = version_key(self.reader.tag_version(than) or "")
        if a is None:
            return False
        return b is None or a > b

    def _merges(self, line: _Line) -> list[_Merge]:
        """Every merge reachable from the line since `since`: from the index, else one full walk."""
        if self.index is None:
            return self._walk_merges(line)
        graph = self.index.graph
        merges = []
        for n in self.index.merges(str(line.tip.id), self.reader.since_time):
            parents = graph.parents(n)
            if len(parents) == graph.arity[n]:
                ids = tuple(graph.ids[p] for p in parents)
            else:  # a parent `since` left out of the index
                ids = tuple(str(p) for p in self.reader.commit(graph.ids[n]).parent_ids)
            merges.append(_Merge(graph.ids[n], ids, self.reader.commit))
        return merges

    def _walk_merges(self, line: _Line) -> list[_Merge]:
        """Without an index (a shallow clone): one full walk of the line, its boundary checked."""
        merges: list[_Merge] = []
        since_time = self.reader.since_time
        shallow = bool(self.reader.boundary)
        for commit in self.reader.walk([line.tip.id], self._since_hide(), sort=SortMode.NONE):
            if since_time is not None and commit.commit_time < since_time:
                continue  # older than `since`: a shallow boundary there is fine
            if shallow:
                self._check_shallow(commit, line.name)
            if len(commit.parent_ids) > 1:
                merge = _Merge(str(commit.id), tuple(str(p) for p in commit.parent_ids), self.reader.commit)
                merge._commit = commit
                merges.append(merge)
        return merges

    # -- classification ----------------------------------------------------------------

    @cached_property
    def _integration_chain(self) -> frozenset[str]:
        """The integration branch's first-parent history: one walk, read when a line is classified."""
        name = self.policy.integration
        ref = resolve_branch(self.repo, name) if name else None
        if ref is None:
            return frozenset()
        tip = ref_tip(self.repo, ref)
        if self.index is not None and str(tip.id) in self.index.graph:
            return frozenset(self.index.graph.ids[n] for n in self.index.graph.first_parent_chain(str(tip.id)))
        return frozenset(str(c.id) for c in self.reader.walk([tip.id], first_parent=True))

    def _vocabulary(self, line: str) -> Vocabulary:
        setting = self.policy.rules.get("merge-commit")
        options = dict(setting.options) if setting is not None else {}
        authors = options.get("allow_authors", list(DEFAULT_AUTOMATION_AUTHORS))
        messages = options.get("allow_messages", [])
        return Vocabulary(
            self.policy, line, tuple(re.compile(p) for p in authors), tuple(re.compile(p) for p in messages)
        )

    def _tip_author(self, commit: CommitFact) -> tuple[str, str] | None:
        if len(commit.parents) < 2:
            return None
        try:
            author = self.reader.commit(commit.parents[1]).author
        except MISSING:
            return None
        return author.name, author.email

    def _landings(self, line: _Line, tips: dict[str, list[str]]) -> tuple[LandingFact, ...]:
        """Classify every first-parent step of the line (``collect.landings``)."""
        chain = self._integration_chain
        steps = [
            Step(
                commit,
                on_integration=commit.id in chain,
                second_on_integration=len(commit.parents) > 1 and commit.parents[1] in chain,
                tip_author=self._tip_author(commit),
                branch_tips=tuple(sorted(set(tips.get(commit.id, ())))),
            )
            for commit in line.first_parent
        ]
        names = (self.policy.integration,) if self.policy.integration else ()
        return classify_line(
            steps,
            self._vocabulary(line.name),
            complete=not line.truncated,
            integration_tips=names,
            integration_known=bool(chain),
        )

    def _merge_is_hotfix(self, commit: pygit2.Commit, line: _Line, on_first_parent: bool) -> bool:
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
            return not (self.policy.is_allowed_feeder(source) or self.policy.is_production_name(source))
        if source is None or not self.policy.is_hotfix_name(source):
            return False
        return (
            parsed.target is None
            or parsed.target == line.name
            or self.policy.is_production_target(parsed.target)  # today's name or a former one
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

    def _introduced_by(self, line: _Line, commit: str) -> str | None:
        """The oldest commit of the line's first-parent chain that contains ``commit`` (off the
        chain): the step that brought it. Containment only grows towards the tip, so a binary
        search over the chain asks git a few ancestry questions, not one per step."""
        chain = line.first_parent
        if self.index is not None and commit in self.index.graph:
            step = self.index.introduced_by(str(line.tip.id), commit)
            if step is None or not chain:
                return None
            via = self.index.graph.ids[self.index.line(str(line.tip.id)).chain[step]]
            return via if via in line.index else chain[-1].id  # before `since`: the oldest step kept
        target = pygit2.Oid(hex=commit)

        def contains(index: int) -> bool:
            here = pygit2.Oid(hex=chain[index].id)
            try:
                return here == target or bool(self.repo.descendant_of(here, target))
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
            earlier = self.reader.commit(landed[base])
            try:
                _, base, _ = self._own_commits(earlier.parent_ids[1], earlier.parent_ids[0], landed[base])
            except MISSING:
                return None
        return base

    def _own_commits(
        self, tip: pygit2.Oid, mainline: pygit2.Oid, merge: str | None = None
    ) -> tuple[list[CommitFact], str | None, list[str]]:
        """:meth:`GitReader.own_commits`, answered from the index when it has both commits."""
        found = self.index.own(str(tip), str(mainline), merge) if self.index is not None else None
        if found is None:
            return self.reader.own_commits(tip, mainline)
        own = [self.reader.fact(c) for c in found]
        base, extra = bases(own, str(tip))
        return own, base, extra

    def _hotfix_from_merge(
        self,
        line: _Line,
        merge: pygit2.Commit,
        on_first_parent: bool,
        landed: dict[str, str] | None = None,
        evidence: str = "",
    ) -> HotfixFact:
        merge_fact = to_commit_fact(merge)
        mainline_id, tip_id = merge.parent_ids[0], merge.parent_ids[1]
        source = parse_merge_message(merge.message).source
        try:
            own, base, extra = self._own_commits(tip_id, mainline_id, str(merge.id))
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
            retired_ts = int(dt.datetime(retired.year, retired.month, retired.day, tzinfo=dt.timezone.utc).timestamp())
        return IntegrationFact(name, str(tip.id), tip.commit_time, retired_ts), None

    def _with_integration(
        self, lines: list[ProductionLineFact], walked: list[_Line], integration: IntegrationFact | None
    ) -> list[ProductionLineFact]:
        """Each hotfix dated against the deployed ref of its time, with what it carried from
        integration and its back-merges: integration's history is read in one pass for all."""
        landings = [h for line in lines for h in line.hotfixes if h.merge is not None]
        if not landings:
            return lines
        reach: ReachIndex | None = None
        finder: BackMergeFinder | None = None
        if integration is not None:
            cutoff = min(min((c.commit_time for c in h.own_commits), default=h.merged_at or 0) for h in landings)
            if self.index is not None and integration.tip in self.index.graph:
                reach = FirstParentReach(self.index.graph, integration.tip, cutoff)
            else:
                reach = IntegrationReach(self.repo, integration.tip, cutoff)
            finder = BackMergeFinder(self.repo, reach, self._grace())
        out: list[ProductionLineFact] = []
        for fact, line in zip(lines, walked, strict=True):
            hotfixes = [self._dated(line, h, reach) for h in fact.hotfixes]
            if finder is not None:
                hotfixes = [finder.find(h) for h in hotfixes]
            out.append(replace(fact, hotfixes=tuple(hotfixes)))
        return out

    @cached_property
    def _branches_by_subject(self) -> dict[str, list[tuple[str, str]]]:
        """(name, tip) of branches other than production and integration, by their tip's subject:
        a squash or rebase keeps its branch's subject. Read once per run, when first needed."""
        found: dict[str, list[tuple[str, str]]] = {}
        for branch in self.reader.branches:
            if branch.name == self.policy.integration or self.policy.is_production_name(branch.name):
                continue
            try:
                subject = _plain_subject(self.reader.commit(branch.tip).message)
            except MISSING:
                continue
            found.setdefault(subject, []).append((branch.name, branch.tip))
        return found

    def _named_by_branch(self, line: _Line, landings: list[LandingFact]) -> list[LandingFact]:
        """A squash or rebase whose subject names no branch: the one branch still there, off the
        line, whose tip has its subject (without GitHub's ``(#123)``), else whose change has its
        patch id (branches that moved within ``_EVIDENCE_DAYS`` before it only), is where it
        came from. A branch whose tip is on the line (a merge queue's, a fast-forwarded one) is not."""
        out: list[LandingFact] = []
        for landing in landings:
            if landing.source is None and landing.hotfix and landing.kind in (SQUASH, REBASE):
                candidates = self._branches_by_subject.get(_plain_subject(landing.commit.message), [])
                names = {name for name, tip in candidates if tip not in line.index}
                how = "has its subject"
                if not names:
                    names = self._branches_by_patch(line, landing)
                    how = "has its patch"
                if len(names) == 1:
                    (name,) = names
                    landing = replace(landing, source=name, evidence=f"{landing.evidence}; branch '{name}' {how}")
            out.append(landing)
        return out

    def _branches_by_patch(self, line: _Line, landing: LandingFact) -> set[str]:
        """Branches that moved shortly before ``landing`` whose own change is the landing's."""
        if landing.base is None:
            return set()
        window = (landing.landed_at - _EVIDENCE_DAYS * 86400, landing.landed_at)
        candidates = [
            b
            for b in self.reader.branches
            if window[0] <= b.tip_time <= window[1]
            and b.tip not in line.index
            and b.name != self.policy.integration
            and not self.policy.is_production_name(b.name)
        ]
        if not candidates:
            return set()
        wanted = self._patch_id(landing.base, landing.commit.id)
        names: set[str] = set()
        for branch in candidates:
            try:
                cut = self.repo.merge_base(pygit2.Oid(hex=branch.tip), pygit2.Oid(hex=landing.base))
            except MISSING:
                continue
            if cut is not None and wanted is not None and self._patch_id(str(cut), branch.tip) == wanted:
                names.add(branch.name)
        return names

    def _landings_back_merged(
        self, line: _Line, landings: list[LandingFact], integration: IntegrationFact
    ) -> list[LandingFact]:
        """Whether integration has each hotfix that landed without a merge (squash, rebase,
        fast-forward, push): by ancestry, else by patch id or subject of an integration-only
        commit. One walk of integration's own commits back to shortly before the oldest such
        landing; a merge there of the commit found names the branch the landing came from."""
        judged = [x for x in landings if x.hotfix and x.on_first_parent and len(x.commit.parents) == 1]
        if not judged:
            return landings
        i_tip = pygit2.Oid(hex=integration.tip)
        missing = {str(c.id) for c in self.reader.walk([line.tip.id], [i_tip])}
        cutoff = min(x.commits[-1].author_time for x in judged) - _EVIDENCE_DAYS * 86400
        by_patch: dict[str, str] = {}
        by_subject: dict[str, str] = {}
        merged_as: dict[str, str] = {}  # a branch tip merged into integration -> the branch's name
        if any(x.commit.id in missing for x in judged):
            for commit in self.reader.walk([i_tip], [line.tip.id], sort=SortMode.TIME):
                if commit.commit_time < cutoff:
                    break
                if len(commit.parent_ids) == 2:
                    source = parse_merge_message(commit.message).source
                    if source is not None:
                        merged_as.setdefault(str(commit.parent_ids[1]), source)
                    continue
                if len(commit.parent_ids) != 1:
                    continue
                by_subject.setdefault(_plain_subject(commit.message), str(commit.id))
                try:
                    by_patch.setdefault(str(self.repo.diff(commit.parents[0], commit).patchid), str(commit.id))
                except MISSING:
                    continue
        judged_ids = {x.commit.id for x in judged}
        out: list[LandingFact] = []
        for landing in landings:
            if landing.commit.id not in judged_ids:
                out.append(landing)
                continue
            if landing.commit.id not in missing:
                out.append(replace(landing, back_merged=True, back_merge_evidence=f"an ancestor of {integration.name}"))
                continue
            patch = self._patch_id(landing.base, landing.commit.id) if landing.base else None
            found = by_patch.get(patch or "") or by_subject.get(_plain_subject(landing.commit.message))
            how = f"the same change as {found[:10]} on {integration.name}" if found else f"not in {integration.name}"
            source = landing.source
            evidence = landing.evidence
            if source is None and found is not None and found in merged_as:
                source = merged_as[found]
                evidence += f"; branch '{source}', as its merge into {integration.name} names it"
            out.append(
                replace(
                    landing, back_merged=found is not None, back_merge_evidence=how, source=source, evidence=evidence
                )
            )
        return out

    def _patch_id(self, old: str, new: str) -> str | None:
        try:
            return str(self.repo.diff(self.reader.commit(old), self.reader.commit(new)).patchid)
        except MISSING:
            return None

    def _dated(self, line: _Line, hotfix: HotfixFact, reach: ReachIndex | None) -> HotfixFact:
        """The deployed ref when the hotfix's work started (its first commit that integration did
        not already have), and the commits it carried from integration."""
        if hotfix.merge is None or hotfix.original_base is None or not hotfix.own_commits:
            return hotfix
        carried = _carried(hotfix, reach) if reach is not None else ()
        skip = {c.id for c in carried}
        first = first_own([c for c in hotfix.own_commits if c.id not in skip], hotfix.tip)
        if line.deployed is None:
            return hotfix
        then = line.deployed.when_started(hotfix.mainline, hotfix.original_base, first)
        return replace(
            hotfix,
            base_on_line=then.base_on_line,
            base_distance=then.distance,
            deployed_ref=then.deployed,
            deployed_ref_label=then.label,
            work_started=then.started,
            moved_during_review=then.moved,
            carried=carried if hotfix.original_base != then.deployed else (),
        )

    def _grace(self) -> int:
        """back-merge's ``grace_days``: how far after a landing a squash or pick is looked for."""
        setting = self.policy.rules.get("back-merge")
        options = dict(setting.options) if setting is not None else {}
        return int(options.get("grace_days", DEFAULT_GRACE_DAYS)) * 86400

    def _read_index(self, tips: list[pygit2.Oid], integration: IntegrationFact | None) -> None:
        """Read the commit graph of the lines and integration once (not in a shallow clone,
        whose boundary the walks check commit by commit)."""
        if self.reader.boundary:
            return
        if integration is not None:
            tips = [*tips, pygit2.Oid(hex=integration.tip)]
        report = self.progress.read if self.progress is not None else None
        try:
            graph = CommitGraph(self.repo, tips, self._since_hide(), report)
        except MISSING:
            return  # a partial clone: the walks say what is missing
        self.index = HistoryIndex(graph)
        self.reader.index = self.index

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
        heads = [
            (name, ref, self.reader.revision(push[1]) if push is not None else ref_tip(self.repo, ref))
            for name, ref in refs
        ]
        self._read_index([tip.id for _, _, tip in heads], integration)
        lines: list[ProductionLineFact] = []
        walked: list[_Line] = []
        for name, ref, head in heads:
            line = _Line(name, ref, head)
            self._first_parent_chain(line)
            tips: dict[str, list[str]] = {}
            for branch in self.reader.branches:
                if branch.name != name:
                    tips.setdefault(branch.tip, []).append(branch.name)
            landings = list(self._landings(line, tips))
            evidence = {x.commit.id: x.evidence for x in landings if x.kind == HOTFIX and len(x.commit.parents) > 1}
            hotfixes: list[HotfixFact] = []
            seen_tips: set[str] = set()
            off_chain: list[_Merge] = []
            merges = self._merges(line)
            # an earlier landing of the same hotfix branch (not a release of the integration branch,
            # whose tip a hotfix cut from it would otherwise take as an already deployed base)
            landed = {m.parents[1]: m.id for m in merges if m.id in evidence}
            added: set[str] | None = None
            if push is not None and push[2] is not None:
                added = {str(c.id) for c in self.reader.walk([line.tip.id], [self.reader.revision(push[2]).id])}
                merges = [m for m in merges if m.id in added]
                landings = [x for x in landings if x.commit.id in added]
            judged = [m for m in merges if m.id in line.index and m.id in evidence and len(m.parents) == 2]
            if self.progress is not None:
                self.progress.judging(len(judged))
            for merge in merges:
                if merge.id not in line.index:
                    off_chain.append(merge)
                    continue
                if merge.id in evidence and len(merge.parents) == 2:
                    hotfixes.append(self._hotfix_from_merge(line, merge.commit, True, landed, evidence[merge.id]))
                    seen_tips.add(merge.parents[1])
                    if self.progress is not None:
                        self.progress.judged()
            kinds = {c.id: x.kind for x in landings for c in x.commits}
            for merge in off_chain:
                if merge.parents[1] in seen_tips or len(merge.parents) != 2 or merge.id in self._integration_chain:
                    continue  # on integration's first-parent history, a merge came with a release
                if not self._merge_is_hotfix(merge.commit, line, False):
                    continue
                if kinds.get(self._introduced_by(line, merge.id) or "") == RELEASE:
                    continue  # merged into a release branch, it reached the line inside that release
                merge_commit = merge.commit
                because = f"merged into {line.name} off its first-parent history (then fast-forwarded)"
                hotfix = self._hotfix_from_merge(line, merge_commit, False, evidence=because)
                hotfixes.append(hotfix)
                landings.append(
                    LandingFact(
                        HOTFIX, name, (to_commit_fact(merge_commit),), because, source=hotfix.source,
                        pull_request=parse_merge_message(merge_commit.message).pull_request, hotfix=True,
                        on_first_parent=False, base=hotfix.original_base,
                    )
                )  # fmt: skip
                seen_tips.add(merge.parents[1])
            hotfixes.sort(key=lambda h: h.merge.commit_time if h.merge else 0, reverse=True)
            if self.policy.until is not None:  # after the process's era: listed by --all only, judged by none
                hotfixes = [h for h in hotfixes if h.merge is None or self.policy.in_era(h.merge.commit_time)]
                landings = [part for x in landings for part in _by_era(x, self.policy.in_era)]
            walked.append(line)
            landings.sort(key=lambda x: x.landed_at, reverse=True)
            landings = self._named_by_branch(line, landings)
            if integration is not None:
                landings = self._landings_back_merged(line, landings, integration)
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
                )
            )
        lines = self._with_integration(lines, walked, integration)
        return HistoryFacts(
            production=tuple(lines),
            integration=integration,
            integration_missing=integration_missing,
            branches=tuple(self.reader.branches),
            tags=tuple(self.reader.tags),
            missing_production=tuple(missing_lines),
        )
