"""Read what inference needs from a repository into plain records (the only git here).

Each candidate line (the default branch, branches named like production or integration) is
walked along its first-parent chain, newest first, bounded: a merge's message says where it
came from (:func:`~hotfix_lint.facts.merge_message.parse_merge_message`) and its diff against
the first parent which root files it touched (the changelog, version files). The records are
then judged by :mod:`hotfix_lint.infer.decide`, with no repository at hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pygit2

from hotfix_lint.collect.missing_line import default_branch
from hotfix_lint.collect.repository import MISSING, list_branches, list_tags, read_file
from hotfix_lint.facts.landing import pull_request_number
from hotfix_lint.facts.merge_message import parse_merge_message

#: first-parent commits read per line: enough for years of a busy production branch
MAX_STEPS = 6000
#: merges per line whose touched files are read (a tree diff each)
MAX_DIFFS = 400
#: lines walked at most (candidates are few: production-like and integration-like names)
MAX_LINES = 16
#: names a production line has
PRODUCTION_NAMES = re.compile(r"(main|master|production|prod|stable|trunk|live)")
#: names an integration line has
INTEGRATION_NAMES = re.compile(r"(develop|development|dev|devel|integration|next|staging)([-_/].+)?")
#: names of branches that may be production lines beside the main one: promotion branches
#: (``prod/hotfix/2024-05-22_fix``) and support lines (``support/1.x``)
LINE_FAMILY_NAMES = re.compile(r"(support|prod|production|live|stable|maintenance|maint)/.+")
#: members of one line family walked (the newest), and how far
MAX_MEMBERS = 8
MEMBER_STEPS = 400
#: line families read at most
MAX_FAMILIES = 4


@dataclass(frozen=True)
class ChainStep:
    """One first-parent commit of a line: what its message and its diff say."""

    commit: str
    time: int
    parents: int
    subject: str
    #: for a merge: the parsed source and target (``None``: not named), and the message's kind
    kind: str = "commit"
    source: str | None = None
    target: str | None = None
    pull_request: int | None = None
    #: files changed against the first parent (merges only; root files and ``docs/``)
    touched: tuple[str, ...] = ()
    #: a merge's second parent: what it brought
    second: str | None = None
    #: a merge off the chain, reached through a ``Merge tag 'X' into develop`` that production
    #: was later fast-forwarded past (git-flow's finish: the tag sits on the old production line)
    off_chain: bool = False

    @property
    def merge(self) -> bool:
        return self.parents > 1

    @property
    def squash(self) -> bool:
        """A single-parent commit that a pull request's squash or rebase wrote (``Fix (#12)``)."""
        return self.parents == 1 and pull_request_number(self.subject) is not None


@dataclass(frozen=True)
class LineRecord:
    """A candidate line: its tip's time and first-parent chain (newest first)."""

    name: str
    tip_time: int
    steps: tuple[ChainStep, ...]
    truncated: bool = False
    #: tags pointing at a commit of the chain
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Observations:
    """Everything :mod:`~hotfix_lint.infer.decide` judges, read once."""

    default_branch: str | None
    #: every branch (local or remote-tracking, once) and its tip's commit time
    branches: Mapping[str, int]
    lines: Mapping[str, LineRecord]
    tags: tuple[str, ...]
    #: the newest commit time in the repository (the history's "now")
    newest: int = 0
    #: the production tip's root files, and the text of the changelog and version files there
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    #: the tags on each tagged commit
    tagged: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: branches that may be further production lines, by the family they share (``prod/hotfix/``,
    #: ``support/``): the newest members' chains, short (their own merges are near the tip)
    line_families: Mapping[str, tuple[LineRecord, ...]] = field(default_factory=dict)


def _touched(repo: pygit2.Repository, commit: pygit2.Commit) -> tuple[str, ...]:
    """Root and ``docs/`` files a merge changed against its first parent."""
    try:
        diff = repo.diff(commit.parents[0], commit)
    except (*MISSING, pygit2.GitError):
        return ()
    out = []
    for delta in diff.deltas:
        path = delta.new_file.path
        if "/" not in path or (path.startswith(("docs/", "doc/")) and path.count("/") == 1):
            out.append(path)
    return tuple(out)


def walk_line(
    repo: pygit2.Repository,
    name: str,
    ref: str,
    tag_targets: Mapping[str, list[str]],
    max_steps: int = MAX_STEPS,
    max_diffs: int = MAX_DIFFS,
) -> LineRecord:
    """The first-parent chain of ``ref``, newest first, bounded by ``max_steps``."""
    tip = repo.lookup_reference(ref).peel(pygit2.Commit)
    steps: list[ChainStep] = []
    tags: list[str] = []
    diffs = 0
    commit: pygit2.Commit | None = tip
    while commit is not None and len(steps) < max_steps:
        subject = commit.message.split("\n", 1)[0].strip()
        parents = len(commit.parent_ids)
        cid = str(commit.id)
        tags.extend(tag_targets.get(cid, ()))
        if parents > 1:
            parsed = parse_merge_message(commit.message)
            touched: tuple[str, ...] = ()
            if diffs < max_diffs and (parsed.target is None or parsed.target == name):
                touched = _touched(repo, commit)
                diffs += 1
            steps.append(
                ChainStep(
                    cid,
                    commit.commit_time,
                    parents,
                    subject,
                    parsed.kind,
                    parsed.source,
                    parsed.target,
                    parsed.pull_request,
                    touched,
                    str(commit.parent_ids[1]),
                )
            )
            if parsed.kind == "tag" and parsed.target not in (None, name):
                tagged = _tagged_merge(repo, commit, name)
                if tagged is not None:
                    steps.append(tagged)
        else:
            steps.append(ChainStep(cid, commit.commit_time, parents, subject))
        try:
            commit = commit.parents[0] if parents else None
        except MISSING:
            commit = None
    return LineRecord(name, tip.commit_time, tuple(steps), commit is not None, tuple(tags))


def _tagged_merge(repo: pygit2.Repository, merge: pygit2.Commit, line: str) -> ChainStep | None:
    """The merge a ``Merge tag 'X' into develop`` brought, when it was a merge made on ``line``."""
    try:
        tagged = merge.parents[1]
    except MISSING:
        return None
    if len(tagged.parent_ids) < 2:
        return None
    parsed = parse_merge_message(tagged.message)
    if parsed.source is None or parsed.kind in ("tag", "commit") or parsed.target not in (None, line):
        return None
    return ChainStep(
        str(tagged.id),
        tagged.commit_time,
        len(tagged.parent_ids),
        tagged.message.split("\n", 1)[0].strip(),
        parsed.kind,
        parsed.source,
        parsed.target,
        parsed.pull_request,
        _touched(repo, tagged),
        str(tagged.parent_ids[1]),
        off_chain=True,
    )


def _candidates(names: Iterable[str], default: str | None) -> list[str]:
    ordered = sorted(set(names))
    picked = [default] if default in ordered else []
    picked += [n for n in ordered if PRODUCTION_NAMES.fullmatch(n) and n not in picked]
    picked += [n for n in ordered if INTEGRATION_NAMES.fullmatch(n) and n not in picked]
    return picked[:MAX_LINES]


def observe(repo: pygit2.Repository) -> Observations:
    """Read the candidate lines and the tags of ``repo``."""
    branches: dict[str, tuple[int, str]] = {}
    for branch in list_branches(repo):
        # a local branch wins over a remote-tracking one; origin over any other remote
        rank = 0 if branch.remote is None else 1 if branch.remote == "origin" else 2
        known = branches.get(branch.name)
        if known is None or rank < _rank(known[1]):
            branches[branch.name] = (branch.tip_time, branch.ref)
    tags = list_tags(repo)
    tag_targets: dict[str, list[str]] = {}
    for tag in tags:
        tag_targets.setdefault(tag.target, []).append(tag.name)
    default = default_branch(repo)
    lines = {}
    for name in _candidates(branches, default):
        try:
            lines[name] = walk_line(repo, name, branches[name][1], tag_targets)
        except (*MISSING, pygit2.GitError, KeyError):
            continue
    newest = max((t for t, _ in branches.values()), default=0)
    return Observations(
        default,
        {n: t for n, (t, _) in branches.items()},
        lines,
        tuple(t.name for t in tags),
        newest,
        tagged={commit: tuple(names) for commit, names in tag_targets.items()},
        line_families=_line_families(repo, branches, tag_targets),
    )


def line_family(name: str) -> str | None:
    """The family a possible further production line belongs to: its name up to the last ``/``
    (``prod/hotfix/`` for ``prod/hotfix/2024-05-22_fix``, ``support/`` for ``support/1.x``)."""
    if not LINE_FAMILY_NAMES.fullmatch(name):
        return None
    return name.rsplit("/", 1)[0] + "/"


def _line_families(
    repo: pygit2.Repository, branches: Mapping[str, tuple[int, str]], tag_targets: Mapping[str, list[str]]
) -> dict[str, tuple[LineRecord, ...]]:
    grouped: dict[str, list[str]] = {}
    for name in branches:
        family = line_family(name)
        if family is not None:
            grouped.setdefault(family, []).append(name)
    biggest = sorted(grouped, key=lambda f: (-len(grouped[f]), f))[:MAX_FAMILIES]
    out: dict[str, tuple[LineRecord, ...]] = {}
    for family in biggest:
        newest = sorted(grouped[family], key=lambda n: -branches[n][0])[:MAX_MEMBERS]
        records = []
        for name in newest:
            try:
                records.append(walk_line(repo, name, branches[name][1], tag_targets, MEMBER_STEPS, MAX_MEMBERS))
            except (*MISSING, pygit2.GitError, KeyError):
                continue
        out[family] = tuple(records)
    return out


def _rank(ref: str) -> int:
    if ref.startswith("refs/heads/"):
        return 0
    return 1 if ref.startswith("refs/remotes/origin/") else 2


def with_tree(repo: pygit2.Repository, observations: Observations, line: str) -> Observations:
    """``observations`` with the root files of ``line``'s tip and the texts of its changelogs and
    version files there."""
    from dataclasses import replace

    record = observations.lines.get(line)
    if record is None or not record.steps:
        return observations
    tip = record.steps[0].commit
    files: dict[str, tuple[str, ...]] = {}
    try:
        tree = repo[tip].peel(pygit2.Tree)
        files[""] = tuple(e.name or "" for e in tree)
        for folder in ("docs", "doc"):
            if folder in tree and tree[folder].type_str == "tree":
                sub = repo[tree[folder].id].peel(pygit2.Tree)
                files[folder + "/"] = tuple(e.name or "" for e in sub)
    except (*MISSING, pygit2.GitError):
        return observations
    from hotfix_lint.facts.changelog_files import is_changelog_path
    from hotfix_lint.facts.version_files import ROOT_VERSION_FILES

    wanted = [n for n in files[""] if n in ROOT_VERSION_FILES or "version" in n.lower()]
    wanted += [folder + n for folder, names in files.items() for n in names if is_changelog_path(folder + n)]
    texts = {}
    for path in wanted:
        snapshot = read_file(repo, tip, path, limit=1024 * 1024)
        if snapshot.text is not None:
            texts[path] = snapshot.text
    return replace(observations, files=files, texts=texts)


def containment(repo: pygit2.Repository, branches: Iterable[str], commits: Sequence[str]) -> dict[str, int]:
    """How many of ``commits`` each branch's tip contains (a back-merge brought them there)."""
    out: dict[str, int] = {}
    for name in branches:
        ref = _branch_ref(repo, name)
        if ref is None:
            continue
        tip = ref.peel(pygit2.Commit).id
        count = 0
        for commit in commits:
            try:
                oid = pygit2.Oid(hex=commit)
                count += oid == tip or repo.descendant_of(tip, oid)
            except (*MISSING, pygit2.GitError):
                continue
        out[name] = count
    return out


def _branch_ref(repo: pygit2.Repository, name: str) -> pygit2.Reference | None:
    for ref in (f"refs/heads/{name}", f"refs/remotes/origin/{name}"):
        try:
            return repo.lookup_reference(ref)
        except (*MISSING, pygit2.InvalidSpecError):
            continue
    return None
