"""Package manifests' versions: npm's ``package.json`` and Cargo's ``Cargo.toml``."""

from __future__ import annotations

import json

from hotfix_lint.facts.declared_version import DeclaredVersion, elsewhere, literal
from hotfix_lint.facts.toml_text import parse_toml, table


def package_json_version(path: str, text: str) -> DeclaredVersion:
    """The top-level ``"version"``."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return DeclaredVersion(path, None, f"not valid JSON ({exc})")
    version = data.get("version") if isinstance(data, dict) else None
    if isinstance(version, str) and version:
        return literal(path, version)
    return DeclaredVersion(path, None, 'no "version" field')


def cargo_version(path: str, text: str) -> DeclaredVersion:
    """``[package] version``, or a workspace's ``[workspace.package] version``."""
    data = parse_toml(text)
    if isinstance(data, str):
        return DeclaredVersion(path, None, data)
    version = table(data, "package").get("version")
    if isinstance(version, str):
        return literal(path, version)
    if isinstance(version, dict) and version.get("workspace") is True:
        return elsewhere(path, "the version is the workspace's (version.workspace = true)")
    shared = table(data, "workspace", "package").get("version")
    if isinstance(shared, str):
        return literal(path, shared)
    return DeclaredVersion(path, None, "no [package] version")
