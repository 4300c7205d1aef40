"""A policy file read as safe YAML 1.2 with the position of every key and value, within
bounds: its size, its depth and the values its aliases expand to ("billion laughs")."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from hotfix_lint.policy.problems import KeyPath, Mark, PolicyDoc, Problems, describe_value

try:  # libyaml when available: faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_BOOL_TAG = "tag:yaml.org,2002:bool"


class _PolicyLoader(_BaseLoader):
    """Safe YAML with YAML 1.2 booleans: only true/false, so ``back-merge: off`` stays the text 'off'."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


_PolicyLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_MAX_DEPTH = 64
#: a policy is a few KB; past this the file is refused before it is parsed
MAX_POLICY_BYTES = 1024 * 1024
#: values in one file once YAML aliases are expanded (a policy has a few hundred): bounds the
#: work of validating and merging a file whose aliases repeat aliases ("billion laughs")
MAX_POLICY_VALUES = 50_000
#: problems listed at most (a file of 50,000 wrong values is not 50,000 lines of output)


def _mark(display: str, yaml_mark: Any) -> Mark:
    return Mark(display, int(yaml_mark.line) + 1, int(yaml_mark.column) + 1)


def read_policy_text(path: Path, display: str, problems: Problems, order: int) -> str | None:
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_POLICY_BYTES + 1)
    except FileNotFoundError:
        problems.add(order, None, (), "no such policy file", file=display)
        return None
    except IsADirectoryError:
        problems.add(order, None, (), "is a directory, not a policy file", file=display)
        return None
    except OSError as exc:
        problems.add(order, None, (), f"cannot read the policy file: {exc.strerror or exc}", file=display)
        return None
    if len(raw) > MAX_POLICY_BYTES:
        problems.add(
            order,
            Mark(display, 1, 1),
            (),
            f"the policy file is larger than {MAX_POLICY_BYTES // 1024} KiB; a policy is a few KB",
        )
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add(
            order,
            Mark(display, line, column),
            (),
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the policy file as UTF-8",
            kind="not UTF-8 text",
        )
        return None


class _TooManyValues(Exception):
    """The file expands to more than :data:`MAX_POLICY_VALUES` values: stop converting it."""


class _Converter:
    """Turn a composed YAML node tree into plain data, recording positions and duplicates.

    A node reached again through an alias is converted once and its value shared, and every
    value counts as often as it appears once aliases are expanded: past
    :data:`MAX_POLICY_VALUES` the file is refused, so nested aliases cannot blow up the work.
    """

    def __init__(self, doc: PolicyDoc, loader: _PolicyLoader, problems: Problems) -> None:
        self.doc = doc
        self.loader = loader
        self.problems = problems
        self.flattened: dict[int, int] = {}  # id(mapping node) -> number of entries from merge keys
        self.shared: dict[int, tuple[Any, int]] = {}  # id(collection node) -> (its value, values it holds)
        self.merge_sizes: dict[int, int] = {}  # id(mapping node) -> entries once merge keys are applied
        self.values = 0

    def problem(self, node: yaml.Node, path: KeyPath, message: str, kind: str = "") -> None:
        self.problems.add(self.doc.order, _mark(self.doc.display, node.start_mark), path, message, kind=kind)

    def count(self, node: yaml.Node, path: KeyPath, values: int) -> None:
        self.values += values
        if self.values > MAX_POLICY_VALUES:
            self.problem(
                node,
                path,
                f"more than {MAX_POLICY_VALUES} values once YAML aliases are expanded (aliases of aliases?); "
                "a policy has a few hundred",
            )
            raise _TooManyValues

    def convert(self, node: yaml.Node, path: KeyPath, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            self.problem(node, path, "nested too deeply (a recursive YAML alias?)")
            return None
        self.doc.marks.setdefault(path, _mark(self.doc.display, node.start_mark))
        known = self.shared.get(id(node))
        if known is not None:  # an alias of a node converted already
            self.count(node, path, known[1])
            return known[0]
        before = self.values
        self.count(node, path, 1)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            value: Any = self.mapping(node, path, depth)
        elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            value = [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        else:
            message = f"unsupported YAML tag {node.tag}; write plain YAML values"
            self.problem(node, path, message, "unsupported YAML tag")
            return None
        self.shared[id(node)] = (value, self.values - before)
        return value

    def merged_size(self, node: yaml.MappingNode, depth: int = 0) -> int:
        """How many entries ``node`` has once its merge keys (``<<``) are applied, counted
        without applying them (PyYAML would copy every merged entry, level after level)."""
        if id(node) in self.merge_sizes or depth > _MAX_DEPTH:
            return self.merge_sizes.get(id(node), 0)
        size = 0
        for key, value in node.value:
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            if key.tag == _MERGE_TAG:
                size += sum(self.merged_size(m, depth + 1) for m in merged if isinstance(m, yaml.MappingNode))
            else:
                size += 1
            if size > MAX_POLICY_VALUES:
                break
        self.merge_sizes[id(node)] = size
        return size

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            self.problem(node, path, f"{problem}; write plain YAML values", "invalid value")
            return None
        except ValueError:  # a timestamp-looking scalar that is no date, such as 2024-13-01
            return node.value
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()  # JSON Schema has no dates; model reads ISO text
        if node.tag in _NUMBER_TAGS and not node.style and _is_commit_like_path(path):
            return node.value  # `commit: 1234567` is a sha prefix, not a number
        if node.value == "" and node.tag == "tag:yaml.org,2002:null" and len(path) > 0:
            # an empty value: point at its key rather than at the end of the line
            key_mark = self.doc.key_marks.get(path)
            if key_mark is not None:
                self.doc.marks[path] = key_mark
        return value

    def mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        if id(node) not in self.flattened:
            own = sum(1 for key, _ in node.value if key.tag != _MERGE_TAG)
            self.count(node, path, max(0, self.merged_size(node) - own))
            try:
                self.loader.flatten_mapping(node)
            except yaml.YAMLError as exc:
                self.problem(
                    node, path, f"invalid merge key (<<): {getattr(exc, 'problem', exc)}", "invalid merge key (<<)"
                )
                node.value = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
            self.flattened[id(node)] = max(0, len(node.value) - own)
        merged = self.flattened[id(node)]
        result: dict[str, Any] = {}
        own_keys: dict[str, Mark] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            key_mark = _mark(self.doc.display, key_node.start_mark)
            key: Any = None
            if not isinstance(key_node, yaml.ScalarNode):  # never built: it could be an alias bomb
                shown = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
                what = f"key is {shown}, not text"
            else:
                try:
                    key = self.loader.construct_object(key_node, deep=True)
                except (yaml.YAMLError, ValueError):
                    key = getattr(key_node, "value", None)
                what = f"key {'null' if key is None else repr(key)} is not text"
            if not isinstance(key, str):
                self.problems.add(
                    self.doc.order,
                    key_mark,
                    path,
                    f"{what}; keys are names such as rules",
                    kind="a key is not text",
                )
                continue
            key_path = (*path, key)
            if index >= merged:
                if key in own_keys:
                    first = own_keys[key]
                    self.problems.add(
                        self.doc.order,
                        key_mark,
                        key_path,
                        f"duplicate key (first at line {first.line}, column {first.column}); give each key once",
                        kind="duplicate key",
                    )
                own_keys[key] = key_mark
            self.doc.key_marks[key_path] = key_mark
            before = result.get(key)
            self.doc.marks.pop(key_path, None)  # a later duplicate or override wins
            value = self.convert(value_node, key_path, depth + 1)
            if isinstance(before, dict) and isinstance(value, dict):
                value = {**before, **value}  # a duplicated section: check what both say
            result[key] = value
        return result


def _is_commit_like_path(path: KeyPath) -> bool:
    return path == ("since",) or (len(path) == 3 and path[0] == "exceptions" and path[2] == "commit")


def parse_document(doc: PolicyDoc, problems: Problems) -> None:
    """Fill ``doc.data`` from ``doc.text``; syntax errors and odd shapes become problems."""
    display = doc.display
    try:
        loader = _PolicyLoader(doc.text)
        try:
            node = loader.get_single_node()
            if node is None:
                problems.add(
                    doc.order,
                    Mark(display, 1, 1),
                    (),
                    "the policy file is empty; expected a mapping of policy keys such as 'extends: default'",
                )
                return
            try:
                data = _Converter(doc, loader, problems).convert(node, ())
            except _TooManyValues:
                return
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        text = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem:
            where = exc.context_mark
            at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
            text = f"{exc.problem} ({exc.context}{at})"
        place = _mark(display, mark) if mark else Mark(display, 1, 1)
        problems.add(doc.order, place, (), f"invalid YAML: {text}", kind="invalid YAML")
        return
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = int(getattr(exc, "position", 0) or 0)
        line = doc.text.count("\n", 0, position) + 1
        column = position - (doc.text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "reason", None) or str(exc)
        character = getattr(exc, "character", None)
        shown = f" (#x{character:04x})" if isinstance(character, int) else ""
        problems.add(doc.order, Mark(display, line, column), (), f"invalid YAML: {reason}{shown}", kind="invalid YAML")
        return
    if not isinstance(data, dict):
        kind = describe_value(data)
        problems.add(
            doc.order,
            doc.mark(()),
            (),
            f"the policy must be a mapping of keys such as 'production: main', got {kind}",
            kind="the policy is not a mapping of keys such as 'production: main'",
        )
        return
    doc.data = data
