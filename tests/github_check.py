"""Helpers for the GitHub rule tests: a repository served by the loopback GitHub, and ``check``
run against it through the CLI with a token in the environment.

``compliant(state)`` builds a repository whose GitHub settings follow every GitHub rule
(main and develop protected, prod/hotfix/* protected by a ruleset, merge commits only, a
guarded production environment, reviewed hotfix pull requests); each test then breaks one
thing. :func:`github_check` runs ``hotfix-lint check --github octo/app --github-url URL`` and
returns the exit status, the JSON report, and everything printed (to look for the token).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from github_server import GitHubServer
from github_server.state import GitHubState
from scenario import Scenario

REPO = "octo/app"
PROMOTION = "prod/hotfix/2025-03-01_fix-timeout"
#: a fake token: every test looks for it in everything the tool wrote
TOKEN = "ghp_L00pbackS3cretT0kenThatMustNeverLeak42"  # noqa: S105
T0 = int(dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc).timestamp())
DAY = 86400

BASE: dict[str, Any] = {
    "production": "main",
    "integration": "develop",
    "hotfix_branch": "hotfix/{slug}",
    "release_branches": ["release/*"],
    "changelog": None,
    "tag_pattern": "v{version}",
    "deployed_ref": "branch",
}


def policy(rules: Mapping[str, Any], **keys: Any) -> dict[str, Any]:
    """A policy with only ``rules`` on: every other rule off (so only GitHub is judged)."""
    from hotfix_lint.rules.registry import ALL_RULES

    settings: dict[str, Any] = {rule.id: "off" for rule in ALL_RULES if not rule.opt_in}
    settings.update(rules)
    return {**BASE, **keys, "rules": settings}


def compliant(state: GitHubState, *, environment: str = "production") -> None:
    """octo/app set up as every GitHub rule wants it."""
    state.add_org("octo")
    state.add_repo(REPO, branches=["develop", PROMOTION], allow_squash_merge=False, allow_rebase_merge=False)
    state.protect_branch(REPO, "main", required_approving_review_count=1)
    state.protect_branch(REPO, "develop", required_approving_review_count=1)
    state.add_ruleset(
        REPO,
        "promotion branches",
        include=["refs/heads/prod/hotfix/**"],
        rules=[
            "deletion",
            "non_fast_forward",
            {
                "type": "pull_request",
                "parameters": {"required_approving_review_count": 1, "allowed_merge_methods": ["merge"]},
            },
        ],
    )
    state.add_environment(
        REPO,
        environment,
        reviewers=["dawid-ciarach-ext", "maximilian-kimmel-ext"],
        prevent_self_review=True,
        branch_patterns=["main", "prod/hotfix/*"],
    )
    state.add_deployment(REPO, environment=environment, ref="main", created_at=T0, statuses=["in_progress", "success"])
    state.add_pull(
        REPO,
        head="hotfix/fix-timeout",
        base="main",
        user="dev",
        created_at=T0 + 1000,
        merged_at=T0 + 3000,
        reviews=[("reviewer", "APPROVED", T0 + 2000)],
    )


def git_repo(scenario: Scenario, *, origin: str | None = None) -> Scenario:
    """main with one commit, develop and a promotion branch beside it; ``origin`` as the remote."""
    scenario.commit("Initial commit", {"README.md": "# app\n"})
    scenario.branch("develop")
    scenario.branch(PROMOTION)
    if origin is not None:
        scenario.git("remote", "add", "origin", origin)
    return scenario


@dataclass
class Run:
    """One ``check``: exit status, JSON report, what it printed."""

    status: int
    report: dict[str, Any] | None
    stdout: str
    stderr: str
    written: str

    def findings(self, rule: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        assert self.report is not None, self.stderr
        return [
            v
            for v in self.report["violations"]
            if (rule is None or v["rule"] == rule) and (kind is None or v["kind"] == kind)
        ]

    def violations(self, rule: str | None = None) -> list[dict[str, Any]]:
        return self.findings(rule, "violation")

    def could_not_check(self, rule: str | None = None) -> list[dict[str, Any]]:
        return self.findings(rule, "could-not-check")

    @property
    def everything(self) -> str:
        return "\n".join((self.stdout, self.stderr, self.written))


class Sleeps:
    """A ``sleep`` that records instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_retries(monkeypatch: pytest.MonkeyPatch, *, max_wait: float = 5.0) -> Sleeps:
    """Make the CLI's GitHub retries instant (and recorded): the retry loop itself is unchanged."""
    import hotfix_lint.collect.github.collector as collector

    sleeps = Sleeps()
    monkeypatch.setattr(
        collector,
        "RetryPolicy",
        functools.partial(collector.RetryPolicy, sleep=sleeps, backoff=0.25, max_wait=max_wait),
    )
    return sleeps


def github_check(
    repo: Scenario,
    server: GitHubServer | None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    policy: Mapping[str, Any] | None = None,
    token: str | None = TOKEN,
    repository: str | None = REPO,
    fmt: str = "json",
    env: Mapping[str, str] | None = None,
) -> Run:
    """Run ``hotfix-lint check`` in-process against the loopback GitHub with ``token`` set (as
    GITHUB_TOKEN, the other token variables cleared; ``env``: more variables)."""
    from hotfix_lint.cli import main

    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    if token is not None:
        monkeypatch.setenv("GITHUB_TOKEN", token)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    if policy is not None:
        (repo.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(dict(policy), sort_keys=False), encoding="utf-8")
    out = repo.path.parent / f".report-{repo.path.name}.{fmt}"
    if out.exists():
        out.unlink()
    argv: list[str] = ["check", "--repo", str(repo.path), "--format", fmt, "--output", str(out)]
    if repository is not None:
        argv += ["--github", repository]
    if server is not None:
        argv += ["--github-url", server.url]
    capsys.readouterr()
    status = main([*argv, *args])
    printed = capsys.readouterr()
    written = out.read_text(encoding="utf-8") if out.exists() else ""
    report = None
    if fmt == "json" and written:
        import json

        report = json.loads(written)
    return Run(status, report, printed.out, printed.err, written)


class GitHub:
    """One test's loopback GitHub, its git repository (made on first use) and ``check``."""

    def __init__(
        self,
        scenario: Callable[..., Scenario],
        server: GitHubServer,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.scenario = scenario
        self.server = server
        self.state = server.state
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self._repo: Scenario | None = None

    @property
    def repo(self) -> Scenario:
        if self._repo is None:
            self._repo = git_repo(self.scenario())
        return self._repo

    @repo.setter
    def repo(self, value: Scenario) -> None:
        self._repo = value

    def check(self, *args: str, server: GitHubServer | bool | None = True, **kwargs: Any) -> Run:
        """``check`` on :attr:`repo` (``server=False``: no --github-url)."""
        chosen = self.server if server is True else (None if server is False else server)
        return github_check(self.repo, chosen, self.capsys, self.monkeypatch, *args, **kwargs)

    def unprotect(self, branch: str) -> None:
        self.state.repo(REPO)["branches"][branch]["protection"] = None


@pytest.fixture
def gh(
    scenario: Callable[..., Scenario],
    github_server: GitHubServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> GitHub:
    """The loopback GitHub (empty: call :func:`compliant`), a git repository and ``check``."""
    return GitHub(scenario, github_server, capsys, monkeypatch)
