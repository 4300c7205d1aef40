"""Mirrors and partial clones miss objects: that check becomes "could not check", never a crash."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scenario import Scenario, land_hotfix, make_policy, run_check


def _drop_object(repo: Path, oid: str) -> None:
    """Delete one loose object, as a partial clone or a broken mirror would lack it."""
    loose = repo / ".git" / "objects" / oid[:2] / oid[2:]
    assert loose.exists(), "the scenario keeps objects loose"
    loose.chmod(0o644)
    loose.unlink()


def _blob(repo: Path, rev: str, path: str) -> str:
    out = subprocess.run(["git", "rev-parse", f"{rev}:{path}"], cwd=repo, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_missing_changelog_blob_is_could_not_check(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2")
    missing = _blob(s.path, "v1.0.2", "CHANGELOG.md")
    _drop_object(s.path, missing)
    status, report = run_check(s, policy=make_policy())
    assert report is not None, "no traceback: a report is written"
    found = [v for v in report["violations"] if v["rule"] == "changelog-entry"]
    assert found and all(v["kind"] == "could-not-check" for v in found), found
    assert any(missing in v["message"] for v in found)
    assert all(v["severity"] == "warning" for v in found)
    assert status == 0


def test_missing_hotfix_commit_is_could_not_check(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    hotfix = land_hotfix(s, "hotfix/fix-crash", version="1.0.2", commits=2)
    lost = hotfix.commits[0]  # the first of the hotfix's own commits
    _drop_object(s.path, lost)
    status, report = run_check(s, policy=make_policy())
    assert report is not None, "no traceback: a report is written"
    cannot = [v for v in report["violations"] if v["kind"] == "could-not-check"]
    assert cannot, report["violations"]
    assert any(lost[:10] in (v["message"] or "") for v in cannot)
    assert status in (0, 1)
