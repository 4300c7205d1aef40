"""The loopback GitHub's state: repositories, their settings and history, errors to answer.

The state is a JSON-able dict (``GitHubState.data``) so a scenario can be written to a file
and served again; the builder methods below fill it with compact records, and
``render.py`` turns those into full REST responses. Requests the server received are kept
in ``GitHubState.requests`` (Authorization headers are never recorded).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

#: the first timestamp handed out when a builder is not given one
EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)

#: messages GitHub answers with, for the error presets
NOT_ACCESSIBLE_BY_INTEGRATION = "Resource not accessible by integration"
NOT_ACCESSIBLE_BY_PAT = "Resource not accessible by personal access token"
MUST_HAVE_ADMIN = "Must have admin rights to Repository."
PRIMARY_RATE_LIMIT = "API rate limit exceeded for installation ID 4242."
SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000."
)

DOCS = "https://docs.github.com/rest"
#: environments GitHub treats as production (``production_environment``): no ``auto_inactive``
PRODUCTION_ENVIRONMENTS = ("production", "prod")
#: GitHub's 403 for branch protection and rulesets of a private repository on GitHub Free
PLAN_WITHOUT_PROTECTION = "Upgrade to GitHub Pro or make this repository public to enable this feature."

#: defaults of a ``pull_request`` ruleset rule (all five are required by the REST description)
PULL_REQUEST_RULE_DEFAULTS: dict[str, Any] = {
    "dismiss_stale_reviews_on_push": False,
    "require_code_owner_review": False,
    "require_last_push_approval": False,
    "required_approving_review_count": 1,
    "required_review_thread_resolution": False,
    "allowed_merge_methods": ["merge", "squash", "rebase"],
}
#: defaults of a ``required_status_checks`` ruleset rule (both required by the REST description)
STATUS_CHECKS_RULE_DEFAULTS: dict[str, Any] = {
    "strict_required_status_checks_policy": False,
    "do_not_enforce_on_create": False,
}
#: defaults of a ``merge_queue`` ruleset rule (GitHub's; all seven are required by the description)
MERGE_QUEUE_RULE_DEFAULTS: dict[str, Any] = {
    "check_response_timeout_minutes": 60,
    "grouping_strategy": "ALLGREEN",
    "max_entries_to_build": 5,
    "max_entries_to_merge": 5,
    "merge_method": "MERGE",
    "min_entries_to_merge": 1,
    "min_entries_to_merge_wait_minutes": 5,
}


def iso(when: int | float | str | dt.datetime | None) -> str | None:
    """A GitHub timestamp (``2025-01-01T00:00:00Z``) from epoch seconds, a datetime or a string."""
    if when is None or isinstance(when, str):
        return when
    if isinstance(when, dt.datetime):
        moment = when.astimezone(dt.timezone.utc)
    else:
        moment = dt.datetime.fromtimestamp(when, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RecordedRequest:
    """One request as the server saw it (headers lower-cased, Authorization left out)."""

    method: str
    path: str  # without the API prefix and without the query
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    authenticated: bool = False
    status: int = 0

    @property
    def target(self) -> str:
        return self.path + ("?" + "&".join(f"{k}={v}" for k, v in sorted(self.query.items())) if self.query else "")


@dataclass
class GitHubState:
    """What the loopback server serves; mutate it with the builders, even while serving."""

    data: dict[str, Any] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self.data.setdefault("repos", {})
        self.data.setdefault("orgs", {})
        self.data.setdefault("errors", [])
        #: recorded real answers replayed as they are: [{method, path, status, body}]
        self.data.setdefault("replays", [])
        #: accepted tokens; empty: any token (or none) is accepted
        self.data.setdefault("tokens", [])
        self.data.setdefault("next_id", 1000)
        self.data.setdefault("clock", int(EPOCH.timestamp()))

    # -- persistence ------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str) -> GitHubState:
        return cls(data=json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: Path | str) -> None:
        with self.lock:
            Path(path).write_text(json.dumps(self.data, indent=2, sort_keys=True), encoding="utf-8")

    # -- small helpers ----------------------------------------------------------------------

    def new_id(self) -> int:
        with self.lock:
            self.data["next_id"] += 1
            return int(self.data["next_id"])

    def tick(self, when: int | float | str | dt.datetime | None = None) -> str:
        """``when`` as a timestamp, or a minute after the latest time handed out so far."""
        with self.lock:
            if when is not None:
                stamp = str(iso(when))
                moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
                self.data["clock"] = max(self.data["clock"], int(moment))
                return stamp
            self.data["clock"] += 60
            return str(iso(self.data["clock"]))

    def repo(self, full_name: str) -> dict[str, Any]:
        try:
            repo: dict[str, Any] = self.data["repos"][full_name]
        except KeyError:
            raise KeyError(f"no repository {full_name!r} in the state; call add_repo first") from None
        return repo

    def set_limits(self, **limits: Any) -> None:
        """GitHub's rate limits and latency as the server enforces them (see ``limits.Limits``:
        ``latency=0.1, jitter=0.02``, ``window=2, rest_points=20``, ``enforce=False``...)."""
        from .limits import Limits

        known = {f.name for f in fields(Limits)}
        unknown = set(limits) - known
        if unknown:
            raise TypeError(f"unknown limits: {sorted(unknown)}")
        with self.lock:
            self.data["limits"] = {**self.data.get("limits", {}), **limits}

    def require_token(self, *tokens: str) -> None:
        """Answer 401 "Bad credentials" to requests without one of these tokens."""
        self.data["tokens"] = list(tokens)

    # -- repositories and branches ----------------------------------------------------------

    def add_org(self, login: str) -> None:
        self.data["orgs"].setdefault(login, {"id": self.new_id()})

    def add_repo(
        self,
        full_name: str,
        *,
        default_branch: str = "main",
        private: bool = True,
        admin: bool = True,
        push: bool = True,
        archived: bool = False,
        pushed_at: int | str | None = None,
        branches: Iterable[str] = (),
        plan_protection: bool = True,
        **settings: Any,
    ) -> dict[str, Any]:
        """A repository; ``settings`` are full-repository fields (allow_squash_merge=False, ...).
        ``plan_protection=False``: the owner's plan has no branch protection or rulesets for a
        private repository (GitHub Free), so GitHub answers them with its "Upgrade" 403."""
        owner, _, name = full_name.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repository names are owner/name, not {full_name!r}")
        repo = {
            "id": self.new_id(),
            "owner": owner,
            "name": name,
            "default_branch": default_branch,
            "private": private,
            "archived": archived,
            "created_at": self.tick(),
            "pushed_at": self.tick(pushed_at),
            "permissions": {"admin": admin, "maintain": admin, "push": push, "triage": push, "pull": True},
            "settings": {
                "allow_merge_commit": True,
                "allow_squash_merge": True,
                "allow_rebase_merge": True,
                "delete_branch_on_merge": False,
                **settings,
            },
            "branches": {},
            "rulesets": [],
            "environments": {},
            "deployments": [],
            "pulls": [],
            "contents": {},
            "statuses": {},
            "plan_protection": plan_protection,
            "workflows": [],
        }
        with self.lock:
            self.data["repos"][full_name] = repo
        for branch in (default_branch, *branches):
            self.add_branch(full_name, branch)
        return repo

    def add_branch(self, full_name: str, branch: str, sha: str | None = None) -> dict[str, Any]:
        repo = self.repo(full_name)
        record: dict[str, Any] = repo["branches"].setdefault(branch, {"sha": None, "protection": None})
        record["sha"] = sha or record["sha"] or fake_sha(f"{full_name}:{branch}")
        return record

    def protect_branch(
        self,
        full_name: str,
        branch: str,
        *,
        required_approving_review_count: int | None = 1,
        dismiss_stale_reviews: bool = False,
        require_code_owner_reviews: bool = False,
        require_last_push_approval: bool = False,
        status_checks: Sequence[str] | None = None,
        strict: bool = True,
        enforce_admins: bool = False,
        required_linear_history: bool = False,
        allow_force_pushes: bool = False,
        allow_deletions: bool = False,
        required_conversation_resolution: bool = False,
        required_signatures: bool = False,
        lock_branch: bool = False,
        restrict_to: Sequence[str] | None = None,
        bypass_pull_request: Sequence[str] = (),
        omit_review_count: bool = False,
    ) -> dict[str, Any]:
        """Classic protection; ``required_approving_review_count=None``: no pull request needed.
        ``bypass_pull_request``: users allowed to bypass required pull requests;
        ``omit_review_count``: a legacy review rule whose answer has no count."""
        record = self.add_branch(full_name, branch)
        protection: dict[str, Any] = {
            "required_pull_request_reviews": None
            if required_approving_review_count is None
            else {
                "required_approving_review_count": required_approving_review_count,
                "dismiss_stale_reviews": dismiss_stale_reviews,
                "require_code_owner_reviews": require_code_owner_reviews,
                "require_last_push_approval": require_last_push_approval,
                **({"bypass_users": list(bypass_pull_request)} if bypass_pull_request else {}),
                **({"omit_count": True} if omit_review_count else {}),
            },
            "required_status_checks": None
            if status_checks is None
            else {"strict": strict, "contexts": list(status_checks)},
            "enforce_admins": enforce_admins,
            "required_linear_history": required_linear_history,
            "allow_force_pushes": allow_force_pushes,
            "allow_deletions": allow_deletions,
            "block_creations": False,
            "required_conversation_resolution": required_conversation_resolution,
            "required_signatures": required_signatures,
            "lock_branch": lock_branch,
            "allow_fork_syncing": False,
            "restrictions": None if restrict_to is None else {"users": list(restrict_to), "teams": []},
        }
        record["protection"] = protection
        return protection

    def add_ruleset(
        self,
        full_name: str,
        name: str,
        *,
        include: Sequence[str] = ("~DEFAULT_BRANCH",),
        exclude: Sequence[str] = (),
        rules: Sequence[str | Mapping[str, Any]] = ("pull_request",),
        enforcement: str = "active",
        target: str = "branch",
        source_type: str = "Repository",
        source: str | None = None,
        bypass_actors: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """A ruleset. ``include`` are ref patterns (``refs/heads/prod/hotfix/*``, ``~ALL``);
        ``rules`` are types or ``{"type": ..., "parameters": {...}}``."""
        repo = self.repo(full_name)
        built: list[dict[str, Any]] = []
        for rule in rules:
            entry: dict[str, Any] = {"type": rule} if isinstance(rule, str) else dict(rule)
            if entry["type"] == "pull_request":
                entry["parameters"] = {**PULL_REQUEST_RULE_DEFAULTS, **entry.get("parameters", {})}
            if entry["type"] == "required_status_checks":
                entry["parameters"] = {**STATUS_CHECKS_RULE_DEFAULTS, **entry.get("parameters", {})}
            if entry["type"] == "merge_queue":
                entry["parameters"] = {**MERGE_QUEUE_RULE_DEFAULTS, **entry.get("parameters", {})}
            built.append(entry)
        ruleset_id = self.new_id()
        repo["rulesets"].append(
            {
                "id": ruleset_id,
                "name": name,
                "target": target,
                "source_type": source_type,
                "source": source or full_name,
                "enforcement": enforcement,
                "conditions": {"ref_name": {"include": list(include), "exclude": list(exclude)}},
                "rules": built,
                "bypass_actors": [dict(a) for a in bypass_actors],
                "created_at": self.tick(),
            }
        )
        return ruleset_id

    # -- environments and deployments -------------------------------------------------------

    def add_environment(
        self,
        full_name: str,
        name: str,
        *,
        reviewers: Sequence[str] = (),
        reviewer_teams: Sequence[str] = (),
        prevent_self_review: bool = False,
        wait_timer: int = 0,
        protected_branches: bool = False,
        branch_patterns: Sequence[str | tuple[str, str]] | None = None,
        can_admins_bypass: bool = True,
    ) -> dict[str, Any]:
        """An environment. ``branch_patterns`` (names, or (name, "branch"|"tag")) turn on custom
        deployment branch policies; ``protected_branches=True`` allows protected branches only;
        neither: any branch may deploy."""
        repo = self.repo(full_name)
        policies = [
            {"id": self.new_id(), "name": p, "type": "branch"}
            if isinstance(p, str)
            else {"id": self.new_id(), "name": p[0], "type": p[1]}
            for p in branch_patterns or ()
        ]
        if protected_branches and branch_patterns:
            raise ValueError("GitHub allows protected_branches or custom patterns, not both")
        env = {
            "id": self.new_id(),
            "name": name,
            "created_at": self.tick(),
            "reviewers": list(reviewers),
            "reviewer_teams": list(reviewer_teams),
            "prevent_self_review": prevent_self_review,
            "wait_timer": wait_timer,
            "deployment_branch_policy": (
                {"protected_branches": protected_branches, "custom_branch_policies": branch_patterns is not None}
                if protected_branches or branch_patterns is not None
                else None
            ),
            "branch_policies": policies,
            "can_admins_bypass": can_admins_bypass,
        }
        repo["environments"][name] = env
        return env

    def add_deployment(
        self,
        full_name: str,
        *,
        environment: str = "production",
        ref: str = "main",
        sha: str | None = None,
        created_at: int | str | None = None,
        statuses: Sequence[str | tuple[str, int | str]] = ("success",),
        creator: str = "github-actions[bot]",
        task: str = "deploy",
        auto_inactive: bool = True,
    ) -> int:
        """A deployment with statuses, oldest first (the last one is the deployment's state).

        As GitHub does (``auto_inactive``, on by default), a ``success`` status of a deployment to
        a non-production environment adds an ``inactive`` status, at that time, to every earlier
        deployment to that environment whose latest status is ``success``."""
        repo = self.repo(full_name)
        deployment_id = self.new_id()
        created = self.tick(created_at)
        built = []
        for status in statuses:
            state, when = (status, None) if isinstance(status, str) else status
            built.append({"id": self.new_id(), "state": state, "created_at": self.tick(when), "creator": creator})
            if state == "success" and auto_inactive and environment not in PRODUCTION_ENVIRONMENTS:
                for earlier in repo["deployments"]:
                    if earlier["environment"] == environment and (earlier["statuses"] or [{}])[-1].get("state") == (
                        "success"
                    ):
                        earlier["statuses"].append(
                            {
                                "id": self.new_id(),
                                "state": "inactive",
                                "created_at": built[-1]["created_at"],
                                "creator": creator,
                            }
                        )
        repo["deployments"].append(
            {
                "id": deployment_id,
                "sha": sha or fake_sha(f"{full_name}:deploy:{deployment_id}"),
                "ref": ref,
                "task": task,
                "environment": environment,
                "created_at": created,
                "creator": creator,
                "statuses": built,
            }
        )
        return deployment_id

    # -- pull requests ----------------------------------------------------------------------

    def add_pull(
        self,
        full_name: str,
        *,
        head: str,
        base: str = "main",
        user: str = "dev",
        title: str | None = None,
        state: str | None = None,
        merged_at: int | str | None = None,
        closed_at: int | str | None = None,
        merge_commit_sha: str | None = None,
        head_sha: str | None = None,
        created_at: int | str | None = None,
        reviews: Sequence[tuple[str, str] | tuple[str, str, int | str]] = (),
        merged_by: str | None = None,
        number: int | None = None,
    ) -> int:
        """A pull request; ``merged_at`` set: merged (and closed). ``reviews``: (user, state[, at])."""
        repo = self.repo(full_name)
        number = number or (max((p["number"] for p in repo["pulls"]), default=0) + 1)
        created = self.tick(created_at)
        head_sha = head_sha or fake_sha(f"{full_name}:pull:{number}")
        built_reviews = []
        for review in reviews:
            reviewer, review_state = review[0], review[1]
            at = review[2] if len(review) > 2 else None
            built_reviews.append(
                {
                    "id": self.new_id(),
                    "user": reviewer,
                    "state": review_state,
                    "submitted_at": self.tick(at),
                    "commit_id": head_sha,
                }
            )
        merged = None if merged_at is None else self.tick(merged_at)
        closed = (None if closed_at is None else self.tick(closed_at)) or merged
        times = [created, *(t for t in (closed, merged) if t), *(str(r["submitted_at"]) for r in built_reviews)]
        updated = max(times)
        repo["pulls"].append(
            {
                "id": self.new_id(),
                "number": number,
                "title": title or f"Merge {head} into {base}",
                "user": user,
                "head": head,
                "base": base,
                "head_sha": head_sha,
                "base_sha": self.add_branch(full_name, base)["sha"],
                "state": state or ("closed" if closed else "open"),
                "created_at": created,
                "updated_at": updated,
                "closed_at": closed,
                "merged_at": merged,
                "merge_commit_sha": merge_commit_sha
                if merge_commit_sha is not None
                else fake_sha(f"{full_name}:merge:{number}"),
                "merged_by": merged_by or (user if merged else None),
                "reviews": built_reviews,
            }
        )
        return number

    # -- workflows and recorded answers -------------------------------------------------------

    def add_workflow(self, full_name: str, path: str, state: str = "active", name: str | None = None) -> None:
        """A GitHub Actions workflow as ``GET actions/workflows`` lists it (``state``: active,
        disabled_manually, disabled_inactivity, ...)."""
        self.repo(full_name)["workflows"].append(
            {
                "id": self.new_id(),
                "path": path,
                "state": state,
                "name": name or path.rsplit("/", 1)[-1],
                "created_at": self.tick(),
            }
        )

    def replay(self, path: str, body: Any, *, status: int = 200, method: str = "GET") -> None:
        """Answer ``method path`` with a recorded real ``body`` (JSON), its ``https://api.github.com``
        URLs pointed at this server; before any route."""
        with self.lock:
            self.data["replays"].append({"method": method.upper(), "path": path, "status": status, "body": body})

    # -- files --------------------------------------------------------------------------------

    def add_file(self, full_name: str, path: str, text: str) -> None:
        self.repo(full_name)["contents"][path.strip("/")] = text

    # -- errors -----------------------------------------------------------------------------

    def fail(
        self,
        path: str,
        status: int,
        message: str | None = None,
        *,
        method: str = "GET",
        times: int | None = None,
        retry_after: int | None = None,
        reset: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: str | None = None,
        drip: float | None = None,
        hang_up: bool = False,
    ) -> dict[str, Any]:
        """Answer ``status`` to ``method path`` (a glob: ``/repos/o/r/branches/*/protection``).

        ``times``: fail that many times, then answer normally (None: always). ``retry_after``
        sends ``Retry-After``; ``reset`` (epoch seconds) sends ``X-RateLimit-Remaining: 0`` and
        ``X-RateLimit-Reset`` as a primary rate limit does. ``body``: these bytes (latin-1)
        instead of GitHub's error JSON ("" for none at all). ``drip``: send the answer one byte
        every ``drip`` seconds, as a hostile or broken server may. ``hang_up``: close the
        connection without an answer (see :meth:`hang_up`).
        """
        default_messages = {
            401: "Bad credentials",
            403: NOT_ACCESSIBLE_BY_INTEGRATION,
            404: "Not Found",
            429: SECONDARY_RATE_LIMIT,
            500: "Server Error",
            502: "Server Error",
            503: "Service Unavailable",
        }
        error = {
            "method": method.upper(),
            "path": path,
            "status": status,
            "message": message or default_messages.get(status, "Error"),
            "times": times,
            "served": 0,
            "retry_after": retry_after,
            "reset": reset,
            "headers": dict(headers or {}),
            "body": body,
            "drip": drip,
            "hang_up": hang_up,
        }
        with self.lock:
            self.data["errors"].append(error)
        return error

    def forbid(self, path: str, message: str = NOT_ACCESSIBLE_BY_INTEGRATION, **kwargs: Any) -> dict[str, Any]:
        return self.fail(path, 403, message, **kwargs)

    def rate_limit(
        self,
        path: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        reset: int | None = None,
        times: int | None = 1,
        message: str | None = None,
    ) -> dict[str, Any]:
        """A rate limit: 429 (or 403) with Retry-After, or with X-RateLimit-Reset when ``reset``."""
        text = message or (PRIMARY_RATE_LIMIT if reset is not None else SECONDARY_RATE_LIMIT)
        return self.fail(path, status, text, retry_after=retry_after, reset=reset, times=times)

    def redirect(self, path: str, location: str, *, status: int = 301, method: str = "GET") -> dict[str, Any]:
        """Answer ``method path`` with a redirect to ``location`` (and no body)."""
        return self.fail(path, status, method=method, headers={"Location": location}, body="")

    def drip(self, path: str, seconds: float, *, method: str = "GET", times: int | None = None) -> dict[str, Any]:
        """A 200 to ``method path`` sent one byte every ``seconds`` (it takes minutes to finish)."""
        body = '{"x":"' + "." * 1000 + '"}'
        return self.fail(path, 200, method=method, times=times, body=body, drip=seconds)

    def hang_up(self, path: str, *, method: str = "GET", times: int | None = 1) -> dict[str, Any]:
        """Close the connection of ``method path`` without answering, ``times`` times: what a
        server does to a kept-alive connection it has dropped (libgit2 reads "unexpected EOF")."""
        return self.fail(path, 0, method=method, times=times, hang_up=True)

    # -- what the server saw ----------------------------------------------------------------

    def requests_to(self, path: str, method: str = "GET") -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.path == path and r.method == method]

    def statuses_posted(self, full_name: str, sha: str) -> list[dict[str, Any]]:
        return list(self.repo(full_name)["statuses"].get(sha, []))


def fake_sha(seed: str) -> str:
    """A stable 40-hex id for ``seed`` (a commit the tests never need to exist)."""
    return hashlib.sha1(seed.encode("utf-8"), usedforsecurity=False).hexdigest()
