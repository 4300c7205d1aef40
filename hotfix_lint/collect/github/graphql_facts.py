"""The GitHub facts of one repository made of its GraphQL answer (``collect.github.graphql``),
the same facts the REST path (``collect.github.collector``) makes of its answers.

:func:`facts_of` returns None when the answer cannot say something the way REST would (a
branch GitHub does not have, a token that cannot read protection or merge settings, a list
longer than one page): the repository is then read through REST. Everything in the answer is
untrusted: read with type checks, bounded like REST's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotfix_lint.collect.github.graphql import (
    MAX_REVIEWS,
    MAX_RULES,
    NotLikeRest,
    RepoAnswer,
    epoch,
    rest_login,
)
from hotfix_lint.collect.github.pulls import MAX_PULLS
from hotfix_lint.facts.github import (
    BranchGitHubFact,
    BranchProtection,
    Checked,
    Deployment,
    EffectiveRule,
    GitHubFacts,
    PullRequestFact,
    RepoSettings,
    ReviewFact,
)

#: the token's rights that show merge settings (REST leaves them out below push)
_WRITERS = ("ADMIN", "MAINTAIN", "WRITE")
_SOURCE_TYPES = {"Repository": "Repository", "Organization": "Organization", "Enterprise": "Enterprise"}


@dataclass(frozen=True)
class DeploymentRead:
    """The environment a check reads, and its deployments as REST reads them (``limit``,
    ``back_to``; ``deployments=False``: the environment alone)."""

    environment: str
    limit: int = 10
    back_to: int | None = None
    deployments: bool = True


def facts_of(
    answer: RepoAnswer,
    branches: Sequence[str],
    bases: Sequence[str],
    head_filter: Callable[[str], bool] | None,
    deployments: DeploymentRead | None = None,
) -> GitHubFacts | None:
    """The facts of ``branches`` (protection, rules), ``bases`` (merged pull requests) and the
    ``deployments``, or None: REST must read this repository. An environment that exists is
    left None here (GraphQL lacks its settings): ``environment_exists`` says to read it through REST."""
    if not answer.covers(branches, bases):
        return None
    if deployments is not None and not answer.covers_deployments(
        deployments.environment, deployments.limit if deployments.deployments else 0
    ):
        return None
    try:
        return _facts(answer, branches, bases, head_filter, deployments)
    except (NotLikeRest, KeyError, TypeError, ValueError, AttributeError):
        return None


def _facts(
    answer: RepoAnswer,
    branches: Sequence[str],
    bases: Sequence[str],
    head_filter: Callable[[str], bool] | None,
    read: DeploymentRead | None,
) -> GitHubFacts:
    from hotfix_lint.collect.github.branch_rules import with_evaluate_rulesets
    from hotfix_lint.collect.github.graphql_deployments import deployments_of, environment_exists

    data = answer.data
    settings = _settings(data)
    notes: list[str] = []
    deployments: tuple[Deployment, ...] = ()
    complete = False
    if read is not None:  # in REST's order: the environment, its deployments, then pull requests
        if not environment_exists(data, read.environment):
            notes.append(f"environment {read.environment!r} does not exist on GitHub")
        if read.deployments:
            deployments, complete = deployments_of(data, read.environment, read.limit, read.back_to, notes)
    facts: list[BranchGitHubFact] = []
    for branch in branches:
        ref = data.get(f"b{answer.want.branches.index(branch)}")
        if not isinstance(ref, Mapping) or ref.get("name") != branch:
            raise NotLikeRest  # no such branch: REST says so, and still reads its rules
        facts.append(BranchGitHubFact(name=branch, protection=_protection(branch, ref), rules=_rules(ref)))
    evaluating = [r for r in _rulesets(data) if r.get("enforcement") == "EVALUATE" and r.get("target") == "BRANCH"]
    named = with_evaluate_rulesets(
        facts, settings.default_branch, lambda: [(_ruleset_label(r), _ref_name(r)) for r in evaluating]
    )
    pulls: Checked[tuple[PullRequestFact, ...]] = ()
    if bases:
        found: list[PullRequestFact] = []
        for base in bases:
            found.extend(_pulls(data.get(f"p{answer.want.bases.index(base)}"), base, head_filter, notes))
        pulls = tuple(found)
    return GitHubFacts(
        repository=answer.want.full_name,
        settings=settings,
        branches=named,
        environment_name=read.environment if read is not None else None,
        environment=None,
        deployments=deployments,
        deployments_complete=complete,
        pulls=pulls,
        notes=tuple(notes),
    )


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise NotLikeRest
    return value


def _settings(data: Mapping[str, Any]) -> RepoSettings:
    if data.get("viewerPermission") not in _WRITERS or data.get("viewerCanAdminister") is not True:
        raise NotLikeRest  # REST hides merge settings and protection from such a token: it says how
    default = data.get("defaultBranchRef")
    return RepoSettings(
        full_name=str(data["nameWithOwner"]),
        default_branch=str(default["name"]) if isinstance(default, Mapping) else "",
        allow_merge_commit=_bool(data.get("mergeCommitAllowed")),
        allow_squash_merge=_bool(data.get("squashMergeAllowed")),
        allow_rebase_merge=_bool(data.get("rebaseMergeAllowed")),
        delete_branch_on_merge=_bool(data.get("deleteBranchOnMerge")),
        archived=_bool(data.get("isArchived")),
        private=_bool(data.get("isPrivate")),
        pushed_at=epoch(data.get("pushedAt")),
        viewer_is_admin=True,
    )


def _protection(branch: str, ref: Mapping[str, Any]) -> BranchProtection:
    rule = ref.get("branchProtectionRule")
    if rule is None:
        return BranchProtection.unprotected(branch)
    if not isinstance(rule, Mapping):
        raise NotLikeRest
    reviews = _bool(rule.get("requiresApprovingReviews"))
    count = rule.get("requiredApprovingReviewCount") if reviews else None
    checks = bool(rule.get("requiresStatusChecks"))
    contexts = (rule.get("requiredStatusCheckContexts") or ()) if checks else ()
    strict = checks and bool(rule.get("requiresStrictStatusChecks"))
    return BranchProtection(
        branch=branch,
        protected=True,
        require_pull_request=reviews,
        # a legacy review rule without a count requires one approval (GitHub's default)
        required_approving_review_count=int(1 if count is None else count),
        dismiss_stale_reviews=reviews and bool(rule.get("dismissesStaleReviews")),
        require_code_owner_reviews=reviews and bool(rule.get("requiresCodeOwnerReviews")),
        require_last_push_approval=reviews and bool(rule.get("requireLastPushApproval")),
        required_status_checks=tuple(str(c) for c in contexts),
        strict_status_checks=strict,
        enforce_admins=bool(rule.get("isAdminEnforced")),
        required_linear_history=bool(rule.get("requiresLinearHistory")),
        allow_force_pushes=bool(rule.get("allowsForcePushes")),
        allow_deletions=bool(rule.get("allowsDeletions")),
        required_conversation_resolution=bool(rule.get("requiresConversationResolution")),
        required_signatures=bool(rule.get("requiresCommitSignatures")),
        lock_branch=bool(rule.get("lockBranch")),
        restricts_pushes=bool(rule.get("restrictsPushes")),
        pull_request_bypassers=_bypassers(rule.get("bypassPullRequestAllowances")) if reviews else (),
    )


def _bypassers(connection: Any) -> tuple[str, ...]:
    """Logins, team slugs and app slugs, in REST's order: users, teams, apps."""
    nodes = _nodes(connection, 100)
    by_kind: dict[str, list[str]] = {"User": [], "Team": [], "App": []}
    for node in nodes:
        actor = node.get("actor") if isinstance(node, Mapping) else None
        if isinstance(actor, Mapping) and actor.get("__typename") in by_kind:
            name = actor.get("login") or actor.get("slug")
            if name:
                by_kind[str(actor["__typename"])].append(str(name))
    return (*by_kind["User"], *by_kind["Team"], *by_kind["App"])


def _nodes(connection: Any, limit: int) -> list[Any]:
    """A connection's nodes; more than one page of them: REST reads this repository."""
    if connection is None:
        return []
    if not isinstance(connection, Mapping) or not isinstance(connection.get("nodes"), list):
        raise NotLikeRest
    total = connection.get("totalCount")
    if isinstance(total, int) and total > min(limit, len(connection["nodes"])):
        raise NotLikeRest
    return list(connection["nodes"])


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(value: Any) -> Any:
    """GraphQL's camelCase parameters as REST names them (``requiredApprovingReviewCount`` ->
    ``required_approving_review_count``)."""
    if isinstance(value, Mapping):
        # REST leaves out what is not set (an integration_id), GraphQL answers null
        return {
            _CAMEL.sub("_", str(k)).lower(): _snake(v) for k, v in value.items() if k != "__typename" and v is not None
        }
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


def _rules(ref: Mapping[str, Any]) -> tuple[EffectiveRule, ...]:
    rules: list[EffectiveRule] = []
    for node in _nodes(ref.get("rules"), MAX_RULES):
        ruleset = node.get("repositoryRuleset") or {}
        source = ruleset.get("source") or {}
        kind = _SOURCE_TYPES.get(str(source.get("__typename")))
        name = source.get("nameWithOwner") or source.get("login") or source.get("slug")
        parameters = node.get("parameters")
        rules.append(
            EffectiveRule(
                type=str(node["type"]).lower(),
                parameters=_snake(parameters) if isinstance(parameters, Mapping) else {},
                ruleset_source_type=kind,
                ruleset_source=None if name is None else str(name),
                ruleset_id=ruleset.get("databaseId") if isinstance(ruleset.get("databaseId"), int) else None,
                ruleset_name=str(ruleset["name"]) if ruleset.get("name") else None,
            )
        )
    return tuple(rules)


def _rulesets(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in _nodes(data.get("rulesets"), 100) if isinstance(r, Mapping)]


def _ruleset_label(ruleset: Mapping[str, Any]) -> str:
    return str(ruleset.get("name") or f"#{ruleset.get('databaseId')}")


def _ref_name(ruleset: Mapping[str, Any]) -> Mapping[str, Any]:
    ref_name = (ruleset.get("conditions") or {}).get("refName")
    return ref_name if isinstance(ref_name, Mapping) else {}


def _pulls(
    connection: Any, base: str, head_filter: Callable[[str], bool] | None, notes: list[str]
) -> list[PullRequestFact]:
    nodes = _nodes(connection, MAX_PULLS)  # asked without totalCount: the first MAX_PULLS, a note says so
    if len(nodes) >= MAX_PULLS:
        notes.append(f"only the {MAX_PULLS} most recently updated closed pull requests into {base!r} were read")
    found: list[PullRequestFact] = []
    for pr in nodes:
        head = str(pr["headRefName"])
        if pr.get("mergedAt") is None or (head_filter is not None and not head_filter(head)):
            continue
        merge = pr.get("mergeCommit")
        found.append(
            PullRequestFact(
                number=int(pr["number"]),
                head_ref=head,
                base_ref=str(pr["baseRefName"]),
                author=rest_login(pr.get("author")),
                merged_at=epoch(pr.get("mergedAt")),
                merge_commit_sha=str(merge["oid"]) if isinstance(merge, Mapping) else None,
                head_sha=str(pr["headRefOid"]),
                title=str(pr.get("title") or ""),
                reviews=tuple(
                    ReviewFact(
                        user=rest_login(r.get("author")),
                        state=str(r["state"]),
                        submitted_at=epoch(r.get("submittedAt")),
                        commit_id=str(r["commit"]["oid"]) if isinstance(r.get("commit"), Mapping) else None,
                    )
                    for r in _nodes(pr.get("reviews"), MAX_REVIEWS)
                ),
            )
        )
    return found
