"""Read what inference needs from a repository into plain records (the git side of ``init``).

Each candidate line (the default branch, branches named like production or integration) is
walked along its first-parent chain, newest first, bounded: a merge's message says where it
came from (:func:`~hotfix_lint.facts.merge_message.parse_merge_message`) and its diff against
the first parent which root files it touched (the changelog, version files). The records are
then judged by :mod:`hotfix_lint.infer.decide`, with no repository at hand.

Integration needs the repository twice: which candidate branch holds production's hotfix
merges is a graph question (:func:`containment`), asked once the production line and its
hotfixes are known (:func:`hotfix_lint.infer.run.infer_repository`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pygit2
from pygit2 import Repository as Repository

from hotfix_lint.collect.git.missing_line import default_branch
from hotfix_lint.collect.git.repository import MISSING, list_branches, list_tags, read_file
from hotfix_lint.facts import line_records as records
from hotfix_lint.facts.git import first_line
from hotfix_lint.facts.line_records import ChainStep, LineRecord, Observations
from hotfix_lint.facts.merge_message import parse_merge_message

#: first-parent commits read per line: enough for years of a busy production branch
MAX_STEPS = 6000
#: merges per line whose touched files are read (a tree diff each)
MAX_DIFFS = 400
#: lines walked at most (candidates are few: production-like and integration-like names)
MAX_LINES = 16
#: members of one line family walked (the newest), and how far
MAX_MEMBERS = 8
MEMBER_STEPS = 400
MEMBER_DIFFS = 8
#: line families read at most
MAX_FAMILIES = 4


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
        subject = first_line(commit.message).strip()
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
        first_line(tagged.message).strip(),
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
    picked += [n for n in ordered if records.PRODUCTION_NAMES.fullmatch(n) and n not in picked]
    picked += [n for n in ordered if records.INTEGRATION_NAMES.fullmatch(n) and n not in picked]
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


def _line_families(
    repo: pygit2.Repository, branches: Mapping[str, tuple[int, str]], tag_targets: Mapping[str, list[str]]
) -> dict[str, tuple[LineRecord, ...]]:
    grouped: dict[str, list[str]] = {}
    for name in branches:
        family = records.line_family(name)
        if family is not None:
            grouped.setdefault(family, []).append(name)
    biggest = sorted(grouped, key=lambda f: (-len(grouped[f]), f))[:MAX_FAMILIES]
    out: dict[str, tuple[LineRecord, ...]] = {}
    for family in biggest:
        newest = sorted(grouped[family], key=lambda n: -branches[n][0])[:MAX_MEMBERS]
        walked = []
        for name in newest:
            try:
                walked.append(walk_line(repo, name, branches[name][1], tag_targets, MEMBER_STEPS, MEMBER_DIFFS))
            except (*MISSING, pygit2.GitError, KeyError):
                continue
        out[family] = tuple(walked)
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
