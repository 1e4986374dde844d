"""Chunks: the unit of work shipped to an executor and committed to the store.

A chunk is a block of consecutive replicates of one design point or, when a design point
has fewer replications than a chunk should hold (a Sobol design of many points, say),
all the replicates of several consecutive design points. Chunk ids are a pure function of
the design's size and the experiment's chunk size, which the store keeps, so a resumed
sweep plans exactly the same chunks and can skip the finished ones.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from corridors.engines import ROW_SCHEMA, run_replications
from corridors.scenario.schema import Scenario

__all__ = ["Chunk", "ChunkResult", "ChunkTask", "count_chunks", "plan_chunks", "run_chunk"]


@dataclass(frozen=True)
class Chunk:
    """A chunk of work: some replicates of some design points.

    Replicates ``first_replicate .. first_replicate + replications - 1`` of design points
    ``point_id .. point_id + points - 1`` (several points only with all their replicates).
    """

    chunk_id: int
    point_id: int
    first_replicate: int
    replications: int
    points: int = 1

    @property
    def size(self) -> int:
        """Replications in the chunk, over all its points."""
        return self.replications * self.points

    @property
    def point_ids(self) -> range:
        """The design points of the chunk."""
        return range(self.point_id, self.point_id + self.points)


def count_chunks(n_points: int, replications: int, chunk_replications: int) -> int:
    """How many chunks :func:`plan_chunks` makes.

    Examples
    --------
    >>> count_chunks(2, 5, 3), count_chunks(10, 4, 12)
    (4, 4)
    """
    if chunk_replications >= replications:
        per_chunk = chunk_replications // replications
        return -(-n_points // per_chunk)
    return n_points * -(-replications // chunk_replications)


def plan_chunks(n_points: int, replications: int, chunk_replications: int) -> Iterator[Chunk]:
    """All chunks of a sweep, in order of chunk id, each of at most ``chunk_replications`` runs.

    Examples
    --------
    A point's replicates in blocks:

    >>> [(c.chunk_id, c.point_id, c.first_replicate, c.replications) for c in plan_chunks(2, 5, 3)]
    [(0, 0, 0, 3), (1, 0, 3, 2), (2, 1, 0, 3), (3, 1, 3, 2)]

    Whole points grouped (three points of four replicates a chunk):

    >>> [(c.chunk_id, c.point_id, c.points) for c in plan_chunks(7, 4, 12)]
    [(0, 0, 3), (1, 3, 3), (2, 6, 1)]
    """
    if chunk_replications < 1:
        raise ValueError("chunk_replications must be at least 1")
    if chunk_replications >= replications:
        per_chunk = chunk_replications // replications
        for chunk_id, first_point in enumerate(range(0, n_points, per_chunk)):
            yield Chunk(chunk_id, first_point, 0, replications, min(per_chunk, n_points - first_point))
        return
    blocks = -(-replications // chunk_replications)
    for point_id in range(n_points):
        for block in range(blocks):
            first = block * chunk_replications
            yield Chunk(point_id * blocks + block, point_id, first, min(chunk_replications, replications - first))


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to run a chunk: picklable, no connection to the store.

    ``scenarios`` holds one scenario per design point of the chunk, in order.
    ``stream_key`` is the experiment's common stream key (common random numbers): every
    point's replicates are seeded by it; ``None`` seeds each point by its own scenario hash.
    ``tag`` comes back on the result: which sweep a chunk belongs to when several sweeps share
    one executor (:func:`~corridors.experiments.sweep.run_sweeps`).
    """

    chunk: Chunk
    scenarios: tuple[Scenario, ...]
    seed: int
    engine: str
    stream_key: str | None = None
    reuse_worlds_mb: float = 0.0  # the driver's budget of routine worlds (corridors.engines.worlds)
    tag: int = 0


@dataclass
class ChunkResult:
    """A finished chunk: its rows, or the traceback of the exception it raised."""

    chunk: Chunk
    rows: pd.DataFrame | None
    error: str | None
    seconds: float
    worker: str
    tag: int = 0  # the task's

    @property
    def ok(self) -> bool:
        """Whether the chunk ran without an error."""
        return self.error is None


def worker_name() -> str:
    """``host:pid`` of the process running a chunk."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run one chunk; an exception becomes a failed result carrying its traceback.

    Examples
    --------
    >>> from corridors.scenario import load_scenario
    >>> scenario = load_scenario("unsc", ["parameters.burn_in_days=0", "parameters.max_days=10"])
    >>> result = run_chunk(ChunkTask(Chunk(0, 0, 0, 2), (scenario,), seed=1, engine="reference"))
    >>> result.ok, len(result.rows)
    (True, 2)
    """
    start = time.perf_counter()
    chunk = task.chunk
    try:
        if len(task.scenarios) != chunk.points:
            given = len(task.scenarios)
            raise ValueError(f"chunk {chunk.chunk_id} has {chunk.points} design points but {given} scenarios")
        if task.engine == "batch":
            from corridors.engines.worlds import follow_world_cache

            follow_world_cache(task.reuse_worlds_mb)
        frames = []
        for scenario in task.scenarios:
            frame = run_replications(
                scenario,
                replications=chunk.replications,
                seed=task.seed,
                engine=task.engine,
                first_replicate=chunk.first_replicate,
                stream_key=task.stream_key,
            )
            if list(frame.columns) != ROW_SCHEMA.names or len(frame) != chunk.replications:
                raise RuntimeError(
                    f"engine {task.engine} returned {len(frame)} rows with columns {list(frame.columns)}; "
                    f"expected {chunk.replications} rows of the row schema"
                )
            frames.append(frame)
        rows = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    except Exception:
        return ChunkResult(chunk, None, traceback.format_exc(), time.perf_counter() - start, worker_name(), task.tag)
    return ChunkResult(chunk, rows, None, time.perf_counter() - start, worker_name(), task.tag)


def failed_result(task: ChunkTask, message: str) -> ChunkResult:
    """A failed result for a chunk whose worker died or was lost (no traceback of its own)."""
    return ChunkResult(task.chunk, None, message, 0.0, "", task.tag)
