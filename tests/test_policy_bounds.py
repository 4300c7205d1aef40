"""Untrusted policy input is bounded: YAML alias bombs, huge files, catastrophic regular
expressions and terminal or workflow-command text in a policy end in exit 2 with the place,
quickly, in ``check``, the git hooks and a pull request's check of its base branch's policy."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from actions_sim import actions_env, pull_request_checkout
from scenario import Scenario, build_gitflow, land_hotfix, run_check

from hotfix_lint import hooks
from hotfix_lint.policy import cache

#: generous: the bombs below took 67 s (7 levels) and never ended (9 levels) before the bounds
FAST = 5.0


def alias_bomb(levels: int = 9) -> str:
    """Billion laughs: each level is a list of nine aliases of the level before (9**levels values)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"production: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def merge_key_bomb(levels: int = 9) -> str:
    """The same with merge keys: each mapping merges nine copies of the one before."""
    lines = ["m0: &m0 {k: x}"]
    for level in range(1, levels):
        lines.append(f"m{level}: &m{level} {{<<: [" + ", ".join([f"*m{level - 1}"] * 9) + "]}")
    return "\n".join(lines) + "\n"


def check_stderr(capsys: pytest.CaptureFixture[str], repo: Scenario, *args: str) -> tuple[int, str, float]:
    capsys.readouterr()
    started = time.monotonic()
    status, _ = run_check(repo, *args)
    return status, capsys.readouterr().err, time.monotonic() - started


@pytest.mark.parametrize(
    ("text", "where"),
    [(alias_bomb(7), "bomb.yaml:4:"), (alias_bomb(9), "bomb.yaml:4:"), (merge_key_bomb(), "bomb.yaml:")],
)
def test_an_alias_bomb_is_refused_at_once_with_its_place(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    policy = tmp_path / "bomb.yaml"
    policy.write_text(text, encoding="utf-8")
    assert len(text) < 500
    os.chdir(tmp_path)
    status, err, took = check_stderr(capsys, gitflow_repo, "--policy", "bomb.yaml")
    assert status == 2, err
    assert where in err and "more than 50000 values once YAML aliases are expanded" in err, err
    assert took < FAST


def test_a_huge_policy_file_is_refused_unread(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "huge.yaml"
    policy.write_text("production: main\n" + "# padding\n" * 5_000_000, encoding="utf-8")  # 50 MB
    status, err, took = check_stderr(capsys, gitflow_repo, "--policy", str(policy))
    assert status == 2
    assert f"{policy}:1:1: the policy file is larger than 1024 KiB" in err
    assert took < FAST


def test_the_hooks_refuse_an_alias_bomb(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "hook-cache"))
    (gitflow_repo.path / ".hotfix-lint.yaml").write_text(alias_bomb(), encoding="utf-8")
    message = gitflow_repo.path / ".git" / "COMMIT_EDITMSG"
    message.write_text("Fix: something\n", encoding="utf-8")
    monkeypatch.chdir(gitflow_repo.path)
    for argv in (["pre-commit"], ["commit-msg", str(message)], ["pre-push"]):
        capsys.readouterr()
        started = time.monotonic()
        status = hooks.main(argv)
        err = capsys.readouterr().err
        assert status == 2, err
        assert ".hotfix-lint.yaml:4:" in err and "more than 50000 values" in err
        assert time.monotonic() - started < FAST


def test_a_pull_request_check_refuses_an_alias_bomb_in_the_base_branch(
    scenario: Callable[..., Scenario],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The base branch's policy chain is read out of the commit: its ``extends`` too, bounded."""
    origin = build_gitflow(scenario("origin"))
    origin.commit("Add a policy", {".hotfix-lint.yaml": "extends: ./base.yaml\n", "base.yaml": alias_bomb()})
    land_hotfix(origin, "hotfix/fix-crash", version="1.0.2", how="none", back_merge=None, integration=None, tag=False)
    pr = pull_request_checkout(origin, "hotfix/fix-crash")
    actions_env(monkeypatch, tmp_path, "pull_request", pr.payload(), pr.env())
    status, err, took = check_stderr(capsys, pr.checkout)
    assert status == 2, err
    assert "base.yaml:4:5: more than 50000 values" in err, err
    assert took < FAST


def test_policy_errors_on_stderr_neither_command_the_runner_nor_the_terminal(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy's keys and a file's name are anyone's text: shown, never acted on."""
    folder = tmp_path / "::error::owned\x1b]0;title\x07"
    folder.mkdir()
    policy = folder / "policy\r::warning::x.yaml"
    policy.write_text('"##[error]key": 1\n"::set-output name=x::\\e[31m": 2\n', encoding="utf-8")
    status, err, _ = check_stderr(capsys, gitflow_repo, "--policy", str(policy))
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "hook-cache"))
    monkeypatch.chdir(gitflow_repo.path)
    capsys.readouterr()
    assert hooks.main(["pre-commit", "--policy", str(policy)]) == 2
    hook_err = capsys.readouterr().err
    for text in (err, hook_err):
        assert status == 2 and "unknown key" in text
        assert not any(c in text for c in "\x1b\x07\r"), text
        assert "##[" not in text
        assert all(not line.lstrip().startswith("::") for line in text.splitlines()), text
        assert "\\x1b]0;title\\x07" in text and "\\x0d::warning::x.yaml" in text  # shown, escaped


# --------------------------------------------------------------------------- regular expressions


@pytest.mark.parametrize(
    ("policy", "where", "said"),
    [
        ("ticket_pattern: '(a+)+$'\n", "1:17: at ticket_pattern", "can take exponential time"),
        ("ticket_pattern: '(\\w+|-)+#\\d+'\n", "1:17: at ticket_pattern", "can take exponential time"),
        ("ticket_pattern: '\\d+\\d+x'\n", "1:17: at ticket_pattern", "can take polynomial time"),
        ("ticket_pattern: '(ABC)-\\d+ \\1'\n", "1:17: at ticket_pattern", "uses a backreference"),
        (
            "ticket_pattern: 'ABC-\\d+'\nrules:\n  ticket-reference:\n    subject_pattern: '^(\\w+\\s?)*: {ticket}'\n",
            "4:22: at rules.ticket-reference.subject_pattern",
            "can take exponential time",
        ),
        (
            "rules:\n  merge-commit:\n    allow_messages: ['^Bump', '(x+x+)+y']\n",
            "3:31: at rules.merge-commit.allow_messages[1]",
            "can take exponential time",
        ),
        ("hotfix_branch: '^hotfix/(\\w+-?)*$'\n", "1:16: at hotfix_branch", "can take exponential time"),
        (
            "rules:\n  release-tag:\n    message_pattern: '.*{version}.*x'\n",
            "3:22: at rules.release-tag.message_pattern",
            "can take polynomial time",
        ),
    ],
)
def test_a_catastrophic_regular_expression_is_a_policy_error_with_its_place(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: str, where: str, said: str
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("extends: default\n" + policy, encoding="utf-8")
    status, err, took = check_stderr(capsys, gitflow_repo, "--policy", str(path))
    line, column, key = where.split(":", 2)
    assert status == 2, err
    assert f"{path}:{int(line) + 1}:{column}:{key}: the regular expression" in err, err
    assert said in err
    assert took < FAST


def test_the_commit_msg_hook_refuses_a_catastrophic_ticket_pattern_at_once(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``(a+)+$`` on 'aaaa...a!' took minutes: the policy is refused before anything runs."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "hook-cache"))
    policy = "extends: default\nticket_pattern: '(a+)+$'\nrules:\n  ticket-reference: error\n"
    (gitflow_repo.path / ".hotfix-lint.yaml").write_text(policy, encoding="utf-8")
    gitflow_repo.branch("hotfix/fix-crash", "main", checkout=True)
    message = gitflow_repo.path / ".git" / "COMMIT_EDITMSG"
    message.write_text("a" * 30 + "!\n", encoding="utf-8")
    monkeypatch.chdir(gitflow_repo.path)
    capsys.readouterr()
    started = time.monotonic()
    status = hooks.main(["commit-msg", str(message)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert ".hotfix-lint.yaml:2:17: at ticket_pattern: the regular expression '(a+)+$' can take exponential time" in err
    assert time.monotonic() - started < FAST


def test_a_huge_message_is_searched_in_bounded_time_and_its_trailer_still_counts(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An accepted pattern is at most quadratic: on a 300 KB message that is minutes, on the
    bounded text (its beginning and its end) milliseconds."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "hook-cache"))
    policy = "extends: default\nticket_pattern: '[A-Z]+-\\d+'\nrules:\n  ticket-reference: error\n"
    (gitflow_repo.path / ".hotfix-lint.yaml").write_text(policy, encoding="utf-8")
    gitflow_repo.branch("hotfix/fix-crash", "main", checkout=True)
    message = gitflow_repo.path / ".git" / "COMMIT_EDITMSG"
    monkeypatch.chdir(gitflow_repo.path)
    for trailer, expected in (("", 1), ("\n\nRefs: ABC-130\n", 0)):
        message.write_text("Fix the crash\n\n" + "A" * 300_000 + trailer, encoding="utf-8")
        capsys.readouterr()
        started = time.monotonic()
        status = hooks.main(["commit-msg", str(message)])
        out, err = capsys.readouterr()
        assert status == expected, out + err
        assert time.monotonic() - started < FAST


def test_a_policy_of_many_wrong_values_lists_the_first_hundred(
    gitflow_repo: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """49,000 wrong values (under every cap) took 13 s, most of it to list them all."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("production: main\nversion_files:\n" + "  - 1\n" * 49_000, encoding="utf-8")
    status, err, took = check_stderr(capsys, gitflow_repo, "--policy", str(policy))
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 102, lines[:3]  # the heading, 100 problems, how many more
    assert lines[0].endswith("error: the policy has more than 100 problems:")
    assert lines[1] == f"  {policy}:3:5: at version_files[0]: expected a string, got the number 1"
    assert lines[-1].startswith("  ... and ")
    assert lines[-1].endswith(" more problems (fix the first ones, then look again)")
    assert took < FAST
