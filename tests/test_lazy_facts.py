"""Issue 14 (memory): a history's commit messages and release-point changelogs are read on use.

The facts keep the ids (the commit's, the changelog blob's) and read the text from the
repository when a rule asks: rules see the same text as before, findings quote it as git has
it and outputs show it inert, and a pickled fact (the audit's cache) carries the text itself.
"""

from __future__ import annotations

import pickle
from typing import Any

import pygit2
from hostile import TERMINAL, TERMINAL_SHOWN, assert_no_terminal_control
from scenario import Scenario, assert_only, land_hotfix, make_policy, run_check

from hotfix_lint.collect.gather import gather
from hotfix_lint.facts import CommitFact, FileSnapshot
from hotfix_lint.facts.kinds import GIT_HISTORY
from hotfix_lint.policy.loader import load_pack

LONG = "x" * 5000


def _history(s: Scenario) -> Any:
    facts = gather(s.path, load_pack("default"), frozenset({GIT_HISTORY}), branch=None, since=None, now=1_760_000_000)
    assert facts.history is not None
    return facts.history


def test_history_facts_keep_no_message_and_read_git_s(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    made = land_hotfix(s, "hotfix/fix-crash", commits=2)
    history = _history(s)
    (hotfix,) = [h for line in history.production for h in line.hotfixes if h.source == "hotfix/fix-crash"]
    repo = pygit2.Repository(str(s.path))
    commits = [*hotfix.own_commits, *(c for line in history.production for c in line.first_parent)]
    assert hotfix.merge is not None and hotfix.merge.id == made.merge
    for commit in [hotfix.merge, *commits]:
        assert commit.stored_message is None, commit.id
        assert commit.message == repo[commit.id].message
        assert commit.summary == s.subject(commit.id)
    again = pickle.loads(pickle.dumps(hotfix.merge))  # noqa: S301 (our own bytes)
    assert again.stored_message == hotfix.merge.message and again.source is None and again == hotfix.merge


def test_the_changelog_at_a_release_point_is_read_on_use(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2")
    history = _history(s)
    (hotfix,) = [h for line in history.production for h in line.hotfixes if h.source == "hotfix/fix-crash"]
    snapshot = hotfix.changelog
    assert snapshot is not None and snapshot.exists
    assert snapshot.stored_text is None and snapshot.blob is not None
    repo = pygit2.Repository(str(s.path))
    blob = repo[hotfix.release_point].peel(pygit2.Tree)["CHANGELOG.md"]
    assert snapshot.blob == str(blob.id) and snapshot.text == repo[blob.id].data.decode()
    assert "## [1.0.2]" in snapshot.text
    again = pickle.loads(pickle.dumps(snapshot))  # noqa: S301 (our own bytes)
    assert again.stored_text == snapshot.text and again.blob is None and again == snapshot
    absent = FileSnapshot("CHANGELOG.md", snapshot.commit, None)
    assert not absent.exists and absent.text is None


def test_the_changelog_rule_still_fires_and_stays_silent(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", version="1.0.2")
    status, report = run_check(s, policy=make_policy(only="changelog-entry"))
    assert status == 0, report
    land_hotfix(s, "hotfix/fix-other", version="1.0.3", changelog=False)
    status, report = run_check(s, policy=make_policy(only="changelog-entry"))
    (v,) = assert_only(report, "changelog-entry")
    assert "has no section for 1.0.3" in v["message"] and "`## [1.0.3] - YYYY-MM-DD`" in v["hint"], v


def test_a_lazily_read_subject_is_quoted_as_git_has_it_and_shown_inert(gitflow_repo: Scenario) -> None:
    s = gitflow_repo
    s.checkout("main")
    s.commit(f"Direct {TERMINAL} {LONG}", {"direct.txt": "x\n"})
    _, report = run_check(s, policy=make_policy(only="merge-commit"))
    (v,) = assert_only(report, "merge-commit")
    assert f"'Direct {TERMINAL} {LONG}'" in v["message"]
    from hotfix_lint.cli import main

    out = s.path.parent / "report.txt"
    main(["check", "--repo", str(s.path), "--verbose", "--format", f"text={out}"])
    shown = out.read_text(encoding="utf-8")
    assert TERMINAL_SHOWN in shown
    assert_no_terminal_control(shown)


def test_a_commit_fact_needs_its_message_or_a_source() -> None:
    import pytest

    with pytest.raises(ValueError):
        CommitFact("a" * 40, (), None, "n", "e", 0, "n", "e", 0)
    read: list[str] = []

    def source(commit: str) -> str:
        read.append(commit)
        return "Subject\n\nbody"

    fact = CommitFact("a" * 40, (), None, "n", "e", 0, "n", "e", 0, source=source)
    assert fact.summary == "Subject" and read == ["a" * 40]
    assert fact.with_parents(("b" * 40,)).message == "Subject\n\nbody"


def test_opening_a_repository_bounds_libgit2_s_cache(gitflow_repo: Scenario) -> None:
    from hotfix_lint.collect.git.repository import CACHE_SIZE, open_repository

    open_repository(gitflow_repo.path)
    assert pygit2.settings.cached_memory[1] == CACHE_SIZE
