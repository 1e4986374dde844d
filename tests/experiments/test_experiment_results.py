"""Reading the store: summary with censored runs, export, SQL, exact replay."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import runs_of, tiny_spec

from corridors._constants import DAYS_PER_MONTH
from corridors.engines.summary import survival_figures
from corridors.errors import CorridorsError
from corridors.experiments import export_results, load_experiment, query_store, replay_run, run_sweep, summarize
from corridors.experiments.store import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("results") / "results.duckdb"
    spec = tiny_spec(
        factors=[
            {"path": "formal_meetings_per_week", "values": [0.5, 3.5]},
            {"path": "mechanisms.gossip", "values": [True, False]},
        ],
        set=["parameters.burn_in_days=20", "parameters.max_days=40"],
    )
    run_sweep(load_experiment(spec), store=path)
    return path


def test_the_summary_reports_censoring_honestly(store: Path) -> None:
    summary = summarize(store)
    points = summary.points
    assert list(points.columns[:3]) == ["point_id", "formal_meetings_per_week", "mechanisms.gossip"]
    assert points["mechanisms.gossip"].tolist() == [True, False, True, False]
    runs = runs_of(store)
    assert not runs["decided"].all() and runs["decided"].any()  # a short horizon censors some runs
    for point in points.itertuples():
        mine = runs[runs["point_id"] == point.point_id]
        decided = mine[mine["decided"]]
        assert point.runs == len(mine)
        assert point.decided_share == pytest.approx(mine["decided"].mean())
        expected = decided["response_months"].mean() if len(decided) else math.nan
        assert point.response_months_mean == pytest.approx(expected, nan_ok=True)
        if len(decided):
            assert point.response_months_q50 == pytest.approx(np.quantile(decided["response_months"], 0.5))
        figures = survival_figures(mine)
        assert point.km_median_months == pytest.approx(figures["km_median_months"], nan_ok=True)
        assert point.restricted_mean_months == pytest.approx(figures["restricted_mean_months"])
        assert 0 < point.restricted_mean_months <= 40 / DAYS_PER_MONTH + 1e-9  # never beyond the horizon
    assert np.isnan(runs.loc[~runs["decided"], "response_months"]).all()
    assert "over decided runs only" in summary.note and "horizon_days = 40" in summary.note
    assert summary.failures is None and summary.chunks_done == summary.chunks_total


@pytest.mark.parametrize("format", ["parquet", "csv"])
def test_export_writes_the_runs_beside_their_factor_values(store: Path, tmp_path: Path, format: str) -> None:
    target = export_results(store, format=format, output=tmp_path / f"out.{format}")  # type: ignore[arg-type]
    frame = pd.read_parquet(target) if format == "parquet" else pd.read_csv(target)
    assert len(frame) == 4 * 6
    expected = {"run_id", "point_id", "formal_meetings_per_week", "mechanisms.gossip", "response_months"}
    assert expected <= set(frame.columns)
    assert frame.groupby("point_id")["formal_meetings_per_week"].first().tolist() == [0.5, 0.5, 3.5, 3.5]


def test_sql_reads_and_cannot_write(store: Path) -> None:
    frame = query_store(store, "SELECT count(*) AS n FROM runs r JOIN design_points d USING (experiment_id, point_id)")
    assert frame["n"].tolist() == [24]
    with pytest.raises(CorridorsError, match=r"SQL: .*read-only"):
        query_store(store, "DELETE FROM runs")
    with pytest.raises(CorridorsError, match="SQL: Catalog Error"):
        query_store(store, "SELECT * FROM nowhere")


def test_a_replayed_run_equals_its_stored_row_and_has_a_trace(store: Path) -> None:
    runs = runs_of(store)
    run_id = int(runs.loc[runs["decided"]].iloc[-1]["run_id"])
    replay = replay_run(store, run_id, trace=True)
    assert replay.identical, replay.differences
    assert replay.events and replay.events[-1].kind == "decision"
    assert replay.trace_engine == "reference"
    undecided = int(runs.loc[~runs["decided"], "run_id"].iloc[0])
    assert replay_run(store, undecided).identical  # NaN outcomes compare equal too


def test_replay_names_a_missing_run(store: Path) -> None:
    with pytest.raises(CorridorsError, match=r"RUN_ID: no run 999 \(run ids 0..23\)"):
        replay_run(store, 999)


def test_a_batch_run_replays_exactly_and_its_trace_tells_that_run(tmp_path: Path) -> None:
    path = tmp_path / "batch.duckdb"
    run_sweep(load_experiment(tiny_spec(engine="batch", replications=5)), store=path)
    for run_id in (3, 7, 12):
        replay = replay_run(path, run_id, trace=True)
        assert replay.identical, replay.differences
        assert replay.trace_engine == "reference" and replay.events
        decisions = [e.day for e in replay.events if e.kind == "decision"]
        stored_day = replay.stored["decision_day"]
        assert decisions == ([int(stored_day)] if stored_day == stored_day else [])
        assert any("replay of this very run" in note for note in replay.notes), replay.notes


def test_reading_a_file_that_is_not_a_store_is_an_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.duckdb"
    bogus.write_text("not a database")
    with pytest.raises(CorridorsError, match="not a readable corridors store"):
        summarize(bogus)
    with pytest.raises(CorridorsError, match="no such store"):
        summarize(tmp_path / "missing.duckdb")
    empty = tmp_path / "empty.duckdb"
    Store(empty).close()
    with pytest.raises(CorridorsError, match="no experiments yet"):
        summarize(empty)
