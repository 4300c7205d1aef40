"""The git facts of a repository as JSON, so that a later run can judge them again.

When a repository has not been pushed to since the last audit, its history is not fetched or
walked again: the facts gathered last time are read back from the cache and the history
rules judge them as of today (grace periods and waiver expiry move with the date).

Only frozen dataclasses of ``hotfix_lint.facts`` (and enums) are rebuilt, by name, from plain
JSON; nothing in the cache file can name other code to run. Tuples, mappings and frozensets
keep their type. A file that does not decode is a cache miss, never an error.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
from collections.abc import Mapping
from typing import Any

from hotfix_lint.facts import RepositoryFacts

#: bumped when the encoding changes; a cache of another version is ignored
CODEC_VERSION = 1
_ALLOWED_MODULE = "hotfix_lint.facts"


class CodecError(ValueError):
    """The value cannot be encoded, or the data is not what :func:`encode_facts` wrote."""


def _name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        return {"$e": _name(type(value)), "v": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        if not cls.__module__.startswith(_ALLOWED_MODULE):
            raise CodecError(f"{_name(cls)} is not a fact record")
        return {"$c": _name(cls), "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, frozenset):
        return {"$s": [_encode(v) for v in sorted(value, key=repr)]}
    if isinstance(value, Mapping):
        return {"$m": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise CodecError(f"cannot encode a {type(value).__name__}")


def _lookup(name: Any) -> type:
    if not isinstance(name, str) or ":" not in name:
        raise CodecError(f"bad type name {name!r}")
    module_name, _, qualname = name.partition(":")
    if module_name != _ALLOWED_MODULE and not module_name.startswith(_ALLOWED_MODULE + "."):
        raise CodecError(f"{name} is not a fact record")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as exc:
        raise CodecError(f"unknown type {name}") from exc
    if not isinstance(found, type):
        raise CodecError(f"{name} is not a type")
    return found


def _decode(data: Any) -> Any:
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(v) for v in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise CodecError("unexpected value")
    if "$t" in data:
        return tuple(_decode(v) for v in data["$t"])
    if "$s" in data:
        return frozenset(_decode(v) for v in data["$s"])
    if "$m" in data:
        return {_decode(k): _decode(v) for k, v in data["$m"]}
    if "$e" in data:
        cls = _lookup(data["$e"])
        if not issubclass(cls, enum.Enum):
            raise CodecError(f"{data['$e']} is not an enum")
        return cls(data["v"])
    if "$c" in data:
        cls = _lookup(data["$c"])
        if not dataclasses.is_dataclass(cls):
            raise CodecError(f"{data['$c']} is not a fact record")
        fields = data.get("f")
        if not isinstance(fields, dict):
            raise CodecError("fields missing")
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        if set(fields) - names:
            raise CodecError(f"{data['$c']} has no field {sorted(set(fields) - names)[0]!r}")
        try:
            return cls(**{k: _decode(v) for k, v in fields.items()})
        except TypeError as exc:
            raise CodecError(str(exc)) from exc
    raise CodecError("unexpected object")


def encode_facts(facts: RepositoryFacts) -> dict[str, Any]:
    """``facts`` as JSON-able data; :class:`CodecError` when a value is not a fact record."""
    return {"codec": CODEC_VERSION, "facts": _encode(facts)}


def decode_facts(data: Any) -> RepositoryFacts:
    """The facts :func:`encode_facts` wrote; :class:`CodecError` for anything else."""
    if not isinstance(data, dict) or data.get("codec") != CODEC_VERSION:
        raise CodecError("not a fact cache of this version")
    facts = _decode(data.get("facts"))
    if not isinstance(facts, RepositoryFacts):
        raise CodecError("not repository facts")
    return facts
