"""Decide what to read from GitHub for a policy, read it, and fold it into the git facts.

``gather`` calls :func:`read_github` only when a selected rule needs a GitHub fact kind (or
the policy's deployed ref is ``github-deployment``). Without a token or a repository the
kinds are *skipped* (the rules are named in a note, nothing is reported against them); with
both, :func:`hotfix_lint.collect.github.collector.collect_github` reads what the rules need, and every
request it cannot make becomes a "could not check" value inside the facts.

Which branches are read: the production branches and the integration branch, the branch
patterns named in ``branch-protection``'s ``branches`` option, and the promotion branches.
A pattern is expanded to the local and remote-tracking branches it matches (the most
recently moved first, a few at most); a promotion pattern nothing matches yet is read through
a sample name, for which GitHub still answers which rulesets would apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pygit2

from hotfix_lint.collect.git.repository import list_branches
from hotfix_lint.facts import GitHubFacts, HotfixFact, RepositoryFacts
from hotfix_lint.facts.history import HistoryFacts
from hotfix_lint.facts.kinds import (
    GIT_BRANCH,
    GIT_HISTORY,
    GITHUB,
    GITHUB_BYPASS,
    GITHUB_DEPLOYMENTS,
    GITHUB_KINDS,
    GITHUB_PULLS,
    GITHUB_WORKFLOWS,
)
from hotfix_lint.policy.model import Policy
from hotfix_lint.policy.patterns import NamePattern, PatternError, compile_pattern

if TYPE_CHECKING:  # collect.github.collector and target are imported only when GitHub is configured (hooks never are)
    from hotfix_lint.collect.github.graphql_facts import DeploymentRead
    from hotfix_lint.collect.github.target import GitHubRequest, GitHubTarget

#: at most this many existing branches are read for one pattern (the most recently moved)
BRANCHES_PER_PATTERN = 5
#: deployments read when their history matters (deployment-source, github-deployment history)
MAX_DEPLOYMENTS = 30
PROBE_SLUG = "hotfix-lint-probe"
GITHUB_DEPLOYMENT = "github-deployment"
#: the kinds GraphQL's batched answers hold (``collect.github.graphql``); others are read through REST
GRAPHQL_KINDS = frozenset({GITHUB, GITHUB_PULLS, GITHUB_DEPLOYMENTS})


@dataclass(frozen=True)
class GitHubOutcome:
    """What reading GitHub added: the facts, kinds skipped or unavailable, notes, and the git
    facts with their deployed refs filled in (``github-deployment``)."""

    facts: GitHubFacts | None
    history: HistoryFacts | None
    branch: HotfixFact | None
    skipped: Mapping[str, str] = field(default_factory=dict)
    unavailable: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def wanted_kinds(policy: Policy, kinds: Iterable[str]) -> frozenset[str]:
    """The GitHub kinds to read: those the rules need, plus deployments when the deployed ref
    is the last successful deployment and a rule judges hotfix bases."""
    wanted = set(kinds) & GITHUB_KINDS
    if policy.deployed_ref == GITHUB_DEPLOYMENT and {GIT_HISTORY, GIT_BRANCH} & set(kinds):
        wanted.add(GITHUB_DEPLOYMENTS)
    return frozenset(wanted)


def origin_url(repo: pygit2.Repository) -> str | None:
    """The URL of the ``origin`` remote, if there is one."""
    try:
        return str(repo.remotes["origin"].url or "") or None
    except (KeyError, ValueError):
        return None


def is_literal(source: str) -> bool:
    return "{" not in source and "*" not in source and not source.startswith("^")


def probe_name(pattern: NamePattern) -> str | None:
    """A sample branch name matching ``pattern``, standing for branches that do not exist yet."""
    sample = pattern.example(slug=PROBE_SLUG)
    return sample if sample is not None and pattern.matches(sample) else None


@dataclass(frozen=True)
class GitHubPlan:
    """The branches (and sample names) whose protection to read, and the pull request bases."""

    branches: tuple[str, ...]
    probes: tuple[str, ...]
    pull_bases: tuple[str, ...]


def plan_branches(policy: Policy, existing: Mapping[str, int], kinds: frozenset[str]) -> GitHubPlan:
    """Which branches to read. ``existing``: branch name -> tip time, local and remote-tracking."""
    branches: list[str] = []
    probes: list[str] = []
    bases: list[str] = []

    def expand(source: str, *, into_bases: bool, probe_if_none: bool = False) -> None:
        if is_literal(source):
            names = [source]
        else:
            try:
                pattern = compile_pattern(source, policy.ticket_pattern)
            except PatternError:
                return
            matching = sorted((n for n in existing if pattern.matches(n)), key=lambda n: (-existing[n], n))
            names = matching[:BRANCHES_PER_PATTERN]
            if not names and probe_if_none:
                probe = probe_name(pattern)
                if probe is not None and probe not in probes:
                    probes.append(probe)
                return
        for name in names:
            if name not in branches:
                branches.append(name)
            if into_bases and name not in bases:
                bases.append(name)

    for source in policy.production:
        expand(source, into_bases=True)
    for integration in policy.integrations:
        expand(integration, into_bases=False)
    setting = policy.rules.get("branch-protection")
    extra = setting.options.get("branches") if setting is not None else None
    if isinstance(extra, Mapping):
        for source in extra:
            expand(str(source), into_bases=False)
    if policy.promotion_branch:
        expand(policy.promotion_branch, into_bases=True, probe_if_none=True)
    if not {GITHUB, GITHUB_BYPASS} & kinds:
        branches, probes = [], []
    return GitHubPlan(tuple(branches), tuple(probes), tuple(bases) if GITHUB_PULLS in kinds else ())


def _since_time(since: str | None) -> int | None:
    if not since:
        return None
    try:
        day = dt.date.fromisoformat(since)
    except ValueError:
        return None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def _oldest_merge(history: HistoryFacts | None) -> int | None:
    times = [h.merge.commit_time for line in (history.production if history else ()) for h in line.hotfixes if h.merge]
    return min(times) if times else None


def read_github(
    repo: pygit2.Repository,
    policy: Policy,
    kinds: Iterable[str],
    request: GitHubRequest | None,
    *,
    history: HistoryFacts | None,
    branch: HotfixFact | None,
    since: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> GitHubOutcome:
    """Read the GitHub facts ``kinds`` need (``request`` None: GitHub is not configured here)."""
    kinds = frozenset(kinds)
    wanted = wanted_kinds(policy, kinds)
    if not wanted:
        return GitHubOutcome(None, history, branch)
    if request is None:
        return _not_read(policy, wanted, history, branch, "GitHub access is not configured")
    from hotfix_lint.collect.github.target import resolve_target

    target = resolve_target(request, origin_url(repo), environ)
    if isinstance(target, str):
        return _not_read(policy, wanted, history, branch, target)
    existing: dict[str, int] = {}
    for fact in list_branches(repo):
        existing[fact.name] = max(existing.get(fact.name, 0), fact.tip_time)
    plan = plan_branches(policy, existing, wanted)
    back_to: int | None = None
    if GITHUB_DEPLOYMENTS in wanted:
        if GITHUB_DEPLOYMENTS in kinds:  # deployment-source judges every deployment since `since`
            back_to = _since_time(since or policy.since) or 0
        if policy.deployed_ref == GITHUB_DEPLOYMENT and GIT_HISTORY in kinds:
            oldest = _oldest_merge(history)
            if oldest is not None:
                back_to = oldest if back_to is None else min(back_to, oldest)
    max_deployments = MAX_DEPLOYMENTS if back_to is not None else 10

    def head_filter(head: str) -> bool:
        """Pull requests from feeders and production branches are not hotfixes."""
        return not (policy.is_allowed_feeder(head) or policy.is_production_name(head))

    deployments = None
    if GITHUB_DEPLOYMENTS in wanted and policy.deployed_environment:
        from hotfix_lint.collect.github.graphql_facts import DeploymentRead

        deployments = DeploymentRead(policy.deployed_environment, max_deployments, back_to)
    from hotfix_lint.collect.github.collector import collect_github

    try:
        facts = _from_graphql(request, target, plan, wanted, head_filter, deployments) or collect_github(
            target.repository,
            target.token,
            target.api_url,
            plan.branches,
            policy.deployed_environment if {GITHUB_DEPLOYMENTS, GITHUB_BYPASS} & wanted else None,
            pull_bases=plan.pull_bases,
            head_filter=head_filter,
            max_deployments=max_deployments,
            deployments_back_to=back_to,
            probe_branches=plan.probes,
            etags=request.etags,
            meter=request.meter,
            clients=request.clients,
            budget=request.budget,
            bypass=GITHUB_BYPASS in wanted,
            workflows=GITHUB_WORKFLOWS in wanted,
            deployments=GITHUB_DEPLOYMENTS in wanted,
        )
    except ValueError as exc:  # a malformed API URL; the message never holds the token
        reason = f"GitHub could not be read: {exc}"
        history, branch = with_deployed_refs(policy, history, branch, None, reason)
        return GitHubOutcome(None, history, branch, unavailable={kind: reason for kind in wanted})
    notes = [f"read GitHub repository {target.repository} (from {target.source})", *facts.notes]
    history, branch = with_deployed_refs(policy, history, branch, facts, "")
    from hotfix_lint.collect.pull_heads import with_pull_heads

    history = with_pull_heads(policy, history, facts)
    return GitHubOutcome(facts, history, branch, notes=tuple(notes))


def _not_read(
    policy: Policy, wanted: frozenset[str], history: HistoryFacts | None, branch: HotfixFact | None, reason: str
) -> GitHubOutcome:
    """GitHub not read (``reason``): the kinds are skipped, deployed refs say why they are unknown."""
    history, branch = with_deployed_refs(policy, history, branch, None, f"it needs GitHub: {reason}")
    return GitHubOutcome(None, history, branch, skipped={kind: reason for kind in wanted})


def _from_graphql(
    request: GitHubRequest,
    target: GitHubTarget,
    plan: GitHubPlan,
    wanted: frozenset[str],
    head_filter: Callable[[str], bool],
    deployments: DeploymentRead | None,
) -> GitHubFacts | None:
    """The facts made of GraphQL's answer for the repository, when the audit read one and it
    holds all the plan needs (settings, branches, pull requests, deployments); None: read
    through REST. An environment that exists is read through REST alone (GraphQL lacks its
    deployment branch policy and admin bypass: ``collect.github.graphql_deployments``)."""
    answer = request.graphql.get(target.repository.lower()) if request.graphql else None
    if answer is None or plan.probes or not wanted <= GRAPHQL_KINDS:
        return None
    from hotfix_lint.collect.github.graphql_deployments import environment_of
    from hotfix_lint.collect.github.graphql_facts import facts_of

    facts = facts_of(answer, plan.branches, plan.pull_bases, head_filter, deployments)
    if facts is None or deployments is None:
        return facts
    return environment_of(facts, answer.data, request, target)


def add_github(
    repo: pygit2.Repository,
    policy: Policy,
    kinds: Iterable[str],
    request: GitHubRequest | None,
    facts: RepositoryFacts,
    *,
    since: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> RepositoryFacts:
    """``facts`` with what GitHub says added (see :func:`read_github`)."""
    if facts.empty or not wanted_kinds(policy, kinds):
        return facts
    outcome = read_github(
        repo, policy, kinds, request, history=facts.history, branch=facts.branch, since=since, environ=environ
    )
    return replace(
        facts,
        github=outcome.facts,
        history=outcome.history,
        branch=outcome.branch,
        skipped={**facts.skipped, **outcome.skipped},
        unavailable={**facts.unavailable, **outcome.unavailable},
        notes=(*facts.notes, *outcome.notes),
    )


def with_deployed_refs(
    policy: Policy,
    history: HistoryFacts | None,
    branch: HotfixFact | None,
    facts: GitHubFacts | None,
    reason: str,
) -> tuple[HistoryFacts | None, HotfixFact | None]:
    """For ``deployed_ref: github-deployment``: each hotfix's deployed ref is the commit of the
    last deployment that succeeded before its merge (the branch under check: the last one)."""
    if policy.deployed_ref != GITHUB_DEPLOYMENT:
        return history, branch

    def fill(hotfix: HotfixFact) -> HotfixFact:
        if facts is None:
            return replace(hotfix, deployed_ref=None, deployed_ref_label=f"deployed_ref {GITHUB_DEPLOYMENT}: {reason}")
        sha, label = facts.deployed_at(hotfix.merged_at)
        changed = replace(hotfix, deployed_ref=sha, deployed_ref_label=label)
        if sha is not None and hotfix.original_base == sha:
            changed = replace(changed, carried=())
        return changed

    if branch is not None:
        branch = fill(branch)
    if history is not None:
        lines = tuple(replace(line, hotfixes=tuple(fill(h) for h in line.hotfixes)) for line in history.production)
        history = replace(history, production=lines)
    return history, branch
