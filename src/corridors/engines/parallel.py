"""Replicate blocks of the batch engine on several cores, with rows identical to one core's.

A replicate's random numbers depend only on (seed, stream key, replicate index), so
splitting the replicates into blocks and the blocks among processes changes nothing in
the rows: they are put back in replicate order. Workers are forked after the kernel is
compiled in the parent (no recompilation, no re-import); where fork is unavailable they
are spawned and load the compiled kernel from numba's cache.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

import numpy as np
import pandas as pd

from corridors._constants import available_cores
from corridors.scenario.schema import Scenario

__all__ = ["available_cores", "block_size", "run_batch_parallel"]


def block_size(replications: int, workers: int) -> int:
    """Replicates per block: about four blocks per worker for balance, 64 to 1,024 each."""
    from corridors.engines.batch import BLOCK_REPLICATES

    return max(64, min(BLOCK_REPLICATES, math.ceil(replications / (4 * workers))))


class _Rows:
    """The rows of a run, filled block by block into one array per column (no concatenation).

    Joining blocks with ``pandas.concat`` holds every block and the joined copy at once;
    filling preallocated columns keeps one block beside the result.
    """

    def __init__(self, total: int, first_replicate: int) -> None:
        self.total = total
        self.first = first_replicate
        self.columns: dict[str, np.ndarray] = {}

    def add(self, block: pd.DataFrame, start: int) -> None:
        if not self.columns:
            self.columns = {name: np.empty(self.total, dtype=block[name].dtype) for name in block.columns}
        offset = start - self.first
        for name, column in self.columns.items():
            column[offset : offset + len(block)] = block[name].to_numpy()

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns, copy=False)


def _run_block(scenario_json: str, count: int, seed: int, first: int, stream_key: str | None) -> pd.DataFrame:
    from corridors.engines.batch import run_batch

    return run_batch(
        Scenario.model_validate_json(scenario_json),
        replications=count,
        seed=seed,
        first_replicate=first,
        stream_key=stream_key,
    )


def run_batch_parallel(
    scenario: Scenario,
    *,
    replications: int,
    seed: int,
    first_replicate: int = 0,
    workers: int,
    block: int | None = None,
    progress: Callable[[int], None] | None = None,
    stream_key: str | None = None,
) -> pd.DataFrame:
    """The rows of ``replications`` replicates computed in blocks by ``workers`` processes."""
    from corridors.engines.batch import run_batch

    block = block or block_size(replications, workers)
    starts = list(range(first_replicate, first_replicate + replications, block))
    if not starts:
        return run_batch(scenario, replications=0, seed=seed, stream_key=stream_key)
    rows = _Rows(replications, first_replicate)
    if workers <= 1 or len(starts) <= 1:
        for start in starts:
            count = min(block, first_replicate + replications - start)
            rows.add(
                run_batch(scenario, replications=count, seed=seed, first_replicate=start, stream_key=stream_key), start
            )
            if progress is not None:
                progress(count)
        return rows.frame()
    run_batch(
        scenario, replications=1, seed=seed, first_replicate=first_replicate, stream_key=stream_key
    )  # compile before forking
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    scenario_json = scenario.model_dump_json()
    with ProcessPoolExecutor(max_workers=min(workers, len(starts)), mp_context=context) as pool:
        pending: dict[Future[pd.DataFrame], int] = {}
        for start in starts:
            count = min(block, first_replicate + replications - start)
            pending[pool.submit(_run_block, scenario_json, count, seed, start, stream_key)] = start
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                start = pending.pop(future)
                frame = future.result()
                rows.add(frame, start)
                if progress is not None:
                    progress(len(frame))
    return rows.frame()
