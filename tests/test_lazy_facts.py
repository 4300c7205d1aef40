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


def _commit_graph_index(s: Scenario, hide: str | None = None) -> Any:
    from hotfix_lint.collect.git.commit_graph import CommitGraph
    from hotfix_lint.collect.git.graph_index import HistoryIndex

    repo = pygit2.Repository(str(s.path))
    tips = [repo.revparse_single(name).id for name in ("main", "develop")]
    hidden = [repo.revparse_single(hide).id] if hide is not None else []
    return repo, HistoryIndex(CommitGraph(repo, tips, hidden))


class _CountedHeaders:
    """The real header reader, counting what it is asked for."""

    def __init__(self, repo: pygit2.Repository) -> None:
        from hotfix_lint.collect.git.lazy_facts import CommitHeaders

        self.read = CommitHeaders(repo)
        self.asked: list[str] = []

    def __call__(self, commit_id: str) -> tuple[str, str, int, str, str]:
        self.asked.append(commit_id)
        return self.read(commit_id)


def test_a_fact_from_the_index_is_the_whole_fact_and_reads_its_author_on_use(gitflow_repo: Scenario) -> None:
    from hotfix_lint.collect.git.lazy_facts import fact_from_index
    from hotfix_lint.collect.git.repository import CommitMessages, to_commit_fact

    s = gitflow_repo
    land_hotfix(s, "hotfix/fix-crash", commits=2)
    s.commit("Work by someone else", author="Else Where <else@example.com>", committer="Ci Bot <ci@example.com>")
    repo, index = _commit_graph_index(s)
    messages = CommitMessages(repo)
    headers = _CountedHeaders(repo)
    merges = 0
    for commit_id in index.graph.ids:
        lazy = fact_from_index(index, commit_id, messages, headers)  # type: ignore[arg-type]
        assert lazy is not None
        commit = repo[commit_id]
        parents = tuple(map(str, commit.parent_ids))
        assert (lazy.id, lazy.parents, lazy.commit_time) == (commit_id, parents, commit.commit_time)
        assert headers.asked == [], "nothing read before an author is asked for"
        whole = to_commit_fact(repo[commit_id], messages)
        assert lazy == whole and lazy.summary == whole.summary
        assert headers.asked == [commit_id]
        assert (lazy.author_email, lazy.committer_name) == (whole.author_email, whole.committer_name)
        assert headers.asked == [commit_id], "read once"
        kept = pickle.loads(pickle.dumps(lazy))  # noqa: S301 (our own bytes)
        assert type(kept) is CommitFact and kept == whole
        headers.asked.clear()
        merges += len(lazy.parents) == 2
    assert merges > 0


def test_a_commit_with_a_parent_outside_the_index_is_read_whole(gitflow_repo: Scenario) -> None:
    from hotfix_lint.collect.git.lazy_facts import CommitHeaders, fact_from_index
    from hotfix_lint.collect.git.repository import CommitMessages

    s = gitflow_repo
    repo, index = _commit_graph_index(s, hide="main~1")
    messages, headers = CommitMessages(repo), CommitHeaders(repo)
    graph = index.graph
    outside = [graph.ids[n] for n in range(len(graph)) if len(graph.parents(n)) != graph.arity[n]]
    inside = [graph.ids[n] for n in range(len(graph)) if len(graph.parents(n)) == graph.arity[n]]
    assert outside and inside, "the hidden commit's children have a parent outside the index"
    assert all(fact_from_index(index, c, messages, headers) is None for c in outside)
    assert all(fact_from_index(index, c, messages, headers) is not None for c in inside)
    assert fact_from_index(index, repo[inside[0]], messages, headers) is None, "a commit read already"
