"""An organisation on the loopback GitHub whose repositories are real git repositories,
served for cloning by ``git http-backend`` (see ``github_server/git_http.py``), and
``hotfix-lint audit`` run against it in-process.

:class:`Org` publishes a :class:`~scenario.Scenario` as ``octo/NAME``: a bare copy under the
server's git root (the API's ``clone_url`` points there) and a repository in the state,
with GitHub settings that follow the default pack's GitHub rules unless told otherwise.
:meth:`Org.audit` runs the command and returns the exit status, the JSON report and what
was printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from github_server import GitHubServer
from scenario import Scenario, build_gitflow, land_hotfix

ORG = "octo"
#: a fake token: the tests look for it in everything the tool wrote
TOKEN = "ghp_AuditL00pbackT0kenNeverPrinted0000042"  # noqa: S105
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")


@dataclass
class AuditRun:
    status: int
    report: dict[str, Any] | None
    stdout: str
    stderr: str
    written: str

    def entry(self, name: str) -> dict[str, Any]:
        assert self.report is not None, self.stderr
        for entry in self.report["repositories"]:
            if entry["repository"] == name:
                return dict(entry)
        raise AssertionError(f"{name} is not in the report: {[e['repository'] for e in self.report['repositories']]}")

    def found(self, *, waived: bool = False) -> dict[str, set[tuple[str, str]]]:
        """Repository -> {(rule, severity)} of its (unwaived) violations, for every audited one."""
        assert self.report is not None, self.stderr
        return {
            e["repository"]: {
                (v["rule"], v["severity"]) for v in e["report"]["violations"] if bool(v["waived"]) == waived
            }
            for e in self.report["repositories"]
            if e["report"] is not None
        }

    @property
    def everything(self) -> str:
        return "\n".join((self.stdout, self.stderr, self.written))


def compliant_settings(server: GitHubServer, full_name: str) -> None:
    """What the default pack's GitHub rules want: merge commits only, main and develop protected."""
    state = server.state
    settings = state.repo(full_name)["settings"]
    settings.update(allow_squash_merge=False, allow_rebase_merge=False)
    state.protect_branch(full_name, "main", required_approving_review_count=1)
    state.protect_branch(full_name, "develop", required_approving_review_count=1)


class Org:
    """``octo`` on the loopback GitHub, with its repositories' git served over HTTP."""

    def __init__(
        self,
        server: GitHubServer,
        scenario: Callable[..., Scenario],
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.server = server
        self.state = server.state
        self.scenario = scenario
        self.tmp_path = tmp_path
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.git_root = tmp_path / "git-served"
        self.git_root.mkdir()
        server.git_root = self.git_root
        self.cache = tmp_path / "audit-cache"
        self.sources: dict[str, Scenario] = {}
        self.state.add_org(ORG)
        self.state.require_token(TOKEN)

    def bare_path(self, name: str) -> Path:
        return self.git_root / ORG / f"{name}.git"

    def publish(
        self,
        name: str,
        repo: Scenario,
        *,
        compliant: bool = True,
        policy: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> str:
        """Serve ``repo`` as ``octo/NAME``; ``policy``: its own .hotfix-lint.yaml (read through
        the API); ``settings``: repository fields (archived=True, allow_squash_merge=True...)."""
        full_name = f"{ORG}/{name}"
        self.sources[full_name] = repo
        self.push(full_name)
        branches = [b for b in repo.git("for-each-ref", "--format=%(refname:short)", "refs/heads").split() if b]
        self.state.add_repo(full_name, branches=[b for b in branches if b != "main"])
        if compliant:
            compliant_settings(self.server, full_name)
        self.state.repo(full_name)["settings"].update(
            {k: v for k, v in settings.items() if k not in ("archived", "private")}
        )
        for key in ("archived", "private"):
            if key in settings:
                self.state.repo(full_name)[key] = settings[key]
        self.state.add_file(full_name, "README.md", "# app\n")
        if policy is not None:
            self.state.add_file(full_name, ".hotfix-lint.yaml", yaml.safe_dump(dict(policy), sort_keys=False))
        return full_name

    def push(self, full_name: str) -> None:
        """Copy the source repository to the served bare one (all branches and tags), and tell
        the API it was pushed to."""
        repo = self.sources[full_name]
        target = self.bare_path(full_name.split("/", 1)[1])
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(target)], check=True)
        if repo.git("for-each-ref", "--count=1"):  # an empty repository has nothing to push
            repo.git(
                "push", "-q", "--force", "--prune", str(target), "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"
            )
        if full_name in self.state.data["repos"]:
            self.state.repo(full_name)["pushed_at"] = self.state.tick()

    def break_clone(self, name: str) -> None:
        """The repository's git is gone from the server: a clone or fetch gets 404."""
        shutil.rmtree(self.bare_path(name))

    def gitflow(self, name: str) -> Scenario:
        """A new compliant git-flow history in its own directory."""
        return build_gitflow(self.scenario(name))

    def audit(
        self,
        *args: str,
        fmt: str | None = "json",
        token: str | None = TOKEN,
        cache: Path | None = None,
        github_url: bool = True,
    ) -> AuditRun:
        from hotfix_lint.cli import main

        for variable in TOKEN_VARIABLES:
            self.monkeypatch.delenv(variable, raising=False)
        self.monkeypatch.delenv("CI", raising=False)
        if token is not None:
            self.monkeypatch.setenv("GITHUB_TOKEN", token)
        out = self.tmp_path / f"audit-report.{fmt}"
        out.unlink(missing_ok=True)
        argv = ["audit", "--now", "2026-01-15"]
        if fmt is not None:  # None: the test names its own --format
            argv += ["--format", fmt, "--output", str(out)]
        if github_url:
            argv += ["--github-url", self.server.url]
        argv += ["--cache", str(cache or self.cache)]
        self.capsys.readouterr()
        status = main([*argv, *args])
        printed = self.capsys.readouterr()
        written = out.read_text(encoding="utf-8") if out.exists() else printed.out
        report = json.loads(written) if fmt == "json" and written else None
        return AuditRun(status, report, printed.out, printed.err, written)


def land_squash(repo: Scenario) -> Scenario:
    land_hotfix(repo, "hotfix/fix-crash", how="squash")
    return repo


def land_without_back_merge(repo: Scenario) -> Scenario:
    land_hotfix(repo, "hotfix/fix-crash", back_merge=None)
    return repo


@pytest.fixture
def org(
    github_server: GitHubServer,
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Org:
    return Org(github_server, scenario, tmp_path, capsys, monkeypatch)
