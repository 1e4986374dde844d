"""The Dask executor: a Dask distributed cluster, remote or a LocalCluster.

Give a scheduler address (a cluster made with dask-jobqueue on SLURM or dask-kubernetes,
with corridors installed on its workers), or ``local:N`` for a LocalCluster of N worker
processes on this machine. Dask is imported only when this executor is used.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from corridors.errors import CorridorsError
from corridors.experiments.chunks import ChunkResult, ChunkTask, failed_result, run_chunk
from corridors.experiments.executors import Executor

__all__ = ["DaskExecutor", "parse_dask_address"]


def parse_dask_address(address: str) -> tuple[str | None, int]:
    """``local:N`` -> (None, N); a scheduler address -> (address, 0).

    Examples
    --------
    >>> parse_dask_address("local:2")
    (None, 2)
    >>> parse_dask_address("tcp://10.0.0.5:8786")
    ('tcp://10.0.0.5:8786', 0)
    """
    if address.startswith("local"):
        _, _, count = address.partition(":")
        if not count.isdigit() or int(count) < 1:
            raise CorridorsError(f"--dask {address}: expected local:N with N >= 1 workers, e.g. local:4")
        return None, int(count)
    if "://" not in address and ":" not in address:
        raise CorridorsError(f"--dask {address}: expected a scheduler address such as tcp://host:8786, or local:N")
    return address, 0


class DaskExecutor(Executor):
    """Run chunks on a Dask distributed cluster.

    Parameters
    ----------
    address
        A scheduler address, or ``local:N`` for a LocalCluster of N workers.
    processes
        For ``local:N``: worker processes (True, the default) or threads in this process
        (False: quick to start, for tests; the engines hold the GIL, so no speed-up).

    Examples
    --------
    >>> DaskExecutor("local:2").describe()
    'dask local:2 (2 workers)'
    """

    name = "dask"

    def __init__(self, address: str = "local:1", *, processes: bool = True) -> None:
        self.address = address
        self._scheduler, local_workers = parse_dask_address(address)
        self.workers = local_workers or 1
        self.processes = processes
        self._client: Any = None
        self._cluster: Any = None
        self._pending: dict[Any, ChunkTask] = {}

    def describe(self) -> str:
        """One line for humans: the address and the workers."""
        return f"dask {self.address} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    def initialize(self) -> None:
        """Start a local cluster, or connect to the scheduler of the address."""
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise CorridorsError("--executor dask: Dask is not installed; pip install 'corridors[dask]'") from None
        if self._scheduler is None:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=self.processes,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(self._scheduler, timeout="30s")
            except OSError as exc:
                raise CorridorsError(f"--dask {self.address}: cannot reach the scheduler: {exc}") from None
            self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def finalize(self) -> None:
        """Cancel the work in flight, close the client and a local cluster."""
        if self._client is not None:
            if self._pending:
                self._client.cancel(list(self._pending))
                self._pending.clear()
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def evaluate(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Submit the tasks a window at a time, yielding each result as it finishes."""
        from distributed import as_completed

        if self._client is None:
            raise RuntimeError("enter the executor (with DaskExecutor(...) as executor) before evaluating")
        client = self._client
        queue = iter(tasks)
        window = 2 * max(self.workers, len(client.scheduler_info().get("workers", {})))

        def submit(task: ChunkTask) -> Any:
            key = f"corridors-chunk-{task.chunk.chunk_id}-{uuid.uuid4().hex[:12]}"
            future = client.submit(run_chunk, task, key=key, pure=False)
            self._pending[future] = task
            return future

        first = [submit(task) for task in _take(queue, window)]
        if not first:
            return
        completed = as_completed(first)
        for future in completed:
            task = self._pending.pop(future)
            try:
                result = future.result()
            except Exception as exc:  # a lost worker (KilledWorker) or a failed transfer
                result = failed_result(task, f"dask could not run this chunk: {type(exc).__name__}: {exc}")
            future.release()
            yield result
            for task in _take(queue, 1):
                completed.add(submit(task))


def _take(queue: Iterator[ChunkTask], count: int) -> list[ChunkTask]:
    taken = []
    for _ in range(count):
        task = next(queue, None)
        if task is None:
            break
        taken.append(task)
    return taken
