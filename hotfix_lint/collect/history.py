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

from hotfix_lint.collect.landings import Step, Vocabulary, classify_line
from hotfix_lint.collect.reader import GitReader
from hotfix_lint.collect.repository import MISSING, ref_tip, resolve_branch, to_commit_fact
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.history import HistoryFacts, IntegrationFact, ProductionLineFact
from hotfix_lint.facts.landing import DEFAULT_AUTOMATION_AUTHORS, HOTFIX, REBASE, SQUASH, LandingFact
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.refs import TagFact
from hotfix_lint.facts.release import RELEASE_REACH
from hotfix_lint.facts.versions import find_tickets, version_key

_HEX = re.compile(r"\b[0-9a-f]{40}\b")
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")
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

    @cached_property
    def _integration_chain(self) -> frozenset[str]:
        """The integration branch's first-parent history: one walk, read when a line is classified."""
        name = self.policy.integration
        ref = resolve_branch(self.repo, name) if name else None
        if ref is None:
            return frozenset()
        tip = ref_tip(self.repo, ref)
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
        """The merge and the first-parent commits after it up to the next merge (at most
        ``RELEASE_REACH``), oldest first: automation that tags, bumps or writes the changelog
        right after the merge belongs to the hotfix's release. Empty off the first-parent chain."""
        start = line.index.get(merge_id)
        if start is None:
            return ()
        window = [merge_id]
        for i in range(start - 1, max(-1, start - RELEASE_REACH - 1), -1):
            commit = line.first_parent[i]
            if len(commit.parents) >= 2:
                break  # the next merge belongs to the next change
            window.append(commit.id)
        return tuple(window)

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

    def _cut_from(self, base: str | None, landed: dict[str, str] | None) -> str | None:
        """Where a branch was first cut: through its earlier landings (rare: one walk each)."""
        seen: set[str] = set()
        while base is not None and landed and base in landed and base not in seen:
            seen.add(base)
            earlier = self.reader.commit(landed[base])
            try:
                _, base, _ = self.reader.own_commits(earlier.parent_ids[1], earlier.parent_ids[0])
            except MISSING:
                return None
        return base

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
                evidence=evidence,
                missing_objects=(_missing_id(exc, str(tip_id)),),
            )
        cut_from = self._cut_from(base, landed)  # where the branch was really cut: the table's base
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
        if tag is None:
            release_point = str(line.tip.id)
        elif not window or tag.target in window:
            release_point = tag.target
        else:
            # a tag outside the release window (on the branch before the merge, after the next
            # merge) does not say where it was released: release-tag reports it, and the
            # changelog is judged where the release really was, the window's end
            release_point = window[-1]
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
            evidence=evidence,
            own_commits=tuple(own),
            original_base=base,
            cut_from=cut_from,
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
            tips: dict[str, list[str]] = {}
            for branch in self.reader.branches:
                if branch.name != name:
                    tips.setdefault(branch.tip, []).append(branch.name)
            landings = list(self._landings(line, tips))
            evidence = {x.commit.id: x.evidence for x in landings if x.kind == HOTFIX and len(x.commit.parents) > 1}
            hotfixes: list[HotfixFact] = []
            seen_tips: set[str] = set()
            off_chain: list[pygit2.Commit] = []
            merges = self._merges(line)
            # an earlier landing of the same hotfix branch (not a release of the integration branch,
            # whose tip a hotfix cut from it would otherwise take as an already deployed base)
            landed = {str(m.parent_ids[1]): str(m.id) for m in merges if str(m.id) in evidence}
            added: set[str] | None = None
            if push is not None and push[2] is not None:
                added = {str(c.id) for c in self.reader.walk([line.tip.id], [self.reader.revision(push[2]).id])}
                merges = [m for m in merges if str(m.id) in added]
                landings = [x for x in landings if x.commit.id in added]
            for merge in merges:
                merge_id = str(merge.id)
                if merge_id not in line.index:
                    off_chain.append(merge)
                    continue
                if merge_id in evidence and len(merge.parent_ids) == 2:
                    hotfixes.append(self._hotfix_from_merge(line, merge, True, landed, evidence[merge_id]))
                    seen_tips.add(str(merge.parent_ids[1]))
            for merge in off_chain:
                if str(merge.parent_ids[1]) in seen_tips or not self._merge_is_hotfix(merge, line, False):
                    continue
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
            landings.sort(key=lambda x: x.landed_at, reverse=True)
            landings = self._named_by_branch(line, landings)
            if integration is not None:
                hotfixes = self._with_back_merge(line, hotfixes, integration)
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
        return HistoryFacts(
            production=tuple(lines),
            integration=integration,
            integration_missing=integration_missing,
            branches=tuple(self.reader.branches),
            tags=tuple(self.reader.tags),
            missing_production=tuple(missing_lines),
        )
