"""Where a CI run stands: the pull request, push or merge group a GitHub Actions job runs for.

GitHub Actions names the event in ``GITHUB_EVENT_NAME`` and writes its payload to the file
named by ``GITHUB_EVENT_PATH``. For a pull request, ``actions/checkout`` leaves HEAD detached
at ``refs/pull/N/merge`` (a merge of the head into the base that nobody made), so the branch
under check is not HEAD: it is the pull request's head branch at ``pull_request.head.sha``
(the merge commit's second parent), judged against its base branch. A ``merge_group`` (merge
queue) checks the queue's commit as a push onto its base; a ``push`` names the branch pushed.

Other CI systems set ``CI=true`` and name the branch and the base with ``--branch`` and
``--base`` (GitLab's ``CI_DEFAULT_BRANCH`` names the default branch). The environment is
always passed in (tests pass their own); the event file is the only thing read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotfix_lint.errors import UserError
from hotfix_lint.facts.merge_message import parse_merge_message

GITHUB_ACTIONS = "github-actions"
OTHER_CI = "ci"
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
MERGE_GROUP = "merge_group"
PUSH = "push"
SCHEDULE = "schedule"
_ZERO_SHA = re.compile(r"^0+$")
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_MERGE_REF = re.compile(r"^refs/pull/(\d+)/merge$")
_QUEUE_REF = re.compile(r"^(?:refs/heads/)?gh-readonly-queue/(?P<base>.+)/pr-(?P<number>\d+)-[0-9a-f]+$")
_TRUE = ("true", "1", "yes")


@dataclass(frozen=True)
class CIContext:
    """What the CI run is for. ``provider``: ``github-actions``, or ``ci`` for another system
    (which says nothing more: ``--branch`` and ``--base`` do).

    ``head_branch`` is the branch under check (a pull request's head, the branch pushed, the
    pull request a merge group carries when its merge message names it); ``head_sha`` the
    commit to judge under that name; ``base_branch``/``base_sha`` the production line it goes
    into; ``before_sha`` what a pushed branch was before (None when new).
    ``is_merge_checkout``: HEAD is GitHub's ``refs/pull/N/merge``, not the head branch.
    """

    provider: str
    event: str | None = None
    head_branch: str | None = None
    base_branch: str | None = None
    pr_number: int | None = None
    head_sha: str | None = None
    base_sha: str | None = None
    is_merge_checkout: bool = False
    before_sha: str | None = None
    ref: str | None = None
    repository: str | None = None
    api_url: str | None = None
    server_url: str | None = None
    run_id: str | None = None
    pr_commits: int | None = None
    head_repo: str | None = None
    base_repo: str | None = None
    default_branch: str | None = None

    @property
    def is_fork(self) -> bool:
        """The pull request's head lives in another repository (a fork): its branch names say
        nothing about this repository's branches."""
        return bool(self.head_repo and self.base_repo and self.head_repo.lower() != self.base_repo.lower())

    @property
    def is_pull_request(self) -> bool:
        return self.event in PULL_REQUEST_EVENTS

    @property
    def is_merge_group(self) -> bool:
        return self.event == MERGE_GROUP

    @property
    def is_push(self) -> bool:
        return self.event == PUSH

    @property
    def run_url(self) -> str | None:
        """The Actions run's page (for a status's target URL), when the environment names it."""
        if self.server_url and self.repository and self.run_id:
            return f"{self.server_url.rstrip('/')}/{self.repository}/actions/runs/{self.run_id}"
        return None

    def describe(self) -> str:
        """One line for the report's notes: what the run is for."""
        if self.provider != GITHUB_ACTIONS:
            return "CI run (CI is set): the branch and base come from --branch and --base"
        if self.is_pull_request:
            return (
                f"GitHub Actions {self.event} #{self.pr_number}: {self.head_branch} into {self.base_branch}"
                + (f" (head {self.head_sha[:10]})" if self.head_sha else "")
            )
        if self.is_merge_group:
            carried = f" carrying {self.head_branch}" if self.head_branch else ""
            number = f" (pull request #{self.pr_number})" if self.pr_number else ""
            return f"GitHub Actions merge group into {self.base_branch}{carried}{number}"
        if self.is_push:
            target = self.head_branch or self.ref or "?"
            return f"GitHub Actions push to {target}" + (f" ({self.head_sha[:10]})" if self.head_sha else "")
        return f"GitHub Actions {self.event or 'run'}"


def is_ci(environ: Mapping[str, str]) -> bool:
    """A CI job: GitHub Actions, or any system that sets ``CI`` (GitLab, CircleCI, Buildkite, ...)."""
    return environ.get("GITHUB_ACTIONS") == "true" or environ.get("CI", "").strip().lower() in _TRUE


def read_ci_context(environ: Mapping[str, str]) -> CIContext | None:
    """The CI context of this run, or ``None`` when not in CI. Reads the Actions event file."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return CIContext(OTHER_CI, default_branch=_text(environ.get("CI_DEFAULT_BRANCH"))) if is_ci(environ) else None
    event = environ.get("GITHUB_EVENT_NAME") or None
    payload: Mapping[str, Any] = {}
    path = environ.get("GITHUB_EVENT_PATH")
    if path:
        try:
            with open(path, encoding="utf-8") as stream:
                loaded = json.load(stream)
        except OSError as exc:
            raise UserError(f"GITHUB_EVENT_PATH {path}: cannot read the event file: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise UserError(f"GITHUB_EVENT_PATH {path}: the event file is not JSON ({exc})") from exc
        if not isinstance(loaded, Mapping):
            raise UserError(f"GITHUB_EVENT_PATH {path}: expected a JSON object, got {type(loaded).__name__}")
        payload = loaded
    elif event in (*PULL_REQUEST_EVENTS, MERGE_GROUP):
        raise UserError(f"GitHub Actions {event} event without GITHUB_EVENT_PATH: the pull request is unknown")
    return context_from_event(event, payload, environ)


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _sha(value: Any, what: str) -> str | None:
    text = _text(value)
    if text is None or _ZERO_SHA.match(text):
        return None
    text = text.lower()
    if not _SHA.match(text):
        raise UserError(f"the GitHub Actions event gives {what} as {text[:80]!r}, which is not a commit id")
    return text


def _branch(ref: str | None) -> str | None:
    """``refs/heads/x`` -> ``x``; other refs (tags, pull refs) -> None; a bare name stays."""
    if ref is None:
        return None
    if ref.startswith("refs/heads/"):
        return ref[len("refs/heads/") :] or None
    if ref.startswith("refs/"):
        return None
    return ref


def context_from_event(event: str | None, payload: Mapping[str, Any], environ: Mapping[str, str]) -> CIContext:
    """The :class:`CIContext` of a GitHub Actions run from its event name, payload and environment."""
    common: dict[str, Any] = {
        "provider": GITHUB_ACTIONS,
        "event": event,
        "ref": _text(environ.get("GITHUB_REF")),
        "repository": _text(environ.get("GITHUB_REPOSITORY")),
        "api_url": _text(environ.get("GITHUB_API_URL")),
        "server_url": _text(environ.get("GITHUB_SERVER_URL")),
        "run_id": _text(environ.get("GITHUB_RUN_ID")),
        "default_branch": _text(_get(payload, "repository", "default_branch")),
    }
    if event in PULL_REQUEST_EVENTS:
        pull = _get(payload, "pull_request")
        number = _get(pull, "number") or _get(payload, "number")
        head = _text(_get(pull, "head", "ref")) or _text(environ.get("GITHUB_HEAD_REF"))
        base = _text(_get(pull, "base", "ref")) or _text(environ.get("GITHUB_BASE_REF"))
        if head is None or base is None:
            raise UserError(
                f"GitHub Actions {event} event: the pull request's head and base branches are unknown "
                "(neither the event file nor GITHUB_HEAD_REF / GITHUB_BASE_REF names them)"
            )
        merge_ref = _MERGE_REF.match(common["ref"] or "")
        commits = _get(pull, "commits")
        return CIContext(
            **common,
            head_branch=head,
            base_branch=base,
            pr_number=int(number) if isinstance(number, int) else None,
            head_sha=_sha(_get(pull, "head", "sha"), "pull_request.head.sha"),
            base_sha=_sha(_get(pull, "base", "sha"), "pull_request.base.sha"),
            is_merge_checkout=event == "pull_request" and merge_ref is not None,
            pr_commits=commits if isinstance(commits, int) else None,
            head_repo=_text(_get(pull, "head", "repo", "full_name")),
            base_repo=_text(_get(pull, "base", "repo", "full_name")) or common["repository"],
        )
    if event == MERGE_GROUP:
        group = _get(payload, "merge_group")
        head_ref = _text(_get(group, "head_ref")) or common["ref"] or ""
        queue = _QUEUE_REF.match(head_ref)
        base = _branch(_text(_get(group, "base_ref"))) or (queue["base"] if queue else None)
        if base is None:
            raise UserError("GitHub Actions merge_group event: the base branch is unknown (no merge_group.base_ref)")
        message = _text(_get(group, "head_commit", "message"))
        carried = parse_merge_message(message).source if message else None
        return CIContext(
            **common,
            head_branch=carried,
            base_branch=base,
            pr_number=int(queue["number"]) if queue else None,
            head_sha=_sha(_get(group, "head_sha"), "merge_group.head_sha")
            or _sha(environ.get("GITHUB_SHA"), "GITHUB_SHA"),
            base_sha=_sha(_get(group, "base_sha"), "merge_group.base_sha"),
        )
    if event == PUSH:
        ref = _text(_get(payload, "ref")) or common["ref"]
        return CIContext(
            **{**common, "ref": ref},
            head_branch=_branch(ref),
            head_sha=_sha(_get(payload, "after"), "after") or _sha(environ.get("GITHUB_SHA"), "GITHUB_SHA"),
            before_sha=_sha(_get(payload, "before"), "before"),
        )
    if event == SCHEDULE and common["default_branch"] is None:
        common["default_branch"] = _branch(common["ref"])  # a schedule runs on the default branch
    return CIContext(**common, head_sha=_sha(environ.get("GITHUB_SHA"), "GITHUB_SHA"))
