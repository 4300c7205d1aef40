"""The import graph of a package, read with :mod:`ast` (nothing is imported): what
``tests/test_layout.py`` checks the layout with, and checks itself with on planted packages.

Every ``import`` and ``from ... import`` counts, at module level or inside a function (the
lazy imports that keep start-up cheap still make one module depend on another), relative
ones included. An import under ``if TYPE_CHECKING:`` is marked: it never runs, so it cannot
close an import circle, but it still says which layer a module leans on.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """One module of the package importing another, and where."""

    source: str
    target: str
    line: int
    type_checking: bool


def modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module under ``package`` (a directory with ``__init__.py``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(name: str, node: ast.Import | ast.ImportFrom, known: Mapping[str, Path]) -> Iterable[str]:
    """The modules of ours an import statement in module ``name`` loads (the longest known prefix)."""
    if isinstance(node, ast.Import):
        candidates = [alias.name for alias in node.names]
    else:
        if node.level:
            base = name.split(".")
            if known[name].name != "__init__.py":
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join([*base, *([node.module] if node.module else [])])
        else:
            prefix = node.module or ""
        # ``from package import submodule`` loads the submodule; ``from module import name`` the module
        candidates = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix for alias in node.names]
    for candidate in candidates:
        while candidate and candidate not in known:
            candidate = candidate.rpartition(".")[0]
        if candidate and candidate != name:
            yield candidate


def imports(package: Path) -> list[Import]:
    """Every import between the modules of ``package``."""
    known = modules(package)
    found: list[Import] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        guarded: set[int] = set()  # the ids of import nodes under ``if TYPE_CHECKING:``
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                guarded.update(id(inner) for statement in node.body for inner in ast.walk(statement))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported_names(name, node, known):
                    found.append(Import(name, target, node.lineno, id(node) in guarded))
    return found


def circles(found: Iterable[Import]) -> list[list[str]]:
    """The import circles among imports that run: each strongly connected group of modules,
    as one cycle through it (``a -> b -> a``) so the message shows the way round."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        if not imp.type_checking:
            graph.setdefault(imp.source, set()).add(imp.target)
            graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative (no recursion limit to meet)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_through(group, graph) for group in groups]


def _cycle_through(group: set[str], graph: Mapping[str, set[str]]) -> list[str]:
    """A shortest way from the group's first module back to itself, within the group."""
    start = min(group)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, node, start]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    return sorted(group)  # not reached: a strongly connected group has a cycle


def layer_of(name: str, layers: Mapping[str, str]) -> str | None:
    """The layer of a module: that of the longest module prefix in ``layers`` naming it."""
    if name in layers:
        return layers[name]
    parts = name.split(".")
    for n in range(len(parts) - 1, 1, -1):  # the top package names only itself, not every module
        layer = layers.get(".".join(parts[:n]))
        if layer is not None:
            return layer
    return None


def layer_breaches(
    found: Iterable[Import], layers: Mapping[str, str], allowed: Mapping[str, frozenset[str]]
) -> list[str]:
    """Each import from one layer into another the table does not allow, as a readable line."""
    breaches: list[str] = []
    for imp in found:
        source, target = layer_of(imp.source, layers), layer_of(imp.target, layers)
        if source is None or target is None:
            breach = f"{imp.source if source is None else imp.target}: a module in no layer of the table"
        elif source != target and target not in allowed[source]:
            breach = f"{imp.source}:{imp.line} imports {imp.target}: layer {source!r} may not import layer {target!r}"
        else:
            continue
        if breach not in breaches:
            breaches.append(breach)
    return breaches


def long_modules(package: Path, limit: int) -> dict[str, int]:
    """The modules over ``limit`` lines, with their lengths."""
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules(package).items()}
    return {name: n for name, n in lengths.items() if n > limit}
