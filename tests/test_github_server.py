"""The loopback GitHub answers like GitHub: every body validates against the REST description.

Each endpoint and each error answer the server can give is requested over HTTP and its body
is validated against the response schema that ``tests/data/github-api/openapi-subset.json``
(GitHub's OpenAPI 3.0 description, MIT, see the LICENSE beside it) gives for that path,
method and status. Where the description lists no schema for an error status on a path
(GitHub documents 403/429/5xx globally, not per path), the body must be GitHub's
``basic-error``. ``GET /repos/{owner}/{repo}/deployments/{deployment_id}`` is not in the
subset; its body is validated against the ``deployment`` schema that the list uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from github_server import GitHubServer, GitHubState, serve_github
from github_server.state import MUST_HAVE_ADMIN, NOT_ACCESSIBLE_BY_INTEGRATION
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import best_match

SPEC_PATH = Path(__file__).parent / "data" / "github-api" / "openapi-subset.json"
#: endpoints the server answers that the subset does not describe, with the schema used instead
NOT_IN_SUBSET = {("GET", "/repos/{owner}/{repo}/deployments/{deployment_id}"): "deployment"}


# -- the REST description as JSON Schema -------------------------------------------------------


def openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to draft-4 JSON Schema: ``nullable: true`` admits null.

    The subset uses ``nullable`` beside ``type`` (sometimes with ``enum``) and beside
    ``anyOf``/``allOf``; ``discriminator``, ``example``, ``readOnly``, ``deprecated`` and the
    ``x-github-*`` extensions are annotations that validators ignore.
    """
    if isinstance(node, list):
        return [openapi_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: openapi_to_jsonschema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


@functools.cache
def spec() -> dict[str, Any]:
    raw = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert raw["openapi"].startswith("3.0"), "the converter above handles OpenAPI 3.0 only"
    converted: dict[str, Any] = openapi_to_jsonschema(raw)
    return converted


FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value or not (value.endswith("Z") or value[-6] in "+-"):
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("uri")  # type: ignore[untyped-decorator]
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and not any(c in value for c in " {}")


def response_schema(template: str, method: str, status: int) -> dict[str, Any] | None:
    """The JSON schema GitHub documents for this answer; None when it documents no body."""
    doc = spec()
    key = (method, template)
    if key in NOT_IN_SUBSET and 200 <= status < 300:
        return {"$ref": f"#/components/schemas/{NOT_IN_SUBSET[key]}"}
    operation = doc["paths"][template][method.lower()]
    response = operation["responses"].get(str(status))
    if response is None:
        assert status >= 400, f"{method} {template} answered {status}, which GitHub does not document"
        return {"$ref": "#/components/schemas/basic-error"}
    while "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    content = response.get("content", {}).get("application/json")
    return None if content is None else content["schema"]


def assert_valid(body: Any, template: str, method: str, status: int) -> None:
    schema = response_schema(template, method, status)
    if schema is None:
        assert body is None, f"{method} {template} {status} documents no body"
        return
    root = {"allOf": [schema], "components": spec()["components"]}
    validator = Draft4Validator(root, format_checker=FORMATS)
    error = best_match(validator.iter_errors(body))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise AssertionError(f"{method} {template} {status}: at {where or '(root)'}: {error.message}")


# -- a populated server ------------------------------------------------------------------------


REPO = "octo/app"
T0 = int(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc).timestamp())


def populate(state: GitHubState) -> dict[str, Any]:
    """One repository with something behind every endpoint; returns ids the paths need."""
    state.add_org("octo")
    state.add_repo(
        REPO, branches=["develop", "prod/hotfix/2025-03-01_fix"], allow_squash_merge=False, delete_branch_on_merge=True
    )
    state.add_repo("octo/lib", private=False)
    state.protect_branch(
        REPO,
        "main",
        required_approving_review_count=2,
        dismiss_stale_reviews=True,
        status_checks=["ci/test"],
        enforce_admins=True,
        restrict_to=["release-bot"],
        bypass_pull_request=["release-bot"],
    )
    ruleset_id = state.add_ruleset(
        REPO,
        "hotfix branches",
        include=["refs/heads/prod/hotfix/*"],
        rules=[
            "deletion",
            "non_fast_forward",
            {"type": "pull_request", "parameters": {"required_approving_review_count": 1}},
        ],
        bypass_actors=[{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}],
    )
    state.add_ruleset(REPO, "linear main", rules=["required_linear_history"])
    state.add_ruleset(
        REPO,
        "queue",
        include=["refs/heads/queue/*"],
        rules=[{"type": "merge_queue", "parameters": {"merge_method": "SQUASH", "grouping_strategy": "ALLGREEN"}}],
    )
    state.add_repo("octo/free", plan_protection=False)
    state.add_environment(REPO, "prod/eu", reviewers=["dawid"], can_admins_bypass=False, branch_patterns=["main"])
    state.add_workflow(REPO, ".github/workflows/ci.yml", "disabled_inactivity")
    state.add_environment(
        REPO,
        "production",
        reviewers=["dawid", "max"],
        reviewer_teams=["release-managers"],
        wait_timer=5,
        branch_patterns=["main", "prod/hotfix/*", ("v*", "tag")],
    )
    state.add_environment(REPO, "staging", protected_branches=True)
    older = state.add_deployment(
        REPO, environment="production", created_at=T0, statuses=[("in_progress", T0 + 10), ("success", T0 + 60)]
    )
    state.add_deployment(
        REPO,
        environment="production",
        ref="prod/hotfix/2025-03-01_fix",
        created_at=T0 + 3600,
        statuses=[("failure", T0 + 3700)],
    )
    state.add_deployment(REPO, environment="staging", created_at=T0 + 100, statuses=[])
    superseded = state.add_deployment(REPO, environment="qa", created_at=T0 + 200, statuses=[("success", T0 + 210)])
    state.add_deployment(REPO, environment="qa", created_at=T0 + 300, statuses=[("success", T0 + 310)])
    merged = state.add_pull(
        REPO,
        head="hotfix/fix-timeout",
        base="prod/hotfix/2025-03-01_fix",
        user="dev",
        created_at=T0 - 7200,
        merged_at=T0 - 600,
        reviews=[("max", "COMMENTED"), ("dawid", "APPROVED")],
    )
    state.add_pull(REPO, head="feature/x", base="develop", user="dev", created_at=T0 - 3600)
    state.add_pull(REPO, head="feature/y", base="main", user="dev", created_at=T0 - 3000, closed_at=T0 - 100)
    state.add_file(REPO, "CHANGELOG.md", "# Changelog\n\n## [1.2.1]\n- Fixed timeout (JAZZ-1234)\n")
    state.add_file(REPO, "src/app/__init__.py", "__version__ = '1.2.1'\n")
    return {"ruleset": ruleset_id, "deployment": older, "pull": merged, "superseded": superseded}


@pytest.fixture
def server() -> Iterator[GitHubServer]:
    with serve_github() as gh:
        yield gh


@pytest.fixture
def ids(server: GitHubServer) -> dict[str, Any]:
    return populate(server.state)


def call(
    server: GitHubServer, method: str, target: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    """One request over a fresh connection: (status, headers lower-cased, decoded JSON or None)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        payload = None if body is None else json.dumps(body)
        sent = {
            "Accept": "application/vnd.github+json",
            "User-Agent": "hotfix-lint-tests",
            "Authorization": "token ghp_loopback",
            **(headers or {}),
        }
        if payload is not None:
            sent["Content-Type"] = "application/json"
        conn.request(method, server.prefix + target, body=payload, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
        return response.status, got, json.loads(raw) if raw else None
    finally:
        conn.close()


# -- every endpoint, every documented answer ---------------------------------------------------

P = "/repos/{owner}/{repo}"
POLICIES = P + "/environments/{environment_name}/deployment-branch-policies"
ENDPOINTS: list[tuple[str, str, str, int]] = [
    # (method, request target, path template, expected status)
    ("GET", "/repos/octo/app", P, 200),
    ("GET", "/repos/octo/missing", P, 404),
    ("GET", "/orgs/octo/repos", "/orgs/{org}/repos", 200),
    ("GET", "/orgs/octo/repos?type=public", "/orgs/{org}/repos", 200),
    ("GET", "/repos/octo/app/branches/main/protection", P + "/branches/{branch}/protection", 200),
    ("GET", "/repos/octo/app/branches/develop/protection", P + "/branches/{branch}/protection", 404),
    ("GET", "/repos/octo/app/branches/nope/protection", P + "/branches/{branch}/protection", 404),
    ("GET", "/repos/octo/app/rules/branches/main", P + "/rules/branches/{branch}", 200),
    ("GET", "/repos/octo/app/rules/branches/prod/hotfix/2025-03-01_fix", P + "/rules/branches/{branch}", 200),
    ("GET", "/repos/octo/app/rules/branches/prod%2Fhotfix%2F2025-03-01_fix", P + "/rules/branches/{branch}", 200),
    ("GET", "/repos/octo/app/rules/branches/queue/x", P + "/rules/branches/{branch}", 200),
    ("GET", "/repos/octo/free/branches/main/protection", P + "/branches/{branch}/protection", 403),
    ("GET", "/repos/octo/free/rules/branches/main", P + "/rules/branches/{branch}", 403),
    ("GET", "/repos/octo/app/actions/workflows", P + "/actions/workflows", 200),
    ("GET", "/repos/octo/app/environments/prod%2Feu", P + "/environments/{environment_name}", 200),
    ("GET", "/repos/octo/app/environments/prod%2Feu/deployment-branch-policies", POLICIES, 200),
    ("GET", "/repos/octo/app/deployments/{superseded}/statuses", P + "/deployments/{deployment_id}/statuses", 200),
    ("GET", "/repos/octo/app/rulesets", P + "/rulesets", 200),
    ("GET", "/repos/octo/app/rulesets/{ruleset}", P + "/rulesets/{ruleset_id}", 200),
    ("GET", "/repos/octo/app/rulesets/1", P + "/rulesets/{ruleset_id}", 404),
    ("GET", "/repos/octo/app/environments", P + "/environments", 200),
    ("GET", "/repos/octo/app/environments/production", P + "/environments/{environment_name}", 200),
    ("GET", "/repos/octo/app/environments/staging", P + "/environments/{environment_name}", 200),
    ("GET", "/repos/octo/app/environments/nope", P + "/environments/{environment_name}", 404),
    ("GET", "/repos/octo/app/environments/production/deployment-branch-policies", POLICIES, 200),
    ("GET", "/repos/octo/app/deployments", P + "/deployments", 200),
    ("GET", "/repos/octo/app/deployments?environment=production", P + "/deployments", 200),
    ("GET", "/repos/octo/app/deployments/{deployment}", P + "/deployments/{deployment_id}", 200),
    ("GET", "/repos/octo/app/deployments/{deployment}/statuses", P + "/deployments/{deployment_id}/statuses", 200),
    ("GET", "/repos/octo/app/deployments/1/statuses", P + "/deployments/{deployment_id}/statuses", 404),
    ("GET", "/repos/octo/app/pulls", P + "/pulls", 200),
    ("GET", "/repos/octo/app/pulls?state=closed&base=prod/hotfix/2025-03-01_fix", P + "/pulls", 200),
    ("GET", "/repos/octo/app/pulls?state=all&sort=updated&direction=desc", P + "/pulls", 200),
    ("GET", "/repos/octo/app/pulls?state=bogus", P + "/pulls", 422),
    ("GET", "/repos/octo/app/pulls/{pull}", P + "/pulls/{pull_number}", 200),
    ("GET", "/repos/octo/app/pulls/2", P + "/pulls/{pull_number}", 200),
    ("GET", "/repos/octo/app/pulls/99", P + "/pulls/{pull_number}", 404),
    ("GET", "/repos/octo/app/pulls/{pull}/reviews", P + "/pulls/{pull_number}/reviews", 200),
    ("GET", "/repos/octo/app/contents/CHANGELOG.md", P + "/contents/{path}", 200),
    ("GET", "/repos/octo/app/contents/src", P + "/contents/{path}", 200),
    ("GET", "/repos/octo/app/contents/NOPE.md", P + "/contents/{path}", 404),
]


@pytest.mark.parametrize(
    ("method", "target", "template", "status"), ENDPOINTS, ids=[f"{m} {t} {s}" for m, t, _, s in ENDPOINTS]
)
def test_every_endpoint_answers_as_documented(
    server: GitHubServer, ids: dict[str, Any], method: str, target: str, template: str, status: int
) -> None:
    got, headers, body = call(server, method, target.format(**ids))
    assert got == status, body
    assert headers["content-type"].startswith("application/json")
    assert headers["x-ratelimit-remaining"] == "4999"
    assert_valid(body, template, method, status)


def test_the_subset_describes_every_endpoint_but_one() -> None:
    templates = {(m, t) for m, _, t, _ in ENDPOINTS} | {("POST", P + "/statuses/{sha}")}
    missing = {(m, t) for m, t in templates if m.lower() not in spec()["paths"].get(t, {})}
    assert missing == set(NOT_IN_SUBSET)


def test_post_status_is_recorded_and_answers_201(server: GitHubServer) -> None:
    populate(server.state)
    sha = "a" * 40
    status, headers, body = call(
        server,
        "POST",
        f"/repos/octo/app/statuses/{sha}",
        {
            "state": "failure",
            "context": "hotfix-lint",
            "description": "2 errors",
            "target_url": "https://ci.example/run/1",
        },
    )
    assert status == 201
    assert headers["location"].endswith(f"/repos/octo/app/statuses/{sha}")
    assert_valid(body, P + "/statuses/{sha}", "POST", 201)
    posted = server.state.statuses_posted(REPO, sha)
    assert [(s["state"], s["context"], s["description"]) for s in posted] == [("failure", "hotfix-lint", "2 errors")]
    bad, _, error = call(server, "POST", f"/repos/octo/app/statuses/{sha}", {"state": "green"})
    assert bad == 422
    assert error["message"] == "Validation Failed"
    assert len(server.state.statuses_posted(REPO, sha)) == 1


# -- configured error answers ------------------------------------------------------------------

ERRORS: list[tuple[str, dict[str, Any], str, str, int]] = [
    # (name, GitHubState.fail arguments, request target, path template, status)
    (
        "403 integration",
        {"status": 403, "message": NOT_ACCESSIBLE_BY_INTEGRATION},
        "/repos/octo/app/branches/main/protection",
        P + "/branches/{branch}/protection",
        403,
    ),
    (
        "403 admin rights",
        {"status": 403, "message": MUST_HAVE_ADMIN},
        "/repos/octo/app/branches/main/protection",
        P + "/branches/{branch}/protection",
        403,
    ),
    ("403 on repo", {"status": 403, "message": NOT_ACCESSIBLE_BY_INTEGRATION}, "/repos/octo/app", P, 403),
    (
        "404 environments",
        {"status": 404},
        "/repos/octo/app/environments/production",
        P + "/environments/{environment_name}",
        404,
    ),
    ("429 retry-after", {"status": 429, "retry_after": 7}, "/repos/octo/app/pulls", P + "/pulls", 429),
    (
        "403 primary rate limit",
        {"status": 403, "message": "API rate limit exceeded for user ID 1.", "reset": 1_900_000_000},
        "/repos/octo/app/rules/branches/main",
        P + "/rules/branches/{branch}",
        403,
    ),
    ("500 rulesets", {"status": 500}, "/repos/octo/app/rulesets", P + "/rulesets", 500),
    ("500 deployments", {"status": 500}, "/repos/octo/app/deployments", P + "/deployments", 500),
    ("503 pull", {"status": 503}, "/repos/octo/app/pulls/1", P + "/pulls/{pull_number}", 503),
    (
        "502 statuses",
        {"status": 502, "method": "POST"},
        "/repos/octo/app/statuses/" + "b" * 40,
        P + "/statuses/{sha}",
        502,
    ),
    ("500 org repos", {"status": 500}, "/orgs/octo/repos", "/orgs/{org}/repos", 500),
    (
        "403 contents",
        {"status": 403, "message": NOT_ACCESSIBLE_BY_INTEGRATION},
        "/repos/octo/app/contents/CHANGELOG.md",
        P + "/contents/{path}",
        403,
    ),
]


@pytest.mark.parametrize(("name", "fail", "target", "template", "status"), ERRORS, ids=[e[0] for e in ERRORS])
def test_configured_errors_answer_as_github_does(
    server: GitHubServer, name: str, fail: dict[str, Any], target: str, template: str, status: int
) -> None:
    populate(server.state)
    arguments = dict(fail)
    server.state.fail(urlsplit(target).path, arguments.pop("status"), **arguments)
    method = arguments.get("method", "GET")
    body = {"state": "success"} if method == "POST" else None
    got, headers, answer = call(server, method, target, body)
    assert got == status
    assert_valid(answer, template, method, status)
    if "message" in fail:
        assert answer["message"] == fail["message"]
    if "retry_after" in fail:
        assert headers["retry-after"] == str(fail["retry_after"])
    if "reset" in fail:
        assert headers["x-ratelimit-remaining"] == "0"
        assert headers["x-ratelimit-reset"] == str(fail["reset"])


def test_an_error_with_a_count_fails_that_often_then_answers(server: GitHubServer) -> None:
    populate(server.state)
    server.state.fail("/repos/octo/app", 500, times=2)
    statuses = [call(server, "GET", "/repos/octo/app")[0] for _ in range(3)]
    assert statuses == [500, 500, 200]


def test_error_paths_are_globs(server: GitHubServer) -> None:
    populate(server.state)
    server.state.forbid("/repos/octo/app/branches/*/protection")
    assert call(server, "GET", "/repos/octo/app/branches/main/protection")[0] == 403
    assert call(server, "GET", "/repos/octo/app/branches/prod/hotfix/2025-03-01_fix/protection")[0] == 403
    assert call(server, "GET", "/repos/octo/app")[0] == 200


def test_a_token_without_admin_rights_gets_not_found_for_protection(server: GitHubServer) -> None:
    server.state.add_repo(REPO, admin=False)
    server.state.protect_branch(REPO, "main")
    status, _, body = call(server, "GET", "/repos/octo/app/branches/main/protection")
    assert (status, body["message"]) == (404, "Not Found")


def test_required_token_answers_401_bad_credentials(server: GitHubServer) -> None:
    populate(server.state)
    server.state.require_token("ghp_right")
    status, _, body = call(server, "GET", "/repos/octo/app", headers={"Authorization": "token ghp_wrong"})
    assert (status, body["message"]) == (401, "Bad credentials")
    assert_valid(body, P, "GET", 401)
    assert call(server, "GET", "/repos/octo/app", headers={"Authorization": "Bearer ghp_right"})[0] == 200


# -- behaviour: rules, pagination, ETags, recording, prefix, persistence ------------------------


def test_effective_rules_follow_ruleset_conditions(server: GitHubServer, ids: dict[str, Any]) -> None:
    _, _, main = call(server, "GET", "/repos/octo/app/rules/branches/main")
    assert [r["type"] for r in main] == ["required_linear_history"]
    _, _, hotfix = call(server, "GET", "/repos/octo/app/rules/branches/prod/hotfix/2025-03-01_fix")
    assert [r["type"] for r in hotfix] == ["deletion", "non_fast_forward", "pull_request"]
    assert {r["ruleset_id"] for r in hotfix} == {ids["ruleset"]}
    assert hotfix[2]["parameters"]["required_approving_review_count"] == 1
    _, _, nested = call(server, "GET", "/repos/octo/app/rules/branches/prod/hotfix/a/b")
    assert nested == [], "* does not cross a slash"
    _, _, develop = call(server, "GET", "/repos/octo/app/rules/branches/develop")
    assert develop == []


def test_lists_paginate_with_link_headers(server: GitHubServer) -> None:
    server.state.add_repo(REPO)
    for n in range(5):
        server.state.add_pull(REPO, head=f"hotfix/{n}", merged_at=T0 + n)
    status, headers, first = call(server, "GET", "/repos/octo/app/pulls?state=closed&per_page=2")
    assert status == 200
    assert [p["number"] for p in first] == [5, 4]
    links = {rel: url for url, rel in (part.split("; ") for part in headers["link"].split(", "))}
    assert set(links) == {'rel="next"', 'rel="last"'}
    next_url = links['rel="next"'].strip("<>")
    assert next_url.startswith(server.url + "/repos/octo/app/pulls?")
    assert "page=2" in next_url and "state=closed" in next_url and "per_page=2" in next_url
    _, headers3, third = call(server, "GET", "/repos/octo/app/pulls?state=closed&per_page=2&page=3")
    assert [p["number"] for p in third] == [1]
    assert 'rel="next"' not in headers3["link"] and 'rel="prev"' in headers3["link"]


def test_etag_and_if_none_match_give_304(server: GitHubServer) -> None:
    populate(server.state)
    _, headers, _ = call(server, "GET", "/repos/octo/app")
    etag = headers["etag"]
    status, headers2, body = call(server, "GET", "/repos/octo/app", headers={"If-None-Match": etag})
    assert (status, body, headers2["etag"]) == (304, None, etag)
    server.state.repo(REPO)["settings"]["allow_rebase_merge"] = False
    assert call(server, "GET", "/repos/octo/app", headers={"If-None-Match": etag})[0] == 200


def test_requests_are_recorded_without_authorization(server: GitHubServer) -> None:
    populate(server.state)
    call(server, "GET", "/repos/octo/app/pulls?state=closed", headers={"X-Trace": "1"})
    (recorded,) = server.requests
    assert (recorded.method, recorded.path, recorded.query) == ("GET", "/repos/octo/app/pulls", {"state": "closed"})
    assert recorded.authenticated and recorded.status == 200
    assert "authorization" not in recorded.headers
    assert recorded.headers["x-trace"] == "1"
    assert "ghp_loopback" not in repr(server.requests)


def test_enterprise_prefix() -> None:
    state = GitHubState()
    populate(state)
    with serve_github(state, prefix="/api/v3") as gh:
        assert gh.url.endswith("/api/v3")
        status, _, body = call(gh, "GET", "/repos/octo/app")
        assert status == 200
        assert body["url"] == gh.url + "/repos/octo/app"
        assert_valid(body, P, "GET", 200)
        conn = http.client.HTTPConnection("127.0.0.1", gh.port, timeout=10)
        conn.request("GET", "/repos/octo/app")
        assert conn.getresponse().status == 404
        conn.close()


def test_state_round_trips_through_a_file(tmp_path: Path) -> None:
    state = GitHubState()
    populate(state)
    state.save(tmp_path / "github.json")
    loaded = GitHubState.load(tmp_path / "github.json")
    assert loaded.data == json.loads(json.dumps(state.data))
    with serve_github(loaded) as gh:
        status, _, body = call(gh, "GET", "/repos/octo/app/environments/production")
        assert status == 200 and body["name"] == "production"


def test_the_server_stops_promptly() -> None:
    started = time.monotonic()
    with serve_github() as gh:
        call(gh, "GET", "/repos/octo/none")
    assert time.monotonic() - started < 5


def test_the_validation_is_not_vacuous(server: GitHubServer, ids: dict[str, Any]) -> None:
    _, _, repo = call(server, "GET", "/repos/octo/app")
    assert_valid(dict(repo, description=None), P, "GET", 200)  # nullable
    for broken in (
        {k: v for k, v in repo.items() if k != "full_name"},
        dict(repo, pushed_at="yesterday"),
        dict(repo, owner=None),
        dict(repo, merge_commit_title="SOMETHING"),
    ):
        with pytest.raises(AssertionError):
            assert_valid(broken, P, "GET", 200)
    _, _, rules = call(server, "GET", "/repos/octo/app/rules/branches/prod/hotfix/2025-03-01_fix")
    del rules[2]["parameters"]["require_code_owner_review"]
    with pytest.raises(AssertionError):
        assert_valid(rules, P + "/rules/branches/{branch}", "GET", 200)
    _, _, pull = call(server, "GET", "/repos/octo/app/pulls/{pull}".format(**ids))
    with pytest.raises(AssertionError):
        assert_valid(dict(pull, state="merged"), P + "/pulls/{pull_number}", "GET", 200)
