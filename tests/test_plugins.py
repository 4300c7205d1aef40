"""Rules from other packages (the ``hotfix_lint.rules`` entry point group).

The example plugin in ``tests/plugins/hotfix-lint-example`` is installed the way pip installs
it, as a ``.dist-info`` directory beside its module on a path entry that
:mod:`importlib.metadata` searches (its entry points read from its own ``pyproject.toml``),
in a temporary directory put on ``sys.path``; the subprocess tests pass it in ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from scenario import Scenario, land_hotfix, make_policy

from hotfix_lint.cli import main
from hotfix_lint.rules.plugins import ENTRY_POINT_GROUP, plugin_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

EXAMPLE = Path(__file__).parent / "plugins" / "hotfix-lint-example"


def install(site: Path, name: str, version: str, entry_points: Mapping[str, str], modules: Mapping[str, str]) -> None:
    """What ``pip install`` leaves in site-packages for a one-module package: the module and
    its ``.dist-info`` (METADATA, entry_points.txt, RECORD)."""
    site.mkdir(parents=True, exist_ok=True)
    for module, text in modules.items():
        (site / module).write_text(text, encoding="utf-8")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    points = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{points}", encoding="utf-8")
    record = [*modules, *(f"{info.name}/{f}" for f in ("METADATA", "entry_points.txt", "RECORD"))]
    (info / "RECORD").write_text("".join(f"{line},,\n" for line in record), encoding="utf-8")


def install_example(site: Path) -> None:
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    modules = {p.name: p.read_text(encoding="utf-8") for p in EXAMPLE.glob("*.py")}
    install(site, project["name"], project["version"], project["entry-points"][ENTRY_POINT_GROUP], modules)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty path entry on ``sys.path`` for plugins; the plugin cache is read afresh."""
    import importlib

    path = tmp_path / "site"
    path.mkdir()
    monkeypatch.syspath_prepend(str(path))
    before = set(sys.modules)
    plugin_rules.cache_clear()
    yield path
    plugin_rules.cache_clear()
    for name in set(sys.modules) - before:
        if not name.startswith(("hotfix_lint", "_pytest", "pytest")):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def example(site: Path) -> Path:
    install_example(site)
    return site


def check(repo: Scenario, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    capsys.readouterr()
    status = main(["check", "--repo", str(repo.path), "--no-ci", "--format", "json", *args])
    captured = capsys.readouterr()
    return status, json.loads(captured.out), captured.err


def rule_findings(report: Mapping[str, object], rule: str) -> list[dict[str, object]]:
    found = report["violations"]
    assert isinstance(found, list)
    return [v for v in found if v["rule"] == rule]


def write_policy(s: Scenario, **rules: object) -> None:
    policy = make_policy()
    policy["rules"] = {**policy.get("rules", {}), **rules}
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")


def test_the_example_plugin_is_listed_with_its_package_and_explained(
    example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    line = next(n for n, text in enumerate(out.splitlines()) if text.startswith("descriptive-subject "))
    assert "warning" in out.splitlines()[line]
    assert "package: hotfix-lint-example (a plugin)" in out.splitlines()[line + 1]
    assert main(["explain", "descriptive-subject"]) == 0
    explained = capsys.readouterr().out
    assert "from the package hotfix-lint-example" in explained
    assert "min_length (default 20)" in explained


def test_a_plugin_rule_runs_silent_on_compliance_and_fires_on_its_violation(
    example: Path, gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    s = gitflow_repo
    write_policy(s)
    status, report, err = check(s, capsys)
    assert status == 0 and rule_findings(report, "descriptive-subject") == [], report
    assert "descriptive-subject" in report["summary"]["rules_run"]  # type: ignore[index]
    assert "warning:" not in err
    typo = land_hotfix(s, "hotfix/typo", description="typo", ticket=None, changelog=False)
    status, report, _ = check(s, capsys, "--rule", "descriptive-subject")
    (finding,) = rule_findings(report, "descriptive-subject")
    assert finding["severity"] == "warning" and finding["commit"] == typo.commits[0]
    assert "'Fix: typo'" in str(finding["message"])
    write_policy(s, **{"descriptive-subject": {"severity": "error", "min_length": 5}})  # its options, validated
    status, report, _ = check(s, capsys, "--rule", "descriptive-subject")
    assert status == 0 and rule_findings(report, "descriptive-subject") == []
    write_policy(s, **{"descriptive-subject": {"min_lenght": 5}})
    assert main(["check", "--repo", str(s.path), "--no-ci"]) == 2
    assert "min_lenght" in capsys.readouterr().err


def test_sarif_links_the_plugin_rule_to_its_own_page(
    example: Path, gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    land_hotfix(gitflow_repo, "hotfix/typo", description="typo", ticket=None, changelog=False)
    sarif = tmp_path / "r.sarif"
    main(
        [
            "check",
            "--repo",
            str(gitflow_repo.path),
            "--no-ci",
            "--rule",
            "descriptive-subject",
            "--format",
            f"sarif={sarif}",
        ]
    )
    (descriptor,) = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["helpUri"] == "https://example.com/hotfix-lint-example#descriptive-subject"


BROKEN = {
    "boom_rules.py": "raise RuntimeError('the plugin is broken')\n",
    "taken_rules.py": (
        "from hotfix_lint.rules.branch_name import BranchName\n\n"
        "class Again(BranchName):\n    pass\n\n"
        "class NoDocs(BranchName):\n    id = 'no-docs'\n    explanation = ''\n"
    ),
    "failing_rules.py": (
        "from hotfix_lint.rules.branch_name import BranchName\n\n"
        "class Fails(BranchName):\n"
        "    id = 'always-fails'\n"
        "    def check(self, facts, ctx):\n"
        "        raise ValueError('bad data')\n"
    ),
}


@pytest.fixture
def broken(site: Path) -> Path:
    install(site, "boom-rules", "1.0", {"boom": "boom_rules:Rule"}, {"boom_rules.py": BROKEN["boom_rules.py"]})
    install(
        site,
        "taken-rules",
        "1.0",
        {"again": "taken_rules:Again", "nodocs": "taken_rules:NoDocs"},
        {"taken_rules.py": BROKEN["taken_rules.py"]},
    )
    install(
        site, "failing-rules", "1.0", {"fails": "failing_rules:Fails"}, {"failing_rules.py": BROKEN["failing_rules.py"]}
    )
    return site


def test_broken_plugins_are_reported_not_raised_and_the_rest_runs(
    broken: Path, gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    write_policy(gitflow_repo)
    status, report, err = check(gitflow_repo, capsys)
    assert status == 0, err  # the built-in rules judged the compliant history as without plugins
    assert "Traceback" not in err
    warnings = [line for line in err.splitlines() if line.startswith("hotfix-lint: warning: plugin ")]
    assert len(warnings) == 3, err
    assert any("boom (boom-rules" in w and "RuntimeError: the plugin is broken" in w for w in warnings)
    assert any("again (taken-rules" in w and "branch-name: the id is taken" in w for w in warnings)
    assert any("nodocs (taken-rules" in w and "no explanation" in w for w in warnings)
    # a plugin rule that fails while checking: a could-not-check finding, not a traceback
    status, report, err = check(gitflow_repo, capsys, "--rule", "always-fails")
    (finding,) = rule_findings(report, "always-fails")
    assert finding["kind"] == "could-not-check" and "ValueError: bad data" in str(finding["message"])
    assert "Traceback" not in err


def test_plugins_are_found_by_a_fresh_process(example: Path, tmp_path: Path) -> None:
    """No test-process trick: a new interpreter finds the installed plugin by its metadata."""
    shutil.copytree(example, tmp_path / "copy")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "copy"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, "-m", "hotfix_lint", "rules"], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "package: hotfix-lint-example (a plugin)" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "hotfix_lint", "rules"],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert "descriptive-subject" not in proc.stdout  # not installed: not listed
