"""``POST /graphql`` on the loopback GitHub: queries validated and executed against GitHub's
published GraphQL schema, so that a query GitHub would reject fails in tests.

The schema is ``tests/data/github-graphql/schema.graphql`` from ``octokit/graphql-schema``
(MIT, its licence beside it), built once per process with ``graphql-core``. The published
schema defines two fields twice, which GitHub's own server tolerates: it is built without
the SDL check (``assume_valid_sdl``); queries are still validated against it.

What is answered from the state, the same state the REST side serves: ``repository(owner,
name)`` (any number of them in one query, by alias; an unknown one null with a NOT_FOUND
error) with its merge settings, default branch, ``pushedAt``, ``url``, ``isArchived``, the token's rights,
``branchProtectionRules``, ``environments`` (names), ``ref(qualifiedName)`` with its
``branchProtectionRule`` and the ruleset ``rules`` applying to it (a FORBIDDEN error where REST
answers the plan's 403), ``rulesets`` with their conditions, ``pullRequests`` with their
reviews, ``environment(name)`` (its name) and ``deployments`` with their statuses; ``rateLimit``.
Other fields of the schema validate and answer null.
An invalid query is answered as GitHub answers it: 200 with ``errors`` and no ``data``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from .state import GitHubState

SCHEMA = Path(__file__).resolve().parent.parent / "data" / "github-graphql" / "schema.graphql"


@lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    from graphql import build_schema

    # assume_valid: graphql-core 3.3 also checks interface deprecations, which GitHub's schema breaks
    return build_schema(SCHEMA.read_text(encoding="utf-8"), assume_valid_sdl=True, assume_valid=True)


def is_mutation(query: str) -> bool:
    """Whether the query's operation is a mutation (5 points, not 1)."""
    from graphql import GraphQLError, OperationType, parse
    from graphql.language import OperationDefinitionNode

    try:
        document = parse(query)
    except GraphQLError:
        return False
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation == OperationType.MUTATION for d in document.definitions
    )


def answer(state: GitHubState, body: Any, web: str = "") -> dict[str, Any]:
    """The JSON GitHub answers a GraphQL request with (``data`` and/or ``errors``); ``web``: the
    server's web address (a repository's ``url``)."""
    from graphql import GraphQLError, execute, parse, validate

    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return {"errors": [{"message": "A query attribute must be specified and must be a string."}]}
    try:
        document = parse(body["query"])
    except GraphQLError as exc:
        return {"errors": [exc.formatted]}
    problems = validate(schema(), document)
    if problems:
        return {"errors": [p.formatted for p in problems]}
    result = execute(schema(), document, root_value=_Root(state, web), variable_values=body.get("variables") or None)
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return out


class _Root:
    """The query root: graphql-core's default resolver calls these with (info, **arguments)."""

    def __init__(self, state: GitHubState, web: str) -> None:
        self.state = state
        self.web = web

    def repository(self, info: Any, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        from graphql import GraphQLError

        full_name = f"{owner}/{name}".lower()
        with self.state.lock:
            for key, repo in self.state.data["repos"].items():
                if key.lower() == full_name:
                    return _repository(repo, self.web)
        # GitHub: null, and an error of type NOT_FOUND naming the field's path
        raise GraphQLError(
            f"Could not resolve to a Repository with the name '{owner}/{name}'.", extensions={"type": "NOT_FOUND"}
        )

    def rateLimit(self, info: Any, **_: Any) -> dict[str, Any]:
        return {"cost": 1, "remaining": 4999, "limit": 5000, "used": 1, "nodeCount": 0, "resetAt": _iso_now()}


def _iso_now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_PERMISSIONS = (("admin", "ADMIN"), ("maintain", "MAINTAIN"), ("push", "WRITE"), ("triage", "TRIAGE"))
#: ruleset rule types whose parameters GraphQL names, and the type naming them
_PARAMETER_TYPES = {
    "pull_request": "PullRequestParameters",
    "merge_queue": "MergeQueueParameters",
    "required_status_checks": "RequiredStatusChecksParameters",
    "required_deployments": "RequiredDeploymentsParameters",
    "update": "UpdateParameters",
    "workflows": "WorkflowsParameters",
    "code_scanning": "CodeScanningParameters",
}


def _permission(repo: dict[str, Any]) -> str:
    granted = repo["permissions"]
    return next((name for key, name in _PERMISSIONS if granted.get(key)), "READ")


def _repository(repo: dict[str, Any], web: str) -> dict[str, Any]:
    settings = repo["settings"]
    full_name = f"{repo['owner']}/{repo['name']}"
    # GitHub's REST clone_url is always this and ``.git`` (a test may point it elsewhere)
    url = str(repo.get("clone_url") or "").removesuffix(".git") or f"{web}/{full_name}"
    legacy = [
        {**_protection_rule(branch, record["protection"]), "pattern": branch}
        for branch, record in sorted(repo["branches"].items())
        if record.get("protection") is not None
    ]
    environments = [{"name": name} for name in sorted(repo["environments"])]
    return {
        "nameWithOwner": full_name,
        "url": url,
        "defaultBranchRef": _ref(repo, repo["default_branch"]),
        "mergeCommitAllowed": settings["allow_merge_commit"],
        "squashMergeAllowed": settings["allow_squash_merge"],
        "rebaseMergeAllowed": settings["allow_rebase_merge"],
        "deleteBranchOnMerge": settings["delete_branch_on_merge"],
        "isArchived": repo["archived"],
        "isPrivate": repo["private"],
        "pushedAt": repo["pushed_at"],
        "viewerCanAdminister": bool(repo["permissions"].get("admin")),
        "viewerPermission": _permission(repo),
        "branchProtectionRules": lambda info, **args: _connection(legacy, args),
        "environments": lambda info, **args: _connection(environments, args),
        "environment": lambda info, name, **_: {"name": name} if name in repo["environments"] else None,
        "deployments": lambda info, **args: _connection(_deployments(repo, args), args),
        "ref": lambda info, qualifiedName, **_: (
            _ref(repo, qualifiedName.removeprefix("refs/heads/")) if qualifiedName.startswith("refs/heads/") else None
        ),
        "rulesets": lambda info, **args: _connection([_ruleset(rs) for rs in repo["rulesets"]], args),
        "pullRequests": lambda info, **args: _connection(_pulls(repo, args), args),
        "object": lambda info, **args: _object(repo, args.get("expression") or ""),
    }


def _object(repo: dict[str, Any], expression: str) -> dict[str, Any] | None:
    """``HEAD:path`` (or ``BRANCH:path``): a file of the default branch's contents as a Blob."""
    _, sep, path = expression.partition(":")
    text = repo["contents"].get(path.strip("/")) if sep else None
    if text is None:
        return None
    raw = text.encode("utf-8")
    return {"__typename": "Blob", "text": text, "isBinary": False, "isTruncated": False, "byteSize": len(raw)}


def _ref(repo: dict[str, Any], branch: str) -> dict[str, Any] | None:
    """A branch, with its protection rule and the ruleset rules applying to it, as the REST side
    answers them (the protection hidden from a token without admin rights, as GitHub does)."""
    from graphql import GraphQLError

    from .server import ruleset_applies
    from .state import PLAN_WITHOUT_PROTECTION

    record = repo["branches"].get(branch)
    if record is None:
        return None
    blocked = repo["private"] and not repo.get("plan_protection", True)

    def protection(info: Any, **_: Any) -> dict[str, Any] | None:
        if blocked:
            raise GraphQLError(PLAN_WITHOUT_PROTECTION, extensions={"type": "FORBIDDEN"})
        if not repo["permissions"].get("admin") or record["protection"] is None:
            return None
        return _protection_rule(branch, record["protection"])

    def rules(info: Any, **args: Any) -> dict[str, Any]:
        if blocked:
            raise GraphQLError(PLAN_WITHOUT_PROTECTION, extensions={"type": "FORBIDDEN"})
        found = [
            _rule(rs, rule)
            for rs in repo["rulesets"]
            if rs["enforcement"] == "active"
            and rs["target"] == "branch"
            and ruleset_applies(rs, branch, repo["default_branch"])
            for rule in rs["rules"]
        ]
        return _connection(found, args)

    return {"name": branch, "prefix": "refs/heads/", "branchProtectionRule": protection, "rules": rules}


def _protection_rule(branch: str, prot: dict[str, Any]) -> dict[str, Any]:
    reviews = prot.get("required_pull_request_reviews")
    checks = prot.get("required_status_checks")
    restrictions = prot.get("restrictions")
    bypass = [{"actor": {"__typename": "User", "login": u}} for u in (reviews or {}).get("bypass_users", ())]
    count = None if reviews is None or reviews.get("omit_count") else reviews.get("required_approving_review_count")
    return {
        "pattern": branch,
        "requiresApprovingReviews": reviews is not None,
        "requiredApprovingReviewCount": count,
        "dismissesStaleReviews": bool((reviews or {}).get("dismiss_stale_reviews")),
        "requiresCodeOwnerReviews": bool((reviews or {}).get("require_code_owner_reviews")),
        "requireLastPushApproval": bool((reviews or {}).get("require_last_push_approval")),
        "requiresStatusChecks": checks is not None,
        "requiredStatusCheckContexts": list((checks or {}).get("contexts", ())),
        "requiresStrictStatusChecks": bool((checks or {}).get("strict")),
        "isAdminEnforced": bool(prot.get("enforce_admins")),
        "requiresLinearHistory": bool(prot.get("required_linear_history")),
        "allowsForcePushes": bool(prot.get("allow_force_pushes")),
        "allowsDeletions": bool(prot.get("allow_deletions")),
        "requiresConversationResolution": bool(prot.get("required_conversation_resolution")),
        "requiresCommitSignatures": bool(prot.get("required_signatures")),
        "lockBranch": bool(prot.get("lock_branch")),
        "restrictsPushes": restrictions is not None,
        "bypassPullRequestAllowances": lambda info, **args: _connection(bypass, args),
    }


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel_name(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _camel_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _rule(rs: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    parameters = None
    if rule.get("parameters") is not None and rule["type"] in _PARAMETER_TYPES:
        parameters = {"__typename": _PARAMETER_TYPES[rule["type"]], **_camel(rule["parameters"])}
    return {"type": rule["type"].upper(), "parameters": parameters, "repositoryRuleset": _ruleset(rs)}


def _ruleset(rs: dict[str, Any]) -> dict[str, Any]:
    kind = rs["source_type"]
    source = {"__typename": kind, ("nameWithOwner" if kind == "Repository" else "login"): rs["source"]}
    return {
        "databaseId": rs["id"],
        "name": rs["name"],
        "enforcement": rs["enforcement"].upper(),
        "target": rs["target"].upper(),
        "source": source,
        "conditions": {"refName": dict(rs["conditions"]["ref_name"])},
    }


def _pulls(repo: dict[str, Any], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Pull requests filtered and ordered as ``pullRequests`` asks (the REST listing's order for
    the same question: updated, newest first)."""

    def state(p: dict[str, Any]) -> str:
        return "MERGED" if p["merged_at"] else "CLOSED" if p["state"] == "closed" else "OPEN"

    states = args.get("states")
    chosen = [
        p for p in repo["pulls"] if (not states or state(p) in states) and args.get("baseRefName") in (None, p["base"])
    ]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    key = "updated_at" if order.get("field") == "UPDATED_AT" else "created_at"
    chosen.sort(key=lambda p: (p[key], p["number"]), reverse=order.get("direction") == "DESC")
    return [_pull(p) for p in chosen]


def _pull(p: dict[str, Any]) -> dict[str, Any]:
    reviews = [
        {
            "author": {"__typename": "User", "login": r["user"]},
            "state": r["state"],
            "submittedAt": r["submitted_at"],
            "commit": {"oid": r["commit_id"]},
        }
        for r in sorted(p["reviews"], key=lambda r: (r["submitted_at"], r["id"]))
    ]
    return {
        "number": p["number"],
        "title": p["title"],
        "headRefName": p["head"],
        "baseRefName": p["base"],
        "headRefOid": p["head_sha"],
        "mergedAt": p["merged_at"],
        "author": {"__typename": "User", "login": p["user"]},
        "mergeCommit": {"oid": p["merge_commit_sha"]} if p["merged_at"] else None,
        "reviews": lambda info, **args: _connection(reviews, args),
    }


def _deployments(repo: dict[str, Any], args: dict[str, Any]) -> list[dict[str, Any]]:
    """Deployments filtered and ordered as ``deployments`` asks (DESC: the REST listing's order)."""
    wanted = args.get("environments")
    chosen = [d for d in repo["deployments"] if not wanted or d["environment"] in wanted]
    order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
    chosen.sort(key=lambda d: (d["created_at"], d["id"]), reverse=order.get("direction") == "DESC")
    return [_deployment(repo, d) for d in chosen]


def _deployment(repo: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    """A deployment: its ``ref`` a Ref while the branch exists (null once it is deleted, or for a
    SHA, while REST keeps the string); statuses oldest first, ``latestStatus`` the newest."""
    statuses = [
        {"state": s["state"].upper(), "createdAt": s["created_at"], "creator": _actor(s["creator"])}
        for s in sorted(d["statuses"], key=lambda s: (s["created_at"], s["id"]))
    ]
    ref = d["ref"] if d["ref"] in repo["branches"] else None
    return {
        "databaseId": d["id"],
        "commitOid": d["sha"],
        "ref": None if ref is None else {"name": ref, "prefix": "refs/heads/"},
        "environment": d["environment"],
        "originalEnvironment": d["environment"],
        "task": d["task"],
        "createdAt": d["created_at"],
        "creator": _actor(d["creator"]),
        "latestStatus": statuses[-1] if statuses else None,
        "statuses": lambda info, **args: _connection(statuses, args),
    }


def _actor(login: str) -> dict[str, Any]:
    """GitHub Apps' bots are ``Bot`` actors named without the ``[bot]`` REST gives them."""
    if login.endswith("[bot]"):
        return {"__typename": "Bot", "login": login.removesuffix("[bot]")}
    return {"__typename": "User", "login": login}


def _connection(nodes: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    first = args.get("first")
    shown = nodes[:first] if isinstance(first, int) else nodes
    return {
        "nodes": shown,
        "totalCount": len(nodes),
        "pageInfo": {"hasNextPage": len(shown) < len(nodes), "endCursor": None},
    }
