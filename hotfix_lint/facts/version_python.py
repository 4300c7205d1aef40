"""Python projects' versions, read with Python's own parsers: ``ast``, ``configparser``, TOML.

``setup.py`` (``setup(version=...)``), a module's ``__version__``, ``setup.cfg``
(``[metadata] version``) and ``pyproject.toml`` (``[project]`` or ``[tool.poetry]``
``version``). A version computed or taken from elsewhere (``dynamic``, ``attr:``,
``importlib.metadata.version(...)``) is reported as such, not as a missing version.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from hotfix_lint.facts.declared_version import DeclaredVersion, elsewhere, literal, shown
from hotfix_lint.facts.toml_text import parse_toml, table

#: for files ``ast`` cannot parse (Python 2 era): the literal assignments only
_SETUP_PY = r"""\bversion\s*=\s*(?P<q>["'])(?P<v>[^"']+)(?P=q)"""
_DUNDER = r"""^__version__\s*(?::\s*\w+\s*)?=\s*(?P<q>["'])(?P<v>[^"']+)(?P=q)"""


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the module's, and those inside its ``if``/``try``/``with``."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.With)):
            yield from _module_level(stmt.body)
            yield from _module_level(getattr(stmt, "orelse", []))
        elif isinstance(stmt, ast.Try):
            yield from _module_level(stmt.body)
            for handler in stmt.handlers:
                yield from _module_level(handler.body)
            yield from _module_level(stmt.orelse)


def _assigned(tree: ast.Module, name: str) -> ast.expr | str | None:
    """The first value given to ``name`` at module level; for an import, where it comes from."""
    for stmt in _module_level(tree.body):
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return stmt.value
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            return stmt.value
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                if (alias.asname or alias.name) == name:
                    module = stmt.module if isinstance(stmt, ast.ImportFrom) else alias.name
                    return f"imported from {'.' * getattr(stmt, 'level', 0)}{module or ''}"
    return None


def _value(path: str, text: str, tree: ast.Module, node: ast.expr | str | None, what: str) -> DeclaredVersion | None:
    """A literal string (or a module-level name bound to one), else why it is not a literal."""
    if node is None:
        return None
    if isinstance(node, str):
        return elsewhere(path, f"{what} is {node}")
    if isinstance(node, ast.Name):
        bound = _assigned(tree, node.id)
        if isinstance(bound, ast.Constant) and isinstance(bound.value, str):
            return literal(path, bound.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return literal(path, node.value)
    return elsewhere(path, f"{what} is computed ({shown(ast.get_source_segment(text, node) or ast.unparse(node))})")


def dunder_version(path: str, text: str) -> DeclaredVersion:
    """A module's ``__version__ = "1.2.3"``."""
    tree = _parse(text)
    if tree is None:
        m = re.search(_DUNDER, text, re.M)
        return literal(path, m.group("v")) if m else DeclaredVersion(path, None, "not valid Python")
    found = _value(path, text, tree, _assigned(tree, "__version__"), "__version__")
    return found or DeclaredVersion(path, None, "no __version__")


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "setup":
                return node
    return None


def setup_py_version(path: str, text: str) -> DeclaredVersion:
    """``setup(version="1.2.3")``, or a ``__version__`` in ``setup.py`` itself."""
    tree = _parse(text)
    if tree is None:
        m = re.search(_SETUP_PY, text) or re.search(_DUNDER, text, re.M)
        return literal(path, m.group("v")) if m else DeclaredVersion(path, None, "not valid Python")
    call = _setup_call(tree)
    keyword = next((k for k in call.keywords if k.arg == "version"), None) if call is not None else None
    if keyword is not None:
        found = _value(path, text, tree, keyword.value, "setup(version=...)")
        if found is not None:
            return found
    dunder = _value(path, text, tree, _assigned(tree, "__version__"), "__version__")
    if dunder is not None and dunder.declares:
        return dunder
    return DeclaredVersion(path, None, "no version= in setup()")


def setup_cfg_version(path: str, text: str) -> DeclaredVersion:
    """``[metadata] version``; ``attr:`` and ``file:`` name where it really is."""
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        return DeclaredVersion(path, None, f"not a valid setup.cfg ({shown(str(exc))})")
    value = parser.get("metadata", "version", fallback=None)
    if value is None:
        return DeclaredVersion(path, None, "no [metadata] version")
    value = value.strip()
    if value.startswith(("attr:", "file:")):
        return elsewhere(path, f"the version comes from elsewhere (version = {shown(value)})")
    return literal(path, value)


def pyproject_version(path: str, text: str) -> DeclaredVersion:
    """``[project] version``, else ``[tool.poetry] version``; ``dynamic`` versions are elsewhere."""
    data = parse_toml(text)
    if isinstance(data, str):
        return DeclaredVersion(path, None, data)
    project = table(data, "project")
    if isinstance(project.get("version"), str):
        return literal(path, project["version"])
    poetry = table(data, "tool", "poetry")
    if isinstance(poetry.get("version"), str):
        if table(data, "tool", "poetry-dynamic-versioning").get("enabled") is True:
            return elsewhere(path, "the version is set at build time ([tool.poetry-dynamic-versioning] enabled)")
        return literal(path, poetry["version"])
    dynamic = project.get("dynamic")
    if isinstance(dynamic, list) and "version" in dynamic:
        return elsewhere(path, 'the version is dynamic (dynamic = ["version"] in [project])')
    return DeclaredVersion(path, None, "no [project] or [tool.poetry] version")
