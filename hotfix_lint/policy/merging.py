"""The files of a chain merged into one policy, later over earlier (``rules`` per rule, a
rule's settings per key), their positions following the values that win; eras merged over it."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hotfix_lint.policy.problems import KeyPath, Mark, PolicyDoc

WHERE_KEY = "__where__"


def _drop_marks(marks: dict[KeyPath, Mark], prefix: KeyPath) -> None:
    for path in [p for p in marks if p[: len(prefix)] == prefix]:
        del marks[path]


def _copy_marks(dst: dict[KeyPath, Mark], src: Mapping[KeyPath, Mark], prefix: KeyPath) -> None:
    for path, mark in src.items():
        if path[: len(prefix)] == prefix:
            dst[path] = mark


def _as_rule_mapping(setting: Any) -> dict[str, Any]:
    return {"severity": setting} if isinstance(setting, str) else dict(setting)


def merge_document(merged: dict[str, Any], marks: dict[KeyPath, Mark], doc: PolicyDoc, data: Mapping[str, Any]) -> None:
    """Apply ``data`` (one file) over ``merged``; ``marks`` follow the values that win."""
    for key, value in data.items():
        if key == "extends":
            continue
        path: KeyPath = (key,)
        old = merged.get(key)
        if key == "rules" and isinstance(old, dict) and isinstance(value, dict):
            marks[path] = doc.mark(path)
            for rule_id, setting in value.items():
                rule_path: KeyPath = (key, rule_id)
                before = old.get(rule_id)
                if (
                    isinstance(before, (dict, str))
                    and isinstance(setting, (dict, str))
                    and (isinstance(before, dict) or isinstance(setting, dict))
                ):
                    combined = _as_rule_mapping(before)
                    if isinstance(before, str):
                        severity_path: KeyPath = (*rule_path, "severity")
                        marks[severity_path] = marks.get(rule_path, doc.mark(rule_path))
                    for name, option in _as_rule_mapping(setting).items():
                        option_path: KeyPath = (*rule_path, name)
                        combined[name] = copy.deepcopy(option)
                        _drop_marks(marks, option_path)
                        if isinstance(setting, str):
                            marks[option_path] = doc.mark(rule_path)
                        else:
                            _copy_marks(marks, doc.marks, option_path)
                    old[rule_id] = combined
                    marks[rule_path] = doc.mark(rule_path)
                else:
                    old[rule_id] = copy.deepcopy(setting)
                    _drop_marks(marks, rule_path)
                    _copy_marks(marks, doc.marks, rule_path)
            continue
        merged[key] = copy.deepcopy(value)
        _drop_marks(marks, path)
        _copy_marks(marks, doc.marks, path)


def add_waiver_places(data: dict[str, Any], marks: Mapping[KeyPath, Mark]) -> None:
    """Give each waiver its ``__where__`` (``file:line``) for the engine's messages."""
    waivers = data.get("exceptions")
    if not isinstance(waivers, list):
        return
    for index, waiver in enumerate(waivers):
        mark = marks.get(("exceptions", index))
        if isinstance(waiver, dict) and mark is not None:
            waiver[WHERE_KEY] = f"{mark.file}:{mark.line}"


def era_settings(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark]
) -> list[tuple[dict[str, Any], dict[KeyPath, Mark]]]:
    """Each era's whole settings: the file's (but its ``since`` and ``until``) with the era's keys
    applied over them as a later file of the chain would be (``rules`` per rule), with positions."""
    eras = merged.get("eras")
    if not isinstance(eras, list):
        return []
    out: list[tuple[dict[str, Any], dict[KeyPath, Mark]]] = []
    for index, era in enumerate(eras):
        if not isinstance(era, Mapping):
            continue
        data = {k: copy.deepcopy(v) for k, v in merged.items() if k not in ("eras", "since", "until")}
        era_marks = {p: m for p, m in marks.items() if p[:1] != ("eras",)}
        own = {p[2:]: m for p, m in marks.items() if p[:2] == ("eras", index) and len(p) > 2}
        at = marks.get(("eras", index), Mark("", 1, 1))
        doc = PolicyDoc(Path(at.file), at.file, 0, marks=own)
        merge_document(data, era_marks, doc, era)
        out.append((data, era_marks))
    return out
