"""Hints that are safe to paste: every name in a ``fix:`` command is shell-quoted.

Branch and tag names are chosen by whoever pushes them, and git accepts ``hotfix/$(touch${IFS}x)``
or ``-x``. A reader pastes the command a hint gives into a shell; that must run git with the
name as one argument, never a command substitution, and never turn the name into an option. The
tests paste every command of every hint into ``bash -c`` (with ``git`` a function that records
its arguments) in a temporary directory and look for the file the name would create.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from scenario import Scenario, land_hotfix, make_policy, run_check

#: names git accepts that run ``touch pwned`` when pasted unquoted, or inside '...'
HOSTILE = "hotfix/$(touch${IFS}pwned)"
QUOTED = "hotfix/q'$(touch${IFS}pwned)'"
#: a tag pattern (policy input) whose tags run ``touch pwned`` when pasted unquoted
TAGGED = 'v{version};touch$IFS"pwned"'
#: a name that starts with a dash (git refuses to make it, but a ref can still be called that)
DASHED = "-hotfix$(touch${IFS}pwned)"
#: where a command in a hint begins: the start, after ": ", "&& ", "(" or "; "
_START = re.compile(r"(?:^|: |&& |\(|; )(?=git )")


def commands_in(hint: str) -> list[str]:
    """Each ``git ...`` command in ``hint``, up to where the prose goes on (names have no blanks)."""
    found = []
    for start in _START.finditer(hint):
        rest = hint[start.end() :]
        end = re.search(r" && |; | \(|\)(?:$| )|$", rest)
        found.append(rest[: end.start() if end else len(rest)])
    return found


def paste(command: str, where: Path) -> list[str]:
    """Run ``command`` with bash in ``where`` (git recording its arguments); the arguments it got."""
    record = where / "args"
    record.unlink(missing_ok=True)
    script = f'git() {{ printf "%s\\n" "$@" > {shlex.quote(str(record))}; }}\n{command}\n'
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=where, capture_output=True, text=True)
    assert proc.returncode == 0, (command, proc.stderr)
    return record.read_text(encoding="utf-8").splitlines() if record.exists() else []


def pasted_hints(report: dict[str, object] | None, tmp_path: Path) -> list[list[str]]:
    """Paste every command of every hint of ``report``; no file but the record may appear."""
    assert report is not None
    where = tmp_path / "paste"
    where.mkdir(exist_ok=True)
    calls = []
    for violation in report["violations"]:  # type: ignore[attr-defined]
        for command in commands_in(violation["hint"] or ""):
            calls.append(paste(command, where))
            assert sorted(p.name for p in where.iterdir()) == ["args"], command
    return calls


def test_shell_command_quotes_names_and_ends_options() -> None:
    from hotfix_lint.results import shell_command

    assert shell_command(["git", "merge", "--no-ff"], "hotfix/fix-crash") == "git merge --no-ff hotfix/fix-crash"
    assert shell_command(["git", "branch", "-d"], "a;b") == "git branch -d 'a;b'"
    assert shell_command(["git", "switch"], "-x") == "git switch -- -x"


def test_a_merged_hostile_branch_gives_hints_safe_to_paste(gitflow_repo: Scenario, tmp_path: Path) -> None:
    """stale-branch, back-merge and release-tag name the branch and the tag in their commands."""
    s = gitflow_repo
    land_hotfix(s, HOSTILE, back_merge=None, tag=False)
    policy = make_policy(
        hotfix_branch="hotfix/**",
        tag_pattern=TAGGED,  # a tag name from the policy: git accepts it too
        rules={
            "stale-branch": {"severity": "error", "max_age_days": 0, "after_back_merge": False},
            "release-tag": "error",
        },
    )
    _, report = run_check(s, "--now", "2025-06-01", policy=policy)
    calls = pasted_hints(report, tmp_path)
    arguments = [a for call in calls for a in call]
    assert HOSTILE in arguments  # git gets the name as one word (stale-branch, back-merge)
    assert TAGGED.format(version="X.Y.Z") in arguments  # and the tag (release-tag)
    assert len(calls) >= 4


def test_a_branch_named_like_an_option_gets_a_double_dash(gitflow_repo: Scenario, tmp_path: Path) -> None:
    s = gitflow_repo
    s.branch("hotfix/work", checkout=True)
    s.commit("Fix: something (ABC-1)")
    s.update_ref(f"refs/heads/{DASHED}", "hotfix/work")
    s.update_ref(f"refs/heads/{QUOTED}", "hotfix/work")
    for name in (DASHED, QUOTED):
        _, report = run_check(s, f"--branch={name}", "--rule", "branch-name", "--rule", "hotfix-base")
        (call,) = pasted_hints(report, tmp_path)
        assert call[:2] == ["branch", "-m"]
        assert call[2:-1] == (["--", DASHED] if name == DASHED else [QUOTED])
