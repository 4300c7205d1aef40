"""A policy file is data from someone else: the audit never reads a file an audited
repository's policy names (built-in packs only), never echoes a repository's policy, and
nothing (audit or ``check``) ever quotes the text of an extended file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from audit_org import ORG, Org
from scenario import Scenario, run_check
from test_policy_bounds import alias_bomb

pytestmark = pytest.mark.slow

#: what the auditor's files hold: never to be seen in anything the tool writes
SECRET = "TOPSECRET-0xC0FFEE"  # noqa: S105


def test_an_audited_repository_may_extend_built_in_packs_only(
    org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    refused = {
        "absolute": (str(secret), ":1:10:"),
        "home": ("~/secret.yaml", ":1:10:"),
        # from the audit cache's copy of the policy (CACHE/HOST/policies/octo/NAME) up to tmp_path
        "parent": ("../../../../../secret.yaml", ":1:10:"),
        "relative": ("./secret.yaml", ":1:10:"),
        "in-a-list": (["default", str(secret)], ":3:3:"),
    }
    for name, (extends, _) in refused.items():
        org.publish(name, org.gitflow(name), policy={"extends": extends})
    org.publish("pack", org.gitflow("pack"), policy={"extends": "default"})
    run = org.audit("--org", ORG)
    for name, (_, place) in refused.items():
        entry = run.entry(f"{ORG}/{name}")
        assert entry["status"] == "failed"
        assert entry["error"].startswith(
            f"the policy is broken: {ORG}/{name}:.hotfix-lint.yaml{place} "
            "a repository's policy may extend built-in packs only (compactconnect, default"
        ), entry["error"]
    assert run.entry(f"{ORG}/pack")["status"] == "ok"
    assert SECRET not in run.everything


def test_a_broken_repository_policy_is_reported_without_its_text(org: Org) -> None:
    org.publish(
        "broken",
        org.gitflow("broken"),
        policy={"extends": "default", "LEAKED-KEY": 1, "hotfix_branch": "LEAKED-VALUE/{nope}", "changelog": ["LEAKED"]},
    )
    org.publish("bad-yaml", org.gitflow("bad-yaml"))
    org.state.add_file(f"{ORG}/bad-yaml", ".hotfix-lint.yaml", "extends: default\nLEAKED: [\x1b]0;title\x07\n")
    org.publish("bomb", org.gitflow("bomb"))
    org.state.add_file(f"{ORG}/bomb", ".hotfix-lint.yaml", alias_bomb())
    started = time.monotonic()
    run = org.audit("--org", ORG)
    assert time.monotonic() - started < 60  # three clones and checks; the bomb alone never ended
    assert run.entry(f"{ORG}/bomb")["error"] == (
        f"the policy is broken: {ORG}/bomb:.hotfix-lint.yaml:4:5: more than 50000 values once YAML aliases are "
        "expanded (aliases of aliases?); a policy has a few hundred"
    )
    broken = run.entry(f"{ORG}/broken")
    assert broken["status"] == "failed"
    assert broken["error"] == (
        f"the policy is broken: {ORG}/broken:.hotfix-lint.yaml:2:1: unknown key; "
        f"{ORG}/broken:.hotfix-lint.yaml:3:16: invalid name pattern; "
        f"{ORG}/broken:.hotfix-lint.yaml:5:1: wrong type of value"
    )
    assert run.entry(f"{ORG}/bad-yaml")["error"].startswith(
        f"the policy is broken: {ORG}/bad-yaml:.hotfix-lint.yaml:2:"
    )
    assert "LEAKED" not in run.everything and "\x1b" not in run.everything


@pytest.mark.parametrize(
    "base_text",
    [
        f"{SECRET}\n",  # not a mapping
        f"production: main\ncould_not_check: {SECRET}\n",  # a value not allowed
        f"production: main\n{SECRET}: 1\n",  # an unknown key
        f"production: main\n? [{SECRET}]\n: 1\n",  # a key that is not text
        f"production: '{SECRET}{{nope}}'\n",  # a broken name pattern, found once merged
    ],
)
def test_check_never_quotes_an_extended_file(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], base_text: str
) -> None:
    base = tmp_path / "elsewhere" / "base.yaml"
    base.parent.mkdir()
    base.write_text(base_text, encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text(f"extends: {base}\nhotfix_brnch: x\n", encoding="utf-8")
    capsys.readouterr()
    status, _ = run_check(gitflow_repo, "--policy", str(policy))
    err = capsys.readouterr().err
    assert status == 2
    assert f"{base}:" in err, err  # where the problem is
    assert SECRET not in err
    # the policy's own file is quoted as ever
    assert f"{policy}:2:1: at hotfix_brnch: unknown key (did you mean 'hotfix_branch'?)" in err
