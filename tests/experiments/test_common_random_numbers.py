"""Common random numbers: an experiment option that keys every design point's replicates by one stream."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import BATCH_AVAILABLE, row_columns, runs_of, tiny_spec

from cli_support import invoke_cli
from corridors.engines import run_replications
from corridors.errors import CorridorsError
from corridors.experiments import Store, load_experiment, replay_run, run_sweep
from corridors.experiments.designs import expand_design
from corridors.experiments.executors.dask import DaskExecutor
from corridors.experiments.executors.process import ProcessExecutor
from corridors.scenario import load_scenario

WIDEN = [{"path": "parameters.widen_base", "values": [0.1, 0.3, 0.5]}]
"""A factor of the crisis only (capitals' reviews): the routine life before day 0 does not read it."""
ROUTINE = ["friends_mean", "zero_friend_share", "contacts_per_week", "density", "mean_trust"]
"""Row columns measured at day 0, from the burn-in alone."""


def crn_spec(**changes: object) -> dict[str, object]:
    return tiny_spec(factors=WIDEN, common_random_numbers=True, **changes)


@pytest.fixture(scope="module")
def crn_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crn") / "crn.duckdb"
    report = run_sweep(load_experiment(crn_spec()), store=path)
    assert report.status == "finished"
    return path


def test_the_option_is_off_by_default_and_part_of_the_design_hash() -> None:
    default = load_experiment(tiny_spec(factors=WIDEN))
    crn = load_experiment(crn_spec())
    assert not default.common_random_numbers
    assert "common_random_numbers" not in default.canonical()  # stored specs of before keep their form
    assert crn.canonical()["common_random_numbers"] is True
    assert expand_design(default).content_hash() != expand_design(crn).content_hash()
    assert expand_design(crn).content_hash() == expand_design(load_experiment(crn_spec())).content_hash()


def test_every_point_is_keyed_by_the_base_scenario_and_the_store_says_so(crn_store: Path) -> None:
    base_hash = load_scenario("unsc", tiny_spec()["set"]).content_hash()  # type: ignore[arg-type]
    with Store(crn_store, read_only=True) as st:
        points = st.query("SELECT point_id, scenario_hash, stream_key FROM design_points ORDER BY point_id")
    assert list(points["stream_key"]) == [base_hash] * 3
    assert points["scenario_hash"].nunique() == 3 and base_hash not in set(points["scenario_hash"])
    runs = runs_of(crn_store)
    for point_id, scenario_hash in zip(points["point_id"], points["scenario_hash"], strict=True):
        part = runs[runs["point_id"] == point_id].reset_index(drop=True)
        assert set(part["scenario_hash"]) == {scenario_hash}  # rows still name their own scenario
        scenario = expand_design(load_experiment(crn_spec())).scenario(int(point_id))
        expected = run_replications(scenario, replications=6, seed=11, engine="reference", stream_key=base_hash)
        pd.testing.assert_frame_equal(part[expected.columns.tolist()], expected)


def test_points_share_their_streams_where_the_factor_does_not_reach(crn_store: Path, tmp_path: Path) -> None:
    """Replicate i of every point lives the same routine life (the factor acts in the crisis only),
    yet the crisis differs; without the option the points' routine lives differ."""
    crn = runs_of(crn_store)
    by_point = [crn[crn["point_id"] == p].reset_index(drop=True) for p in range(3)]
    for other in by_point[1:]:
        pd.testing.assert_frame_equal(other[ROUTINE], by_point[0][ROUTINE])
    crisis = pd.concat([p["duration_days"] for p in by_point], axis=1)
    assert (crisis.nunique(axis=1) > 1).any()  # the factor matters to the outcome
    run_sweep(load_experiment(tiny_spec(factors=WIDEN)), store=tmp_path / "default.duckdb")
    default = runs_of(tmp_path / "default.duckdb")
    first, second = (default[default["point_id"] == p].reset_index(drop=True) for p in (0, 1))
    assert not first[ROUTINE].equals(second[ROUTINE])


@pytest.mark.parametrize("chunk_replications", [1, 4, 18])
def test_any_chunk_size_gives_the_same_rows(crn_store: Path, tmp_path: Path, chunk_replications: int) -> None:
    path = tmp_path / "chunks.duckdb"
    run_sweep(load_experiment(crn_spec(chunk_replications=chunk_replications)), store=path)
    pd.testing.assert_frame_equal(row_columns(runs_of(path)), row_columns(runs_of(crn_store)))


def test_the_process_pool_and_dask_give_the_same_rows(crn_store: Path, tmp_path: Path) -> None:
    for name, executor in (("process", ProcessExecutor(workers=2)), ("dask", DaskExecutor("local:2", processes=False))):
        path = tmp_path / f"{name}.duckdb"
        run_sweep(load_experiment(crn_spec()), store=path, executor=executor)
        pd.testing.assert_frame_equal(runs_of(path), runs_of(crn_store))


def test_a_stored_crn_run_replays_exactly_with_its_trace(crn_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = runs_of(crn_store)
    for run_id in (int(runs["run_id"].iloc[7]), int(runs["run_id"].iloc[-1])):
        replay = replay_run(crn_store, run_id, trace=True)
        assert replay.identical, replay.differences
        assert replay.stream_key != replay.stored["scenario_hash"]
        decided = bool(replay.stored["decided"])
        assert [e.kind for e in replay.events].count("decision") == int(decided)
    code, out, _ = invoke_cli(["results", "replay", str(crn_store), str(int(runs["run_id"].iloc[7]))], capsys)
    assert code == 0 and "identical" in out and f"stream key {replay.stream_key}" in out


def test_trace_takes_the_stream_key_and_refuses_a_bad_one(crn_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = runs_of(crn_store)
    row = runs.iloc[-1]
    replay = replay_run(crn_store, int(row["run_id"]))
    argv = [
        "trace",
        "unsc",
        "--seed",
        "11",
        "--replicate",
        str(int(row["replicate"])),
        "--set",
        "parameters.burn_in_days=30",
        "--set",
        "parameters.max_days=90",
        "--set",
        "parameters.widen_base=0.5",
        "--stream-key",
        replay.stream_key,
    ]
    code, out, _ = invoke_cli(argv, capsys)
    assert code == 0
    if bool(row["decided"]):
        assert f"decision on day {row['decision_day']:.0f}" in out
    else:
        assert "no decision" in out
    code, _, err = invoke_cli(["trace", "unsc", "--stream-key", "not-hex"], capsys)
    assert code == 2 and "--stream-key" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(CorridorsError, match="stream_key"):
        run_replications(load_scenario("unsc"), replications=1, stream_key="XYZ")


def test_a_store_of_format_2_is_read_and_upgraded(tmp_path: Path) -> None:
    """A store made before stream keys were stored: its runs replay by their scenario hash, and a writer adds
    the column."""
    path = tmp_path / "old.duckdb"
    run_sweep(load_experiment(tiny_spec(replications=2)), store=path)
    with Store(path) as st:
        st.con.execute("ALTER TABLE design_points DROP COLUMN stream_key")
        st.con.execute("UPDATE store_info SET value = '2' WHERE key = 'format'")
    assert replay_run(path, 3).identical
    run_sweep(load_experiment(crn_spec(replications=2)), store=path, new=True)
    with Store(path, read_only=True) as st:
        keys = st.query("SELECT experiment_id, stream_key FROM design_points ORDER BY experiment_id, point_id")
        fmt = st.query("SELECT value FROM store_info WHERE key = 'format'")["value"].iloc[0]
    assert fmt == "3"
    assert keys.loc[keys["experiment_id"] == 1, "stream_key"].isna().all()
    assert keys.loc[keys["experiment_id"] == 2, "stream_key"].nunique() == 1
    assert replay_run(path, 3).identical and replay_run(path, 8).identical


@pytest.mark.skipif(not BATCH_AVAILABLE, reason="the batch engine is not in this installation")
def test_crn_makes_the_difference_of_nearby_values_much_less_noisy(tmp_path: Path) -> None:
    """Across 8 root seeds, the difference in mean duration between widen_base 0.30 and 0.35 (OSCE, 100 runs a
    point) varies far less with common random numbers. Measured when written: variances 0.31 and 112 days^2
    (a ratio of 1/360); the test asks for 1/4, which equally noisy streams would pass with probability about
    1e-4 (F distribution with 7 and 7 degrees of freedom)."""
    differences: dict[bool, list[float]] = {False: [], True: []}
    for seed in range(8):
        for crn in (False, True):
            spec = {
                "name": "near",
                "base": "osce",
                "replications": 100,
                "seed": seed,
                "engine": "batch",
                "set": ["parameters.burn_in_days=120", "parameters.max_days=365"],
                "factors": [{"path": "parameters.widen_base", "values": [0.30, 0.35]}],
                "common_random_numbers": crn,
                "chunk_replications": 100,
            }
            path = tmp_path / f"near_{seed}_{crn}.duckdb"
            run_sweep(load_experiment(spec), store=path)
            means = runs_of(path).groupby("point_id")["duration_days"].mean()
            differences[crn].append(float(means[1] - means[0]))
    assert np.var(differences[True], ddof=1) < np.var(differences[False], ddof=1) / 4
