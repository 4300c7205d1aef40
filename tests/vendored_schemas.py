"""SchemaStore's GitHub workflow and action schemas, as the check-jsonschema package vendors them.

Read as files, without importing check-jsonschema (its command-line module needs a newer click
than gitlint allows): the package is only where the schemas come from.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any


def vendored_schema(name: str) -> dict[str, Any]:
    """``github-workflows`` or ``github-actions``."""
    spec = importlib.util.find_spec("check_jsonschema")
    assert spec is not None and spec.submodule_search_locations, "check-jsonschema is not installed"
    folder = Path(next(iter(spec.submodule_search_locations))) / "builtin_schemas" / "vendor"
    schema: dict[str, Any] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    return schema
