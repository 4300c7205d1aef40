"""Collect production history with pygit2: production lines, hotfixes, back-merges.

Designed for large histories: each production line is walked once for its first-parent
chain and once for its merges; what a merge brought in comes from one ``Walker`` that
pushes the second parent and hides the first (no ``merge_base`` per hotfix; one
``descendant_of`` only for a base a fast-forward left off the chain); since when the
integration branch has each hotfix is one pass over its history (``collect.git.reach``), and each
hotfix's deployed ref is dated from when its work started (``collect.git.deployed_then``).
pygit2 does not read git's commit-graph file, so nothing here counts on it.
The reads it shares with the branch check are :class:`~hotfix_lint.collect.git.reader.GitReader`'s;
a git hook judging one branch never imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.git.back_merge import BackMergeFinder
from hotfix_lint.collect.git.commit_graph import NONE, CommitGraph
from hotfix_lint.collect.git.deployed_then import DeployedRefs, first_own
from hotfix_lint.collect.git.direct_landings import named_source
from hotfix_lint.collect.git.first_parent_reach import FirstParentReach
from hotfix_lint.collect.git.graph_index import HistoryIndex, HistoryProgress
from hotfix_lint.collect.git.landing_inputs import Step, Vocabulary
from hotfix_lint.collect.git.landings import classify_line
from hotfix_lint.collect.git.own_line import OwnLine, own_chain
from hotfix_lint.collect.git.reach import IntegrationReach, ReachIndex
from hotfix_lint.collect.git.reader import GitReader, bases
from hotfix_lint.collect.git.repository import MISSING, ref_tip, resolve_branch, to_commit_fact
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.history import (
    DEFAULT_GRACE_DAYS,
    BackMergeFact,
    HistoryFacts,
    IntegrationFact,
    ProductionLineFact,
)
from hotfix_lint.facts.landing import (
    DEFAULT_AUTOMATION_AUTHORS,
    DIRECT_PUSH,
    FAST_FORWARD,
    HOTFIX,
    REBASE,
    RELEASE,
    SQUASH,
    SYNC,
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
        #: pull merges on the chain (``collect.git.line_chain``), newest first
        self.pulls: list[pygit2.Commit] = []


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


def _unnamed(landing: LandingFact) -> bool:
    """A squash or rebase inside the era whose source nothing named yet: no hotfix until one does."""
    return landing.source is None and landing.kind in (SQUASH, REBASE) and not landing.outside_era


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
        self._chains: dict[str | None, frozenset[str]] = {}
        self._own_walks: dict[tuple[str, str], list[pygit2.Commit]] = {}
        self._own_lines: dict[str, OwnLine] = {}

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

    def _own_chain(
        self, tip: pygit2.Oid, own: OwnLine, name: str, hide: list[pygit2.Oid] | None = None
    ) -> Iterator[pygit2.Commit]:
        """Branch ``name``'s own first-parent chain: recovered where it was fast-forwarded onto
        another branch (``collect.git.own_line``), through the server's side of pull merges
        (``collect.git.line_chain``), bounded by ``hide`` (default: ``since``)."""
        bound = self._since_hide() if hide is None else hide
        chains = self.reader.chains
        return own_chain(self.repo, tip, own, lambda start: chains.walk(start, name, bound))

    def _first_parent_chain(self, line: _Line) -> None:
        chains = self.reader.chains
        own = OwnLine(lambda name: self.policy.is_line_name(line.name, name))
        for commit in self._own_chain(line.tip.id, own, line.name):
            if self.reader.since_time is not None and commit.commit_time < self.reader.since_time:
                line.truncated = True
                break
            self._check_shallow(commit, line.name, len(line.first_parent) + 1)
            fact = chains.fact(commit, line.name)
            if chains.is_pull(commit, line.name):
                line.pulls.append(commit)
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

    def _merges(self, line: _Line) -> list[pygit2.Commit]:
        """Every merge reachable from the line since `since`: the one full walk of its history."""
        merges: list[pygit2.Commit] = []
        since_time = self.reader.since_time
        shallow = bool(self.reader.boundary)
        tip = str(line.tip.id)
        if self.index is not None and tip in self.index.graph:  # (not in a shallow clone: no index)
            ids = self.index.graph.ids
            return [self.reader.commit(ids[n]) for n in self.index.merges(tip, since_time)]
        for commit in self.reader.walk([line.tip.id], self._since_hide(), sort=SortMode.NONE):
            if since_time is not None and commit.commit_time < since_time:
                continue  # older than `since`: a shallow boundary there is fine
            if shallow:
                self._check_shallow(commit, line.name)
            if len(commit.parent_ids) > 1:
                merges.append(commit)
        return merges

    # -- classification ----------------------------------------------------------------

    def _integration_chain(self, line: str) -> frozenset[str]:
        """Line ``line``'s integration branch's own first-parent history (``_own_chain``): one
        walk per integration branch, read when a line is classified (empty for a line without one)."""
        name = self.policy.integration_for(line)
        if name not in self._chains:
            ref = resolve_branch(self.repo, name) if name else None
            tip = ref_tip(self.repo, ref) if ref is not None else None
            walked = self._integration_walk(name, tip.id) if tip is not None and name else []
            self._chains[name] = frozenset(str(c.id) for c in walked)
        return self._chains[name]

    def _integration_walk(self, name: str, tip: pygit2.Oid) -> list[pygit2.Commit]:
        """Integration branch ``name``'s own first-parent chain from ``tip``, newest first: walked
        once for classification and the back-merge reach alike."""
        key = (name, str(tip))
        if key not in self._own_walks:
            self._own_walks[key] = list(self._own_chain(tip, self._integration_line(name), name, []))
        return self._own_walks[key]

    @cached_property
    def _production_chains(self) -> frozenset[str]:
        """Every production line's plain first-parent chain: where an integration branch's chain
        may have been fast-forwarded onto production."""
        production: set[str] = set()
        for _, ref in self.reader.production_refs()[0]:
            try:
                tip = ref_tip(self.repo, ref)
            except MISSING:
                continue
            graph = self.index.graph if self.index is not None and self.reader.since_commit is None else None
            if graph is not None and str(tip.id) in graph:
                production.update(graph.ids[n] for n in graph.first_parent_chain(str(tip.id)))
                continue
            try:
                production.update(str(c.id) for c in self.reader.walk([tip.id], first_parent=True))
            except MISSING:
                continue
        return frozenset(production)

    def _integration_line(self, integration: str) -> OwnLine:
        """How to tell integration branch ``integration``'s own first-parent chain from a
        production line's it was fast-forwarded to: a pull request from it on a production
        line's chain was merged there."""
        if integration not in self._own_lines:
            self._own_lines[integration] = OwnLine(lambda name: name == integration, foreign=self._production_chains)
        return self._own_lines[integration]

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

    def _landings(self, line: _Line, tips: dict[str, list[str]]) -> list[LandingFact]:
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
        self, commits: list[CommitFact], line: _Line, tips: dict[str, list[str]], complete: bool
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

    def _pushed_by(self, line: _Line, merge: pygit2.Commit, tips: dict[str, list[str]]) -> list[LandingFact]:
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

    def _named_by_merges(self, line: _Line, merges: list[pygit2.Commit]) -> dict[str, list[str]]:
        """Single-parent commits of the line's chain that a merge elsewhere names as a branch's
        tip (``Merge branch 'hotfix/0.11.1' into develop`` whose second parent is on master's
        chain): the line was fast-forwarded to that branch, deleted since or moved on. Merges of
        a production line or of integration name no branch that landed (a back-merge of main)."""
        found: dict[str, list[str]] = {}
        integration = self._integration(*self.policy.integration_setting(line.name))[0]
        if integration is not None:  # and the merges integration has that the line has not
            try:
                own = self.reader.walk([pygit2.Oid(hex=integration.tip)], [line.tip.id])
                merges = merges + [c for c in own if len(c.parent_ids) == 2]
            except MISSING:
                pass  # a partial clone: the line's own merges still name what they can
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
            return not (self.policy.is_allowed_feeder(source, line.name) or self.policy.is_production_name(source))
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
            tip = str(line.tip.id)
            step = self.index.introduced_by(tip, commit)
            via = self.index.graph.ids[self.index.line(tip).chain[step]] if step is not None else None
            if via is not None and via in line.index:
                return via  # the line's own chain is its plain first-parent chain there
            own = self.index.own_line(tip, [c.id for c in chain])
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

    def _integration(self, name: str | None, retired: dt.date | None) -> tuple[IntegrationFact | None, str | None]:
        """The integration branch as it is now, or the configured name when it is missing."""
        if not name:
            return None, None
        ref = resolve_branch(self.repo, name)
        if ref is None:
            return None, name
        tip = ref_tip(self.repo, ref)
        retired_ts = None
        if retired is not None:
            retired_ts = int(
                dt.datetime(retired.year, retired.month, retired.day, tzinfo=dt.timezone.utc).timestamp()
            )
        return IntegrationFact(name, str(tip.id), tip.commit_time, retired_ts), None

    def _with_integration(
        self, lines: list[ProductionLineFact], walked: list[_Line], integrations: list[IntegrationFact | None]
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
            hotfixes = [finder.find(self._dated(line, h, index)) for h in fact.hotfixes]
            changes = tuple(self._reached(x, index) for x in fact.landings)
            out.append(replace(fact, hotfixes=tuple(hotfixes), landings=changes))
        return out

    @cached_property
    def _branches_by_subject(self) -> dict[str, list[tuple[str, str]]]:
        """(name, tip) of branches other than production and integration, by their tip's subject:
        a squash or rebase keeps its branch's subject. Read once per run, when first needed."""
        found: dict[str, list[tuple[str, str]]] = {}
        for branch in self.reader.branches:
            if self.policy.is_integration_name(branch.name) or self.policy.is_production_name(branch.name):
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
        words = self._vocabulary(line.name)
        for landing in landings:
            if _unnamed(landing):
                candidates = self._branches_by_subject.get(_plain_subject(landing.commit.message), [])
                names = {name for name, tip in candidates if tip not in line.index}
                how = "has its subject"
                if not names:
                    names = self._branches_by_patch(line, landing)
                    how = "has its patch"
                if len(names) == 1:
                    (name,) = names
                    landing = named_source(landing, name, f"branch '{name}' {how}", words)
                    tips = [tip for branch, tip in candidates if branch == name and tip not in line.index]
                    landing = replace(landing, source_tip=tips[0] if tips else None)
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
            and not self.policy.is_integration_name(b.name)
            and not self.policy.is_production_name(b.name)
        ]
        if not candidates:
            return set()
        wanted = self._patch_id(landing.base, landing.commit.id)
        if wanted is None:
            return set()
        names: set[str] = set()
        for branch in candidates:
            cut = self._merge_base(line, branch.tip, landing.base)
            if cut is not None and self._patch_id(cut, branch.tip) == wanted:
                names.add(branch.name)
        return names

    def _merge_base(self, line: _Line, commit: str, base: str) -> str | None:
        """The merge base of a branch's tip and a commit of the line: from the index (a walk from
        the tip to the line's history), else git."""
        found = self.index.merge_base(str(line.tip.id), commit, base) if self.index is not None else None
        if found is not None:
            return found[0] if found else None
        try:
            cut = self.repo.merge_base(pygit2.Oid(hex=commit), pygit2.Oid(hex=base))
        except MISSING:
            return None
        return str(cut) if cut is not None else None

    def _landings_back_merged(
        self, line: _Line, landings: list[LandingFact], integration: IntegrationFact
    ) -> list[LandingFact]:
        """Whether integration has each hotfix that landed without a merge (squash, rebase,
        fast-forward, push): by ancestry, else by patch id or subject of an integration-only
        commit. One walk of integration's own commits back to shortly before the oldest such
        landing; a merge there of the commit found names the branch the landing came from."""
        # hotfixes, and squashes or rebases whose source integration's merge of it may name
        judged = [
            x for x in landings if (x.hotfix or _unnamed(x)) and x.on_first_parent and len(x.commit.parents) == 1
        ]
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
            # an unnamed squash keeps its evidence too: GitHub's pull request may name it a hotfix
            if landing.commit.id not in missing:
                if landing.hotfix or _unnamed(landing):
                    evidence = f"an ancestor of {integration.name}"
                    landing = replace(
                        landing, back_merged=True, back_merge_evidence=evidence, back_merge_commit=landing.commit.id
                    )
                out.append(landing)
                continue
            patch = self._patch_id(landing.base, landing.commit.id) if landing.base else None
            found = by_patch.get(patch or "") or by_subject.get(_plain_subject(landing.commit.message))
            how = f"the same change as {found[:10]} on {integration.name}" if found else f"not in {integration.name}"
            if landing.hotfix or _unnamed(landing):
                landing = replace(
                    landing, back_merged=found is not None, back_merge_evidence=how, back_merge_commit=found
                )
            if landing.source is None and found is not None and found in merged_as:
                name = merged_as[found]
                how_named = f"branch '{name}', as its merge into {integration.name} names it"
                landing = replace(
                    named_source(landing, name, how_named, self._vocabulary(line.name)), source_tip=found
                )
            if not landing.hotfix and landing.source is not None:
                landing = replace(landing, back_merged=None, back_merge_evidence="", back_merge_commit=None)
            out.append(landing)
        return out

    def _landing_bases(self, line: _Line, landings: list[LandingFact]) -> list[LandingFact]:
        """Where each squash, rebase or fast-forward hotfix was cut, when the facts say, against
        the deployed ref when its work started, as for a merge: a fast-forward keeps its base; a
        squash or rebase re-committed its change onto the line's tip, and only its branch, still
        there, shows where the work was cut."""
        out: list[LandingFact] = []
        for landing in landings:
            judged = landing.hotfix and landing.on_first_parent and landing.kind in (SQUASH, REBASE, FAST_FORWARD)
            cut, first = self._landing_cut(line, landing) if judged and landing.base else (None, None)
            if cut is None or landing.base is None:
                out.append(landing)
                continue
            if line.deployed is None:
                line.deployed = DeployedRefs(self.reader, line.name, line.first_parent, line.index, self._newer)
            then = line.deployed.when_started(landing.base, cut, first)
            out.append(
                replace(
                    landing,
                    cut_from=cut,
                    deployed_ref=then.deployed,
                    deployed_ref_label=then.label,
                    base_distance=then.distance,
                    base_on_line=then.base_on_line,
                )
            )
        return out

    def _landing_cut(self, line: _Line, landing: LandingFact) -> tuple[str | None, CommitFact | None]:
        """(where the branch was cut, its first own commit), or (None, None) when unknown."""
        if landing.kind == FAST_FORWARD:
            return landing.base, landing.commits[-1]
        tips = [b.tip for b in self.reader.branches if b.name == landing.source and b.tip not in line.index]
        if landing.source_tip is not None:
            tips = [landing.source_tip]
        if not tips or landing.base is None:
            return None, None
        try:
            own, cut, _ = self.reader.own_commits(pygit2.Oid(hex=tips[0]), pygit2.Oid(hex=landing.base))
        except MISSING:
            return None, None
        return cut, first_own(own, tips[0])

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
        same = self._same_tree(first, then.deployed) if hotfix.original_base != then.deployed else None
        if same is not None:
            return replace(
                hotfix,
                base_on_line=True,
                base_distance=0,
                deployed_ref=then.deployed,
                deployed_ref_label=then.label,
                work_started=then.started,
                cut_at_deployed_tree=same,
            )
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
            summary = self.reader.commit(commit).message.split("\n", 1)[0].strip()
        except MISSING:
            summary = ""
        return replace(landing, back_merge=BackMergeFact(form, found.at, commit, summary))

    def _same_tree(self, first: CommitFact | None, deployed: str | None) -> str | None:
        """The commit the work started on (the parent of its first own commit), when it is not
        ``deployed`` but has its tree: integration just after production was merged back into it."""
        if first is None or not first.parents or deployed is None or first.parents[0] == deployed:
            return None
        try:
            cut = self.reader.commit(first.parents[0])
            same = cut.tree_id == self.reader.commit(deployed).tree_id
        except MISSING:
            return None
        return str(cut.id) if same else None

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
            ids = [graph.index.get(str(c.id), NONE) for c in chain]
            if NONE not in ids:  # (the own chain: the same pass as IntegrationReach's, on the index)
                return FirstParentReach(graph, integration.tip, cutoff, chain=ids)
        return IntegrationReach(self.repo, integration.tip, cutoff, chain)

    def _read_index(self, tips: list[pygit2.Oid], integrations: list[IntegrationFact | None]) -> None:
        """Read the commit graph of the lines and their integration branches once (not in a
        shallow clone, whose boundary the walks check commit by commit)."""
        if self.reader.boundary:
            return
        tips = [*tips, *(pygit2.Oid(hex=i.tip) for i in {i.name: i for i in integrations if i}.values())]
        report = self.progress.read if self.progress is not None else None
        try:
            graph = CommitGraph(self.repo, tips, self._since_hide(), report)
        except MISSING:
            return  # a partial clone: the walks say what is missing
        self.index = HistoryIndex(graph)
        self.reader.index = self.index
        for tip in tips:
            if str(tip) in graph:
                self.index.line(str(tip))  # one pass each: a first-parent merge's own commits arrive with it

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
        default = (self.policy.integration, self.policy.integration_retired_since)
        integration, integration_missing = self._integration(*default)
        heads = [
            (name, ref, self.reader.revision(push[1]) if push is not None else ref_tip(self.repo, ref))
            for name, ref in refs
        ]
        own_integrations = [self._integration(*self.policy.integration_setting(name))[0] for name, _ in refs]
        self._read_index([tip.id for _, _, tip in heads], [integration, *own_integrations])
        lines: list[ProductionLineFact] = []
        walked: list[_Line] = []
        integrations: list[IntegrationFact | None] = []
        for name, ref, head in heads:
            own = self.policy.integration_setting(name) != default
            line_integration, line_missing = (
                self._integration(*self.policy.integration_setting(name)) if own else (integration, integration_missing)
            )
            integrations.append(line_integration)
            line = _Line(name, ref, head)
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
                if str(merge.parent_ids[1]) in seen_tips or not self._merge_is_hotfix(merge, line, False):
                    continue
                if str(merge.id) in self._integration_chain(line.name):
                    continue  # a merge into integration (its first-parent history): it came with a release
                if kinds.get(self._introduced_by(line, str(merge.id)) or "") in (RELEASE, HOTFIX):
                    continue  # merged into a release or hotfix branch, it reached the line inside that one
                because = f"merged into {line.name} off its first-parent history (then fast-forwarded)"
                hotfix = self._hotfix_from_merge(line, merge, False, evidence=because)
                hotfixes.append(hotfix)
                landings.append(
                    LandingFact(
                        HOTFIX, name, (to_commit_fact(merge),), because, source=hotfix.source,
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
