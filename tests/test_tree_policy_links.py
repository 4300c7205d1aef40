"""In CI the policy is read from the base branch's commit: a policy file (or a folder on the
way to an extended file) that is a symbolic link is followed inside that commit's tree, never
on the disk; a link that leaves the tree or loops is exit 2 with what is wrong."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml
from actions_sim import actions_env, pull_request_checkout
from scenario import Scenario, build_gitflow, describe, land_hotfix, make_policy, run_check, violations

POLICY = make_policy(rules={"merge-commit": {"allow_messages": ["^Add the hotfix policy"]}})
LOOSE = make_policy(rules={"branch-name": "off", "changelog-entry": "off"})


def commit_tree(s: Scenario, message: str, files: Mapping[str, str], links: Mapping[str, str]) -> None:
    """Commit ``files`` and symbolic links ``{path: target}`` on the current branch."""
    for path, text in files.items():
        s.write(path, text)
    for path, target in links.items():
        (s.path / path).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, s.path / path)
    s.git("add", "--", *files, *links)
    s.commit(message, {})


def pull_request(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: Mapping[str, str],
    links: Mapping[str, str],
) -> Scenario:
    """A base branch whose policy is made of ``files`` and ``links``, and a pull request of a
    misnamed hotfix branch that also rewrites every policy file it can (``LOOSE``)."""
    origin = build_gitflow(scenario("origin"))
    commit_tree(origin, "Add the hotfix policy", files, links)
    land_hotfix(origin, "hotfix/Fix_Crash", version="1.0.2", how="none", back_merge=None, integration=None, tag=False)
    origin.checkout("hotfix/Fix_Crash")
    origin.commit("Relax", {path: yaml.safe_dump(LOOSE) for path in files})
    origin.checkout("main")
    pr = pull_request_checkout(origin, "hotfix/Fix_Crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    return pr.checkout


@pytest.mark.parametrize(
    ("files", "links"),
    [
        ({"config/hotfix-lint.yaml": yaml.safe_dump(POLICY)}, {".hotfix-lint.yaml": "config/hotfix-lint.yaml"}),
        # a link to a link, through a folder and back up
        (
            {"config/real.yaml": yaml.safe_dump(POLICY)},
            {".hotfix-lint.yaml": "config/link.yaml", "config/link.yaml": "../config/./real.yaml"},
        ),
        # an extended file reached through a linked folder
        (
            {".hotfix-lint.yaml": "extends: ./shared/team.yaml\n", "policies/team.yaml": yaml.safe_dump(POLICY)},
            {"shared": "policies"},
        ),
    ],
)
def test_a_linked_policy_is_followed_inside_the_base_commit(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: Mapping[str, str],
    links: Mapping[str, str],
) -> None:
    checkout = pull_request(scenario, tmp_path, monkeypatch, files, links)
    capsys.readouterr()
    status, report = run_check(checkout)
    err = capsys.readouterr().err
    assert violations(report, "branch-name"), describe(report) + err
    assert status == 1
    assert "read from the base branch main" in err


@pytest.mark.parametrize(
    ("links", "said"),
    [
        ({".hotfix-lint.yaml": "/etc/hostname"}, "a symbolic link points outside the repository ('/etc/hostname')"),
        ({".hotfix-lint.yaml": "../outside.yaml"}, "a symbolic link leads outside the repository"),
        ({".hotfix-lint.yaml": "config/../../outside.yaml"}, "a symbolic link leads outside the repository"),
        ({".hotfix-lint.yaml": "a.yaml", "a.yaml": "b.yaml", "b.yaml": "a.yaml"}, "more than 16 symbolic links"),
    ],
)
def test_a_link_out_of_the_tree_or_in_a_loop_is_an_error(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    links: Mapping[str, str],
    said: str,
) -> None:
    # next to the clone: what a link out of the tree would reach on the disk
    (tmp_path / "outside.yaml").write_text(yaml.safe_dump(LOOSE), encoding="utf-8")
    checkout = pull_request(scenario, tmp_path, monkeypatch, {"config/README": "policies\n"}, links)
    capsys.readouterr()
    status, report = run_check(checkout)
    err = capsys.readouterr().err
    assert status == 2 and report is None, err
    assert f"error: .hotfix-lint.yaml: in the base branch's commit {checkout.rev('origin/main')[:7]}, {said}" in err


def test_an_extended_file_linked_out_of_the_tree_is_an_error(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = {".hotfix-lint.yaml": "extends: ./team.yaml\n"}
    checkout = pull_request(scenario, tmp_path, monkeypatch, files, {"team.yaml": "/etc/hostname"})
    capsys.readouterr()
    status, _ = run_check(checkout)
    err = capsys.readouterr().err
    assert status == 2
    assert "team.yaml: in the base branch's commit" in err and "points outside the repository" in err
