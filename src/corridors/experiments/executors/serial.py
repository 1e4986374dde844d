"""The serial executor: chunks run one after another in this process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from corridors.experiments.chunks import ChunkResult, ChunkTask, run_chunk
from corridors.experiments.executors import Executor

__all__ = ["SerialExecutor"]


class SerialExecutor(Executor):
    """Run chunks in this process, in order (the reference for the others; best for debugging).

    Examples
    --------
    >>> from corridors.experiments.chunks import Chunk
    >>> from corridors.scenario import load_scenario
    >>> scenario = load_scenario("unsc", ["parameters.burn_in_days=0", "parameters.max_days=10"])
    >>> with SerialExecutor() as executor:
    ...     results = list(executor.evaluate([ChunkTask(Chunk(0, 0, 0, 1), (scenario,), 1, "reference")]))
    >>> [r.ok for r in results]
    [True]
    """

    name = "serial"
    workers = 1

    def evaluate(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Run the tasks one after the other in this process."""
        for task in tasks:
            yield run_chunk(task)
