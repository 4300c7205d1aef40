"""The audit's GraphQL reads (``collect.github.graphql``): the same reports as the REST path,
for far fewer requests; a repository GraphQL cannot answer like REST is read through REST.

The loopback GitHub executes the queries against GitHub's published schema, so a query GitHub
would reject fails here (its repositories would be read through REST: the request counts say).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from audit_org import ORG, Org, land_squash

from hotfix_lint.collect.github.graphql import RepoWant, batch_query

REST = ("--github-api", "rest")
GRAPHQL = ("--github-api", "graphql")
#: the default pack's GitHub rules and pr-review (which reads merged pull requests and reviews)
RULES = ("--rule", "branch-protection", "--rule", "merge-methods", "--rule", "pr-review", "--rule", "merge-commit")


def varied_org(org: Org) -> None:
    """Repositories that exercise each GitHub fact GraphQL reads, and the ones it leaves to REST."""
    state = org.state
    org.publish("clean", org.gitflow("clean"))
    org.publish("open-merges", org.gitflow("om"), allow_squash_merge=True, allow_rebase_merge=True)
    org.publish("squashed", land_squash(org.gitflow("sq")))
    org.publish("bare", org.gitflow("bare"), compliant=False)  # nothing protects main or develop
    state.add_ruleset(f"{ORG}/bare", "watch main", enforcement="evaluate")
    org.publish("ruled", org.gitflow("ruled"), compliant=False)
    state.add_ruleset(
        f"{ORG}/ruled",
        "main rules",
        include=["~DEFAULT_BRANCH", "refs/heads/develop"],
        rules=[
            {"type": "pull_request", "parameters": {"required_approving_review_count": 2}},
            "non_fast_forward",
            {"type": "required_status_checks", "parameters": {"required_status_checks": [{"context": "ci"}]}},
        ],
    )
    org.publish("strict", org.gitflow("strict"), compliant=False)
    state.protect_branch(
        f"{ORG}/strict",
        "main",
        required_approving_review_count=2,
        dismiss_stale_reviews=True,
        status_checks=["ci"],
        enforce_admins=True,
        bypass_pull_request=["release-bot"],
    )
    state.protect_branch(f"{ORG}/strict", "develop", required_approving_review_count=None, allow_force_pushes=True)
    org.publish("reviewed", org.gitflow("reviewed"))
    state.add_pull(f"{ORG}/reviewed", head="hotfix/fix-crash", merged_at="2026-01-10T10:00:00Z")  # no review
    state.add_pull(
        f"{ORG}/reviewed",
        head="hotfix/fix-login",
        merged_at="2026-01-12T10:00:00Z",
        reviews=[("lead", "APPROVED"), ("peer", "COMMENTED")],
    )
    state.add_pull(f"{ORG}/reviewed", head="hotfix/abandoned", closed_at="2026-01-13T10:00:00Z")
    # its own policy, read with the settings (hotfix branches are fix/{slug}: hotfix/... is wrong)
    org.publish("own-policy", org.gitflow("op"), policy={"extends": "default", "hotfix_branch": "fix/{slug}"})
    # GraphQL cannot say these the way REST does: read through REST
    org.publish("not-admin", org.gitflow("na"))
    state.repo(f"{ORG}/not-admin")["permissions"]["admin"] = False
    org.publish("free-plan", org.gitflow("fp"), private=True)
    state.repo(f"{ORG}/free-plan")["plan_protection"] = False


def reports(run: Any) -> dict[str, Any]:
    return {e["repository"]: (e["status"], e["error"], e["report"]) for e in run.report["repositories"]}


def rest_reads(org: Org) -> set[str]:
    """The repositories anything was read of through REST (settings, protection, policy file...)."""
    return {r.path.split("/")[3] for r in org.server.requests if r.path.startswith(f"/repos/{ORG}/")}


@pytest.mark.slow  # git servers and whole audits
def test_graphql_and_rest_audits_give_the_same_reports(org: Org, tmp_path: Path) -> None:
    varied_org(org)
    rest = org.audit("--org", ORG, *RULES, *REST, cache=tmp_path / "rest")
    rest_requests = len(org.server.requests)
    org.server.clear_requests()
    graphql = org.audit("--org", ORG, *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(graphql) == reports(rest)
    assert graphql.found()[f"{ORG}/reviewed"] == {("pr-review", "error")}
    assert ("branch-protection", "error") in graphql.found()[f"{ORG}/bare"]
    assert graphql.found()[f"{ORG}/strict"] == rest.found()[f"{ORG}/strict"]
    assert graphql.entry(f"{ORG}/own-policy")["policy"] == "repository .hotfix-lint.yaml"
    # one query read them all; REST read only the two GraphQL could not answer like it
    queries = [r for r in org.server.requests if r.path == "/graphql"]
    assert len(queries) == 1 and queries[0].status == 200
    assert rest_reads(org) == {"not-admin", "free-plan"}
    assert len(org.server.requests) < rest_requests / 2
    # warm: one query and the listing; REST only for the two it reads (as a REST audit would)
    org.server.clear_requests()
    warm = org.audit("--org", ORG, *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(warm) == reports(rest)
    counted = {r.path for r in org.server.requests if r.status != 304}
    assert {p for p in counted if p.startswith(f"/repos/{ORG}/")} == {
        p for p in counted if p.startswith((f"/repos/{ORG}/not-admin/", f"/repos/{ORG}/free-plan/"))
    }
    assert {p for p in counted if not p.startswith("/repos/")} <= {"/graphql", f"/orgs/{ORG}/repos"}


@pytest.mark.slow  # git servers and whole audits
def test_a_failed_query_leaves_its_repositories_to_rest(org: Org, tmp_path: Path) -> None:
    varied_org(org)
    rest = org.audit("--org", ORG, *RULES, *REST, cache=tmp_path / "rest")
    org.state.fail("/graphql", 502, method="POST")
    org.server.clear_requests()
    graphql = org.audit("--org", ORG, *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(graphql) == reports(rest)
    assert "could not check" not in str(reports(graphql)[f"{ORG}/clean"])
    assert rest_reads(org) >= {"clean", "ruled", "reviewed"}


def test_the_batched_query_is_valid_against_githubs_schema() -> None:
    from github_server.graphql_api import schema
    from graphql import parse, validate

    wants = [
        RepoWant("octo/app", ("main", 'we"ird\\name'), ("main",)),
        RepoWant("octo/lib", (), ()),
        RepoWant("octo/x", ("develop",), ("main", "develop")),
    ]
    assert validate(schema(), parse(batch_query(wants))) == []


def test_an_error_under_one_repository_leaves_only_that_one_to_rest() -> None:
    from hotfix_lint.collect.github.graphql import answers_of

    wants = [RepoWant("octo/a", ("main",)), RepoWant("octo/gone", ("main",)), RepoWant("octo/c", ("main",))]
    reply = {
        "data": {"r0": {"nameWithOwner": "octo/a"}, "r1": None, "r2": {"nameWithOwner": "octo/c", "b0": None}},
        "errors": [{"type": "NOT_FOUND", "path": ["r1"], "message": "Could not resolve to a Repository"}],
    }
    assert set(answers_of(wants, reply)) == {"octo/a", "octo/c"}
    reply["errors"].append({"type": "FORBIDDEN", "path": ["r2", "b0", "branchProtectionRule"], "message": "no"})
    assert set(answers_of(wants, reply)) == {"octo/a"}
    # an error naming no repository (a query GitHub rejected): none is trusted
    assert answers_of(wants, {"data": None, "errors": [{"message": "Parse error"}]}) == {}
    assert answers_of(wants, {**reply, "errors": [{"message": "timeout"}]}) == {}


def answer_with(**changes: Any) -> Any:
    """A GraphQL answer for octo/app (main protected, one merged pull request), changed by ``changes``."""
    from hotfix_lint.collect.github.graphql import RepoAnswer

    data: dict[str, Any] = {
        "nameWithOwner": "octo/app",
        "defaultBranchRef": {"name": "main"},
        "mergeCommitAllowed": True,
        "squashMergeAllowed": False,
        "rebaseMergeAllowed": False,
        "deleteBranchOnMerge": False,
        "isArchived": False,
        "isPrivate": True,
        "pushedAt": "2026-01-02T03:04:05Z",
        "viewerCanAdminister": True,
        "viewerPermission": "ADMIN",
        "rulesets": {"totalCount": 0, "nodes": []},
        "b0": {"name": "main", "branchProtectionRule": None, "rules": {"totalCount": 0, "nodes": []}},
        "p0": {
            "nodes": [
                {
                    "number": 7,
                    "title": "Fix",
                    "headRefName": "hotfix/fix",
                    "baseRefName": "main",
                    "headRefOid": "a" * 40,
                    "mergedAt": "2026-01-03T00:00:00Z",
                    "author": {"__typename": "Bot", "login": "renovate"},
                    "mergeCommit": {"oid": "b" * 40},
                    "reviews": {
                        "totalCount": 1,
                        "nodes": [
                            {
                                "author": {"__typename": "User", "login": "lead"},
                                "state": "APPROVED",
                                "submittedAt": "2026-01-02T23:00:00Z",
                                "commit": {"oid": "a" * 40},
                            }
                        ],
                    },
                }
            ]
        },
        **changes,
    }
    return RepoAnswer(RepoWant("octo/app", ("main",), ("main",)), data)


def test_facts_of_an_answer_are_the_ones_rest_makes() -> None:
    from hotfix_lint.collect.github.graphql_facts import facts_of
    from hotfix_lint.facts.github import BranchProtection

    facts = facts_of(answer_with(), ["main"], ["main"], None)
    assert facts is not None
    assert facts.settings.merge_methods == ("merge",) and facts.settings.pushed_at == 1767323045
    assert facts.branches[0].protection == BranchProtection.unprotected("main")
    pull = facts.pulls[0]
    assert (pull.author, pull.merged_at, pull.merge_commit_sha) == ("renovate[bot]", 1767398400, "b" * 40)
    assert [(r.user, r.state) for r in pull.reviews] == [("lead", "APPROVED")]
    # a ruleset rule: REST's names and types; an evaluate-mode ruleset names the bare branch
    rule = {
        "type": "PULL_REQUEST",
        "parameters": {"__typename": "PullRequestParameters", "requiredApprovingReviewCount": 2, "x": None},
        "repositoryRuleset": {
            "databaseId": 9,
            "name": "main",
            "source": {"__typename": "Organization", "login": "octo"},
        },
    }
    ruled = facts_of(
        answer_with(b0={"name": "main", "branchProtectionRule": None, "rules": {"totalCount": 1, "nodes": [rule]}}),
        ["main"],
        [],
        None,
    )
    assert ruled is not None
    (effective,) = ruled.branches[0].rules
    assert (effective.type, dict(effective.parameters), effective.ruleset_source_type) == (
        "pull_request",
        {"required_approving_review_count": 2},
        "Organization",
    )
    watch = {
        "databaseId": 3,
        "name": "watch",
        "enforcement": "EVALUATE",
        "target": "BRANCH",
        "conditions": {"refName": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
    }
    evaluated = facts_of(answer_with(rulesets={"totalCount": 1, "nodes": [watch]}), ["main"], [], None)
    assert evaluated is not None and evaluated.branches[0].evaluate_rulesets == ("watch",)


def test_what_graphql_cannot_say_like_rest_is_left_to_rest() -> None:
    from hotfix_lint.collect.github.graphql_facts import facts_of

    assert facts_of(answer_with(b0=None), ["main"], [], None) is None, "no such branch"
    assert facts_of(answer_with(viewerCanAdminister=False, viewerPermission="WRITE"), ["main"], [], None) is None
    assert facts_of(answer_with(), ["main", "develop"], [], None) is None, "a branch not asked for"
    many = {"totalCount": 101, "nodes": []}
    assert facts_of(answer_with(rulesets=many), ["main"], [], None) is None, "more than a page"
    assert facts_of(answer_with(mergeCommitAllowed=None), ["main"], [], None) is None
