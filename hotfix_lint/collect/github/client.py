"""Read a repository's GitHub settings and history into the frozen facts of ``facts.github``.

The only module that imports PyGithub, and only inside functions, so importing hotfix_lint
(a pre-commit hook, ``--help``) never loads it. PyGithub objects fetch lazily, so they are
converted here, reading only attributes present in the answers already received: the number
of requests depends on the branches, the limits and the page size, never on the length of
the history.

Every request goes through one bounded retry loop (:class:`RetryPolicy`): a 5xx is retried
a few times; after that, as for a 403 or a 404 GitHub uses to hide a setting, the fact
becomes a :class:`CouldNotCheck` naming the permission needed, and the other facts are still
collected. Time is bounded (``collect.github.deadline``): each request has a total deadline, the run
a budget (``--github-timeout``); a rate-limit answer is never waited out: it and every fact
not read yet become "could not check" with the time the limit resets. A redirect or an empty
body where a repository is expected is "could not check" too. The token never appears in a
fact, a log line or an exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

from hotfix_lint.facts.github import (
    BranchGitHubFact,
    BranchProtection,
    BypassActor,
    Checked,
    CouldNotCheck,
    Deployment,
    DeploymentBranchPattern,
    DeploymentBranchPolicy,
    EffectiveRule,
    Environment,
    GitHubFacts,
    PullRequestFact,
    RepoSettings,
    ReviewFact,
    RulesetBypass,
    github_fnmatch,
)

if TYPE_CHECKING:
    from github import Github
    from github.GithubException import GithubException
    from github.GithubObject import GithubObject
    from github.PaginatedList import PaginatedList
    from github.PullRequest import PullRequest
    from github.Repository import Repository

    from hotfix_lint.collect.github.clients import ClientPool
    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.deadline import GitHubBudget
    from hotfix_lint.collect.github.graphql import RepoAnswer

log = logging.getLogger(__name__)

T = TypeVar("T")
G = TypeVar("G", bound="GithubObject")

#: What a fine-grained token or GitHub App needs for each kind of fact (classic tokens: the
#: ``repo`` scope, and admin rights on the repository for branch protection).
PERMISSION_METADATA = "metadata: read"
PERMISSION_ADMINISTRATION = "administration: read"
PERMISSION_ACTIONS = "actions: read"  # environments and their deployment branch policies
PERMISSION_DEPLOYMENTS = "deployments: read"
PERMISSION_PULL_REQUESTS = "pull_requests: read"

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
ENTERPRISE_TOKEN_VARIABLES = ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
#: at most this many pages of a list that is read whole (rules, reviews, branch policies)
MAX_PAGES = 5
#: what GitHub answers (403) for branch protection and rulesets of a private repository on a plan
#: without them (GitHub Free)
PLAN_WITHOUT_PROTECTION = "Upgrade to GitHub Pro or make this repository public to enable this feature."
#: seconds a request may take, and the User-Agent sent (a pooled client is kept per setting)
TIMEOUT = 15
#: secondary-limit answers a paced run waits out for one request (the pacer holds every request)
SECONDARY_RETRIES = 6
USER_AGENT = "hotfix-lint"


@dataclass(frozen=True)
class RetryPolicy:
    """How long to insist: ``attempts`` per request, no single wait longer than ``max_wait``.

    A 5xx or a dropped connection is retried after ``backoff``, doubling, while the run's
    GitHub budget lasts; a rate limit or a request past its deadline is not retried (see
    :class:`_Session`). Tests pass a tiny cap and their own ``sleep``.
    """

    attempts: int = 3
    max_wait: float = 60.0
    backoff: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False)


#: what PyGithub raises on an answer it cannot use (a redirect elsewhere, no body, not JSON)
_SURPRISES = (RuntimeError, AssertionError, ValueError, TypeError, AttributeError, KeyError)


class _Failure(Exception):
    """A request that did not succeed; ``wait`` is set when trying again may help."""

    def __init__(
        self,
        status: int | None,
        message: str,
        *,
        reason: str,
        wait: float | None = None,
        permission_relevant: bool = True,
        paced: bool = False,
    ):
        super().__init__(reason)
        #: a secondary limit a paced run waits out (the pacer holds the next attempt)
        self.paced = paced
        self.status = status
        self.message = message
        self.reason = reason
        self.wait = wait
        #: False for rate limits, outages and network errors: no permission would help
        self.permission_relevant = permission_relevant

    def could_not(self, what: str, permission: str | None) -> CouldNotCheck:
        return CouldNotCheck(what, self.reason, permission if self.permission_relevant else None)


class _Session:
    """One PyGithub client, the retry loop, the run's budget, and the secret to keep out of
    every message.

    A rate-limit answer is not waited out (GitHub may ask for an hour): the budget remembers
    it, and every request until it resets fails at once with the reset time, so the facts not
    read yet become "could not check". When the budget's time is spent, likewise.
    """

    def __init__(self, gh: Github, secret: str | None, retry: RetryPolicy, budget: GitHubBudget | None = None):
        from hotfix_lint.collect.github.deadline import GitHubBudget

        self.gh = gh
        self._secret = secret
        self.retry = retry
        self.budget = budget or GitHubBudget()

    def __repr__(self) -> str:
        return f"<GitHub session {self.gh.requester.base_url}>"

    def redact(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "***")
        return text

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` (one request) with bounded retries; raise :class:`_Failure` if it fails."""
        from github.GithubException import GithubException

        attempt = limited = 0
        while True:
            self._may_ask()
            attempt += 1
            try:
                return fn()
            except GithubException as exc:
                failure = self._classify(exc, attempt)
                if failure.paced and limited < SECONDARY_RETRIES:  # the pacer waits, not this loop
                    limited += 1
                    attempt -= 1
            except TimeoutError as exc:  # a slow or silent server: asking again would be as slow
                self._unanswered()
                raise self._unreachable(self.redact(str(exc))[:200], None) from None
            except OSError as exc:  # refused, reset, timed out (requests' errors are OSErrors too)
                failure = self._unreachable(self.redact(str(exc))[:200], self._backoff(attempt))
            except _SURPRISES as exc:  # PyGithub on a redirect, an empty or non-JSON body
                raise self._unexpected(exc) from None
            if failure.wait is None:
                raise failure
            if attempt >= self.retry.attempts:
                failure.reason += f" (gave up after {attempt} attempts)"
                raise failure
            if failure.wait >= self.budget.run.remaining():
                failure.reason += f"; {self.budget.spent_reason()}"
                raise failure
            log.info("%s; trying again in %.1f s", failure.reason, failure.wait)
            self.retry.sleep(failure.wait)

    def _may_ask(self) -> None:
        """Raise :class:`_Failure` without asking when a rate limit is in force or the time is spent."""
        limit = self.budget.rate_limit()
        if limit is not None or self.budget.spent:
            self._unanswered()
        if limit is not None:
            raise _Failure(
                limit.status,
                limit.message,
                reason=f"not asked: GitHub rate-limited this run until {limit.resets()}",
                permission_relevant=False,
            )
        if self.budget.spent:
            raise _Failure(None, "", reason=f"not asked: {self.budget.spent_reason()}", permission_relevant=False)

    def _unanswered(self) -> None:
        from hotfix_lint.collect.github.http_session import transport_of

        transport = transport_of(self.gh)
        if transport is not None and transport.meter is not None:
            transport.meter.unanswered()

    def _unreachable(self, detail: str, wait: float | None) -> _Failure:
        return _Failure(
            None, detail, reason=f"GitHub could not be reached ({detail})", wait=wait, permission_relevant=False
        )

    def _unexpected(self, exc: BaseException) -> _Failure:
        detail = self.redact(f"{type(exc).__name__}: {exc}")[:300]
        return _Failure(None, detail, reason=f"unexpected answer from GitHub ({detail})", permission_relevant=False)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.retry.backoff * 2 ** (attempt - 1), self.retry.max_wait))

    def _classify(self, exc: GithubException, attempt: int) -> _Failure:
        from hotfix_lint.collect.github.rate_limit import rate_limit_of

        status = exc.status
        data = exc.data
        message = self.redact(str(data.get("message", ""))) if isinstance(data, dict) else ""
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        said = f"{status} {message}".strip()
        limit = rate_limit_of(status, headers, message, self.retry.clock())
        paced = self.budget.pacer is not None
        if limit is not None and paced and "retry-after" in headers and headers.get("x-ratelimit-remaining") != "0":
            # a secondary limit in a paced run (a limit lower than GitHub publishes, another
            # client of the token): the pacer holds every request until its retry-after; one
            # that names no time ("at least a minute") is not waited out
            wait = limit.reset_at - self.retry.clock()
            if wait <= self.retry.max_wait:
                return _Failure(
                    status,
                    message,
                    reason=f"rate limited by GitHub ({said}) until {limit.resets()}",
                    wait=0.0,
                    permission_relevant=False,
                    paced=True,
                )
        if limit is not None:
            self.budget.hit(limit)
            return _Failure(
                status,
                message,
                reason=f"rate limited by GitHub ({said}) until {limit.resets()}; not waited for",
                permission_relevant=False,
            )
        if status >= 500:
            return _Failure(
                status,
                message,
                reason=f"GitHub answered {said}",
                wait=self._backoff(attempt),
                permission_relevant=False,
            )
        if status == 401:
            return _Failure(status, message, reason=f"GitHub rejected the token ({said})", permission_relevant=False)
        if status == 403:
            return _Failure(status, message, reason=f"GitHub refused access ({said})")
        if status == 404:
            return _Failure(status, message, reason=f"GitHub answered {said}: missing, or hidden from this token")
        return _Failure(status, message, reason=f"GitHub answered {said}")

    def first(self, listing: PaginatedList[G], limit: int) -> Iterator[G]:
        """Up to ``limit`` items of a list, newest first, fetching a page only when it is needed.

        PyGithub follows the ``Link: rel="next"`` header, so the last page costs no extra
        request; a failed page fetch leaves the list as it was, so it is simply retried.
        """
        for index in range(limit):
            try:
                yield self.call(partial(listing.__getitem__, index))
            except IndexError:
                return

    def get(self, url: str, parameters: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
        """A GET through PyGithub's requester, for endpoints PyGithub has no method for:
        (headers, JSON body)."""
        return self.call(partial(self.gh.requester.requestJsonAndCheck, "GET", url, parameters=parameters))

    def get_json(self, url: str, parameters: dict[str, Any] | None = None) -> Any:
        """The JSON body of :meth:`get`."""
        return self.get(url, parameters)[1]

    def get_list(self, url: str, page_size: int, key: str | None = None) -> list[Any]:
        """Every item of a list endpoint PyGithub has no method for, following Link headers
        (at most :data:`MAX_PAGES` pages); ``key`` names the list inside an object answer."""
        items: list[Any] = []
        for page in range(1, MAX_PAGES + 1):
            headers, data = self.get(url, {"per_page": page_size, "page": page})
            items.extend(data if key is None else data.get(key) or [])
            if 'rel="next"' not in str(headers.get("link", "")):
                break
        return items


def new_client(base_url: str, token: str | None, *, page_size: int, timeout: int, user_agent: str) -> Github:
    """A PyGithub client without its own retries or pauses (:class:`RetryPolicy` decides), its
    requests through ``collect.github.http_session`` (each with a total deadline)."""
    from hotfix_lint.collect.github.http_session import build_client

    return build_client(base_url, token, page_size=page_size, timeout=timeout, user_agent=user_agent)


def _epoch(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _login(user: Any) -> str | None:
    return None if user is None else str(user.login)


# -- the facts, one collector per kind ---------------------------------------------------------


def _settings(repo: Repository) -> RepoSettings:
    permissions = repo.permissions
    return RepoSettings(
        full_name=repo.full_name,
        default_branch=repo.default_branch,
        allow_merge_commit=repo.allow_merge_commit,
        allow_squash_merge=repo.allow_squash_merge,
        allow_rebase_merge=repo.allow_rebase_merge,
        delete_branch_on_merge=repo.delete_branch_on_merge,
        archived=bool(repo.archived),
        private=bool(repo.private),
        pushed_at=_epoch(repo.pushed_at),
        viewer_is_admin=None if permissions is None else permissions.admin,
    )


def _enabled(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    return bool(value.get("enabled")) if isinstance(value, Mapping) else False


def _protection(session: _Session, repo: Repository, branch: str) -> Checked[BranchProtection]:
    what = f"branch protection of {branch!r}"
    try:
        data = session.get_json(f"{repo.url}/branches/{quote(branch, safe='')}/protection")
    except _Failure as failure:
        if failure.status == 404 and failure.message == "Branch not protected":
            return BranchProtection.unprotected(branch)
        if failure.status == 404 and failure.message == "Branch not found":
            return CouldNotCheck(what, f"branch {branch!r} does not exist on GitHub")
        if _plan_refusal(failure):
            return BranchProtection(branch=branch, protected=False, plan_blocked=True)
        if failure.status == 404:
            failure.reason = f"GitHub answered 404 {failure.message}: the token cannot read branch protection"
        return failure.could_not(what, PERMISSION_ADMINISTRATION)
    reviews = data.get("required_pull_request_reviews")
    checks = data.get("required_status_checks")
    return BranchProtection(
        branch=branch,
        protected=True,
        require_pull_request=reviews is not None,
        # a legacy review rule without a count requires one approval (GitHub's default)
        required_approving_review_count=int(_or((reviews or {}).get("required_approving_review_count"), 1)),
        dismiss_stale_reviews=bool((reviews or {}).get("dismiss_stale_reviews")),
        require_code_owner_reviews=bool((reviews or {}).get("require_code_owner_reviews")),
        require_last_push_approval=bool((reviews or {}).get("require_last_push_approval")),
        required_status_checks=tuple(str(c) for c in (checks or {}).get("contexts", ())),
        strict_status_checks=bool((checks or {}).get("strict")),
        enforce_admins=_enabled(data, "enforce_admins"),
        required_linear_history=_enabled(data, "required_linear_history"),
        allow_force_pushes=_enabled(data, "allow_force_pushes"),
        allow_deletions=_enabled(data, "allow_deletions"),
        required_conversation_resolution=_enabled(data, "required_conversation_resolution"),
        required_signatures=_enabled(data, "required_signatures"),
        lock_branch=_enabled(data, "lock_branch"),
        restricts_pushes=data.get("restrictions") is not None,
        pull_request_bypassers=_allowances((reviews or {}).get("bypass_pull_request_allowances")),
    )


def _or(value: Any, default: int) -> Any:
    return default if value is None else value


def _plan_refusal(failure: _Failure) -> bool:
    """GitHub's 403 for a private repository on a plan without branch protection or rulesets."""
    return failure.status == 403 and failure.message.strip() == PLAN_WITHOUT_PROTECTION


def _allowances(data: Any) -> tuple[str, ...]:
    """Logins, team slugs and app slugs of ``bypass_pull_request_allowances``."""
    if not isinstance(data, Mapping):
        return ()
    names: list[str] = []
    for key, field_name in (("users", "login"), ("teams", "slug"), ("apps", "slug")):
        for item in data.get(key) or ():
            if isinstance(item, Mapping) and item.get(field_name):
                names.append(str(item[field_name]))
    return tuple(names)


def _rules(session: _Session, repo: Repository, branch: str, page_size: int) -> Checked[tuple[EffectiveRule, ...]]:
    url = f"{repo.url}/rules/branches/{quote(branch, safe='')}"
    try:
        data = session.get_list(url, page_size)
    except _Failure as failure:
        if _plan_refusal(failure):  # rulesets are not enforced on this plan: none applies
            return ()
        return failure.could_not(f"rulesets applying to {branch!r}", PERMISSION_METADATA)
    return tuple(
        EffectiveRule(
            type=str(item["type"]),
            parameters=dict(item.get("parameters") or {}),
            ruleset_source_type=item.get("ruleset_source_type"),
            ruleset_source=item.get("ruleset_source"),
            ruleset_id=item.get("ruleset_id"),
        )
        for item in data
    )


def _environment(session: _Session, repo: Repository, name: str, page_size: int) -> Checked[Environment | None]:
    from github.Environment import Environment as GitHubEnvironment
    from github.Team import Team

    # built from the name, percent-encoded: the answer's own ``url`` leaves a ``/`` unescaped
    url = f"{repo.url}/environments/{quote(name, safe='')}"
    try:
        headers, data = session.get(url)
    except _Failure as failure:
        if failure.status == 404:
            return None
        return failure.could_not(f"environment {name!r}", PERMISSION_ACTIONS)
    env = session.gh.create_from_raw_data(GitHubEnvironment, data, headers)

    reviewers: list[str] = []
    teams: list[str] = []
    wait_timer = 0
    prevent_self_review = False
    for rule in env.protection_rules or ():
        if rule.type == "wait_timer":
            wait_timer = int(rule.wait_timer or 0)
        elif rule.type == "required_reviewers":
            prevent_self_review = bool(rule.prevent_self_review)
            for entry in rule.reviewers or ():
                if isinstance(entry.reviewer, Team):
                    teams.append(str(entry.reviewer.slug))
                elif entry.reviewer is not None:
                    reviewers.append(str(entry.reviewer.login))
    policy = None
    settings = env.deployment_branch_policy
    if settings is not None:
        patterns: Checked[tuple[DeploymentBranchPattern, ...]] = ()
        if settings.custom_branch_policies:
            patterns = _branch_patterns(session, url, name, page_size)
        policy = DeploymentBranchPolicy(
            protected_branches=bool(settings.protected_branches),
            custom_branch_policies=bool(settings.custom_branch_policies),
            patterns=patterns,
        )
    return Environment(
        name=env.name,
        reviewers=tuple(reviewers),
        reviewer_teams=tuple(teams),
        prevent_self_review=prevent_self_review,
        wait_timer=wait_timer,
        branch_policy=policy,
        can_admins_bypass=_flag(data.get("can_admins_bypass") if isinstance(data, Mapping) else None),
    )


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _branch_patterns(
    session: _Session, env_url: str, name: str, page_size: int
) -> Checked[tuple[DeploymentBranchPattern, ...]]:
    try:
        policies = session.get_list(f"{env_url}/deployment-branch-policies", page_size, key="branch_policies")
    except _Failure as failure:
        return failure.could_not(f"deployment branch policies of environment {name!r}", PERMISSION_ACTIONS)
    return tuple(DeploymentBranchPattern(str(p["name"]), str(p.get("type") or "branch")) for p in policies)


def _deployments(
    session: _Session,
    repo: Repository,
    environment: str,
    limit: int,
    back_to: int | None,
    notes: list[str],
) -> tuple[Checked[tuple[Deployment, ...]], bool]:
    """Newest first, reading statuses until the first successful deployment (at most ``limit``);
    with ``back_to``, until a deployment created before that time succeeded. Also says whether
    the list was read to its end."""
    found: list[Deployment] = []
    listed = session.first(repo.get_deployments(environment=environment), limit)
    complete = False
    while True:
        try:
            item = next(listed, None)
        except _Failure as failure:
            return failure.could_not(f"deployments to {environment!r}", PERMISSION_DEPLOYMENTS), False
        if item is None:
            complete = len(found) < limit
            if not complete and back_to is not None:
                notes.append(f"only the {limit} most recent deployments to {environment!r} were read")
            break
        state: Checked[str | None]
        state_at = succeeded_at = None
        try:
            statuses = session.call(partial(item.get_statuses().get_page, 0))
        except _Failure as failure:
            state = failure.could_not(f"status of deployment {item.id}", PERMISSION_DEPLOYMENTS)
        else:
            latest = statuses[0] if statuses else None
            state = None if latest is None else str(latest.state)
            state_at = None if latest is None else _epoch(latest.created_at)
            success = next((s for s in statuses if s.state == "success"), None)  # newest first
            succeeded_at = None if success is None else _epoch(success.created_at)
        found.append(
            Deployment(
                id=int(item.id),
                sha=str(item.sha),
                ref=str(item.ref),
                environment=str(item.environment),
                created_at=_epoch(item.created_at) or 0,
                state=state,
                state_at=state_at,
                creator=_login(item.creator),
                succeeded_at=succeeded_at,
            )
        )
        if found[-1].succeeded and (back_to is None or found[-1].created_at < back_to):
            break
    return tuple(found), complete


def _reviews(session: _Session, pr: PullRequest, page_size: int) -> Checked[tuple[ReviewFact, ...]]:
    try:
        reviews = list(session.first(pr.get_reviews(), MAX_PAGES * page_size))
    except _Failure as failure:
        return failure.could_not(f"reviews of pull request #{pr.number}", PERMISSION_PULL_REQUESTS)
    return tuple(
        ReviewFact(user=_login(r.user), state=str(r.state), submitted_at=_epoch(r.submitted_at), commit_id=r.commit_id)
        for r in reviews
    )


def _pulls(
    session: _Session,
    repo: Repository,
    bases: Sequence[str],
    head_filter: Callable[[str], bool] | None,
    limit: int,
    page_size: int,
    notes: list[str],
) -> Checked[tuple[PullRequestFact, ...]]:
    found: list[PullRequestFact] = []
    for base in bases:
        listing = repo.get_pulls(state="closed", base=base, sort="updated", direction="desc")
        try:
            closed = list(session.first(listing, limit))
        except _Failure as failure:
            return failure.could_not(f"merged pull requests into {base!r}", PERMISSION_PULL_REQUESTS)
        if len(closed) == limit:
            notes.append(f"only the {limit} most recently updated closed pull requests into {base!r} were read")
        for pr in closed:
            if pr.merged_at is None or (head_filter is not None and not head_filter(pr.head.ref)):
                continue
            found.append(
                PullRequestFact(
                    number=int(pr.number),
                    head_ref=str(pr.head.ref),
                    base_ref=str(pr.base.ref),
                    author=_login(pr.user),
                    merged_at=_epoch(pr.merged_at),
                    merge_commit_sha=pr.merge_commit_sha,
                    head_sha=pr.head.sha,
                    title=str(pr.title or ""),
                    reviews=_reviews(session, pr, page_size),
                )
            )
    return tuple(found)


def collect_github(
    repo_full_name: str,
    token: str | None,
    base_url: str | None,
    branches: Sequence[str],
    environment: str | None,
    *,
    pull_bases: Sequence[str] | None = None,
    head_filter: Callable[[str], bool] | None = None,
    max_pulls: int = 50,
    max_deployments: int = 10,
    deployments_back_to: int | None = None,
    probe_branches: Sequence[str] = (),
    page_size: int = 100,
    retry: RetryPolicy | None = None,
    timeout: int = TIMEOUT,
    user_agent: str = USER_AGENT,
    etags: HttpCache | None = None,
    meter: ApiMeter | None = None,
    clients: ClientPool | None = None,
    budget: GitHubBudget | None = None,
    bypass: bool = False,
    workflows: bool = False,
    deployments: bool = True,
) -> GitHubFacts:
    """Read what GitHub enforces and records for ``repo_full_name``; never raises for HTTP errors.

    ``branches``: branches whose protection and ruleset rules to read. ``environment``: the
    deployment environment to read (None: none). ``pull_bases`` (default: ``branches``):
    branches whose merged pull requests to read, the ``max_pulls`` most recently updated closed
    ones per branch, keeping those whose head ref ``head_filter`` accepts; their reviews are
    read. Deployments are read newest first until the first successful one (with
    ``deployments_back_to``, epoch seconds: until one created before that time succeeded), at
    most ``max_deployments``. ``probe_branches`` are sample names for patterns no branch matches
    yet (``prod/hotfix/hotfix-lint-probe``): their ruleset rules are read (GitHub answers for any
    name), their classic protection cannot be.

    Requests made, whatever the length of the history: 1 for the repository; 2 per branch
    (1 per probe); 1 to name the rulesets when any applies;
    1 or 2 for the environment; for deployments, a page per ``page_size`` listed and one
    per deployment (at most ``max_deployments``); for pull requests, a page per
    ``page_size`` (at most ``max_pulls`` per base) and one per merged pull request kept.
    Long lists of rules, branch policies or reviews add pages, at most :data:`MAX_PAGES`.
    Retries add at most ``retry.attempts - 1`` per request. With ``etags`` every GET is a
    conditional one (a 304 does not count against the rate limit; see ``collect.github.conditional``);
    ``meter`` counts the requests. With ``clients`` the client is taken from that pool and left
    open for the next repository (``collect.github.clients``). ``budget``: the run's time for
    GitHub and its rate limit (``collect.github.deadline``; default: a check's).

    ``bypass``: also who may bypass each applying ruleset (1 request per ruleset);
    ``workflows``: also the state of each GitHub Actions workflow (a page per ``page_size``);
    ``deployments=False``: the environment only, not its deployments. A branch that nothing
    protects costs a ruleset listing and 1 request per ruleset in ``evaluate`` mode.
    """
    from hotfix_lint.collect.github.deadline import GitHubBudget

    if base_url is not None and urlsplit(base_url).scheme not in ("http", "https"):
        raise ValueError(f"the GitHub API URL must start with https:// or http://, not {base_url!r}")
    page_size = max(1, min(100, page_size))
    token = (token or "").strip() or None
    from hotfix_lint.collect.github.clients import open_client

    gh, owned = open_client(
        (base_url or DEFAULT_API_URL).rstrip("/"),
        token,
        page_size=page_size,
        timeout=timeout,
        user_agent=user_agent,
        etags=etags,
        meter=meter,
        clients=clients,
        budget=(budget := budget or GitHubBudget()),
    )
    session = _Session(gh, token, retry or RetryPolicy(), budget)
    try:
        return _collect(
            session,
            repo_full_name,
            branches,
            environment,
            list(branches if pull_bases is None else pull_bases),
            head_filter,
            max_pulls,
            max_deployments,
            page_size,
            deployments_back_to=deployments_back_to,
            probes=tuple(probe_branches),
            read=frozenset(
                name for name, on in (("bypass", bypass), ("workflows", workflows), ("deployments", deployments)) if on
            ),
        )
    finally:
        if owned:
            gh.close()


def answers_unchanged(
    request: GitHubRequest,
    urls: Sequence[str],
    missing: Mapping[str, str] | None = None,
    *,
    retry: RetryPolicy | None = None,
) -> bool:
    """Whether GitHub still gives the answers kept in ``request.etags`` (the HTTP cache) for
    ``urls``, and a 404 with the same body for each URL of ``missing`` (URL -> SHA-256 of that
    body).

    Each is asked again (with its ETag), in order, until one differs (changed, failed, or not
    in the cache): False, and the caller reads GitHub as usual. When every answer is
    unchanged, what was made of them is too, so the audit judges the GitHub facts it kept
    instead of building them again (PyGithub objects, fact records, the branch plan). A 304
    does not count against the rate limit (a 404 does); the requests are counted in
    ``request.meter``.
    """
    from hotfix_lint.collect.github.conditional import ApiMeter

    target = resolve_target(request, None)
    if isinstance(target, str) or request.etags is None or not urls:
        return False
    from hotfix_lint.collect.github.clients import open_client

    probe = ApiMeter(keep_answers=True)
    gh, owned = open_client(
        (target.api_url or DEFAULT_API_URL).rstrip("/"),
        target.token,
        page_size=100,
        timeout=TIMEOUT,
        user_agent=USER_AGENT,
        etags=request.etags,
        meter=probe,
        clients=request.clients,
        budget=request.budget,
    )
    session = _Session(gh, target.token, retry or RetryPolicy(), request.budget)
    questions: list[tuple[str, str | None]] = [(url, None) for url in urls]
    questions += list((missing or {}).items())
    try:
        for url, body in questions:
            asked = len(probe.answers or [])
            with contextlib.suppress(_Failure):  # what it was is in the meter's answers
                session.get(url)
            answers = (probe.answers or [])[asked:]
            if not answers:
                return False
            _, status, _, digest = answers[-1]
            if body is None and status != 304:
                return False
            if body is not None and (status != 404 or digest != body):
                return False
        return True
    finally:
        if request.meter is not None:
            request.meter.add(probe.reading())
        if owned:
            gh.close()


def _collect(
    session: _Session,
    full_name: str,
    branches: Sequence[str],
    environment: str | None,
    bases: Sequence[str],
    head_filter: Callable[[str], bool] | None,
    max_pulls: int,
    max_deployments: int,
    page_size: int,
    *,
    deployments_back_to: int | None = None,
    probes: tuple[str, ...] = (),
    read: frozenset[str] = frozenset({"deployments"}),
) -> GitHubFacts:
    notes: list[str] = []
    try:
        repo = _repository(session, full_name)
        settings = _guard(session, f"repository settings of {full_name}", partial(_settings, repo))
    except _Failure as failure:
        if failure.status == 404:
            failure.reason = f"repository {full_name} not found, or hidden from this token (404 {failure.message})"
        unreadable = failure.could_not(f"repository {full_name}", PERMISSION_METADATA)
        return GitHubFacts(
            repository=full_name,
            settings=unreadable,
            branches=tuple(BranchGitHubFact(b, unreadable, unreadable) for b in branches)
            + tuple(BranchGitHubFact(b, unreadable, unreadable, probe=True) for b in probes),
            environment_name=environment,
            environment=unreadable if environment else None,
            deployments=unreadable if environment else (),
            pulls=unreadable if bases else (),
            notes=(f"nothing could be read from GitHub: {unreadable.reason}",),
        )

    def rules(branch: str) -> Checked[tuple[EffectiveRule, ...]]:
        return _guard(session, f"rulesets applying to {branch!r}", partial(_rules, session, repo, branch, page_size))

    branch_facts = tuple(
        BranchGitHubFact(
            name=b,
            protection=_guard(session, f"branch protection of {b!r}", partial(_protection, session, repo, b)),
            rules=rules(b),
        )
        for b in branches
    )
    branch_facts += tuple(
        BranchGitHubFact(
            name=b,
            protection=CouldNotCheck(f"branch protection of {b!r}", f"no branch named like {b!r} exists on GitHub yet"),
            rules=rules(b),
            probe=True,
        )
        for b in probes
    )
    listed_rulesets = _RulesetList(session, repo, page_size)
    branch_facts = _name_rulesets(listed_rulesets, branch_facts)
    branch_facts = _evaluate_only(session, repo, listed_rulesets, branch_facts, settings)
    bypass = _ruleset_bypass(session, repo, branch_facts) if "bypass" in read else ()
    workflows = (
        _guard(session, "workflow states", partial(_workflow_states, session, repo, page_size))
        if "workflows" in read
        else None
    )
    env: Checked[Environment | None] = None
    deployments: Checked[tuple[Deployment, ...]] = ()
    complete = False
    if environment:
        env = _guard(
            session, f"environment {environment!r}", lambda: _environment(session, repo, environment, page_size)
        )
        if env is None:
            notes.append(f"environment {environment!r} does not exist on GitHub")
    if environment and "deployments" in read:
        listed = _guard(
            session,
            f"deployments to {environment!r}",
            lambda: _deployments(session, repo, environment, max_deployments, deployments_back_to, notes),
        )
        if isinstance(listed, CouldNotCheck):
            deployments = listed
        else:
            deployments, complete = listed
    pulls: Checked[tuple[PullRequestFact, ...]] = ()
    if bases:
        pulls = _guard(
            session,
            "merged pull requests",
            lambda: _pulls(session, repo, bases, head_filter, max_pulls, page_size, notes),
        )
    return GitHubFacts(
        repository=full_name,
        settings=settings,
        branches=branch_facts,
        environment_name=environment,
        environment=env,
        deployments=deployments,
        deployments_complete=complete,
        pulls=pulls,
        notes=tuple(notes),
        ruleset_bypass=bypass,
        workflow_states=workflows,
    )


def _repository(session: _Session, full_name: str) -> Repository:
    """The repository; an answer that is not one (a redirect PyGithub does not follow, an empty
    body) is a :class:`_Failure` saying so, not a repository of Nones or a traceback."""
    from github.Repository import Repository

    headers, data = session.get(f"/repos/{full_name}")
    if not isinstance(data, dict) or not isinstance(data.get("full_name"), str):
        location = headers.get("location")
        said = f"a redirect to {location}" if location else "an empty answer" if not data else "no repository"
        reason = f"GitHub answered {said} for {full_name}, not the repository"
        raise _Failure(None, "", reason=session.redact(reason)[:300], permission_relevant=False)
    return session.gh.create_from_raw_data(Repository, data, headers)


class _RulesetList:
    """The repository's rulesets (``GET rulesets``, with the organisation's), read once and only
    when asked; None when the token cannot list them."""

    def __init__(self, session: _Session, repo: Repository, page_size: int) -> None:
        self._read = partial(session.get_list, f"{repo.url}/rulesets", page_size)
        self._items: list[dict[str, Any]] | None = None
        self._asked = False

    def items(self) -> list[dict[str, Any]] | None:
        if not self._asked:
            self._asked = True
            try:
                self._items = [i for i in self._read() if isinstance(i, dict)]
            except _Failure as failure:
                log.info("rulesets not listed: %s", failure.reason)
        return self._items


def _name_rulesets(listed: _RulesetList, branches: tuple[BranchGitHubFact, ...]) -> tuple[BranchGitHubFact, ...]:
    """Give each ruleset rule its ruleset's name (one listing, only when some rule applies); a
    token that cannot list rulesets leaves them named by id."""
    ids = {r.ruleset_id for b in branches if isinstance(b.rules, tuple) for r in b.rules if r.ruleset_id is not None}
    if not ids:
        return branches
    items = listed.items()
    if items is None:
        return branches
    names = {item.get("id"): str(item.get("name")) for item in items if item.get("name")}
    return tuple(
        replace(b, rules=tuple(replace(r, ruleset_name=names.get(r.ruleset_id)) for r in b.rules))
        if isinstance(b.rules, tuple)
        else b
        for b in branches
    )


def _evaluate_only(
    session: _Session,
    repo: Repository,
    listed: _RulesetList,
    branches: tuple[BranchGitHubFact, ...],
    settings: Checked[RepoSettings],
) -> tuple[BranchGitHubFact, ...]:
    """For a branch nothing protects, the rulesets that target it in ``evaluate`` mode (GitHub's
    rules for a branch leave them out: they report, never block). Read only then: one listing,
    and each evaluate-mode branch ruleset's conditions."""
    bare = [
        b for b in branches if not b.probe and b.rules == () and b.protection == BranchProtection.unprotected(b.name)
    ]
    if not bare or isinstance(settings, CouldNotCheck):
        return branches
    evaluating = [i for i in listed.items() or () if i.get("enforcement") == "evaluate" and i.get("target") == "branch"]
    if not evaluating:
        return branches
    conditions: list[tuple[str, Mapping[str, Any]]] = []
    for item in evaluating:
        try:
            detail = session.get_json(f"{repo.url}/rulesets/{int(item['id'])}")
        except (_Failure, KeyError, TypeError, ValueError):
            continue
        ref_name = ((detail or {}).get("conditions") or {}).get("ref_name") if isinstance(detail, dict) else None
        if isinstance(ref_name, Mapping):
            conditions.append((str(item.get("name") or f"#{item.get('id')}"), ref_name))
    default = settings.default_branch
    return tuple(
        replace(b, evaluate_rulesets=tuple(n for n, c in conditions if _targets(c, b.name, default)))
        if b in bare
        else b
        for b in branches
    )


def _targets(ref_name: Mapping[str, Any], branch: str, default_branch: str) -> bool:
    """Whether a ruleset's ``ref_name`` condition includes ``branch`` (and does not exclude it)."""

    def matches(pattern: Any) -> bool:
        text = str(pattern)
        if text == "~ALL":
            return True
        if text == "~DEFAULT_BRANCH":
            return branch == default_branch
        return github_fnmatch(text.removeprefix("refs/heads/"), branch)

    include = ref_name.get("include") or ()
    exclude = ref_name.get("exclude") or ()
    return any(matches(p) for p in include) and not any(matches(p) for p in exclude)


def _ruleset_bypass(
    session: _Session, repo: Repository, branches: tuple[BranchGitHubFact, ...]
) -> tuple[RulesetBypass, ...]:
    """Who may bypass each ruleset applying to a read branch (``GET rulesets/{id}``, one per
    ruleset). GitHub shows ``bypass_actors`` only to a token with write access to the ruleset."""
    seen: dict[int, str | None] = {}
    for branch in branches:
        if isinstance(branch.rules, tuple):
            for rule in branch.rules:
                if rule.ruleset_id is not None:
                    seen.setdefault(rule.ruleset_id, rule.ruleset_name)
    found: list[RulesetBypass] = []
    for ruleset_id, name in seen.items():
        what = f"who may bypass ruleset {name or ruleset_id!r}"
        try:
            data = session.get_json(f"{repo.url}/rulesets/{ruleset_id}")
        except _Failure as failure:
            found.append(RulesetBypass(ruleset_id, name, failure.could_not(what, PERMISSION_ADMINISTRATION)))
            continue
        actors = data.get("bypass_actors") if isinstance(data, dict) else None
        if not isinstance(actors, list):
            hidden = CouldNotCheck(what, "GitHub shows bypass_actors only to a token with write access to the ruleset")
            found.append(RulesetBypass(ruleset_id, name, hidden))
            continue
        found.append(
            RulesetBypass(
                ruleset_id,
                name or (str(data.get("name")) if data.get("name") else None),
                tuple(
                    BypassActor(
                        actor_type=str(a.get("actor_type")),
                        actor_id=a.get("actor_id") if isinstance(a.get("actor_id"), int) else None,
                        bypass_mode=str(a.get("bypass_mode") or "always"),
                    )
                    for a in actors
                    if isinstance(a, dict)
                ),
            )
        )
    return tuple(found)


def _workflow_states(session: _Session, repo: Repository, page_size: int) -> Checked[tuple[tuple[str, str], ...]]:
    """Each GitHub Actions workflow's path and state (``GET actions/workflows``)."""
    try:
        items = session.get_list(f"{repo.url}/actions/workflows", page_size, key="workflows")
    except _Failure as failure:
        return failure.could_not("the state of the GitHub Actions workflows", PERMISSION_ACTIONS)
    return tuple(
        (str(i["path"]), str(i.get("state") or "active")) for i in items if isinstance(i, dict) and "path" in i
    )


def _guard(session: _Session, what: str, collect: Callable[[], T]) -> T | CouldNotCheck:
    """One fact kind: an unexpected answer makes it unknown instead of stopping the others."""
    try:
        return collect()
    except _Failure as failure:  # a request outside the per-fact handling (a lazy attribute)
        return failure.could_not(what, None)
    except Exception as exc:  # any surprise in GitHub's answer is "could not check", not a crash
        detail = session.redact(f"{type(exc).__name__}: {exc}")[:300]
        log.warning("could not read %s from GitHub: %s", what, detail)
        return CouldNotCheck(what, f"unexpected answer from GitHub ({detail})")


# -- discovery: which token, which repository --------------------------------------------------


def discover_token(
    environ: Mapping[str, str] | None = None, *, variable: str | None = None, host: str | None = None
) -> str | None:
    """The token from ``variable`` if named, else GITHUB_TOKEN or GH_TOKEN (for an Enterprise
    ``host``, GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN first, as gh does); None if unset."""
    env = os.environ if environ is None else environ
    names = (variable,) if variable else _token_variables(host)
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def _token_variables(host: str | None) -> tuple[str, ...]:
    """The variables that may hold a token for ``host``: Enterprise ones first off github.com."""
    if host and not _is_github_com(host):
        return ENTERPRISE_TOKEN_VARIABLES + TOKEN_VARIABLES
    return TOKEN_VARIABLES


@dataclass(frozen=True)
class RemoteRepository:
    """owner/name on a GitHub host, parsed from a remote URL (credentials dropped)."""

    host: str
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def api_url(self) -> str | None:
        """The REST base URL; None for github.com (PyGithub's default)."""
        if _is_github_com(self.host):
            return None
        if self.host.endswith(".ghe.com"):  # GitHub Enterprise Cloud with data residency
            return f"https://api.{self.host}"
        return f"https://{self.host}/api/v3"


def _is_github_cloud(host: str) -> bool:
    """github.com, or GitHub Enterprise Cloud with data residency (``*.ghe.com``)."""
    return _is_github_com(host) or host.lower().endswith(".ghe.com")


def _is_github_com(host: str) -> bool:
    return host.lower() in ("github.com", "www.github.com", "ssh.github.com", "api.github.com")


_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?!//)(?P<path>[^\\].*)$")


def parse_remote_url(url: str) -> RemoteRepository | None:
    """owner/name from ``https://host/owner/name(.git)``, ``ssh://git@host[:port]/owner/name.git``,
    ``git@host:owner/name.git`` or ``git://host/owner/name.git``; None when it is not one."""
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    else:
        match = _SCP_LIKE.match(url)
        if match is None:
            return None
        host, path = match["host"], match["path"]
    segments = [s for s in path.strip("/").split("/") if s]
    if len(segments) != 2:
        return None
    owner, name = segments
    name = name.removesuffix(".git")
    if not owner or not name:
        return None
    host = host.lower()
    if _is_github_com(host):
        host = "github.com"
    return RemoteRepository(host=host, owner=owner, name=name)


# -- what the command line asked for, and what it resolves to ------------------------------------


@dataclass(frozen=True)
class GitHubRequest:
    """GitHub access as the user configured it: ``--github``, ``--github-url``, ``--token-env``.

    Each may be None: the repository then comes from the ``origin`` remote, the API URL from
    the remote's host (github.com, or ``https://HOST/api/v3`` for GitHub Enterprise Server),
    and the token from GITHUB_TOKEN / GH_TOKEN (see :func:`discover_token`).
    """

    repository: str | None = None
    api_url: str | None = None
    token_env: str | None = None
    #: the audit's answers of earlier runs, for conditional requests, and its request counter
    etags: HttpCache | None = field(default=None, repr=False, compare=False)
    meter: ApiMeter | None = field(default=None, repr=False, compare=False)
    #: clients kept from one repository to the next (the audit's)
    clients: ClientPool | None = field(default=None, repr=False, compare=False)
    #: the run's time for GitHub and the rate limit that stopped it (``--github-timeout``)
    budget: GitHubBudget | None = field(default=None, repr=False, compare=False)
    #: GraphQL's answers read for many repositories at once (``collect.github.graphql``), by
    #: lower-case full name: a repository found there is not read through REST when they cover it
    graphql: Mapping[str, RepoAnswer] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class GitHubTarget:
    """A repository to read, the API to read it from, and the token (kept out of ``repr``)."""

    repository: str
    api_url: str | None
    token: str = field(repr=False)
    #: where the repository name came from, for the report: "--github" or "the origin remote"
    source: str = "--github"


def resolve_target(
    request: GitHubRequest, origin_url: str | None, environ: Mapping[str, str] | None = None
) -> GitHubTarget | str:
    """The repository, API URL and token to use, or why GitHub is not configured (a sentence
    for the report; it never contains the token)."""
    remote = parse_remote_url(origin_url) if origin_url else None
    api_url = request.api_url
    if remote is not None and api_url is None and not _is_github_cloud(remote.host):
        # any host's owner/name parses; the token goes to a host only when the user names its API
        if request.repository is None:
            return (
                f"no GitHub repository (the origin remote is on {remote.host}, not github.com: for GitHub "
                f"Enterprise Server give --github-url https://{remote.host}/api/v3)"
            )
        remote = None
    repository = request.repository
    source = "--github"
    if repository is None:
        if remote is None:
            where = "the origin remote is not a GitHub URL" if origin_url else "there is no origin remote"
            return f"no GitHub repository ({where}; name one with --github OWNER/NAME)"
        repository, source = remote.full_name, "the origin remote"
    if api_url is None and remote is not None and remote.full_name.lower() == repository.lower():
        api_url = remote.api_url
    host = urlsplit(api_url).hostname if api_url else (remote.host if remote is not None else None)
    token = discover_token(environ, variable=request.token_env, host=host)
    if token is None:
        if request.token_env:
            return f"no GitHub token (the variable {request.token_env} named by --token-env is not set)"
        names = _token_variables(host)
        return f"no GitHub token (set {' or '.join(names)}, or name the variable with --token-env)"
    return GitHubTarget(repository=repository, api_url=api_url, token=token, source=source)
