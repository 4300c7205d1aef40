"""TOML read with the standard library's parser (``tomli``, the same parser, before 3.11)."""

from __future__ import annotations

import sys
from typing import Any


def parse_toml(text: str) -> dict[str, Any] | str:
    """The document as a dict, or why it is not valid TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        return f"not valid TOML ({exc})"
    return data


def table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The table at ``keys`` (``table(d, "tool", "poetry")``), empty when absent or not a table."""
    current: Any = data
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}
