"""``init`` infers the process from the history; ``check`` without a policy uses it.

Each test builds the history a team would have made and compares what is inferred with what
its maintainers would write; the misnamed variant shows the inference follows the history,
not a default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import yaml
from packs_scenarios import build_gitflow_process, build_main_development_process, build_prod_hotfix_process
from scenario import Scenario, build_gitflow, land_hotfix

from hotfix_lint.cli import main
from hotfix_lint.cli.check import use_color
from hotfix_lint.infer.families import Family, family_of
from hotfix_lint.policy.loader import load_policy


def two_hotfixes(s: Scenario, names: tuple[str, str] = ("hotfix/1.0.2", "hotfix/1.0.3")) -> Scenario:
    build_gitflow(s)
    for n, name in enumerate(names):
        land_hotfix(s, name, version=f"1.0.{n + 2}", ticket=f"ABC-{n + 200}", pr_number=50 + n)
    return s


def inferred(s: Scenario, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["init", "--repo", str(s.path), "--format", "json"]) == 0
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def values(report: dict[str, object]) -> dict[str, object]:
    found = report["values"]
    assert isinstance(found, dict)
    return {k: v["value"] for k, v in found.items()}


def test_a_git_flow_history_gives_its_own_names(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = two_hotfixes(scenario(), ("hotfix/fix-crash", "hotfix/fix-loop"))
    s.rename_branch("main", "master")
    got = values(inferred(s, capsys))
    assert got["production"] == "master"
    assert got["integration"] == "develop"
    assert got["hotfix_branch"] == "hotfix/{slug}"
    assert got["tag_pattern"] == "v{version}"
    assert got["changelog"] == "CHANGELOG.md"


def test_the_hotfix_pattern_is_the_names_actually_merged(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = two_hotfixes(scenario(), ("fix/crash-on-start", "fix/login-loop"))
    report = inferred(s, capsys)
    # build_gitflow's one hotfix/fix-login-timeout beside two fix/ branches: both families
    assert values(report)["hotfix_branch"] == ["fix/{slug}", "hotfix/{slug}"]


def test_the_written_policy_extends_the_closest_pack_with_evidence(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = two_hotfixes(scenario(), ("hotfix/fix-crash", "hotfix/fix-loop"))
    s.rename_branch("main", "master")
    assert main(["init", "--repo", str(s.path)]) == 0
    text = (s.path / ".hotfix-lint.yaml").read_text()
    policy = yaml.safe_load(text)
    assert policy["extends"] == "default"  # hotfix/{slug}, v{version}: only master differs
    assert policy["production"] == "master" and "tag_pattern" not in policy  # only what differs
    assert "# production: master - " in text and "hotfix merge(s)" in text
    assert "#   tag_pattern: v{version} - " in text  # a key the pack has is still evidenced
    assert "since: " in text


def test_seed_processes_are_recognised(scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]) -> None:
    jazz = build_gitflow_process(scenario("jazz"))
    assert inferred(jazz, capsys)["extends"] == "ibm-jazz"
    compact = build_main_development_process(scenario("compact"))
    report = inferred(compact, capsys)
    assert report["extends"] == "compactconnect"
    assert report["thin"] is True and "only 1 hotfix merge" in str(report["notes"])


def test_no_hotfix_yet_is_thin_and_falls_back_to_a_pack(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "x\n"})
    report = inferred(s, capsys)
    assert report["thin"] is True and report["extends"] == "github-flow-hotfix"  # main alone
    assert "hotfix_branch" not in values(report)
    s.branch("develop")  # no merge to go by: a develop branch is taken on its name
    assert values(inferred(s, capsys))["integration"] == "develop"


def test_since_today_is_offered(scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]) -> None:
    s = two_hotfixes(scenario())
    assert main(["init", "--repo", str(s.path), "--stdout", "--since-today"]) == 0
    text = capsys.readouterr().out
    assert "judged from the day the tool was adopted" in text
    assert yaml.safe_load(text)["since"] != values(inferred(s, capsys))["since"]


def test_check_without_a_policy_infers_and_says_so(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = two_hotfixes(scenario())
    s.rename_branch("main", "master")
    status = main(["check", "--repo", str(s.path), "--format", "json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "using a policy inferred from the history" in captured.err and "production master" in captured.err
    assert "hotfix-lint init" in captured.err
    assert json.loads(captured.out)["policy"] == "inferred from the history"


def test_check_without_a_policy_never_passes_a_missing_production(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario()
    s.commit("Initial commit", {"README.md": "x\n"})
    s.rename_branch("main", "work-in-progress")
    assert main(["check", "--repo", str(s.path)]) == 2
    assert "production branch 'main'" in capsys.readouterr().err


def test_family_names() -> None:
    assert family_of("hotfix/1.2.3") == "hotfix/"
    assert family_of("hotfix-v1.2.1") == "hotfix-"
    assert family_of("patch-1") == "patch-" and family_of("feature") is None
    assert Family("hotfix-", ("hotfix-v1.2.1", "hotfix-v1.2.2"), ()).pattern == "hotfix-v{version}"
    assert Family("hotfix/", ("hotfix/1.2.1", "hotfix/login"), ()).pattern == "hotfix/*"


def test_old_pack_names_are_aliases_with_a_notice(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    from hotfix_lint.policy import packs

    packs._noticed.clear()
    s = build_gitflow(scenario())
    (s.path / ".hotfix-lint.yaml").write_text("extends: main-development\n")
    main(["check", "--repo", str(s.path), "--format", "json"])
    err = capsys.readouterr().err
    assert "the pack 'main-development' is now called 'compactconnect'" in err
    assert "unknown pack" not in err


def test_colour_only_on_a_terminal_without_no_color() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert use_color(Tty(), {})  # type: ignore[arg-type]
    assert not use_color(Tty(), {"NO_COLOR": "1"})  # type: ignore[arg-type]


def test_the_text_report_starts_with_a_summary_and_says_each_hint_once(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = build_gitflow(scenario())
    land_hotfix(s, "hotfix/fix-crash", back_merge=None, tag=False, changelog=False)
    (s.path / ".hotfix-lint.yaml").write_text("extends: default\nrules: {release-tag: error}\n")
    main(["check", "--repo", str(s.path), "--now", "2025-06-01"])
    out = capsys.readouterr().out
    assert out.split("\n")[2:4][0] == "" and "summary" in out.split("\n\n")[1]
    block = out.split("\nhotfix/fix-crash  (")[1].split("\n\n")[0]
    hints = [line for line in block.splitlines() if line.strip().startswith("hint:")]
    assert len(hints) == len(set(hints)) and "back-merge" in block
    main(["check", "--repo", str(s.path), "--now", "2025-06-01", "--verbose"])
    verbose = capsys.readouterr().out
    assert "summary" not in verbose and "\nback-merge\n" in verbose


def test_a_baseline_hides_known_findings_only(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = build_gitflow(scenario())
    land_hotfix(s, "hotfix/fix-crash", back_merge=None)
    (s.path / ".hotfix-lint.yaml").write_text("extends: default\n")
    baseline = s.path.parent / "baseline.json"
    assert main(["baseline", "--repo", str(s.path), "--now", "2025-06-01", "--output", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["check", "--repo", str(s.path), "--now", "2025-06-01", "--baseline", str(baseline)]) == 0
    assert "known finding(s) not shown" in capsys.readouterr().out
    land_hotfix(s, "hotfix/fix-other", version="1.0.3", back_merge=None)
    assert main(["check", "--repo", str(s.path), "--now", "2025-06-01", "--baseline", str(baseline)]) == 1
    assert "hotfix/fix-other" in capsys.readouterr().out


def test_promotion_branches_are_production_lines(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = build_prod_hotfix_process(scenario())
    report = inferred(s, capsys)
    got = values(report)
    assert report["extends"] == "gaia-gateway" and report["thin"] is False
    assert got["production"] == ["main", "prod/hotfix/*"]
    assert got["promotion_branch"] == "prod/hotfix/{date}_{slug}"
    assert got["hotfix_branch"] == "hotfix/{slug}" and got["integration"] == "develop"
    assert "production" not in report["written"]  # the pack's prod/hotfix/** names the same branches
    assert main(["check", "--repo", str(s.path), "--no-ci", "--format", "json"]) == 0
    assert "production [main, prod/hotfix/*]" in capsys.readouterr().err
    # the same process with the hotfixes never merged into develop: judged as the pack would
    wrong = build_prod_hotfix_process(scenario("wrong"), "no-merge-into-develop")
    assert main(["check", "--repo", str(wrong.path), "--no-ci", "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["violations"]
    assert sorted(v["rule"] for v in found) == ["back-merge", "back-merge"]


def with_support_line(s: Scenario, hotfixes: int) -> Scenario:
    """git-flow with two hotfixes on main, and a support/1.x line cut at v1.0.1 that gets its own."""
    two_hotfixes(s)
    s.branch("support/1.x", "v1.0.1")
    for n in range(hotfixes):
        land_hotfix(
            s,
            f"hotfix/fix-old-crash-{n}",
            version=f"1.0.{n + 10}",
            start="support/1.x",
            production="support/1.x",
            integration=None,
        )
    s.checkout("main")
    return s


def test_support_lines_are_production_lines(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = with_support_line(scenario(), hotfixes=2)
    got = values(inferred(s, capsys))
    assert got["production"] == ["main", "support/*"] and "promotion_branch" not in got
    assert got["hotfix_branch"] == "hotfix/*"  # hotfix/1.0.2 beside hotfix/fix-old-crash-0: both kinds
    quiet = with_support_line(scenario("quiet"), hotfixes=0)  # a line no hotfix lands on: not production
    assert values(inferred(quiet, capsys))["production"] == "main"


def test_hotfixes_without_a_policy_infers_as_check_does(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = with_support_line(scenario(), hotfixes=2)
    s.rename_branch("main", "master")
    assert main(["hotfixes", "--repo", str(s.path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "using a policy inferred from the history" in captured.err
    table = json.loads(captured.out)
    assert table["policy"] == "inferred from the history"
    listed = {(row["branch"], row["line"]) for row in table["hotfixes"]}
    assert ("hotfix/fix-old-crash-1", "support/1.x") in listed and ("hotfix/1.0.3", "master") in listed
    (s.path / ".hotfix-lint.yaml").write_text("extends: default\nproduction: master\n")  # a policy: no inference
    assert main(["hotfixes", "--repo", str(s.path), "--format", "json"]) == 0
    listed = {(row["branch"], row["line"]) for row in json.loads(capsys.readouterr().out)["hotfixes"]}
    assert ("hotfix/fix-old-crash-1", "support/1.x") not in listed and ("hotfix/1.0.3", "master") in listed


def test_the_written_policy_loads_and_round_trips(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = build_prod_hotfix_process(scenario())
    s.rename_branch("main", "master")  # production differs from the pack: written, with a long evidence
    report = inferred(s, capsys)
    assert main(["init", "--repo", str(s.path)]) == 0
    text = (s.path / ".hotfix-lint.yaml").read_text()
    wrapped = 0
    head: int | None = None  # the indent of the key whose evidence comment runs on
    for line in text.splitlines():
        key = re.match(r"#( +)(\w+): ", line)
        if key is not None and key.group(2) in values(report):
            head = len(key.group(1))
        elif line.startswith("#") and head is not None:  # "# key: ..." then "#   more"
            assert line.startswith("#" + " " * (head + 2)) and line[head + 3] != " ", line
            wrapped += 1
        else:
            head = None
    assert wrapped >= 3
    written = yaml.safe_load(text)
    for key in report["written"]:  # type: ignore[union-attr]
        assert written[key] == values(report)[key], key
    policy = load_policy(s.path / ".hotfix-lint.yaml")
    assert policy.production == ("master", "prod/hotfix/*") and policy.hotfix_branch == ("hotfix/{slug}",)
    assert policy.promotion_branch == "prod/hotfix/{date}_{slug}" and policy.integration == "develop"
    assert main(["init", "--repo", str(s.path), "--stdout"]) == 0
    again = capsys.readouterr().out
    assert again[again.index("\nextends:") :] == text[text.index("\nextends:") :]  # the same again
