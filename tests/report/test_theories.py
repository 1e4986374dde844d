"""The report's first section: the theory bench's scorecard, from shipped outputs and from a tiny fresh bench.

Also: a fit at a box edge is flagged in the report's table; the best-theory choice follows the
scorecard; the later sections use the best theory's fit, or today's calibration when no bench
outputs are there.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from corridors.calibration.bench.report import best_theory
from corridors.calibration.bench.run import BenchResult, run_bench
from corridors.calibration.bench.shipped import (
    NOT_BUILT,
    NOT_RUN,
    BenchOutputs,
    load_bench_outputs,
    ship_bench_outputs,
    shipped_bench_folder,
)
from corridors.calibration.bench.spec import BenchSpec, load_bench, shipped_bench
from corridors.calibration.pipeline import parameter_overrides
from corridors.errors import CorridorsError
from corridors.report.plan import QUICK, read_parameters
from corridors.report.sections import SECTION_MODULES, theories
from corridors.report.sections.base import Context

TINY = {
    "format": "corridors-bench/1",
    "name": "tiny_report",
    "seed": 9,
    "organizations": ["EU", "OSCE"],
    "overrides": ["parameters.burn_in_days=20", "parameters.max_days=60"],
    "theories": [
        {"name": "v2", "label": "model v2"},
        {"name": "no_agency", "overrides": ["mechanisms.agency=false"]},
        {"name": "future", "overrides": ["theory.no_such=1"]},
    ],
    "candidates": {"agency_max": {"mechanism": "agency"}},
    "mechanisms": ["agency"],
    "sizes": {
        "quick": {
            "replications": 6,
            "max_evaluations": 2,
            "loo_max_evaluations": 1,
            "max_parameters": 1,
            "standard_errors": False,
            "screen": False,
            "parameters": ["agency_max"],
            "leave_one_out": False,
            "ablations": False,
        },
        "full": {"replications": 40, "max_evaluations": 6, "loo_max_evaluations": 3, "max_parameters": 1},
    },
}


def _context(document: dict[str, object], bench_folder: Path | None = None) -> Context:
    return Context(QUICK, {}, {}, {}, document, bench_folder=bench_folder)


def test_the_report_leads_with_the_answer_then_the_scorecard_whose_sentence_the_answer_carries() -> None:
    from corridors.report.sections import answer

    assert SECTION_MODULES[:2] == (answer, theories)
    assert theories.bench_answer_sentence in answer.MORE_PARAGRAPHS


def test_the_section_renders_from_the_shipped_outputs() -> None:
    outputs = load_bench_outputs()
    assert outputs.shipped and outputs.manifest["bench"] == "shipped"
    spec = load_bench(shipped_bench())
    overrides, document, warnings = read_parameters(None)
    assert not warnings and document["theory"] == best_theory(outputs.scorecard)  # the later sections' fit
    assert list(overrides) == parameter_overrides(shipped_bench_folder() / "best.yaml")
    section = theories.build(_context(document))
    card, patterns = section.tables[0].frame, section.tables[1].frame
    assert list(card["theory"]) == [t.name for t in spec.theories]  # every theory of the bench, run or not
    assert set(card["state"]) <= {"fitted", NOT_BUILT, NOT_RUN}
    assert section.sentence.startswith(f"Of {len(spec.theories)} theories")
    assert str(document["label"]) in section.sentence and "The sections that follow use the fit of" in section.sentence
    fitted = card[card["state"] == "fitted"]
    assert len(fitted) and (fitted["patterns_passed"] <= fitted["patterns_scored"]).all()
    for _, row in fitted.iterrows():  # a rejected theory stays with the patterns that rejected it
        failed = set(patterns.loc[patterns[f"{row['theory']}: verdict"] == "FAIL", "pattern"])
        listed = set() if row["rejected_by"] is None else set(row["rejected_by"].split(", "))
        assert failed == listed and (row["survives"] == "yes") == (not failed)
    assert section.figures and section.figures[0].image.startswith(b"\x89PNG")
    assert theories.bench_answer_sentence(_context(document)).endswith("whose fit the simulations below use.")
    # the shipped files agree: best.yaml is the scorecard's best theory with its parameter table's values
    shipped_values = outputs.table("parameters", str(document["theory"])).set_index("parameter")["value"].to_dict()
    assert document["parameters"] == pytest.approx(shipped_values)
    assert set(outputs.manifest["theories_available"]) == set(card.loc[card["state"] == "fitted", "theory"])


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BenchResult]:
    folder = tmp_path_factory.mktemp("tiny_bench")
    spec = BenchSpec.model_validate(TINY)
    result = run_bench(spec, size="quick", store=folder / "bench.duckdb", theories=["v2", "future"])
    ship_bench_outputs(result, folder / "out", command="test")
    return folder / "out", result


@pytest.fixture(scope="module")
def tiny_outputs(tiny_run: tuple[Path, BenchResult]) -> Path:
    return tiny_run[0]


def test_the_section_renders_from_a_tiny_fresh_bench(tiny_outputs: Path) -> None:
    outputs = load_bench_outputs(tiny_outputs)
    m = outputs.manifest
    assert not outputs.shipped and m["size"] == "quick" and m["replications"] == 6 and m["seed"] == 9
    assert m["theories_available"] == ["v2"]
    assert {t["name"]: t["state"] for t in m["theories"]} == {"v2": "fitted", "no_agency": NOT_RUN, "future": NOT_BUILT}
    assert not (tiny_outputs / "trace_v2.csv").exists() and (tiny_outputs / "predictive_check_v2.csv").is_file()
    overrides, document, _ = read_parameters(None, tiny_outputs)
    assert document["theory"] == "v2" and list(overrides) == parameter_overrides(tiny_outputs / "best.yaml")
    section = theories.build(_context(document, tiny_outputs))
    card = section.tables[0].frame.set_index("theory")
    assert card.loc["no_agency", "state"] == NOT_RUN and card.loc["future", "state"] == NOT_BUILT
    assert "theory.no_such" in card.loc["future", "why_not_fitted"]
    assert pd.isna(card.loc["future", "patterns_passed"]) and card.loc["v2", "patterns_scored"] > 0
    assert "(1 fitted; 1 not built on this model; 1 not run at this size)" in section.sentence
    assert f"seed 9, corridors {m['code_version']}" in str(section.tables[0].caption)


def test_a_second_ship_replaces_the_folder_whole(tiny_run: tuple[Path, BenchResult], tmp_path: Path) -> None:
    target = tmp_path / "shipped"
    target.mkdir()
    (target / "stale.csv").write_text("x\n1\n", encoding="utf-8")
    ship_bench_outputs(tiny_run[1], target)
    assert not (target / "stale.csv").exists() and (target / "manifest.yaml").is_file()
    assert target.stat().st_mode & 0o055 == 0o055  # readable by every user, as the package's folder must be
    assert [p.name for p in tmp_path.iterdir()] == ["shipped"]  # no staging or old folder left behind
    assert sorted(p.name for p in target.iterdir()) == sorted(p.name for p in tiny_run[0].iterdir())


def _card(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"status": "fitted", "patterns": 2, "held_out_rmse_months": 1.0, "objective": 1.0}
    table = pd.DataFrame([{**base, **r} for r in rows])
    table["label"] = table["theory"].str.upper()
    return table


def test_the_best_theory_follows_the_scorecard() -> None:
    card = _card(
        [
            {"theory": "a", "survives": True, "aic_like": 10.0, "patterns_passed": 2, "patterns_failed": ""},
            {"theory": "b", "survives": True, "aic_like": 6.0, "patterns_passed": 2, "patterns_failed": ""},
            {"theory": "c", "survives": False, "aic_like": 2.0, "patterns_passed": 1, "patterns_failed": "p"},
            {"theory": "d", "status": "unavailable: x", "survives": False, "aic_like": math.nan, "patterns_passed": 0},
        ]
    )
    assert best_theory(card) == "b"  # the lowest criterion among survivors, not the lowest overall (c)
    nobody = card.assign(survives=False)
    assert best_theory(nobody) == "c"  # none survives: the lowest criterion of all fitted
    assert best_theory(card[card["theory"] == "d"]) is None


def _edge_outputs(folder: Path, value: float) -> BenchOutputs:
    folder.mkdir()
    card = _card([{"theory": "t", "survives": True, "aic_like": 4.0, "patterns_passed": 1, "patterns_failed": ""}])
    card = card.assign(
        **{
            "response_months:EU|observed": 6.17,
            "response_months:EU|simulated": 6.0,
            "response_months:EU|z": 0.1,
            "response_months:EU|pass": True,
        }
    )
    card.to_csv(folder / "scorecard.csv", index=False)
    pd.DataFrame({"target": ["response_months:EU"], "se": [1.3], "is_input": [False]}).to_csv(
        folder / "patterns.csv", index=False
    )
    pd.DataFrame(
        {
            "parameter": ["widen_step", "trust_gain"],
            "value": [value, 0.1],
            "se": [1.6, 0.004],
            "box_low": [0.03, 0.0],
            "box_high": [0.6, 1.0],
            "at_box_edge": ["", ""],  # the report recomputes the flag, whatever the file says
        }
    ).to_csv(folder / "parameters_t.csv", index=False)
    return load_bench_outputs(folder)


def test_a_fit_at_a_box_edge_is_flagged_in_the_reports_table(tmp_path: Path) -> None:
    edge = theories.tables(_edge_outputs(tmp_path / "edge", 0.599915)).scorecard.iloc[0]
    assert edge["at_box_edge"] == "widen_step (high edge)"
    assert "widen_step=0.5999 [AT HIGH EDGE of 0.03-0.6]" in edge["fitted_values"]
    assert "trust_gain=0.1;" not in edge["fitted_values"] and "trust_gain=0.1" in edge["fitted_values"]
    assert edge["fitted_values"].count("EDGE") == 1  # the interior value is not flagged
    inside = theories.tables(_edge_outputs(tmp_path / "inside", 0.5)).scorecard.iloc[0]
    assert inside["at_box_edge"] is None and "EDGE" not in inside["fitted_values"]
    patterns = theories.tables(_edge_outputs(tmp_path / "p", 0.5)).patterns
    assert patterns.loc[0, "t: verdict"] == "pass" and patterns.loc[0, "se"] == pytest.approx(1.3)


def test_without_bench_outputs_the_report_says_so_and_uses_todays_calibration(tmp_path: Path) -> None:
    empty = tmp_path / "no_bench"
    empty.mkdir()
    overrides, document, warnings = read_parameters(None, empty)
    assert document["reading"] == "interpersonal" and "theory" not in document and not warnings
    assert "calibrated.yaml" in str(document["chosen_by"]) and "no bench outputs" in str(document["chosen_by"])
    section = theories.build(_context(document, empty))
    assert not section.tables and "No theory bench outputs" in section.sentence
    assert "calibrated.yaml" in section.sentence
    assert "cannot say which rival theory survives" in theories.bench_answer_sentence(_context(document, empty))
    with pytest.raises(CorridorsError, match="no bench outputs"):
        load_bench_outputs(empty)


def test_a_bad_manifest_is_refused_in_one_line(tiny_outputs: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_outputs, copy)
    (copy / "manifest.yaml").write_text(yaml.safe_dump({"format": "other"}), encoding="utf-8")
    with pytest.raises(CorridorsError, match="not a bench manifest"):
        load_bench_outputs(copy)


def test_ship_goes_with_bench(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli_support import invoke_cli

    before = sorted(p.name for p in shipped_bench_folder().iterdir())
    code, _, err = invoke_cli(["calibrate", "--ship", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "--ship: goes with --bench" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists() and sorted(p.name for p in shipped_bench_folder().iterdir()) == before


def test_recalibrate_reruns_the_bench_into_the_report_folder(
    tiny_run: tuple[Path, BenchResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.calibration.bench.spec as bench_spec
    from corridors.report.plan import recalibrate_into

    folder = tiny_run[0].parent  # its store, bench.duckdb, already holds v2's evaluations
    spec_file = folder / "tiny.yaml"
    spec_file.write_text(yaml.safe_dump(TINY, sort_keys=False), encoding="utf-8")
    monkeypatch.setattr(bench_spec, "shipped_bench", lambda: spec_file)
    stages: list[str] = []
    best, bench = recalibrate_into(folder, QUICK, None, lambda stage, count, total: stages.append(stage))
    assert bench == folder / "bench" and best == bench / "best.yaml" and stages
    outputs = load_bench_outputs(bench)
    assert outputs.manifest["size"] == "quick" and "reproduce --recalibrate" in outputs.manifest["command"]
    assert {t["name"]: t["state"] for t in outputs.manifest["theories"]}["no_agency"] == "fitted"
    _, document, _ = read_parameters(None, bench)
    assert document["theory"] == best_theory(outputs.scorecard)
    section = theories.build(_context(document, bench))
    assert "the bench run in" in section.sentence and "(2 fitted; 1 not built on this model)" in section.sentence
