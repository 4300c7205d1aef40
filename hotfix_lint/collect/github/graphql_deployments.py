"""A repository's latest deployments to one environment, read in the audit's GraphQL batches
(``collect.github.graphql``), made into the deployments REST reads (``collect.github.deployments``'s
``walk``: newest first, statuses until the first success, at most ``limit``, with
``back_to`` until one created before that time succeeded).

What one query asks per repository (``collect.github.graphql``'s ``deployments_query``):
``environment(name:)`` (whether it exists: its protection, deployment branch policy and admin
bypass are not in GitHub's GraphQL schema, so an existing environment is still read through
REST) and ``deployments(environments:, first:, orderBy: CREATED_AT DESC)`` with each one's
commit, ref, creator, latest status and statuses.

Where the answer cannot say what REST says, ``NotLikeRest`` is raised and the repository is
read through REST: a deployment read whose ``ref`` is null (its branch was deleted or it was made
from a SHA: REST keeps the string), a deployment with more statuses than one page, a list cut
before the walk ends (REST would read further), an answer of the wrong shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hotfix_lint.collect.github.deployments import walk
from hotfix_lint.collect.github.graphql import NotLikeRest, epoch, rest_login
from hotfix_lint.facts.github import Deployment, GitHubFacts

if TYPE_CHECKING:
    from hotfix_lint.collect.github.target import GitHubRequest, GitHubTarget


def environment_exists(data: Mapping[str, Any], environment: str) -> bool:
    """Whether GraphQL found the environment (its settings are then read through REST)."""
    env = data.get("env")
    if env is None:
        return False
    if not isinstance(env, Mapping) or env.get("name") != environment:
        raise NotLikeRest
    return True


def _epoch(text: Any) -> int:
    """A deployment's or status's time: always given, so an absent one is an answer REST does not give."""
    at = epoch(text)
    if at is None:
        raise NotLikeRest
    return at


def _state(value: Any) -> str:
    """GraphQL's ``SUCCESS``, ``IN_PROGRESS``... as REST names them (``success``, ``in_progress``)."""
    if not isinstance(value, str) or not value:
        raise NotLikeRest
    return value.lower()


def _deployment(node: Any, environment: str) -> Deployment:

    if not isinstance(node, Mapping) or not isinstance(node.get("databaseId"), int):
        raise NotLikeRest
    ref = node.get("ref")
    if not isinstance(ref, Mapping) or not isinstance(ref.get("name"), str):
        raise NotLikeRest  # its branch is gone (or it was made from a SHA): REST still has the string
    statuses = node.get("statuses")
    if not isinstance(statuses, Mapping) or not isinstance(statuses.get("nodes"), list):
        raise NotLikeRest
    listed = statuses["nodes"]
    if not isinstance(statuses.get("totalCount"), int) or statuses["totalCount"] > len(listed):
        raise NotLikeRest  # more than one page: the newest success may be beyond it
    latest = node.get("latestStatus")
    if (latest is None) != (not listed) or (latest is not None and not isinstance(latest, Mapping)):
        raise NotLikeRest
    successes = [
        _epoch(s.get("createdAt")) for s in listed if isinstance(s, Mapping) and _state(s.get("state")) == "success"
    ]
    return Deployment(
        id=int(node["databaseId"]),
        sha=str(node["commitOid"]),
        ref=str(ref["name"]),
        environment=str(node.get("environment") or environment),
        created_at=_epoch(node.get("createdAt")),
        state=None if latest is None else _state(latest.get("state")),
        state_at=None if latest is None else _epoch(latest.get("createdAt")),
        creator=rest_login(node.get("creator")),
        succeeded_at=max(successes) if successes else None,
    )


def deployments_of(
    data: Mapping[str, Any], environment: str, limit: int, back_to: int | None, notes: list[str]
) -> tuple[tuple[Deployment, ...], bool]:
    """The deployments REST's walk (``collect.github.deployments.walk``) reads, and whether the
    list was read to its end (as REST says it); :class:`NotLikeRest` when the answer cannot say it."""
    connection = data.get("deployments")
    if not isinstance(connection, Mapping) or not isinstance(connection.get("nodes"), list):
        raise NotLikeRest
    total = connection.get("totalCount")
    if not isinstance(total, int):
        raise NotLikeRest
    nodes = (_deployment(node, environment) for node in connection["nodes"])
    found, complete = walk(nodes, environment, limit, back_to, notes)
    if complete and total > len(found):
        raise NotLikeRest  # the answer stops where REST would read on
    return found, complete


def environment_of(
    facts: GitHubFacts, data: Mapping[str, Any], request: GitHubRequest, target: GitHubTarget
) -> GitHubFacts:
    """``facts`` (made of GraphQL's answer) with the environment: none when GraphQL says it does
    not exist (the note is in ``facts`` already), else read through REST alone: the repository
    and the environment (2 or 3 requests, 304s when unchanged), nothing of its branches,
    deployments or pull requests."""
    name = facts.environment_name
    if not name or not environment_exists(data, name):
        return facts
    from hotfix_lint.collect.github.collector import collect_github

    rest = collect_github(
        target.repository,
        target.token,
        target.api_url,
        (),
        name,
        pull_bases=(),
        etags=request.etags,
        meter=request.meter,
        clients=request.clients,
        budget=request.budget,
        deployments=False,
    )
    return replace(facts, environment=rest.environment, notes=(*rest.notes, *facts.notes))

