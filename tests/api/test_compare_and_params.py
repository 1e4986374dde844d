"""corridors.compare (common random numbers, paired intervals) and named parameter sets in the API."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import corridors
from corridors.calibration import PARAMETER_SETS, parameter_overrides, shipped_parameter_file
from corridors.engines import run_replications
from corridors.engines.rows import DAYS_PER_MONTH
from corridors.engines.summary import censored_durations, survival_figures
from corridors.errors import CorridorsError
from corridors.experiments.compare import Comparison

SHORT = ["parameters.burn_in_days=10"]


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    """The UNSC meeting once a week instead of three times, 60 replicate pairs."""
    first = corridors.load("unsc", overrides=SHORT)
    second = corridors.load("unsc", overrides=[*SHORT, "formal_meetings_per_week=1"])
    return corridors.compare(first, second, replications=60, seed=4, workers=1)


def test_the_first_scenario_runs_as_corridors_run_and_the_second_on_its_streams(comparison: Comparison) -> None:
    first = corridors.load("unsc", overrides=SHORT)
    second = corridors.load("unsc", overrides=[*SHORT, "formal_meetings_per_week=1"])
    alone = corridors.run(first, replications=60, seed=4, workers=1)
    assert comparison.rows_first.equals(alone.reset_index(drop=True))
    shared = run_replications(second, replications=60, seed=4, workers=1, stream_key=first.content_hash())
    assert comparison.rows_second.equals(shared.reset_index(drop=True))
    assert comparison.stream_key == first.content_hash() != comparison.second_hash


def test_each_scenarios_figures_are_the_summary_ones(comparison: Comparison) -> None:
    table = comparison.table
    for column, rows in (("first", comparison.rows_first), ("second", comparison.rows_second)):
        figures = survival_figures(rows)
        assert table.loc["decided share", column] == pytest.approx(figures["decided_share"])
        assert table.loc["response months: KM median", column] == pytest.approx(figures["km_median_months"])
        assert table.loc["response months: restricted mean", column] == pytest.approx(figures["restricted_mean_months"])
        # every run is followed to the horizon: the restricted mean is the mean of the capped months
        days = np.minimum(censored_durations(rows)["duration_days"], rows["horizon_days"])
        assert float(days.mean()) / DAYS_PER_MONTH == pytest.approx(figures["restricted_mean_months"])


def test_the_differences_are_second_minus_first_inside_their_intervals(comparison: Comparison) -> None:
    table = comparison.table
    for measure, row in table.iterrows():
        assert row["difference"] == pytest.approx(row["second"] - row["first"]), measure
        assert row["difference_lower"] <= row["difference"] <= row["difference_upper"], measure
        assert row["first_lower"] <= row["first"] <= row["first_upper"], measure


def test_pairing_narrows_the_restricted_means_interval(comparison: Comparison) -> None:
    """Common random numbers: the paired interval of the difference is narrower than either scenario's own."""
    row = comparison.table.loc["response months: restricted mean"]
    paired = row["difference_upper"] - row["difference_lower"]
    assert paired < row["first_upper"] - row["first_lower"]
    assert paired < row["second_upper"] - row["second_lower"]


def test_a_scenario_against_itself_differs_by_nothing() -> None:
    same = corridors.compare("unsc", "unsc", overrides=SHORT, replications=20, seed=1, workers=1)
    assert same.table["difference"].tolist() == [0.0, 0.0, 0.0]
    assert same.table["difference_lower"].tolist() == same.table["difference_upper"].tolist() == [0.0, 0.0, 0.0]


def test_compare_refuses_overrides_for_loaded_scenarios() -> None:
    with pytest.raises(CorridorsError, match="load a scenario with them instead"):
        corridors.compare(corridors.load("unsc"), "unsc", overrides=SHORT, replications=4)


def test_load_with_params_calibrated_is_the_shipped_file() -> None:
    by_name = corridors.load("eu", params="calibrated")
    by_file = corridors.load("eu", overrides=parameter_overrides(shipped_parameter_file()))
    assert by_name.content_hash() == by_file.content_hash()
    assert corridors.load("eu", params=shipped_parameter_file()).content_hash() == by_name.content_hash()
    realist = corridors.load("eu", params="calibrated-realist")
    assert realist.realist and realist.content_hash() != by_name.content_hash()
    assert set(PARAMETER_SETS) == {"calibrated", "calibrated-realist"}


def test_overrides_win_over_params() -> None:
    eu = corridors.load("eu", params="calibrated", **{"parameters.trust_gain": 0.3})
    assert eu.parameters.trust_gain == 0.3


def test_an_unknown_parameter_set_lists_the_names(tmp_path: Path) -> None:
    with pytest.raises(CorridorsError) as caught:
        corridors.load("eu", params="calibratd")
    assert caught.value.problems == [
        "params calibratd: no parameter set of that name and no such file (named sets: "
        "calibrated, calibrated-realist; or a parameter file written by "
        "'corridors calibrate')"
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: nothing\n", encoding="utf-8")
    with pytest.raises(CorridorsError, match=r"^params .*bad.yaml: not a corridors parameter file"):
        corridors.load("eu", params=bad)


def test_sweep_with_params(tmp_path: Path) -> None:
    spec = {
        "name": "tiny",
        "base": "unsc",
        "replications": 2,
        "seed": 7,
        "set": SHORT,
        "factors": [{"path": "formal_meetings_per_week", "values": [1, 2]}],
    }
    report = corridors.sweep(spec, store=tmp_path / "tiny.duckdb", params="calibrated")
    from corridors.experiments import query_store

    hashes = set(query_store(report.store, "SELECT DISTINCT scenario_hash FROM runs")["scenario_hash"])
    expected = {
        corridors.load("unsc", params="calibrated", overrides=[*SHORT, f"formal_meetings_per_week={v}"]).content_hash()
        for v in (1, 2)
    }
    assert hashes == expected
