"""The hooks' cache of loaded policies: no YAML and no JSON Schema on a commit when the policy has not changed.

Parsing a policy imports PyYAML and validating it imports jsonschema (together most of a
hook's budget), while the policy changes once in a while and a hook runs on every commit.
So the hooks keep the policy they loaded from a file, with the exact contents of every file
it was read from (the file, the files it extends, the built-in packs) and the tool and
Python versions. A hit costs a few small file reads and one ``marshal.loads`` (built into
Python, nothing to import); any change to any file of the chain is a miss, and the policy
is loaded, and validated, again.

Where: ``$HOTFIX_LINT_CACHE_DIR``, else the user cache directory ``platformdirs`` names
(``$XDG_CACHE_HOME/hotfix-lint`` or ``~/.cache/hotfix-lint`` on Linux, next to pre-commit's
own cache; ``~/Library/Caches/hotfix-lint`` on macOS; ``%LOCALAPPDATA%\\hotfix-lint\\Cache`` on
Windows); never in the repository, which hotfix-lint only reads. ``HOTFIX_LINT_CACHE_DIR=``
(empty) turns the cache off. Loaded
policies go to ``policies/`` (one entry per policy file path), the loader's "this chain was
valid" markers (keyed by the contents of the chain) to ``validated/``. An entry that cannot
be read is a miss, never an error; writing is best effort.
"""

from __future__ import annotations

import enum
import marshal
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from hotfix_lint import __version__
from hotfix_lint.policy.model import Policy, RuleSetting
from hotfix_lint.results import Severity

CACHE_ENV = "HOTFIX_LINT_CACHE_DIR"
#: defined here, where a hook reads them without importing the loader (and PyYAML); the loader imports them
POLICY_FILE_NAMES = (".hotfix-lint.yaml", ".hotfix-lint.yml")
DEFAULT_PACK = "default"
#: the types a cached policy may hold, by name (anything else is not cached); and ``Waiver``,
#: see :func:`_record_type`
_TYPES: dict[str, type] = {t.__name__: t for t in (Policy, RuleSetting, Severity)}
_STAMP = f"hotfix-lint {__version__} python {sys.version}"


def cache_root() -> Path | None:
    """The cache directory, or ``None`` when ``HOTFIX_LINT_CACHE_DIR`` is set and empty."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return Path(value).expanduser() if value else None
    from platformdirs import user_cache_dir  # the platform's place (XDG on Linux, Library/Caches, AppData)

    return Path(user_cache_dir("hotfix-lint", appauthor=False))


def validation_dir(root: Path) -> Path:
    """Where the loader keeps its "this chain was valid" markers."""
    return root / "validated"


def policy_path(repo_root: Path, explicit: Path | None) -> tuple[Path, str | None]:
    """The file the policy starts from, in :func:`~hotfix_lint.policy.loader.discover_policy`'s
    order, and the pack name when it is a built-in pack."""
    if explicit is not None:
        return explicit, None
    for name in POLICY_FILE_NAMES:
        candidate = repo_root / name
        if candidate.is_file():
            return candidate, None
    from hotfix_lint.policy.packs import pack_path

    return pack_path(DEFAULT_PACK), DEFAULT_PACK


def _entry(root: Path, real: str) -> Path:
    """One entry per policy file: named by a 64-bit FNV-1a hash of its real path."""
    value = 0xCBF29CE484222325
    for byte in real.encode("utf-8", "surrogateescape"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return root / "policies" / f"{value:016x}.marshal"


def cached_policy(root: Path, top: Path) -> Policy | None:
    """The policy loaded earlier from ``top``, if no file it was read from changed since."""
    real = os.path.realpath(top)
    try:
        # the user's own cache directory, written by this module (see the module docstring)
        record = marshal.loads(_entry(root, real).read_bytes())  # noqa: S302
        if record["stamp"] != _STAMP or record["files"][-1][0] != real:
            return None
        for name, contents in record["files"]:
            with open(name, "rb") as stream:
                if stream.read() != contents:
                    return None
        policy = _decode(record["policy"])
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        return None  # no entry, a changed file, or an entry from another version: a miss
    return policy if isinstance(policy, Policy) else None


def remember(root: Path, top: Path, policy: Policy, files: Sequence[Path]) -> None:
    """Keep ``policy``, loaded from ``files`` (the last one ``top``), for the next hook run."""
    real = os.path.realpath(top)
    chain = [os.path.realpath(f) for f in files if os.path.realpath(f) != real] + [real]
    try:
        record = {
            "stamp": _STAMP,
            "files": [(name, Path(name).read_bytes()) for name in chain],
            "policy": _encode(policy),
        }
        entry = _entry(root, real)
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps(record))
        os.replace(partial, entry)  # a concurrent hook never reads half an entry
    except (OSError, ValueError, TypeError):
        pass  # a read-only or full cache, or a value it cannot hold, only costs speed


def _record_type(name: str) -> type | None:
    """The record type a cached policy may hold under ``name``; the waiver's module is imported
    only for a policy with exceptions (a hook's policy seldom has any)."""
    if name == "Waiver":
        from hotfix_lint.policy.waivers import Waiver

        return Waiver
    return _TYPES.get(name)


def _encode(value: Any) -> Any:
    """Plain values marshal can hold; containers and records tagged so they come back as they were."""
    if isinstance(value, enum.Enum):  # before str: Severity is a str too
        return ("E", type(value).__name__, value.value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if _record_type(name) is not type(value):
            raise TypeError(f"cannot cache a {name}")
        return ("D", name, {f.name: _encode(getattr(value, f.name)) for f in fields(value) if f.init})
    if isinstance(value, tuple):
        return ("t", [_encode(v) for v in value])
    if isinstance(value, list):
        return ("l", [_encode(v) for v in value])
    if isinstance(value, Mapping):
        return ("m", {str(k): _encode(v) for k, v in value.items()})
    import datetime as dt  # only a policy with dates holds one: not at import, which every hook pays

    if isinstance(value, dt.date):
        return ("d", value.isoformat())
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if not isinstance(value, tuple):
        return value
    tag = value[0]
    if tag == "E":
        return _TYPES[value[1]](value[2])
    if tag == "d":
        import datetime as dt

        return dt.date.fromisoformat(value[1])
    if tag == "D":
        record = _record_type(value[1])
        if record is None:
            raise KeyError(value[1])
        return record(**{k: _decode(v) for k, v in value[2].items()})
    if tag == "t":
        return tuple(_decode(v) for v in value[1])
    if tag == "l":
        return [_decode(v) for v in value[1]]
    if tag == "m":
        return {k: _decode(v) for k, v in value[1].items()}
    raise ValueError(f"unknown tag {tag!r}")
