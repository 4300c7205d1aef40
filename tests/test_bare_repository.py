"""A bare repository opens as git opens it, with or without its ``config`` file.

Mirrors are often stored without ``config``: libgit2 then reads the folder as a work tree's
git directory and the run failed naming the parent folder. Git opens such a folder as bare.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from scenario import Scenario, land_hotfix, make_policy, run_check

from hotfix_lint.cli import main
from hotfix_lint.collect.git.repository import open_repository
from hotfix_lint.errors import RepositoryError


def _mirror_without_config(s: Scenario) -> Path:
    bare = s.clone(bare=True).path
    (bare / "config").unlink()
    return bare


def _policy_file(s: Scenario) -> Path:
    path = s.path.parent / "policy.yaml"
    path.write_text(yaml.safe_dump(make_policy()), encoding="utf-8")
    return path


def _hotfixes(repo: Path, policy: Path) -> list[dict[str, object]]:
    out = repo.parent / f"hotfixes-{repo.name}.json"
    args = ["hotfixes", "--repo", str(repo), "--policy", str(policy), "--format", "json", "--output", str(out)]
    assert main(args) == 0
    return list(json.loads(out.read_text(encoding="utf-8"))["hotfixes"])


def test_a_bare_mirror_without_config_is_checked_like_its_clone(gitflow_repo: Scenario) -> None:
    land_hotfix(gitflow_repo, "hotfix/fix-crash", version="1.0.2", back_merge=None)
    policy = _policy_file(gitflow_repo)
    mirror = _mirror_without_config(gitflow_repo)
    want_status, want = run_check(gitflow_repo, "--policy", str(policy))
    status, report = run_check(mirror, "--policy", str(policy))
    assert report is not None and want is not None
    assert status == want_status == 1
    assert [(f["rule"], f["message"]) for f in report["violations"]] == [
        (f["rule"], f["message"]) for f in want["violations"]
    ]
    rows = _hotfixes(mirror, policy)
    assert [r["branch"] for r in rows] == ["hotfix/fix-crash", "hotfix/fix-login-timeout"]
    assert rows == _hotfixes(gitflow_repo.path, policy)


def test_a_bare_mirror_without_config_opens_as_bare(gitflow_repo: Scenario) -> None:
    repo = open_repository(_mirror_without_config(gitflow_repo))
    assert repo.is_bare and repo.workdir is None


def test_a_git_directory_with_its_config_keeps_its_work_tree(gitflow_repo: Scenario) -> None:
    repo = open_repository(gitflow_repo.path / ".git")
    assert not repo.is_bare
    assert Path(repo.workdir).resolve() == gitflow_repo.path.resolve()
    bare = open_repository(gitflow_repo.clone(bare=True).path)
    assert bare.is_bare


def test_a_folder_that_only_looks_bare_is_not_a_repository(tmp_path: Path) -> None:
    fake = tmp_path / "fake.git"
    (fake / "refs").mkdir(parents=True)
    (fake / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")  # no objects/
    with pytest.raises(RepositoryError, match="not a git repository"):
        open_repository(fake)
