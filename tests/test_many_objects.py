"""``collect.git.many_objects``: rarer cycle collections while a history is read, and only then."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from scenario import Scenario, build_gitflow

from hotfix_lint.collect.git.many_objects import THRESHOLDS, fewer_collections


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


@pytest.mark.usefixtures("default_thresholds")
def test_collections_are_rarer_inside_and_as_before_after() -> None:
    with fewer_collections():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.isenabled()  # rarer, not off: an exception's cycles are still freed
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("a read that fails")
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("default_thresholds")
def test_a_caller_that_chose_rarer_or_no_collections_keeps_its_choice() -> None:
    gc.set_threshold(1_000_000, 10, 10)
    with fewer_collections():
        assert gc.get_threshold() == (1_000_000, 10, 10)
    gc.set_threshold(0)
    with fewer_collections():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold()[0] == 0


@pytest.mark.usefixtures("default_thresholds")
def test_a_history_read_runs_with_rarer_collections(scenario: Callable[..., Scenario]) -> None:
    """The history collector reads inside the block (seen from a fact made during the read)."""
    from hotfix_lint.collect.git import commit_graph

    seen: list[tuple[int, int, int]] = []
    original = commit_graph.CommitGraph._read

    def watching(self: commit_graph.CommitGraph, *args: Any) -> None:
        seen.append(gc.get_threshold())  # (the real read goes on: a spy, not a stand-in)
        original(self, *args)

    s = scenario()
    build_gitflow(s)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(commit_graph.CommitGraph, "_read", watching)
        from hotfix_lint.cli import main

        main(["check", "--repo", str(s.path), "--no-ci", "--format", "json", "--output", str(s.path / "out.json")])
    assert seen and all(t == THRESHOLDS for t in seen)
    assert gc.get_threshold() == (700, 10, 10)
