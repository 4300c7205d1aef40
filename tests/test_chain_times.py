"""``collect.git.deployed_then.ChainTimes``: the first commit at or before a time along a chain,
as a plain scan finds it, clock skew included."""

from __future__ import annotations

import random

import pytest

from hotfix_lint.collect.git.deployed_then import ChainTimes
from hotfix_lint.facts import CommitFact


def _chain(times: list[int]) -> list[CommitFact]:
    return [
        CommitFact(f"{i:040x}", (), "", "A", "a@example.com", t, "A", "a@example.com", t) for i, t in enumerate(times)
    ]


def _scan(times: list[int], start: int, time: int) -> int:
    return next((i for i in range(start, len(times)) if times[i] <= time), len(times))


@pytest.mark.parametrize("seed", range(5))
def test_first_at_most_is_the_plain_scan(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (a test's repeatable shapes, no secret)
    # newest first, falling a little each step, with skewed commits that jump forward or back
    times, t = [], 10_000_000
    for _ in range(rng.randrange(1, 700)):
        t -= rng.randrange(0, 5_000)
        times.append(t + rng.choice((0, 0, 0, 40_000, -40_000)))
    found = ChainTimes(_chain(times))
    for _ in range(300):
        start = rng.randrange(0, len(times) + 1)
        time = rng.randrange(min(times) - 10_000, max(times) + 10_000)
        assert found.first_at_most(start, time) == _scan(times, start, time), (start, time)


def test_a_skewed_commit_far_down_is_found_past_later_blocks() -> None:
    times = [1_000 - i for i in range(300)]
    times[250] = 10  # (its block's minimum: the blocks before hold nothing as early)
    found = ChainTimes(_chain(times))
    assert found.first_at_most(3, 100) == 250
    assert found.first_at_most(251, 100) == len(times)
    assert found.first_at_most(0, 5) == len(times)
