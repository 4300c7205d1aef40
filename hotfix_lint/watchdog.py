"""A stall watchdog for reads of a repository, in a process of its own.

libgit2 loops for ever, at full CPU, on some corrupt repositories (a loose object truncated to
a few bytes: ``git_zstream_get_output`` never sees the end of its input), and pygit2 holds the
GIL through most calls (``peel``, ``lookup``, ``diff``...): no thread of the same process can
run, so neither a watchdog thread nor a signal handler can stop it. The read therefore runs in
a forked child whose heartbeat thread writes a byte to a pipe every :data:`BEAT` seconds; a
child that holds the GIL stops beating, and the parent, which shares no GIL with it, kills it
after ``seconds`` of silence. Forking before anything is imported costs about a millisecond.

- :func:`supervise`: the whole command runs in the child (``check``, ``hotfixes``, the hooks);
  the parent relays its exit status, or prints :data:`STALL_MESSAGE` and exits 2.
- :func:`call_watched`: one function runs in the child and its result comes back pickled (the
  audit's read of one mirror); a stall raises :class:`StalledError`, that repository's error.
  Its heartbeat also stops while the reading thread uses no CPU: a child forked from the
  audit's threads can find a lock held by a thread it does not have, and wait on it for ever
  with the GIL released (Python 3.11's ``functools.cached_property`` did: see
  :mod:`hotfix_lint.fork_safe`).
  Such a child dies with its parent (Linux), even one stuck in libgit2 that no longer beats:
  a killed audit leaves no child spinning. (:func:`supervise`'s child does not ask for it: the
  ``ctypes`` it takes would cost every hook 2 ms, and its parent relays a termination.)

The deadline comes from :data:`STALL_ENV` (seconds; ``0`` turns the watchdog off); where the
platform cannot fork, the work runs in this process, unwatched.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time

from hotfix_lint.errors import EXIT_USAGE, RepositoryError, UserError

TYPE_CHECKING = False  # typing is not imported: the parent of every command stays small
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, NoReturn, TypeVar

    T = TypeVar("T")

#: seconds without a heartbeat after which a read is stalled (the environment variable, or the default)
STALL_ENV = "HOTFIX_LINT_STALL_TIMEOUT"
DEFAULT_STALL_SECONDS = 60.0
#: a shorter deadline than a few heartbeats would take a busy machine for a stall
MIN_STALL_SECONDS = 1.0
#: seconds between two heartbeats of the child
BEAT = 0.2
#: seconds a child has to answer Ctrl-C before it is killed (one stuck in libgit2 never does)
GRACE = 2.0
#: the exit status after Ctrl-C (128 + SIGINT)
EXIT_INTERRUPTED = 130
STALL_MESSAGE = (
    "reading the repository made no progress for {seconds:g} s (libgit2 loops for ever on a "
    "truncated object): the repository looks corrupt: run git fsck"
)
_RESULT = b"="


#: seconds a clone or fetch of an audited repository may take in all: a large one takes
#: minutes, one that takes this long is held up (a server dripping its answer keeps it busy)
DEFAULT_CLONE_TIMEOUT = 1800.0


class StalledError(RepositoryError):
    """A read of the repository made no progress before the deadline (see :data:`STALL_MESSAGE`)."""


class OvertimeError(RepositoryError):
    """Work given a total time (a clone or fetch: ``audit --clone-timeout``) did not finish in it."""


def stall_seconds(environ: Mapping[str, str] | None = None) -> float:
    """The deadline: :data:`STALL_ENV` in seconds, else the default; 0 turns the watchdog off."""
    text = (os.environ if environ is None else environ).get(STALL_ENV, "").strip()
    if not text:
        return DEFAULT_STALL_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not (seconds == 0 or MIN_STALL_SECONDS <= seconds < float("inf")):
        raise UserError(
            f"{STALL_ENV}: expected seconds, at least {MIN_STALL_SECONDS:g} (0 turns the watchdog off), got {text!r}"
        )
    return seconds


def can_watch(seconds: float) -> bool:
    return seconds > 0 and hasattr(os, "fork")


class _Heartbeat:
    """The child's beating thread; :meth:`stop` ends it before the result is written.

    With ``working``, it beats only when the thread that started it used the CPU since the
    last beat: a thread that waits for ever with the GIL released (on a lock held by a thread
    the fork did not copy) is then as silent as one stuck in libgit2 with the GIL held. (Where
    the platform has no clock per thread, it beats regardless.)"""

    def __init__(self, write_end: int, working: bool = False) -> None:
        self.write_end = write_end
        self.lock = threading.Lock()
        self.stopped = False
        self.clock = _thread_clock() if working else None
        self.used = -1.0
        threading.Thread(target=self._beat, name="heartbeat", daemon=True).start()

    def _beat(self) -> None:
        while True:
            time.sleep(BEAT)  # first: a command done sooner never wakes the parent before it ends
            with self.lock:
                if self.stopped:
                    return
                if not self._worked():
                    continue
                try:
                    os.write(self.write_end, b".")
                except OSError:  # the parent is gone: nobody waits for this work any more
                    os._exit(EXIT_USAGE)

    def _worked(self) -> bool:
        """The watched thread used the CPU since the last beat (always true, unwatched)."""
        if self.clock is None:
            return True
        used = time.clock_gettime(self.clock)
        worked = used > self.used
        self.used = used
        return worked

    def stop(self) -> None:
        with self.lock:
            self.stopped = True


def _thread_clock() -> int | None:
    """The CPU-time clock of the calling thread, None where the platform has none."""
    try:
        return time.pthread_getcpuclockid(threading.get_ident())
    except (AttributeError, OSError):
        return None


def _wait(read_end: int, seconds: float, give_up: Callable[[], bool]) -> bytes | None:
    """Everything the child writes until it closes the pipe; None after ``seconds`` of silence
    (or once ``give_up`` says so).

    Silence is counted only while this process runs: a wait that returns much later than asked
    (the job was stopped with Ctrl-Z, then resumed) starts the count again.
    """
    received = bytearray()
    silent = 0.0
    step = min(1.0, seconds)
    while silent < seconds and not give_up():
        started = time.monotonic()
        ready, _, _ = select.select([read_end], [], [], step)
        elapsed = time.monotonic() - started
        if not ready:
            silent = 0.0 if elapsed > step + 1.0 else silent + elapsed
            continue
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            return bytes(received)
        received += chunk
        silent = 0.0
    return None


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _fork() -> tuple[int, int]:
    """Fork with a pipe between the two: (0, the write end) in the child, which beats on it;
    (the child's pid, the read end) in the parent."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        return 0, write_end
    os.close(write_end)
    return pid, read_end


def _watch(pid: int, read_end: int, seconds: float, give_up: Callable[[], bool] = lambda: False) -> bytes | None:
    """What the child wrote until it ended; None (and the child killed) after a stall."""
    try:
        received = _wait(read_end, seconds, give_up)
    finally:
        os.close(read_end)
    if received is None:
        _kill(pid)
    return received


def supervise(seconds: float) -> int | None:
    """Fork: return None in the child, which runs the command; in the parent, the child's exit
    status once it ends, or :data:`EXIT_USAGE` (with :data:`STALL_MESSAGE`) after a stall."""
    pid, end = _fork()
    if pid == 0:
        _Heartbeat(end)
        return None
    interrupt = _Interrupt()
    restore = _forward_signals(pid, interrupt)
    if _watch(pid, end, seconds, interrupt.unanswered) is None:
        if interrupt.unanswered():
            return EXIT_INTERRUPTED
        sys.stderr.write(f"hotfix-lint: error: {STALL_MESSAGE.format(seconds=seconds)}\n")
        return EXIT_USAGE
    _, status = os.waitpid(pid, 0)
    restore()
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # the child died of a signal: so does this process, for whoever waits on it
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


class _Interrupt:
    """Ctrl-C while the child runs: the terminal sends it to both, and the child answers it
    (exit 130); a child stuck in libgit2 cannot, so it is killed :data:`GRACE` seconds later."""

    def __init__(self) -> None:
        self.at: float | None = None

    def __call__(self, _signum: int, _frame: object) -> None:
        if self.at is None:
            self.at = time.monotonic()

    def unanswered(self) -> bool:
        return self.at is not None and time.monotonic() - self.at > GRACE


def _forward_signals(pid: int, interrupt: _Interrupt) -> Callable[[], None]:
    """While the child runs, Ctrl-C is noted (``interrupt``) and a termination sent to this
    process alone is passed on to the child; the returned function undoes it."""

    def relay(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    before = {
        signal.SIGINT: signal.signal(signal.SIGINT, interrupt),
        signal.SIGTERM: signal.signal(signal.SIGTERM, relay),
        signal.SIGHUP: signal.signal(signal.SIGHUP, relay),
    }

    def restore() -> None:
        for signum, handler in before.items():
            signal.signal(signum, handler)

    return restore


def call_watched(seconds: float, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` in a forked child: its result (or exception) comes back
    pickled; :class:`StalledError` when the child stops working for ``seconds``: stuck in C
    code, or waiting (no CPU used) on a lock that nothing will release. For reads of a
    repository, which wait on nothing outside the process."""
    return _call(None, seconds, True, function, args, kwargs)


def call_within(total: float | None, seconds: float, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """:func:`call_watched` that also ends the child after ``total`` seconds in all
    (:class:`OvertimeError`), however busy it keeps: a server that drips its answer keeps a
    clone beating for ever. Its child beats while it waits (on the network: no CPU used):
    only the total bounds such a wait."""
    return _call(total, seconds, False, function, args, kwargs)


def _call(total: float | None, seconds: float, working: bool, function: Callable[..., T], args: Any, kwargs: Any) -> T:
    if not can_watch(seconds):
        if total is None or not can_watch(total):
            return function(*args, **kwargs)
        seconds = float("inf")  # the watchdog is off: only the total is watched
    import pickle

    parent = os.getpid()
    pid, end = _fork()
    if pid == 0:  # pragma: no cover (runs in the child, which leaves with os._exit)
        _run_child(end, parent, working, function, args, kwargs)
    ends_at = None if total is None else time.monotonic() + total
    received = _watch(pid, end, seconds, lambda: ends_at is not None and time.monotonic() > ends_at)
    if received is None:
        if ends_at is not None and time.monotonic() > ends_at:
            raise OvertimeError(f"did not finish within {total:g} s")
        raise StalledError(STALL_MESSAGE.format(seconds=seconds))
    _, status = os.waitpid(pid, 0)
    marker = received.find(_RESULT)
    if marker < 0:
        raise RepositoryError(
            f"the process reading the repository ended without an answer (exit status "
            f"{os.waitstatus_to_exitcode(status)}): the repository may be corrupt: run git fsck"
        )
    ok, value = pickle.loads(received[marker + 1 :])  # noqa: S301 (written by our own child above)
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


#: prctl(2)'s request for the signal a child gets when its parent ends
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """On Linux, the kernel kills this child when ``parent`` (the thread that forked it, which
    waits for it) ends, however it ends: a parent killed by a watchdog of its own leaves no
    child spinning in libgit2."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the request took hold
        os._exit(EXIT_USAGE)


def _run_child(
    write_end: int, parent: int, working: bool, function: Callable[..., Any], args: Any, kwargs: Any
) -> NoReturn:
    """In the child: beat, run, write the pickled outcome after the marker, and leave at once
    (nothing of the parent's, such as its open connections, is cleaned up twice)."""
    import pickle

    _die_with_parent(parent)
    heart = _Heartbeat(write_end, working)
    try:
        outcome: tuple[bool, Any] = (True, function(*args, **kwargs))
    except BaseException as exc:  # every outcome goes back to the parent
        outcome = (False, exc)
    try:
        payload = pickle.dumps(outcome)
    except Exception as exc:  # an answer that cannot be pickled is an error too
        payload = pickle.dumps((False, RepositoryError(f"{type(exc).__name__}: {exc}")))
    heart.stop()
    try:
        os.write(write_end, _RESULT)
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
    finally:
        os._exit(0)
