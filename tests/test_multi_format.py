"""Several report formats in one ``check``, and output a CI log cannot be hijacked by.

``--format FORMAT[=FILE]`` is repeatable; ``--output FILE`` is the file of the last format
given without one; at most one format goes to standard output. The SARIF written by a real
run validates against the SARIF 2.1.0 schema. Branch names and commit messages are chosen by
whoever pushes: in ``--format github`` every line is one of the tool's own commands, and in
``text``/``hook`` no line starts a workflow command.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hostile import RUNNER_LINES, TERMINAL, TERMINAL_SHOWN, assert_inert, assert_no_injected_command
from scenario import Scenario, make_policy

from hotfix_lint.cli import main
from hotfix_lint.cli.options import parse_formats
from hotfix_lint.errors import UserError
from hotfix_lint.report.hook import HookReporter
from hotfix_lint.report.model import Report
from hotfix_lint.report.text import TextReporter, neutralise_commands
from hotfix_lint.results import Severity, Violation

SCHEMA = Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json"
HOSTILE_BRANCH = "hotfix/x%0A::error::pwned"
HOSTILE_MERGE = (
    f"Merge branch '{HOSTILE_BRANCH}'\n\n"
    "::error::pwned\n##[add-mask]s3cret\n  ::stop-commands::tok\n::set-output name=x::y"
)
HOSTILE_SUBJECT = "::warning file=a,line=1::direct push\r::error::after a carriage return ##[error]marker"
#: a line of the github format: one of its three commands, its own title, escaped properties
OWN_COMMAND = re.compile(
    r"^::(error|warning|notice) title=hotfix-lint%3A [a-z-]+(?: \(\w[\w ]*\))?(?:,[a-z]+=[^,:]*)*::"
)


def hostile_repo(s: Scenario) -> Scenario:
    """main with a merge whose message is a pile of workflow commands, and a direct commit
    whose subject is one (with a carriage return in it)."""
    s.commit("Initial commit", {"README.md": "hi\n", "CHANGELOG.md": "# Changelog\n"})
    s.branch("develop")
    s.branch("hotfix/evil", checkout=True)
    s.commit("::error::pwned by a subject ##[add-mask]x")
    s.checkout("main")
    s.merge("hotfix/evil", message=HOSTILE_MERGE)
    s.commit(HOSTILE_SUBJECT)
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(make_policy()), encoding="utf-8")
    return s


def check(repo: Scenario, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(["check", "--repo", str(repo.path), *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def assert_valid_sarif(log: Any) -> None:
    import rfc3986_validator  # type: ignore[import-untyped]  # noqa: F401  -- makes uri-reference checkable

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for validator_class in (jsonschema.validators.validator_for(schema), jsonschema.Draft7Validator):
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


# -- the --format rule ------------------------------------------------------------------------------


def test_format_rule() -> None:
    assert parse_formats(None, None) == [("text", None)]
    assert parse_formats(["json"], "r.json") == [("json", "r.json")]
    assert parse_formats(["text", "sarif"], "r.sarif") == [("text", None), ("sarif", "r.sarif")]
    assert parse_formats(["github", "sarif=a.sarif", "junit=b.xml"], None) == [
        ("github", None),
        ("sarif", "a.sarif"),
        ("junit", "b.xml"),
    ]


@pytest.mark.parametrize(
    ("formats", "output", "message"),
    [
        (["text", "json"], None, "text and json would both go to standard output; give all but one a file"),
        (["sarif=a", "json=b"], "c", "--output c: every --format already names its file"),
        (["sarf"], None, "unknown format 'sarf' (did you mean 'sarif'?)"),
        (["json", "json=x"], None, "--format json is given twice"),
        (["sarif=x", "junit=x"], None, "x is named for two formats"),
        (["sarif="], None, "expected FORMAT=FILE"),
    ],
)
def test_format_mistakes(formats: list[str], output: str | None, message: str) -> None:
    with pytest.raises(UserError, match=re.escape(message)):
        parse_formats(formats, output)


def test_a_format_mistake_exits_2_before_reading_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check", "--repo", str(tmp_path / "nowhere"), "--format", "text", "--format", "json"])
    assert status == 2
    assert "would both go to standard output" in capsys.readouterr().err


# -- several formats in one run -------------------------------------------------------------------


def test_text_sarif_and_github_in_one_run(
    gitflow_repo: Scenario,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = gitflow_repo
    s.commit("Add the hotfix policy", {".hotfix-lint.yaml": yaml.safe_dump(make_policy())})
    s.commit("Direct push to main")  # merge-commit: a finding about history, anchored in SARIF
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    sarif, annotations = tmp_path / "out.sarif", tmp_path / "annotations.txt"
    status, out, _ = check(
        s, "--format", "text", "--format", f"sarif={sarif}", "--format", f"github={annotations}", capsys=capsys
    )
    assert status == 1
    assert out.startswith("hotfix-lint ") and "merge-commit" in out  # text on standard output
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    (run,) = log["runs"]
    rules = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    from hotfix_lint import DOCS_URL
    from hotfix_lint.rules.registry import RULES_BY_ID

    assert rules["merge-commit"]["shortDescription"]["text"] == RULES_BY_ID["merge-commit"].summary
    assert rules["merge-commit"]["fullDescription"]["text"] == RULES_BY_ID["merge-commit"].explanation
    assert rules["merge-commit"]["helpUri"] == f"{DOCS_URL}rules/#merge-commit"
    (result,) = [r for r in run["results"] if r["ruleId"] == "merge-commit"]
    location = result["locations"][0]
    # the policy file, committed: it exists at the analysed commit
    assert location["physicalLocation"]["artifactLocation"]["uri"] == ".hotfix-lint.yaml"
    props = result["properties"]
    assert [logical["name"] for logical in location["logicalLocations"]] == [props["ref"], props["commit"]]
    assert run["properties"]["anchor"] == ".hotfix-lint.yaml"
    written = annotations.read_text(encoding="utf-8")
    assert written.startswith("::error title=hotfix-lint%3A merge-commit::")
    assert "merge-commit" in summary.read_text(encoding="utf-8")  # the step summary, appended


def _sarif_anchor(s: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    sarif = tmp_path / "anchor.sarif"
    status, _, _ = check(s, "--rule", "merge-commit", "--format", f"sarif={sarif}", *args, capsys=capsys)
    assert status == 1
    log: dict[str, Any] = json.loads(sarif.read_text(encoding="utf-8"))
    assert_valid_sarif(log)
    return log


def test_sarif_never_names_a_file_the_analysed_commit_lacks(
    gitflow_repo: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy file on disk but not committed, or none at all: history findings are pinned to
    a file the commit has (its README, else its first top-level file), never to the missing
    policy, with their commit as a logical location; a workflow file of the repository that ran
    the check is the anchor when it is committed."""
    s = gitflow_repo
    s.commit("Direct push to main")
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(make_policy()), encoding="utf-8")  # not committed
    for uncommitted in (True, False):  # then no policy file: the built-in pack
        if not uncommitted:
            (s.path / ".hotfix-lint.yaml").unlink()
        (run,) = _sarif_anchor(s, tmp_path, capsys)["runs"]
        (result,) = [r for r in run["results"] if r["ruleId"] == "merge-commit"]
        (location,) = result["locations"]
        top = sorted(p.name for p in s.path.iterdir() if p.is_file() and p.name != ".hotfix-lint.yaml")
        fallback = "README.md" if "README.md" in top else top[0]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == fallback, uncommitted
        names = [result["properties"].get("ref"), result["properties"]["commit"]]
        assert location["logicalLocations"] == [
            {"name": name, "fullyQualifiedName": name, "kind": "resource"} for name in names if name
        ]
        assert run["properties"]["anchor"] == fallback
    s.commit("CI", {".github/workflows/hotfix.yml": "on: push\n"})
    s.commit("Another direct push")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/app")
    monkeypatch.setenv("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/hotfix.yml@refs/heads/main")
    (run,) = _sarif_anchor(s, tmp_path, capsys, "--no-ci")["runs"]
    assert run["properties"]["anchor"] == ".github/workflows/hotfix.yml"
    monkeypatch.setenv("GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/gone.yml@refs/heads/main")
    assert _sarif_anchor(s, tmp_path, capsys, "--no-ci")["runs"][0]["properties"]["anchor"] == fallback
    monkeypatch.setenv("GITHUB_WORKFLOW_REF", "other/shared/.github/workflows/hotfix.yml@refs/heads/main")
    assert _sarif_anchor(s, tmp_path, capsys, "--no-ci")["runs"][0]["properties"]["anchor"] == fallback


def test_output_goes_with_the_last_bare_format(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.sarif"
    args = ("--format", "text", "--format", "sarif", "--output", str(report))
    status, out, _ = check(gitflow_repo, *args, capsys=capsys)
    assert status == 0
    assert out.startswith("hotfix-lint ")
    assert json.loads(report.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_junit_and_markdown_files_with_json_on_stdout(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, markdown = tmp_path / "r.xml", tmp_path / "r.md"
    status, out, _ = check(
        gitflow_repo, "--format", f"junit={junit}", "--format", "json", "--format", f"markdown={markdown}",
        capsys=capsys,
    )  # fmt: skip
    assert status == 0
    assert json.loads(out)["version"] == 1
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    assert markdown.read_text(encoding="utf-8").strip()


def test_an_unwritable_file_is_a_usage_error(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no-such-dir" / "r.sarif"
    status, _, err = check(gitflow_repo, "--format", f"sarif={target}", capsys=capsys)
    assert status == 2
    assert f"--format sarif: cannot write {target}" in err


# -- hostile branch names and commit messages -------------------------------------------------------


def test_github_format_writes_only_its_own_commands(
    scenario: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = hostile_repo(scenario())
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    status, out, err = check(s, "--format", "github", capsys=capsys)
    assert status == 1
    lines = RUNNER_LINES.split(out.rstrip("\n"))
    assert lines[-1].startswith("hotfix-lint: ") and "::" not in lines[-1]
    for line in lines[:-1]:
        assert OWN_COMMAND.match(line), line
    assert "x%250A::error::pwned" in out  # the name is there, escaped: never a new line
    assert "%0D::error::after a carriage return" in out
    assert_no_injected_command(err)
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert_no_injected_command(summary)


@pytest.mark.parametrize("fmt", ["text", "hook", "markdown", "junit", "json"])
def test_other_formats_start_no_command(
    scenario: Any, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = hostile_repo(scenario())
    status, out, err = check(s, "--format", fmt, capsys=capsys)
    assert status == 1
    assert "pwned" in out or fmt == "hook"  # the hostile text is shown, defused
    if fmt == "json":  # the data stays exact for a JSON reader
        data = json.loads(out)
        assert any(HOSTILE_BRANCH in v["message"] for v in data["violations"])
    assert_no_injected_command(out)
    assert_no_injected_command(err)


def test_a_hostile_branch_under_check_is_escaped(
    scenario: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "hi\n"})
    s.branch("develop")
    s.branch("hotfix/x%0Aboom#1", checkout=True)  # a valid ref name: % and # are allowed
    s.commit("::error::from a commit on the branch")
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(make_policy()), encoding="utf-8")
    _, out, _ = check(s, "--format", "github", capsys=capsys)
    assert "x%250Aboom#1" in out and "x%0Aboom" not in out.replace("%250A", "")
    for line in RUNNER_LINES.split(out.rstrip("\n"))[:-1]:
        assert OWN_COMMAND.match(line), line
    _, out, _ = check(s, "--format", "text", capsys=capsys)
    assert_no_injected_command(out)


# -- the text reporter's own defence ----------------------------------------------------------------


def _report(message: str, hint: str | None = None) -> Report:
    violation = Violation("merge-commit", Severity.ERROR, message, "main", "a" * 40, None, None, hint)
    return Report("hotfix-lint", "0.1.0", "/repo", ".hotfix-lint.yaml", (violation,), ("merge-commit",),
                  notes=("hotfix branch '::x'",))  # fmt: skip


@pytest.mark.parametrize("reporter", [TextReporter(), HookReporter()])
@pytest.mark.parametrize(
    "message",
    [
        "first\n::add-mask::secret",
        "first\n   \t::stop-commands::token",
        "first\r::error::lone carriage return",
        "first\r\n::warning::crlf",
        "anywhere ##[error]in a line",
        "first\n\u3000::error::ideographic space",
    ],
)
def test_text_and_hook_neutralise_workflow_commands(reporter: Any, message: str) -> None:
    stream = io.StringIO()
    reporter.write(_report(message, hint="fix\n::notice::x"), stream)
    assert_no_injected_command(stream.getvalue())


def test_neutralised_lines_stay_readable() -> None:
    assert neutralise_commands("a\n  ::error::x\nok ##[group] y\nfine :: here\n") == (
        "a\n  \\::error::x\nok ##\\[group] y\nfine :: here\n"
    )
    assert neutralise_commands("x\r::error::y") == "x\r\\::error::y"


def test_text_shows_terminal_controls_escaped(scenario: Any, capsys: pytest.CaptureFixture[str]) -> None:
    s = hostile_repo(scenario())
    s.commit(f"Direct {TERMINAL}")
    status, out, _ = check(s, "--format", "text", capsys=capsys)
    assert status == 1
    assert_inert(out)
    assert TERMINAL_SHOWN in out
    report = _report(f"Direct {TERMINAL}", hint=TERMINAL)
    for reporter in (TextReporter(), HookReporter()):  # the reporters' own colours are all that is left
        stream = io.StringIO()
        reporter.write(report, stream, color=True)
        assert_inert(stream.getvalue(), own=("\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m", "\x1b[1m", "\x1b[36m"))
        assert "\x1b[31m" in stream.getvalue()
