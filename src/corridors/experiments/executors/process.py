"""The process executor: a local pool of worker processes (default: all cores)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from corridors.experiments.chunks import ChunkResult, ChunkTask, failed_result, run_chunk
from corridors.experiments.executors import Executor, default_workers

__all__ = ["ProcessExecutor"]


def _worker_init(driver_pid: int) -> None:
    # Ctrl-C goes to the whole process group: only the driver decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_driver, args=(driver_pid,), daemon=True, name="corridors-watchdog").start()


def _exit_with_driver(driver_pid: int) -> None:
    """End this worker once the driver is gone (killed with SIGKILL, say), not run on as an orphan."""
    while os.getppid() == driver_pid:
        time.sleep(0.5)
    os._exit(1)


def _warm_up() -> bool:
    """Import the engines once per worker, so the first chunks are timed like the others."""
    import importlib

    import corridors.engines.reference  # noqa: F401

    with contextlib.suppress(ImportError):
        importlib.import_module("corridors.engines.batch")
    return True


class ProcessExecutor(Executor):
    """Run chunks on a pool of ``workers`` processes started fresh (``spawn``).

    A worker that dies (killed, out of memory) fails the chunks in flight, which are
    recorded as failed; the pool is rebuilt and the sweep goes on.

    Parameters
    ----------
    workers
        Number of processes (default: all cores).

    Examples
    --------
    >>> ProcessExecutor(workers=2).describe()
    'process (2 workers)'
    """

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[Future[ChunkResult], ChunkTask] = {}

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )

    def initialize(self) -> None:
        """Start the worker processes and wait until each has imported the engines."""
        self._pool = self._new_pool()
        for future in [self._pool.submit(_warm_up) for _ in range(self.workers)]:
            future.result()

    def finalize(self) -> None:
        """Stop the workers; an interrupted run's queued chunks are dropped and running ones stopped."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._pending:
            # interrupted: drop queued chunks and stop the workers running the others
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            self._pending.clear()
        pool.shutdown(wait=True)

    def evaluate(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Submit the tasks a window at a time, yielding each result as it finishes."""
        if self._pool is None:
            raise RuntimeError("enter the executor (with ProcessExecutor(...) as executor) before evaluating")
        queue = iter(tasks)
        window = 2 * self.workers
        exhausted = False
        while True:
            while not exhausted and len(self._pending) < window:
                task = next(queue, None)
                if task is None:
                    exhausted = True
                    break
                self._pending[self._pool.submit(run_chunk, task)] = task
            if not self._pending:
                return
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = self._pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    broken = True
                    yield failed_result(task, f"a worker process died while running this chunk or a neighbour: {exc}")
            if broken:
                for future, task in list(self._pending.items()):
                    del self._pending[future]
                    yield failed_result(task, "a worker process died while this chunk was in flight")
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
