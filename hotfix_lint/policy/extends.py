"""The ``extends`` chain of a policy: each file it names (a built-in pack or a path), read once
in merge order, bases first; an extends cycle, a missing file or (untrusted) a path is a problem."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hotfix_lint.policy.packs import canonical_name, is_pack, pack_names, pack_path, unknown_pack_message
from hotfix_lint.policy.problems import KeyPath, PolicyDoc, Problems
from hotfix_lint.policy.yaml_reading import MAX_POLICY_BYTES, parse_document, read_policy_text


def is_path_reference(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml")) or value.startswith(".")


class PolicyChain:
    """The files of one policy in merge order (bases first), and the problems found reading them.

    ``untrusted``: the policy comes from a repository the reader does not control (the
    audit): ``extends`` may name built-in packs only (a path is refused, never read: it could
    name the auditor's files), and no problem quotes the file. Whatever the mode, an extended
    file's text is never quoted (only where the problem is and its kind).
    """

    def __init__(self, *, untrusted: bool = False) -> None:
        self.untrusted = untrusted
        self.problems = Problems()
        self.problems.quote_none = untrusted
        self.docs: list[PolicyDoc] = []  # merge order
        self.seen: dict[str, PolicyDoc] = {}
        self.packs: list[str] = []  # built-in packs, in the order they are named
        self.count = 0

    def load(self, path: Path, display: str, pack: str | None, stack: tuple[str, ...]) -> None:
        real = os.path.realpath(path)
        if real in self.seen:
            return
        doc = PolicyDoc(path=path, display=display, order=self.count, pack=pack)
        self.count += 1
        self.seen[real] = doc
        if doc.order > 0 and pack is None:
            self.problems.unquoted.add(doc.order)
        text = read_policy_text(path, display, self.problems, doc.order)
        if text is not None:
            doc.text = text
            parse_document(doc, self.problems)
        if doc.data is not None:
            for value, value_path in extends_entries(doc.data.get("extends")):
                self._load_base(doc, value, value_path, (*stack, real))
        self.docs.append(doc)

    def _load_base(self, doc: PolicyDoc, value: str, value_path: KeyPath, stack: tuple[str, ...]) -> None:
        mark = doc.mark(value_path)
        if is_path_reference(value) and self.untrusted:
            self.problems.add(
                doc.order,
                mark,
                value_path,
                f"a repository's policy may extend built-in packs only ({', '.join(pack_names())}); "
                "a path is not read here",
            )
            return
        if is_path_reference(value):
            target = Path(value).expanduser()
            display = str(target)
            if not target.is_absolute():
                target = doc.path.parent / target
                display = os.path.normpath(Path(doc.display).parent / value)
            if not target.is_file():
                what = "is not a file" if target.exists() else "no such file"
                self.problems.add(doc.order, mark, value_path, f"{what}: {display}", kind=f"extends: {what}")
                return
            pack = None
        else:
            if not is_pack(value):
                self.problems.add(
                    doc.order, mark, value_path, unknown_pack_message(value), kind="extends names no built-in pack"
                )
                return
            value = canonical_name(value)
            target = pack_path(value)
            display = str(target)
            pack = value
            if value not in self.packs:
                self.packs.append(value)
        real = os.path.realpath(target)
        if real in stack:
            names = [self.seen[r].display for r in stack[stack.index(real) :]]
            cycle = " -> ".join([*names, display])
            self.problems.add(doc.order, mark, value_path, f"extends cycle: {cycle}", kind="extends cycle")
            return
        self.load(target, display, pack, stack)


def extends_entries(value: Any) -> Iterator[tuple[str, KeyPath]]:
    if isinstance(value, str):
        yield value, ("extends",)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield item, ("extends", index)


def extends_named(text: bytes) -> list[str]:
    """The ``extends`` entries of a policy file's contents, read with the loader's bounds (none
    when the file is broken or too large: loading it says why)."""
    if len(text) > MAX_POLICY_BYTES:
        return []
    doc = PolicyDoc(path=Path(), display="", order=0, text=text.decode("utf-8-sig", errors="replace"))
    parse_document(doc, Problems())
    if doc.data is None:
        return []
    return [value for value, _ in extends_entries(doc.data.get("extends"))]
