"""``collect.git.graph_index``: the commit graph read once answers what git's walks answered."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest
from scenario import Scenario

from hotfix_lint.collect.git.commit_graph import CommitGraph
from hotfix_lint.collect.git.first_parent_reach import FirstParentReach
from hotfix_lint.collect.git.graph_index import HistoryIndex
from hotfix_lint.collect.git.history import HistoryCollector
from hotfix_lint.collect.git.reach import IntegrationReach
from hotfix_lint.collect.git.reader import GitReader
from hotfix_lint.policy.loader import load_policy
from hotfix_lint.progress import LARGE, HistoryProgress


def _tangled(s: Scenario) -> dict[str, str]:
    """main and develop with a topic cut from an old base, merged both ways, and a criss-cross."""
    marks = {"root": s.commit("Initial commit")}
    s.branch("develop", checkout=True)
    marks["d1"] = s.commit("Develop work 1")
    s.branch("topic/old-base", checkout=True)
    marks["t1"] = s.commit("Topic work 1")
    s.checkout("develop")
    for i in range(5):
        s.commit(f"Develop work {i + 2}")
    s.checkout("topic/old-base")
    marks["t2"] = s.commit("Topic work 2")
    s.checkout("develop")
    marks["into-develop"] = s.merge("topic/old-base")
    s.checkout("main")
    marks["m1"] = s.commit("Fix on main")
    s.branch("hotfix/x", checkout=True)
    marks["h1"] = s.commit("Hotfix x 1")
    s.merge("topic/old-base", message="Merge the topic into the hotfix")
    marks["h2"] = s.commit("Hotfix x 2")
    s.checkout("main")
    marks["hotfix-merge"] = s.merge("hotfix/x")
    s.checkout("develop")
    marks["sync"] = s.merge("main")
    s.checkout("main")
    marks["release"] = s.merge("develop")  # criss-cross: main and develop merged both ways
    marks["after"] = s.commit("After the release")
    return marks


def _rev_list(s: Scenario, *args: str) -> list[str]:
    out = s.git("rev-list", *args)
    return out.split() if out else []


def test_only_is_git_rev_list_tip_not_hide(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    _tangled(s)
    repo = pygit2.Repository(str(s.path))
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main")), pygit2.Oid(hex=s.rev("develop"))])
    assert len(graph) == len(_rev_list(s, "main", "develop"))
    ids = graph.ids
    for tip in ids:
        for hide in ids[:: max(1, len(ids) // 7)]:
            found = [ids[n] for n in graph.only(graph.index[tip], graph.index[hide])]
            assert sorted(found) == sorted(_rev_list(s, tip, f"^{hide}")), (tip, hide)
            gens = [graph.gens[graph.index[c]] for c in found]
            assert gens == sorted(gens, reverse=True)  # children before parents


@pytest.mark.parametrize("lines", [(), ("main",), ("main", "develop")])
def test_descendant_of_agrees_with_git(scenario: Callable[..., Scenario], lines: tuple[str, ...]) -> None:
    s = scenario()
    _tangled(s)
    repo = pygit2.Repository(str(s.path))
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main")), pygit2.Oid(hex=s.rev("develop"))])
    index = HistoryIndex(graph)
    for line in lines:  # a walk decides at the first commit of these chains it meets
        index.line(s.rev(line))
    for a in graph.ids:
        for b in graph.ids:
            expected = bool(repo.descendant_of(pygit2.Oid(hex=a), pygit2.Oid(hex=b)))
            assert index.descendant_of(a, b) is expected, (a, b)
    assert index.descendant_of("0" * 40, graph.ids[0]) is None  # not in the index: ask git


def test_first_parent_reach_answers_as_integration_reach(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    _tangled(s)
    repo = pygit2.Repository(str(s.path))
    tip = s.rev("develop")
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main")), pygit2.Oid(hex=tip)])
    newest = max(graph.times)
    for cutoff in (None, newest, newest - 10):
        old, new = IntegrationReach(repo, tip, cutoff), FirstParentReach(graph, tip, cutoff)
        for commit in graph.ids:
            assert old.reached(commit) == new.reached(commit), (cutoff, commit)
        _same_steps(old, new, newest)


def test_own_commits_of_a_merge_are_what_arrived_with_it(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    marks = _tangled(s)
    repo = pygit2.Repository(str(s.path))
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main"))])
    index = HistoryIndex(graph)
    index.line(s.rev("main"))
    merge = marks["hotfix-merge"]
    mainline, tip = s.parents(merge)
    own = index.own(tip, mainline, merge)
    assert own is not None
    assert sorted(own) == sorted(_rev_list(s, tip, f"^{mainline}"))
    assert {marks["h1"], marks["h2"], marks["t1"], marks["t2"]} <= set(own)
    assert own[0] == tip  # children first: the tip, then down to the base
    assert index.own(tip, mainline) == own  # the same by paint-down, without the merge
    reader = GitReader(repo, load_policy(_policy(s.path)))
    walked, _, _ = reader.own_commits(pygit2.Oid(hex=tip), pygit2.Oid(hex=mainline))
    assert sorted(c.id for c in walked) == sorted(own)


def test_own_paint_down_stopped_by_line_reaches_is_git_rev_list(scenario: Callable[..., Scenario]) -> None:
    """With the lines' reaches read, a paint-down stops where ``hide`` reaches a chain commit:
    the answer is still ``git rev-list tip ^hide`` for every pair, on and off the chains."""
    s = scenario()
    _tangled(s)
    repo = pygit2.Repository(str(s.path))
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main")), pygit2.Oid(hex=s.rev("develop"))])
    index = HistoryIndex(graph)
    index.line(s.rev("main"))
    index.line(s.rev("develop"))
    pruned = 0
    for tip in graph.ids:
        for hide in graph.ids:
            own = index.own(tip, hide)
            assert own is not None
            assert sorted(own) == sorted(_rev_list(s, tip, f"^{hide}")), (tip, hide)
            pruned += bool(index._hidden_from(graph.index[hide]))
    assert pruned  # the stop was taken


def test_own_line_reach_follows_a_pull_merge_server_side(scenario: Callable[..., Scenario]) -> None:
    """A line's own chain through a pull merge's second parent: each commit's step is the oldest
    chain commit that contains it (what the binary search over the chain answered)."""
    s = scenario()
    s.commit("Initial commit")
    s.branch("server", checkout=True)
    s.commit("Pushed by someone else")
    s.branch("topic", checkout=True)
    s.commit("Topic work")
    s.checkout("server")
    s.merge("topic")
    s.checkout("main")
    s.commit("Local work")
    pull = s.merge("server", message="Merge branch 'main' of github.com:o/r into main")
    s.commit("After the pull")
    repo = pygit2.Repository(str(s.path))
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main"))])
    index = HistoryIndex(graph)
    tip = s.rev("main")
    local, server = s.parents(pull)
    own = [tip, pull, *s.first_parents(server)]
    reach = index.own_line(tip, own)
    assert reach is not None and [graph.ids[n] for n in reach.chain] == own[::-1]
    for commit in graph.ids:
        containing = [c for c in own if s.is_ancestor(commit, c)]
        step = reach.step_of(commit)
        assert (graph.ids[reach.chain[step]] if step is not None else None) == containing[-1], commit
    assert reach.step_of(local) == reach.chain.index(graph.index[pull])  # the pushed side came with it
    assert index.own_line(s.rev("server"), [s.rev("server"), s.first_parents(server)[-1]]) is None  # not linked
    commits = [repo[c].peel(pygit2.Commit) for c in own]
    newest = max(graph.times)
    for cutoff in (None, newest, newest - 10):  # integration's own chain: the same as IntegrationReach's
        old = IntegrationReach(repo, tip, cutoff, commits)
        new = FirstParentReach(graph, tip, cutoff, chain=[graph.index[c] for c in own])
        for commit in graph.ids:
            assert old.reached(commit) == new.reached(commit), (cutoff, commit)
        _same_steps(old, new, newest)


def test_merge_base_with_a_line_commit_is_git_merge_base(scenario: Callable[..., Scenario]) -> None:
    """From any commit to a commit of main's chain: git's merge base, or "ask git" (``None``)
    only where there is more than one candidate (the criss-cross) or the commit is off the chain."""
    s = scenario()
    marks = _tangled(s)
    repo = pygit2.Repository(str(s.path))
    graph = CommitGraph(repo, [pygit2.Oid(hex=s.rev("main")), pygit2.Oid(hex=s.rev("develop"))])
    index = HistoryIndex(graph)
    tip = s.rev("main")
    chain = s.first_parents("main")
    answered = 0
    for commit in graph.ids:
        for base in graph.ids:
            found = index.merge_base(tip, commit, base)
            if base not in chain:
                assert found is None
                continue
            if found is None:
                continue
            expected = repo.merge_base(pygit2.Oid(hex=commit), pygit2.Oid(hex=base))
            assert found == [str(expected)], (commit, base)
            answered += 1
    assert answered > len(graph) * len(chain) // 2
    assert index.merge_base(tip, marks["t2"], "0" * 40) is None


def _policy(root: Path) -> Path:
    path = root.parent / "graph-index-policy.yaml"
    path.write_text("production: main\nintegration: develop\nhotfix_branch: 'hotfix/{slug}'\nchangelog: CHANGELOG.md\n")
    return path


def test_changed_paths_are_read_only_when_asked(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    _tangled(s)
    repo = pygit2.Repository(str(s.path))
    policy = load_policy(_policy(s.path))

    def paths(changed_paths: bool) -> list[tuple[str, ...]]:
        history = HistoryCollector(GitReader(repo, policy), changed_paths=changed_paths).history()
        return [h.changed_paths for line in history.production for h in line.hotfixes]

    assert any(paths(True))
    assert paths(False) and not any(paths(False))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_shows_on_a_terminal_after_two_seconds() -> None:
    clock, out = _Clock(), _Terminal()
    progress = HistoryProgress(out, live=True, clock=clock)
    progress.read(5000)
    assert out.getvalue() == ""  # a short run says nothing
    clock.now = 2.5
    progress.read(80_000)
    progress.judging(3)
    progress.judged()
    assert "80,000 commits read" in out.getvalue() and "\r" in out.getvalue()
    clock.now = 2.9
    progress.close()
    assert out.getvalue().endswith("80,000 commits read · 1/3 hotfixes judged in 2.9 s\n")


def test_progress_in_a_log_is_one_closing_line_for_a_large_history() -> None:
    clock, log = _Clock(), io.StringIO()
    progress = HistoryProgress(log, live=False, clock=clock)
    progress.read(LARGE)
    clock.now = 30.0
    progress.read(LARGE * 10)
    progress.close()
    assert log.getvalue() == f"hotfix-lint: {LARGE * 10:,} commits read in 30.0 s\n"
    small = io.StringIO()
    quiet = HistoryProgress(small, live=False, clock=clock)
    quiet.read(200)
    clock.now = 60.0
    quiet.close()
    assert small.getvalue() == ""  # a small history, however slow the machine: nothing in the log


def _same_steps(old: IntegrationReach, new: FirstParentReach, newest: int) -> None:
    """Both indexes give the same steps, each with the chain's commit before it and what it
    brought, every commit once."""
    old_steps, new_steps = list(old.arrival_steps(0, newest + 1)), list(new.arrival_steps(0, newest + 1))
    assert [(s.before, s.via, list(s.arrived)) for s in old_steps] == [
        (s.before, s.via, list(s.arrived)) for s in new_steps
    ]
    arrived = [a for s in new_steps for a in s.arrived]
    assert len(arrived) == len(set(arrived))
    assert old_steps and old_steps[0].before is None
    assert all(s.before == p.via for p, s in itertools.pairwise(old_steps))
