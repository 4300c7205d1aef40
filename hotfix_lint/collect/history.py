"""Collect hotfix facts from git history with pygit2: production lines, hotfixes, back-merges.

Designed for large histories: each production line is walked once for its first-parent
chain and once for its merges; what a merge brought in comes from one ``Walker`` that
pushes the second parent and hides the first (no ``merge_base`` or ``descendant_of`` per
hotfix); whether the integration branch has a hotfix is one walk of ``P ^I`` plus set
look-ups. pygit2 does not read git's commit-graph file, so nothing here counts on it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property

import pygit2
from pygit2.enums import SortMode

from hotfix_lint.collect.repository import (
    MISSING,
    list_branches,
    list_tags,
    read_file,
    ref_tip,
    resolve_branch,
    shallow_boundary,
    to_commit_fact,
)
from hotfix_lint.errors import RepositoryError
from hotfix_lint.facts import (
    BranchFact,
    CommitFact,
    FileSnapshot,
    HistoryFacts,
    HotfixFact,
    IntegrationFact,
    ProductionLineFact,
    TagFact,
)
from hotfix_lint.facts.merge_message import parse_merge_message
from hotfix_lint.facts.release import RELEASE_REACH
from hotfix_lint.facts.versions import find_tickets, version_key
from hotfix_lint.policy.model import Policy

_HEX = re.compile(r"\b[0-9a-f]{40}\b")
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")


@dataclass
class _Line:
    """Working state for one production line while its hotfixes are collected."""

    name: str
    ref: str
    tip: pygit2.Commit
    first_parent: list[CommitFact] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    truncated: bool = False
    #: best release tag (by version) strictly older than each first-parent index
    tag_before: list[TagFact | None] = field(default_factory=list)


def _missing_id(exc: BaseException, fallback: str) -> str:
    found = _HEX.search(str(exc))
    return found.group(0) if found else fallback


class HistoryCollector:
    """Reads one repository for one policy; every method only reads."""

    def __init__(self, repo: pygit2.Repository, policy: Policy, since: str | None = None) -> None:
        self.repo = repo
        self.policy = policy
        self.since = since if since is not None else policy.since
        self.ticket_re = re.compile(policy.ticket_pattern) if policy.ticket_pattern else None
        self._since_commit: pygit2.Oid | None = None
        self._since_time: int | None = None
        self._boundary = shallow_boundary(repo) if repo.is_shallow else frozenset()
        self._snapshots: dict[tuple[str, str], FileSnapshot] = {}
        self._timeline: list[tuple[int, str]] | None = None
        self._timeline_walk: Iterator[pygit2.Commit] = iter(())
        self._resolve_since()

    # Branches and tags are read on first use: a git hook that checks one branch against a
    # literal production branch never lists them (a repository may have thousands of tags).

    @cached_property
    def branches(self) -> list[BranchFact]:
        return list_branches(self.repo)

    @cached_property
    def tags(self) -> list[TagFact]:
        return list_tags(self.repo)

    @cached_property
    def release_tags(self) -> dict[str, list[TagFact]]:
        return self._release_tags()

    @cached_property
    def tags_by_version(self) -> dict[str, TagFact]:
        """Release tags by the version they name (the first tag of a version wins)."""
        found: dict[str, TagFact] = {}
        for tags in self.release_tags.values():
            for tag in tags:
                version = self.tag_version(tag)
                if version is not None:
                    found.setdefault(version, tag)
        return found

    # -- setup -------------------------------------------------------------------------

    def _resolve_since(self) -> None:
        if not self.since:
            return
        try:
            day = dt.date.fromisoformat(self.since)
        except ValueError:
            day = None
        if day is not None:
            self._since_time = int(
                dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()
            )
            return
        try:
            self._since_commit = self.repo.revparse_single(self.since).peel(pygit2.Commit).id
        except MISSING as exc:
            if self._boundary:
                raise self.shallow_error(
                    f"the revision {self.since!r} named by `since` is not in it", need="to know where history starts"
                ) from exc
            raise RepositoryError(
                f"since: {self.since!r} is neither a date (YYYY-MM-DD) nor a revision in this repository"
            ) from exc

    def _release_tags(self) -> dict[str, list[TagFact]]:
        """Tags matching the tag pattern, by the commit they point at."""
        by_commit: dict[str, list[TagFact]] = {}
        pattern = self.policy.tag_name_pattern
        for tag in self.tags:
            if pattern.matches(tag.name):
                by_commit.setdefault(tag.target, []).append(tag)
        return by_commit

    def tag_version(self, tag: TagFact) -> str | None:
        values = self.policy.tag_name_pattern.match(tag.name) or {}
        return values.get("version")

    def production_refs(self) -> tuple[list[tuple[str, str]], list[str]]:
        """(name, ref) of every production line present, and the configured names missing."""
        found: dict[str, str] = {}
        missing: list[str] = []
        for source, pattern in zip(self.policy.production, self.policy.production_patterns, strict=True):
            if "{" not in source and "*" not in source and not source.startswith("^"):
                ref = resolve_branch(self.repo, source)
                if ref is None:
                    missing.append(source)
                else:
                    found.setdefault(source, ref)
                continue
            for branch in self._preferred_branches():
                if pattern.matches(branch.name):
                    found.setdefault(branch.name, branch.ref)
        return sorted(found.items()), missing

    def _preferred_branches(self) -> list[BranchFact]:
        """One entry per branch name: the local branch if there is one, else a remote one."""
        best: dict[str, BranchFact] = {}
        for branch in self.branches:
            if branch.name not in best or (branch.remote is None and best[branch.name].remote is not None):
                best[branch.name] = branch
        return list(best.values())

    def _commit(self, oid: pygit2.Oid | str) -> pygit2.Commit:
        return self.repo[oid].peel(pygit2.Commit)

    def _revision(self, rev: str) -> pygit2.Commit:
        try:
            return self.repo.revparse_single(rev).peel(pygit2.Commit)
        except MISSING as exc:
            raise RepositoryError(f"{rev!r} is not a commit in this repository") from exc

    # -- walks -------------------------------------------------------------------------

    def _walk(
        self,
        push: Iterable[pygit2.Oid],
        hide: Iterable[pygit2.Oid] = (),
        first_parent: bool = False,
        sort: SortMode = SortMode.NONE,
    ) -> Iterator[pygit2.Commit]:
        pushes = list(push)
        if not pushes:
            return iter(())
        walker = self.repo.walk(pushes[0], sort)
        for oid in pushes[1:]:
            walker.push(oid)
        for oid in hide:
            walker.hide(oid)
        if first_parent:
            walker.simplify_first_parent()
        return iter(walker)

    def _since_hide(self) -> list[pygit2.Oid]:
        return [self._since_commit] if self._since_commit is not None else []

    def _check_shallow(self, commit: pygit2.Commit, line: str, fetched: int | None = None) -> None:
        if str(commit.id) in self._boundary:
            raise self.shallow_error(f"the history of {line}", commit, fetched)

    def shallow_error(
        self, what: str, commit: pygit2.Commit | None = None, fetched: int | None = None, need: str | None = None
    ) -> RepositoryError:
        """Why a shallow clone cannot answer, and the fix: the whole history, or how far back
        ``since`` needs it (the depth can only be bounded from below: the rest is not here)."""
        stop = ""
        if commit is not None:
            when = dt.datetime.fromtimestamp(commit.commit_time, dt.timezone.utc).date().isoformat()
            stop = f" stops at {str(commit.id)[:10]} ({when})"
            if fetched:
                stop += f" after {fetched} commit{'s' if fetched != 1 else ''}"
        if need is None:
            need = f"since {self.since}" if self.since else "back to its first commit (the policy sets no `since`)"
        depth = ""
        if fetched:
            reach = f"back to {self.since}" if self.since else "to the first commit"
            depth = f" A fixed `fetch-depth` must reach {reach} on every branch checked: more than {fetched}."
        return RepositoryError(
            f"this is a shallow clone: {what}{stop}, but hotfix-lint needs it {need}; "
            "it does not guess from a truncated history.\n"
            "  fix: fetch the whole history: actions/checkout with `fetch-depth: 0` (with `filter: blob:none` "
            f"a large repository stays small), or `git fetch --unshallow`.{depth}"
            + (" Or set `since:` in the policy to a date inside the history fetched." if commit is not None else "")
        )

    def _first_parent_chain(self, line: _Line) -> None:
        for commit in self._walk([line.tip.id], self._since_hide(), first_parent=True):
            if self._since_time is not None and commit.commit_time < self._since_time:
                line.truncated = True
                break
            self._check_shallow(commit, line.name, len(line.first_parent) + 1)
            fact = to_commit_fact(commit)
            line.index[fact.id] = len(line.first_parent)
            line.first_parent.append(fact)
        if self._since_commit is not None:
            line.truncated = True
        # best release tag strictly older than each index, by version
        best: TagFact | None = None
        tag_before: list[TagFact | None] = [None] * len(line.first_parent)
        for i in range(len(line.first_parent) - 1, -1, -1):
            tag_before[i] = best
            for tag in self.release_tags.get(line.first_parent[i].id, ()):
                if best is None or self._newer(tag, best):
                    best = tag
        line.tag_before = tag_before

    def _newer(self, tag: TagFact, than: TagFact) -> bool:
        a = version_key(self.tag_version(tag) or "")
        b = version_key(self.tag_version(than) or "")
        if a is None:
            return False
        return b is None or a > b

    def _merges(self, line: _Line) -> list[pygit2.Commit]:
        """Every merge reachable from the line since `since`: the one full walk of its history."""
        merges: list[pygit2.Commit] = []
        since_time = self._since_time
        shallow = bool(self._boundary)
        for commit in self._walk([line.tip.id], self._since_hide(), sort=SortMode.NONE):
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

    def _own_commits(
        self, tip: pygit2.Oid, mainline: pygit2.Oid
    ) -> tuple[list[CommitFact], str | None, list[str]]:
        """Commits reachable from ``tip`` and not from ``mainline``; original base; other bases."""
        own = [to_commit_fact(c) for c in self._walk([tip], [mainline], sort=SortMode.TOPOLOGICAL)]
        own_ids = {c.id for c in own}
        cut = next((c.id for c in own if c.id in self._boundary), None) if self._boundary else None
        if cut is not None:  # where the branch was cut from is not in this clone
            raise self.shallow_error(
                f"the branch at {str(tip)[:10]}", self._commit(cut), need="back to where it was cut from the line"
            )
        by_id = {c.id: c for c in own}
        # follow the tip's own first-parent chain to where it leaves the hotfix
        base: str | None = None
        cursor = str(tip)
        while cursor in own_ids:
            parents = by_id[cursor].parents
            if not parents:
                cursor = ""
                break
            cursor = parents[0]
        if cursor and cursor not in own_ids:
            base = cursor
        extra = sorted({p for c in own for p in c.parents if p not in own_ids and p != base})
        return own, base, extra

    def _diff_facts(
        self, old: pygit2.Oid | str | None, new: pygit2.Oid | str, *, changelog_lines: bool = True
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Paths changed between two commits, and the lines the diff adds to the changelog.

        History reads the changelog at the release point instead, so it skips the changelog's
        patch (``changelog_lines=False``): on a long changelog that patch is most of the cost.
        """
        if old is None:
            return (), ()
        return self._facts_of_diff(self.repo.diff(self._commit(old), self._commit(new)), changelog_lines)

    def _staged_diff_facts(
        self, old: pygit2.Oid | str | None, index_file: str | None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Like :meth:`_diff_facts` from ``old`` to the staged tree: the index, or ``index_file``
        (git points ``GIT_INDEX_FILE`` at a temporary index for ``git commit -a`` or ``git commit PATH``)."""
        if old is None:
            return (), ()
        index = pygit2.Index(index_file) if index_file else self.repo.index
        return self._facts_of_diff(self._commit(old).tree.diff_to_index(index))

    def _facts_of_diff(
        self, diff: pygit2.Diff, changelog_lines: bool = True
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        paths: list[str] = []
        changelog_index: int | None = None
        for i, delta in enumerate(diff.deltas):
            path = delta.new_file.path or delta.old_file.path
            paths.append(path)
            if path == self.policy.changelog:
                changelog_index = i
        added: list[str] = []
        if changelog_index is not None and changelog_lines:
            patch = diff[changelog_index]
            if patch is not None:
                for hunk in patch.hunks:
                    added.extend(line.content.rstrip("\n") for line in hunk.lines if line.origin == "+")
        return tuple(paths), tuple(added)

    def _snapshot(self, commit: str | None) -> FileSnapshot | None:
        if commit is None or not self.policy.changelog:
            return None
        key = (commit, self.policy.changelog)
        if key not in self._snapshots:
            self._snapshots[key] = read_file(self.repo, commit, self.policy.changelog)
        return self._snapshots[key]

    def _version_from_name(self, name: str | None) -> str | None:
        if name is None:
            return None
        for pattern in self.policy.hotfix_patterns:
            values = pattern.match(name)
            if values and "version" in values:
                return values["version"]
        return None

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
            found = self.release_tags.get(commit_id)
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
            own, base, extra = self._own_commits(tip_id, mainline_id)
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
        version = self._version_from_name(source)
        window = self._release_window(line, merge_fact.id)
        tag = self._release_tag(merge_fact.id, window, version)
        if version is None and tag is not None:
            version = self.tag_version(tag)
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
            paths, added = self._diff_facts(mainline_id, merge.id, changelog_lines=False)
        except MISSING as exc:
            paths, added = (), ()
            missing.append(_missing_id(exc, str(merge.id)))
        changelog = self._snapshot(release_point)
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
            base_on_line=base_index is not None,
            base_distance=distance,
            deployed_ref=deployed,
            deployed_ref_label=deployed_label,
            version=version,
            tickets=find_tickets(self.ticket_re, source or "", merge_fact.message, *(c.message for c in own)),
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
            self._timeline_walk = self._walk([pygit2.Oid(hex=integration.tip)], first_parent=True)
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

    def _carried(self, hotfix: HotfixFact, integration_then: str | None) -> tuple[CommitFact, ...]:
        """The hotfix's commits that the integration branch already had: it was cut from there."""
        if integration_then is None or not hotfix.own_commits:
            return ()
        had = {
            str(c.id)
            for c in self._walk([pygit2.Oid(hex=integration_then)], [pygit2.Oid(hex=hotfix.mainline)])
        }
        return tuple(c for c in hotfix.own_commits if c.id in had)

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
            out.append(replace(hotfix, carried=self._carried(hotfix, then)))
        return out

    def _with_back_merge(
        self, line: _Line, hotfixes: list[HotfixFact], integration: IntegrationFact
    ) -> list[HotfixFact]:
        """Mark each hotfix back-merged or not; look for cherry-picks and squashes of the misses."""
        i_tip = pygit2.Oid(hex=integration.tip)
        not_in_integration = {str(c.id) for c in self._walk([line.tip.id], [i_tip])}
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
        for commit in self._walk([i_tip], [line.tip.id], sort=SortMode.TIME):
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
            return str(self.repo.diff(self._commit(old), self._commit(new)).patchid)
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

    # -- entry points ------------------------------------------------------------------

    def history(self, push: tuple[str, str, str | None] | None = None) -> HistoryFacts:
        """Production history.

        ``push`` is (line, new tip, old tip or None), what a push would do to one production
        line (the pre-push hook): only that line is read, as if at the new tip, and only what
        the push adds (first-parent commits and merges the old tip lacks) is reported.
        """
        refs, missing_lines = self.production_refs()
        if push is not None:
            refs = [(push[0], dict(refs).get(push[0], f"refs/heads/{push[0]}"))]
            missing_lines = []
        integration, integration_missing = self._integration()
        lines: list[ProductionLineFact] = []
        for name, ref in refs:
            line = _Line(name, ref, self._revision(push[1]) if push is not None else ref_tip(self.repo, ref))
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
                added = {str(c.id) for c in self._walk([line.tip.id], [self._revision(push[2]).id])}
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
            for branch in self.branches:
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
            branches=tuple(self.branches),
            tags=tuple(self.tags),
            missing_production=tuple(missing_lines),
        )

    def branch(
        self,
        name: str,
        *,
        at: str | None = None,
        staged: bool = False,
        index_file: str | None = None,
        line: str | None = None,
        line_at: str | None = None,
    ) -> HotfixFact:
        """The branch under check, judged as if it were merged into its production line now.

        ``at`` judges that commit under the name ``name`` (what a push would make of the branch);
        ``staged`` counts the staged changes as the branch's own (the pre-commit hook).
        ``line`` judges it against that line only (a pull request's base; ``line_at``: its
        commit when the clone has no such branch) instead of the nearest production line.
        """
        if at is not None:
            try:
                tip = self._revision(at)
            except RepositoryError:
                if self._boundary:
                    what = f"the commit {at[:10]} of {name} is not in it"
                    raise self.shallow_error(what, need="to judge the branch") from None
                raise RepositoryError(
                    f"the commit {at[:10]} of {name} is not in this clone: fetch it (a pull request's head: "
                    "`git fetch origin refs/pull/NUMBER/head`; pull_request_target checks out the base only)"
                ) from None
        else:
            ref = resolve_branch(self.repo, name)
            if ref is None:
                raise RepositoryError(f"branch {name!r} not found (neither local nor remote-tracking)")
            tip = ref_tip(self.repo, ref)
        tips = self._line_tips(line, line_at)
        best: tuple[int, str, pygit2.Commit, list[CommitFact], str | None, list[str]] | None = None
        for line_name, line_tip in tips:
            if line_name == name:
                continue
            own, base, extra = self._own_commits(tip.id, line_tip.id)
            if best is None or len(own) < best[0]:
                best = (len(own), line_name, line_tip, own, base, extra)
        if best is None:
            raise RepositoryError(f"{name} is itself a production branch; name a hotfix branch with --branch")
        _, line_name, line_tip, own, base, extra = best
        distance: int | None = None
        deployed: str | None = str(line_tip.id)
        deployed_label = f"{line_name}'s tip"
        best_tag: TagFact | None = None
        base_time = self._commit(base).commit_time if base else 0
        for i, commit in enumerate(self._walk([line_tip.id], first_parent=True)):
            landed_base = (
                len(commit.parent_ids) > 1
                and str(commit.parent_ids[1]) == base
                and not self.policy.is_allowed_feeder(parse_merge_message(commit.message).source or "")
            )
            if base is not None and distance is None and (str(commit.id) == base or landed_base):
                distance = i
                base = str(commit.id)  # the branch landed before: its base is that merge
            if self.policy.deployed_ref == "tag" and best_tag is None:
                tags = self.release_tags.get(str(commit.id))
                if tags:
                    best_tag = max(tags, key=lambda t: version_key(self.tag_version(t) or "") or (0, 0, 0, 0))
            if (distance is not None or commit.commit_time < base_time) and (
                best_tag is not None or self.policy.deployed_ref != "tag"
            ):
                break
            if str(commit.id) in self._boundary:
                raise self.shallow_error(
                    f"the history of {line_name}", commit, i + 1, need=f"back to where {name} was cut from it"
                )
        if self.policy.deployed_ref == "tag":
            deployed = best_tag.target if best_tag else None
            deployed_label = f"release tag {best_tag.name}" if best_tag else "no release tag on the line"
        elif self.policy.deployed_ref not in ("branch",):
            deployed = None
            deployed_label = (
                f"deployed_ref strategy {self.policy.deployed_ref!r} is not available from git history"
            )
        integration, _ = self._integration()
        fork = self.repo.merge_base(tip.id, line_tip.id)
        if staged:
            paths, added = self._staged_diff_facts(fork, index_file)
        else:
            paths, added = self._diff_facts(fork, tip.id)
        version = self._version_from_name(name)
        hotfix = HotfixFact(
            source=name,
            line=line_name,
            tip=str(tip.id),
            mainline=str(line_tip.id),
            own_commits=tuple(own),
            original_base=base,
            merge=None,
            extra_bases=tuple(extra),
            base_on_line=distance is not None,
            base_distance=distance,
            deployed_ref=deployed,
            deployed_ref_label=deployed_label,
            version=version,
            tickets=find_tickets(self.ticket_re, name, *(c.message for c in own)),
            release_point=str(tip.id),
            changelog=self._snapshot(str(tip.id)),
            changed_paths=paths,
            changelog_added_lines=added,
        )
        if integration is not None and name != integration.name and base != deployed:
            hotfix = replace(hotfix, carried=self._carried(hotfix, integration.tip))
        return hotfix


    def _line_tips(self, line: str | None, line_at: str | None) -> list[tuple[str, pygit2.Commit]]:
        """(name, tip) of the lines a branch may be judged against: ``line`` alone when given."""
        if line is not None:
            ref = resolve_branch(self.repo, line)
            if ref is not None:
                return [(line, ref_tip(self.repo, ref))]
            if line_at is not None:
                try:
                    return [(line, self._revision(line_at))]
                except RepositoryError:
                    if not self._boundary:
                        raise
            if self._boundary:
                raise self.shallow_error(f"the branch {line} is not in it", need="to judge against it")
            raise RepositoryError(f"base branch {line!r} not found (neither local nor remote-tracking): fetch it")
        refs, missing = self.production_refs()
        if not refs:
            raise RepositoryError(f"production branch {', '.join(missing) or '?'} not found in this repository")
        return [(name, ref_tip(self.repo, ref)) for name, ref in refs]


@dataclass
class _Evidence:
    """What the integration branch has on its own: to recognise cherry-picks and squashes."""

    commits: list[CommitFact] = field(default_factory=list)
    patch_ids: dict[str, CommitFact] = field(default_factory=dict)
    picked_from: set[str] = field(default_factory=set)
