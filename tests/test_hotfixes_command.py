"""``hotfix-lint hotfixes``: every hotfix's lifecycle, one row each, newest first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import TERMINAL, TERMINAL_BRANCH, WORKFLOW, assert_inert
from packs_scenarios import NOW, build_gitflow_process, build_main_development_process, build_prod_hotfix_process
from scenario import Scenario, land_hotfix

from hotfix_lint.cli import main


def run(s: Scenario, *args: str, policy: str | None = None) -> str:
    out = s.path.parent / f"hotfixes-{s.path.name}.out"
    if policy is not None:
        (s.path / ".hotfix-lint.yaml").write_text(f"extends: {policy}\n")
    assert main(["hotfixes", "--repo", str(s.path), "--now", NOW, "--output", str(out), *args]) == 0
    return out.read_text()


def rows(s: Scenario, policy: str | None = None) -> list[dict[str, object]]:
    data = json.loads(run(s, "--format", "json", policy=policy))
    assert data["version"] == 1
    return list(data["hotfixes"])


def test_gitflow_row_tells_the_whole_lifecycle(scenario: Callable[..., Scenario]) -> None:
    s = build_gitflow_process(scenario("gitflow"))
    (row,) = rows(s, "ibm-jazz")
    assert row["branch"] == "hotfix-v1.2.1" and row["line"] == "main" and row["reached_via"] == "merge commit"
    assert row["base_state"] == "deployed ref" and row["tag"] == "v1.2.1" and row["changelog"] == "yes"
    assert row["version"] == "1.2.1" and row["back_merge"] == "yes (develop)"
    assert row["branch_deleted"] == "no (local)" and row["tickets"] == ["IBM-Jazz-1234"]
    text = run(s, policy="ibm-jazz")
    header = text.splitlines()[1]
    for title in ("merged", "branch", "base", "reached via", "tag", "changelog", "version", "back-merged", "deleted"):
        assert title in header
    assert "hotfix-v1.2.1" in text and "1 hotfix(es)" in text


def test_squash_rebase_and_deleted_branches(scenario: Callable[..., Scenario]) -> None:
    s = build_main_development_process(scenario("md"), wrong="squash-into-main")
    (row,) = rows(s, "compactconnect")
    # issue 13, items 10 and 12: the branch is read from git (its merge into development has the
    # same change), not the quoted subject; the subject and the pull request have their own keys
    assert row["reached_via"] == "squash" and row["branch"] == "hotfix/fix-authentication-timeout"
    assert row["class"] == "squash" and row["pull_request"] == 12
    assert row["subject"] == "Fix authentication timeout (#12)"
    s = build_main_development_process(scenario("md"), wrong="rebase-into-main")
    (row,) = rows(s, "compactconnect")
    assert row["reached_via"] == "rebase"
    s = build_main_development_process(scenario("md"))
    (row,) = rows(s, "compactconnect")
    assert row["reached_via"] == "merge commit" and row["branch_deleted"] == "yes"
    assert row["back_merge"] == "yes (development)" and row["changelog"] == "n/a"


def test_pending_and_missing_back_merges_and_stale_bases(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, back_merge=None)
    newest, oldest = rows(gitflow_repo)
    assert newest["branch"] == "hotfix/fix-crash" and oldest["branch"] == "hotfix/fix-login-timeout"
    assert str(newest["back_merge"]).startswith("missing (develop, ")
    out = gitflow_repo.path.parent / "pending.json"
    assert main(["hotfixes", "--repo", str(gitflow_repo.path), "--now", "2025-01-06", "--format", "json",
                 "--output", str(out)]) == 0  # fmt: skip
    assert json.loads(out.read_text())["hotfixes"][0]["back_merge"].startswith("pending (develop")


def test_fast_forward_row(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/ff", how="ff", tag=False)
    newest = rows(gitflow_repo)[0]
    assert newest["reached_via"] == "fast-forward" and newest["branch"] == "hotfix/ff"


@pytest.mark.parametrize("landed", ["fast-forward", "push"])
def test_fast_forward_of_a_deleted_branch_named_by_its_back_merge(gitflow_repo: Scenario, landed: str) -> None:
    """aergo's hotfix/0.11.1: main fast-forwarded to the branch, the branch merged into develop
    ("Merge branch 'hotfix/0.11.1' into develop", second parent on main's chain) and deleted. The
    merge still names the branch main was fast-forwarded to. A push back-merged with main itself
    (``Merge branch 'main' into develop``) names no branch: it stays a direct push, no hotfix."""
    s = gitflow_repo
    if landed == "fast-forward":
        land_hotfix(s, "hotfix/ff", how="ff", tag=False, back_merge="branch")
        s.delete_branch("hotfix/ff")
    else:
        s.commit("Fix: crash", {"app/crash.py": "FIXED = 1\n"})
        s.checkout("develop")
        s.merge("main")
        s.checkout("main")
    newest = rows(s)[0]
    if landed == "fast-forward":
        assert newest["reached_via"] == "fast-forward" and newest["branch"] == "hotfix/ff", newest
        assert newest["branch_deleted"] == "yes", newest
    else:
        assert newest["branch"] == "hotfix/fix-login-timeout", newest  # the push is no hotfix row


@pytest.mark.parametrize("branch", ["hotfix/branch-alias", "patch-1"])
def test_a_pull_request_merged_into_a_hotfix_branch_is_part_of_that_hotfix(gitflow_repo: Scenario, branch: str) -> None:
    """zend-diactoros 537453d: a contributor's pull request merged into the local hotfix/296
    branch, which then landed by its own merge: one hotfix row, whatever the pull request's
    branch was called."""
    s = gitflow_repo
    s.branch("contrib", "main", checkout=True)
    s.commit("Fix: branch alias", {"composer.json": "{}\n"})
    s.branch("hotfix/296", "main", checkout=True)
    inner = s.merge("contrib", message=f"Merge pull request #296 from someone/{branch}")
    s.commit("Changelog for #296", {"app/note.py": "NOTE = 1\n"})
    s.checkout("main")
    landing = s.merge("hotfix/296", message="Merge branch 'hotfix/296'")
    listed = [r["commit"] for r in rows(s)]
    assert landing in listed and inner not in listed, listed


def test_promotion_lines_each_hotfix_once(scenario: Callable[..., Scenario]) -> None:
    s = build_prod_hotfix_process(scenario("prod"))
    found = rows(s, "gaia-gateway")
    assert [r["branch"] for r in found] == ["hotfix/fix-export", "hotfix/fix-login"]
    assert [r["line"] for r in found] == ["prod/hotfix/2025-01-12_fix-export", "prod/hotfix/2025-01-10_fix-login"]


def test_no_hotfixes(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    s.commit("Initial commit")
    s.branch("develop")
    assert "no hotfixes found" in run(s)


def test_errors_are_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hotfixes", "--repo", str(tmp_path)]) == 2
    assert "not a git repository" in capsys.readouterr().err


def test_hostile_names_and_subjects_are_shown_inert(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/" + TERMINAL_BRANCH)
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.3", how="squash", description=f"{WORKFLOW} {TERMINAL}")
    gitflow_repo.delete_branch("hotfix/fix-crash")  # nothing names the squash's branch: its subject is shown
    text = run(gitflow_repo, "--all")  # a squash of unknown source is no hotfix: listed with --all
    assert_inert(text)
    assert "hotfix/x\\x9b2J\\u2028\\u202eevil " in text  # escaped, in its column
    assert "'Fix: ::error::pwned ##\\[add-mask]s3cret \\x1b[..." in text
    json_text = run(gitflow_repo, "--format", "json", "--all")
    assert_inert(json_text)
    found = json.loads(json_text)["hotfixes"]
    assert [row["branch"] for row in found][:2] == [None, "hotfix/" + TERMINAL_BRANCH]  # exact to a reader
    assert found[0]["subject"] == f"Fix: {WORKFLOW} {TERMINAL} (#42)"
