"""Read a policy file and the policies it extends; report every mistake with its position.

Each file is parsed into plain data together with the line and column of every key and
value, validated on its own against the JSON Schema (so messages point into that file),
then merged with its bases and converted by :func:`hotfix_lint.policy.model.build_policy`.
Every problem of the whole chain is reported at once, as one :class:`PolicyError` whose
lines read ``FILE:LINE:COL: at KEY.PATH: what is wrong, what is expected``.

``extends`` and merging:

* ``extends`` is a built-in pack name (``default``) or a path (anything with a ``/`` or
  ending in ``.yaml``/``.yml``), relative to the extending file's directory; or a list of
  them. Bases are applied in order, then the extending file; a file reached twice (a
  diamond) is applied once, where it is first reached.
* Later files override earlier ones key by key at the top level. ``rules`` is merged per
  rule id, and a rule's settings key by key (``back-merge: warning`` over
  ``{severity: error, grace_days: 3}`` keeps ``grace_days``).
* Every other value is replaced as a whole: lists (``production``, ``release_branches``,
  ...), the ``integration`` and ``deployed_ref`` mappings (they describe one thing) and
  ``exceptions``: a file's waivers replace its bases' waivers, so that a team can drop a
  waiver it inherited; repeat the ones to keep.

YAML is read as safe YAML with YAML 1.2 booleans: only ``true``/``false`` are booleans, so
``changelog-entry: off`` means the severity ``off`` (YAML 1.1 would read ``off``, ``no`` and
``yes`` as booleans). A plain number where a commit is expected (``commit: 1234567``) is
read as the text it is.

Speed: jsonschema is imported only when a file must be validated. With ``cache_dir``, a
marker named after a hash of the tool version and the contents of every file in the chain
records that the chain was valid; when it exists, validation is skipped entirely.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import itertools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from hotfix_lint import __version__
from hotfix_lint.errors import PolicyError
from hotfix_lint.policy.model import Policy, build_policy
from hotfix_lint.policy.packs import canonical_name, is_pack, pack_names, pack_path, unknown_pack_message

KeyPath = tuple[str | int, ...]

POLICY_FILE_NAMES = (".hotfix-lint.yaml", ".hotfix-lint.yml")
DEFAULT_PACK = "default"
WHERE_KEY = "__where__"

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
MAX_PROBLEMS = 100


class Mark(NamedTuple):
    """A position in a policy file, 1-based."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One mistake in the chain; ``order`` is the file's rank in reading order (0: the policy).

    ``kind`` says what is wrong without a word of the file's text: what is shown for a file
    whose text must not be quoted (an extended file; every file of an audited repository).
    """

    order: int
    line: int
    column: int
    file: str
    path: KeyPath
    message: str
    kind: str = ""

    def sort_key(self) -> tuple[int, int, int, str, str]:
        return (self.order, self.line, self.column, format_path(self.path), self.message)

    def render(self, *, quote: bool = True) -> str:
        place = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        if not quote:
            return f"{place}: {self.kind or 'invalid policy'}"
        if self.path:
            return f"{place}: at {format_path(self.path)}: {self.message}"
        return f"{place}: {self.message}"


def format_path(path: KeyPath) -> str:
    """``("exceptions", 0, "reason")`` -> ``exceptions[0].reason``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass
class _Doc:
    """One policy file of the chain: its text, its data and where each key path is."""

    path: Path
    display: str
    order: int
    pack: str | None = None
    text: str = ""
    data: dict[str, Any] | None = None
    marks: dict[KeyPath, Mark] = field(default_factory=dict)  # value positions
    key_marks: dict[KeyPath, Mark] = field(default_factory=dict)  # mapping key positions

    def mark(self, path: KeyPath, *, key: bool = False) -> Mark:
        """The position of ``path`` (its key if asked and known), else of its nearest parent."""
        if key and path in self.key_marks:
            return self.key_marks[path]
        for n in range(len(path), -1, -1):
            found = self.marks.get(path[:n])
            if found is not None:
                return found
        return Mark(self.display, 1, 1)


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        #: files (by order) whose text is never quoted: only where and what kind of problem
        self.unquoted: set[int] = set()
        self.quote_none = False

    def add(
        self, order: int, mark: Mark | None, path: KeyPath, message: str, file: str = "", *, kind: str = ""
    ) -> None:
        kind = kind or message  # a message made of fixed words only is its own kind
        if mark is None:
            self.items.append(Problem(order, 0, 0, file, path, message, kind))
        else:
            self.items.append(Problem(order, mark.line, mark.column, mark.file, path, message, kind))

    def raise_if_any(self) -> None:
        if self.items:
            lines: dict[str, None] = {}
            for problem in sorted(self.items, key=Problem.sort_key):
                quote = not self.quote_none and problem.order not in self.unquoted
                lines.setdefault(problem.render(quote=quote), None)
            shown = list(lines)[:MAX_PROBLEMS]
            if len(lines) > MAX_PROBLEMS:
                shown.append(f"... and {len(lines) - MAX_PROBLEMS} more problems (fix the first ones, then look again)")
            raise PolicyError(shown, cut=len(lines) > MAX_PROBLEMS)


# --------------------------------------------------------------------------- reading + YAML


def _mark(display: str, yaml_mark: Any) -> Mark:
    return Mark(display, int(yaml_mark.line) + 1, int(yaml_mark.column) + 1)


def _read_text(path: Path, display: str, problems: _Problems, order: int) -> str | None:
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

    def __init__(self, doc: _Doc, loader: _PolicyLoader, problems: _Problems) -> None:
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


def _parse(doc: _Doc, problems: _Problems) -> None:
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
        kind = _describe_value(data)
        problems.add(
            doc.order,
            doc.mark(()),
            (),
            f"the policy must be a mapping of keys such as 'production: main', got {kind}",
            kind="the policy is not a mapping of keys such as 'production: main'",
        )
        return
    doc.data = data


# --------------------------------------------------------------------------- the extends chain


def _is_path_reference(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml")) or value.startswith(".")


class _Chain:
    """The files of one policy in merge order (bases first), and the problems found reading them.

    ``untrusted``: the policy comes from a repository the reader does not control (the
    audit): ``extends`` may name built-in packs only (a path is refused, never read: it could
    name the auditor's files), and no problem quotes the file. Whatever the mode, an extended
    file's text is never quoted (only where the problem is and its kind).
    """

    def __init__(self, *, untrusted: bool = False) -> None:
        self.untrusted = untrusted
        self.problems = _Problems()
        self.problems.quote_none = untrusted
        self.docs: list[_Doc] = []  # merge order
        self.seen: dict[str, _Doc] = {}
        self.packs: list[str] = []  # built-in packs, in the order they are named
        self.count = 0

    def load(self, path: Path, display: str, pack: str | None, stack: tuple[str, ...]) -> None:
        real = os.path.realpath(path)
        if real in self.seen:
            return
        doc = _Doc(path=path, display=display, order=self.count, pack=pack)
        self.count += 1
        self.seen[real] = doc
        if doc.order > 0 and pack is None:
            self.problems.unquoted.add(doc.order)
        text = _read_text(path, display, self.problems, doc.order)
        if text is not None:
            doc.text = text
            _parse(doc, self.problems)
        if doc.data is not None:
            for value, value_path in _extends_entries(doc.data.get("extends")):
                self._load_base(doc, value, value_path, (*stack, real))
        self.docs.append(doc)

    def _load_base(self, doc: _Doc, value: str, value_path: KeyPath, stack: tuple[str, ...]) -> None:
        mark = doc.mark(value_path)
        if _is_path_reference(value) and self.untrusted:
            self.problems.add(
                doc.order,
                mark,
                value_path,
                f"a repository's policy may extend built-in packs only ({', '.join(pack_names())}); "
                "a path is not read here",
            )
            return
        if _is_path_reference(value):
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


def _extends_entries(value: Any) -> Iterator[tuple[str, KeyPath]]:
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
    doc = _Doc(path=Path(), display="", order=0, text=text.decode("utf-8-sig", errors="replace"))
    _parse(doc, _Problems())
    if doc.data is None:
        return []
    return [value for value, _ in _extends_entries(doc.data.get("extends"))]


def _schema_stamp() -> str:
    """Size and mtime of the files the schema is built from (the rules' option schemas):
    a verdict cached by one build of the rules is not trusted by another, even at one version."""
    package = Path(__file__).resolve().parent.parent
    parts = []
    for folder in ("policy", "rules"):
        for source in sorted((package / folder).glob("*.py")):
            stat = source.stat()
            parts.append(f"{folder}/{source.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def _cache_key(docs: Sequence[_Doc]) -> str:
    digest = hashlib.sha256(f"hotfix-lint {__version__}\n{_schema_stamp()}\n".encode())
    for doc in docs:
        data = doc.text.encode("utf-8")
        digest.update(f"{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- validation


_TYPE_WORDS = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
}


def _describe_value(value: Any) -> str:
    if value is None:
        return "null (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _words(items: Sequence[str], last: str = "or") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib  # only when there is a mistake to explain

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_key(path: KeyPath, key: str, allowed: Sequence[str]) -> str:
    if path == ("rules",):
        hint = _did_you_mean(key, allowed)
        return f"unknown rule '{key}'" + (hint or f"; known rules: {', '.join(allowed)}")
    if len(path) == 2 and path[0] == "rules":
        hint = _did_you_mean(key, allowed)
        return f"unknown option of rule {path[1]}" + (hint or f"; it accepts: {', '.join(allowed)}")
    hint = _did_you_mean(key, allowed)
    return "unknown key" + (hint or f"; expected one of: {', '.join(allowed)}")


def _error_messages(error: Any) -> Iterator[tuple[KeyPath, str, bool]]:
    """Translate one jsonschema error into (key path, message, point at the key?) items."""
    from hotfix_lint.policy.schema import PATTERN_MESSAGES

    path: KeyPath = tuple(error.absolute_path)
    kind = error.validator
    value = error.validator_value
    instance = error.instance
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if kind == "additionalProperties" and isinstance(instance, Mapping):
        allowed = list(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                yield (*path, key), _unknown_key(path, str(key), allowed), True
    elif kind == "type":
        types = [value] if isinstance(value, str) else list(value)
        expected = _words([_TYPE_WORDS.get(t, t) for t in types])
        if len(path) == 2 and path[0] == "rules":
            expected = "a severity (error, warning or off) or a mapping {severity: ..., OPTION: VALUE}"
        yield path, f"expected {expected}, got {_describe_value(instance)}", False
    elif kind == "enum":
        choices = [str(c) for c in value]
        hint = _did_you_mean(instance, choices) if isinstance(instance, str) else ""
        shown = repr(instance) if isinstance(instance, str) else _describe_value(instance)
        yield path, f"{shown} is not one of {', '.join(choices)}{hint}", False
    elif kind == "required" and isinstance(instance, Mapping):
        properties = schema.get("properties", {})
        for key in value:
            if key not in instance:
                about = properties.get(key, {}).get("description")
                yield path, f"missing key '{key}'" + (f": {about}" if about else ""), False
    elif kind in ("oneOf", "anyOf") and all(isinstance(alt, Mapping) and set(alt) == {"required"} for alt in value):
        keys = [key for alt in value for key in alt["required"]]
        present = [key for key in keys if isinstance(instance, Mapping) and key in instance]
        quoted = [f"'{key}'" for key in keys]
        if kind == "oneOf" and len(present) > 1:
            yield path, f"give only one of {_words(quoted)}, not both", False
        else:
            yield path, f"missing {_words(quoted)}: give exactly one of them", False
    elif kind in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _error_messages(best_match(error.context))
    elif kind == "minLength":
        yield path, "must not be empty", False
    elif kind == "minItems":
        yield path, f"must have at least {value} item{'s' if value != 1 else ''}", False
    elif kind == "pattern":
        words = PATTERN_MESSAGES.get(value, f"expected text matching the regular expression {value}")
        got = f", got {_describe_value(instance)}" if isinstance(instance, str) and instance.strip() else ""
        yield path, words + got, False
    elif kind == "format" and value == "date":
        yield path, f"expected a calendar date YYYY-MM-DD, got {_describe_value(instance)}", False
    elif kind == "format" and value == "regex":
        try:
            re.compile(str(instance))
            reason = "invalid"
        except re.error as exc:
            reason = str(exc)
        yield path, f"{instance!r} is not a valid regular expression: {reason}", False
    elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }[kind]
        yield path, f"must be {words} {value}, got {_describe_value(instance)}", False
    else:
        yield path, str(error.message), False


_VALIDATOR: Any = None
_VALIDATOR_RULES: tuple[str, ...] = ()


def _validator() -> Any:
    """The compiled schema validator, built on first use (this is where jsonschema is imported)
    and again when the rules registered change (plugins read afresh)."""
    global _VALIDATOR, _VALIDATOR_RULES
    from hotfix_lint.rules.registry import all_rules

    rules = tuple(rule.id for rule in all_rules())
    if _VALIDATOR is None or rules != _VALIDATOR_RULES:
        import jsonschema

        from hotfix_lint.policy.schema import policy_schema

        _VALIDATOR = jsonschema.Draft202012Validator(
            policy_schema(), format_checker=jsonschema.FormatChecker(formats=("date", "regex"))
        )
        _VALIDATOR_RULES = rules
    return _VALIDATOR


#: what a schema complaint is, in words that quote nothing of the file
_KINDS = {
    "additionalProperties": "unknown key",
    "type": "wrong type of value",
    "enum": "value not among those allowed",
    "required": "missing key",
    "minLength": "empty value",
    "minItems": "too few items",
    "pattern": "value not in the expected form",
    "format": "value not in the expected form",
    "minimum": "number out of range",
    "exclusiveMinimum": "number out of range",
    "maximum": "number out of range",
    "exclusiveMaximum": "number out of range",
}


def _validate(doc: _Doc, problems: _Problems) -> None:
    """Check one file's own data against the schema; every error becomes a positioned problem."""
    if doc.data is None:
        return
    errors = list(itertools.islice(_validator().iter_errors(doc.data), 10 * MAX_PROBLEMS))
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in mistyped:
            continue  # a wrong type explains every other complaint about the same value
        kind = _KINDS.get(error.validator, "invalid value")
        for path, message, at_key in _error_messages(error):
            problems.add(doc.order, doc.mark(path, key=at_key), path, message, kind=kind)


# --------------------------------------------------------------------------- merging


def _drop_marks(marks: dict[KeyPath, Mark], prefix: KeyPath) -> None:
    for path in [p for p in marks if p[: len(prefix)] == prefix]:
        del marks[path]


def _copy_marks(dst: dict[KeyPath, Mark], src: Mapping[KeyPath, Mark], prefix: KeyPath) -> None:
    for path, mark in src.items():
        if path[: len(prefix)] == prefix:
            dst[path] = mark


def _as_rule_mapping(setting: Any) -> dict[str, Any]:
    return {"severity": setting} if isinstance(setting, str) else dict(setting)


def _merge(merged: dict[str, Any], marks: dict[KeyPath, Mark], doc: _Doc, data: Mapping[str, Any]) -> None:
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


def _add_waiver_places(data: dict[str, Any], marks: Mapping[KeyPath, Mark]) -> None:
    """Give each waiver its ``__where__`` (``file:line``) for the engine's messages."""
    waivers = data.get("exceptions")
    if not isinstance(waivers, list):
        return
    for index, waiver in enumerate(waivers):
        mark = marks.get(("exceptions", index))
        if isinstance(waiver, dict) and mark is not None:
            waiver[WHERE_KEY] = f"{mark.file}:{mark.line}"


def _check_patterns(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark], problems: _Problems, orders: Mapping[str, int]
) -> None:
    """Compile every name pattern of the merged policy (``{ticket}`` needs the final ticket_pattern),
    and refuse every regular expression that could backtrack for ever on someone's text."""
    from hotfix_lint.policy.patterns import PatternError, compile_pattern
    from hotfix_lint.policy.regex_safety import UnsafeRegex, check_regex
    from hotfix_lint.policy.schema import NAME_PATTERN_FORMAT, PATTERN_KEYS

    ticket = merged.get("ticket_pattern")
    if isinstance(ticket, str):
        try:
            re.compile(ticket)
        except re.error:
            ticket = r"[^/]+"  # already reported; check the rest as if it were fine
    else:
        ticket = None

    def refuse(where: KeyPath, exc: PatternError | UnsafeRegex) -> None:
        mark = _nearest(marks, where)
        problems.add(orders.get(mark.file, 0), mark, where, str(exc), kind=exc.kind)

    def name_pattern(where: KeyPath, text: str) -> None:
        try:
            compiled = compile_pattern(text, ticket)
            if compiled.is_raw:
                check_regex(text)
        except (PatternError, UnsafeRegex) as exc:
            refuse(where, exc)

    def regex(where: KeyPath, text: str) -> None:
        # as the rules use them: {ticket} is the ticket pattern, {version} a version number
        text = text.replace("{ticket}", f"(?:{ticket or '.+'})").replace("{version}", re.escape("1.2.3"))
        try:
            check_regex(text)
        except UnsafeRegex as exc:
            refuse(where, exc)

    for key in PATTERN_KEYS:
        for where, text in _strings((key,), merged.get(key)):
            name_pattern(where, text)
    production = merged.get("production")
    entries: list[tuple[KeyPath, Any]] = [(("production",), production)]
    if isinstance(production, list):
        entries = [(("production", index), entry) for index, entry in enumerate(production)]
    for at, entry in entries:
        if isinstance(entry, Mapping):  # {branch: main, former_names: [master-th4]}
            for key in ("branch", "former_names"):
                for where, text in _strings((*at, key), entry.get(key)):
                    name_pattern(where, text)
    for where, text in _strings(("ticket_pattern",), merged.get("ticket_pattern")):
        regex(where, text)
    for where, value, spec_format in _rule_options(merged):
        for place, text in _strings(where, value):
            if spec_format == NAME_PATTERN_FORMAT:
                name_pattern(place, text)
            elif spec_format == "regex":
                regex(place, text)


def _check_era(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark], problems: _Problems, orders: Mapping[str, int]
) -> None:
    """``until`` must come after ``since`` (when ``since`` is a date: a revision is dated only in a repository)."""
    since, until = merged.get("since"), merged.get("until")
    if not isinstance(since, str) or not isinstance(until, str):
        return
    try:
        first, last = dt.date.fromisoformat(since), dt.date.fromisoformat(until)
    except ValueError:
        return  # a revision, or a malformed date the schema reported
    if last <= first:
        mark = _nearest(marks, ("until",))
        problems.add(
            orders.get(mark.file, 0),
            mark,
            ("until",),
            f"until ({until}) must be after since ({since}): the process would hold on no day",
            kind="invalid value",
        )


def _eras(merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark]) -> list[tuple[dict[str, Any], dict[KeyPath, Mark]]]:
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
        doc = _Doc(Path(at.file), at.file, 0, marks=own)
        _merge(data, era_marks, doc, era)
        out.append((data, era_marks))
    return out


def _check_eras(
    merged: Mapping[str, Any], marks: Mapping[KeyPath, Mark], problems: _Problems, orders: Mapping[str, int]
) -> None:
    """Eras come oldest first and do not overlap: each but the first says since, each but the
    last says until, and each starts after the one before ends. With eras, ``until`` is an era's."""
    eras = merged.get("eras")
    if not isinstance(eras, list) or not eras:
        return

    def problem(path: KeyPath, message: str) -> None:
        mark = _nearest(marks, path)
        problems.add(orders.get(mark.file, 0), mark, path, message, kind="invalid value")

    if merged.get("until") is not None:
        problem(("until",), "with eras, until belongs to the last era (each era says its own until)")
    previous: tuple[int, dt.date] | None = None  # (index, until) of the era before
    for index, era in enumerate(eras):
        if not isinstance(era, Mapping):
            continue
        bounds: dict[str, dt.date | None] = {}
        for key in ("since", "until"):
            try:
                bounds[key] = dt.date.fromisoformat(str(era[key])) if era.get(key) is not None else None
            except ValueError:
                return  # a malformed date the schema reported
        since, until = bounds["since"], bounds["until"]
        if since is None and index > 0:
            problem(("eras", index), "every era but the first says since (its first day)")
        if until is None and index < len(eras) - 1:
            problem(("eras", index), "every era but the last says until (its last day)")
        if since is not None and until is not None and until < since:
            problem(("eras", index, "until"), f"until ({until}) is before since ({since}): the era holds on no day")
        if previous is not None and since is not None and since <= previous[1]:
            problem(
                ("eras", index, "since"),
                f"eras overlap or are out of order: since ({since}) must come after the until ({previous[1]}) "
                f"of eras[{previous[0]}]; list eras oldest first, each starting after the one before ends",
            )
        previous = (index, until) if until is not None else None


def _strings(path: KeyPath, value: Any) -> list[tuple[KeyPath, str]]:
    """The non-empty texts of a value that is a text or a list of them, with their key paths."""
    if isinstance(value, str):
        return [(path, value)] if value else []
    if isinstance(value, list):
        return [((*path, i), v) for i, v in enumerate(value) if isinstance(v, str) and v]
    return []


def _rule_options(merged: Mapping[str, Any]) -> Iterator[tuple[KeyPath, Any, str | None]]:
    """Each rule option the policy sets, with the ``format`` its schema gives it (or its items)."""
    from hotfix_lint.rules.registry import rules_by_id

    registered = rules_by_id()
    rules = merged.get("rules")
    if not isinstance(rules, Mapping):
        return
    for rule_id, setting in rules.items():
        rule = registered.get(rule_id)
        if rule is None or not isinstance(setting, Mapping):
            continue
        for name, spec in rule.options_schema.get("properties", {}).items():
            items = spec.get("items", {}) if isinstance(spec.get("items"), Mapping) else {}
            if name in setting:
                yield ("rules", rule_id, name), setting[name], spec.get("format") or items.get("format")


def _nearest(marks: Mapping[KeyPath, Mark], path: KeyPath) -> Mark:
    for n in range(len(path), -1, -1):
        if path[:n] in marks:
            return marks[path[:n]]
    return Mark("", 0, 0)


# --------------------------------------------------------------------------- public API


def _load(
    path: Path, display: str, pack: str | None, cache_dir: Path | None, source: str, *, untrusted: bool = False
) -> Policy:
    chain = _Chain(untrusted=untrusted)
    if pack is not None:
        chain.packs.append(pack)
    chain.load(path, display, pack, ())
    problems = chain.problems
    marker: Path | None = None
    if cache_dir is not None and not problems.items:
        marker = cache_dir / f"policy-{_cache_key(chain.docs)}.ok"
    validated = marker is not None and marker.exists()
    if not validated:
        for doc in chain.docs:
            _validate(doc, problems)
    merged: dict[str, Any] = {}
    marks: dict[KeyPath, Mark] = {}
    for doc in chain.docs:
        if doc.data is not None:
            _merge(merged, marks, doc, doc.data)
    eras = _eras(merged, marks)
    if not validated:
        orders = {doc.display: doc.order for doc in chain.docs}
        _check_patterns(merged, marks, problems, orders)
        _check_era(merged, marks, problems, orders)
        _check_eras(merged, marks, problems, orders)
        for index, (era_data, era_marks) in enumerate(eras):
            before = len(problems.items)
            _check_patterns(era_data, era_marks, problems, orders)
            own = merged["eras"][index]  # a problem of the era's own key is shown at its path there
            problems.items[before:] = [
                replace(p, path=("eras", index, *p.path)) if p.path[:1] and p.path[0] in own else p
                for p in problems.items[before:]
            ]
    problems.raise_if_any()
    if eras:
        merged["eras"] = [era_data for era_data, _ in eras]
    if marker is not None and not validated:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(f"{source}\n", encoding="utf-8")
        except OSError:
            pass  # a read-only cache only costs speed
    _add_waiver_places(merged, marks)
    return build_policy(merged, source, packs=tuple(chain.packs))


def load_policy(
    path: Path, *, cache_dir: Path | None = None, display: str | None = None, untrusted: bool = False
) -> Policy:
    """Load and validate the policy file ``path`` with everything it extends.

    Raises :class:`PolicyError` listing every problem found in the whole chain. ``display``
    names the file in messages and as the policy's source (a copy read from a commit is shown
    by its path in the repository, not by where it was copied to). ``untrusted`` (a policy of
    an audited repository): built-in packs only in ``extends``, and no problem quotes the file.
    """
    path = Path(path)
    shown = display or str(path)
    return _load(path, shown, None, cache_dir, shown, untrusted=untrusted)


def load_pack(name: str, *, cache_dir: Path | None = None) -> Policy:
    """Load the built-in pack ``name``; its ``source`` is ``pack:NAME``."""
    name = canonical_name(name)
    path = pack_path(name)
    return _load(path, str(path), name, cache_dir, f"pack:{name}")


def discover_policy(repo_dir: Path, explicit: Path | None, *, cache_dir: Path | None = None) -> tuple[Policy, str]:
    """Find the policy to use and a sentence saying which.

    The order: ``--policy FILE``, else ``.hotfix-lint.yaml``/``.yml`` at the repository root,
    else the built-in pack ``default``.
    """
    if explicit is not None:
        return load_policy(explicit, cache_dir=cache_dir), f"using the policy {explicit} (given with --policy)"
    found = [name for name in POLICY_FILE_NAMES if (Path(repo_dir) / name).is_file()]
    if found:
        policy = load_policy(Path(repo_dir) / found[0], cache_dir=cache_dir)
        sentence = f"using the policy {found[0]} at the repository root"
        if len(found) > 1:
            sentence += f" ({' and '.join(found[1:])} is ignored: keep only one of them)"
        return policy, sentence
    policy = load_pack(DEFAULT_PACK, cache_dir=cache_dir)
    names = " or ".join(POLICY_FILE_NAMES)
    return policy, f"using the built-in pack '{DEFAULT_PACK}' (no {names} at the repository root)"


def policy_files(path: Path, *, pack: str | None = None, untrusted: bool = False) -> list[Path]:
    """Every file the policy ``path`` is read from (its bases and packs first, then itself).

    A cache of the loaded policy (the hooks' :mod:`hotfix_lint.policy.cache`) is valid while
    none of these files changes.
    """
    chain = _Chain(untrusted=untrusted)
    chain.load(Path(path), str(path), pack, ())
    return [doc.path for doc in chain.docs]
