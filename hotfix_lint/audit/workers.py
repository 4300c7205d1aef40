"""Run the audit of many repositories at once: ``--jobs`` of them at a time.

A warm audit is Python work (reading cached facts, judging them, asking GitHub questions
whose answer is "not modified"), which threads run one at a time; a cold one waits on clones
and on GitHub. So where the platform can fork, the work goes to one worker process per CPU
(at most ``jobs``), each running its share of the ``jobs`` as threads; elsewhere, to
``jobs`` threads here. Each thread keeps one GitHub client, so one connection, for all its
repositories (``collect.github.clients``).

A worker that dies (killed, out of memory, a crash in a C library) breaks the whole process
pool; the repositories not finished then are audited again one at a time, each in a process
of its own, so that the one that kills its process is the only one reported failed.

The other way round, a main process that dies (``kill -9``, the out-of-memory killer, a CI job
cancelled) takes its workers with it: each holds the read end of a lifeline pipe whose write
end only the main process keeps open (:mod:`hotfix_lint.audit.lifeline`); its end of file ends
the worker at once, whatever it was waiting on (a pipe, a socket, a clone).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hotfix_lint.audit.lifeline import Lifeline, die_with_parent
from hotfix_lint.audit.model import FAILED, RepoEntry
from hotfix_lint.audit.runner import audit_repository
from hotfix_lint.audit.settings import AuditSettings, redact

if TYPE_CHECKING:
    from hotfix_lint.audit.selection import Target
    from hotfix_lint.collect.github.conditional import ApiMeter

ProgressCallback = Callable[[RepoEntry], None]
#: an :class:`ApiMeter`'s (requests, 304s, budget left, limit)
MeterReading = tuple[int, int, int | None, int | None]

#: what a repository's audit imports on first use: imported before the workers are forked, so
#: that they share it instead of each importing it again (PyGithub too, with ``collect.github.http_session``)
_AUDIT_MODULES = (
    "hotfix_lint.audit.factcodec",
    "hotfix_lint.collect.gather",
    "hotfix_lint.collect.github.collector",
    "hotfix_lint.collect.github.org",
    "hotfix_lint.collect.github_plan",
    "hotfix_lint.collect.github.http_session",
    "hotfix_lint.collect.git.mirror",
    "hotfix_lint.engine",
    "hotfix_lint.policy.loader",
    "hotfix_lint.report.json_report",
    "hotfix_lint.rules.registry",
    "cachecontrol",  # the HTTP cache's (collect.github.http_session imports them on first use)
    "cachecontrol.caches.file_cache",
    "cachecontrol.heuristics",
    "filelock",
)


def run_audit(
    targets: Sequence[Target],
    settings: AuditSettings,
    *,
    jobs: int = 1,
    meter: ApiMeter | None = None,
    progress: ProgressCallback | None = None,
    cpus: int | None = None,
) -> list[RepoEntry]:
    """Every target's entry, ``jobs`` at a time, in the order they finish (``cpus``: how many
    worker processes at most; default: the CPUs this process may use)."""
    entries: list[RepoEntry] = []

    def finished(entry: RepoEntry) -> None:
        entries.append(entry)
        if progress is not None:
            progress(entry)

    jobs = max(1, min(jobs, len(targets)))
    processes = min(jobs, cpus or _usable_cpus())
    if jobs == 1 or processes == 1 or _FORK is None:
        _run_here(targets, settings, meter, finished, threads=jobs)
        return entries
    threads = -(-jobs // processes)
    unfinished = _run_pool(targets, settings, meter, finished, processes=processes, threads=threads)
    for target in unfinished:
        if _run_pool([target], settings, meter, finished, processes=1, threads=1):
            finished(RepoEntry(target.full_name, FAILED, error="its audit stopped the worker process (a crash)"))
    return entries


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _run_here(
    targets: Sequence[Target],
    settings: AuditSettings,
    meter: ApiMeter | None,
    finished: ProgressCallback,
    *,
    threads: int,
) -> None:
    from hotfix_lint.collect.github.clients import ClientPool

    clients = ClientPool()
    settings = replace(settings, clients=clients)
    try:
        if threads <= 1:
            for target in targets:
                finished(audit_repository(target, settings, meter))
            return
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="audit") as pool:
            futures = [pool.submit(audit_repository, target, settings, meter) for target in targets]
            for future in as_completed(futures):
                finished(future.result())
    finally:
        clients.close()


# -- worker processes -----------------------------------------------------------------------------


def _fork_context() -> Any:
    import multiprocessing

    return multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


_FORK = _fork_context()


class _Worker:
    """A worker process's own: the settings (inherited through fork, not pickled), its threads
    and their GitHub clients."""

    def __init__(self, settings: AuditSettings, threads: int) -> None:
        from hotfix_lint.collect.github.clients import ClientPool

        self.settings = replace(settings, clients=ClientPool())
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="audit")

    def audit(self, target: Target) -> tuple[RepoEntry, MeterReading]:
        """One repository: its entry, and what its requests to GitHub were."""
        from hotfix_lint.collect.github.conditional import ApiMeter

        meter = ApiMeter()
        return audit_repository(target, self.settings, meter), meter.reading()


_worker: _Worker | None = None


def _start_worker(settings: AuditSettings, threads: int, lifeline: Lifeline) -> None:
    global _worker
    die_with_parent(lifeline)
    _worker = _Worker(settings, threads)


def _audit_in_worker(targets: Sequence[Target]) -> list[tuple[RepoEntry, MeterReading]]:
    """A few repositories at once, one per thread of this worker process."""
    if _worker is None:
        raise RuntimeError("audit worker not started")
    return list(_worker.pool.map(_worker.audit, targets))


def _run_pool(
    targets: Sequence[Target],
    settings: AuditSettings,
    meter: ApiMeter | None,
    finished: ProgressCallback,
    *,
    processes: int,
    threads: int,
) -> list[Target]:
    """Audit ``targets`` in ``processes`` forked workers of ``threads`` threads, handing each
    worker ``threads`` repositories at a time; return the targets left when a worker died."""
    import importlib
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    for name in _AUDIT_MODULES:
        importlib.import_module(name)
    batches = [targets[i : i + threads] for i in range(0, len(targets), threads)]
    unfinished: list[Target] = []
    # what this process holds is shared with each forked worker; a garbage collection there
    # would walk all of it (and copy every page it touches): leave it out of their collections
    gc.freeze()
    with (
        Lifeline.open() as lifeline,
        ProcessPoolExecutor(
            max_workers=processes, mp_context=_FORK, initializer=_start_worker, initargs=(settings, threads, lifeline)
        ) as pool,
    ):
        futures = {pool.submit(_audit_in_worker, batch): batch for batch in batches}
        gc.unfreeze()  # the workers are forked on the first submit
        for future in as_completed(futures):
            try:
                results = future.result()
            except BrokenProcessPool:
                unfinished.extend(futures[future])
                continue
            except Exception as exc:  # the entries could not come back from the worker
                reason = redact(f"unexpected error in the worker process: {type(exc).__name__}: {exc}", settings.token)
                for target in futures[future]:
                    finished(RepoEntry(target.full_name, FAILED, error=reason[:500]))
                continue
            for entry, reading in results:
                if meter is not None:
                    meter.add(reading)
                finished(entry)
    order = {target.full_name: n for n, target in enumerate(targets)}
    return sorted(unfinished, key=lambda t: order[t.full_name])
