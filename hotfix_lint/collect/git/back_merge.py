"""How and when the integration branch received each hotfix: the facts ``back-merge`` judges.

By ancestry, from :class:`~hotfix_lint.collect.git.reach.ReachIndex` (when the hotfix's tip first
became reachable from integration's first-parent chain, and through what). When that was
late or never, the evidence of a copy: a squash (one commit with the hotfix's whole patch, or
a message naming its branch or commits) or cherry-picks (each commit by patch id, ``-x``
trailer, or the author and author date a pick keeps). Evidence is searched only among the
commits integration received from when the hotfix's work started to its landing plus the
grace period, each commit's patch id computed once, and by patch id only among the commits
of first-parent steps that changed one of the hotfix's paths, and only for a commit of the
same files with as many lines added less removed in each as the hotfix's commit
(:mod:`~hotfix_lint.collect.git.line_balance`: git/git's patch ids 197 -> 126, most of them of
translation files whose diffs take libgit2 20 ms each). A hotfix whose tree is another
project's, merged in as a subtree (git-gui's and gitk's in git), is matched by message, trailer
and author only: its paths (``po/de.po``) name that project's files, not integration's (git/git:
27 such hotfixes, whose windows of up to 800 days were a third of the copy search).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pygit2

from hotfix_lint.collect.git.line_balance import line_balance
from hotfix_lint.collect.git.reach import ArrivalStep, ReachIndex
from hotfix_lint.collect.git.repository import MISSING, patch_id, shared_names
from hotfix_lint.collect.git.tree_paths import FileSides, PathTrie, TreeEntries, path_trie
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.git import first_line
from hotfix_lint.facts.history import BackMergeFact, back_merge_due

#: commits kept read at once (windows of neighbouring hotfixes overlap: they share most)
_COMMITS_KEPT = 4096
_CHERRY_PICKED = re.compile(r"\(cherry picked from commit ([0-9a-f]{7,40})\)")


class BackMergeFinder:
    """Finds ``HotfixFact.back_merges`` (and the older ``back_merged`` / squash / pick fields)."""

    def __init__(self, repo: pygit2.Repository, reach: ReachIndex, grace: int) -> None:
        self.repo = repo
        self.reach = reach
        self.grace = grace
        self._patch_ids: dict[str, str | None] = {}
        #: the paths a diff changes and their files' entries on both sides, by ``old..new``
        self._changes: dict[str, tuple[frozenset[str], dict[str, FileSides]] | None] = {}
        self._balances: dict[str, tuple[int, ...] | None] = {}
        #: the ``old..new`` :meth:`_may_match` was asked about once
        self._asked: set[str] = set()
        self._commits: dict[str, pygit2.Commit | None] = {}
        self._trees = TreeEntries(repo)

    def found(self, hotfix: HotfixFact) -> dict[str, Any]:
        """``hotfix``'s back-merge fields (``back_merges`` and the older ``back_merged`` /
        squash / pick ones; none without a merge), for the caller's one copy of the fact."""
        if hotfix.merge is None:
            return {}
        found: list[BackMergeFact] = []
        ancestry = self._ancestry(hotfix)
        if ancestry is not None:
            found.append(ancestry)
        due = back_merge_due(hotfix.merge.commit_time, self.grace)
        squashed: str | None = None
        picked = False
        if ancestry is None or ancestry.at > due:
            copy = self._copy(hotfix, due)
            if copy is not None:
                found.append(copy)
                squashed = copy.commit if copy.form == "squash" else None
                picked = copy.form == "cherry-pick"
        found.sort(key=lambda b: b.at)
        return {
            "back_merges": tuple(found),
            "back_merged": ancestry is not None,
            "squashed_into_integration": squashed,
            "cherry_picked_to_integration": picked,
        }

    # -- by ancestry ------------------------------------------------------------------------

    def _ancestry(self, hotfix: HotfixFact) -> BackMergeFact | None:
        tip = self.reach.reached(hotfix.tip)
        if tip is None or hotfix.merge is None:
            return None
        landing = self.reach.reached(hotfix.merge.id)
        if landing is not None and landing.via == tip.via:
            form = "production"  # the landing came along: production or its tag merged in
        elif tip.via_merge:
            form = "merge"
        else:
            form = "fast-forward"
        return BackMergeFact(form, tip.at, tip.via, self._summary(tip.via))

    # -- by a copy of the change ------------------------------------------------------------

    def _copy(self, hotfix: HotfixFact, due: int) -> BackMergeFact | None:
        """The earliest squash or complete set of cherry-picks integration received in the window."""
        own = [c for c in hotfix.own_commits if len(c.parents) == 1]
        if not own or hotfix.merge is None:
            return None
        own_ids = {c.id for c in hotfix.own_commits}
        start = min(c.commit_time for c in hotfix.own_commits)
        by_author = {(c.author_email, c.author_time, c.summary): c.id for c in own}
        # a commit with the patch id of one of these changes the same paths (a patch id hashes
        # each file's name): the others need none, and these need theirs only when one does
        whole = (hotfix.mainline, hotfix.merge.id)
        steps = list(self.reach.arrival_steps(start, due))
        # another project's paths (a subtree: git-gui's po/de.po is not git's) match no patch here
        by_patch = bool(steps) and not self._foreign(hotfix.tip, steps[-1].via)
        # (own commits' paths, then the whole's: read only when a patch id may tell a copy)
        sets = self._touched([_diff_of(c) for c in own] + [whole]) if by_patch else None
        touched = path_trie(frozenset().union(*sets)) if sets is not None else None
        picks: dict[str, str] = {}
        for arrived, commit, step_changes in self._arrivals(steps, own_ids, touched, by_patch):
            parent = str(commit.parent_ids[0])
            may_match = by_patch and (
                sets is None or touched is None or (step_changes and self._may_match(commit, touched, sets))
            )
            paths = self._paths_of(parent, arrived) if may_match and sets is not None else None
            if may_match and sets is not None and paths not in sets:
                may_match = False  # the same paths, not only these: a patch id hashes every file's name
            # only a diff of these very paths, with as many lines added less removed in each, can
            # have this patch id: the others' are not computed
            diff = (parent, arrived)
            alike: list[int] = []
            squash_alike = False
            if may_match:
                alike = [
                    i
                    for i, c in enumerate(own)
                    if (sets is None or sets[i] == paths) and self._balanced(_diff_of(c), diff)
                ]
                squash_alike = (sets is None or sets[-1] == paths) and self._balanced(whole, diff)
            patch = self._patch_id(*diff) if alike or squash_alike else None
            if patch is None:
                alike, squash_alike = [], False
            matched = next((own[i].id for i in reversed(alike) if self._patch_id(*_diff_of(own[i])) == patch), None)
            author, message = commit.author, commit.message  # (each read once: 34,000 arrivals on git/git)
            key = (author.email, author.time, first_line(message).strip())
            matched = matched or by_author.get(key) or self._picked_from(message, own_ids)
            if matched is not None:
                picks.setdefault(matched, arrived)
                if len(picks) == len(own):
                    return self._fact("cherry-pick", arrived)
            elif (squash_alike and self._patch_id(*whole) == patch) or self._names(hotfix, message, own_ids):
                return self._fact("squash", arrived)
        return None

    def _arrivals(
        self, steps: list[ArrivalStep], own_ids: set[str], touched: PathTrie | None, by_patch: bool
    ) -> Iterator[tuple[str, pygit2.Commit, bool]]:
        """The single-parent commits integration received in the window that are not the
        hotfix's own, each with whether the step that brought them changed one of ``touched``
        (two trees a step: most change none of them, and then none of the commits they brought
        can be a copy by patch id; by message they still can)."""
        for step in steps:
            changes: bool | None = None if by_patch else False
            for arrived in step.arrived:
                if arrived in own_ids:
                    continue
                commit = self._commit(arrived)
                if commit is None or len(commit.parent_ids) != 1:
                    continue
                if changes is None:
                    changes = touched is None or self._step_changes(step, touched)
                yield arrived, commit, changes

    def _foreign(self, tip: str, integration: str) -> bool:
        """``tip``'s tree is another project's, merged in as a subtree (git-gui's into git): none of
        its top-level entries is integration's, and it has not half of integration's names. Its
        commits' paths (``po/de.po``) then name other files than integration's of that name."""
        mine, host = self._commit(tip), self._commit(integration)
        if mine is None or host is None:
            return False
        try:
            ours, theirs = mine.tree, host.tree
            shared = shared_names(ours, theirs)
        except MISSING:
            return False
        return shared is not None and 2 * shared < len(theirs)

    def _step_changes(self, step: ArrivalStep, paths: PathTrie) -> bool:
        """The chain's commit ``step.via`` changed one of ``paths`` against the one before it."""
        if step.before is None:
            return True
        via, before = self._commit(step.via), self._commit(step.before)
        if via is None or before is None:
            return True
        try:
            return bool(self._trees.changed(via.tree_id, before.tree_id, paths, first=True))
        except MISSING:
            return True

    def _fact(self, form: str, commit: str) -> BackMergeFact | None:
        reach = self.reach.reached(commit)
        return None if reach is None else BackMergeFact(form, reach.at, commit, self._summary(commit))

    @staticmethod
    def _picked_from(message: str, own_ids: set[str]) -> str | None:
        if "(cherry picked from commit " not in message:
            return None  # (most messages: a substring search, where the expression costs ten times more)
        for picked in _CHERRY_PICKED.findall(message):
            for own in own_ids:
                if own.startswith(picked):
                    return own
        return None

    @staticmethod
    def _names(hotfix: HotfixFact, message: str, own_ids: set[str]) -> bool:
        """A squash's message: it names the hotfix branch, or git's "Squashed commit" lists its commits."""
        summary = first_line(message)
        if summary.startswith("Revert "):
            return False  # undoing the hotfix on integration is no copy of it
        if hotfix.source is not None and hotfix.source in summary:
            return True
        return "Squashed commit of the following" in message and any(c in message for c in own_ids)

    # -- reads, each once -------------------------------------------------------------------

    def _commit(self, commit_id: str) -> pygit2.Commit | None:
        if commit_id not in self._commits:
            if len(self._commits) >= _COMMITS_KEPT:
                self._commits.clear()  # a pygit2 commit holds its whole message: keep the recent ones
            try:
                self._commits[commit_id] = self.repo[commit_id].peel(pygit2.Commit)
            except MISSING:
                self._commits[commit_id] = None
        return self._commits[commit_id]

    def _summary(self, commit_id: str) -> str:
        commit = self._commit(commit_id)
        return "" if commit is None else first_line(commit.message).strip()

    def _patch_id(self, old: str, new: str) -> str | None:
        key = f"{old}..{new}"
        if key not in self._patch_ids:
            self._patch_ids[key] = patch_id(self.repo, old, new)
        return self._patch_ids[key]

    def _paths_of(self, old: str, new: str) -> frozenset[str] | None:
        """The paths ``old..new`` changes (the trees compared, not a patch)."""
        changes = self._changes_of(old, new)
        return None if changes is None else changes[0]

    def _changes_of(self, old: str, new: str) -> tuple[frozenset[str], dict[str, FileSides]] | None:
        key = f"{old}..{new}"
        if key not in self._changes:
            a, b = self._commit(old), self._commit(new)
            files = None if a is None or b is None else self._trees.files(a.tree_id, b.tree_id)
            self._changes[key] = None if files is None else (frozenset(files), files)
        return self._changes[key]

    def _balanced(self, one: tuple[str, str], other: tuple[str, str]) -> bool:
        """The two diffs (of the same paths) may have one patch id: in each file as many lines
        added less removed (:mod:`~hotfix_lint.collect.git.line_balance`), or that is unknown."""
        mine, theirs = self._balance(*one), self._balance(*other)
        return mine is None or theirs is None or mine == theirs

    def _balance(self, old: str, new: str) -> tuple[int, ...] | None:
        key = f"{old}..{new}"
        if key not in self._balances:
            changes = self._changes_of(old, new)
            self._balances[key] = line_balance(self.repo, changes[1]) if changes and changes[1] else None
        return self._balances[key]

    def _touched(self, diffs: list[tuple[str, str]]) -> list[frozenset[str]] | None:
        """The paths each diff changes; ``None`` when one changes none (an empty diff's patch id
        says nothing of paths) or cannot be read."""
        paths: list[frozenset[str]] = []
        for old, new in diffs:
            found = self._paths_of(old, new)
            if not found:
                return None
            paths.append(found)
        return paths

    def _may_match(self, commit: pygit2.Commit, paths: PathTrie, sets: list[frozenset[str]]) -> bool:
        """``commit`` changes every path of one of ``sets`` (of ``paths``, their union) against
        its first parent: a few tree lookups, where a patch id costs a diff of the whole trees
        and of every blob they change. Asked again (windows overlap), the paths it changes are
        read whole and kept: they answer the caller's exact question at once."""
        key = f"{commit.parent_ids[0]}..{commit.id}"
        if key in self._changes or key in self._asked:
            return self._paths_of(str(commit.parent_ids[0]), str(commit.id)) in sets
        self._asked.add(key)
        parent = self._commit(str(commit.parent_ids[0]))
        if parent is None:
            return True
        tree, before = commit.tree_id, parent.tree_id
        if tree == before:
            return False
        try:
            changed = self._trees.changed(tree, before, paths)
        except MISSING:
            return True
        return bool(changed) and any(s <= changed for s in sets)


def _diff_of(commit: CommitFact) -> tuple[str, str]:
    """A commit against its first parent, as ``_patch_id`` takes it."""
    return commit.parents[0], commit.id
