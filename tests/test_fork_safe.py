"""A watched call forked while another thread computes a cached property still reads that
property in its child (:mod:`hotfix_lint.fork_safe`): with Python 3.10-3.11's
``functools.cached_property`` the child waits for ever on a lock held by a thread it does not
have, and its heartbeat hides the wait from the watchdog (an audit hung so, once)."""

from __future__ import annotations

import dataclasses
import os
import threading
import time

import pytest

from hotfix_lint.fork_safe import cached_property
from hotfix_lint.watchdog import OvertimeError, StalledError, call_watched, call_within

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the watchdog forks")


@dataclasses.dataclass(frozen=True)
class _Setting:
    """A frozen dataclass (as ``Policy`` is) whose property can be made to wait."""

    name: str
    started: threading.Event | None = None
    release: threading.Event | None = None

    @cached_property
    def pattern(self) -> str:
        """The name made a pattern; waits for ``release`` first, when there is one."""
        if self.started is not None and self.release is not None:
            self.started.set()
            self.release.wait(30)
        return f"{self.name}/*"


def _pattern_of(name: str) -> str:
    return _Setting(name).pattern


def test_a_child_forked_while_a_thread_computes_the_property_reads_it_all_the_same() -> None:
    started, release = threading.Event(), threading.Event()
    busy = _Setting("slow", started, release)
    thread = threading.Thread(target=lambda: busy.pattern, daemon=True)
    thread.start()
    try:
        assert started.wait(10)  # the other thread is inside the property now
        try:
            answer = call_within(10.0, 5.0, _pattern_of, "hotfix")
        except OvertimeError:  # pragma: no cover (the failure this test is for)
            pytest.fail("the child waited on the property's lock, held by a thread it does not have")
        assert answer == "hotfix/*"
    finally:
        release.set()
        thread.join(10)
    assert busy.pattern == "slow/*"


def test_the_value_is_computed_once_and_kept_on_the_instance() -> None:
    calls: list[str] = []

    class Counted:
        @cached_property
        def value(self) -> int:
            """Counts its calls."""
            calls.append("x")
            return 7

    item = Counted()
    assert (item.value, item.value, calls) == (7, 7, ["x"])
    assert item.__dict__["value"] == 7
    assert Counted.__dict__["value"].__doc__ == "Counts its calls."


def _wait_for(lock: threading.Lock) -> str:
    with lock:  # held in the parent by a thread the child does not have: never free here
        return "acquired"


def test_a_child_that_waits_for_ever_on_a_lock_is_a_stall_not_a_hang() -> None:
    """Any such lock (a logging handler's, a buffer's): the child uses no CPU while it waits,
    so its heartbeat stops and the watchdog ends it, as it ends one stuck in libgit2."""
    lock = threading.Lock()
    released = threading.Event()

    def hold() -> None:
        with lock:
            released.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    try:
        started = time.monotonic()
        with pytest.raises(StalledError):
            call_within(20.0, 1.0, _wait_for_watched, lock)
        assert time.monotonic() - started < 10
    finally:
        released.set()
        holder.join(10)


def _wait_for_watched(lock: threading.Lock) -> str:
    """:func:`call_watched` of :func:`_wait_for` from inside a child that the total bounds: the
    test fails with :class:`OvertimeError` (not a hang) should the watched child never stall."""
    return call_watched(1.0, _wait_for, lock)


def test_a_child_that_works_for_longer_than_the_deadline_is_no_stall() -> None:
    assert call_watched(1.0, _busy_for, 2.5) > 0


def _busy_for(seconds: float) -> int:
    """Python work (the CPU in use, the GIL released now and then) for ``seconds``."""
    ends, turns = time.monotonic() + seconds, 0
    while time.monotonic() < ends:
        turns += sum(range(1000)) > 0
    return turns
