"""Collect promotion branches, and apply the ``promotion-branch`` deployed-ref strategy.

A promotion branch (``prod/hotfix/{date}_{slug}``) is cut from the last deployed ref; what
runs in production at any moment is the newest (by commit time) of the production branch's
tip and the promotion branches' tips. For each promotion branch this reads its first-parent
chain past the production branch (one hidden walk each), finds the promotion branch it was
cut from by the commits they share, and reads the production branch's first-parent chain
back to the oldest base. Bounded by the number of promotion branches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import replace

import pygit2

from hotfix_lint.collect.git.line_chain import LineChains
from hotfix_lint.collect.git.repository import MISSING, resolve_branch, to_commit_fact
from hotfix_lint.facts import CommitFact, HotfixFact, RepositoryFacts
from hotfix_lint.facts.promotion import PromotionBranchFact, PromotionFacts, deployed_at, deployed_now
from hotfix_lint.facts.refs import BranchFact
from hotfix_lint.policy.model import Policy

#: commits read past the production branch on one promotion branch
MAX_CHAIN = 5000
#: promotion branches examined (newest tips first)
MAX_PROMOTION_BRANCHES = 200
#: production commits read below the oldest promotion branch's base
_MARGIN = 86400


def production_name(policy: Policy) -> str | None:
    """P for a promotion process: the first production name that is a plain branch name."""
    for name in policy.production:
        if "{" in name or "*" in name or name.startswith("^") or policy.is_promotion_name(name):
            continue
        return name
    return None


def _day_start(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


class _Chain:
    """One promotion branch while it is read: its commits past production, newest first."""

    def __init__(self, branch: BranchFact, commits: list[CommitFact], truncated: bool) -> None:
        self.branch = branch
        self.commits = commits
        self.ids = {c.id: i for i, c in enumerate(commits)}
        self.truncated = truncated


class _ProductionChain:
    """P's first-parent chain, read lazily newest first: is a commit *on* it (not merely reachable)?

    A promotion branch's base is where its first-parent chain meets P's: after a regular
    release brought a hotfix's commits into P through the integration branch, those commits
    are reachable from P but were never on its chain, and still belong to the promotion branch.
    """

    def __init__(self, commits: Iterator[pygit2.Commit]) -> None:
        #: P's own chain (``collect.git.line_chain``: through the server's side of pull merges)
        self._walker = commits
        self._ids: set[str] = set()
        self._timeline: list[tuple[int, str]] = []
        self._done = False

    def _advance(self) -> bool:
        if self._done:
            return False
        try:
            commit = next(self._walker)
        except (StopIteration, *MISSING):
            self._done = True
            return False
        self._ids.add(str(commit.id))
        self._timeline.append((commit.commit_time, str(commit.id)))
        return True

    def has(self, commit: pygit2.Commit) -> bool:
        """Read P's chain down to ``commit``'s time (a day's margin for clock skew), then look it up."""
        cid = str(commit.id)
        while cid not in self._ids and (not self._timeline or self._timeline[-1][0] >= commit.commit_time - _MARGIN):
            if not self._advance():
                break
        return cid in self._ids

    def until(self, oldest: int) -> list[tuple[int, str]]:
        """(time, id) of P's chain, newest first, down to the first commit older than ``oldest``."""
        while not self._timeline or self._timeline[-1][0] >= oldest:
            if not self._advance():
                break
        return list(self._timeline)


def collect_promotion(repo: pygit2.Repository, policy: Policy, branches: list[BranchFact]) -> PromotionFacts | None:
    """Promotion branches and the production timeline; ``None`` without a promotion pattern or P."""
    pattern = policy.promotion_pattern
    p_name = production_name(policy)
    if pattern is None or policy.promotion_branch is None or p_name is None:
        return None
    p_ref = resolve_branch(repo, p_name)
    if p_ref is None:
        return None
    p_tip = repo.lookup_reference(p_ref).peel(pygit2.Commit)
    best: dict[str, BranchFact] = {}
    for branch in branches:
        if branch.name == p_name or not policy.is_promotion_name(branch.name):
            continue
        if branch.name not in best or (branch.remote is None and best[branch.name].remote is not None):
            best[branch.name] = branch
    chosen = sorted(best.values(), key=lambda b: b.tip_time, reverse=True)[:MAX_PROMOTION_BRANCHES]
    production = _ProductionChain(LineChains(repo, policy).walk(p_tip.id, p_name))
    chains: dict[str, _Chain] = {}
    for branch in chosen:
        commits: list[CommitFact] = []
        truncated = False
        try:
            walker = repo.walk(pygit2.Oid(hex=branch.tip))
            walker.simplify_first_parent()
            for commit in walker:
                if production.has(commit):
                    break
                if len(commits) >= MAX_CHAIN:
                    truncated = True
                    break
                commits.append(to_commit_fact(commit))
        except MISSING:
            truncated = True
        chains[branch.name] = _Chain(branch, commits, truncated)
    facts: list[PromotionBranchFact] = []
    for chain in chains.values():
        facts.append(_branch_fact(repo, policy, chain, chains))
    facts.sort(key=lambda f: (f.created, f.name))
    oldest = min((f.base_time for f in facts), default=p_tip.commit_time)
    timeline = production.until(oldest - _MARGIN)
    return PromotionFacts(
        pattern=policy.promotion_branch,
        production=p_name,
        production_tip=str(p_tip.id),
        production_chain=tuple(timeline),
        branches=tuple(facts),
    )


def _cut_from(chain: _Chain, other: _Chain, shared: str) -> bool:
    """Was ``chain`` cut from ``other`` (rather than the other way round) at ``shared``?"""
    mine_tip, other_tip = chain.branch.tip, other.branch.tip
    if shared == other_tip and shared != mine_tip:
        return True
    if shared == mine_tip and shared != other_tip:
        return False
    pattern_date = re.compile(r"\d{4}-\d{2}-\d{2}")

    def rank(c: _Chain) -> tuple[str, int, str]:
        found = pattern_date.search(c.branch.name)
        index = c.ids[shared]
        after = c.commits[index - 1].commit_time if index > 0 else c.branch.tip_time
        return (found.group(0) if found else "9999-99-99", after, c.branch.name)

    return rank(other) < rank(chain)


def _branch_fact(
    repo: pygit2.Repository, policy: Policy, chain: _Chain, chains: dict[str, _Chain]
) -> PromotionBranchFact:
    branch = chain.branch
    values = policy.promotion_pattern.match(branch.name) if policy.promotion_pattern else None
    base: str | None = None
    parent: str | None = None
    position = len(chain.commits)
    for other in chains.values():
        if other is chain or not other.commits:
            continue
        for i, commit in enumerate(chain.commits):
            if i >= position:
                break
            if commit.id in other.ids:
                if _cut_from(chain, other, commit.id):
                    position, base, parent = i, commit.id, other.branch.name
                break
    own = chain.commits[:position]
    if base is None:
        if chain.commits:
            oldest = chain.commits[-1]
            base = oldest.parents[0] if oldest.parents else oldest.id
        else:
            base = branch.tip
    try:
        base_time = repo[base].peel(pygit2.Commit).commit_time
    except MISSING:
        base_time = branch.tip_time
    date = values.get("date") if values else None
    if date is None:
        found = re.search(r"\d{4}-\d{2}-\d{2}", branch.name)
        date = found.group(0) if found else None
    day = _day_start(date)
    created = base_time if day is None else max(base_time, day)
    if own:
        created = own[-1].commit_time
    contains = []
    chain_ids = set(chain.ids)
    for other in chains.values():
        if other is chain:
            continue
        tip = other.branch.tip
        if tip == branch.tip or tip in chain_ids:
            contains.append(other.branch.name)
        elif not other.commits:
            try:
                if repo.descendant_of(pygit2.Oid(hex=branch.tip), pygit2.Oid(hex=tip)):
                    contains.append(other.branch.name)
            except MISSING:
                pass
    return PromotionBranchFact(
        name=branch.name,
        ref=branch.ref,
        tip=branch.tip,
        tip_time=branch.tip_time,
        matches=values is not None,
        base=base,
        base_time=base_time,
        created=created,
        parent=parent,
        commits=tuple(own),
        contains=tuple(sorted(contains)),
        date=date,
        truncated=chain.truncated,
    )


def _deployed_for(hotfix: HotfixFact, promotion: PromotionFacts, policy: Policy) -> HotfixFact:
    """The ``promotion-branch`` strategy for one hotfix (the history collector leaves it open)."""
    if hotfix.merge is None:
        now = deployed_now(promotion)
        if now is None:
            return hotfix
        return replace(
            hotfix,
            deployed_ref=now.commit,
            deployed_ref_label=f"the last deployed ref: {now.label()}",
        )
    if policy.is_promotion_name(hotfix.line):
        # cut from the promotion branch's tip; where the promotion branch itself was cut is
        # promotion-chain's question
        return replace(
            hotfix,
            deployed_ref=hotfix.mainline,
            deployed_ref_label=f"{hotfix.line}'s tip before the merge",
        )
    found = deployed_at(promotion, hotfix.merge.commit_time, strict=True)
    if found is None:
        return replace(hotfix, deployed_ref=hotfix.mainline, deployed_ref_label=f"{hotfix.line}'s tip before the merge")
    return replace(
        hotfix,
        deployed_ref=found.commit,
        deployed_ref_label=f"the last deployed ref before the merge: {found.label()}",
    )


def apply_promotion_strategy(facts: RepositoryFacts, policy: Policy, promotion: PromotionFacts) -> RepositoryFacts:
    """Fill in each hotfix's deployed ref by the ``promotion-branch`` strategy."""
    history = facts.history
    if history is not None:
        lines = tuple(
            replace(line, hotfixes=tuple(_deployed_for(h, promotion, policy) for h in line.hotfixes))
            for line in history.production
        )
        history = replace(history, production=lines)
    branch = _deployed_for(facts.branch, promotion, policy) if facts.branch is not None else None
    return replace(facts, history=history, branch=branch)


def unknown_deployed_ref(facts: RepositoryFacts, reason: str) -> RepositoryFacts:
    """Say why the deployed ref is unknown (``hotfix-base`` reports it as "could not check")."""

    def explain(hotfix: HotfixFact) -> HotfixFact:
        return hotfix if hotfix.deployed_ref is not None else replace(hotfix, deployed_ref_label=reason)

    history = facts.history
    if history is not None:
        lines = tuple(replace(line, hotfixes=tuple(explain(h) for h in line.hotfixes)) for line in history.production)
        history = replace(history, production=lines)
    branch = explain(facts.branch) if facts.branch is not None else None
    return replace(facts, history=history, branch=branch)
