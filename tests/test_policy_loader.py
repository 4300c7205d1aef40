"""The policy loader and schema: every kind of bad input, extends chains, discovery, the cache."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import hotfix_lint
from hotfix_lint.errors import PolicyError
from hotfix_lint.policy import loader, packs
from hotfix_lint.policy.full_schema import policy_schema
from hotfix_lint.policy.loader import discover_policy, load_pack, load_policy
from hotfix_lint.results import Severity
from hotfix_lint.rules.registry import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
POLICIES = Path(__file__).resolve().parent / "data" / "policies"
INVALID = sorted((POLICIES / "invalid").glob("*.yaml"))


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path, **kwargs: Any) -> list[str]:
    with pytest.raises(PolicyError) as info:
        load_policy(path, **kwargs)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in tmp_path so that messages name files as ``policy.yaml``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- schema


def test_schema_is_valid_draft_2020_12() -> None:
    schema = policy_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "extends",
        "production",
        "integration",
        "hotfix_branch",
        "release_branches",
        "ticket_pattern",
        "changelog",
        "tag_pattern",
        "deployed_ref",
        "promotion_branch",
        "version_files",
        "since",
        "until",
        "eras",
        "could_not_check",
        "rules",
        "exceptions",
    }
    assert schema["properties"]["tag_pattern"]["default"] == "v{version}"
    json.dumps(schema)  # what `hotfix-lint schema` prints


def test_schema_has_one_property_per_rule_with_its_options() -> None:
    rules = policy_schema()["properties"]["rules"]
    assert rules["additionalProperties"] is False
    assert list(rules["properties"]) == [rule.id for rule in ALL_RULES]
    for rule in ALL_RULES:
        setting = rules["properties"][rule.id]
        assert rule.summary in setting["description"]
        options = setting["else"]["properties"]
        assert set(options) == {"severity", *rule.options_schema.get("properties", {})}
        assert setting["else"]["additionalProperties"] is False


def test_every_schema_property_has_a_description() -> None:
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, spec in node.get("properties", {}).items():
                if "description" not in spec and "$ref" not in spec:
                    missing.append(f"{where}.{name}")
            for key, value in node.items():
                walk(value, f"{where}.{key}" if key != "properties" else where)
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(policy_schema(), "")
    assert missing == []


def test_schema_accepts_a_full_policy_and_rejects_unknown_keys() -> None:
    validator = jsonschema.Draft202012Validator(policy_schema())
    data = yaml.safe_load((POLICIES / "team.yaml").read_text())
    data["integration"]["retired_since"] = data["integration"]["retired_since"].isoformat()
    data["since"] = data["since"].isoformat()
    data["exceptions"][0]["expires"] = data["exceptions"][0]["expires"].isoformat()
    data["exceptions"][1]["commit"] = str(data["exceptions"][1]["commit"])
    assert list(validator.iter_errors(data)) == []
    assert [e.validator for e in validator.iter_errors({"github": {}})] == ["additionalProperties"]
    assert [e.validator for e in validator.iter_errors({"rules": {"nope": "error"}})] == ["additionalProperties"]


# --------------------------------------------------------------------------- packs


@pytest.mark.parametrize("name", packs.pack_names())
def test_every_pack_validates(name: str) -> None:
    policy = load_pack(name)
    assert policy.source == f"pack:{name}"
    assert policy.packs[0] == name
    data = yaml.safe_load(packs.pack_path(name).read_text())
    assert list(jsonschema.Draft202012Validator(policy_schema()).iter_errors(data)) == []


def test_default_pack_is_found_in_the_source_checkout() -> None:
    assert packs.packs_dir() == ROOT / "policies"
    assert "default" in packs.pack_names()
    assert packs.pack_path("default") == ROOT / "policies" / "default.yaml"
    policy = load_pack("default")
    assert policy.production == ("main",)
    assert policy.integration == "develop"
    assert policy.rules["changelog-entry"].severity is Severity.WARNING


def test_installed_packs_directory_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "hotfix_lint"
    write(package, "packs/strict.yaml", "production: main\n")
    monkeypatch.setattr(hotfix_lint, "__file__", str(package / "__init__.py"))
    assert packs.packs_dir() == package / "packs"
    assert packs.pack_names() == ["strict"]


def test_unknown_pack_name() -> None:
    with pytest.raises(PolicyError) as info:
        load_pack("defualt")
    assert info.value.problems == [
        "unknown pack 'defualt' (did you mean 'default'?); built-in packs: "
        + ", ".join(packs.pack_names())
        + ". To extend a file, give a path such as ./defualt.yaml"
    ]


# --------------------------------------------------------------------------- golden messages


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_policy_messages(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each tests/data/policies/invalid/NAME.yaml fails with exactly the lines in NAME.expected."""
    monkeypatch.chdir(POLICIES)
    expected = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert problems_of(Path("invalid") / path.name) == expected


def test_golden_files_exist() -> None:
    assert {p.stem for p in INVALID} >= {"typos", "values", "waivers"}


# --------------------------------------------------------------------------- messages, one kind at a time


def test_unknown_top_level_key_with_did_you_mean(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "production: main\nhotfix_brnch: 'hotfix/{slug}'\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:2:1: at hotfix_brnch: unknown key (did you mean 'hotfix_branch'?)"
    ]


def test_unknown_key_without_close_match_lists_the_keys(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "github:\n  token: x\n")
    (problem,) = problems_of(Path("policy.yaml"))
    assert problem.startswith("policy.yaml:1:1: at github: unknown key; expected one of: extends, production,")
    assert problem.endswith("rules, exceptions, eras")


def test_unknown_rule_and_bad_severity(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        production: main
        rules:
          back-merge:
            severity: fatal
          merge-comit: error
          frobnicate: off
        """,
    )
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:4:15: at rules.back-merge.severity: 'fatal' is not one of error, warning, off",
        "policy.yaml:5:3: at rules.merge-comit: unknown rule 'merge-comit' (did you mean 'merge-commit'?)",
        "policy.yaml:6:3: at rules.frobnicate: unknown rule 'frobnicate'; known rules: "
        + ", ".join(rule.id for rule in ALL_RULES),
    ]


def test_off_is_a_severity_not_a_boolean(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "rules:\n  changelog-entry: off\n  back-merge: {accept_cherry_picks: yes}\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:3:37: at rules.back-merge.accept_cherry_picks: expected true or false, got the string 'yes'"
    ]
    write(in_tmp, "policy.yaml", "rules:\n  changelog-entry: off\n  back-merge: {accept_cherry_picks: true}\n")
    policy = load_policy(Path("policy.yaml"))
    assert policy.rules["changelog-entry"].severity is Severity.OFF
    assert policy.rules["back-merge"].options == {"accept_cherry_picks": True}


def test_every_problem_is_reported_at_once(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        production: 5
        integration: {branch: develop, retired: 2024-01-01}
        deployed_ref: {strategy: github-deployment, env: prod}
        exceptions:
          - rule: back-merge
            commit: abc1234
        """,
    )
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:1:13: at production: expected a string, a list or a mapping, got the number 5",
        "policy.yaml:2:32: at integration.retired: unknown key (did you mean 'retired_since'?)",
        "policy.yaml:3:45: at deployed_ref.env: unknown key; expected one of: strategy, environment",
        "policy.yaml:5:5: at exceptions[0]: missing key 'reason': Why the rule is waived (a non-empty text, "
        "shown in reports).",
    ]


def test_yaml_syntax_error_has_line_and_column(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "production: main\nrules:\n  back-merge: error\n bad\n")
    (problem,) = problems_of(Path("policy.yaml"))
    assert problem.startswith("policy.yaml:4:2: invalid YAML: ")
    assert "line 1, column 1" in problem  # the context: the mapping that was being read


def test_unclosed_flow_sequence(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "production: [main, support\n")
    (problem,) = problems_of(Path("policy.yaml"))
    assert problem.startswith("policy.yaml:2:1: invalid YAML: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "policy.yaml:1:1: the policy file is empty; expected a mapping of policy keys such as 'extends: default'"),
        (
            "# nothing but a comment\n",
            "policy.yaml:1:1: the policy file is empty; expected a mapping of policy keys such as 'extends: default'",
        ),
        (
            "- main\n- develop\n",
            "policy.yaml:1:1: the policy must be a mapping of keys such as 'production: main', got a list",
        ),
        (
            "main\n",
            "policy.yaml:1:1: the policy must be a mapping of keys such as 'production: main', got the string 'main'",
        ),
    ],
    ids=["empty", "comment-only", "list", "scalar"],
)
def test_file_that_is_not_a_mapping(in_tmp: Path, text: str, message: str) -> None:
    write(in_tmp, "policy.yaml", text)
    assert problems_of(Path("policy.yaml")) == [message]


def test_missing_file(in_tmp: Path) -> None:
    assert problems_of(Path("nope.yaml")) == ["nope.yaml: no such policy file"]


def test_directory_instead_of_file(in_tmp: Path) -> None:
    (in_tmp / "dir.yaml").mkdir()
    assert problems_of(Path("dir.yaml")) == ["dir.yaml: is a directory, not a policy file"]


def test_not_utf8(in_tmp: Path) -> None:
    (in_tmp / "policy.yaml").write_bytes(b"production: main\nchangelog: CHANGES-\xe9t\xe9.md\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:2:20: not UTF-8 text (byte 0xe9); save the policy file as UTF-8"
    ]


def test_utf8_bom_is_accepted(in_tmp: Path) -> None:
    (in_tmp / "policy.yaml").write_bytes("\ufeffproduction: main\n".encode())
    assert load_policy(Path("policy.yaml")).production == ("main",)


def test_control_character(in_tmp: Path) -> None:
    (in_tmp / "policy.yaml").write_bytes(b"production: main\nchangelog: a\x07b\n")
    (problem,) = problems_of(Path("policy.yaml"))
    assert problem.startswith("policy.yaml:2:13: invalid YAML: ")
    assert "#x0007" in problem


def test_duplicate_keys_are_errors_and_both_sections_are_checked(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        production: main
        rules:
          back-merge: error
        production: master
        rules:
          merge-comit: error
        """,
    )
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:4:1: at production: duplicate key (first at line 1, column 1); give each key once",
        "policy.yaml:5:1: at rules: duplicate key (first at line 2, column 1); give each key once",
        "policy.yaml:6:3: at rules.merge-comit: unknown rule 'merge-comit' (did you mean 'merge-commit'?)",
    ]


def test_duplicate_key_inside_a_waiver(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        exceptions:
          - rule: back-merge
            branch: hotfix/a
            reason: one
            reason: two
        """,
    )
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:5:5: at exceptions[0].reason: duplicate key (first at line 4, column 5); give each key once"
    ]


def test_yaml_merge_keys_are_not_duplicates(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        rules:
          back-merge: &strict {severity: error, grace_days: 1}
          hotfix-base:
            <<: {severity: warning}
            stale_severity: error
        """,
    )
    policy = load_policy(Path("policy.yaml"))
    assert policy.rules["hotfix-base"].severity is Severity.WARNING
    assert policy.rules["hotfix-base"].options == {"stale_severity": "error"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("production: !!python/name:os.system main\n", "policy.yaml:1:13: at production: could not determine"),
        ("production: !custom main\n", "policy.yaml:1:13: at production: could not determine"),
        ("production: !!set {main}\n", "policy.yaml:1:13: at production: unsupported YAML tag"),
        ("rules: &a {x: *a}\n", "at rules"),
        ("1: main\n", "policy.yaml:1:1: key 1 is not text"),
        ("? [a, b]\n: main\n", "policy.yaml:1:3: key"),
        ("---\nproduction: main\n---\nproduction: dev\n", "policy.yaml:3:1: invalid YAML: "),
        ("production: {<<: [1]}\n", "policy.yaml:1:13: at production: invalid merge key"),
    ],
    ids=["python-tag", "custom-tag", "set", "recursive-alias", "int-key", "list-key", "two-documents", "bad-merge"],
)
def test_odd_yaml_is_a_policy_error_not_a_traceback(in_tmp: Path, text: str, message: str) -> None:
    write(in_tmp, "policy.yaml", text)
    problems = problems_of(Path("policy.yaml"))
    assert any(message in p for p in problems), problems


def test_pattern_errors_point_at_the_value(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        production: [main, "support/{vresion}"]
        hotfix_branch: "hotfix/{ticket}-{slug}"
        promotion_branch: "^promote/(["
        """,
    )
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:1:20: at production[1]: unknown placeholder {vresion} in 'support/{vresion}' "
        "(known: {version}, {slug}, {date}, {ticket})",
        "policy.yaml:2:16: at hotfix_branch: 'hotfix/{ticket}-{slug}' uses {ticket} but the policy has no "
        "ticket_pattern",
        "policy.yaml:3:19: at promotion_branch: invalid regular expression '^promote/([': "
        "unterminated character set at position 10",
    ]


def test_bad_ticket_pattern_is_reported_once(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "ticket_pattern: '(OPS-[0-9]+'\nhotfix_branch: 'hotfix/{ticket}'\n")
    (problem,) = problems_of(Path("policy.yaml"))
    assert problem.startswith(
        "policy.yaml:1:17: at ticket_pattern: '(OPS-[0-9]+' is not a valid regular expression: missing ), "
    )


def test_sha_prefix_of_digits_is_text(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        since: 20240101
        exceptions:
          - {rule: merge-commit, commit: 1234567, reason: outage push}
        """,
    )
    policy = load_policy(Path("policy.yaml"))
    assert policy.since == "20240101"
    assert policy.exceptions[0].commit == "1234567"


def test_since_accepts_a_date_or_a_revision(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "since: 2024-03-01\n")
    assert load_policy(Path("policy.yaml")).since == "2024-03-01"
    write(in_tmp, "policy.yaml", "since: v1.2.0\n")
    assert load_policy(Path("policy.yaml")).since == "v1.2.0"


def test_waivers_carry_where_they_are_written(in_tmp: Path) -> None:
    write(
        in_tmp,
        "policy.yaml",
        """\
        production: main
        exceptions:
          - rule: back-merge
            branch: hotfix/old
            reason: merged back by hand
            expires: 2030-12-31

          - rule: merge-commit
            commit: 0a1b2c3d
            reason: outage
        """,
    )
    policy = load_policy(Path("policy.yaml"))
    assert [(w.rule, w.where) for w in policy.exceptions] == [
        ("back-merge", "policy.yaml:3"),
        ("merge-commit", "policy.yaml:8"),
    ]
    assert policy.exceptions[0].expires == dt.date(2030, 12, 31)
    assert policy.exceptions[0].branch == "hotfix/old"
    assert policy.exceptions[1].commit == "0a1b2c3d"


def test_user_cannot_write_where_themselves(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "exceptions:\n  - {rule: back-merge, branch: x, reason: y, __where__: z}\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:2:46: at exceptions[0].__where__: unknown key; expected one of: "
        "rule, commit, branch, reason, expires"
    ]


# --------------------------------------------------------------------------- extends


def test_extends_chain_of_pack_and_relative_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(POLICIES)
    policy = load_policy(Path("team.yaml"))
    assert policy.source == "team.yaml"
    assert policy.packs == ("default",)
    # from team.yaml itself
    assert policy.production == ("main", "support/*")
    assert policy.integration == "develop"
    assert policy.integration_retired_since == dt.date(2024, 5, 1)
    assert (policy.deployed_ref, policy.deployed_environment) == ("github-deployment", "prod")
    assert policy.since == "2024-01-01"
    # from org/base.yaml, over default
    assert policy.ticket_pattern == "[A-Z]+-[0-9]+"
    assert policy.hotfix_branch == ("hotfix/{ticket}-{slug}",)
    assert policy.release_branches == ("release/*", "rc/*")  # replaced, not concatenated
    # from default only
    assert (policy.changelog, policy.find_changelog) == (None, True)  # found at each commit
    assert policy.tag_pattern == "v{version}"
    # rules merged per rule id, and a rule's settings key by key
    assert policy.rules["back-merge"].severity is Severity.WARNING  # org
    assert policy.rules["back-merge"].options == {"accept_cherry_picks": True, "grace_days": 3}
    assert policy.rules["changelog-entry"].severity is Severity.ERROR  # team over org's off
    assert policy.rules["merge-commit"].severity is Severity.ERROR  # default
    assert policy.rules["merge-commit"].options == {"allow_authors": ["release-bot"]}
    assert policy.rules["hotfix-base"].severity is Severity.ERROR  # default
    # exceptions replaced: org's waiver is gone
    assert [(w.rule, w.where) for w in policy.exceptions] == [
        ("back-merge", "team.yaml:14"),
        ("merge-commit", "team.yaml:18"),
    ]
    assert policy.is_hotfix_name("hotfix/OPS-12-fix-login")


def test_inherited_waivers_keep_their_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(POLICIES)
    policy = load_policy(Path("org/base.yaml"))
    assert [(w.commit, w.where) for w in policy.exceptions] == [("deadbeef", "org/base.yaml:12")]
    assert policy.rules["changelog-entry"].severity is Severity.OFF


def test_later_bases_override_earlier_ones_and_the_file_overrides_all(in_tmp: Path) -> None:
    write(in_tmp, "a.yaml", "production: a\nchangelog: A.md\ntag_pattern: 'a-{version}'\n")
    write(in_tmp, "b.yaml", "production: b\nchangelog: B.md\n")
    write(in_tmp, "policy.yaml", "extends: [./a.yaml, ./b.yaml]\nproduction: mine\n")
    policy = load_policy(Path("policy.yaml"))
    assert (policy.production, policy.changelog, policy.tag_pattern) == (("mine",), "B.md", "a-{version}")
    assert policy.packs == ()


def test_severity_over_a_rule_mapping_keeps_its_options(in_tmp: Path) -> None:
    write(in_tmp, "base.yaml", "rules:\n  back-merge: {severity: error, grace_days: 2}\n  hotfix-base: warning\n")
    write(
        in_tmp,
        "policy.yaml",
        "extends: base.yaml\nrules:\n  back-merge: warning\n  hotfix-base: {stale_severity: error}\n",
    )
    policy = load_policy(Path("policy.yaml"))
    assert policy.rules["back-merge"].severity is Severity.WARNING
    assert policy.rules["back-merge"].options == {"grace_days": 2}
    assert policy.rules["hotfix-base"].severity is Severity.WARNING
    assert policy.rules["hotfix-base"].options == {"stale_severity": "error"}


def test_mappings_other_than_rules_are_replaced_whole(in_tmp: Path) -> None:
    write(in_tmp, "base.yaml", "integration: {branch: develop, retired_since: 2020-01-01}\n")
    write(in_tmp, "policy.yaml", "extends: base.yaml\nintegration: {branch: dev}\n")
    policy = load_policy(Path("policy.yaml"))
    assert (policy.integration, policy.integration_retired_since) == ("dev", None)


def test_relative_extends_resolve_against_the_extending_file(in_tmp: Path) -> None:
    write(in_tmp, "conf/shared/org.yaml", "extends: ../../root.yaml\nchangelog: docs/CHANGES.md\n")
    write(in_tmp, "root.yaml", "extends: default\nproduction: trunk\n")
    write(in_tmp, "conf/policy.yaml", "extends: shared/org.yaml\n")
    policy = load_policy(Path("conf/policy.yaml"))
    assert (policy.production, policy.changelog, policy.packs) == (("trunk",), "docs/CHANGES.md", ("default",))


def test_problems_in_a_base_point_into_the_base(in_tmp: Path) -> None:
    write(in_tmp, "base.yaml", "production: main\nrules:\n  back-merge: fatal\n")
    write(in_tmp, "policy.yaml", "extends: ./base.yaml\nhotfix_brnch: x\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:2:1: at hotfix_brnch: unknown key (did you mean 'hotfix_branch'?)",
        "base.yaml:3:15: value not among those allowed",  # a base's text is never quoted
    ]


def test_ticket_pattern_from_a_base_serves_the_extending_file(in_tmp: Path) -> None:
    write(in_tmp, "base.yaml", "ticket_pattern: 'OPS-[0-9]+'\n")
    write(in_tmp, "policy.yaml", "extends: base.yaml\nhotfix_branch: 'hotfix/{ticket}'\n")
    assert load_policy(Path("policy.yaml")).is_hotfix_name("hotfix/OPS-7")
    write(in_tmp, "policy.yaml", "extends: base.yaml\nticket_pattern: null\nhotfix_branch: 'hotfix/{ticket}'\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:3:16: at hotfix_branch: 'hotfix/{ticket}' uses {ticket} but the policy has no ticket_pattern"
    ]


def test_extends_unknown_pack(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "extends: [default, strictt]\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:1:20: at extends[1]: unknown pack 'strictt'; built-in packs: "
        + ", ".join(packs.pack_names())
        + ". To extend a file, give a path such as ./strictt.yaml"
    ]


def test_extends_missing_path(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "production: main\nextends: ./shared/base.yaml\n")
    assert problems_of(Path("policy.yaml")) == ["policy.yaml:2:10: at extends: no such file: shared/base.yaml"]


def test_extends_a_directory(in_tmp: Path) -> None:
    (in_tmp / "shared.yaml").mkdir()
    write(in_tmp, "policy.yaml", "extends: shared.yaml\n")
    assert problems_of(Path("policy.yaml")) == ["policy.yaml:1:10: at extends: is not a file: shared.yaml"]


def test_extends_of_wrong_type(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "extends: {pack: default}\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:1:10: at extends: expected a string or a list, got a mapping"
    ]


def test_extends_cycle(in_tmp: Path) -> None:
    write(in_tmp, "a.yaml", "extends: ./b.yaml\n")
    write(in_tmp, "b.yaml", "production: main\nextends: [default, ./a.yaml]\n")
    assert problems_of(Path("a.yaml")) == ["b.yaml:2:20: extends cycle"]


def test_extends_itself(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "extends: policy.yaml\n")
    assert problems_of(Path("policy.yaml")) == [
        "policy.yaml:1:10: at extends: extends cycle: policy.yaml -> policy.yaml"
    ]


def test_diamond_is_not_a_cycle_and_applies_the_shared_base_once(in_tmp: Path) -> None:
    write(in_tmp, "shared.yaml", "production: shared\nchangelog: SHARED.md\n")
    write(in_tmp, "left.yaml", "extends: shared.yaml\nchangelog: LEFT.md\n")
    write(in_tmp, "right.yaml", "extends: shared.yaml\ntag_pattern: 'r{version}'\n")
    write(in_tmp, "policy.yaml", "extends: [left.yaml, right.yaml]\n")
    policy = load_policy(Path("policy.yaml"))
    # shared.yaml is applied once, before left: right does not reset left's changelog
    assert (policy.production, policy.changelog, policy.tag_pattern) == (("shared",), "LEFT.md", "r{version}")


def test_broken_base_and_broken_file_are_reported_together(in_tmp: Path) -> None:
    write(in_tmp, "base.yaml", "production: [main\n")
    write(in_tmp, "policy.yaml", "extends: base.yaml\nchangelog: 3\n")
    problems = problems_of(Path("policy.yaml"))
    assert problems[0] == "policy.yaml:2:12: at changelog: expected a string or null, got the number 3"
    assert problems[1] == "base.yaml:2:1: invalid YAML"
    assert len(problems) == 2


# --------------------------------------------------------------------------- discovery


def test_discover_explicit_policy_wins(tmp_path: Path) -> None:
    write(tmp_path, ".hotfix-lint.yaml", "production: repo\n")
    explicit = write(tmp_path, "ci/policy.yaml", "production: explicit\n")
    policy, sentence = discover_policy(tmp_path, explicit)
    assert policy.production == ("explicit",)
    assert sentence == f"using the policy {explicit} (given with --policy)"


def test_discover_missing_explicit_policy_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, ".hotfix-lint.yaml", "production: repo\n")
    with pytest.raises(PolicyError) as info:
        discover_policy(tmp_path, tmp_path / "nope.yaml")
    assert info.value.problems == [f"{tmp_path / 'nope.yaml'}: no such policy file"]


def test_discover_repository_yaml_then_yml(tmp_path: Path) -> None:
    write(tmp_path, ".hotfix-lint.yml", "production: yml\n")
    policy, sentence = discover_policy(tmp_path, None)
    assert policy.production == ("yml",)
    assert policy.source == str(tmp_path / ".hotfix-lint.yml")
    assert sentence == "using the policy .hotfix-lint.yml at the repository root"
    write(tmp_path, ".hotfix-lint.yaml", "production: yaml\n")
    policy, sentence = discover_policy(tmp_path, None)
    assert policy.production == ("yaml",)
    assert sentence == (
        "using the policy .hotfix-lint.yaml at the repository root (.hotfix-lint.yml is ignored: keep only one of them)"
    )


def test_discover_falls_back_to_the_default_pack(tmp_path: Path) -> None:
    policy, sentence = discover_policy(tmp_path, None)
    assert policy.source == "pack:default"
    assert policy.packs == ("default",)
    assert sentence == (
        "using the built-in pack 'default' (no .hotfix-lint.yaml or .hotfix-lint.yml at the repository root)"
    )


def test_discover_reports_problems_of_the_repository_file(tmp_path: Path) -> None:
    write(tmp_path, ".hotfix-lint.yaml", "rules:\n  merge-comit: error\n")
    with pytest.raises(PolicyError) as info:
        discover_policy(tmp_path, None)
    assert info.value.problems == [
        f"{tmp_path / '.hotfix-lint.yaml'}:2:3: at rules.merge-comit: unknown rule 'merge-comit' "
        "(did you mean 'merge-commit'?)"
    ]


# --------------------------------------------------------------------------- cache and import cost


def run_python(code: str, cwd: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


LOAD_AND_REPORT = """\
    import sys
    from pathlib import Path
    from hotfix_lint.policy.loader import load_policy
    policy = load_policy(Path("policy.yaml"), cache_dir=Path("cache"))
    print(policy.rules["back-merge"].options["grace_days"], "jsonschema" in sys.modules)
"""


def test_cache_skips_jsonschema(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "extends: default\nrules:\n  back-merge: {grace_days: 1}\n")
    write(tmp_path, "policy.yaml", "extends: base.yaml\n")
    assert run_python(LOAD_AND_REPORT, tmp_path) == "1 True"  # first run validates
    assert len(list((tmp_path / "cache").iterdir())) == 1
    assert run_python(LOAD_AND_REPORT, tmp_path) == "1 False"  # marker found: no jsonschema
    # a change anywhere in the chain (here: the base) means validating again
    write(tmp_path, "base.yaml", "extends: default\nrules:\n  back-merge: {grace_days: 2}\n")
    assert run_python(LOAD_AND_REPORT, tmp_path) == "2 True"
    assert run_python(LOAD_AND_REPORT, tmp_path) == "2 False"
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_cache_never_records_an_invalid_policy(in_tmp: Path) -> None:
    write(in_tmp, "policy.yaml", "rules:\n  back-merge: fatal\n")
    for _ in range(2):
        problems_of(Path("policy.yaml"), cache_dir=in_tmp / "cache")
    assert not (in_tmp / "cache").exists() or not list((in_tmp / "cache").iterdir())


def test_cache_key_depends_on_the_tool_version(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(in_tmp, "policy.yaml", "production: main\n")
    load_policy(Path("policy.yaml"), cache_dir=in_tmp / "cache")
    monkeypatch.setattr(loader, "__version__", "999.0")
    load_policy(Path("policy.yaml"), cache_dir=in_tmp / "cache")
    assert len(list((in_tmp / "cache").iterdir())) == 2


def test_unwritable_cache_is_not_an_error(in_tmp: Path) -> None:
    write(in_tmp, "cache", "a file where the cache directory should be\n")
    write(in_tmp, "policy.yaml", "production: main\n")
    assert load_policy(Path("policy.yaml"), cache_dir=in_tmp / "cache").production == ("main",)


def test_importing_the_loader_stays_cheap(tmp_path: Path) -> None:
    out = run_python(
        """\
        import sys
        import hotfix_lint.policy.loader, hotfix_lint.policy.packs
        heavy = [m for m in ("jsonschema", "pygit2", "github", "hotfix_lint.rules.registry") if m in sys.modules]
        print(heavy)
        """,
        tmp_path,
    )
    assert out == "[]"
