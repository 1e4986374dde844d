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
