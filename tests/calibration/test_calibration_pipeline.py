"""The calibration pipeline end to end on a tiny problem, the parameter file, and `run --params`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cli_support import invoke_cli
from corridors.calibration import parameter_overrides, read_parameter_file, shipped_parameter_file
from corridors.calibration.pipeline import CalibrationConfig, run_calibration, write_outputs
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario

TINY = CalibrationConfig(
    replications=6,
    max_evaluations=4,
    loo_max_evaluations=3,
    profile_points=2,
    max_parameters=1,
    organizations=("EU", "OSCE"),
    parameters=("widen_base",),
    overrides=("parameters.burn_in_days=20", "parameters.max_days=60"),
)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    folder = tmp_path_factory.mktemp("calibration")
    result = run_calibration(TINY, store=folder / "c.duckdb")
    write_outputs(result, folder / "out")
    return result, folder / "out"


def test_both_readings_are_fitted_and_each_organization_is_left_out(tiny_run: tuple[object, Path]) -> None:
    result, out = tiny_run
    loo = pd.read_csv(out / "leave_one_out.csv")
    assert set(loo["reading"]) == {"interpersonal", "realist"}
    assert set(loo["held_out"]) == {"EU", "OSCE"}
    table1 = loo[loo["measure"] == "response_months"].set_index(["reading", "held_out"])
    difference = table1["held_out_prediction"] - table1["observed"]
    assert table1["held_out_error"].to_numpy() == pytest.approx(difference.to_numpy())
    readings = pd.read_csv(out / "readings.csv").set_index("reading")
    assert set(readings.index) == {"interpersonal", "realist"}
    assert (readings["objective"] > 0).all()
    for name in (
        "targets.csv",
        "fit_interpersonal.csv",
        "profiles_realist.png",
        "moments_interpersonal.png",
        "trace_realist.csv",
        "leave_one_out_parameters_interpersonal.csv",
        "timings.csv",
    ):
        assert (out / name).is_file(), name


def test_the_parameter_file_is_versioned_and_reproduces_the_fit(tiny_run: tuple[object, Path]) -> None:
    result, out = tiny_run
    document = read_parameter_file(out / "calibrated.yaml")
    assert document["format"] == "corridors-calibration/1" and document["code_version"]
    fit = result.fits["interpersonal"]  # type: ignore[attr-defined]
    assert document["parameters"] == {k: pytest.approx(float(v)) for k, v in fit.params_.items()}
    realist = document["readings"]["realist"]
    overrides = parameter_overrides(out / "calibrated.yaml", reading="realist")
    assert overrides[0] == "realist=true"
    hashes = {org: load_scenario(org.lower(), [*overrides, *TINY.overrides]).content_hash() for org in ("EU", "OSCE")}
    stored = {org: load_scenario(org.lower(), overrides).content_hash() for org in ("EU", "OSCE")}
    assert stored == realist["scenario_hashes"] and hashes != stored  # hashes are of the presets as shipped


def test_a_file_that_is_not_a_parameter_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"parameters": {"trust_gain": 0.2}}))
    with pytest.raises(CorridorsError, match="not a corridors parameter file"):
        parameter_overrides(bad)


def test_run_params_applies_the_shipped_file_before_set(capsys: pytest.CaptureFixture[str]) -> None:
    shipped = shipped_parameter_file()
    sets = ["parameters.burn_in_days=10", "parameters.max_days=30"]
    argv = ["run", "osce", "--reps", "2", "--quiet", "--params", str(shipped)]
    for s in sets:
        argv += ["--set", s]
    code, out, _ = invoke_cli(argv, capsys)
    assert code == 0
    expected = load_scenario("osce", [*parameter_overrides(shipped), *sets]).content_hash()
    assert expected in out and load_scenario("osce", sets).content_hash() not in out


def test_calibrate_refuses_quick_with_another_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["calibrate", "--quick", "--size", "full", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "give one" in err


def test_the_shipped_run_tables_are_those_of_the_shipped_parameter_file() -> None:
    """The tables in calibration/data/run/ come from the run that wrote calibrated.yaml (both are copied together)."""
    from corridors.calibration.pipeline import SHIPPED_RUN_TABLES, shipped_run_folder

    folder = shipped_run_folder()
    tables = {name: pd.read_csv(folder / name) for name in SHIPPED_RUN_TABLES}
    assert all(len(frame) for frame in tables.values())
    document = read_parameter_file(shipped_parameter_file())
    readings = tables["readings.csv"].set_index("reading")
    for reading, fitted in document["readings"].items():
        fit = tables[f"fit_{reading}.csv"].set_index("parameter")
        assert {k: v["value"] for k, v in fitted["parameters"].items()} == pytest.approx(fit["value"].to_dict())
        assert {k: v["se"] for k, v in fitted["parameters"].items()} == pytest.approx(fit["se"].to_dict())
        assert fitted["objective"] == pytest.approx(readings.loc[reading, "objective"])
        screen = tables[f"screen_summary_{reading}.csv"]
        assert set(screen.loc[screen["fitted"], "parameter"]) == set(fitted["parameters"])
        assert set(tables[f"profiles_{reading}.csv"]["parameter"]) == set(fitted["parameters"])
    assert set(tables["leave_one_out.csv"]["reading"]) == set(document["readings"])
