"""Read GitHub Actions workflows (``.github/workflows/*.yml``) at a commit, with PyYAML.

Only what ``ci-trigger`` judges is kept: the ``on.push`` filters and each job's steps. A
file that is not valid YAML, or not a mapping, becomes a :class:`WorkflowFile` with an
``error``, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pygit2
import yaml

from hotfix_lint.collect.git.repository import MISSING
from hotfix_lint.facts.workflows import (
    WORKFLOWS_DIR,
    PushTrigger,
    WorkflowFile,
    WorkflowJob,
    WorkflowsFact,
    WorkflowStep,
)

#: a workflow file larger than this is not parsed (GitHub itself refuses huge files)
MAX_WORKFLOW_BYTES = 512 * 1024
#: values in one workflow once YAML aliases are expanded: anchors are allowed in workflows,
#: but aliases of aliases ("billion laughs") would make turning a step into text exponential
MAX_WORKFLOW_VALUES = 100_000


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded; each node is counted
    once (``sizes`` remembers), and a recursive alias counts as large."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_WORKFLOW_VALUES + 1  # reached again while being counted: a cycle
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, sizes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    else:
        size = 1
    sizes[id(node)] = min(size, MAX_WORKFLOW_VALUES + 1)
    return sizes[id(node)]


def _load_bounded(text: str) -> Any:
    """``yaml.safe_load`` of ``text``, refused (ValueError) when aliases expand it past
    :data:`MAX_WORKFLOW_VALUES` values."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return None
    if _expanded_size(node, {}) > MAX_WORKFLOW_VALUES:
        raise ValueError(f"more than {MAX_WORKFLOW_VALUES} values once YAML aliases are expanded")
    return yaml.SafeLoader(text).construct_document(node)


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value if v is not None)
    return ()


def push_trigger(on: Any) -> PushTrigger | None:
    """The push trigger of a workflow's ``on:`` value; ``None`` when pushes do not start it."""
    if isinstance(on, str):
        return PushTrigger() if on == "push" else None
    if isinstance(on, list):
        return PushTrigger() if "push" in on else None
    if not isinstance(on, Mapping) or "push" not in on:
        return None
    push = on["push"]
    if not isinstance(push, Mapping):
        return PushTrigger()
    branches = _strings(push.get("branches"))
    ignore = _strings(push.get("branches-ignore"))
    has_tags = "tags" in push or "tags-ignore" in push
    return PushTrigger(
        branches=branches,
        branches_ignore=ignore,
        tags_only=has_tags and branches is None and ignore is None,
        has_path_filter="paths" in push or "paths-ignore" in push,
    )


def _jobs(data: Mapping[Any, Any]) -> tuple[WorkflowJob, ...]:
    jobs = data.get("jobs")
    if not isinstance(jobs, Mapping):
        return ()
    out: list[WorkflowJob] = []
    for job_id, job in jobs.items():
        if not isinstance(job, Mapping):
            continue
        steps: list[WorkflowStep] = []
        raw_steps = job.get("steps")
        for step in raw_steps if isinstance(raw_steps, list) else []:
            if not isinstance(step, Mapping):
                continue
            run, uses, name = step.get("run"), step.get("uses"), step.get("name")
            steps.append(
                WorkflowStep(
                    name=str(name) if name is not None else None,
                    run=str(run) if run is not None else None,
                    uses=str(uses) if uses is not None else None,
                )
            )
        uses = job.get("uses")
        out.append(WorkflowJob(str(job_id), tuple(steps), str(uses) if uses is not None else None))
    return tuple(out)


def parse_workflow(path: str, text: str) -> WorkflowFile:
    """One workflow file's push trigger and jobs; ``error`` says why it could not be read."""
    try:
        data = _load_bounded(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        return WorkflowFile(path, error=f"not valid YAML{where}")
    except (RecursionError, ValueError, TypeError) as exc:  # pathological input PyYAML does not wrap
        reason = str(exc) if isinstance(exc, ValueError) and "aliases" in str(exc) else type(exc).__name__
        return WorkflowFile(path, error=f"not readable as YAML ({reason})")
    if not isinstance(data, Mapping):
        return WorkflowFile(path, error="not a mapping of workflow keys")
    # YAML 1.1 reads the key `on` as the boolean true
    on = data["on"] if "on" in data else data.get(True)
    if on is None:
        return WorkflowFile(path, error="no `on:` key: nothing triggers it")
    name = data.get("name")
    return WorkflowFile(path, str(name) if name is not None else None, push_trigger(on), _jobs(data))


def read_workflows(repo: pygit2.Repository, ref: str, commit: str) -> WorkflowsFact:
    """Every ``*.yml``/``*.yaml`` file directly in ``.github/workflows`` at ``commit``."""
    try:
        tree = repo[commit].peel(pygit2.Tree)
    except MISSING:
        return WorkflowsFact(ref, commit, missing_object=commit)
    try:
        folder = tree[WORKFLOWS_DIR]
    except KeyError:
        return WorkflowsFact(ref, commit)
    if folder.type_str != "tree":
        return WorkflowsFact(ref, commit)
    files: list[WorkflowFile] = []
    try:
        entries = sorted(repo[folder.id].peel(pygit2.Tree), key=lambda e: e.name or "")
    except MISSING:
        return WorkflowsFact(ref, commit, missing_object=str(folder.id))
    for entry in entries:
        if entry.type_str != "blob" or not entry.name or not entry.name.endswith((".yml", ".yaml")):
            continue
        path = f"{WORKFLOWS_DIR}/{entry.name}"
        try:
            blob = repo[entry.id]
        except MISSING:
            files.append(WorkflowFile(path, error=f"object {entry.id} is missing from this clone"))
            continue
        if not isinstance(blob, pygit2.Blob) or blob.size > MAX_WORKFLOW_BYTES:
            files.append(WorkflowFile(path, error="too large to read"))
            continue
        files.append(parse_workflow(path, blob.data.decode("utf-8", errors="replace")))
    return WorkflowsFact(ref, commit, tuple(files))
