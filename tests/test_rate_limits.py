"""GitHub's rate limits: the loopback server enforces them as GitHub documents, and the audit
paces itself under them (``collect.github.pacing``) or, under limits lower than it knows, backs off."""

from __future__ import annotations

import bisect
import http.client
import json
import threading
import time
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from audit_org import TOKEN, Org
from github_server import GitHubServer

from hotfix_lint.collect.github.pacing import ApiLimits, Pacer, endpoint_of

#: the REST path alone (conditional requests, kept facts): what these tests are about
REST = ("--github-api", "rest")


def get(
    server: GitHubServer,
    path: str,
    token: str = "t",  # noqa: S107
    etag: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Authorization": f"token {token}"}
    if etag:
        headers["If-None-Match"] = etag
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, json.loads(body) if body else None


@pytest.fixture
def gh(github_server: GitHubServer) -> GitHubServer:
    github_server.state.add_org("octo")
    github_server.state.add_repo("octo/app")
    return github_server


# -- the loopback server ------------------------------------------------------------------------


def test_every_answer_reports_the_hourly_budget_and_a_304_does_not_spend_it(gh: GitHubServer) -> None:
    status, headers, _ = get(gh, "/repos/octo/app")
    assert status == 200
    assert (headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"], headers["x-ratelimit-used"]) == (
        "5000",
        "4999",
        "1",
    )
    assert headers["x-ratelimit-resource"] == "core"
    assert int(headers["x-ratelimit-reset"]) > time.time() + 3500
    status, headers, _ = get(gh, "/repos/octo/app", etag=headers["etag"])
    assert status == 304 and headers["x-ratelimit-remaining"] == "4999"
    status, headers, _ = get(gh, "/repos/octo/app", token="other")  # noqa: S106
    assert headers["x-ratelimit-remaining"] == "4999"  # each token its own budget


def test_past_the_hourly_budget_github_answers_403_with_nothing_remaining(gh: GitHubServer) -> None:
    gh.state.set_limits(hourly=2)
    assert [get(gh, "/repos/octo/app")[0] for _ in range(2)] == [200, 200]
    status, headers, body = get(gh, "/repos/octo/app")
    assert status == 403 and headers["x-ratelimit-remaining"] == "0" and headers["x-ratelimit-used"] == "2"
    assert body["message"].startswith("API rate limit exceeded")
    assert gh.limits.log.refused == [("hourly", "GET get_repo")]


def test_past_the_points_of_an_endpoint_a_secondary_limit_until_the_client_waits(gh: GitHubServer) -> None:
    gh.state.set_limits(window=1, rest_points=3, retry_after=1)
    assert [get(gh, "/repos/octo/app")[0] for _ in range(3)] == [200, 200, 200]
    assert get(gh, "/orgs/octo/repos")[0] == 200  # another endpoint has its own points
    status, headers, body = get(gh, "/repos/octo/app")
    assert status == 403 and headers["retry-after"] == "1" and headers["x-ratelimit-remaining"] != "0"
    assert "secondary rate limit" in body["message"]
    time.sleep(0.6)
    assert get(gh, "/orgs/octo/repos")[0] == 403  # asking before retry-after: refused, and longer
    time.sleep(0.6)
    assert get(gh, "/repos/octo/app")[0] == 403
    time.sleep(1.05)
    assert get(gh, "/repos/octo/app")[0] == 200
    assert [kind for kind, _ in gh.limits.log.refused] == ["points", "penalty", "penalty"]


def test_past_the_server_time_budget_a_secondary_limit(gh: GitHubServer) -> None:
    gh.state.set_limits(window=5, server_seconds=0.25, latency=0.1, status=429)
    started = time.monotonic()
    assert [get(gh, "/repos/octo/app")[0] for _ in range(3)] == [200, 200, 200]
    assert time.monotonic() - started >= 0.3  # the latency it adds
    assert get(gh, "/repos/octo/app")[0] == 429
    assert gh.limits.log.refused == [("server-time", "GET get_repo")]


def test_past_100_concurrent_requests_a_secondary_limit(gh: GitHubServer) -> None:
    gh.state.set_limits(concurrency=2, latency=0.3)
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda: statuses.append(get(gh, "/repos/octo/app")[0])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 403, 403]
    assert gh.limits.log.peak_concurrency == 2


# -- the pacer ------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_pacer_never_lets_a_window_hold_more_than_the_limit() -> None:
    """However many requests are waiting, no window of the limit's length sees more than 95% of
    the endpoint's points or of the server time (each answer taking 0.2 s here)."""
    clock = Clock()
    pacer = Pacer(ApiLimits(rest_points=900, server_seconds=90), clock=clock, sleep=clock.sleep, wall=clock)
    sent: list[float] = []
    for _ in range(3000):
        ticket = pacer.before("GET", "/repos/o/r/branches/main/protection")
        sent.append(clock.now)
        pacer.after(replace(ticket, started=clock.now - 0.2), 200, {})  # answered in 0.2 s
    busiest = max(bisect.bisect_left(sent, start + 60) - n for n, start in enumerate(sent))
    assert 0.8 * 450 < busiest <= 0.95 * 450  # 90 s of server time a minute at 0.2 s an answer: 450


def test_the_pacer_waits_for_the_hourly_reset_when_the_budget_is_spent() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, sleep=clock.sleep, wall=clock)
    ticket = pacer.before("GET", "/repos/o/r")
    pacer.after(ticket, 200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(clock.now + 120)})
    before = clock.now
    pacer.before("GET", "/repos/o/r")
    assert clock.now - before >= 119.9
    assert pacer.reading().waited >= 119.9  # a new hour: the next answer tells the budget again


def test_the_pacer_is_shared_with_the_workers_the_audit_forks() -> None:
    import multiprocessing

    pacer = Pacer()
    reset = str(int(time.time()) + 100)

    def worker() -> None:
        ticket = pacer.before("GET", "/repos/o/r")
        pacer.after(
            ticket, 200, {"X-RateLimit-Remaining": "42", "X-RateLimit-Reset": reset, "X-RateLimit-Limit": "5000"}
        )

    child = multiprocessing.get_context("fork").Process(target=worker)
    child.start()
    child.join(timeout=30)
    reading = pacer.reading()
    assert (reading.sent, reading.remaining, reading.limit) == (1, 42, 5000)


def test_endpoints_are_counted_coarsely() -> None:
    assert endpoint_of("GET", "/repos/o/r/branches/main/protection") == "GET repos branches"
    assert endpoint_of("GET", "/api/v3/repos/o/r") == "GET repos"
    assert endpoint_of("GET", "/orgs/octo/repos?page=2") == "GET orgs repos"
    with pytest.raises(ValueError, match="expected NAME=VALUE"):
        ApiLimits.parse("points=3")
    assert ApiLimits.parse("rest-points=30,window=2").rest_points == 30


# -- the audit ------------------------------------------------------------------------------------


def publish_many(org: Org, count: int) -> None:
    repo = org.gitflow("shared")
    for n in range(count):
        org.publish(f"r{n:02d}", repo)


def test_the_audit_paces_itself_under_the_limits_it_knows(org: Org) -> None:
    """The server's limits shrunk to a 2-second window; the audit told them: not one limit
    answer, cold or warm, with more jobs than the concurrency allows."""
    publish_many(org, 6)
    org.state.set_limits(window=2, rest_points=8, concurrency=4, server_seconds=1.0)
    limits = "window=2,rest-points=8,concurrency=4,server-seconds=1"
    for _ in ("cold", "warm"):
        run = org.audit("--org", "octo", "--jobs", "8", "--api-limits", limits)
        assert run.status == 0, run.stderr
        assert [e["status"] for e in run.report["repositories"]] == ["ok"] * 6
        assert "0 rate-limit answers" in run.stderr
    log = org.server.limits.log
    assert log.refused == []
    assert log.peak_points <= 8 and log.peak_concurrency <= 4
    assert not [r for r in org.server.requests if r.status in (403, 429)]


def test_the_audit_backs_off_under_limits_lower_than_it_knows_and_finishes(org: Org) -> None:
    """GitHub's published limits are not the server's: the audit is refused, waits as told,
    slows down, and finishes with everything read (no "could not check")."""
    publish_many(org, 4)
    org.state.set_limits(window=1, rest_points=4, retry_after=1)
    run = org.audit("--org", "octo", *REST, "--jobs", "4")
    assert run.status == 0, run.stderr
    assert [e["status"] for e in run.report["repositories"]] == ["ok"] * 4
    assert "could not check" not in json.dumps(run.report)
    refused = org.server.limits.log.refused
    assert refused and {kind for kind, _ in refused} <= {"points", "penalty"}
    assert "0 rate-limit answers" not in run.stderr
    assert TOKEN not in run.everything


def test_api_limits_that_are_not_limits_are_a_usage_error(org: Org) -> None:
    for wrong in ("points=3", "rest-points=0", "window"):
        run = org.audit("--org", "octo", "--api-limits", wrong)
        assert run.status == 2 and "--api-limits" in run.stderr, run.stderr
    assert not org.server.requests


# -- GraphQL ----------------------------------------------------------------------------------------


def graphql(server: GitHubServer, query: str) -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/graphql", body=json.dumps({"query": query}), headers={"Authorization": "bearer t"})
    answer = conn.getresponse()
    body = json.loads(answer.read())
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


def test_one_graphql_query_reads_many_repositories_against_githubs_schema(gh: GitHubServer) -> None:
    gh.state.add_repo("octo/lib", allow_squash_merge=False)
    gh.state.protect_branch("octo/lib", "main", required_approving_review_count=2)
    query = """query {
      a: repository(owner: "octo", name: "app") { mergeCommitAllowed squashMergeAllowed rebaseMergeAllowed }
      b: repository(owner: "octo", name: "lib") {
        squashMergeAllowed
        branchProtectionRules(first: 100) { nodes { pattern requiredApprovingReviewCount } }
      }
    }"""
    status, headers, body = graphql(gh, query)
    assert status == 200 and "errors" not in body, body
    assert body["data"]["a"] == {"mergeCommitAllowed": True, "squashMergeAllowed": True, "rebaseMergeAllowed": True}
    assert body["data"]["b"]["squashMergeAllowed"] is False
    assert body["data"]["b"]["branchProtectionRules"]["nodes"] == [
        {"pattern": "main", "requiredApprovingReviewCount": 2}
    ]
    assert headers["x-ratelimit-resource"] == "graphql"
    assert gh.limits.log.points_total == {"POST graphql": 1}  # a query is 1 point, not a POST's 5


def test_the_rest_budget_the_meter_reports_is_not_graphqls(gh: GitHubServer) -> None:
    """A GraphQL answer's ``x-ratelimit-*`` headers count its points (``resource: graphql``): after
    the audit's GraphQL read-ahead, the budget the meter reports ("API budget left") is still REST's."""
    from hotfix_lint.collect.github.conditional import ApiMeter
    from hotfix_lint.collect.github.session import open_session

    meter = ApiMeter()
    session = open_session(gh.url, "t", meter=meter)
    try:
        headers, _ = session.get(f"{gh.url}/repos/octo/app")
        rest = (int(headers["x-ratelimit-remaining"]), int(headers["x-ratelimit-limit"]))
        requester = session.gh.requester
        query = {"query": 'query { repository(owner: "octo", name: "app") { name } }'}
        headers, _ = session.call(partial(requester.requestJsonAndCheck, "POST", requester.graphql_url, input=query))
    finally:
        session.close()
    assert headers["x-ratelimit-resource"] == "graphql" and int(headers["x-ratelimit-remaining"]) != rest[0]
    assert meter.requests == 2
    assert (meter.remaining, meter.limit) == rest


def test_a_query_github_would_reject_fails_as_github_answers_it(gh: GitHubServer) -> None:
    status, _, body = graphql(gh, 'query { repository(owner: "octo", name: "app") { allowSquashMerge } }')
    assert status == 200 and "data" not in body
    assert "Cannot query field 'allowSquashMerge' on type 'Repository'" in body["errors"][0]["message"]


def test_the_audit_waits_for_the_hourly_reset_instead_of_spending_past_it(org: Org) -> None:
    """An "hour" of 3 s and 8 requests: the cold audit needs more, waits for the reset the
    headers name, and is never refused."""
    publish_many(org, 2)
    org.state.set_limits(hourly=8, hour=3)
    run = org.audit("--org", "octo", *REST, "--jobs", "2")
    assert run.status == 0, run.stderr
    assert [e["status"] for e in run.report["repositories"]] == ["ok"] * 2
    assert "could not check" not in json.dumps(run.report)
    assert org.server.limits.log.refused == []
    assert sum(1 for r in org.server.requests if r.status != 304) > 8


@pytest.mark.slow  # a whole audit waiting on a shrunk window
def test_the_graphql_queries_are_paced_with_the_rest(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """One repository a query, GraphQL's points shrunk to 2 per 2-second window: the read-ahead
    waits for room instead of being refused, and every repository is read by GraphQL."""
    import hotfix_lint.collect.github.graphql as github_graphql

    monkeypatch.setattr(github_graphql, "BATCH", 1)
    publish_many(org, 6)
    org.state.set_limits(window=2, graphql_points=2)
    run = org.audit("--org", "octo", "--jobs", "4", "--api-limits", "window=2,graphql-points=2")
    assert run.status == 0, run.stderr
    assert "could not check" not in json.dumps(run.report)
    queries = [r for r in org.server.requests if r.path == "/graphql"]
    assert [r.status for r in queries] == [200] * 6
    assert org.server.limits.log.refused == [] and org.server.limits.log.peak_points <= 2
    assert not [r for r in org.server.requests if r.path.startswith("/repos/")], "nothing left to REST"
