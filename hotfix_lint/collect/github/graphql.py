"""Read many repositories' GitHub settings in one GraphQL query, for the org audit.

REST asks one question per setting: the repository, each branch's protection, each branch's
rules, each base's pull requests: about six round trips a repository (and one more for a
repository named rather than listed). GraphQL answers them for :data:`BATCH` repositories at
once (one alias per repository, one per branch and base), so an audit of 1,000 repositories
sends some 40 queries instead of 6,000 requests.

What one query reads per repository (:func:`repository_query`): the merge settings, the
default branch, ``pushedAt``, whether it is archived or private, its URL (what a listing says
of it: a named repository needs no REST request), the token's rights; each named branch's
protection rule (``Ref.branchProtectionRule``) and the ruleset rules that apply to it
(``Ref.rules``); the rulesets (names, enforcement, conditions: for the ones in ``evaluate``
mode); the closed pull requests into each base with their reviews; the deployment
environment's existence and its latest deployments
(:mod:`hotfix_lint.collect.github.graphql_deployments`).
:mod:`hotfix_lint.collect.github.graphql_facts` makes the same facts of it as the REST path
does; whatever GraphQL cannot say the same way (a branch that does not exist, a token without
admin rights, more reviews than one page, a deleted deployment ref, an error anywhere under the
repository) leaves that repository to REST, which says exactly what
could not be checked. A query that fails as a whole leaves its repositories to REST too.

The queries go through the REST side's client (PyGithub's requester, so the same connection,
pacing and budget: ``collect.github.pacing`` counts them against GraphQL's points).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from hotfix_lint.collect.github.pulls import MAX_PULLS

if TYPE_CHECKING:
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github.deadline import GitHubBudget

log = logging.getLogger(__name__)

#: repositories per query: well under GitHub's 500,000 nodes (50 pulls x 100 reviews each) and
#: its 10-second query time
BATCH = 20
#: queries in flight at once (the pacer holds them under GraphQL's limits anyway)
IN_FLIGHT = 4
#: reviews read per pull request (one page); closed pull requests per base: as REST (``MAX_PULLS``)
MAX_REVIEWS = 100
MAX_RULES = 100
#: statuses read per deployment (more: REST reads that repository)
MAX_STATUSES = 20

_PROTECTION = """fragment P on BranchProtectionRule {
  pattern requiresApprovingReviews requiredApprovingReviewCount dismissesStaleReviews
  requiresCodeOwnerReviews requireLastPushApproval requiredStatusCheckContexts
  requiresStatusChecks requiresStrictStatusChecks isAdminEnforced requiresLinearHistory allowsForcePushes
  allowsDeletions requiresConversationResolution requiresCommitSignatures lockBranch
  restrictsPushes
  bypassPullRequestAllowances(first: 100) { totalCount nodes { actor {
    __typename ... on User { login } ... on Team { slug } ... on App { slug } } } }
}"""
_PARAMETERS = """fragment RP on RuleParameters {
  __typename
  ... on PullRequestParameters { allowedMergeMethods dismissStaleReviewsOnPush requireCodeOwnerReview
    requireLastPushApproval requiredApprovingReviewCount requiredReviewThreadResolution }
  ... on MergeQueueParameters { checkResponseTimeoutMinutes groupingStrategy maxEntriesToBuild
    maxEntriesToMerge mergeMethod minEntriesToMerge minEntriesToMergeWaitMinutes }
  ... on RequiredStatusChecksParameters { doNotEnforceOnCreate strictRequiredStatusChecksPolicy
    requiredStatusChecks { context integrationId } }
  ... on RequiredDeploymentsParameters { requiredDeploymentEnvironments }
  ... on UpdateParameters { updateAllowsFetchAndMerge }
}"""
_RULES = f"""rules(first: {MAX_RULES}) {{ totalCount nodes {{ type parameters {{ ...RP }}
      repositoryRuleset {{ databaseId name source {{ __typename
        ... on Repository {{ nameWithOwner }} ... on Organization {{ login }}
        ... on Enterprise {{ slug }} }} }} }} }}"""
_PULL = f"""number title headRefName baseRefName headRefOid mergedAt author {{ __typename login }} mergeCommit {{ oid }}
      reviews(first: {MAX_REVIEWS}) {{ totalCount
        nodes {{ author {{ __typename login }} state submittedAt commit {{ oid }} }} }}"""


@dataclass(frozen=True)
class RepoWant:
    """What to read of one repository: its branches' protection and rules, its bases' pulls."""

    full_name: str
    branches: tuple[str, ...]
    bases: tuple[str, ...] = ()
    #: files at the root of the default branch, the first found read (the repository's policy)
    files: tuple[str, ...] = ()
    #: the deployment environment whose existence and latest deployments to read
    #: (``collect.github.graphql_deployments``), and how many of them (0: none)
    environment: str | None = None
    deployments: int = 0


@dataclass(frozen=True)
class RepoAnswer:
    """GraphQL's answer for one repository (``data``: the repository object as answered)."""

    want: RepoWant
    data: Mapping[str, Any]

    def root_file(self) -> tuple[str, str] | None:
        """The first of ``want.files`` found, (name, text) as REST reads it; :class:`ValueError`
        when GraphQL cannot say it like REST (not a file, binary, truncated: REST reads it)."""
        if self.want.files and self.data.get("defaultBranchRef") is None:
            return None  # an empty repository has no files
        for index, name in enumerate(self.want.files):
            blob = self.data.get(f"f{index}")
            if blob is None:
                continue
            if not isinstance(blob, Mapping) or blob.get("__typename") != "Blob":
                raise ValueError(f"{name} is not a file")
            if blob.get("isBinary") is not False or blob.get("isTruncated") is not False:
                raise ValueError(f"{name} is not whole text in GraphQL's answer")
            text = blob.get("text")
            if not isinstance(text, str):
                raise ValueError(f"{name} has no text")
            return name, text
        return None

    def covers(self, branches: Sequence[str], bases: Sequence[str]) -> bool:
        """Whether the branches and bases a check reads were all asked for."""
        return set(branches) <= set(self.want.branches) and set(bases) <= set(self.want.bases)

    def covers_deployments(self, environment: str | None, limit: int) -> bool:
        """Whether the environment a check reads was asked for, with at least ``limit`` deployments."""
        return environment is None or (self.want.environment == environment and self.want.deployments >= limit)


class NotLikeRest(Exception):
    """The answer cannot give what REST would: read this repository through REST."""


def epoch(text: Any) -> int | None:
    """GraphQL's ISO time as REST's facts keep it (epoch seconds); None when absent."""
    if not isinstance(text, str) or not text:
        return None
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def rest_login(actor: Any) -> str | None:
    """The login as REST gives it: a GitHub App's bot is ``NAME[bot]`` there, ``NAME`` here."""
    if not isinstance(actor, Mapping) or not actor.get("login"):
        return None
    login = str(actor["login"])
    return f"{login}[bot]" if actor.get("__typename") == "Bot" and not login.endswith("[bot]") else login


def _literal(text: str) -> str:
    """A GraphQL string literal (JSON's escapes are GraphQL's)."""
    return json.dumps(text, ensure_ascii=True)


def deployments_query(environment: str, count: int) -> str:
    """The part of a repository's query reading ``environment`` and its ``count`` latest deployments
    (read by ``collect.github.graphql_deployments``)."""
    name = _literal(environment)
    lines = [f"  env: environment(name: {name}) {{ name }}"]
    if count > 0:
        lines.append(
            f"  deployments(environments: [{name}], first: {count}, orderBy: {{field: CREATED_AT, direction: DESC}}) "
            "{ totalCount nodes { databaseId commitOid ref { name } environment createdAt "
            "creator { __typename login } latestStatus { state createdAt } "
            f"statuses(first: {MAX_STATUSES}) {{ totalCount nodes {{ state createdAt }} }} }} }}"
        )
    return "\n".join(lines)


def repository_query(alias: str, want: RepoWant) -> str:
    """The part of a query that reads one repository (under ``alias``)."""
    owner, _, name = want.full_name.partition("/")
    parts = [
        f"{alias}: repository(owner: {_literal(owner)}, name: {_literal(name)}) {{",
        "  nameWithOwner url defaultBranchRef { name } mergeCommitAllowed squashMergeAllowed rebaseMergeAllowed",
        "  deleteBranchOnMerge isArchived isPrivate pushedAt viewerCanAdminister viewerPermission",
        "  rulesets(first: 100, includeParents: true) { totalCount nodes { databaseId name enforcement target",
        "    conditions { refName { include exclude } } } }",
    ]
    for index, branch in enumerate(want.branches):
        ref = _literal(f"refs/heads/{branch}")
        parts.append(f"  b{index}: ref(qualifiedName: {ref}) {{ name branchProtectionRule {{ ...P }} {_RULES} }}")
    for index, base in enumerate(want.bases):
        parts.append(
            f"  p{index}: pullRequests(baseRefName: {_literal(base)}, states: [CLOSED, MERGED], first: {MAX_PULLS}, "
            f"orderBy: {{field: UPDATED_AT, direction: DESC}}) {{ nodes {{ {_PULL} }} }}"
        )
    for index, path in enumerate(want.files):
        parts.append(
            f"  f{index}: object(expression: {_literal('HEAD:' + path)}) {{ __typename "
            "... on Blob { text isBinary isTruncated } }"
        )
    if want.environment is not None:
        parts.append(deployments_query(want.environment, want.deployments))
    parts.append("}")
    return "\n".join(parts)


def batch_query(wants: Sequence[RepoWant]) -> str:
    """One query reading every repository of ``wants`` (aliases ``r0``, ``r1``...)."""
    body = "\n".join(repository_query(f"r{i}", w) for i, w in enumerate(wants))
    # GitHub rejects a fragment no field uses: they serve branches only
    fragments = f"{_PROTECTION}\n{_PARAMETERS}\n" if any(w.branches for w in wants) else ""
    return f"query {{\n{body}\n}}\n{fragments}"


def answers_of(wants: Sequence[RepoWant], reply: Any) -> dict[str, RepoAnswer]:
    """Each repository's answer (by lower-case full name); a repository with an error under it,
    or no object, is left out (REST reads it)."""
    if not isinstance(reply, Mapping) or not isinstance(reply.get("data"), Mapping):
        return {}
    data = reply["data"]
    broken: set[str] = set()
    for error in reply.get("errors") or ():
        path = error.get("path") if isinstance(error, Mapping) else None
        if not isinstance(path, list) or not path:
            return {}  # an error that names no repository: trust none of the answer
        broken.add(str(path[0]))
    found: dict[str, RepoAnswer] = {}
    for index, want in enumerate(wants):
        alias = f"r{index}"
        repo = data.get(alias)
        if alias in broken or not isinstance(repo, Mapping):
            continue
        found[want.full_name.lower()] = RepoAnswer(want, repo)
    return found


def read_repositories(
    api_url: str | None,
    token: str | None,
    wants: Sequence[RepoWant],
    *,
    budget: GitHubBudget | None = None,
    meter: ApiMeter | None = None,
    batch: int | None = None,
    in_flight: int = IN_FLIGHT,
) -> dict[str, RepoAnswer]:
    """GraphQL's answers for ``wants``, ``batch`` (:data:`BATCH`) repositories a query; a
    repository missing from the result is one REST has to read (its query failed, or an error
    named it)."""
    batch = batch or BATCH
    chunks = [list(wants[i : i + batch]) for i in range(0, len(wants), max(1, batch))]
    if not chunks:
        return {}
    found: dict[str, RepoAnswer] = {}
    ask = partial(_ask, api_url, token, budget=budget, meter=meter)
    with ThreadPoolExecutor(max_workers=max(1, min(in_flight, len(chunks))), thread_name_prefix="graphql") as pool:
        for answers in pool.map(ask, chunks):
            found.update(answers)
    return found


def _ask(
    api_url: str | None,
    token: str | None,
    wants: list[RepoWant],
    *,
    budget: GitHubBudget | None,
    meter: ApiMeter | None,
) -> dict[str, RepoAnswer]:
    """One query (through a client of its own, closed after)."""
    from hotfix_lint.collect.github.session import TIMEOUT, RequestFailed, open_session

    try:
        session = open_session(api_url, token, timeout=TIMEOUT * 2, meter=meter, budget=budget)
    except ValueError as exc:  # not an http(s) API: REST says so for each repository
        log.info("GraphQL not asked: %s", exc)
        return {}
    try:
        requester = session.gh.requester
        query = {"query": batch_query(wants)}
        post = partial(requester.requestJsonAndCheck, "POST", requester.graphql_url, input=query)
        _, reply = session.call(post)
    except RequestFailed as failure:
        log.info("GraphQL query for %d repositories failed: %s", len(wants), failure.reason)
        return {}
    finally:
        session.close()
    return answers_of(wants, reply)
