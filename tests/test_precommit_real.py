"""The hooks through the real pre-commit client, in throwaway repositories.

pre-commit installs this repository's hooks the way a team would: a
``.pre-commit-config.yaml`` names the repository and a commit, pre-commit builds a virtual
environment with ``pip install`` of that commit, and ``pre-commit install`` writes the git
hooks. Then ``git commit`` and ``git push`` run them for real.

The repository handed to pre-commit is a snapshot of this working tree (the package, the
packs, ``pyproject.toml`` and ``.pre-commit-hooks.yaml``) committed into a temporary
repository, so that uncommitted work is what gets tested. One pre-commit home
(``PRE_COMMIT_HOME``) serves the whole session: the environment is built once.
Slow (the first build installs pygit2 and the other dependencies), but part of ``.ci/run``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from scenario import Scenario, add_changelog_section, build_gitflow, changelog_section

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
SNAPSHOT_DIRS = ("hotfix_lint", "policies")
HOOK_IDS = ("hotfix-lint-pre-commit", "hotfix-lint-commit-msg", "hotfix-lint-pre-push")
POLICY = {
    "production": "main",
    "integration": "develop",
    "hotfix_branch": "hotfix/{slug}",
    "ticket_pattern": r"ABC-\d+",
    "changelog": "CHANGELOG.md",
    "rules": {"ticket-reference": "error", "changelog-entry": "error"},
}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree, committed into a repository of its own: (path, commit)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    snapshot = tmp_path_factory.mktemp("hotfix-lint-source") / "hotfix-lint"
    for name in SNAPSHOT_DIRS:
        shutil.copytree(ROOT / name, snapshot / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in SNAPSHOT_FILES:
        shutil.copy2(ROOT / name, snapshot / name)
    source = Scenario.init(snapshot, home=snapshot.parent / ".home")
    source.git("add", "-A")
    source.commit("hotfix-lint under test", allow_empty=True)
    return snapshot, source.rev("HEAD")


@pytest.fixture(scope="session")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit store for the session: the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def hooked(
    scenario: Callable[..., Scenario],
    hook_source: tuple[Path, str],
    precommit_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Scenario:
    """A git-flow repository with a remote, the policy and the three hooks installed."""
    pip_config = Path(os.path.expanduser("~/.config/pip/pip.conf"))  # the tests change HOME
    if pip_config.is_file() and "PIP_CONFIG_FILE" not in os.environ:
        monkeypatch.setenv("PIP_CONFIG_FILE", str(pip_config))
    monkeypatch.setenv("PRE_COMMIT_HOME", str(precommit_home))
    monkeypatch.setenv("PRE_COMMIT_COLOR", "never")
    monkeypatch.setenv("HOTFIX_LINT_CACHE_DIR", str(tmp_path / "hotfix-lint-cache"))
    s = build_gitflow(scenario("hooked"))
    origin = scenario("origin", bare=True)
    s.git("remote", "add", "origin", str(origin.path))
    s.push("origin", "main", "develop")
    path, rev = hook_source
    config = {"repos": [{"repo": str(path), "rev": rev, "hooks": [{"id": hook} for hook in HOOK_IDS]}]}
    (s.path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    with (s.path / ".git" / "info" / "exclude").open("a", encoding="utf-8") as exclude:
        exclude.write(".pre-commit-config.yaml\n.hotfix-lint.yaml\n")
    installed = run(s, sys.executable, "-m", "pre_commit", "install", "--install-hooks",
                    "-t", "pre-commit", "-t", "commit-msg", "-t", "pre-push")  # fmt: skip
    assert installed.returncode == 0, installed.stdout
    return s


def run(s: Scenario, *argv: str) -> subprocess.CompletedProcess[str]:
    """A command in the repository with the scenario's git environment; output interleaved."""
    return subprocess.run(
        list(argv), cwd=s.path, env=s.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )


def git(s: Scenario, *args: str) -> subprocess.CompletedProcess[str]:
    """git with its hooks (the scenario's own verbs pass --no-verify)."""
    return run(s, "git", *args)


def stage_fix(s: Scenario, *, changelog: bool = True) -> None:
    s.write("app/session.py", "RENEW = True\n")
    paths = ["app/session.py"]
    if changelog:
        section = changelog_section("1.0.2", "2025-01-06", ["session lost (ABC-130)"])
        s.write("CHANGELOG.md", add_changelog_section(s.read("CHANGELOG.md"), section))
        paths.append("CHANGELOG.md")
    s.git("add", *paths)


def test_commit_msg_refuses_a_message_without_its_ticket(hooked: Scenario) -> None:
    hooked.branch("hotfix/fix-session", "main", checkout=True)
    stage_fix(hooked)
    refused = git(hooked, "commit", "-m", "Fix: session lost")
    assert refused.returncode != 0, refused.stdout
    assert "hook id: hotfix-lint-commit-msg" in refused.stdout
    assert "[ticket-reference]" in refused.stdout
    assert hooked.rev("HEAD") == hooked.rev("main")  # nothing committed
    accepted = git(hooked, "commit", "-m", "Fix: session lost (ABC-130)")
    assert accepted.returncode == 0, accepted.stdout
    assert hooked.subject("HEAD") == "Fix: session lost (ABC-130)"


def test_pre_commit_refuses_a_badly_named_hotfix_branch(hooked: Scenario) -> None:
    hooked.branch("Hotfix_Session", "main", checkout=True)
    stage_fix(hooked)
    refused = git(hooked, "commit", "-m", "Fix: session lost (ABC-130)")
    assert refused.returncode != 0, refused.stdout
    assert "hook id: hotfix-lint-pre-commit" in refused.stdout
    assert "[branch-name]" in refused.stdout
    assert "git branch -m Hotfix_Session" in refused.stdout


def test_off_hotfix_branches_the_hooks_stay_out_of_the_way(hooked: Scenario) -> None:
    hooked.branch("feature/faster-search", "develop", checkout=True)
    hooked.write("app/search.py", "FAST = True\n")
    hooked.git("add", "app/search.py")
    done = git(hooked, "commit", "-m", "wip")
    assert done.returncode == 0, done.stdout
    pushed = git(hooked, "push", "-q", "origin", "feature/faster-search")
    assert pushed.returncode == 0, pushed.stdout


def test_pre_push_refuses_a_hotfix_branch_cut_from_the_wrong_base(hooked: Scenario) -> None:
    hooked.branch("hotfix/fix-from-develop", "develop", checkout=True)
    stage_fix(hooked)
    committed = git(hooked, "commit", "-m", "Fix: session lost (ABC-130)")
    assert committed.returncode == 0, committed.stdout
    refused = git(hooked, "push", "origin", "hotfix/fix-from-develop")
    assert refused.returncode != 0, refused.stdout
    assert "hook id: hotfix-lint-pre-push" in refused.stdout
    assert "[hotfix-base]" in refused.stdout
    assert "git rebase --onto" in refused.stdout
    assert git(hooked, "ls-remote", "--heads", "origin", "hotfix/fix-from-develop").stdout == ""


def test_pre_push_accepts_a_good_hotfix_and_refuses_a_direct_push_to_main(hooked: Scenario) -> None:
    hooked.branch("hotfix/fix-session", "main", checkout=True)
    stage_fix(hooked)
    assert git(hooked, "commit", "-m", "Fix: session lost (ABC-130)").returncode == 0
    pushed = git(hooked, "push", "-q", "origin", "hotfix/fix-session")
    assert pushed.returncode == 0, pushed.stdout
    hooked.checkout("main")
    hooked.write("app/login.py", "TIMEOUT = 31\n")
    hooked.git("add", "app/login.py")
    assert git(hooked, "commit", "-m", "Quick fix (ABC-131)").returncode == 0  # main: no commit hooks apply
    refused = git(hooked, "push", "origin", "main")
    assert refused.returncode != 0, refused.stdout
    assert "[merge-commit]" in refused.stdout
    assert "direct push" in refused.stdout
