"""The git facts of a repository, kept in the cache so that a later run can judge them again.

When a repository has not been pushed to since the last audit, its history is not fetched or
walked again: the facts gathered last time are read back and the history rules judge them as
of today (grace periods and waiver expiry move with the date).

The records are pickled, because reading them back must cost next to nothing next to the
walk it replaces (JSON of a few hundred commits takes ten times longer to rebuild). Reading
is restricted: the unpickler resolves only the frozen dataclasses and enums of
``hotfix_lint.facts`` (the "restricting globals" recipe of the ``pickle`` documentation),
so a cache file cannot name any other code to run. A file that does not load, or was written
for other fact records (:func:`facts_schema` changes with any field), is a cache miss.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import importlib
import io
import pickle
import pkgutil
from functools import lru_cache

from hotfix_lint.facts import RepositoryFacts

_ALLOWED_PACKAGE = "hotfix_lint.facts"
_MAGIC = b"hotfix-lint facts 1\n"


class CodecError(ValueError):
    """The data is not facts this version wrote, or names something else than a fact record."""


@lru_cache(maxsize=1)
def facts_schema() -> str:
    """A digest of every fact record's fields: cached facts of another shape are not read."""
    import hotfix_lint.facts as package

    digest = hashlib.sha256()
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_ALLOWED_PACKAGE}.{info.name}")
        for name in sorted(vars(module)):
            value = getattr(module, name)
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                fields = ",".join(f"{f.name}:{f.type}" for f in dataclasses.fields(value))
                digest.update(f"{module.__name__}.{name}({fields})\n".encode())
    return digest.hexdigest()


class _FactsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        # a dotted name walks attributes (``changelog.re.RegexFlag``): only a class by its own name
        if not _in_facts(module) or "." in name:
            raise CodecError(f"{module}.{name} is not a fact record")
        found = super().find_class(module, name)
        if (
            not isinstance(found, type)
            or not (dataclasses.is_dataclass(found) or issubclass(found, enum.Enum))
            or not _in_facts(found.__module__)  # defined there, not imported there
        ):
            raise CodecError(f"{module}.{name} is not a fact record")
        return found


def _in_facts(module: str) -> bool:
    return module == _ALLOWED_PACKAGE or module.startswith(_ALLOWED_PACKAGE + ".")


def encode_facts(facts: RepositoryFacts) -> bytes:
    """``facts`` as bytes for the cache file."""
    try:
        return _MAGIC + facts_schema().encode() + b"\n" + pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise CodecError(f"facts cannot be cached: {exc}") from exc


def decode_facts(data: bytes | None) -> RepositoryFacts:
    """The facts :func:`encode_facts` wrote; :class:`CodecError` for anything else."""
    if not data or not data.startswith(_MAGIC):
        raise CodecError("not a fact cache")
    schema, _, payload = data[len(_MAGIC) :].partition(b"\n")
    if schema.decode("ascii", errors="replace") != facts_schema():
        raise CodecError("cached for other fact records")
    try:
        facts = _FactsUnpickler(io.BytesIO(payload)).load()  # only fact records resolve, see find_class
    except CodecError:
        raise
    except Exception as exc:  # a truncated or damaged file: any error is a miss
        raise CodecError(f"damaged fact cache: {type(exc).__name__}") from exc
    if not isinstance(facts, RepositoryFacts):
        raise CodecError("not repository facts")
    return facts
