"""``collect.git.reach``: since when integration's first-parent chain reaches each commit, in one pass."""

from __future__ import annotations

from collections.abc import Callable

import pygit2
from scenario import Scenario

from hotfix_lint.collect.git.reach import IntegrationReach


def test_each_commit_gets_the_first_parent_commit_that_brought_it(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    root = s.commit("Initial commit")
    s.branch("develop", checkout=True)
    s.branch("feature/a", checkout=True)
    early = s.commit("Work on a")
    s.checkout("develop")
    own = s.commit("Develop's own commit")
    s.checkout("feature/a")
    late = s.commit("More work on a")
    s.checkout("develop")
    merge = s.merge("feature/a")
    after = s.commit("After the merge")
    reach = IntegrationReach(pygit2.Repository(str(s.path)), s.rev("develop"))

    def via(commit: str) -> str | None:
        found = reach.reached(commit)
        return None if found is None else found.via

    assert via(root) == root and via(own) == own and via(after) == after
    assert via(early) == merge and via(late) == merge  # off the chain: the merge brought them
    found = reach.reached(late)
    assert found is not None and found.via_merge
    assert reach.reached("0" * 40) is None
    times = [r.at for r in (reach.reached(c) for c in (root, own, merge, after)) if r is not None]
    assert times == sorted(times)
    arrived = [a for step in reach.arrival_steps(times[2], times[2]) for a in step.arrived]
    assert set(arrived) == {early, late}  # what the merge brought, the merge itself aside (no copy)


def test_a_cutoff_bounds_the_walk(scenario: Callable[..., Scenario]) -> None:
    s = scenario()
    old = s.commit("Old work")
    s.clock.advance(days=30)
    recent = s.commit("Recent work")
    repo = pygit2.Repository(str(s.path))
    reach = IntegrationReach(repo, recent, cutoff=repo[recent].commit_time)
    assert reach.reached(recent) is not None
    assert reach.reached(old) is None  # older than the cutoff (less a day of clock skew): not read
