"""Read version files at each hotfix's release point, and each hotfix's own diff.

Bounded work per hotfix: a handful of blob reads at two commits (cached by commit and path,
since many hotfixes share a release point) and one tree diff. Nothing is read unless a
selected rule needs it.
"""

from __future__ import annotations

from dataclasses import replace

import pygit2

from hotfix_lint.collect.git.repository import MISSING, read_file
from hotfix_lint.facts import FileSnapshot, HotfixFact
from hotfix_lint.facts.changes import HotfixChanges, PathChange
from hotfix_lint.facts.release import release_commit
from hotfix_lint.facts.version_files import MAX_VERSION_FILE_BYTES, ROOT_VERSION_FILES, declared_in
from hotfix_lint.policy.model import Policy

#: top-level directories searched for a package ``__init__.py`` with ``__version__``
_SKIP_DIRS = frozenset({"tests", "test", "docs", "doc", "examples", "benchmarks", "scripts", "node_modules"})


class VersionCollector:
    """Reads version files and diffs for hotfixes; only reads."""

    def __init__(self, repo: pygit2.Repository, policy: Policy) -> None:
        self.repo = repo
        self.policy = policy
        self._files: dict[tuple[str, str], FileSnapshot] = {}
        self._detected: dict[str, tuple[str, ...]] = {}

    def _read(self, commit: str, path: str) -> FileSnapshot:
        key = (commit, path)
        if key not in self._files:
            self._files[key] = read_file(self.repo, commit, path, limit=MAX_VERSION_FILE_BYTES)
        return self._files[key]

    def detect(self, commit: str) -> tuple[str, ...]:
        """The policy's version files, or the ones found at ``commit`` that declare a version."""
        if self.policy.version_files:
            return self.policy.version_files
        if commit in self._detected:
            return self._detected[commit]
        candidates = list(ROOT_VERSION_FILES)
        try:
            tree = self.repo[commit].peel(pygit2.Tree)
            for entry in tree:
                name = entry.name or ""
                if entry.type_str != "tree" or not name or name.startswith(".") or name in _SKIP_DIRS:
                    continue
                candidates.append(f"{name}/__init__.py")
                if name == "src":
                    sub = self.repo[entry.id].peel(pygit2.Tree)
                    candidates += [f"src/{e.name}/__init__.py" for e in sub if e.type_str == "tree" and e.name]
        except MISSING:
            pass
        found = []
        for path in candidates:
            declared = declared_in(self._read(commit, path))
            if declared is not None and declared.declares:
                found.append(path)
        self._detected[commit] = tuple(found)
        return self._detected[commit]

    def snapshots(self, commit: str | None, paths: tuple[str, ...]) -> tuple[FileSnapshot, ...]:
        if commit is None:
            return ()
        return tuple(self._read(commit, path) for path in paths)

    def with_versions(self, hotfix: HotfixFact) -> HotfixFact:
        """The version files at the hotfix's release point and at the commit before it."""
        point = release_commit(hotfix)
        if point is None:
            return hotfix
        paths = self.detect(point)
        previous = hotfix.mainline if hotfix.merge is not None else (hotfix.original_base or hotfix.mainline)
        return replace(
            hotfix,
            version_files=self.snapshots(point, paths),
            previous_version_files=self.snapshots(previous, paths),
        )

    def with_changes(self, hotfix: HotfixFact) -> HotfixFact:
        """The hotfix's own diff: what its merge changed on the line, or its branch since the fork.

        Commits carried from the integration branch (a hotfix cut from the wrong place) are not
        the hotfix's own changes: the diff then starts at the newest carried commit.
        """
        end = hotfix.merge.id if hotfix.merge is not None else hotfix.tip
        start: str | None = hotfix.mainline if hotfix.merge is not None else None
        try:
            if start is None:
                fork = self.repo.merge_base(pygit2.Oid(hex=hotfix.tip), pygit2.Oid(hex=hotfix.mainline))
                start = str(fork) if fork is not None else None
            if hotfix.carried:
                carried = {c.id for c in hotfix.carried}
                by_id = {c.id: c for c in hotfix.own_commits}
                cursor: str | None = hotfix.tip
                while cursor is not None and cursor in by_id and cursor not in carried:
                    parents = by_id[cursor].parents
                    cursor = parents[0] if parents else None
                if cursor is not None and cursor in carried:
                    start, end = cursor, hotfix.tip
            if start is None:
                return hotfix
            diff = self.repo.diff(self.repo[start].peel(pygit2.Commit), self.repo[end].peel(pygit2.Commit))
            diff.find_similar()
            files = []
            for patch in diff:
                if patch is None:
                    continue
                delta = patch.delta
                _, added, removed = patch.line_stats
                old = delta.old_file.path
                new = delta.new_file.path
                files.append(
                    PathChange(
                        path=new or old,
                        added=added,
                        removed=removed,
                        binary=bool(delta.is_binary),
                        old_path=old if old and old != new else None,
                    )
                )
        except MISSING as exc:
            return replace(hotfix, missing_objects=(*hotfix.missing_objects, str(exc)))
        return replace(hotfix, changes=HotfixChanges(start, end, tuple(files)))
