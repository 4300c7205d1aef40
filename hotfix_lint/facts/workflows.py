"""GitHub Actions workflows as read from ``.github/workflows``, and GitHub's branch filters.

The collector turns each workflow file into a :class:`WorkflowFile` (what triggers it on a
push, what its jobs run); :func:`filter_matches` applies ``on.push.branches`` patterns the
way GitHub does, so a rule can ask "does a push of ``hotfix-v1.2.1`` start this workflow?"
without any I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORKFLOWS_DIR = ".github/workflows"


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """GitHub's filter pattern syntax as an anchored regular expression.

    ``*`` any characters but ``/``; ``**`` any characters; ``?`` zero or one and ``+`` one or
    more of the preceding character; ``[a-z0-9]`` one character of a set; ``\\`` escapes.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char in "?+" and out and not out[-1].endswith(("?", "+")):
            out.append(char)
        elif char == "[":
            end = pattern.find("]", i + 1)
            body = pattern[i + 1 : end] if end > i else ""
            if body and re.fullmatch(r"[A-Za-z0-9-]+", body):
                out.append(f"[{body}]")
                i = end + 1
                continue
            out.append(re.escape(char))
        else:
            out.append(re.escape(char))
        i += 1
    try:
        return re.compile("".join(out))
    except re.error:  # pragma: no cover - every piece above is a valid regex
        return re.compile(re.escape(pattern))


def glob_matches(pattern: str, name: str) -> bool:
    """Does one GitHub filter pattern (without a leading ``!``) match ``name``?"""
    return _glob_regex(pattern).fullmatch(name) is not None


def filter_matches(patterns: tuple[str, ...], name: str) -> bool:
    """GitHub's ordered filter: a later ``!pattern`` excludes, a later pattern includes again."""
    matched = False
    for pattern in patterns:
        if pattern.startswith("!"):
            if matched and glob_matches(pattern[1:], name):
                matched = False
        elif glob_matches(pattern, name):
            matched = True
    return matched


@dataclass(frozen=True, slots=True)
class PushTrigger:
    """``on.push`` of a workflow: its branch filters (``None``: not given)."""

    branches: tuple[str, ...] | None = None
    branches_ignore: tuple[str, ...] | None = None
    #: only ``tags``/``tags-ignore`` given: GitHub then runs it for tag pushes only
    tags_only: bool = False
    #: ``paths``/``paths-ignore`` given: it runs only when matching files change
    has_path_filter: bool = False

    def runs_for(self, branch: str) -> bool:
        """Does a push of ``branch`` start the workflow (path filters aside)?"""
        if self.tags_only:
            return False
        if self.branches is not None:
            return filter_matches(self.branches, branch)
        if self.branches_ignore is not None:
            return not filter_matches(self.branches_ignore, branch)
        return True

    def describe(self) -> str:
        if self.tags_only:
            return "tag pushes only"
        if self.branches is not None:
            return "pushes of " + ", ".join(self.branches)
        if self.branches_ignore is not None:
            return "pushes of every branch but " + ", ".join(self.branches_ignore)
        return "pushes of every branch"


@dataclass(frozen=True, slots=True)
class WorkflowStep:
    """One step: the command it runs or the action it uses."""

    name: str | None = None
    run: str | None = None
    uses: str | None = None


@dataclass(frozen=True, slots=True)
class WorkflowJob:
    """One job: its steps, or the reusable workflow it calls (``uses:`` at job level)."""

    id: str
    steps: tuple[WorkflowStep, ...] = ()
    uses: str | None = None


@dataclass(frozen=True, slots=True)
class WorkflowFile:
    """One workflow file; ``error`` when it could not be read as a workflow."""

    path: str
    name: str | None = None
    push: PushTrigger | None = None
    jobs: tuple[WorkflowJob, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class WorkflowsFact:
    """The workflows at one commit (a production branch's tip, or the branch under check)."""

    ref: str
    commit: str
    files: tuple[WorkflowFile, ...] = ()
    missing_object: str | None = None

    def file(self, path: str) -> WorkflowFile | None:
        for workflow in self.files:
            if workflow.path == path:
                return workflow
        return None
