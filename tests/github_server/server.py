"""A real HTTP server on 127.0.0.1 that answers GitHub REST requests from a :class:`GitHubState`.

Tests point PyGithub (or anything else) at ``server.url``; nothing is mocked. The server
answers the endpoints hotfix-lint reads, plus ``POST /statuses/{sha}``, with bodies that
validate against GitHub's REST description; errors configured in the state (403, 404, 429,
rate limits, 5xx, N failures then success) are answered before routing. ETag /
If-None-Match gives 304. Every request is recorded, without its Authorization header.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from . import git_http, render
from .limits import LimitKeeper, Refusal
from .render import Urls
from .state import DOCS, PLAN_WITHOUT_PROTECTION, GitHubState, RecordedRequest

JSON = Any


@dataclass
class Response:
    status: int
    body: JSON = None
    headers: dict[str, str] = field(default_factory=dict)
    #: bytes sent as they are instead of ``body`` as JSON
    raw: bytes | None = None
    #: seconds between the bytes of the answer (a server that drips)
    drip: float | None = None
    #: the connection is closed without an answer (a server that drops a kept-alive connection)
    hang_up: bool = False


class Answer(Exception):
    """Raised by a handler to answer an error at once."""

    def __init__(self, status: int, message: str, doc: str = DOCS, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {message}")
        self.response = Response(status, render.error_body(status, message, doc), dict(headers or {}))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: JSON
    params: dict[str, str]


Handler = Callable[["GitHubApi", Request], Response]
_ROUTES: list[tuple[str, re.Pattern[str], str]] = []


def route(method: str, pattern: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Register a handler for ``method`` and a path pattern with ``{name}`` (``{name+}``: may hold /)."""

    def to_regex(p: str) -> str:
        p = re.sub(r"\{(\w+)\+\}", r"(?P<\1>.+)", p)
        return "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", p) + "$"

    def register(func: Callable[..., Response]) -> Callable[..., Response]:
        _ROUTES.append((method, re.compile(to_regex(pattern)), func.__name__))
        return func

    return register


def ref_pattern(pattern: str) -> re.Pattern[str]:
    """A ruleset ref pattern (fnmatch, ``*`` within one segment, ``**`` across) as a regex."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("^" + "".join(out) + "$")


def ruleset_applies(rs: dict[str, Any], branch: str, default_branch: str) -> bool:
    ref = f"refs/heads/{branch}"

    def matches(p: str) -> bool:
        if p == "~ALL":
            return True
        if p == "~DEFAULT_BRANCH":
            return branch == default_branch
        return bool(ref_pattern(p).match(ref))

    cond = (rs.get("conditions") or {}).get("ref_name") or {}
    return any(matches(p) for p in cond.get("include", [])) and not any(matches(p) for p in cond.get("exclude", []))


class GitHubApi:
    """The endpoints, answering from the state; one instance per server."""

    def __init__(self, state: GitHubState, urls: Urls):
        self.state = state
        self.urls = urls

    # -- helpers ----------------------------------------------------------------------------

    def repo(self, req: Request) -> tuple[str, dict[str, Any]]:
        full_name = f"{req.params['owner']}/{req.params['repo']}"
        for name, repo in self.state.data["repos"].items():
            if name.lower() == full_name.lower():
                return name, repo
        raise Answer(404, "Not Found", f"{DOCS}/repos/repos#get-a-repository")

    def page(self, req: Request, items: list[JSON]) -> tuple[list[JSON], dict[str, str]]:
        """GitHub pagination: ``per_page`` (default 30, at most 100), ``page``, Link header."""
        try:
            per_page = max(1, min(100, int(req.query.get("per_page", "30"))))
            number = max(1, int(req.query.get("page", "1")))
        except ValueError:
            raise Answer(400, "Bad Request") from None
        last = max(1, -(-len(items) // per_page))
        chunk = items[(number - 1) * per_page : number * per_page]

        def link(n: int) -> str:
            query = dict(req.query, page=str(n))
            return f"<{self.urls.api}{req.path}?{urlencode(query)}>"

        rels = []
        if number < last:
            rels += [f'{link(number + 1)}; rel="next"', f'{link(last)}; rel="last"']
        if number > 1:
            rels = [f'{link(number - 1)}; rel="prev"', f'{link(1)}; rel="first"', *rels]
        return chunk, ({"Link": ", ".join(rels)} if rels else {})

    def listing(self, req: Request, items: list[JSON]) -> Response:
        chunk, headers = self.page(req, items)
        return Response(200, chunk, headers)

    # -- repositories -----------------------------------------------------------------------

    @route("GET", "/repos/{owner}/{repo}")
    def get_repo(self, req: Request) -> Response:
        _, repo = self.repo(req)
        return Response(200, render.full_repository(self.urls, self.state.data, repo))

    @route("GET", "/orgs/{org}/repos")
    def list_org_repos(self, req: Request) -> Response:
        org = req.params["org"].lower()
        repos = [r for r in self.state.data["repos"].values() if r["owner"].lower() == org]
        if not repos and org not in {o.lower() for o in self.state.data["orgs"]}:
            raise Answer(404, "Not Found", f"{DOCS}/repos/repos#list-organization-repositories")
        kind = req.query.get("type", "all")
        if kind in ("public", "private"):
            repos = [r for r in repos if r["private"] == (kind == "private")]
        repos.sort(key=lambda r: r["name"].lower())
        return self.listing(req, [render.minimal_repository(self.urls, self.state.data, r) for r in repos])

    @route("GET", "/repos/{owner}/{repo}/contents")
    @route("GET", "/repos/{owner}/{repo}/contents/{path+}")
    def get_content(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        path = req.params.get("path", "").strip("/")
        ref = req.query.get("ref") or repo["default_branch"]
        contents: dict[str, str] = repo["contents"]
        if path in contents:
            return Response(200, render.content_file(self.urls, full_name, path, contents[path], ref))
        prefix = path + "/" if path else ""
        children: dict[str, tuple[str, str | None]] = {}
        for name, text in contents.items():
            if name.startswith(prefix):
                head, sep, _ = name[len(prefix) :].partition("/")
                children[prefix + head] = ("dir", None) if sep else ("file", text)
        if not children:
            raise Answer(404, "Not Found", f"{DOCS}/repos/contents#get-repository-content")
        return Response(
            200,
            [
                render.content_entry(self.urls, full_name, p, kind, text, ref)
                for p, (kind, text) in sorted(children.items())
            ],
        )

    # -- branch protection and rules --------------------------------------------------------

    def plan_allows_protection(self, repo: dict[str, Any], doc: str) -> None:
        """GitHub's 403 for a private repository whose owner's plan has no protection."""
        if repo["private"] and not repo.get("plan_protection", True):
            raise Answer(403, PLAN_WITHOUT_PROTECTION, doc)

    @route("GET", "/repos/{owner}/{repo}/branches/{branch+}/protection")
    def get_branch_protection(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        doc = f"{DOCS}/branches/branch-protection#get-branch-protection"
        self.plan_allows_protection(repo, doc)
        if not repo["permissions"].get("admin"):
            # what GitHub answers a token that cannot read the setting
            raise Answer(404, "Not Found", doc)
        branch = req.params["branch"]
        record = repo["branches"].get(branch)
        if record is None:
            raise Answer(404, "Branch not found", doc)
        if record["protection"] is None:
            raise Answer(404, "Branch not protected", doc)
        return Response(200, render.branch_protection(self.urls, full_name, branch, record["protection"]))

    @route("GET", "/repos/{owner}/{repo}/rules/branches/{branch+}")
    def get_branch_rules(self, req: Request) -> Response:
        _, repo = self.repo(req)
        self.plan_allows_protection(repo, f"{DOCS}/repos/rules#get-rules-for-a-branch")
        branch = req.params["branch"]
        rules = [
            render.effective_rule(rs, rule)
            for rs in repo["rulesets"]
            if rs["enforcement"] == "active"
            and rs["target"] == "branch"
            and ruleset_applies(rs, branch, repo["default_branch"])
            for rule in rs["rules"]
        ]
        return self.listing(req, rules)

    @route("GET", "/repos/{owner}/{repo}/rulesets")
    def list_rulesets(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        targets = [t for t in req.query.get("targets", "").split(",") if t]
        rulesets = [rs for rs in repo["rulesets"] if not targets or rs["target"] in targets]
        return self.listing(req, [render.ruleset(self.urls, full_name, rs, detailed=False) for rs in rulesets])

    @route("GET", "/repos/{owner}/{repo}/rulesets/{ruleset_id}")
    def get_ruleset(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        for rs in repo["rulesets"]:
            if str(rs["id"]) == req.params["ruleset_id"]:
                return Response(200, render.ruleset(self.urls, full_name, rs, detailed=True))
        raise Answer(404, "Not Found", f"{DOCS}/repos/rules#get-a-repository-ruleset")

    @route("GET", "/repos/{owner}/{repo}/actions/workflows")
    def list_workflows(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        flows = repo.get("workflows", [])
        chunk, headers = self.page(req, [render.workflow(self.urls, full_name, w) for w in flows])
        return Response(200, {"total_count": len(flows), "workflows": chunk}, headers)

    # -- GraphQL -----------------------------------------------------------------------------

    @route("POST", "/graphql")
    def graphql(self, req: Request) -> Response:
        from . import graphql_api

        return Response(200, graphql_api.answer(self.state, req.body, self.urls.web))

    # -- environments -----------------------------------------------------------------------

    def environment(self, req: Request) -> tuple[str, dict[str, Any]]:
        full_name, repo = self.repo(req)
        env = repo["environments"].get(req.params["environment_name"])
        if env is None:
            raise Answer(404, "Not Found", f"{DOCS}/deployments/environments#get-an-environment")
        return full_name, env

    @route("GET", "/repos/{owner}/{repo}/environments")
    def list_environments(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        envs = sorted(repo["environments"].values(), key=lambda e: e["name"])
        chunk, headers = self.page(req, [render.environment(self.urls, full_name, e) for e in envs])
        return Response(200, {"total_count": len(envs), "environments": chunk}, headers)

    @route("GET", "/repos/{owner}/{repo}/environments/{environment_name}")
    def get_environment(self, req: Request) -> Response:
        full_name, env = self.environment(req)
        return Response(200, render.environment(self.urls, full_name, env))

    @route("GET", "/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies")
    def list_deployment_branch_policies(self, req: Request) -> Response:
        _, env = self.environment(req)
        policies = env["branch_policies"]
        chunk, headers = self.page(req, [render.deployment_branch_policy(p) for p in policies])
        return Response(200, {"total_count": len(policies), "branch_policies": chunk}, headers)

    # -- deployments ------------------------------------------------------------------------

    def deployment(self, req: Request) -> tuple[str, dict[str, Any]]:
        full_name, repo = self.repo(req)
        for dep in repo["deployments"]:
            if str(dep["id"]) == req.params["deployment_id"]:
                return full_name, dep
        raise Answer(404, "Not Found", f"{DOCS}/deployments/deployments#get-a-deployment")

    @route("GET", "/repos/{owner}/{repo}/deployments")
    def list_deployments(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        deps = [
            d
            for d in repo["deployments"]
            if all(req.query.get(k) in (None, d[k]) for k in ("sha", "ref", "task", "environment"))
        ]
        deps.sort(key=lambda d: (d["created_at"], d["id"]), reverse=True)
        return self.listing(req, [render.deployment(self.urls, full_name, d) for d in deps])

    @route("GET", "/repos/{owner}/{repo}/deployments/{deployment_id}")
    def get_deployment(self, req: Request) -> Response:
        full_name, dep = self.deployment(req)
        return Response(200, render.deployment(self.urls, full_name, dep))

    @route("GET", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses")
    def list_deployment_statuses(self, req: Request) -> Response:
        full_name, dep = self.deployment(req)
        statuses = sorted(dep["statuses"], key=lambda s: (s["created_at"], s["id"]), reverse=True)
        return self.listing(req, [render.deployment_status(self.urls, full_name, dep, s) for s in statuses])

    # -- pull requests ----------------------------------------------------------------------

    def pull(self, req: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        _, repo = self.repo(req)
        for pr in repo["pulls"]:
            if str(pr["number"]) == req.params["pull_number"]:
                return repo, pr
        raise Answer(404, "Not Found", f"{DOCS}/pulls/pulls#get-a-pull-request")

    @route("GET", "/repos/{owner}/{repo}/pulls")
    def list_pulls(self, req: Request) -> Response:
        _, repo = self.repo(req)
        state = req.query.get("state", "open")
        if state not in ("open", "closed", "all"):
            raise Answer(422, "Validation Failed")
        pulls = [
            p
            for p in repo["pulls"]
            if state in ("all", p["state"])
            and req.query.get("base") in (None, p["base"])
            and req.query.get("head") in (None, f"{repo['owner']}:{p['head']}")
        ]
        sort = req.query.get("sort", "created")
        key = "updated_at" if sort == "updated" else "created_at"
        direction = req.query.get("direction", "desc" if sort == "created" else "asc")
        pulls.sort(key=lambda p: (p[key], p["number"]), reverse=direction == "desc")
        return self.listing(req, [render.pull_request_simple(self.urls, self.state.data, repo, p) for p in pulls])

    @route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")
    def get_pull(self, req: Request) -> Response:
        repo, pr = self.pull(req)
        return Response(200, render.pull_request(self.urls, self.state.data, repo, pr))

    @route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
    def list_reviews(self, req: Request) -> Response:
        repo, pr = self.pull(req)
        full_name = f"{repo['owner']}/{repo['name']}"
        reviews = sorted(pr["reviews"], key=lambda r: (r["submitted_at"], r["id"]))
        return self.listing(req, [render.review(self.urls, full_name, pr, r) for r in reviews])

    # -- commit statuses (written by a later --post-status) ---------------------------------

    @route("POST", "/repos/{owner}/{repo}/statuses/{sha}")
    def create_status(self, req: Request) -> Response:
        full_name, repo = self.repo(req)
        body = req.body if isinstance(req.body, dict) else {}
        state = body.get("state")
        if state not in ("error", "failure", "pending", "success"):
            return Response(
                422,
                {
                    "message": "Validation Failed",
                    "documentation_url": f"{DOCS}/commits/statuses#create-a-commit-status",
                    "errors": [
                        {
                            "resource": "Status",
                            "code": "custom",
                            "field": "state",
                            "message": f"state is not included in the list: {state!r}",
                        }
                    ],
                },
            )
        sha = req.params["sha"]
        record = {
            "id": self.state.new_id(),
            "state": state,
            "description": body.get("description"),
            "target_url": body.get("target_url"),
            "context": body.get("context") or "default",
            "created_at": render_now(),
            "creator": self.state.data.get("viewer", "hotfix-lint[bot]"),
        }
        with self.state.lock:
            repo["statuses"].setdefault(sha, []).append(record)
        url = f"{self.urls.repo_api(full_name)}/statuses/{sha}"
        return Response(201, render.commit_status(self.urls, full_name, sha, record), {"Location": url})


def _endpoint(method: str, path: str) -> str:
    """The endpoint a request is counted against for the points limit: its route."""
    for verb, regex, name in _ROUTES:
        if verb == method and regex.match(path):
            return f"{method} {name}"
    return f"{method} {path}"


def _mutation(raw: bytes) -> bool:
    """Whether a GraphQL request's query is a mutation (5 points; a query is 1)."""
    from . import graphql_api

    try:
        query = json.loads(raw).get("query")
    except (ValueError, AttributeError):
        return False
    return isinstance(query, str) and graphql_api.is_mutation(query)


def _refused(refusal: Refusal) -> Response:
    return Response(refusal.status, render.error_body(refusal.status, refusal.message, refusal.doc), refusal.headers)


def render_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _configured_error(state: GitHubState, method: str, path: str) -> Response | None:
    """The first configured error for this request that still has failures to give."""
    with state.lock:
        for error in state.data["errors"]:
            if error["method"] != method or not fnmatch.fnmatchcase(path, error["path"]):
                continue
            if error["times"] is not None and error["served"] >= error["times"]:
                continue
            error["served"] += 1
            headers = dict(error["headers"])
            if error["retry_after"] is not None:
                headers["Retry-After"] = str(error["retry_after"])
            if error["reset"] is not None:
                headers.update(
                    {"X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000", "X-RateLimit-Reset": str(error["reset"])}
                )
            doc = (
                f"{DOCS}/overview/rate-limits-for-the-rest-api"
                if error["status"] == 429 or (error["retry_after"] is not None or error["reset"] is not None)
                else DOCS
            )
            response = Response(error["status"], render.error_body(error["status"], error["message"], doc), headers)
            if error.get("body") is not None:
                response.raw = str(error["body"]).encode("latin-1")
            response.drip = error.get("drip")
            response.hang_up = bool(error.get("hang_up"))
            return response
    return None


def _replayed(state: GitHubState, urls: Urls, method: str, path: str) -> Response | None:
    """A recorded real answer for this request, its github.com API URLs pointed here."""
    with state.lock:
        for replay in state.data.get("replays", ()):
            if replay["method"] == method and replay["path"] == path:
                text = json.dumps(replay["body"]).replace("https://api.github.com", urls.api)
                return Response(replay["status"], json.loads(text))
    return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # two audits of --jobs 4 at once, each with git and API connections
    github: GitHubServer


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one write per answer, sent at once: no Nagle / delayed-ACK stalls on keep-alive connections
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    timeout = 10
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:  # the client left (a deadline it ran out of): nothing to report
            self.close_connection = True

    def finish(self) -> None:
        with suppress(OSError):
            super().finish()

    def version_string(self) -> str:
        return "github.com"

    def do_GET(self) -> None:
        self.handle_method("GET")

    def do_POST(self) -> None:
        self.handle_method("POST")

    def do_PATCH(self) -> None:
        self.handle_method("PATCH")

    def do_PUT(self) -> None:
        self.handle_method("PUT")

    def do_DELETE(self) -> None:
        self.handle_method("DELETE")

    def handle_method(self, method: str) -> None:
        github = self.server.github
        state = github.state
        split = urlsplit(self.path)
        if github.git_root is not None and git_http.GIT_PATH.match(split.path):
            self.handle_git(method, split.path, split.query)
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"}
        authorization = self.headers.get("Authorization")
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        path = split.path[len(github.prefix) :] if split.path.startswith(github.prefix + "/") else None
        record = RecordedRequest(method, path or split.path, query, headers, None, authorization is not None)
        with state.lock:
            state.requests.append(record)
        keeper = github.limits
        who = (authorization or "").partition(" ")[2] or "anonymous"
        graphql = path == "/graphql"
        mutation = graphql and _mutation(raw)
        refusal, limits = keeper.admit(who, method, _endpoint(method, path or split.path), graphql, mutation)
        if refusal is not None:
            self.send(_refused(refusal), method, record, limits=lambda status: {})
            return
        started = keeper.now()
        counted = False

        def finish(status: int) -> dict[str, str]:
            nonlocal counted
            counted = True
            return keeper.done(who, status, started, graphql)

        try:
            keeper.delay(limits)
            try:
                if raw:
                    try:
                        record.body = json.loads(raw)
                    except ValueError:
                        raise Answer(400, "Problems parsing JSON") from None
                if path is None:
                    raise Answer(404, "Not Found")
                response = self.dispatch(github, method, path, query, record.body, authorization)
            except Answer as answer:
                response = answer.response
            self.send(response, method, record, limits=finish)
        finally:
            if not counted:
                keeper.done(who, 500, started, graphql)

    def handle_git(self, method: str, path: str, query: str) -> None:
        """A clone or fetch: ``git http-backend`` answers (see :mod:`git_http`)."""
        github = self.server.github
        assert github.git_root is not None
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            raw = bytearray()
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0], 16)
                raw += line
                chunk = self.rfile.read(size + 2)
                raw += chunk
                if size == 0:
                    break
            body = git_http.dechunk(bytes(raw))
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
        tokens = github.state.data["tokens"]
        password = git_http.basic_password(self.headers.get("Authorization"))
        record = git_http.GitRequest(method, path, 0, password is not None)
        with github.state.lock:
            github.git_requests.append(record)
        match = git_http.GIT_PATH.match(path)
        assert match is not None
        error = _configured_error(github.state, method, path)
        if error is not None and error.hang_up:
            self.close_connection = True
            return
        if error is not None:
            answer = git_http.CgiAnswer(error.status, [("Content-Type", "text/plain")], b"error\n")
        elif tokens and password not in tokens:
            answer = git_http.CgiAnswer(
                401, [("WWW-Authenticate", 'Basic realm="GitHub"'), ("Content-Type", "text/plain")], b"auth\n"
            )
        elif not git_http.ALLOWED.match(match["rest"]) or "service=git-receive-pack" in query:
            answer = git_http.CgiAnswer(403, [("Content-Type", "text/plain")], b"read only\n")
        else:
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = git_http.run_backend(github.git_backend(), github.git_root, method, path, query, headers, body)
        record.status = answer.status
        if error is not None and error.drip is not None:  # the real answer, one byte at a time
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = git_http.run_backend(github.git_backend(), github.git_root, method, path, query, headers, body)
            self.drip(answer.status, dict(answer.headers), answer.body, error.drip)
            return
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    def dispatch(
        self, github: GitHubServer, method: str, path: str, query: dict[str, str], body: JSON, authorization: str | None
    ) -> Response:
        tokens = github.state.data["tokens"]
        if tokens:
            scheme, _, token = (authorization or "").partition(" ")
            if scheme.lower() not in ("token", "bearer") or token not in tokens:
                raise Answer(401, "Bad credentials")
        error = _configured_error(github.state, method, path)
        if error is not None:
            return error
        replayed = _replayed(github.state, github.api.urls, method, path)
        if replayed is not None:
            return replayed
        for verb, regex, name in _ROUTES:
            match = regex.match(path)
            if match is None or verb != method:
                continue
            params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
            handler: Handler = getattr(GitHubApi, name)
            return handler(github.api, Request(method, path, query, body, params))
        raise Answer(404, "Not Found")

    def send(
        self,
        response: Response,
        method: str,
        record: RecordedRequest,
        limits: Callable[[int], dict[str, str]] | None = None,
    ) -> None:
        """Answer ``response`` (a 304 for a GET whose ETag the client holds); ``limits``: the
        ``x-ratelimit-*`` headers of the answer, given its final status."""
        status = response.status
        payload = b"" if response.body is None else json.dumps(response.body, separators=(",", ":")).encode()
        if response.raw is not None:
            payload = response.raw
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": f"{self.server.github.request_count():08X}:LOOPBACK",
        }
        headers.update(response.headers)
        if method == "GET" and status == 200:
            etag = 'W/"' + hashlib.sha256(payload).hexdigest() + '"'
            headers["ETag"] = etag
            wanted = [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]
            if etag in wanted or etag.removeprefix("W/") in wanted:
                status, payload = 304, b""
                headers.pop("Content-Type")
        if limits is not None:
            headers.update(limits(status))
        headers.update({k: v for k, v in response.headers.items() if k.lower().startswith("x-ratelimit")})
        record.status = status  # before answering: a test may look as soon as it has the answer
        if response.hang_up:
            self.close_connection = True
            return
        if response.drip is not None:
            self.drip(status, headers, payload, response.drip)
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def drip(self, status: int, headers: dict[str, str], payload: bytes, seconds: float) -> None:
        """The whole answer, one byte every ``seconds``, until it is sent or the client leaves."""
        lines = [f"HTTP/1.1 {status} OK", *(f"{k}: {v}" for k, v in headers.items())]
        lines.append(f"Content-Length: {len(payload)}")
        answer = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
        self.close_connection = True
        try:
            for index in range(len(answer)):
                self.wfile.write(answer[index : index + 1])
                self.wfile.flush()
                time.sleep(seconds)
        except OSError:
            return


class GitHubServer:
    """The loopback GitHub: ``with GitHubServer(state) as gh: Github(base_url=gh.url)``.

    ``prefix="/api/v3"`` serves like GitHub Enterprise Server.
    """

    def __init__(self, state: GitHubState | None = None, *, prefix: str = "", git_root: Path | None = None):
        self.state = state or GitHubState()
        self.prefix = prefix.rstrip("/")
        #: bare repositories served for cloning at ``/owner/name.git`` (see :mod:`git_http`)
        self.git_root = Path(git_root) if git_root is not None else None
        self.git_requests: list[git_http.GitRequest] = []
        self._backend: str | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.api: GitHubApi
        #: GitHub's rate limits and latency, as the state sets them (``GitHubState.set_limits``)
        self.limits = LimitKeeper(lambda: self.state.data.get("limits"))

    @property
    def port(self) -> int:
        assert self._httpd is not None, "the server is not started"
        return int(self._httpd.server_address[1])

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL: give it to PyGithub as ``base_url``."""
        return self.web_url + self.prefix

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def git_backend(self) -> str:
        if self._backend is None:
            self._backend = git_http.http_backend()
        return self._backend

    def request_count(self) -> int:
        with self.state.lock:
            return len(self.state.requests)

    def clear_requests(self) -> None:
        with self.state.lock:
            self.state.requests.clear()

    def start(self) -> GitHubServer:
        httpd = _HTTPServer(("127.0.0.1", 0), _RequestHandler)
        httpd.github = self
        self._httpd = httpd
        self.api = GitHubApi(self.state, Urls(api=self.url, web=self.web_url, host=f"127.0.0.1:{self.port}"))
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="loopback-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def serve_github(
    state: GitHubState | None = None, *, prefix: str = "", git_root: Path | None = None
) -> Iterator[GitHubServer]:
    """Serve ``state`` on a free loopback port for the duration of the ``with`` block."""
    server = GitHubServer(state, prefix=prefix, git_root=git_root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
