"""Several sweeps side by side on one executor: the rows, chunks and reports of running them one by one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridors.calibration.simulate import MomentSimulator
from corridors.experiments.executors.process import ProcessExecutor
from corridors.experiments.spec import load_experiment
from corridors.experiments.store import Store
from corridors.experiments.sweep import run_sweep, run_sweeps

TINY = ["parameters.burn_in_days=10", "parameters.max_days=30"]


def _spec(base: str, values: list[float], replications: int = 5) -> object:
    return load_experiment(
        {
            "name": f"side_{base}",
            "base": base,
            "replications": replications,
            "seed": 5,
            "engine": "batch",
            "chunk_replications": 2,
            "set": TINY,
            "factors": [{"path": "parameters.widen_base", "values": values}],
        }
    )


SPECS = [("unsc", [0.1, 0.3]), ("au", [0.2]), ("osce", [0.4, 0.5])]


def _runs(st: Store, experiment_id: int) -> pd.DataFrame:
    return st.query(
        "SELECT * EXCLUDE (run_id, experiment_id) FROM runs WHERE experiment_id = ? ORDER BY point_id, replicate",
        [experiment_id],
    )


def _chunks(st: Store, experiment_id: int) -> pd.DataFrame:
    return st.query(
        "SELECT chunk_id, point_id, points, first_replicate, replications, status FROM chunks "
        "WHERE experiment_id = ? ORDER BY chunk_id",
        [experiment_id],
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_side_by_side_sweeps_store_what_one_by_one_sweeps_store(tmp_path: Path, workers: int) -> None:
    specs = [_spec(base, values) for base, values in SPECS]
    ended: list[int] = []
    executor = ProcessExecutor(workers=2) if workers == 2 else None
    with Store(tmp_path / "side.duckdb") as st:
        if executor is None:
            from corridors.experiments.executors.serial import SerialExecutor

            executor = SerialExecutor()
        with executor:
            reports = run_sweeps(
                specs,  # type: ignore[arg-type]
                store=st,
                executor=executor,
                new=True,
                finished=lambda index, report: ended.append(index),
            )
        side = [(_runs(st, r.experiment_id), _chunks(st, r.experiment_id)) for r in reports]
    assert sorted(ended) == [0, 1, 2]
    assert [r.status for r in reports] == ["finished"] * 3
    assert [r.replications_this_session for r in reports] == [10, 5, 10]
    for spec, (runs, chunks) in zip(specs, side, strict=True):
        path = tmp_path / f"{spec.name}.duckdb"  # type: ignore[attr-defined]
        alone = run_sweep(spec, store=path)  # type: ignore[arg-type]
        with Store(path) as st:
            pd.testing.assert_frame_equal(runs, _runs(st, alone.experiment_id))
            pd.testing.assert_frame_equal(chunks, _chunks(st, alone.experiment_id))


def test_side_by_side_sweeps_resume_and_skip_what_is_done(tmp_path: Path) -> None:
    specs = [_spec(base, values) for base, values in SPECS]
    with Store(tmp_path / "s.duckdb") as st:
        from corridors.experiments.executors.serial import SerialExecutor

        first = run_sweeps(specs[:1], store=st, executor=SerialExecutor(), new=True)  # type: ignore[arg-type]
        again = run_sweeps(specs, store=st, executor=SerialExecutor(), new=[False, True, True])  # type: ignore[arg-type]
    assert again[0].experiment_id == first[0].experiment_id
    assert again[0].nothing_to_do and again[0].replications_this_session == 0
    assert [r.replications_this_session for r in again[1:]] == [5, 10]


def test_prefetch_runs_what_reads_would_run_and_counts_each_evaluation_once(tmp_path: Path) -> None:
    points = [{"widen_base": 0.2}, {"widen_base": 0.3}, {"widen_base": 0.2}]
    orgs = ["AU", "OSCE"]

    def simulator(name: str) -> MomentSimulator:
        return MomentSimulator(tmp_path / name, replications=4, seed=2, overrides=TINY)

    with simulator("one.duckdb") as one:
        alone = [one.moments(values, orgs) for values in points]
    with simulator("side.duckdb") as side:
        assert side.prefetch(points, orgs) == 4  # the repeated point and organizations run once
        assert side.prefetch(points, orgs) == 0
        together = [side.moments(values, orgs) for values in points]
    for a, b in zip(alone, together, strict=True):
        for org in orgs:
            pd.testing.assert_frame_equal(a[org], b[org])
    assert (one.evaluations_run, one.evaluations_found) == (side.evaluations_run, side.evaluations_found) == (4, 0)
    with simulator("side.duckdb") as again:  # a resume finds every one
        again.prefetch(points, orgs)
        [again.moments(values, orgs) for values in points]
    assert (again.evaluations_run, again.evaluations_found) == (0, 4)
