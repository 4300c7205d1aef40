"""``POST /graphql`` on the loopback GitHub: queries validated and executed against GitHub's
published GraphQL schema, so that a query GitHub would reject fails in tests.

The schema is ``tests/data/github-graphql/schema.graphql`` from ``octokit/graphql-schema``
(MIT, its licence beside it), built once per process with ``graphql-core``. The published
schema defines two fields twice, which GitHub's own server tolerates: it is built without
the SDL check (``assume_valid_sdl``); queries are still validated against it.

What is answered from the state so far: ``repository(owner, name)`` (any number of them in one
query, by alias) with its merge settings (``mergeCommitAllowed``, ``squashMergeAllowed``,
``rebaseMergeAllowed``, ``deleteBranchOnMerge``), ``branchProtectionRules`` (pattern, review
count) and ``environments`` (names); other fields of the schema validate and answer null.
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


def answer(state: GitHubState, body: Any) -> dict[str, Any]:
    """The JSON GitHub answers a GraphQL request with (``data`` and/or ``errors``)."""
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
    result = execute(schema(), document, root_value=_Root(state), variable_values=body.get("variables") or None)
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return out


class _Root:
    """The query root: graphql-core's default resolver calls these with (info, **arguments)."""

    def __init__(self, state: GitHubState) -> None:
        self.state = state

    def repository(self, info: Any, owner: str, name: str, **_: Any) -> dict[str, Any] | None:
        full_name = f"{owner}/{name}".lower()
        with self.state.lock:
            for key, repo in self.state.data["repos"].items():
                if key.lower() == full_name:
                    return _repository(repo)
        return None  # GitHub: null, and an error of type NOT_FOUND (left out here)


def _repository(repo: dict[str, Any]) -> dict[str, Any]:
    settings = repo["settings"]
    rules = [
        {
            "pattern": branch,
            "requiresApprovingReviews": record["protection"].get("required_pull_request_reviews") is not None,
            "requiredApprovingReviewCount": (record["protection"].get("required_pull_request_reviews") or {}).get(
                "required_approving_review_count"
            ),
        }
        for branch, record in sorted(repo["branches"].items())
        if record.get("protection") is not None
    ]
    environments = [{"name": name} for name in sorted(repo["environments"])]
    return {
        "nameWithOwner": f"{repo['owner']}/{repo['name']}",
        "mergeCommitAllowed": settings["allow_merge_commit"],
        "squashMergeAllowed": settings["allow_squash_merge"],
        "rebaseMergeAllowed": settings["allow_rebase_merge"],
        "deleteBranchOnMerge": settings["delete_branch_on_merge"],
        "branchProtectionRules": lambda info, **args: _connection(rules, args),
        "environments": lambda info, **args: _connection(environments, args),
    }


def _connection(nodes: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    first = args.get("first")
    shown = nodes[:first] if isinstance(first, int) else nodes
    return {
        "nodes": shown,
        "totalCount": len(nodes),
        "pageInfo": {"hasNextPage": len(shown) < len(nodes), "endCursor": None},
    }
