"""The report formats: SARIF, JUnit, GitHub annotations and Markdown, fed hostile data.

Reports are built directly (no git): branch names, commit messages, paths, waiver reasons and
notes carry what an attacker who can push a branch controls: newlines, ``::`` and ``##[``
commands, ``%`` escapes, ``,`` and ``:``, HTML and Markdown table pipes. Golden files under
``tests/data/golden/`` hold every format's output for one fixed report so that a change in
any output shows up in review; regenerate them with ``UPDATE_GOLDEN=1 python -m pytest
tests/test_reporters.py`` and read the diff.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hotfix_lint.report import FORMATS, get_reporter
from hotfix_lint.report.github import GithubReporter, command, escape_data, escape_property
from hotfix_lint.report.junit import JunitReporter
from hotfix_lint.report.markdown import MarkdownReporter, md, render_markdown
from hotfix_lint.report.model import Report, RuleInfo
from hotfix_lint.report.sarif import SarifReporter, anchor_path, fingerprint
from hotfix_lint.results import FindingKind, Severity, Violation
from hotfix_lint.rules.registry import ALL_RULES

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
SCHEMA_PATH = DATA / "sarif" / "sarif-schema-2.1.0.json"

# -- hostile values ----------------------------------------------------------------------------

BRANCH = "hotfix/x%0A::error::pwned"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
MESSAGE = (
    "merge of hotfix/x%0A::error::pwned lacks a ticket\n"
    "::error file=app.py,line=1::injected\r\n"
    "::stop-commands::tok3n\n"
    "  ::add-mask::secret, ##[error]legacy ##[stop-commands]tok, 100% sure: a,b:c "
    "<script>alert(1)</script> | col | `code` *bold* [link](javascript:alert(1))"
)
HINT = "git branch -m 'hotfix/ok'\n::warning::also injected %0D%0A"
WAIVER = "accepted by ops\n::error::waiver injection | <b>bold</b>"
NOTE = "# checked hotfix branch hotfix/x%0A::error::pwned\n::notice::note injection"

RULES = (
    RuleInfo("branch-name", "Hotfix branches follow the naming pattern.", "Names tell branches apart.", Severity.ERROR),
    RuleInfo("changelog-entry", "Each hotfix adds a changelog entry.", "The changelog tells users.", Severity.ERROR),
    RuleInfo("back-merge", "Each hotfix reaches the integration branch.", "Fixes must not regress.", Severity.ERROR),
    RuleInfo("branch-protection", "Production branches are protected.", "Protection stops pushes.", Severity.ERROR),
    RuleInfo("ticket-reference", "Hotfix merges name a ticket.", "Tickets explain why.", Severity.ERROR),
    RuleInfo("hotfix-base", "Hotfixes start from production.", "A hotfix ships what runs.", Severity.ERROR),
)


def violation(rule: str, message: str = MESSAGE, **kwargs: Any) -> Violation:
    values: dict[str, Any] = {
        "severity": Severity.ERROR,
        "ref": None,
        "commit": None,
        "path": None,
        "line": None,
        "hint": None,
    }
    values.update(kwargs)
    return Violation(rule=rule, message=message, **values)


VIOLATIONS = (
    violation("branch-name", ref=BRANCH, commit=COMMIT, hint=HINT),
    violation("changelog-entry", "no entry for hotfix/x, 1.2.4", ref=BRANCH, path="docs/CHANGE LOG,v1:2.md", line=3),
    violation("back-merge", "back-merge missing for 12 days", severity=Severity.WARNING, ref=BRANCH, commit=COMMIT),
    violation(
        "branch-protection",
        "could not read the protection of main: needs admin",
        severity=Severity.WARNING,
        kind=FindingKind.COULD_NOT_CHECK,
        ref="main",
    ),
    violation("ticket-reference", ref=BRANCH, commit=COMMIT, waived=True, waiver_reason=WAIVER),
)

REPORT = Report(
    tool_name="hotfix-lint",
    tool_version="0.1.0",
    repository="/work/repos/app",
    policy="/work/repos/app/.hotfix-lint.yaml",
    violations=VIOLATIONS,
    rules_run=tuple(info.id for info in RULES),
    notes=(NOTE, "skipped branch-protection: no GitHub token"),
    rules=RULES,
    anchor=".hotfix-lint.yaml",
)


def render(reporter: Any, report: Report = REPORT) -> str:
    stream = io.StringIO()
    reporter.write(report, stream)
    return stream.getvalue()


# -- golden files ------------------------------------------------------------------------------

_GOLDEN_NAMES = {"json": "report.json", "text": "report.txt", "hook": "report.hook.txt", "sarif": "report.sarif"}


def _golden_output(fmt: str) -> str:
    if fmt == "github":
        return render(GithubReporter(environ={}))
    return render(get_reporter(fmt))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden_output(fmt: str) -> None:
    path = GOLDEN / _GOLDEN_NAMES.get(fmt, f"report.{fmt}")
    output = _golden_output(fmt)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(output.encode("utf-8"))
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert output == path.read_bytes().decode("utf-8"), f"{fmt} output changed: see {path.name}"


def test_every_new_format_is_registered() -> None:
    for fmt, cls in {
        "sarif": SarifReporter,
        "junit": JunitReporter,
        "github": GithubReporter,
        "markdown": MarkdownReporter,
    }.items():
        assert isinstance(get_reporter(fmt), cls)


# -- SARIF -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def assert_valid_sarif(log: Any, schema: Mapping[str, Any]) -> None:
    """Valid under the draft the schema declares (4) and under draft-07, formats included."""
    import rfc3986_validator  # type: ignore[import-untyped]  # noqa: F401  -- makes uri-reference checkable

    assert "uri-reference" in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers
    for validator_class in (jsonschema.validators.validator_for(schema), jsonschema.Draft7Validator):
        validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def parse_sarif(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(SarifReporter(), report))
    return log


def test_sarif_is_valid_and_every_result_has_a_location(sarif_schema: dict[str, Any]) -> None:
    log = parse_sarif(REPORT)
    assert_valid_sarif(log, sarif_schema)
    assert log["version"] == "2.1.0" and log["$schema"]
    (run,) = log["runs"]
    assert len(run["results"]) == len(VIOLATIONS)
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        assert physical["region"]["startLine"] >= 1
        assert ("logicalLocations" in location) == bool(result["properties"].get("anchored"))
        assert result["partialFingerprints"]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_descriptors_come_from_the_rule_metadata() -> None:
    driver = parse_sarif(REPORT)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "hotfix-lint" and driver["version"] == "0.1.0"
    assert [d["id"] for d in driver["rules"]] == list(REPORT.rules_run)
    first = driver["rules"][0]
    assert first["name"] == "BranchName"
    assert first["shortDescription"]["text"] == RULES[0].summary
    assert first["fullDescription"]["text"] == first["help"]["text"] == RULES[0].explanation
    assert first["defaultConfiguration"]["level"] == "error"
    assert RULES[0].summary in first["help"]["markdown"] and RULES[0].explanation in first["help"]["markdown"]
    assert "helpUri" not in first  # no page known for a rule described without one


def test_sarif_descriptors_of_registered_rules_link_their_documentation(sarif_schema: dict[str, Any]) -> None:
    from hotfix_lint import DOCS_URL
    from hotfix_lint.catalog import rule_info

    infos = tuple(rule_info(r) for r in ALL_RULES)
    log = parse_sarif(replace(REPORT, rules=infos, rules_run=tuple(r.id for r in ALL_RULES)))
    assert_valid_sarif(log, sarif_schema)
    for descriptor in log["runs"][0]["tool"]["driver"]["rules"]:
        assert descriptor["helpUri"] == f"{DOCS_URL}rules/#{descriptor['id']}"
        assert descriptor["help"]["markdown"].endswith(f"]({descriptor['helpUri']})")
        assert descriptor["help"]["markdown"].startswith(f"**{descriptor['shortDescription']['text']}**")


def test_sarif_levels_suppressions_and_hostile_text() -> None:
    results = {r["ruleId"]: r for r in parse_sarif(REPORT)["runs"][0]["results"]}
    assert results["branch-name"]["level"] == "error"
    assert results["back-merge"]["level"] == "warning"
    assert results["branch-protection"]["properties"]["kind"] == "could-not-check"
    assert results["branch-name"]["message"]["text"].startswith(MESSAGE)
    assert HINT in results["branch-name"]["message"]["text"]
    assert results["branch-name"]["properties"] == {
        "kind": "violation",
        "ref": BRANCH,
        "commit": COMMIT,
        "anchored": True,
    }
    assert "suppressions" not in results["branch-name"]
    assert results["ticket-reference"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": WAIVER}
    ]


def test_sarif_paths_are_relative_uri_references() -> None:
    results = {r["ruleId"]: r for r in parse_sarif(REPORT)["runs"][0]["results"]}
    physical = results["changelog-entry"]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "docs/CHANGE%20LOG%2Cv1%3A2.md"
    assert physical["region"]["startLine"] == 3


@pytest.mark.parametrize(
    ("anchor", "repository", "expected"),
    [
        (".hotfix-lint.yml", "/r", ".hotfix-lint.yml"),
        (".github/workflows/hotfix.yml", "/r", ".github/workflows/hotfix.yml"),
        ("./ci/policy.yaml", "/r", "ci/policy.yaml"),
        ("/r/ci/policy.yaml", "/r", "ci/policy.yaml"),
        ("C:\\r\\policy.yaml", "C:\\r", "policy.yaml"),
    ],
)
def test_sarif_anchor(anchor: str, repository: str, expected: str, sarif_schema: dict[str, Any]) -> None:
    """A finding without a file is shown at the anchor, line 1, and keeps its ref and commit."""
    report = replace(REPORT, anchor=anchor, repository=repository)
    assert anchor_path(report) == expected
    log = parse_sarif(report)
    assert_valid_sarif(log, sarif_schema)
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert log["runs"][0]["properties"]["anchor"] == expected
    location = results["branch-name"]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == expected
    assert location["physicalLocation"]["region"]["startLine"] == 1
    assert location["logicalLocations"] == [
        {"name": BRANCH, "fullyQualifiedName": BRANCH, "kind": "resource"},
        {"name": COMMIT, "fullyQualifiedName": COMMIT, "kind": "resource"},
    ]
    own = results["changelog-entry"]["locations"][0]  # a finding with its own file keeps it
    assert own["physicalLocation"]["artifactLocation"]["uri"] == "docs/CHANGE%20LOG%2Cv1%3A2.md"
    assert "logicalLocations" not in own


@pytest.mark.parametrize("anchor", [None, "/elsewhere/policy.yaml", "../policy.yaml"])
def test_sarif_without_an_anchor_gives_history_findings_a_logical_location_only(
    anchor: str | None, sarif_schema: dict[str, Any]
) -> None:
    """No file configures the check (a built-in pack, run by hand): no made-up file is named."""
    report = replace(REPORT, policy="pack:default", anchor=anchor, repository="/r")
    assert anchor_path(report) is None
    log = parse_sarif(report)
    assert_valid_sarif(log, sarif_schema)
    (run,) = log["runs"]
    assert "anchor" not in run["properties"]
    for result in run["results"]:
        (location,) = result["locations"]
        if result["properties"].get("anchored"):
            assert "physicalLocation" not in location and location["logicalLocations"]
        else:
            assert location["physicalLocation"]["artifactLocation"]["uri"].startswith("docs/")
    protection = next(r for r in run["results"] if r["ruleId"] == "branch-protection")
    assert protection["locations"][0]["logicalLocations"] == [
        {"name": "main", "fullyQualifiedName": "main", "kind": "resource"}
    ]
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any("4 finding(s)" in n and "logical location only" in n for n in notes)
    with_anchor = parse_sarif(replace(report, anchor=".hotfix-lint.yaml"))["runs"][0]["invocations"][0]
    assert not any("logical location only" in n["message"]["text"] for n in with_anchor["toolExecutionNotifications"])


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    base = VIOLATIONS[2]
    assert fingerprint(base) == fingerprint(replace(base, message="back-merge missing for 13 days"))
    assert fingerprint(base) != fingerprint(replace(base, ref="hotfix/other"))
    assert fingerprint(base) != fingerprint(replace(base, commit="f" * 40))
    assert fingerprint(base) != fingerprint(replace(base, message="back-merge pending for 12 days"))
    assert len({fingerprint(v) for v in VIOLATIONS}) == len(VIOLATIONS)
    again = parse_sarif(REPORT)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in again] == [
        r["partialFingerprints"] for r in parse_sarif(REPORT)["runs"][0]["results"]
    ]


def test_sarif_with_every_registered_rule_and_without_metadata(sarif_schema: dict[str, Any]) -> None:
    infos = tuple(RuleInfo(r.id, r.summary, r.explanation, r.default_severity) for r in ALL_RULES)
    full = replace(REPORT, rules=infos, rules_run=tuple(r.id for r in ALL_RULES))
    log = parse_sarif(full)
    assert_valid_sarif(log, sarif_schema)
    assert {d["id"] for d in log["runs"][0]["tool"]["driver"]["rules"]} == {r.id for r in ALL_RULES}
    bare = replace(REPORT, rules=(), rules_run=("branch-name",))  # findings of rules not listed as run
    log = parse_sarif(bare)
    assert_valid_sarif(log, sarif_schema)
    assert {d["id"] for d in log["runs"][0]["tool"]["driver"]["rules"]} == {v.rule for v in VIOLATIONS}
    empty = replace(REPORT, violations=(), rules_run=(), rules=(), notes=())
    assert_valid_sarif(parse_sarif(empty), sarif_schema)


def test_sarif_validator_rejects_a_result_without_location(sarif_schema: dict[str, Any]) -> None:
    """The schema check is not vacuous: a region without a start is refused."""
    log = parse_sarif(REPORT)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {}
    with pytest.raises(AssertionError):
        assert_valid_sarif(log, sarif_schema)


# -- JUnit -------------------------------------------------------------------------------------


def parse_junit(report: Report = REPORT) -> ET.Element:
    return ET.fromstring(render(JunitReporter(), report))  # noqa: S314 -- our own output


def test_junit_one_test_case_per_rule_run() -> None:
    root = parse_junit()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == list(REPORT.rules_run)
    assert suite.get("tests") == str(len(REPORT.rules_run)) == root.get("tests")
    assert suite.get("failures") == "2" and suite.get("skipped") == "1" and suite.get("errors") == "0"
    assert root.get("skipped") is None  # not an attribute of <testsuites> in the common schema

    failure = cases["branch-name"].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message") == f"1 error: {MESSAGE}"
    # in element text XML reads every line ending as \n: the reporter writes it so
    assert MESSAGE.replace("\r\n", "\n") in (failure.text or "") and BRANCH in (failure.text or "")
    assert cases["changelog-entry"].find("failure") is not None
    # a warning passes and is listed in system-out; could-not-check is skipped; waived passes
    assert cases["back-merge"].find("failure") is None and cases["back-merge"].find("skipped") is None
    assert "warning: back-merge missing for 12 days" in (cases["back-merge"].findtext("system-out") or "")
    skipped = cases["branch-protection"].find("skipped")
    assert skipped is not None and "could not check" in (skipped.get("message") or "")
    ticket = cases["ticket-reference"]
    assert ticket.find("failure") is None and ticket.find("skipped") is None
    assert WAIVER in (ticket.findtext("system-out") or "")
    assert len(cases["hotfix-base"]) == 0  # passed, nothing to say
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["policy"] == REPORT.policy
    assert NOTE in (suite.findtext("system-out") or "")


JUNIT_SCHEMA = DATA / "junit" / "junit-10.xsd"


def assert_valid_junit(text: str) -> None:
    """Valid against the common JUnit XML schema (tests/data/junit/README.md says which)."""
    import xmlschema

    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(text)


@pytest.mark.parametrize(
    "report",
    [REPORT, replace(REPORT, violations=(), notes=()), replace(REPORT, rules=(), rules_run=())],
    ids=["findings", "clean", "no-metadata"],
)
def test_junit_is_valid_against_the_common_schema(report: Report) -> None:
    text = render(JunitReporter(), report)
    assert_valid_junit(text)


def test_junit_schema_check_is_not_vacuous() -> None:
    """What the schema refuses (as reporters used to write): ``skipped`` on ``<testsuites>``."""
    import xmlschema

    text = render(JunitReporter(), REPORT).replace("<testsuites ", '<testsuites skipped="1" ', 1)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        assert_valid_junit(text)


def test_junit_survives_characters_xml_cannot_hold() -> None:
    nasty = "bell\x07 escape\x1b[31m nul\x00 ]]> & \"quotes\" 'apos' é"
    report = replace(REPORT, violations=(violation("branch-name", nasty, ref=nasty),), notes=(nasty,))
    root = parse_junit(report)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert "bell\\x07 escape\\x1b[31m nul\\x00 ]]> & \"quotes\" 'apos' é" in (failure.text or "")
    assert render(JunitReporter(), report).isascii()


# -- GitHub annotations ------------------------------------------------------------------------

#: what the runner registers (ActionCommandManager), stop-commands included
REGISTERED = {
    "error", "warning", "notice", "debug", "group", "endgroup", "echo", "add-mask", "add-path",
    "set-env", "set-output", "save-state", "add-matcher", "remove-matcher", "stop-commands",
}  # fmt: skip


def runner_unescape(text: str, *, prop: bool = False) -> str:
    """The runner's UnescapeData/UnescapeProperty: replacements in its order, % last."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for escaped, plain in pairs:
        text = text.replace(escaped, plain)
    return text


def runner_parse(line: str) -> tuple[str, dict[str, str], str] | None:
    """What the Actions runner makes of one output line: TryParseV2, then the legacy TryParse."""
    message = line.lstrip()
    if message.startswith("::"):
        end = message.find("::", 2)
        if end >= 0:
            name, _, props = message[2:end].partition(" ")
            if name in REGISTERED:
                properties = {}
                for pair in props.strip().split(","):
                    key, _, value = pair.partition("=")
                    if key and value:
                        properties[key] = runner_unescape(value, prop=True)
                return name, properties, runner_unescape(message[end + 2 :])
    start = line.find("##[")
    if start >= 0:
        close = line.find("]", start)
        if close >= 0 and line[start + 3 : close].partition(" ")[0] in REGISTERED:
            return line[start + 3 : close], {}, line[close + 1 :]
    return None


def runner_lines(output: str) -> list[str]:
    """The runner reads lines ending in \\n, \\r or \\r\\n."""
    return re.split(r"\r\n|\r|\n", output.rstrip("\n"))


def test_github_every_line_is_our_command_or_the_count() -> None:
    output = render(GithubReporter(environ={}))
    lines = runner_lines(output)
    unwaived = [v for v in VIOLATIONS if not v.waived]
    assert len(lines) == len(VIOLATIONS) + len(REPORT.notes) + 1
    parsed = [runner_parse(line) for line in lines]
    commands = [p for p in parsed if p is not None]
    assert [c[0] for c in commands] == ["error", "error", "warning", "warning", "notice", "notice", "notice"]
    assert len([c for c in commands if c[0] in ("error", "warning")]) == len(unwaived)
    for line, result in zip(lines, parsed, strict=True):
        if result is None:
            assert line.startswith("hotfix-lint: ") and "::" not in line and "##[" not in line
        else:
            assert re.match(r"::(error|warning|notice) ", line), line
    assert lines[-1] == "hotfix-lint: 2 errors, 2 warnings, 1 waived; 6 rules run"
    assert not re.search("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", output)


@pytest.mark.parametrize("fmt", ["sarif", "junit", "markdown"])
def test_other_formats_are_safe_to_print_in_an_actions_log(fmt: str) -> None:
    """A report printed in a workflow log must not command the runner either."""
    output = render(get_reporter(fmt))
    assert "::error::pwned" in output and "::stop-commands::tok3n" in output  # the values are there
    for line in runner_lines(output):
        assert runner_parse(line) is None, line


def test_github_values_round_trip_through_the_runner() -> None:
    output = render(GithubReporter(environ={}))
    commands = [c for c in map(runner_parse, runner_lines(output)) if c]
    by_title = {c[1]["title"]: c for c in commands}
    name, props, data = by_title["hotfix-lint: branch-name"]
    assert name == "error" and "file" not in props
    assert data == f"{MESSAGE}\nref {BRANCH}, commit {COMMIT}\nfix: {HINT}"
    name, props, data = by_title["hotfix-lint: changelog-entry"]
    assert props == {"title": "hotfix-lint: changelog-entry", "file": "docs/CHANGE LOG,v1:2.md", "line": "3"}
    name, props, data = by_title["hotfix-lint: ticket-reference (waived)"]
    assert name == "notice" and data.endswith(f"waived: {WAIVER}")
    assert by_title["hotfix-lint: branch-protection (could not check)"][0] == "warning"
    notes = [c[2] for c in commands if c[1]["title"] == "hotfix-lint: note"]
    assert notes == list(REPORT.notes)


@pytest.mark.parametrize(
    "value",
    [
        BRANCH,
        MESSAGE,
        HINT,
        "%",
        "%25",
        "%%0A%0D%3A%2C",
        "a:b,c=d",
        "::",
        "::stop-commands::abc",
        "\r\n\r\n",
        "line1\nline2\r\nline3\rline4",
        "trailing %",
        "ü ✓ 漢字",
    ],
)
def test_github_escaping_round_trips(value: str) -> None:
    assert runner_unescape(escape_data(value)) == value
    assert runner_unescape(escape_property(value), prop=True) == value
    for escaped in (escape_data(value), escape_property(value)):
        assert "\n" not in escaped and "\r" not in escaped
    assert ":" not in escape_property(value) and "," not in escape_property(value)
    line = command("error", {"title": value, "file": value}, value)
    assert runner_parse(line) == ("error", {"title": value, "file": value}, value)


def test_github_control_characters_are_shown_not_sent() -> None:
    line = command("warning", {"title": "a\x1b[8mb"}, "x\u2028::error::y\x0c\x85z")
    assert runner_parse(line) == ("warning", {"title": "a\\x1b[8mb"}, "x\\u2028::error::y\\x0c\\x85z")


def test_github_summary_is_appended(tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    reporter = GithubReporter(environ={"GITHUB_STEP_SUMMARY": str(summary)})
    render(reporter)
    render(reporter)
    markdown = render_markdown(REPORT)
    assert summary.read_text(encoding="utf-8") == "## an earlier step\n" + markdown + markdown


def test_github_without_summary_variable_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    output = render(GithubReporter(environ={"GITHUB_STEP_SUMMARY": ""}))
    assert list(tmp_path.iterdir()) == []
    assert output == render(GithubReporter(environ={}))


def test_github_reads_the_process_environment_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    render(get_reporter("github"))
    assert summary.read_text(encoding="utf-8") == render_markdown(REPORT)


def test_github_unwritable_summary_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    output = render(GithubReporter(environ={"GITHUB_STEP_SUMMARY": str(tmp_path)}))  # a directory
    parsed = [runner_parse(line) for line in runner_lines(output)]
    warnings = [p for p in parsed if p and p[1].get("title") == "hotfix-lint: step summary"]
    assert len(warnings) == 1 and "could not append" in warnings[0][2]


def test_github_summary_respects_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hotfix_lint.report.github as github

    many = tuple(violation("branch-name", f"finding {i} " + "x" * 200, ref=BRANCH) for i in range(200))
    report = replace(REPORT, violations=many)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier\n", encoding="utf-8")
    monkeypatch.setattr(github, "SUMMARY_LIMIT", 8000)
    render(GithubReporter(environ={"GITHUB_STEP_SUMMARY": str(summary)}), report)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier\n") and len(text.encode("utf-8")) <= 8000
    assert re.search(r"_\d+ more finding\(s\) not shown here", text)
    assert "finding 0 " in text


# -- Markdown ----------------------------------------------------------------------------------


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_escapes_pipes_html_and_markup() -> None:
    text = render(MarkdownReporter())
    assert "<script>" not in text and "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in text
    assert "<b>" not in text and "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "\\| col \\|" in text and "\\`code\\` \\*bold\\* \\[link\\]\\(javascript:alert\\(1\\)\\)" in text
    # only our own <br> tags are raw HTML
    assert set(re.findall(r"<[^>]*>", text)) == {"<br>"}
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(REPORT.rules_run)
    assert all(unescaped_pipes(line) == 6 for line in table)
    # user values never start a line (so never a heading, list, quote or command)
    for line in text.splitlines():
        assert not line.startswith("::"), line
        assert line == "" or line[0] in "#|-_RN", line


def test_markdown_summary_table_and_grouping() -> None:
    text = render(MarkdownReporter())
    assert text.startswith("## hotfix-lint: 2 errors, 2 warnings, 1 waived\n")
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    assert rows["`branch-name`"] == "| `branch-name` | failed | 1 | 0 | 0 |"
    assert rows["`back-merge`"] == "| `back-merge` | warnings | 0 | 1 | 0 |"
    assert rows["`branch-protection`"] == "| `branch-protection` | could not check | 0 | 1 | 0 |"
    assert rows["`ticket-reference`"] == "| `ticket-reference` | passed | 0 | 0 | 1 |"
    assert rows["`hotfix-base`"] == "| `hotfix-base` | passed | 0 | 0 | 0 |"
    assert "#### `branch-name`: Hotfix branches follow the naming pattern." in text
    assert "#### `hotfix-base`" not in text  # no findings, no section
    assert "- \\# checked hotfix branch" in text  # a note starting with '#' is no heading


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert\\(1\\)&gt;"),
        ("&amp;", "&amp;amp;"),
        ("line1\nline2", "line1<br>line2"),
        ("*_`~$[]()!\\", "\\*\\_\\`\\~\\$\\[\\]\\(\\)\\!\\\\"),
        ("bell\x07", "bell"),
    ],
)
def test_markdown_escape(raw: str, escaped: str) -> None:
    assert md(raw) == escaped


def test_markdown_without_findings() -> None:
    text = render(MarkdownReporter(), replace(REPORT, violations=(), notes=()))
    assert "No findings." in text and "### Findings" not in text
