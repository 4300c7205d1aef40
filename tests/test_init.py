"""``hotfix-lint init --preset NAME``: a commented policy that extends a built-in pack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from scenario import Scenario

from hotfix_lint.cli import main
from hotfix_lint.policy.loader import load_policy
from hotfix_lint.policy.packs import pack_names
from hotfix_lint.scaffold import policy_text


@pytest.mark.parametrize(
    "preset", ["default", "gitflow", "github-flow-hotfix", "compactconnect", "ibm-jazz", "gaia-gateway"]
)
def test_init_writes_a_valid_commented_policy(
    scenario: Callable[..., Scenario], preset: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario()
    s.commit("Initial commit")
    assert main(["init", "--preset", preset, "--repo", str(s.path)]) == 0
    target = s.path / ".hotfix-lint.yaml"
    assert f"wrote {target}" in capsys.readouterr().out
    text = target.read_text()
    assert yaml.safe_load(text) == {"extends": preset}  # everything else is commented out
    policy = load_policy(target)
    assert policy.packs == (preset,)
    # every key of the pack is shown, commented out, with its value
    pack = (Path(__file__).resolve().parent.parent / "policies" / f"{preset}.yaml").read_text()
    for line in pack.splitlines():
        if line.strip() and not line.startswith("#"):
            assert f"# {line}" in text


def test_an_uncommented_line_overrides_the_pack(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit")
    main(["init", "--preset", "ibm-jazz", "--repo", str(s.path)])
    target = s.path / ".hotfix-lint.yaml"
    target.write_text(target.read_text().replace('# ticket_pattern: "IBM-Jazz-\\\\d+"', 'ticket_pattern: "OPS-\\\\d+"'))
    assert load_policy(target).ticket_pattern == r"OPS-\d+"


def test_init_keeps_an_existing_policy_unless_forced(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = scenario()
    s.commit("Initial commit")
    (s.path / ".hotfix-lint.yml").write_text("production: trunk\n")
    assert main(["init", "--preset", "gitflow", "--repo", str(s.path)]) == 2
    assert ".hotfix-lint.yml already exists; use --force" in capsys.readouterr().err
    assert main(["init", "--preset", "gitflow", "--repo", str(s.path), "--force"]) == 0
    assert "extends: gitflow" in (s.path / ".hotfix-lint.yml").read_text()
    assert not (s.path / ".hotfix-lint.yaml").exists()


def test_unknown_preset_says_what_exists(scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]) -> None:
    s = scenario()
    s.commit("Initial commit")
    assert main(["init", "--preset", "gitflw", "--repo", str(s.path)]) == 2
    err = capsys.readouterr().err
    assert "unknown pack 'gitflw' (did you mean 'gitflow'?)" in err and "Traceback" not in err
    assert not (s.path / ".hotfix-lint.yaml").exists()


def test_init_outside_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--preset", "gitflow", "--repo", str(tmp_path)]) == 2
    assert "not a git repository" in capsys.readouterr().err


def test_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--preset", "prod-hotfix", "--stdout"]) == 0
    assert capsys.readouterr().out == policy_text("prod-hotfix")


def test_every_pack_is_a_preset() -> None:
    for name in pack_names():
        assert f"extends: {name}\n" in policy_text(name)
