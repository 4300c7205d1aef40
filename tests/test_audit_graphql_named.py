"""Repositories named on the command line or in ``--repos FILE`` (no organisation listing
describes them) read in the audit's GraphQL batches too (``audit.graphql_read.named_info``): the
same reports as REST, archived ones skipped as REST skips them, a missing one reported as REST
reports it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_org import ORG, Org
from test_audit_graphql import GRAPHQL, REST, RULES, reports, rest_reads, varied_org

from hotfix_lint.audit.graphql_read import named_info
from hotfix_lint.collect.github.graphql import RepoAnswer, RepoWant

#: ``varied_org``'s repositories
NAMES = ("clean", "open-merges", "squashed", "bare", "ruled", "strict", "reviewed", "own-policy")
NAMES += ("not-admin", "free-plan")


def graphql_queries(org: Org) -> list[int]:
    return [r.status for r in org.server.requests if r.path == "/graphql"]


@pytest.mark.slow  # git servers and whole audits
def test_named_repositories_are_read_in_the_batches_with_the_same_reports(org: Org, tmp_path: Path) -> None:
    varied_org(org)
    org.publish("old", org.gitflow("old"), archived=True)
    named = [f"{ORG}/{n}" for n in (*NAMES, "old")]
    rest = org.audit(*named, *RULES, *REST, cache=tmp_path / "rest")
    rest_requests = len(org.server.requests)
    org.server.clear_requests()
    graphql = org.audit(*named, *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(graphql) == reports(rest)
    assert graphql.entry(f"{ORG}/old")["status"] == "skipped" and graphql.entry(f"{ORG}/old")["error"] == "archived"
    assert graphql.entry(f"{ORG}/own-policy")["policy"] == "repository .hotfix-lint.yaml"
    # one query read them all, their names and states too: REST only for the two it cannot answer
    assert graphql_queries(org) == [200]
    assert rest_reads(org) == {"not-admin", "free-plan"}
    assert len(org.server.requests) < rest_requests / 2
    # warm: the query again, nothing else but for those two
    org.server.clear_requests()
    warm = org.audit(*named, *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(warm) == reports(rest)
    counted = {r.path for r in org.server.requests if r.status != 304}
    assert {p.split("/")[3] for p in counted if p.startswith("/repos/")} <= {"not-admin", "free-plan"}
    assert {p for p in counted if not p.startswith("/repos/")} == {"/graphql"}
    # --include-archived: the archived one audited, the same both ways
    org.server.clear_requests()
    old = (f"{ORG}/old", "--include-archived", *RULES)
    both = [org.audit(*old, *api, cache=tmp_path / f"archived-{api[1]}") for api in (REST, GRAPHQL)]
    assert reports(both[0]) == reports(both[1]) and both[1].entry(f"{ORG}/old")["status"] == "ok"


@pytest.mark.slow  # git servers and whole audits
def test_a_missing_named_repository_is_reported_as_rest_reports_it(org: Org, tmp_path: Path) -> None:
    org.publish("clean", org.gitflow("clean"))
    rest = org.audit(f"{ORG}/clean", f"{ORG}/missing", *RULES, *REST, cache=tmp_path / "rest")
    org.server.clear_requests()
    graphql = org.audit(f"{ORG}/clean", f"{ORG}/missing", *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(graphql) == reports(rest)
    assert graphql.entry(f"{ORG}/missing")["status"] == "failed"
    assert "not found, or hidden from this token" in graphql.entry(f"{ORG}/missing")["error"]
    assert graphql.status == rest.status == 3
    assert graphql_queries(org) == [200]
    assert rest_reads(org) == {"missing"}  # GraphQL said NOT_FOUND: REST asked, and says so


@pytest.mark.slow  # git servers and whole audits
def test_repositories_from_a_file_are_read_in_the_batches(org: Org, tmp_path: Path) -> None:
    varied_org(org)
    listing = tmp_path / "repos.txt"
    listing.write_text("# the lot\nOCTO/Clean  # another case\n" + "".join(f"{ORG}/{n}\n" for n in NAMES[1:]))
    rest = org.audit("--repos", str(listing), *RULES, *REST, cache=tmp_path / "rest")
    org.server.clear_requests()
    graphql = org.audit("--repos", str(listing), *RULES, *GRAPHQL, cache=tmp_path / "graphql")
    assert reports(graphql) == reports(rest)
    assert f"{ORG}/clean" in reports(graphql)
    assert graphql_queries(org) == [200]
    assert rest_reads(org) == {"not-admin", "free-plan"}


def test_named_info_is_what_rest_says_or_none() -> None:
    want = RepoWant("octo/app", ("main",))
    data = {
        "nameWithOwner": "octo/app",
        "url": "https://github.com/octo/app",
        "defaultBranchRef": {"name": "trunk"},
        "isArchived": True,
        "isPrivate": False,
        "pushedAt": "2026-01-02T03:04:05Z",
    }
    info = named_info({"octo/app": RepoAnswer(want, data)}, "Octo/App")
    assert info is not None
    assert (info.full_name, info.default_branch) == ("octo/app", "trunk")
    assert info.clone_url == "https://github.com/octo/app.git"
    assert info.archived and info.pushed_at == "2026-01-02T03:04:05Z" and not info.private
    assert named_info({}, "octo/app") is None and named_info(None, "octo/app") is None
    # renamed, empty, without a URL: REST reads it
    for changed in ({"nameWithOwner": "octo/new"}, {"defaultBranchRef": None}, {"url": None}):
        assert named_info({"octo/app": RepoAnswer(want, {**data, **changed})}, "octo/app") is None
