"""Registry, docs and manifests stay in step (ARCHITECTURE convention 10)."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest

from hotfix_lint.cli.describe import explain_text
from hotfix_lint.results import Severity
from hotfix_lint.rules.registry import ALL_RULES, RULES_BY_ID

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hotfix_lint"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_every_rule_declares_its_metadata(rule: type) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)
    assert rule.summary.endswith(".") and len(rule.summary) < 100
    assert len(rule.explanation) > 200, "the explanation is the rule's documentation"
    assert isinstance(rule.default_severity, Severity)
    jsonschema.Draft202012Validator.check_schema(dict(rule.options_schema))
    assert rule.requires, "a rule must say which facts it needs"
    module = PACKAGE / "rules" / (rule.id.replace("-", "_") + ".py")
    assert module.exists(), f"rule {rule.id} lives in a module named after it"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_every_rule_has_tests_and_explain_output(rule: type) -> None:
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py") if p.name != "test_meta.py")
    assert f'"{rule.id}"' in tests or f"'{rule.id}'" in tests, f"no test names rule {rule.id}"
    text = explain_text(rule.id)
    assert rule.summary in text and rule.explanation in text
    for option in rule.options_schema.get("properties", {}):
        assert option in text


def test_registry_ids_are_unique() -> None:
    assert len(RULES_BY_ID) == len(ALL_RULES)


# Which part may import which: tests/test_layout.py (its layer table, every import checked).


def test_only_collectors_import_pygit2_or_github() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        for uses in re.finditer(r"^\s*(import|from) (pygit2|github)\b", text, re.M):
            if path == PACKAGE / "ci/publish.py" and uses.group(2) == "github":
                continue  # the one module that writes to GitHub (a commit status)
            assert path.relative_to(PACKAGE).parts[0] == "collect", f"{path.relative_to(ROOT)} imports {uses.group(2)}"


def test_product_never_shells_out_to_git() -> None:
    for path in PACKAGE.rglob("*.py"):
        assert "subprocess" not in path.read_text(), f"{path.relative_to(ROOT)} uses subprocess"


def test_every_package_is_listed_in_pyproject() -> None:
    """A wheel built from pyproject must carry every subpackage (the list is explicit)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in PACKAGE.rglob("__init__.py")
    }
    assert on_disk <= listed, f"missing from pyproject [tool.setuptools] packages: {sorted(on_disk - listed)}"
