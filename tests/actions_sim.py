"""A GitHub Actions run, acted out: the event file, the runner's environment, the checkout.

``actions/checkout`` on a ``pull_request`` event fetches ``refs/pull/N/merge`` (a merge of the
head into the base that GitHub made and nobody pushed) and leaves HEAD detached there; with
``fetch-depth: 0`` it also fetches every branch as ``refs/remotes/origin/*`` and the tags, with
the default ``fetch-depth: 1`` only the merge commit itself. :func:`pull_request_checkout`
makes that merge in the origin scenario (no branch moves) and fetches it the same way;
:func:`actions_env` sets the variables the runner sets (through ``monkeypatch``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scenario import Scenario


@dataclass
class PullRequest:
    """A pull request as the runner sees it: the checkout, and what the event says."""

    checkout: Scenario
    number: int
    head: str
    base: str
    head_sha: str
    base_sha: str
    merge_sha: str

    def payload(self, commits: int = 1) -> dict[str, Any]:
        return {
            "action": "synchronize",
            "number": self.number,
            "pull_request": {
                "number": self.number,
                "head": {"ref": self.head, "sha": self.head_sha},
                "base": {"ref": self.base, "sha": self.base_sha},
                "commits": commits,
            },
        }

    def env(self) -> dict[str, str]:
        return {
            "GITHUB_REF": f"refs/pull/{self.number}/merge",
            "GITHUB_SHA": self.merge_sha,
            "GITHUB_HEAD_REF": self.head,
            "GITHUB_BASE_REF": self.base,
        }


def push_payload(branch: str, after: str, before: str | None = None, default: str = "main") -> dict[str, Any]:
    """A ``push`` event's payload: the branch, the commits before and after, and the repository
    (whose default branch the runner's event always names)."""
    return {
        "ref": f"refs/heads/{branch}",
        "before": before or "0" * 40,
        "after": after,
        "repository": {"full_name": "octo/app", "default_branch": default},
    }


def runner_checkout(origin: Scenario, refspecs: list[str], *, depth: int | None, detach: str) -> Scenario:
    """``git init``, ``git fetch origin REFSPECS`` (``depth``: shallow), HEAD detached at ``detach``."""
    dest = origin.path.parent / f"{origin.path.name}-runner"
    n = 1
    while dest.exists():
        n += 1
        dest = origin.path.parent / f"{origin.path.name}-runner{n}"
    runner = Scenario.init(dest, clock=origin.clock, identity=origin.identity, home=origin.home)
    runner.git("remote", "add", "origin", origin.path.resolve().as_uri())
    args = ["fetch", "-q", "--no-tags" if depth else "--tags"]
    if depth:
        args += ["--depth", str(depth)]
    runner.git(*args, "origin", *refspecs)
    runner.detach(detach)
    return runner


def pull_request_checkout(
    origin: Scenario, head: str, base: str = "main", *, number: int = 7, depth: int | None = None
) -> PullRequest:
    """GitHub's merge of ``head`` into ``base`` as ``refs/pull/N/merge``, fetched as actions/checkout
    does (``depth`` None: ``fetch-depth: 0``, every branch and tag too)."""
    current = origin.current_branch()
    head_sha, base_sha = origin.rev(head), origin.rev(base)
    origin.detach(base_sha)
    merge_sha = origin.merge(head_sha, message=f"Merge {head_sha} into {base_sha}")
    origin.git("update-ref", f"refs/pull/{number}/merge", merge_sha)
    origin.git("update-ref", f"refs/pull/{number}/head", head_sha)
    if current is not None:
        origin.checkout(current)
    pull_ref = f"+refs/pull/{number}/merge:refs/remotes/pull/{number}/merge"
    refspecs = [pull_ref] if depth else ["+refs/heads/*:refs/remotes/origin/*", pull_ref]
    runner = runner_checkout(origin, refspecs, depth=depth, detach=f"refs/remotes/pull/{number}/merge")
    return PullRequest(runner, number, head, base, head_sha, base_sha, merge_sha)


def actions_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    event: str,
    payload: Mapping[str, Any],
    extra: Mapping[str, str] | None = None,
) -> Path:
    """Set what the runner sets for ``event`` (the payload written to GITHUB_EVENT_PATH); return that file."""
    path = tmp_path / f"event-{event}.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    values = {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": "octo/app",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_RUN_ID": "4242",
        **(extra or {}),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return path
