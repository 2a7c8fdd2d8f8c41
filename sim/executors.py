"""Executors: where sweep runs execute. One interface, so the sweep code path is the same
on the local machine (a process pool) and on a Dask distributed cluster.

``map_unordered`` keeps only a bounded window of tasks in flight, so memory stays flat
however many runs a sweep has, and yields each task with its outcome as soon as it is done:
the function's return value, or the exception if the infrastructure failed (a worker died).
Results are identical across executors because each run is fully determined by its seed.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from contextlib import contextmanager
from typing import Any, Protocol

from sim.errors import FugongWarning
from sim.signals import deferred_signals, worker_init

Outcome = tuple[Any, Any]  # (task, result or BaseException)
WINDOW_PER_WORKER = 2  # tasks queued per worker: keeps workers busy, memory bounded
_END = object()


class Executor(Protocol):
    jobs: int
    local: bool  # runs on this machine (its memory is checked before a sweep)

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        """Yield (task, result or exception) in completion order."""

    def close(self, cancel: bool = False) -> None:
        """Release the workers; with ``cancel``, drop unfinished work at once."""


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _windowed(submit, wait_any, tasks: Iterable[Any], window: int) -> Iterator[Outcome]:
    """Keep at most ``window`` futures in flight; yield each (task, outcome) when done."""
    source = iter(tasks)
    pending: dict[Any, Any] = {}
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            task = next(source, _END)
            if task is _END:
                exhausted = True
                break
            try:
                pending[submit(task)] = task
            except Exception as exc:  # the pool broke: report the task, keep going
                yield task, exc
        if not pending:
            return
        for future in wait_any(list(pending)):
            task = pending.pop(future)
            exc = future.exception()
            yield task, exc if exc is not None else future.result()


class SerialExecutor:
    """Runs in this process, one task at a time (``--jobs 1``): no start-up cost."""

    jobs = 1
    local = True

    def map_unordered(self, fn, tasks):
        for task in tasks:
            yield task, fn(task)

    def close(self, cancel: bool = False) -> None:
        """Nothing to release."""


class LocalPoolExecutor:
    """A process pool on this machine.

    Workers come from a fork server (preloaded with the model code), so they start fast and
    never inherit threads of the parent (a Dask client, for example). They leave Ctrl-C and
    SIGTERM to the parent and exit when it dies.
    """

    local = True

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = jobs or available_cores()
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.sweep_run"])
        self._pool = ProcessPoolExecutor(
            self.jobs, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
        )

    def map_unordered(self, fn, tasks):
        def wait_any(futures):
            return wait_futures(futures, return_when=FIRST_COMPLETED).done

        def submit(task):  # a submit may start a worker: never leave one half-started
            with deferred_signals():
                return self._pool.submit(fn, task)

        return _windowed(submit, wait_any, tasks, self.jobs * WINDOW_PER_WORKER)

    def close(self, cancel: bool = False) -> None:
        # ProcessPoolExecutor cannot stop a running task; terminate its workers on cancel so
        # an interrupted sweep exits at once (unfinished runs are recomputed on resume).
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)
        if cancel:
            for proc in processes:
                proc.kill()  # workers ignore SIGTERM
            for proc in processes:  # gone before this process exits and removes the pool's
                proc.join(5)  # semaphores (a worker still starting would print a traceback)


class DaskExecutor:
    """Runs on a Dask distributed cluster at ``address`` (``tcp://host:port``).

    Workers need fugong importable (installed, or on their PYTHONPATH).
    """

    local = False  # memory is the cluster's, not this machine's

    def __init__(self, address: str) -> None:
        from distributed import Client

        self._client = Client(address, set_as_default=False)
        self.jobs = max(1, sum(self._client.nthreads().values()))
        self._pending: list[Any] = []

    def map_unordered(self, fn, tasks):
        from distributed import wait

        def submit(task):
            future = self._client.submit(fn, task, pure=False)
            self._pending.append(future)
            return future

        def wait_any(futures):
            with self._client.as_current():
                done = wait(futures, return_when="FIRST_COMPLETED").done
            self._pending = [f for f in self._pending if f not in done]
            return done

        return _windowed(submit, wait_any, tasks, self.jobs * WINDOW_PER_WORKER)

    def close(self, cancel: bool = False) -> None:
        if cancel and self._pending:
            self._client.cancel(self._pending)
        self._pending = []
        self._client.close()


@contextmanager
def executor_session(jobs: int | None = None, scheduler: str | None = None):
    """An executor that is always released: at once (running tasks cancelled, local workers
    terminated) if the block raises or is interrupted, after the tasks finish otherwise."""
    executor = make_executor(jobs, scheduler)
    try:
        yield executor
    except BaseException:
        executor.close(cancel=True)
        raise
    executor.close()


def make_executor(jobs: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor for ``--jobs`` / ``--scheduler``: Dask if an address is given."""
    if scheduler:
        return DaskExecutor(scheduler)
    return SerialExecutor() if (jobs := capped_jobs(jobs)) == 1 else LocalPoolExecutor(jobs)


def capped_jobs(jobs: int | None) -> int:
    """``--jobs``, at most the cores available (more processes only compete for them)."""
    cores = available_cores()
    if jobs is not None and jobs > cores:
        warnings.warn(
            FugongWarning(
                f"--jobs {jobs} is more than the {cores} core(s) available; using {cores}"
            ),
            stacklevel=2,
        )
        return cores
    return jobs or cores
