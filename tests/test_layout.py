"""The layout of the package, kept true: no import circles, each layer importing only the
layers below it (the table here, shown again in ``docs/architecture.md``), no module over
400 lines. The imports are read with :mod:`ast` (:mod:`import_graph`), lazy ones included.
"""

from __future__ import annotations

import functools
import re
import textwrap
from pathlib import Path

import pytest
from import_graph import Import, circles, imports, layer_breaches, layer_of, long_modules, modules

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hotfix_lint"

#: what the commands (front ends, audit, cli) may import
_BELOW_COMMANDS = (
    "base",
    "run support",
    "facts",
    "report",
    "policy",
    "rules",
    "policy loading",
    "engine",
    "collect git",
    "collect github",
    "collect",
    "infer",
)

#: the layers, bottom first: each layer's modules (a package stands for all its modules; the
#: longest name that matches wins) and the layers it may import. Within a layer anything goes
#: (but a circle). Keep docs/architecture.md's table the same.
LAYERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # layer: (modules, layers it may import)
    "base": (
        (
            "hotfix_lint",  # __version__ only
            "hotfix_lint.errors",
            "hotfix_lint.fork_safe",
            "hotfix_lint.results",
            "hotfix_lint.terminal_text",
        ),
        (),
    ),
    # what a run shows and where it writes, for the commands (never for rules or collectors)
    "run support": (("hotfix_lint.progress", "hotfix_lint.output_targets", "hotfix_lint.watchdog"), ("base",)),
    "facts": (("hotfix_lint.facts",), ()),
    "report": (("hotfix_lint.report",), ("base",)),
    "policy": (("hotfix_lint.policy",), ("base", "facts")),
    "rules": (("hotfix_lint.rules",), ("base", "facts", "policy")),
    # reading a policy file checks each rule's options: above the rules
    "policy loading": (
        (
            "hotfix_lint.policy.loader",
            "hotfix_lint.policy.full_schema",
            "hotfix_lint.policy.validation",
            "hotfix_lint.policy.value_checks",
        ),
        ("base", "facts", "policy", "rules"),
    ),
    "engine": (("hotfix_lint.engine", "hotfix_lint.era_runs"), ("base", "facts", "policy", "rules")),
    # git's facts (pygit2): never the GitHub collector
    "collect git": (("hotfix_lint.collect.git",), ("base", "facts", "policy")),
    # what GitHub enforces and records, read through its REST and GraphQL APIs (never git)
    "collect github": (("hotfix_lint.collect.github",), ("base", "facts")),
    "collect": (("hotfix_lint.collect",), ("base", "facts", "policy", "collect git", "collect github")),
    "infer": (
        ("hotfix_lint.infer",),
        ("base", "facts", "report", "policy", "rules", "policy loading", "engine", "collect git", "collect"),
    ),
    # what the commands assemble from the layers below
    "front ends": (
        (
            "hotfix_lint.ci",
            "hotfix_lint.hooks",
            "hotfix_lint.hook_arguments",
            "hotfix_lint.lifecycle",
            "hotfix_lint.catalog",
            "hotfix_lint.scaffold",
        ),
        _BELOW_COMMANDS,
    ),
    "audit": (("hotfix_lint.audit",), _BELOW_COMMANDS),
    "cli": (
        ("hotfix_lint.cli", "hotfix_lint.console", "hotfix_lint.__main__"),
        (*_BELOW_COMMANDS, "front ends", "audit"),
    ),
}

LAYER_OF = {module: layer for layer, (names, _) in LAYERS.items() for module in names}
MAY_IMPORT = {layer: frozenset(below) for layer, (_, below) in LAYERS.items()}

LIMIT = 400


@functools.lru_cache(maxsize=1)
def _package_imports() -> list[Import]:
    return imports(PACKAGE)


def test_no_import_circles() -> None:
    found = circles(_package_imports())
    assert not found, "import circles (move the shared piece into a module both import):\n" + "\n".join(
        " -> ".join(c) for c in found
    )


def test_every_module_is_in_a_layer() -> None:
    missing = sorted(name for name in modules(PACKAGE) if layer_of(name, LAYER_OF) is None)
    assert not missing, f"modules in no layer of tests/test_layout.py's LAYERS: {missing}"


def test_layers_import_only_layers_below() -> None:
    breaches = layer_breaches(_package_imports(), LAYER_OF, MAY_IMPORT)
    assert not breaches, "imports the layer table does not allow:\n" + "\n".join(breaches)


def test_the_layer_table_has_no_circle() -> None:
    edges = [(layer, below) for layer, (_, belows) in LAYERS.items() for below in belows]
    order = list(LAYERS)
    assert all(order.index(below) < order.index(layer) for layer, below in edges), "list layers bottom first"


def test_no_module_over_the_limit() -> None:
    long = long_modules(PACKAGE, LIMIT)
    assert not long, f"modules over {LIMIT} lines (split them by job): {long}"


def _doc_rows() -> dict[str, tuple[str, str]]:
    """docs/architecture.md's layer table: layer -> (its modules, the layers it may import)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| *([a-z ]+?) *\| *([^|]*?) *\| *([^|]*?) *\|$", text, re.MULTILINE)
    return {layer: (names, below) for layer, names, below in rows if layer != "layer"}


def test_architecture_doc_shows_the_layer_table() -> None:
    """docs/architecture.md's table names the same layers, modules and imports as LAYERS."""
    rows = _doc_rows()
    assert list(rows) == list(LAYERS), "docs/architecture.md: the layers, bottom first, as in LAYERS"
    for layer, (names, below) in LAYERS.items():
        shown_names, shown_below = rows[layer]
        modules_shown = {
            "hotfix_lint" if n == "__init__" else "hotfix_lint." + n.rstrip("/").replace("/", ".")
            for n in re.findall(r"`([\w/]+)`", shown_names)
        }
        assert modules_shown == set(names), f"docs/architecture.md: the modules of layer {layer!r}"
        assert set(re.findall(r"[a-z][a-z ]*[a-z]", shown_below)) - {"nothing"} == set(below), layer


def test_architecture_doc_names_files_that_exist() -> None:
    """Every ``path.py`` or ``folder/`` the page names exists (in the package, or at the top)."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    names = {
        n.removeprefix("hotfix_lint/")
        for n in re.findall(r"`([^`\s]+)`", text)
        if re.fullmatch(r"(hotfix_lint/)?([a-z_]+/)*([a-z_]+\.py|[a-z_]+/)", n)
    }
    files = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")}
    missing = sorted(
        n
        for n in names
        if not (PACKAGE / n).exists()
        and not (ROOT / n).exists()
        and not ("/" not in n and any(f.rpartition("/")[2] == n for f in files))
    )
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


# --------------------------------------------------------------------------- the checker itself


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_checker_finds_a_planted_circle_through_a_lazy_relative_import(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "a.py": "from . import b\n",
            "b.py": "def later():\n    from pkg.sub import c\n",
            "sub/__init__.py": "",
            "sub/c.py": "from ..a import thing\n",
        },
    )
    assert circles(imports(package)) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]


def test_checker_ignores_a_circle_only_type_checking_closes(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "a.py": "from pkg import b\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n",
        },
    )
    assert circles(imports(package)) == []


def test_checker_names_a_layer_breach(tmp_path: Path) -> None:
    package = _package(tmp_path, {"low.py": "import pkg.high\n", "high.py": "from pkg import low\n"})
    breaches = layer_breaches(
        imports(package), {"pkg.low": "low", "pkg.high": "high"}, {"low": frozenset(), "high": frozenset({"low"})}
    )
    assert breaches == ["pkg.low:1 imports pkg.high: layer 'low' may not import layer 'high'"]


@pytest.mark.parametrize("lines, over", [(400, {}), (401, {"pkg.big": 401})])
def test_checker_counts_lines(tmp_path: Path, lines: int, over: dict[str, int]) -> None:
    package = _package(tmp_path, {"big.py": "x = 1\n" * lines})
    assert long_modules(package, LIMIT) == over
