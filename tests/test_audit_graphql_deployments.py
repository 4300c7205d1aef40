"""Deployments read in the audit's GraphQL batches (``collect.github.graphql_deployments``): the
same reports as REST for a pack that judges deployments; the environment's settings, which
GraphQL lacks, still read through REST; what GraphQL cannot say like REST left to REST.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from audit_org import ORG, Org

from hotfix_lint.collect.github.graphql import RepoAnswer, RepoWant, batch_query

REST = ("--github-api", "rest")
GRAPHQL = ("--github-api", "graphql")
#: the gaia-gateway pack's deployment rules (environment "prod")
RULES = ("--rule", "deployment-source", "--rule", "environment-protection")


def deploying_org(org: Org) -> None:
    state = org.state
    # deployed from main and a promotion branch, a failed attempt between, several statuses each
    org.publish("shipped", org.gitflow("shipped"))
    state.add_environment(f"{ORG}/shipped", "prod", reviewers=["lead"], branch_patterns=["main", "prod/hotfix/*"])
    state.add_deployment(
        f"{ORG}/shipped", environment="prod", ref="main", statuses=["queued", "in_progress", "success"]
    )
    state.add_deployment(f"{ORG}/shipped", environment="prod", ref="develop", statuses=["pending", "failure"])
    state.add_deployment(f"{ORG}/shipped", environment="prod", ref="main", statuses=["in_progress", "success"])
    state.add_deployment(f"{ORG}/shipped", environment="staging", ref="feature")  # another environment
    # deployed from a branch since deleted: GraphQL's ref is null, REST keeps the name
    org.publish("deleted-ref", org.gitflow("deleted"))
    state.add_environment(f"{ORG}/deleted-ref", "prod", protected_branches=True)
    state.add_deployment(f"{ORG}/deleted-ref", environment="prod", ref="hotfix/gone", statuses=["success"])
    state.add_deployment(f"{ORG}/deleted-ref", environment="prod", ref="main", statuses=["success"])
    # no environment at all, nothing deployed: GraphQL says so, REST is not asked anything
    org.publish("undeployed", org.gitflow("undeployed"))
    # more statuses than GraphQL reads per deployment
    org.publish("chatty", org.gitflow("chatty"))
    state.add_environment(f"{ORG}/chatty", "prod")
    state.add_deployment(f"{ORG}/chatty", environment="prod", ref="main", statuses=["in_progress"] * 25 + ["success"])


def reports(run: Any) -> dict[str, Any]:
    return {e["repository"]: (e["status"], e["error"], e["report"]) for e in run.report["repositories"]}


def rest_paths(org: Org, name: str) -> set[str]:
    prefix = f"/repos/{ORG}/{name}"
    return {r.path.removeprefix(prefix) for r in org.server.requests if r.path.startswith(prefix + "/")}


@pytest.mark.slow  # git servers and whole audits
def test_deployments_read_through_graphql_give_the_same_reports(org: Org, tmp_path: Path) -> None:
    deploying_org(org)
    policy = tmp_path / "policy.yaml"
    policy.write_text("extends: gaia-gateway\n", encoding="utf-8")
    common = ("--org", ORG, "--no-repo-policy", "--policy", str(policy), *RULES)
    rest = org.audit(*common, *REST, cache=tmp_path / "rest")
    rest_requests = len(org.server.requests)
    assert "could not check" not in str(reports(rest)[f"{ORG}/shipped"])
    org.server.clear_requests()
    graphql = org.audit(*common, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(graphql) == reports(rest)
    assert graphql.found()[f"{ORG}/shipped"] == {("deployment-source", "error")}  # deployed from develop
    assert len([r for r in org.server.requests if r.path == "/graphql"]) == 1
    # deployments and statuses came from GraphQL; the environment's settings from REST alone
    shipped = rest_paths(org, "shipped")
    assert not any("/deployments" in p for p in shipped), shipped
    assert "/environments/prod" in shipped
    assert rest_paths(org, "undeployed") == set()
    # a deleted ref and a long status list: that repository's deployments read through REST
    assert any(p.startswith("/deployments/") for p in rest_paths(org, "deleted-ref"))
    assert any(p.startswith("/deployments/") for p in rest_paths(org, "chatty"))
    # shipped: the listing and 3 statuses; undeployed: the repository, the environment, the listing
    # (GraphQL's query and the org listing are among the 14)
    assert (rest_requests, len(org.server.requests)) == (20, 14)
    # warm: the environment's settings (and the fallbacks) answered 304, nothing counted
    org.server.clear_requests()
    warm = org.audit(*common, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(warm) == reports(rest)
    counted = {r.path for r in org.server.requests if r.status != 304}
    assert counted <= {"/graphql", f"/orgs/{ORG}/repos"}, counted


def test_the_query_with_deployments_is_valid_against_githubs_schema() -> None:
    from github_server.graphql_api import schema
    from graphql import parse, validate

    wants = [
        RepoWant("octo/app", ("main",), ("main",), environment="prod", deployments=30),
        RepoWant("octo/lib", (), (), environment='we"ird', deployments=0),
    ]
    assert validate(schema(), parse(batch_query(wants))) == []


def _deployment(**changes: Any) -> dict[str, Any]:
    return {
        "databaseId": 5,
        "commitOid": "c" * 40,
        "ref": {"name": "main"},
        "environment": "prod",
        "createdAt": "2026-01-02T00:00:00Z",
        "creator": {"__typename": "Bot", "login": "github-actions"},
        "latestStatus": {"state": "INACTIVE", "createdAt": "2026-01-04T00:00:00Z"},
        "statuses": {
            "totalCount": 2,
            "nodes": [
                {"state": "SUCCESS", "createdAt": "2026-01-03T00:00:00Z"},
                {"state": "INACTIVE", "createdAt": "2026-01-04T00:00:00Z"},
            ],
        },
        **changes,
    }


def _answer(*deployments: dict[str, Any], total: int | None = None) -> RepoAnswer:
    from test_audit_graphql import answer_with

    data = {k: v for k, v in answer_with().data.items() if k not in ("b0", "p0")}
    data |= {
        "env": None,
        "deployments": {"totalCount": len(deployments) if total is None else total, "nodes": list(deployments)},
    }
    return RepoAnswer(RepoWant("octo/app", (), (), environment="prod", deployments=30), data)


def test_deployments_are_the_ones_rest_makes() -> None:
    from hotfix_lint.collect.github.graphql_facts import DeploymentRead, facts_of

    facts = facts_of(_answer(_deployment()), [], [], None, DeploymentRead("prod", 30, None))
    assert facts is not None
    (dep,) = facts.deployments
    assert (dep.id, dep.ref, dep.state, dep.creator) == (5, "main", "inactive", "github-actions[bot]")
    assert (dep.succeeded_at, dep.state_at) == (1767398400, 1767484800)
    assert facts.environment is None and facts.notes == ("environment 'prod' does not exist on GitHub",)
    assert not facts.deployments_complete  # stopped at the first success, as REST says it
    # the list read to its end, or cut at the limit (a note, as REST's, when it judges history)
    failed = _deployment(latestStatus={"state": "FAILURE", "createdAt": "2026-01-03T00:00:00Z"})
    failed["statuses"] = {"totalCount": 1, "nodes": [{"state": "FAILURE", "createdAt": "2026-01-03T00:00:00Z"}]}
    ended = facts_of(_answer(failed), [], [], None, DeploymentRead("prod", 10, None))
    assert ended is not None and ended.deployments_complete
    cut = facts_of(_answer(failed, failed, total=2), [], [], None, DeploymentRead("prod", 2, 0))
    assert cut is not None and not cut.deployments_complete
    assert "only the 2 most recent deployments to 'prod' were read" in cut.notes


def test_what_graphql_cannot_say_of_deployments_is_left_to_rest() -> None:
    from hotfix_lint.collect.github.graphql_facts import DeploymentRead, facts_of

    read = DeploymentRead("prod", 30, None)
    assert facts_of(_answer(_deployment(ref=None)), [], [], None, read) is None, "a deleted branch"
    many = _deployment()
    many["statuses"] = {**many["statuses"], "totalCount": 40}
    assert facts_of(_answer(many), [], [], None, read) is None, "more statuses than a page"
    failed = _deployment(latestStatus={"state": "FAILURE", "createdAt": "2026-01-03T00:00:00Z"})
    failed["statuses"] = {"totalCount": 1, "nodes": [{"state": "FAILURE", "createdAt": "2026-01-03T00:00:00Z"}]}
    assert facts_of(_answer(failed, total=31), [], [], None, read) is None, "cut before the first success"
    assert facts_of(_answer(_deployment()), [], [], None, DeploymentRead("staging", 30, None)) is None
    assert facts_of(_answer(_deployment()), [], [], None, DeploymentRead("prod", 50, None)) is None
    # a deleted ref past the first success is not read by REST either
    assert facts_of(_answer(_deployment(), _deployment(ref=None)), [], [], None, read) is not None
