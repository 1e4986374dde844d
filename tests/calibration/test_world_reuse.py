"""The calibration reuses routine worlds and its tables do not change (issue 24)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from corridors.calibration import fit as fit_module
from corridors.calibration.fit import MSMCalibration
from corridors.calibration.simulate import MomentSimulator
from corridors.engines import worlds as worlds_module

SHORT = ["parameters.burn_in_days=30", "parameters.max_days=60"]


def _fit(store: Path, reuse_mb: float, monkeypatch: pytest.MonkeyPatch) -> MSMCalibration:
    monkeypatch.setattr(fit_module, "MomentSimulator", functools.partial(MomentSimulator, reuse_worlds_mb=reuse_mb))
    return MSMCalibration(
        parameters=["widen_base", "trust_gain"],
        organizations=["OSCE", "UNSC"],
        replications=6,
        seed=2,
        store=store,
        max_evaluations=4,
        initial_points=1,
        overrides=SHORT,
        profile_points=2,
        standard_errors=False,
    ).fit()


def test_calibration_tables_are_the_same_with_and_without_reused_worlds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    puts: list[object] = []
    real_put = worlds_module.WorldCache.put
    hits: list[object] = []
    real_get = worlds_module.WorldCache.get

    def put(self: worlds_module.WorldCache, key: tuple[object, ...], worlds: worlds_module.WorldSet) -> None:
        puts.append(key)
        real_put(self, key, worlds)

    def get(self: worlds_module.WorldCache, key: tuple[object, ...]) -> worlds_module.WorldSet | None:
        found = real_get(self, key)
        if found is not None:
            hits.append(key)
        return found

    monkeypatch.setattr(worlds_module.WorldCache, "put", put)
    monkeypatch.setattr(worlds_module.WorldCache, "get", get)
    off = _fit(tmp_path / "off.duckdb", 0, monkeypatch)
    assert not puts and not hits
    on = _fit(tmp_path / "on.duckdb", 64, monkeypatch)
    assert hits, "an evaluation that changed only widen_base should have reused its worlds"
    for name in ("trace_", "moments_", "profiles_", "params_"):
        assert getattr(on, name).to_csv() == getattr(off, name).to_csv(), name
    assert worlds_module.world_cache() is None  # the simulator turned its cache off again


def test_sweep_chunks_carry_the_drivers_budget_to_the_workers() -> None:
    from corridors.experiments.chunks import Chunk, ChunkTask, run_chunk
    from corridors.scenario import load_scenario

    scenario = load_scenario("unsc", ["parameters.burn_in_days=10", "parameters.max_days=20"])
    task = ChunkTask(Chunk(0, 0, 0, 2), (scenario,), seed=1, engine="batch", reuse_worlds_mb=8)
    assert worlds_module.world_cache() is None
    try:
        assert run_chunk(task).ok
        cache = worlds_module.world_cache()
        assert cache is not None and cache.max_bytes == 8_000_000 and cache.misses == 1  # as a worker would
        assert run_chunk(task).ok and cache.hits == 1
        assert run_chunk(ChunkTask(task.chunk, task.scenarios, seed=1, engine="batch")).ok
        assert worlds_module.world_cache() is None  # the driver's cache is off: so is the worker's
    finally:
        worlds_module.configure_world_cache(0)
    with worlds_module.reusing_worlds(8):
        from corridors.experiments import sweep

        assert sweep.world_cache_budget_for_tasks("batch") == 8
