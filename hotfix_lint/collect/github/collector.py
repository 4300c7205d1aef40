"""Read a repository's GitHub settings and history into the frozen facts of ``facts.github``.

The entry point of the REST side: one session, then each kind of fact from its own module
(``repository``, ``branch_rules``, ``deployments``, ``pulls``), each guarded so that a
failure makes that fact "could not check" and leaves the others. PyGithub is imported only
inside functions, so importing hotfix_lint (a pre-commit hook, ``--help``) never loads it.
PyGithub objects fetch lazily, so they are converted reading only attributes present in the
answers already received: the number of requests depends on the branches, the limits and the
page size, never on the length of the history. A redirect or an empty body where a
repository is expected is "could not check" too. The token never appears in a fact, a log
line or an exception.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from hotfix_lint.collect.github.branch_rules import (
    RulesetList,
    branch_protection,
    branch_rules,
    evaluate_only,
    name_rulesets,
    ruleset_bypass,
)
from hotfix_lint.collect.github.deployments import deployments_to, read_environment
from hotfix_lint.collect.github.pulls import MAX_PULLS, merged_pulls
from hotfix_lint.collect.github.repository import read_repository, repo_settings, workflow_states
from hotfix_lint.collect.github.session import (
    PERMISSION_METADATA,
    TIMEOUT,
    USER_AGENT,
    GitHubSession,
    RequestFailed,
    RetryPolicy,
    guard,
    open_session,
)
from hotfix_lint.collect.github.target import GitHubRequest, resolve_target
from hotfix_lint.facts.github import (
    BranchGitHubFact,
    Checked,
    CouldNotCheck,
    Deployment,
    EffectiveRule,
    Environment,
    GitHubFacts,
    PullRequestFact,
)

if TYPE_CHECKING:
    from hotfix_lint.collect.github.clients import ClientPool
    from hotfix_lint.collect.github.conditional import ApiMeter, HttpCache
    from hotfix_lint.collect.github.deadline import GitHubBudget


def collect_github(
    repo_full_name: str,
    token: str | None,
    base_url: str | None,
    branches: Sequence[str],
    environment: str | None,
    *,
    pull_bases: Sequence[str] | None = None,
    head_filter: Callable[[str], bool] | None = None,
    max_pulls: int = MAX_PULLS,
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
    page_size = max(1, min(100, page_size))
    session = open_session(
        base_url,
        token,
        page_size=page_size,
        timeout=timeout,
        user_agent=user_agent,
        etags=etags,
        meter=meter,
        clients=clients,
        budget=budget,
        retry=retry or RetryPolicy(),
    )
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
        session.close()


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
    probe = ApiMeter(keep_answers=True)
    try:
        session = open_session(
            target.api_url,
            target.token,
            etags=request.etags,
            meter=probe,
            clients=request.clients,
            budget=request.budget,
            retry=retry or RetryPolicy(),
        )
    except ValueError:  # not an http(s) API: collect_github says so
        return False
    questions: list[tuple[str, str | None]] = [(url, None) for url in urls]
    questions += list((missing or {}).items())
    try:
        for url, body in questions:
            asked = len(probe.answers or [])
            with contextlib.suppress(RequestFailed):  # what it was is in the meter's answers
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
        session.close()


def _collect(
    session: GitHubSession,
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
        repo = read_repository(session, full_name)
        settings = guard(session, f"repository settings of {full_name}", partial(repo_settings, repo))
    except RequestFailed as failure:
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
        return guard(
            session, f"rulesets applying to {branch!r}", partial(branch_rules, session, repo, branch, page_size)
        )

    branch_facts = tuple(
        BranchGitHubFact(
            name=b,
            protection=guard(session, f"branch protection of {b!r}", partial(branch_protection, session, repo, b)),
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
    listed_rulesets = RulesetList(session, repo, page_size)
    branch_facts = name_rulesets(listed_rulesets, branch_facts)
    branch_facts = evaluate_only(session, repo, listed_rulesets, branch_facts, settings)
    bypass = ruleset_bypass(session, repo, branch_facts) if "bypass" in read else ()
    workflows = (
        guard(session, "workflow states", partial(workflow_states, session, repo, page_size))
        if "workflows" in read
        else None
    )
    env: Checked[Environment | None] = None
    deployments: Checked[tuple[Deployment, ...]] = ()
    complete = False
    if environment:
        env = guard(
            session, f"environment {environment!r}", lambda: read_environment(session, repo, environment, page_size)
        )
        if env is None:
            notes.append(f"environment {environment!r} does not exist on GitHub")
    if environment and "deployments" in read:
        listed = guard(
            session,
            f"deployments to {environment!r}",
            lambda: deployments_to(session, repo, environment, max_deployments, deployments_back_to, notes),
        )
        if isinstance(listed, CouldNotCheck):
            deployments = listed
        else:
            deployments, complete = listed
    pulls: Checked[tuple[PullRequestFact, ...]] = ()
    if bases:
        pulls = guard(
            session,
            "merged pull requests",
            lambda: merged_pulls(session, repo, bases, head_filter, max_pulls, page_size, notes),
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
