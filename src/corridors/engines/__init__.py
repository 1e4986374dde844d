"""Engines that run the negotiation model: ``reference`` (Mesa) and ``batch`` (numba).

Both read the same validated scenario, take their starting world from :mod:`draws`, and
emit the rows of :mod:`rows`. Engine choice is explicit, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from corridors.engines._numba_cache import refresh_numba_cache

refresh_numba_cache()  # before any compiled function loads from the cache

from corridors.engines.draws import InitialDraws, check_stream_key, draw_initial, replicate_streams  # noqa: E402
from corridors.engines.rows import ROW_SCHEMA, RunRow, rows_to_frame  # noqa: E402
from corridors.errors import CorridorsError  # noqa: E402
from corridors.scenario.limits import check_workload  # noqa: E402
from corridors.scenario.schema import Scenario  # noqa: E402

__all__ = ["ENGINES", "ROW_SCHEMA", "RunRow", "routine_network", "run_replications"]

ENGINES = ("batch", "reference")

ProgressCallback = Callable[[int], None]


def run_replications(
    scenario: Scenario,
    *,
    replications: int,
    seed: int = 0,
    engine: str = "batch",
    first_replicate: int = 0,
    progress: ProgressCallback | None = None,
    workers: int = 1,
    stream_key: str | None = None,
) -> pd.DataFrame:
    """Run replicates ``first_replicate .. first_replicate + replications - 1`` of a scenario.

    Each replicate's randomness depends only on (seed, stream key, replicate index), so
    any split of the replicates into calls, blocks or processes gives the same rows.
    The stream key is the scenario's content hash unless ``stream_key`` (hex) is given:
    runs of different scenarios given one key share their streams, replicate by replicate
    (common random numbers; the rows' ``scenario_hash`` stays the scenario's own).
    ``workers`` processes share the batch engine's blocks (0: every available core); the
    reference engine runs in this process.

    Examples
    --------
    >>> from corridors.scenario import load_scenario
    >>> rows = run_replications(load_scenario("unsc"), replications=2, seed=1, engine="reference")
    >>> list(rows["replicate"])
    [0, 1]
    """
    if replications < 0:
        raise CorridorsError(f"replications: must be >= 0, got {replications}")
    if seed < 0:
        raise CorridorsError(f"seed: must be a non-negative integer, got {seed}")
    if workers < 0:
        raise CorridorsError(f"--workers: must be >= 0 (0: every core), got {workers}")
    if stream_key is not None:
        check_stream_key(stream_key)
    check_workload(scenario, replications=replications, engine=engine)
    if engine == "reference":
        from corridors.engines.reference import run_reference

        rows: list[RunRow] = []
        for r in range(first_replicate, first_replicate + replications):
            rows.append(run_reference(scenario, seed=seed, replicate=r, stream_key=stream_key)[0])
            if progress is not None:
                progress(1)
        return rows_to_frame(rows)
    if engine == "batch":
        from corridors.engines.parallel import available_cores, run_batch_parallel

        return run_batch_parallel(
            scenario,
            replications=replications,
            seed=seed,
            first_replicate=first_replicate,
            workers=workers or available_cores(),
            progress=progress,
            stream_key=stream_key,
        )
    raise CorridorsError(f"--engine: unknown engine '{engine}' (choose from {', '.join(ENGINES)})")


def routine_network(
    scenario: Scenario, *, seed: int = 0, replicate: int = 0, stream_key: str | None = None
) -> tuple[list[str], np.ndarray]:
    """The routine trust network at day 0 of a replicate (after burn-in), on the reference engine.

    Returns the member codes and the symmetric tie-strength matrix (w in [-1, 1]).
    """
    from corridors.engines.reference import Committee

    committee = Committee(scenario, seed=seed, replicate=replicate, stream_key=stream_key)
    while committee.day < 0:
        committee.step()
    return list(committee.arrays.codes), committee.trust.copy()


def initial_world(
    scenario: Scenario, *, seed: int = 0, replicate: int = 0, stream_key: str | None = None
) -> InitialDraws:
    """The draws of one replicate (for tests and inspection)."""
    key = scenario.content_hash() if stream_key is None else check_stream_key(stream_key)
    draws_state, _ = replicate_streams(seed, key, replicate)
    return draw_initial(scenario, draws_state)
