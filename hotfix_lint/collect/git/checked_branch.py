"""The branch under check, judged as if it were merged into its production line now.

What ``check --branch`` and the git hooks judge: the branch's own commits against the
nearest production line (or the one named), its base and how far behind the line it is,
what it changes (with the staged changes at pre-commit) and its changelog. It reads through
a :class:`~hotfix_lint.collect.git.reader.GitReader` and never walks production history, so a
hook does not import the history walk (:mod:`hotfix_lint.collect.git.history`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.git.deployed_then import DeployedRefs, DeployedThen, first_own
from hotfix_lint.collect.git.reader import GitReader
from hotfix_lint.collect.git.repository import ref_tip, resolve_branch, to_commit_fact
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
    integration_tip = _integration_tip(reader, line_name)
    # the work started at the first own commit integration did not have (a branch cut from
    # integration brings integration's older commits along); only asked for a base not at the tip
    had: set[str] = set()
    if integration_tip is not None and not reader.policy.is_integration_name(name) and own and base != str(line_tip.id):
        walked = reader.walk([pygit2.Oid(hex=integration_tip)], [line_tip.id])
        had = {str(c.id) for c in walked} & {c.id for c in own}
        had = set() if len(had) == len(own) else had  # the branch itself was merged into integration
    then, base = _deployed_then(reader, name, line_name, line_tip, [c for c in own if c.id not in had], base, tip)
    deployed, deployed_label, distance = then.deployed, then.label, then.distance
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
        base_on_line=then.base_on_line,
        base_distance=distance,
        deployed_ref=deployed,
        deployed_ref_label=deployed_label,
        work_started=then.started,
        moved_during_review=then.moved,
        version=version,
        tickets=find_tickets(reader.ticket_re, itertools.chain((name,), (c.message for c in own))),
        release_point=str(tip.id),
        changelog=reader.snapshot(str(tip.id)),
        changed_paths=paths,
        changelog_added_lines=added,
    )
    if integration_tip is not None and not reader.policy.is_integration_name(name) and base != deployed:
        hotfix = replace(hotfix, carried=reader.carried(hotfix, integration_tip))
    return hotfix


def _deployed_then(
    reader: GitReader,
    name: str,
    line_name: str,
    line_tip: pygit2.Commit,
    own: list[CommitFact],
    base: str | None,
    tip: pygit2.Commit,
) -> tuple[DeployedThen, str | None]:
    """The deployed ref when the branch's work started (its first own commit), as for a landed
    hotfix (``collect.git.deployed_then``), and the branch's base: a merge of the branch that landed
    before is its base (the branch continued after it). Reads the line's first-parent chain from
    its tip back to before the work started and the base, and to a release tag for ``tag``."""
    first = first_own(own, str(tip.id))
    started = first.author_time if first is not None else None
    base_time = reader.commit(base).commit_time if base else 0
    since = min(base_time, started) if started is not None else base_time
    wants_tag = reader.policy.deployed_ref == "tag"
    chain: list[CommitFact] = []
    index: dict[str, int] = {}
    found = base is None
    tagged = not wants_tag
    chains = reader.chains  # the line's own chain, through the server's side of pull merges
    for i, commit in enumerate(chains.walk(line_tip.id, line_name)):
        parents = chains.parents(commit, line_name)
        fact = to_commit_fact(commit)
        index[fact.id] = len(chain)
        chain.append(fact)
        landed_base = (
            len(parents) > 1
            and str(parents[1]) == base
            and not reader.policy.is_allowed_feeder(_merge_source(commit.message))
        )
        if not found and (fact.id == base or landed_base):
            found = True
            base = fact.id  # the branch landed before: its base is that merge
        if wants_tag and not tagged and fact.commit_time <= since and reader.release_tags.get(fact.id):
            tagged = True
        if (found or commit.commit_time < base_time) and commit.commit_time < since and tagged:
            break
        if fact.id in reader.boundary:
            raise reader.shallow_error(
                f"the history of {line_name}", commit, i + 1, need=f"back to where {name} was cut from it"
            )
    refs = DeployedRefs(reader, line_name, chain, index, _newer(reader))
    return refs.when_started(str(line_tip.id), base, first), base


def _newer(reader: GitReader) -> Callable[[TagFact, TagFact], bool]:
    def newer(tag: TagFact, than: TagFact) -> bool:
        a = version_key(reader.tag_version(tag) or "")
        b = version_key(reader.tag_version(than) or "")
        return a is not None and (b is None or a > b)

    return newer


def _integration_tip(reader: GitReader, line: str) -> str | None:
    """Where the line's integration branch is now (None when there is none): a branch cut from
    it carries commits that are not the hotfix's."""
    name = reader.policy.integration_for(line)
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
            from hotfix_lint.collect.git.missing_line import missing_production_error

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
