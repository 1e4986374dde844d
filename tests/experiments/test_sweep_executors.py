"""The same spec gives the same runs table on every executor and for every chunk size."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from experiment_helpers import BATCH_AVAILABLE, row_columns, runs_of, tiny_spec

from corridors.experiments import load_experiment, run_sweep
from corridors.experiments.executors.dask import DaskExecutor
from corridors.experiments.executors.process import ProcessExecutor
from corridors.experiments.executors.serial import SerialExecutor


@pytest.fixture(scope="module")
def serial_runs(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    store = tmp_path_factory.mktemp("serial") / "runs.duckdb"
    report = run_sweep(load_experiment(tiny_spec()), store=store, executor=SerialExecutor())
    assert report.status == "finished" and report.chunks_done == report.chunks_total == 9
    return runs_of(store)


def test_the_serial_runs_table_is_complete(serial_runs: pd.DataFrame) -> None:
    assert len(serial_runs) == 3 * 6
    assert list(serial_runs["run_id"]) == list(range(18))
    assert serial_runs.groupby("point_id")["replicate"].apply(list).tolist() == [list(range(6))] * 3
    assert serial_runs["scenario_hash"].nunique() == 3
    assert set(serial_runs["seed"]) == {11}
    assert set(serial_runs["code_version"]) == {__import__("corridors").__version__}


@pytest.mark.parametrize("chunk_replications", [1, 4, 6, 12, 18])
def test_any_chunk_size_gives_the_same_rows(tmp_path: Path, serial_runs: pd.DataFrame, chunk_replications: int) -> None:
    store = tmp_path / "runs.duckdb"
    run_sweep(load_experiment(tiny_spec(chunk_replications=chunk_replications)), store=store)
    runs = runs_of(store)
    pd.testing.assert_frame_equal(row_columns(runs), row_columns(serial_runs))
    assert list(runs["run_id"]) == list(serial_runs["run_id"])


def test_the_process_pool_gives_the_same_rows(tmp_path: Path, serial_runs: pd.DataFrame) -> None:
    store = tmp_path / "runs.duckdb"
    report = run_sweep(load_experiment(tiny_spec()), store=store, executor=ProcessExecutor(workers=2))
    assert report.status == "finished" and report.executor == "process (2 workers)"
    runs = runs_of(store)
    pd.testing.assert_frame_equal(runs, serial_runs)  # same chunk size: every column, chunk ids too
    with __import__("corridors").experiments.Store(store, read_only=True) as st:
        workers = set(st.query("SELECT worker FROM chunks")["worker"])
    assert len(workers) == 2  # both processes did work


def test_dask_gives_the_same_rows(tmp_path: Path, serial_runs: pd.DataFrame) -> None:
    store = tmp_path / "runs.duckdb"
    executor = DaskExecutor("local:2", processes=False)
    report = run_sweep(load_experiment(tiny_spec()), store=store, executor=executor)
    assert report.status == "finished"
    pd.testing.assert_frame_equal(runs_of(store), serial_runs)


@pytest.mark.skipif(not BATCH_AVAILABLE, reason="the batch engine is not in this installation")
def test_the_batch_engine_is_chunk_and_executor_invariant_too(tmp_path: Path) -> None:
    spec = tiny_spec(engine="batch", replications=40, chunk_replications=40)
    run_sweep(load_experiment(spec), store=tmp_path / "a.duckdb")
    spec_small_chunks = tiny_spec(engine="batch", replications=40, chunk_replications=7)
    run_sweep(
        load_experiment(spec_small_chunks),
        store=tmp_path / "b.duckdb",
        executor=DaskExecutor("local:2", processes=False),
    )
    a, b = runs_of(tmp_path / "a.duckdb"), runs_of(tmp_path / "b.duckdb")
    assert set(a["engine"]) == {"batch"}
    pd.testing.assert_frame_equal(row_columns(a), row_columns(b))


def test_a_multi_process_cluster_by_its_address_gives_the_same_rows(tmp_path: Path, serial_runs: pd.DataFrame) -> None:
    """The cluster recipe's code path (docs/CLUSTER.md): a scheduler address, worker processes."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        executor = DaskExecutor(cluster.scheduler_address)
        report = run_sweep(load_experiment(tiny_spec()), store=tmp_path / "runs.duckdb", executor=executor)
    assert report.status == "finished"
    runs = runs_of(tmp_path / "runs.duckdb")
    pd.testing.assert_frame_equal(row_columns(runs), row_columns(serial_runs))
    with __import__("corridors").experiments.Store(tmp_path / "runs.duckdb", read_only=True) as st:
        assert len(set(st.query("SELECT worker FROM chunks")["worker"])) == 2  # both processes did work
