"""Executors: where chunks run. One module per backend, each a context manager.

Every executor has the EMA Workbench shape: entering it initializes the backend (a process
pool, a Dask client), :meth:`Executor.evaluate` runs chunk tasks and yields their results as
they finish (in any order), leaving it finalizes the backend and drops work still in flight.
The caller owns the executor: who enters it leaves it, and a function handed an executor
already entered (:attr:`Executor.active`) uses it as it is, so one pool serves many sweeps
(:func:`held` is that rule for callees). Executors keep only a bounded window of tasks in
flight, so memory stays flat however many chunks a sweep has. Heavy backends (Dask) are
imported inside their module only when used.

=========== ===================================================================
``serial``  in this process, one chunk after another
``process`` a local process pool (default: all cores)
``dask``    Dask distributed: a scheduler address, or ``local:N`` for a LocalCluster
=========== ===================================================================
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Self

from corridors._constants import available_cores
from corridors.errors import CorridorsError
from corridors.experiments.chunks import ChunkResult, ChunkTask

__all__ = ["EXECUTORS", "Executor", "held", "make_executor"]

EXECUTORS = ("serial", "process", "dask")


class Executor:
    """Base of the executors: a context manager that evaluates chunk tasks.

    Subclasses set :attr:`name` and :attr:`workers` and implement :meth:`evaluate`;
    :meth:`initialize` and :meth:`finalize` run on entering and leaving.
    """

    name = "executor"
    workers = 1
    active = False
    """Entered and not yet left: its backend is running."""

    def initialize(self) -> None:
        """Start the backend (called on entering the context)."""

    def finalize(self) -> None:
        """Stop the backend, dropping work in flight (called on leaving the context)."""

    def evaluate(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Run tasks, yielding each result as it finishes."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line for humans: backend and workers."""
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    def __enter__(self) -> Self:
        if self.active:
            raise RuntimeError(f"{self.describe()}: already entered; hand it on as it is (see held())")
        self.initialize()
        self.active = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.active = False
        self.finalize()


def held(executor: Executor) -> AbstractContextManager[Executor]:
    """``executor`` for a ``with`` block: as it is if its caller has entered it, else entered for the block.

    The caller that entered an executor owns it: a sweep run inside its ``with`` neither
    starts nor stops the backend, so one pool serves every sweep of a calibration or report.

    Examples
    --------
    >>> from corridors.experiments.executors.serial import SerialExecutor
    >>> with SerialExecutor() as pool:
    ...     with held(pool) as inner:  # the caller's: not entered again, not left here
    ...         pass
    ...     pool.active
    True
    >>> loose = SerialExecutor()
    >>> with held(loose):  # nobody holds it: entered and left by this block
    ...     loose.active
    True
    >>> loose.active
    False
    """
    if executor.active:
        return contextlib.nullcontext(executor)
    return executor


def default_workers() -> int:
    """All cores this process may use (:func:`corridors._constants.available_cores`)."""
    return available_cores()


def make_executor(kind: str = "process", *, workers: int | None = None, dask_address: str | None = None) -> Executor:
    """Build an executor by name, as the command line does.

    Parameters
    ----------
    kind
        ``serial``, ``process`` or ``dask``.
    workers
        Processes of the pool (default: all cores); for ``dask`` without an address, the
        workers of a local cluster.
    dask_address
        A Dask scheduler address (``tcp://host:8786``), or ``local:N`` for a LocalCluster of
        N worker processes.

    Examples
    --------
    >>> make_executor("serial").describe()
    'serial (1 worker)'
    >>> make_executor("process", workers=2).describe()
    'process (2 workers)'
    """
    if workers is not None and workers < 1:
        raise CorridorsError(f"--workers: must be at least 1, got {workers}")
    if dask_address is not None and kind != "dask":
        raise CorridorsError(f"--dask: goes with --executor dask, not --executor {kind}")
    if kind == "serial":
        from corridors.experiments.executors.serial import SerialExecutor

        return SerialExecutor()
    if kind == "process":
        from corridors.experiments.executors.process import ProcessExecutor

        return ProcessExecutor(workers=workers)
    if kind == "dask":
        from corridors.experiments.executors.dask import DaskExecutor

        return DaskExecutor(dask_address or f"local:{workers or default_workers()}")
    raise CorridorsError(f"--executor: unknown executor '{kind}' (choose from {', '.join(EXECUTORS)})")
