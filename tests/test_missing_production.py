"""A production branch the policy names that does not exist is exit 2, not a pass.

A typo in ``production:``, or the default pack's ``main`` on a ``master`` repository, would
leave every history rule without history to judge. ``check`` and ``hotfixes`` exit 2 and say
what the repository has; a missing integration branch stays "could not check"; a hook that
does not read history is not affected; in the audit it is that repository's failed entry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from audit_org import ORG, Org
from scenario import Scenario, build_gitflow, describe, make_policy, run_check

from hotfix_lint.cli import main


def master_repo(s: Scenario) -> Scenario:
    """A git-flow history whose production branch is ``master``, with a release and a support line."""
    build_gitflow(s)
    s.rename_branch("main", "master")
    s.branch("release/1.1", "develop")
    s.branch("support/1.x", "master")
    s.branch("feature/login", "develop")
    return s


def test_the_default_pack_on_a_master_repository_exits_2_naming_what_exists(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    s = master_repo(scenario())
    (s.path / ".hotfix-lint.yaml").write_text("extends: default\n")  # no policy: inferred (tests/test_infer.py)
    status = main(["check", "--repo", str(s.path)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "production branch 'main'" in err and "not found" in err
    assert "the default branch is 'master'" in err
    assert "branches that look like production: master, release/1.1, support/1.x" in err
    assert "feature/login" not in err and "develop" not in err.split("production:")[-1].split("\n")[0]
    assert "set `production: master`" in err


def test_a_typo_in_production_exits_2(gitflow_repo: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_check(gitflow_repo, policy=make_policy(production="mian"))
    err = capsys.readouterr().err
    assert (status, report) == (2, None), describe(report)
    assert "production branch 'mian'" in err and "the default branch is 'main'" in err


def test_the_default_branch_is_the_remotes_head_in_a_clone(
    scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    clone = master_repo(scenario()).clone()
    clone.checkout("develop")  # HEAD's branch is not the default one: origin/HEAD says it is master
    (clone.path / ".hotfix-lint.yaml").write_text("extends: default\n")
    status = main(["check", "--repo", str(clone.path)])
    err = capsys.readouterr().err
    assert status == 2
    assert "the default branch is 'master'" in err


def test_hotfixes_exits_2_too(scenario: Callable[..., Scenario], capsys: pytest.CaptureFixture[str]) -> None:
    s = master_repo(scenario())
    (s.path / ".hotfix-lint.yaml").write_text("extends: default\n")  # no policy: inferred (tests/test_infer.py)
    assert main(["hotfixes", "--repo", str(s.path)]) == 2
    assert "production branch 'main'" in capsys.readouterr().err


def test_a_missing_integration_branch_stays_could_not_check(gitflow_repo: Scenario) -> None:
    status, report = run_check(gitflow_repo, policy=make_policy(integration="develp"))
    assert report is not None and status == 0, describe(report)
    assert any("integration branch 'develp' not found" in note for note in report["notes"]), report["notes"]
    cannot = [v for v in report["violations"] if v["rule"] == "back-merge"]
    assert cannot and all(v["kind"] == "could-not-check" for v in cannot), describe(report)


def test_a_hook_that_reads_no_history_is_not_affected(scenario: Callable[..., Scenario]) -> None:
    """pre-commit on a hotfix branch judges the branch against the lines that exist."""
    s = master_repo(scenario())
    (s.path / ".hotfix-lint.yaml").write_text(
        "extends: default\nproduction: [main, master]\n", encoding="utf-8"
    )
    s.branch("hotfix/fix-crash", "master", checkout=True)
    s.commit("Fix: crash (ABC-9)", {"app/crash.py": "X = 1\n"})
    s.write("app/crash.py", "X = 2\n")
    s.git("add", "app/crash.py")
    env = {**os.environ, "HOTFIX_LINT_CACHE_DIR": str(s.path.parent / ".cache")}
    done = subprocess.run(
        [sys.executable, "-c", "from hotfix_lint.console import run; run()", "hook", "pre-commit"],
        cwd=s.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "not found" not in done.stdout + done.stderr


@pytest.mark.slow
def test_in_the_audit_it_is_that_repositorys_failed_entry(org: Org) -> None:
    org.publish("on-main", org.gitflow("on-main"))
    org.publish("on-master", master_repo(org.scenario("on-master")))
    run = org.audit("--org", ORG)
    statuses = {e["repository"]: e["status"] for e in run.report["repositories"]}
    assert statuses == {"octo/on-main": "ok", "octo/on-master": "failed"}, run.stderr
    assert "production branch 'main'" in run.entry("octo/on-master")["error"]
    assert run.status == 3
