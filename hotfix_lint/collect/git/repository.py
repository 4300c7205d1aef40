"""Open a repository with pygit2 and turn its objects into fact records.

The small helpers here (commit conversion, ref lookup, file reads) are shared by the
history collector and the branch collector; they never write to the repository.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Generic, TypeVar

import pygit2

from hotfix_lint.errors import FSCK_HINT, RepositoryError
from hotfix_lint.facts import CommitFact, FileSnapshot

if TYPE_CHECKING:
    from hotfix_lint.facts.refs import BranchFact, TagFact

K = TypeVar("K")
V = TypeVar("V")

#: The errors pygit2 raises when an object a clone should have is missing.
MISSING = (KeyError, pygit2.GitError, ValueError)


#: how much of the pack files libgit2 maps (by default all of them, in windows of 1 GiB): the
#: history reads trees and blobs all over a pack, and every page touched counts in the
#: process's memory; set before the first object is read (windows already mapped stay)
PACK_WINDOW = 32 << 20
PACK_MAPPED = 32 << 20
#: libgit2 keeps every object it parses in a cache of up to ``CACHE_SIZE`` (counted by their
#: raw size; parsed, they take about 1.6 times that): a whole history fills it with commits.
#: A commit over ``CACHED_COMMIT`` bytes (a long message) is parsed again when asked for again.
#: git/git's merges carry their topic's shortlog (1-2 KB) and are asked for again and again:
#: 2048, not 1024, saved 0.5 s of 6.5 for 10 MB (4096, libgit2's default: 0.1 s more, 5 MB
#: more). The size stays libgit2's default: the history's walks read commits again, and on
#: 1,000,000 commits 192 MiB saved 86 MiB of memory for 18% more CPU time (96 MiB: 150 MiB, 30%).
CACHED_COMMIT = 2048
CACHE_SIZE = 256 << 20


def bound_pack_maps() -> None:
    """Bound what libgit2 keeps in memory: pack windows and its object cache (process-wide)."""
    from pygit2.enums import ObjectType

    settings = pygit2.settings
    settings.mwindow_size = min(settings.mwindow_size, PACK_WINDOW)
    settings.mwindow_mapped_limit = min(settings.mwindow_mapped_limit, PACK_MAPPED)
    settings.cache_object_limit(ObjectType.COMMIT, CACHED_COMMIT)
    settings.cache_max_size(CACHE_SIZE)


def open_repository(path: Path) -> pygit2.Repository:
    """Open the repository at or above ``path``; a clear error when there is none."""
    bound_pack_maps()
    if not path.exists():
        raise RepositoryError(f"{path}: no such directory")
    try:
        if _bare_layout(path):
            from pygit2.enums import RepositoryOpenFlag

            repo = pygit2.Repository(str(path), flags=RepositoryOpenFlag.BARE | RepositoryOpenFlag.NO_SEARCH)
        else:
            found = pygit2.discover_repository(str(path))
            if found is None:
                raise RepositoryError(f"{path}: not a git repository (no .git found here or above)")
            repo = pygit2.Repository(found)
    except pygit2.GitError as exc:
        raise RepositoryError(f"{path}: cannot read the repository: {exc}") from exc
    try:
        if not repo.head_is_unborn:
            repo.head  # noqa: B018 (HEAD naming an invalid ref, or refs that cannot be parsed)
    except pygit2.GitError as exc:
        raise RepositoryError(
            f"{path}: HEAD cannot be resolved ({exc}): HEAD names an invalid ref, or packed-refs is "
            f"damaged: {FSCK_HINT}"
        ) from exc
    return repo


def _bare_layout(path: Path) -> bool:
    """Is ``path`` itself a git directory that git would open as bare?

    Git treats a folder holding ``HEAD``, ``objects/`` and ``refs/`` as a bare repository
    unless its own ``config`` says ``core.bare = false``; libgit2 reads a missing ``core.bare``
    as non-bare and takes the parent folder as the work tree (mirrors are often stored
    without a ``config`` file).
    """
    if not ((path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()):
        return False
    config = path / "config"
    if not config.is_file():
        return True
    try:
        own = pygit2.Config(str(config))
        return "core.bare" not in own and "core.worktree" not in own
    except pygit2.GitError:
        return False  # libgit2 reports a damaged config file when it opens the repository


class Recent(Generic[K, V]):
    """The last few things read, by key: a collector or a rule reads the same one several times
    in a row (a commit's summary for each classification question, a changelog for each check,
    a tree for the commit it belongs to and for its child)."""

    __slots__ = ("_keep", "_values")

    def __init__(self, keep: int) -> None:
        self._keep = keep
        self._values: dict[K, V] = {}

    def get(self, key: K, read: Callable[[K], V]) -> V:
        value = self._values.pop(key, None)
        if value is None:
            value = read(key)
            if len(self._values) >= self._keep:
                del self._values[next(iter(self._values))]  # the least recently asked
        self._values[key] = value
        return value


class CommitMessages:
    """Reads commit messages by id, for commit facts that keep none (``CommitFact.source``):
    a history's messages are read when a rule or a collector asks for one, not kept."""

    __slots__ = ("_recent", "repo")

    def __init__(self, repo: pygit2.Repository) -> None:
        self.repo = repo
        self._recent: Recent[str, str] = Recent(16)

    def __call__(self, commit_id: str) -> str:
        return self._recent.get(commit_id, self._read)

    def _read(self, commit_id: str) -> str:
        return str(self.repo[commit_id].peel(pygit2.Commit).message)


def to_commit_fact(
    commit: pygit2.Commit, messages: CommitMessages | None = None, ids: Callable[[str], str] | None = None
) -> CommitFact:
    """``commit`` as a fact; with ``messages``, its message is read from there when asked for.

    Names and e-mail addresses are interned (:func:`commit_people`); ``ids`` gives the one
    string kept for a commit id (the commit-graph index's), if any.
    """
    own = ids or str
    return CommitFact(
        own(str(commit.id)),
        tuple(own(str(p)) for p in commit.parent_ids),
        None if messages is not None else commit.message,
        *commit_people(commit),
        commit.commit_time,
        source=messages,
    )


def tree_entry(tree: pygit2.Tree, name: str) -> pygit2.Object | None:
    """``tree[name]``, ``None`` when the tree has no such entry. pygit2 1.21 keeps a reference
    to every name a tree is asked for (``in``, ``[]`` and ``/`` alike): the name is interned
    first, so that is one string per distinct name, not one per question."""
    try:
        return tree[intern(name)]
    except KeyError:
        return None


def shared_names(tree: pygit2.Tree, other: pygit2.Tree) -> int | None:
    """How many of ``tree``'s top-level names ``other`` has too; ``None`` as soon as one of
    them is the very same entry there (same object: that much of the two trees is one project's)."""
    shared = 0
    for entry in tree:
        same = tree_entry(other, entry.name) if entry.name is not None else None
        if same is not None:
            if same.id == entry.id:
                return None
            shared += 1
    return shared


def commit_people(commit: pygit2.Commit) -> tuple[str, str, int, str, str]:
    """(author name, author e-mail, author time, committer name, committer e-mail), names and
    addresses interned: a history has far fewer people than commits."""
    author, committer = commit.author, commit.committer
    return intern(author.name), intern(author.email), author.time, intern(committer.name), intern(committer.email)


def patch_id(repo: pygit2.Repository, old: str, new: str) -> str | None:
    """The patch id of commit ``old`` to commit ``new`` (git's ``patch-id``: file names and
    changed lines, not line numbers); ``None`` when an object is missing."""
    try:
        return str(repo.diff(repo[old].peel(pygit2.Commit), repo[new].peel(pygit2.Commit)).patchid)
    except MISSING:
        return None


class BlobTexts:
    """Reads blobs' texts by id, for snapshots that keep none (``FileSnapshot.source``)."""

    __slots__ = ("_recent", "repo")

    def __init__(self, repo: pygit2.Repository) -> None:
        self.repo = repo
        self._recent: Recent[str, str] = Recent(4)

    def __call__(self, blob_id: str) -> str:
        return self._recent.get(blob_id, self._read)

    def _read(self, blob_id: str) -> str:
        # (the object database's bytes: half the time of ``repo[id].data`` on a long changelog)
        kind, data = self.repo.odb.read(blob_id)
        return data.decode("utf-8", errors="replace") if kind == pygit2.enums.ObjectType.BLOB else ""


def read_file(
    repo: pygit2.Repository, commit_id: str, path: str, limit: int | None = None, texts: BlobTexts | None = None
) -> FileSnapshot:
    """The file ``path`` at ``commit_id``: text, absent, or a missing object; with ``limit``, a
    blob larger than that many bytes is left unread (its header tells the size); with ``texts``,
    the blob is only found, and its text read from there when asked for."""
    try:
        commit = repo[commit_id]
    except MISSING:
        return FileSnapshot(path, commit_id, None, missing_object=commit_id)
    try:
        entry = commit.peel(pygit2.Tree)[path]
    except KeyError:
        return FileSnapshot(path, commit_id, None)
    try:
        if limit is not None and entry.type_str == "blob":
            size = repo.odb.read_header(entry.id)[1]
            if size > limit:
                return FileSnapshot(path, commit_id, None, oversize=size)
        if texts is not None and entry.type_str == "blob":
            if entry.id not in repo.odb:
                return FileSnapshot(path, commit_id, None, missing_object=str(entry.id))
            return FileSnapshot(path, commit_id, None, blob=str(entry.id), source=texts)
        blob = repo[entry.id]
    except MISSING:
        return FileSnapshot(path, commit_id, None, missing_object=str(entry.id))
    if not isinstance(blob, pygit2.Blob):
        return FileSnapshot(path, commit_id, None)
    return FileSnapshot(path, commit_id, blob.data.decode("utf-8", errors="replace"))


def list_branches(repo: pygit2.Repository) -> list[BranchFact]:
    """Local and remote-tracking branches (``refs/remotes/*/HEAD`` left out)."""
    from hotfix_lint.facts.refs import BranchFact  # only where branches are listed: not in a hook

    out: list[BranchFact] = []
    for name in repo.listall_references():
        if name.startswith("refs/heads/"):
            short, remote = name[len("refs/heads/") :], None
        elif name.startswith("refs/remotes/"):
            rest = name[len("refs/remotes/") :]
            remote, _, short = rest.partition("/")
            if short == "HEAD" or not short:
                continue
        else:
            continue
        try:
            commit = repo.lookup_reference(name).peel(pygit2.Commit)
        except MISSING:
            continue
        out.append(BranchFact(short, name, str(commit.id), commit.commit_time, remote))
    return out


def list_tags(repo: pygit2.Repository) -> list[TagFact]:
    """Every tag peeled to its commit; annotated tags keep their message."""
    from hotfix_lint.facts.refs import TagFact  # only where tags are listed: not in a hook

    out: list[TagFact] = []
    for name in repo.listall_references():
        if not name.startswith("refs/tags/"):
            continue
        try:
            ref = repo.lookup_reference(name)
            obj = repo[ref.target]
            commit = ref.peel(pygit2.Commit)
        except MISSING:
            continue
        short = name[len("refs/tags/") :]
        if isinstance(obj, pygit2.Tag):
            tagger = obj.tagger
            out.append(TagFact(short, str(commit.id), True, obj.message, tagger.time if tagger else None))
        else:
            out.append(TagFact(short, str(commit.id), False))
    return out


def resolve_branch(repo: pygit2.Repository, name: str) -> str | None:
    """The full ref of branch ``name``: local first, then ``origin``, then any remote."""
    candidates = [f"refs/heads/{name}", f"refs/remotes/origin/{name}"]
    for candidate in candidates:
        if candidate in repo.references:
            return candidate
    suffix = "/" + name
    for ref in repo.listall_references():
        if ref.startswith("refs/remotes/") and ref.endswith(suffix) and ref.count("/") == name.count("/") + 3:
            return ref
    return None


def branch_tip(repo: pygit2.Repository, name: str) -> str | None:
    """The commit of this repository's branch ``name``: ``refs/heads/NAME``, else ``origin/NAME``;
    None when neither exists (another remote's branch, such as a fork's, is not this repository's)."""
    for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
        try:
            return str(repo.lookup_reference(ref).peel(pygit2.Commit).id)
        except (*MISSING, pygit2.InvalidSpecError):
            continue
    return None


def ref_tip(repo: pygit2.Repository, ref: str) -> pygit2.Commit:
    return repo.lookup_reference(ref).peel(pygit2.Commit)


def shallow_boundary(repo: pygit2.Repository) -> frozenset[str]:
    """Commits whose parents a shallow clone does not have (from ``.git/shallow``)."""
    shallow_file = Path(repo.path) / "shallow"
    if not shallow_file.exists():
        return frozenset()
    return frozenset(line.strip() for line in shallow_file.read_text().splitlines() if line.strip())


def has_commit(repo: pygit2.Repository, rev: str) -> bool:
    """Does the clone have ``rev`` (a shallow or partial clone may not)?"""
    try:
        repo.revparse_single(rev).peel(pygit2.Commit)
    except MISSING:
        return False
    return True


def detached_merge_parents(repo: pygit2.Repository) -> tuple[str, str] | None:
    """(first, second) parent of a detached HEAD that is a two-parent merge (GitHub's
    ``refs/pull/N/merge`` checkout: the base, then the pull request's head), else None."""
    if repo.head_is_unborn or not repo.head_is_detached:
        return None
    parents = [str(oid) for oid in repo.head.peel(pygit2.Commit).parent_ids]
    return (parents[0], parents[1]) if len(parents) == 2 else None


def checked_out_change(repo: pygit2.Repository, base: str) -> str | None:
    """The change a detached CI checkout holds: HEAD, or its second parent when HEAD is a merge of
    it into ``base``'s tip (a merged-results pipeline); None on an unborn HEAD."""
    if repo.head_is_unborn:
        return None
    parents = detached_merge_parents(repo)
    if parents is not None and parents[0] == branch_tip(repo, base):
        return parents[1]
    return str(repo.head.peel(pygit2.Commit).id)
