"""The branch under check, judged as if it were merged into its production line now.

What ``check --branch`` and the git hooks judge: the branch's own commits against the
nearest production line (or the one named), its base and how far behind the line it is,
what it changes (with the staged changes at pre-commit) and its changelog. It reads through
a :class:`~hotfix_lint.collect.reader.GitReader` and never walks production history, so a
hook does not import the history walk (:mod:`hotfix_lint.collect.history`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.reader import GitReader
from hotfix_lint.collect.repository import ref_tip, resolve_branch
from hotfix_lint.errors import RepositoryError
from hotfix_lint.facts import CommitFact, HotfixFact
from hotfix_lint.facts.versions import find_tickets, version_key

if TYPE_CHECKING:
    from hotfix_lint.facts.refs import TagFact


def collect_branch(
    reader: GitReader,
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
            tip = reader.revision(at)
        except RepositoryError:
            if reader.boundary:
                what = f"the commit {at[:10]} of {name} is not in it"
                raise reader.shallow_error(what, need="to judge the branch") from None
            raise RepositoryError(
                f"the commit {at[:10]} of {name} is not in this clone: fetch it (a pull request's head: "
                "`git fetch origin refs/pull/NUMBER/head`; pull_request_target checks out the base only)"
            ) from None
    else:
        ref = resolve_branch(reader.repo, name)
        if ref is None:
            raise RepositoryError(f"branch {name!r} not found (neither local nor remote-tracking)")
        tip = ref_tip(reader.repo, ref)
    tips = _line_tips(reader, line, line_at)
    best: tuple[int, str, pygit2.Commit, list[CommitFact], str | None, list[str]] | None = None
    for line_name, line_tip in tips:
        if line_name == name and (at is None or line is None):
            continue  # the line itself (a fork's ``main`` at its own commit is judged against ``main``)
        own, base, extra = reader.own_commits(tip.id, line_tip.id)
        if best is None or len(own) < best[0]:
            best = (len(own), line_name, line_tip, own, base, extra)
    if best is None:
        raise RepositoryError(f"{name} is itself a production branch; name a hotfix branch with --branch")
    _, line_name, line_tip, own, base, extra = best
    distance: int | None = None
    deployed: str | None = str(line_tip.id)
    deployed_label = f"{line_name}'s tip"
    best_tag: TagFact | None = None
    base_time = reader.commit(base).commit_time if base else 0
    chains = reader.chains  # the line's own chain, through the server's side of pull merges
    for i, commit in enumerate(chains.walk(line_tip.id, line_name)):
        parents = chains.parents(commit, line_name)
        landed_base = (
            len(parents) > 1
            and str(parents[1]) == base
            and not reader.policy.is_allowed_feeder(_merge_source(commit.message))
        )
        if base is not None and distance is None and (str(commit.id) == base or landed_base):
            distance = i
            base = str(commit.id)  # the branch landed before: its base is that merge
        if reader.policy.deployed_ref == "tag" and best_tag is None:
            tags = reader.release_tags.get(str(commit.id))
            if tags:
                best_tag = max(tags, key=lambda t: version_key(reader.tag_version(t) or "") or (0, 0, 0, 0))
        if (distance is not None or commit.commit_time < base_time) and (
            best_tag is not None or reader.policy.deployed_ref != "tag"
        ):
            break
        if str(commit.id) in reader.boundary:
            raise reader.shallow_error(
                f"the history of {line_name}", commit, i + 1, need=f"back to where {name} was cut from it"
            )
    if reader.policy.deployed_ref == "tag":
        deployed = best_tag.target if best_tag else None
        deployed_label = f"release tag {best_tag.name}" if best_tag else "no release tag on the line"
    elif reader.policy.deployed_ref not in ("branch",):
        deployed = None
        deployed_label = (
            f"deployed_ref strategy {reader.policy.deployed_ref!r} is not available from git history"
        )
    integration_tip = _integration_tip(reader)
    fork = reader.repo.merge_base(tip.id, line_tip.id)
    if staged:
        paths, added = _staged_diff_facts(reader, fork, index_file)
    else:
        paths, added = reader.diff_facts(fork, tip.id)
    version = reader.version_from_name(name)
    hotfix = HotfixFact(
        source=name,
        line=line_name,
        tip=str(tip.id),
        mainline=str(line_tip.id),
        own_commits=tuple(own),
        original_base=base,
        merge=None,
        extra_bases=tuple(extra),
        unrelated_root=reader.own_root(own),
        base_on_line=distance is not None,
        base_distance=distance,
        deployed_ref=deployed,
        deployed_ref_label=deployed_label,
        version=version,
        tickets=find_tickets(reader.ticket_re, name, *(c.message for c in own)),
        release_point=str(tip.id),
        changelog=reader.snapshot(str(tip.id)),
        changed_paths=paths,
        changelog_added_lines=added,
    )
    if integration_tip is not None and not reader.policy.is_integration_name(name) and base != deployed:
        hotfix = replace(hotfix, carried=reader.carried(hotfix, integration_tip))
    return hotfix


def _integration_tip(reader: GitReader) -> str | None:
    """Where the integration branch is now (None when there is none): a branch cut from it
    carries commits that are not the hotfix's."""
    name = reader.policy.integration
    ref = resolve_branch(reader.repo, name) if name else None
    return str(ref_tip(reader.repo, ref).id) if ref is not None else None


def _line_tips(reader: GitReader, line: str | None, line_at: str | None) -> list[tuple[str, pygit2.Commit]]:
    """(name, tip) of the lines a branch may be judged against: ``line`` alone when given."""
    if line is not None:
        ref = resolve_branch(reader.repo, line)
        if ref is not None:
            return [(line, ref_tip(reader.repo, ref))]
        if line_at is not None:
            try:
                return [(line, reader.revision(line_at))]
            except RepositoryError:
                if not reader.boundary:
                    raise
        if reader.boundary:
            raise reader.shallow_error(f"the branch {line} is not in it", need="to judge against it")
        raise RepositoryError(f"base branch {line!r} not found (neither local nor remote-tracking): fetch it")
    refs, missing = reader.production_refs()
    if not refs:
        if missing:
            from hotfix_lint.collect.missing_line import missing_production_error

            raise missing_production_error(reader.repo, missing)
        raise RepositoryError("no branch of this repository matches the policy's `production:`")
    return [(name, ref_tip(reader.repo, ref)) for name, ref in refs]


def _staged_diff_facts(
    reader: GitReader, old: pygit2.Oid | str | None, index_file: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Like :meth:`GitReader.diff_facts` from ``old`` to the staged tree: the index, or ``index_file``
    (git points ``GIT_INDEX_FILE`` at a temporary index for ``git commit -a`` or ``git commit PATH``)."""
    if old is None:
        return (), ()
    index = pygit2.Index(index_file) if index_file else reader.repo.index
    return reader.facts_of_diff(reader.commit(old).tree.diff_to_index(index))


def _merge_source(message: str) -> str:
    """The branch a merge message names as its source ("" when none). The parser is imported on
    the rare merge that lands a branch's base: a hook seldom meets one, and skips defining it."""
    from hotfix_lint.facts.merge_message import parse_merge_message

    return parse_merge_message(message).source or ""
