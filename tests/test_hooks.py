"""The git hook stages (``hotfix-lint hook STAGE``), run in-process through ``hooks.main``.

Each test acts out a developer's situation in a throwaway repository (a compliant git-flow
history, then a hotfix branch in the making) and runs the stage as pre-commit would: from
the top of the working tree, with pre-commit's environment variables. The policy cache
lives in a temporary directory. ``test_precommit_real.py`` runs the same stages through the
real pre-commit client.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile import TERMINAL, TERMINAL_BRANCH, WORKFLOW, assert_inert
from scenario import Scenario, add_changelog_section, changelog_section

from hotfix_lint import hook_arguments, hooks
from hotfix_lint.collect.git.checkout import branch_has_commits, find_checkout
from hotfix_lint.policy import cache, loader
from hotfix_lint.rules.registry import RULES_BY_ID

ROOT = Path(__file__).resolve().parent.parent
ZERO = "0" * 40

#: every rule of the hooks on, tickets required: what a team that adopts the hooks writes
POLICY: dict[str, Any] = {
    "production": "main",
    "integration": "develop",
    "hotfix_branch": "hotfix/{slug}",
    "release_branches": ["release/*"],
    "ticket_pattern": r"ABC-\d+",
    "changelog": "CHANGELOG.md",
    "tag_pattern": "v{version}",
    "rules": {
        "branch-name": "error",
        "hotfix-base": "error",
        "merge-commit": "error",
        "back-merge": "error",
        "changelog-entry": "error",
        "ticket-reference": "error",
    },
}


def write_policy(s: Scenario, policy: dict[str, Any] | None = None, **changes: Any) -> None:
    """``.hotfix-lint.yaml`` at the top of the working tree (untracked: history is unchanged)."""
    data = {**(policy or POLICY), **changes}
    (s.path / ".hotfix-lint.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def with_rules(**settings: Any) -> dict[str, Any]:
    return {**POLICY, "rules": {**POLICY["rules"], **{k.replace("_", "-"): v for k, v in settings.items()}}}


@pytest.fixture(autouse=True)
def hook_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean hook environment: no pre-commit or git variables, a private policy cache."""
    for name in list(os.environ):
        if name.startswith(("PRE_COMMIT", "GIT_")):
            monkeypatch.delenv(name)
    cache_dir = tmp_path / "hook-cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(cache_dir))
    return cache_dir


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run(repo, "pre-commit", env={...})``: the exit status, stdout and stderr of one stage."""

    def go(s: Scenario, *argv: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        monkeypatch.chdir(s.path)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        status = hooks.main(list(argv))
        out, err = capsys.readouterr()
        for name in env or {}:
            monkeypatch.delenv(name)
        return status, out, err

    return go


def start_hotfix(
    s: Scenario,
    name: str = "hotfix/fix-session",
    *,
    start: str = "main",
    version: str | None = None,
    changelog: bool = True,
    commit: bool = False,
    message: str = "Fix: session lost (ABC-130)",
) -> None:
    """Cut ``name`` from ``start`` and stage a fix (with a changelog entry); commit it if asked."""
    s.branch(name, start, checkout=True)
    files: dict[str, str | bytes | None] = {"app/session.py": "RENEW = True\n"}
    if changelog:
        section = changelog_section(version or "1.0.2", "2025-01-06", ["session lost (ABC-130)"])
        files["CHANGELOG.md"] = add_changelog_section(s.read("CHANGELOG.md"), section)
    if commit:
        s.commit(message, files)
    else:
        for path, text in files.items():
            assert isinstance(text, str)
            s.write(path, text)
            s.git("add", path)


def push_env(remote: str, to: str, old: str | None, local: str | None = None) -> dict[str, str]:
    """What pre-commit sets for a pre-push hook."""
    env = {"PRE_COMMIT_REMOTE_BRANCH": remote, "PRE_COMMIT_TO_REF": to, "PRE_COMMIT_LOCAL_BRANCH": local or remote}
    if old is not None:
        env["PRE_COMMIT_FROM_REF"] = old
    return env


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_refuses_a_badly_named_hotfix_branch(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, "Hotfix_Session")
    status, out, err = run(gitflow_repo, "pre-commit")
    assert status == 1, out + err
    assert "[branch-name]" in out
    assert "git branch -m Hotfix_Session hotfix/" in out
    assert "SKIP=hotfix-lint-pre-commit" in out
    assert len(out.splitlines()) < 15  # one screen


def test_pre_commit_is_silent_on_a_good_hotfix_branch(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo)
    assert run(gitflow_repo, "pre-commit") == (0, "", "")


@pytest.mark.parametrize(("before", "now", "refused"), [("error", "off", False), ("off", "error", True)])
def test_pre_commit_judges_by_the_present_era(
    gitflow_repo: Scenario, run: Run, before: str, now: str, refused: bool
) -> None:
    """With ``eras``, the hooks use the era begun most recently, not the file's base settings."""
    rules = {**POLICY["rules"], "branch-name": before}
    write_policy(
        gitflow_repo,
        rules=rules,
        eras=[{"until": "2020-01-01"}, {"since": "2020-01-02", "rules": {"branch-name": now}}],
    )
    start_hotfix(gitflow_repo, "Hotfix_Session")
    status, out, err = run(gitflow_repo, "pre-commit")
    assert (status == 1 and "[branch-name]" in out) is refused, out + err


@pytest.mark.parametrize("branch", ["main", "develop", "feature/search-v2", "release/1.1"])
def test_pre_commit_is_silent_off_hotfix_branches(gitflow_repo: Scenario, run: Run, branch: str) -> None:
    write_policy(gitflow_repo)
    if gitflow_repo.exists(branch):
        gitflow_repo.checkout(branch)
    else:
        gitflow_repo.branch(branch, "develop", checkout=True)
    gitflow_repo.write("app/other.py", "X = 1\n")
    gitflow_repo.git("add", "app/other.py")
    assert run(gitflow_repo, "pre-commit") == (0, "", "")


def test_pre_commit_only_warns_about_a_missing_changelog_entry(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)  # changelog-entry: error in the policy; a warning before the push
    start_hotfix(gitflow_repo, changelog=False)
    status, out, _ = run(gitflow_repo, "pre-commit")
    assert status == 0
    assert "warning [changelog-entry]" in out
    assert "pre-push hook refuses" in out


def test_pre_commit_counts_a_changelog_entry_committed_earlier(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, commit=True)
    gitflow_repo.write("app/session.py", "RENEW = False\n")
    gitflow_repo.git("add", "app/session.py")
    assert run(gitflow_repo, "pre-commit") == (0, "", "")


def test_pre_commit_counts_the_staged_changelog_on_the_first_commit(gitflow_repo: Scenario, run: Run) -> None:
    """A fresh hotfix branch: no commit of its own yet, the changelog only staged."""
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, version="1.0.2")
    assert run(gitflow_repo, "pre-commit") == (0, "", "")
    gitflow_repo.git("reset", "-q", "CHANGELOG.md")  # unstage it: now the commit lacks it
    status, out, _ = run(gitflow_repo, "pre-commit")
    assert (status, "warning [changelog-entry]" in out) == (0, True)


def test_pre_commit_reads_gits_temporary_index(gitflow_repo: Scenario, run: Run, tmp_path: Path) -> None:
    """``git commit -a`` stages into a temporary index named by GIT_INDEX_FILE."""
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, changelog=False)
    text = add_changelog_section(gitflow_repo.read("CHANGELOG.md"), changelog_section("1.0.2", "2025-01-06", ["x"]))
    gitflow_repo.write("CHANGELOG.md", text)  # changed, not staged in the real index
    index = tmp_path / "next-index.lock"
    env = {**gitflow_repo.env(), "GIT_INDEX_FILE": str(index)}
    for args in (["read-tree", "HEAD"], ["add", "-u"]):
        subprocess.run(["git", *args], cwd=gitflow_repo.path, env=env, check=True)
    _, out, _ = run(gitflow_repo, "pre-commit")
    assert "changelog-entry" in out  # the real index lacks the entry
    assert run(gitflow_repo, "pre-commit", env={"GIT_INDEX_FILE": str(index)}) == (0, "", "")


def test_pre_commit_honours_the_policy_severity(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo, with_rules(branch_name="warning", changelog_entry="off"))
    start_hotfix(gitflow_repo, "Hotfix_Session", changelog=False)
    status, out, _ = run(gitflow_repo, "pre-commit")
    assert status == 0
    assert "warning [branch-name]" in out
    assert "changelog-entry" not in out


def test_pre_commit_is_silent_on_a_detached_head_and_an_unborn_branch(
    gitflow_repo: Scenario, scenario: Callable[..., Scenario], run: Run
) -> None:
    write_policy(gitflow_repo)
    gitflow_repo.detach("main")
    assert run(gitflow_repo, "pre-commit") == (0, "", "")
    fresh = scenario("fresh", default_branch="hotfix/first")
    fresh.write("a.txt", "a\n")
    fresh.git("add", "a.txt")
    assert not branch_has_commits(find_checkout(fresh.path))
    assert run(fresh, "pre-commit") == (0, "", "")


def test_a_broken_policy_exits_2_with_its_position(gitflow_repo: Scenario, run: Run) -> None:
    (gitflow_repo.path / ".hotfix-lint.yaml").write_text("production: main\nrules:\n  merge-comit: error\n")
    start_hotfix(gitflow_repo)
    for stage in (["pre-commit"], ["pre-push"]):
        status, out, err = run(gitflow_repo, *stage)
        assert status == 2
        assert out == ""
        assert ".hotfix-lint.yaml:3:3: at rules.merge-comit: unknown rule 'merge-comit'" in err
        assert "did you mean 'merge-commit'" in err
        assert "Traceback" not in err


def test_the_policy_cache_follows_every_file_of_the_chain(gitflow_repo: Scenario, run: Run, hook_env: Path) -> None:
    base = gitflow_repo.path.parent / "org-base.yaml"
    base.write_text("extends: default\nrules:\n  branch-name: error\n", encoding="utf-8")
    (gitflow_repo.path / ".hotfix-lint.yaml").write_text(f"extends: {base}\n", encoding="utf-8")
    start_hotfix(gitflow_repo, "Hotfix_Session")
    assert run(gitflow_repo, "pre-commit")[0] == 1
    assert list((hook_env / "policies").iterdir())  # remembered
    assert run(gitflow_repo, "pre-commit")[0] == 1  # from the cache
    base.write_text("extends: default\nrules:\n  branch-name: warning\n", encoding="utf-8")
    status, out, _ = run(gitflow_repo, "pre-commit")  # the base changed: read again
    assert (status, "warning [branch-name]" in out) == (0, True)


def test_the_cache_is_outside_the_repository_and_can_be_off(
    gitflow_repo: Scenario, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, "Hotfix_Session")

    def snapshot() -> dict[str, int]:
        return {str(p): p.stat().st_mtime_ns for p in gitflow_repo.path.rglob("*")}

    before = snapshot()
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert run(gitflow_repo, "pre-commit")[0] == 1
    assert list((tmp_path / "xdg" / "hotfix-lint" / "policies").iterdir())
    monkeypatch.setenv(cache.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-off"))
    assert run(gitflow_repo, "pre-commit")[0] == 1
    assert not (tmp_path / "xdg-off").exists()
    assert snapshot() == before  # hotfix-lint never writes into the repository


def test_cached_policy_equals_the_loaded_one() -> None:
    for path in [ROOT / "tests" / "data" / "policies" / "team.yaml", ROOT / "policies" / "default.yaml"]:
        policy = loader.load_policy(path)
        assert cache._decode(cache._encode(policy)) == policy
    assert cache.POLICY_FILE_NAMES == loader.POLICY_FILE_NAMES
    assert cache.DEFAULT_PACK == loader.DEFAULT_PACK


# --------------------------------------------------------------------------- commit-msg


def _message(s: Scenario, text: str) -> str:
    path = s.path / ".git" / "COMMIT_EDITMSG"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Fix: session lost (ABC-130)\n", True),
        ("Fix: session lost\n", False),
        ("Fix: session lost\n\nRefs ABC-130\n", True),
        # git's comment lines are not part of the message
        ("Fix: session lost\n# ABC-130 only in a comment\n", False),
        ("Fix: session lost\n# ------------------------ >8 ------------------------\nABC-130 in the diff\n", False),
        ("Merge branch 'main' into hotfix/fix-session\n", True),
        ("fixup! Fix: session lost (ABC-130)\n", True),
        ('Revert "Fix: session lost (ABC-130)"\n\nThis reverts commit 0123456789.\n', True),
    ],
)
def test_commit_msg_checks_the_message(gitflow_repo: Scenario, run: Run, text: str, ok: bool) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo)
    status, out, _ = run(gitflow_repo, "commit-msg", _message(gitflow_repo, text))
    if ok:
        assert (status, out) == (0, ""), out
    else:
        assert status == 1
        assert "[ticket-reference]" in out
        assert "SKIP=hotfix-lint-commit-msg" in out


def test_commit_msg_is_silent_off_hotfix_branches_and_when_the_rule_is_not_chosen(
    gitflow_repo: Scenario, run: Run
) -> None:
    write_policy(gitflow_repo)
    gitflow_repo.checkout("develop")
    assert run(gitflow_repo, "commit-msg", _message(gitflow_repo, "wip\n")) == (0, "", "")
    policy = {**POLICY, "rules": {k: v for k, v in POLICY["rules"].items() if k != "ticket-reference"}}
    write_policy(gitflow_repo, policy)  # ticket-reference is opt-in: not named, not run
    start_hotfix(gitflow_repo)
    assert run(gitflow_repo, "commit-msg", _message(gitflow_repo, "wip\n")) == (0, "", "")


def test_commit_msg_needs_the_message_file(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo)
    status, _, err = run(gitflow_repo, "commit-msg")
    assert status == 2
    assert "expected the commit message file" in err


def test_commit_msg_judges_the_branch_a_rebase_is_rewriting(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, commit=True)
    tip = gitflow_repo.rev("HEAD")
    gitflow_repo.detach(tip)  # what `git rebase -i` does, with the branch in rebase-merge/head-name
    (gitflow_repo.path / ".git" / "rebase-merge").mkdir()
    (gitflow_repo.path / ".git" / "rebase-merge" / "head-name").write_text("refs/heads/hotfix/fix-session\n")
    assert find_checkout(gitflow_repo.path).branch == "hotfix/fix-session"
    assert run(gitflow_repo, "commit-msg", _message(gitflow_repo, "reworded\n"))[0] == 1


def test_find_checkout_in_a_worktree(gitflow_repo: Scenario) -> None:
    other = gitflow_repo.path.parent / "second-worktree"
    gitflow_repo.git("worktree", "add", "-q", "-b", "hotfix/in-worktree", str(other), "main")
    found = find_checkout(other / "app")
    assert (found.branch, found.workdir) == ("hotfix/in-worktree", other.resolve())
    assert branch_has_commits(found)
    gitflow_repo.git("pack-refs", "--all")  # refs now only in packed-refs
    assert branch_has_commits(find_checkout(other))


# --------------------------------------------------------------------------- pre-push


def test_pre_push_refuses_a_hotfix_branch_cut_from_develop(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, "hotfix/fix-from-develop", start="develop", commit=True)
    tip = gitflow_repo.rev("HEAD")
    status, out, _ = run(gitflow_repo, "pre-push", env=push_env("refs/heads/hotfix/fix-from-develop", tip, None))
    assert status == 1
    assert "[hotfix-base]" in out
    assert "git rebase --onto" in out
    assert "SKIP=hotfix-lint-pre-push" in out


def test_pre_push_accepts_a_good_hotfix_branch(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, commit=True)
    env = push_env("refs/heads/hotfix/fix-session", gitflow_repo.rev("HEAD"), None)
    assert run(gitflow_repo, "pre-push", env=env) == (0, "", "")


def test_pre_push_refuses_a_hotfix_branch_without_changelog_or_ticket(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, changelog=False, commit=True, message="Fix: session lost")
    env = push_env("refs/heads/hotfix/fix-session", gitflow_repo.rev("HEAD"), None)
    status, out, _ = run(gitflow_repo, "pre-push", env=env)
    assert status == 1
    assert "error [changelog-entry]" in out  # no longer only a warning
    assert "error [ticket-reference]" in out


def test_pre_push_judges_the_pushed_commit_under_the_remote_name(gitflow_repo: Scenario, run: Run) -> None:
    """``git push origin HEAD:Hotfix_Session``: the branch will be called what the remote calls it."""
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, commit=True)
    env = push_env("refs/heads/Hotfix_Session", gitflow_repo.rev("HEAD"), None, local="HEAD")
    status, out, _ = run(gitflow_repo, "pre-push", env=env)
    assert status == 1
    assert "'Hotfix_Session'" in out


def test_pre_push_refuses_a_direct_push_to_production(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    old = gitflow_repo.rev("main")
    gitflow_repo.commit("Quick fix on main (ABC-131)", {"app/login.py": "TIMEOUT = 31\n"})
    env = push_env("refs/heads/main", gitflow_repo.rev("HEAD"), old)
    status, out, _ = run(gitflow_repo, "pre-push", env=env)
    assert status == 1
    assert "[merge-commit]" in out
    assert "direct push" in out
    write_policy(gitflow_repo, with_rules(merge_commit="off"))  # a policy that allows it
    assert run(gitflow_repo, "pre-push", env=env) == (0, "", "")


def test_pre_push_to_production_judges_only_what_the_push_adds(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    old = gitflow_repo.rev("main")
    start_hotfix(gitflow_repo, version="1.0.2", commit=True)
    gitflow_repo.checkout("main")
    gitflow_repo.merge("hotfix/fix-session")
    env = push_env("refs/heads/main", gitflow_repo.rev("HEAD"), old)
    assert run(gitflow_repo, "pre-push", env=env) == (0, "", "")


def test_pre_push_to_production_judges_the_hotfixes_it_merges(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    old = gitflow_repo.rev("main")
    start_hotfix(gitflow_repo, "hotfix/fix-from-develop", start="develop", commit=True)
    gitflow_repo.checkout("main")
    gitflow_repo.merge("hotfix/fix-from-develop")
    env = push_env("refs/heads/main", gitflow_repo.rev("HEAD"), old)
    status, out, _ = run(gitflow_repo, "pre-push", env=env)
    assert status == 1
    assert "[hotfix-base]" in out
    assert "[merge-commit]" not in out


@pytest.mark.parametrize(
    "env",
    [
        push_env("refs/heads/feature/search-v2", "HEAD", None),  # not a hotfix branch
        push_env("refs/heads/develop", "HEAD", None),  # integration: nothing in the policy forbids it
        push_env("refs/tags/v1.0.2", "HEAD", None),  # a tag
        push_env("refs/heads/hotfix/fix-session", ZERO, None),  # a deletion
    ],
)
def test_pre_push_ignores_other_pushes(gitflow_repo: Scenario, run: Run, env: dict[str, str]) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, changelog=False, commit=True, message="no ticket")
    assert run(gitflow_repo, "pre-push", env=env) == (0, "", "")


def test_pre_push_by_hand_judges_the_current_branch(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, "hotfix/fix-from-develop", start="develop", commit=True)
    status, out, _ = run(gitflow_repo, "pre-push")
    assert status == 1
    assert "[hotfix-base]" in out
    options = ["--remote-branch", "refs/heads/hotfix/fix-from-develop", "--to-ref", gitflow_repo.rev("HEAD")]
    assert run(gitflow_repo, "pre-push", *options)[0] == 1


# --------------------------------------------------------------------------- command line, manifest


@pytest.mark.parametrize(
    "argv",
    [
        ["pre-commit"],
        ["commit-msg", ".git/COMMIT_EDITMSG"],
        ["pre-push", "--to-ref", "abc", "--remote-branch=refs/heads/x"],
        ["--repo", "sub", "pre-push", "--policy", "p.yaml", "--from-ref", "a", "--local-branch", "b"],
        ["commit-msg", "--", "-odd-name"],
    ],
)
def test_the_quick_argument_reader_agrees_with_argparse(argv: list[str]) -> None:
    quick = vars(hook_arguments.parse_arguments(argv))
    full = vars(hook_arguments.build_parser().parse_args(argv))
    assert quick == full


def test_unknown_arguments_get_argparse_messages(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        hooks.main(["pre-comit"])
    assert exited.value.code == 2
    assert "invalid choice: 'pre-comit'" in capsys.readouterr().err


def test_cli_dispatches_to_the_hooks(gitflow_repo: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotfix_lint.cli import main

    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, "Hotfix_Session")
    monkeypatch.chdir(gitflow_repo.path)
    assert main(["hook", "pre-commit"]) == 1


def test_manifest_matches_the_stages() -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in manifest] == [hook_arguments.HOOK_IDS[stage] for stage in hook_arguments.STAGES]
    for hook, stage in zip(manifest, hook_arguments.STAGES, strict=True):
        assert hook["entry"] == f"hotfix-lint hook {stage}"
        assert hook["stages"] == [stage]
        assert hook["language"] == "python"
        assert hook["always_run"] is True
        assert hook["pass_filenames"] is (stage == "commit-msg")  # the message file is the argument


def test_stage_rules_are_registry_rules() -> None:
    staged = {i for stage in hook_arguments.STAGE_RULES.values() for i in stage}
    ids = staged | set(hook_arguments.PRODUCTION_PUSH_RULES)
    for rule_id in ids:
        assert hooks.stage_rule_classes([rule_id]) == [RULES_BY_ID[rule_id]]


# --------------------------------------------------------------------------- what a hook imports

HEAVY = ("jsonschema", "yaml", "github", "requests", "hotfix_lint.rules.registry", "hotfix_lint.facts.github")
#: what only the history walk, waivers and a printed report need: a hook judging a branch (with
#: no exceptions in its policy, nothing to print) does not define their records
NOT_FOR_A_BRANCH = {
    "hotfix_lint.collect.git.history",
    "hotfix_lint.facts.history",
    "hotfix_lint.facts.refs",
    "hotfix_lint.policy.waivers",
    "hotfix_lint.report.model",
}
IMPORTS = """\
import json, sys
from hotfix_lint.cli import main
status = main(sys.argv[1:])
print(json.dumps([status, sorted(sys.modules)]))
"""


def _imports(s: Scenario, *argv: str) -> tuple[int, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS, "hook", *argv], cwd=s.path, env=env, capture_output=True, text=True, check=False
    )
    status, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return status, set(modules)


def test_hooks_import_only_what_they_use(gitflow_repo: Scenario) -> None:
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo)
    message = _message(gitflow_repo, "Fix: session lost (ABC-130)\n")
    first, modules = _imports(gitflow_repo, "pre-commit")  # validates the policy, fills the cache
    assert first == 0
    assert "jsonschema" in modules or "yaml" in modules
    status, modules = _imports(gitflow_repo, "commit-msg", message)
    assert status == 0
    assert not {m for m in modules if m.split(".")[0] == "pygit2"}
    assert not modules & NOT_FOR_A_BRANCH
    assert not {m for m in modules for h in HEAVY if m == h or m.startswith(h + ".")}
    assert {m for m in modules if m.startswith("hotfix_lint.rules.") and m.count(".") == 2} <= {
        "hotfix_lint.rules.ticket_reference",
        "hotfix_lint.rules.base",
        "hotfix_lint.rules.common",
    }
    status, modules = _imports(gitflow_repo, "pre-commit")
    assert status == 0
    assert "pygit2" in modules
    assert not modules & NOT_FOR_A_BRANCH
    assert "hotfix_lint.facts.changelog" not in modules  # the branch's name has no version to look for
    assert not {m for m in modules for h in HEAVY if m == h or m.startswith(h + ".")}
    assert "hotfix_lint.rules.merge_commit" not in modules
    assert not {m for m in modules if m.startswith("hotfix_lint.report.")}  # nothing to print
    gitflow_repo.checkout("develop")
    status, modules = _imports(gitflow_repo, "pre-commit")
    assert status == 0
    assert not {m for m in modules if m.split(".")[0] == "pygit2" or m.startswith("hotfix_lint.rules.")}


def test_hook_help_lists_the_stages() -> None:
    text = hook_arguments.build_parser().format_help()
    for stage in hook_arguments.STAGES:
        assert stage in text
    assert "PRE_COMMIT_TO_REF" in text
    assert textwrap.dedent(hooks.__doc__ or "").count("pre-push") >= 2


def test_pre_push_to_production_notes_main_moved_during_review(gitflow_repo: Scenario, run: Run) -> None:
    """The hotfix was cut from main's tip, then main moved on while it was in review: not stale
    (issue 13, item 6: judged from when the work started), but the optional note says so."""
    write_policy(gitflow_repo)
    start_hotfix(gitflow_repo, version="1.0.3", commit=True)
    gitflow_repo.checkout("main")
    gitflow_repo.branch("hotfix/fix-other", checkout=True)
    section = changelog_section("1.0.2", "2025-01-06", ["ABC-140"])
    text = add_changelog_section(gitflow_repo.read("CHANGELOG.md"), section)
    gitflow_repo.commit("Fix: other (ABC-140)", {"app/other.py": "X = 2\n", "CHANGELOG.md": text})
    gitflow_repo.checkout("main")
    gitflow_repo.merge("hotfix/fix-other")
    old = gitflow_repo.rev("main")  # pushed already: the remote has it
    gitflow_repo.merge("hotfix/fix-session")
    env = push_env("refs/heads/main", gitflow_repo.rev("HEAD"), old)
    status, out, _ = run(gitflow_repo, "pre-push", env=env)
    assert status == 0, out
    assert "[hotfix-base]" not in out
    write_policy(gitflow_repo, with_rules(hotfix_base={"severity": "error", "moved_during_review": "warning"}))
    status, out, _ = run(gitflow_repo, "pre-push", env=env)
    assert status == 0, out
    assert "warning [hotfix-base]" in out
    assert "while it was in review" in out


def test_hook_output_shows_terminal_controls_escaped(gitflow_repo: Scenario, run: Run) -> None:
    write_policy(gitflow_repo)
    name = "Hotfix_" + TERMINAL_BRANCH
    start_hotfix(gitflow_repo, name)
    status, out, err = run(gitflow_repo, "pre-commit")
    assert status == 1, out + err
    assert_inert(out)
    assert "x\\x9b2J\\u2028\\u202eevil" in out
    gitflow_repo.git("stash")
    start_hotfix(gitflow_repo, start="main")
    status, out, err = run(gitflow_repo, "commit-msg", _message(gitflow_repo, f"Fix: {TERMINAL} {WORKFLOW}\n"))
    assert status == 1
    assert_inert(out)
    assert "\\x1b]0;pwned\\x07" in out
