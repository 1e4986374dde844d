"""The theory bench: its spec, its patterns, the quick bench end to end, resuming, and recovery.

Recovery tolerance (test_a_known_agency_max_is_recovered_and_its_theory_wins): the synthetic
patterns come from 400 runs of their own seed, stated with the SE of 100 observations; the
fit simulates 150 runs an evaluation on another seed. As in test_fit_recovery.py, the
sandwich SE is the first-order SD of the fitted value's error, so |fitted - true| <= 4 SE
fails by chance with probability about 6e-5; the test has teeth because the SE must be
small (< 0.1 on a box of width 1) and the theory without agency must lose the scorecard.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cli_support import invoke_cli
from corridors.calibration.bench.fit import BenchCalibration, at_box_edge, fit_theory
from corridors.calibration.bench.patterns import bench_patterns, pattern_moments
from corridors.calibration.bench.report import (
    best_parameter_file,
    best_theory,
    column_label,
    scorecard_figure,
    scorecard_table,
    summary_sentence,
)
from corridors.calibration.bench.run import build_scorecard, run_bench, write_bench_outputs
from corridors.calibration.bench.spec import BenchSpec, load_bench, shipped_bench, theory_status
from corridors.calibration.pipeline import parameter_overrides
from corridors.calibration.simulate import MomentSimulator
from corridors.errors import CorridorsError
from corridors.paper import mean_response_months
from corridors.scenario import load_scenario

SHORT = ["parameters.burn_in_days=20", "parameters.max_days=60"]

TINY = {
    "format": "corridors-bench/1",
    "name": "tiny",
    "seed": 5,
    "organizations": ["EU", "OSCE"],
    "overrides": SHORT,
    "theories": [{"name": "v2"}, {"name": "no_agency", "overrides": ["mechanisms.agency=false"]}],
    "candidates": {"agency_max": {"mechanism": "agency"}},
    "mechanisms": ["agency"],
    "sizes": {
        "quick": {
            "replications": 8,
            "max_evaluations": 3,
            "loo_max_evaluations": 1,
            "max_parameters": 1,
            "standard_errors": False,
        },
        "full": {"replications": 40, "max_evaluations": 6, "loo_max_evaluations": 3, "max_parameters": 1},
    },
}


def _write(path: Path, document: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


# -- the spec ---------------------------------------------------------------------------


def test_the_shipped_bench_lists_v2_each_v3_choice_the_full_chain_and_both_realist_readings() -> None:
    spec = load_bench(shipped_bench())
    theories = {t.name: t for t in spec.theories}
    assert theories["v2"].overrides == () and theories["v2"].reading == "interpersonal"
    v3 = {"theory.convening=consensus", "theory.agency=peers", "theory.capitals=informed"}
    alone = [t for t in spec.theories if len(t.overrides) == 1 and t.reading == "interpersonal"]
    assert {t.overrides[0] for t in alone} == v3
    assert set(theories["full_chain"].overrides) == v3 and set(theories["realist_full_chain"].overrides) == v3
    assert theories["realist_v2"].reading == "realist" and theories["realist_v2"].all_overrides == ("realist=true",)
    # the v2 candidates: every parameter of a switchable mechanism is tried, the missing ones included
    active = theory_status(spec, theories["v2"]).active
    for name in ("agency_max", "agency_half", "fatigue", "crowding_out", "disclosure", "gossip_rate", "lobby_rate"):
        assert name in active
    realist = theory_status(spec, theories["realist_v2"])
    assert "agency_max" not in realist.active and "widen_base" in realist.active
    assert realist.inactive["agency_max"] == "mechanism agency off"


def test_a_bad_bench_spec_names_the_file_and_each_field(tmp_path: Path) -> None:
    bad = dict(TINY, theories=[{"name": "v2", "reading": "cynical"}, {"name": "v2"}])
    bad["candidates"] = {"agency_max": {"mechanism": "agency", "box": [0.5, 0.1], "reason": "x"}}
    path = _write(tmp_path / "bad.yaml", bad)
    with pytest.raises(CorridorsError) as info:
        load_bench(path)
    text = str(info.value)
    assert all(line.startswith(f"{path}: ") for line in info.value.problems)
    assert "theories[0].reading" in text and "candidates.agency_max: box: low (0.5)" in text
    twice = _write(tmp_path / "twice.yaml", dict(TINY, theories=[{"name": "v2"}, {"name": "v2"}]))
    with pytest.raises(CorridorsError, match="a theory name is listed twice"):
        load_bench(twice)


def test_a_theory_this_schema_does_not_know_is_unavailable_and_reported(tmp_path: Path) -> None:
    spec = BenchSpec.model_validate(dict(TINY, theories=[{"name": "future", "overrides": ["theory.no_such=1"]}]))
    status = theory_status(spec, spec.theories[0])
    assert not status.available and "theory.no_such" in status.reason
    result = fit_theory(spec, spec.theories[0], spec.sizes["quick"], bench_patterns(spec), store=tmp_path / "s.duckdb")
    table = build_scorecard({"future": result}, bench_patterns(spec))
    assert table.loc[0, "status"].startswith("unavailable") and not table.loc[0, "survives"]
    assert not (tmp_path / "s.duckdb").exists()  # nothing simulated


def test_a_size_without_the_screen_names_candidates_to_fit() -> None:
    sizes = dict(TINY["sizes"])  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="without the screen, name the parameters"):
        BenchSpec.model_validate(dict(TINY, sizes={**sizes, "quick": {**sizes["quick"], "screen": False}}))
    with pytest.raises(ValueError, match="not among the candidates"):
        BenchSpec.model_validate(
            dict(TINY, sizes={**sizes, "quick": {**sizes["quick"], "screen": False, "parameters": ["posture"]}})
        )
    spec = load_bench(shipped_bench())
    quick = spec.sizes["quick"]
    assert not quick.screen and set(quick.parameters) <= set(spec.candidates)
    assert spec.sizes["full"].screen  # the full bench screens every active candidate


# -- the patterns -----------------------------------------------------------------------


def test_the_patterns_pool_organizations_with_few_decisions_and_state_it() -> None:
    patterns = bench_patterns(load_bench(shipped_bench())).set_index("target")
    # the shipped sample: EU 7 timed decisions (its own), AU 1 and OSCE 2 (pooled, weights 1/3 and 2/3), OAS none
    eu = patterns.loc["decided_within_30d:EU"]
    assert eu["members"] == "EU" and eu["n"] == 7 and eu["value"] == pytest.approx(5 / 7)
    pooled = patterns.loc["decided_within_7d:AU+OSCE"]
    assert pooled["members"] == "AU,OSCE" and [float(w) for w in pooled["weights"].split(",")] == pytest.approx(
        [1 / 3, 2 / 3]
    )
    assert pooled["value"] == pytest.approx(1 / 3) and "pooled" in pooled["source"]
    assert not any(t.endswith(":OAS") and t.startswith("decided_within_7") for t in patterns.index)
    means = mean_response_months()
    gap = patterns.loc["eu_gap_months:EU"]
    assert gap["value"] == pytest.approx(means["EU"] - (means["AU"] + means["OAS"] + means["OSCE"]) / 3)
    assert patterns.loc["contacts_per_week:EU", "is_input"] and patterns.loc["response_months:EU", "se"] > 0
    assert patterns.loc["decided_within_4d:OAS", "one_sided"]


def test_pattern_moments_build_gaps_and_pools_from_each_organizations_moments() -> None:
    patterns = bench_patterns(load_bench(shipped_bench()))

    def org(months: float, share: float) -> pd.DataFrame:
        return pd.DataFrame(
            {"value": [months, share], "sim_se": [0.1, 0.01]}, index=["response_months", "decided_within_7d"]
        )

    by_org = {"AU": org(3.0, 0.3), "EU": org(6.0, 0.6), "OAS": org(4.0, 0.0), "OSCE": org(5.0, 0.9)}
    m = pattern_moments(patterns, by_org)
    assert m.loc["eu_gap_months:EU", "value"] == pytest.approx(6.0 - 4.0)
    assert m.loc["eu_gap_months:EU", "sim_se"] == pytest.approx(math.sqrt(0.01 + 3 * 0.01 / 9))
    assert m.loc["decided_within_7d:AU+OSCE", "value"] == pytest.approx(0.3 / 3 + 0.9 * 2 / 3)
    assert "decided_within_30d:EU" not in m.index  # a moment not simulated is no pattern
    without_eu = pattern_moments(patterns, {k: v for k, v in by_org.items() if k != "EU"})
    assert "eu_gap_months:EU" not in without_eu.index  # the order needs every organization


def test_a_value_within_one_percent_of_an_edge_is_flagged() -> None:
    assert at_box_edge(0.595, 0.0, 0.6) == "high" and at_box_edge(0.006, 0.0, 1.0) == "low"
    assert at_box_edge(0.02, 0.0, 1.0) == ""


# -- the quick bench end to end ----------------------------------------------------------


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench")
    spec = _write(folder / "tiny.yaml", TINY)
    return spec, folder


def test_calibrate_bench_quick_writes_the_scorecard_and_the_best_parameter_file(
    quick_bench: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, folder = quick_bench
    out = folder / "out"
    code, stdout, err = invoke_cli(
        ["calibrate", "--bench", str(spec), "--quick", "--out", str(out), "--executor", "serial", "--quiet"], capsys
    )
    assert code == 0, err
    assert "Of 2 theories" in stdout
    table = scorecard_table(out)
    assert list(table["theory"]) == ["v2", "no_agency"] and (table["status"] == "fitted").all()
    assert {"objective", "aic_like", "held_out_rmse_months", "at_box_edge", "mechanisms_with_effect"} <= set(table)
    assert (table["aic_like"] == table["objective"] + 2 * table["fitted_parameters_count"]).all()
    z = table["response_months:EU|z"]
    assert (table["response_months:EU|pass"] == (z.abs() < 2)).all()
    human = scorecard_table(out, human=True)
    assert column_label("aic_like") in human.columns and human.attrs["machine_columns"] == list(table.columns)
    for name in (
        "scorecard.png",
        "patterns.csv",
        "leave_one_out_v2.csv",
        "predictive_check_v2.csv",
        "ablations_v2.csv",
        "fit_no_agency.yaml",
        "screen_summary_v2.csv",
    ):
        assert (out / name).is_file(), name
    loo = pd.read_csv(out / "leave_one_out_v2.csv")
    assert set(loo["held_out"]) == {"EU", "OSCE"}
    ablations = pd.read_csv(out / "ablations_no_agency.csv")
    assert set(ablations["switch"]) == {"revert_mechanisms_agency"}  # agency is off there: only the revert
    best = best_theory(table)
    overrides = parameter_overrides(best_parameter_file(out))
    theory = next(t for t in TINY["theories"] if t["name"] == best)  # type: ignore[attr-defined]
    assert overrides[: len(theory.get("overrides", []))] == theory.get("overrides", [])
    load_scenario("eu", overrides)  # the best file is a valid set of overrides
    assert summary_sentence(table).startswith("Of 2 theories")
    assert scorecard_figure(table).axes


def test_a_killed_bench_resumes_from_its_store_without_running_again(quick_bench: tuple[Path, Path]) -> None:
    spec_path, folder = quick_bench
    spec = load_bench(spec_path)
    store = folder / "out" / "bench.duckdb"  # the CLI test's store
    ran: list[int] = []
    again = run_bench(spec, size="quick", store=store, progress=lambda stage, count: ran.append(count))
    assert ran and sum(ran) == 0  # every evaluation found in the store
    first = scorecard_table(folder / "out").set_index("theory")
    assert again.scorecard.set_index("theory")["objective"].to_dict() == pytest.approx(first["objective"].to_dict())
    written = write_bench_outputs(again, folder / "again")
    assert (folder / "again" / "scorecard.csv") in written


def test_calibrate_bench_refuses_bad_input_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(
        ["calibrate", "--bench", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "cannot read the bench spec" in err and "Traceback" not in err
    spec = _write(tmp_path / "tiny.yaml", TINY)
    code, _, err = invoke_cli(
        ["calibrate", "--bench", str(spec), "--theory", "nope", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "no theory 'nope'" in err
    assert not (tmp_path / "o" / "scorecard.csv").exists()
    wide = dict(TINY, candidates={"agency_max": {"mechanism": "agency", "box": [0.0, 2.0], "reason": "too wide"}})
    code, _, err = invoke_cli(
        [
            "calibrate",
            "--bench",
            str(_write(tmp_path / "wide.yaml", wide)),
            "--quick",
            "--out",
            str(tmp_path / "o"),
            "--executor",
            "serial",
        ],
        capsys,
    )
    assert code == 2 and "candidates.agency_max.box: [0.0, 2.0] leaves the schema's bounds [0, 1]" in err
    assert not (tmp_path / "o" / "bench.duckdb").exists()  # refused before anything ran


# -- recovery ---------------------------------------------------------------------------

RECOVERY_OVERRIDES = ["parameters.burn_in_days=60", "parameters.max_days=150"]
TRUE_AGENCY_MAX = 0.3
RECOVERY_MEASURES = ("response_months", "decided_within_7d", "decided_within_30d")


def _recovery_patterns(store: Path) -> pd.DataFrame:
    with MomentSimulator(store, replications=400, seed=777, overrides=RECOVERY_OVERRIDES) as sim:
        observed = sim.moments({"agency_max": TRUE_AGENCY_MAX}, ["OSCE"])["OSCE"]
    rows = []
    for measure in RECOVERY_MEASURES:
        rows.append(
            {
                "target": f"{measure}:OSCE",
                "group": "synthetic",
                "measure": measure,
                "moment": measure,
                "organization": "OSCE",
                "members": "OSCE",
                "weights": "1",
                "kind": "mean",
                "value": float(observed.loc[measure, "value"]),
                "se": float(observed.loc[measure, "sim_se"]) * 2.0,
                "pass_se": math.nan,
                "one_sided": False,
                "n": 100.0,
                "is_input": False,
                "source": "synthetic",
                "se_source": "400 runs stated as 100 observations",
            }
        )
    return pd.DataFrame(rows)


def test_a_known_agency_max_is_recovered_and_its_theory_wins(tmp_path: Path) -> None:
    spec = BenchSpec.model_validate(
        {
            "format": "corridors-bench/1",
            "name": "recovery",
            "seed": 11,
            "organizations": ["OSCE"],
            "overrides": RECOVERY_OVERRIDES,
            "theories": [{"name": "with_agency"}, {"name": "without_agency", "overrides": ["mechanisms.agency=false"]}],
            "candidates": {"agency_max": {"mechanism": "agency"}},
            "sizes": {
                "quick": {
                    "replications": 150,
                    "max_evaluations": 10,
                    "loo_max_evaluations": 1,
                    "max_parameters": 1,
                    "leave_one_out": False,
                    "ablations": False,
                },
                "full": {"replications": 150, "max_evaluations": 10, "loo_max_evaluations": 1},
            },
        }
    )
    patterns = _recovery_patterns(tmp_path / "observed.duckdb")
    results = {
        t.name: fit_theory(spec, t, spec.sizes["quick"], patterns, store=tmp_path / "fit.duckdb") for t in spec.theories
    }
    fit = results["with_agency"].fit
    assert isinstance(fit, BenchCalibration) and fit.parameters == ["agency_max"]
    value, se = float(fit.params_["agency_max"]), float(fit.standard_errors_["agency_max"])
    assert 0 < se < 0.1
    assert abs(value - TRUE_AGENCY_MAX) <= 4 * se
    assert abs(value - 0.05) > 2 * se  # it left the start (the schema default 0.05)
    table = build_scorecard(results, patterns).set_index("theory")
    assert table.loc["without_agency", "fitted_parameters_count"] == 0  # nothing of agency to fit there
    assert table.loc["with_agency", "aic_like"] < table.loc["without_agency", "aic_like"]
    assert best_theory(table.reset_index()) == "with_agency"
