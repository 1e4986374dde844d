"""Sensitivity: Sobol and Morris indices from the joined table, and the chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from experiment_helpers import tiny_spec, write_spec

from corridors.errors import CorridorsError
from corridors.experiments import analyze_sensitivity, load_experiment, run_sensitivity, run_sweep
from corridors.experiments.store import Store

FACTORS = [
    {"path": "formal_meetings_per_week", "range": [0.5, 3.5]},
    {"path": "parameters.deploy_cv", "range": [0.2, 0.8]},  # no effect on meetings
]


@pytest.fixture(scope="module")
def sobol_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sobol")
    spec = tiny_spec(
        factors=FACTORS,
        design={"kind": "sobol", "points": 8},
        replications=2,
        chunk_replications=None,
        output="n_formal_meetings",
    )
    result = run_sensitivity(write_spec(folder, spec), store=folder / "s.duckdb")
    assert result.chart.is_file() and result.chart.stat().st_size > 1000
    assert result.chart.name == "tiny_sensitivity.png"
    return folder / "s.duckdb"


def test_sobol_indices_rank_the_factor_that_matters_first(sobol_store: Path) -> None:
    indices = analyze_sensitivity(sobol_store, output="n_formal_meetings")
    assert list(indices.columns) == ["factor", "S1", "S1_conf", "ST", "ST_conf"]
    total = dict(zip(indices["factor"], indices["ST"], strict=True))
    first = dict(zip(indices["factor"], indices["S1"], strict=True))
    assert total["formal_meetings_per_week"] > 0.5
    # each design point has its own random stream (the seed follows the scenario hash), so with two
    # replications the factor without effect still picks up some replication noise
    assert total["formal_meetings_per_week"] > 2 * total["parameters.deploy_cv"]
    assert first["formal_meetings_per_week"] > first["parameters.deploy_cv"]
    assert (indices["S1_conf"] >= 0).all() and (indices["ST_conf"] >= 0).all()
    assert indices.attrs["design_points"] == 8 * 4


def test_the_analysis_is_reproducible(sobol_store: Path) -> None:
    first = analyze_sensitivity(sobol_store, output="decided_share")
    again = analyze_sensitivity(sobol_store, output="decided_share")
    assert first.equals(again)


def test_the_analysis_checks_the_stored_design(sobol_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "edited.duckdb"
    copy.write_bytes(sobol_store.read_bytes())
    with Store(copy) as st:
        st.con.execute("UPDATE factor_values SET unit_value = 1 - unit_value WHERE point_id = 3")
    with pytest.raises(CorridorsError, match="the stored design is not the spec's sample"):
        analyze_sensitivity(copy, output="n_formal_meetings")


def test_an_undefined_output_is_refused_with_a_hint(sobol_store: Path) -> None:
    with pytest.raises(CorridorsError) as caught:
        analyze_sensitivity(sobol_store, output="nonsense")
    assert "unknown output 'nonsense'" in str(caught.value) and "decided_share" in str(caught.value)


def test_morris_screening(tmp_path: Path) -> None:
    spec = tiny_spec(
        factors=[*FACTORS, {"path": "agenda_setter.kind", "values": ["presidency", "secretariat"]}],
        design={"kind": "morris", "points": 3},
        replications=2,
        chunk_replications=None,
    )
    result = run_sensitivity(
        load_experiment(spec), store=tmp_path / "m.duckdb", output="n_formal_meetings", chart=tmp_path / "m.png"
    )
    indices = result.indices
    assert list(indices.columns) == ["factor", "mu", "mu_star", "mu_star_conf", "sigma"]
    mu_star = dict(zip(indices["factor"], indices["mu_star"], strict=True))
    assert mu_star["formal_meetings_per_week"] > mu_star["parameters.deploy_cv"]
    assert (tmp_path / "m.png").is_file()


def test_a_grid_has_no_indices(tmp_path: Path) -> None:
    run_sweep(load_experiment(tiny_spec(replications=1)), store=tmp_path / "g.duckdb")
    with pytest.raises(CorridorsError, match="sensitivity needs design: sobol or morris"):
        analyze_sensitivity(tmp_path / "g.duckdb")
    with pytest.raises(CorridorsError, match="sensitivity needs kind sobol or morris"):
        run_sensitivity(load_experiment(tiny_spec()), store=tmp_path / "g.duckdb")


def test_wide_intervals_and_s1_above_st_are_warned_with_what_would_be_needed() -> None:
    import pandas as pd

    from corridors.experiments.sensitivity import reliability_warnings

    frame = pd.DataFrame(
        {
            "factor": ["wide", "fine", "odd"],
            "S1": [0.344, 0.5, 0.135],
            "S1_conf": [0.318, 0.02, 0.02],
            "ST": [0.6, 0.55, 0.067],
            "ST_conf": [0.05, 0.02, 0.01],
        }
    )
    lines = reliability_warnings(frame, method="sobol", base_samples=32, replications=100, noise_share=0.2)
    assert len(lines) == 3
    wide, odd, noise = lines
    assert wide.startswith("wide: S1 = 0.344 +/- 0.318: the 95% interval is wider than the index")
    assert "about 110 base samples (design.points, now 32)" in wide  # 32 * (0.636 / 0.344)^2, rounded up
    assert odd.startswith("odd: S1 = 0.135 +/- 0.020 exceeds ST = 0.067 beyond its interval")
    assert "about 400 replications per point (now 100)" in noise  # 100 * 0.2 / 0.05
    assert reliability_warnings(frame.iloc[[1]], method="sobol", base_samples=32, replications=100) == []
    morris = pd.DataFrame({"factor": ["a"], "mu": [0.1], "mu_star": [0.2], "mu_star_conf": [0.3], "sigma": [0.1]})
    (line,) = reliability_warnings(morris, method="morris", base_samples=4, replications=1)
    assert "about 36 trajectories (design.points, now 4)" in line  # 4 * (0.6 / 0.2)^2


def test_a_small_design_warns_as_python_warnings_too(sobol_store: Path) -> None:
    from corridors.experiments.sensitivity import SensitivityWarning

    with pytest.warns(SensitivityWarning) as caught:
        indices = analyze_sensitivity(sobol_store, output="n_formal_meetings")
    assert indices.attrs["warnings"] and [str(w.message) for w in caught] == indices.attrs["warnings"]
    assert any("base samples (design.points, now 8)" in line for line in indices.attrs["warnings"])


def test_reading_apart_from_analysing_gives_the_same_indices(sobol_store: Path) -> None:
    """analyze_sensitivity is read_sensitivity then the plain analyze(problem, X, Y) on arrays."""
    import warnings

    import numpy as np

    from corridors.experiments import read_sensitivity
    from corridors.experiments.sensitivity import SensitivityWarning, analyze

    samples = read_sensitivity(sobol_store, output="n_formal_meetings")
    assert samples.X.shape == (8 * 4, 2) and samples.Y.shape == (8 * 4,)
    assert samples.problem["names"] == [f["path"] for f in FACTORS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)
        plain = analyze(
            samples.problem, samples.X, samples.Y, design=samples.design, noise=samples.noise, seed=samples.seed
        )
        stored = analyze_sensitivity(sobol_store, output="n_formal_meetings")
        shifted = analyze(samples.problem, samples.X, samples.Y + 10.0, design=samples.design, seed=samples.seed)
    assert plain.equals(stored)
    assert plain.attrs["warnings"] == stored.attrs["warnings"]
    with pytest.raises(CorridorsError, match="one row per output"):
        analyze(samples.problem, samples.X[:-1], samples.Y, design=samples.design)
    assert np.allclose(shifted["ST"], plain["ST"])  # indices do not move with the output's level
