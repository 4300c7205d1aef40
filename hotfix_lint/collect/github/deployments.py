"""A deployment environment (its reviewers, wait timer and deployment branch policy) and the
deployments to it, newest first, read only as far back as the rules need."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hotfix_lint.collect.github.session import (
    PERMISSION_ACTIONS,
    PERMISSION_DEPLOYMENTS,
    GitHubSession,
    RequestFailed,
    epoch,
    login,
)
from hotfix_lint.facts.github import Checked, Deployment, DeploymentBranchPattern, DeploymentBranchPolicy, Environment

if TYPE_CHECKING:
    from github.Deployment import Deployment as GitHubDeployment
    from github.Repository import Repository


def read_environment(
    session: GitHubSession, repo: Repository, name: str, page_size: int
) -> Checked[Environment | None]:
    from github.Environment import Environment as GitHubEnvironment
    from github.Team import Team

    # built from the name, percent-encoded: the answer's own ``url`` leaves a ``/`` unescaped
    url = f"{repo.url}/environments/{quote(name, safe='')}"
    try:
        headers, data = session.get(url)
    except RequestFailed as failure:
        if failure.status == 404:
            return None
        return failure.could_not(f"environment {name!r}", PERMISSION_ACTIONS)
    env = session.gh.create_from_raw_data(GitHubEnvironment, data, headers)

    reviewers: list[str] = []
    teams: list[str] = []
    wait_timer = 0
    prevent_self_review = False
    for rule in env.protection_rules or ():
        if rule.type == "wait_timer":
            wait_timer = int(rule.wait_timer or 0)
        elif rule.type == "required_reviewers":
            prevent_self_review = bool(rule.prevent_self_review)
            for entry in rule.reviewers or ():
                if isinstance(entry.reviewer, Team):
                    teams.append(str(entry.reviewer.slug))
                elif entry.reviewer is not None:
                    reviewers.append(str(entry.reviewer.login))
    policy = None
    settings = env.deployment_branch_policy
    if settings is not None:
        patterns: Checked[tuple[DeploymentBranchPattern, ...]] = ()
        if settings.custom_branch_policies:
            patterns = _branch_patterns(session, url, name, page_size)
        policy = DeploymentBranchPolicy(
            protected_branches=bool(settings.protected_branches),
            custom_branch_policies=bool(settings.custom_branch_policies),
            patterns=patterns,
        )
    return Environment(
        name=env.name,
        reviewers=tuple(reviewers),
        reviewer_teams=tuple(teams),
        prevent_self_review=prevent_self_review,
        wait_timer=wait_timer,
        branch_policy=policy,
        can_admins_bypass=_flag(data.get("can_admins_bypass") if isinstance(data, Mapping) else None),
    )


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _branch_patterns(
    session: GitHubSession, env_url: str, name: str, page_size: int
) -> Checked[tuple[DeploymentBranchPattern, ...]]:
    try:
        policies = session.get_list(f"{env_url}/deployment-branch-policies", page_size, key="branch_policies")
    except RequestFailed as failure:
        return failure.could_not(f"deployment branch policies of environment {name!r}", PERMISSION_ACTIONS)
    return tuple(DeploymentBranchPattern(str(p["name"]), str(p.get("type") or "branch")) for p in policies)


def deployments_to(
    session: GitHubSession,
    repo: Repository,
    environment: str,
    limit: int,
    back_to: int | None,
    notes: list[str],
) -> tuple[Checked[tuple[Deployment, ...]], bool]:
    """The deployments :func:`walk` reads, each with its statuses (one request each, made only
    as the walk reaches it), and whether the list was read to its end."""
    listed = session.first(repo.get_deployments(environment=environment), limit)
    try:
        return walk((_deployment(session, item) for item in listed), environment, limit, back_to, notes)
    except RequestFailed as failure:
        return failure.could_not(f"deployments to {environment!r}", PERMISSION_DEPLOYMENTS), False


def walk(
    items: Iterator[Deployment], environment: str, limit: int, back_to: int | None, notes: list[str]
) -> tuple[tuple[Deployment, ...], bool]:
    """The deployments to read of ``items`` (newest first): at most ``limit``, up to the first
    that succeeded (with ``back_to``: the first created before that time that succeeded); and
    whether the list was read to its end. REST and GraphQL (``collect.github.graphql_deployments``)
    both read through it, so the two stop at the same deployment."""
    found: list[Deployment] = []
    for deployment in islice(items, limit):
        found.append(deployment)
        if deployment.succeeded and (back_to is None or deployment.created_at < back_to):
            return tuple(found), False
    complete = len(found) < limit
    if not complete and back_to is not None:
        notes.append(f"only the {limit} most recent deployments to {environment!r} were read")
    return tuple(found), complete


def _deployment(session: GitHubSession, item: GitHubDeployment) -> Deployment:
    """One listed deployment and its statuses (newest first); statuses it cannot read are a
    "could not check" state."""
    state: Checked[str | None]
    state_at = succeeded_at = None
    try:
        statuses = session.call(partial(item.get_statuses().get_page, 0))
    except RequestFailed as failure:
        state = failure.could_not(f"status of deployment {item.id}", PERMISSION_DEPLOYMENTS)
    else:
        latest = statuses[0] if statuses else None
        state = None if latest is None else str(latest.state)
        state_at = None if latest is None else epoch(latest.created_at)
        success = next((s for s in statuses if s.state == "success"), None)  # newest first
        succeeded_at = None if success is None else epoch(success.created_at)
    return Deployment(
        id=int(item.id),
        sha=str(item.sha),
        ref=str(item.ref),
        environment=str(item.environment),
        created_at=epoch(item.created_at) or 0,
        state=state,
        state_at=state_at,
        creator=login(item.creator),
        succeeded_at=succeeded_at,
    )
