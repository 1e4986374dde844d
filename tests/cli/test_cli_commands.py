"""The scenario, run, trace and reproduce commands, end to end through the console entry point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cli_support import invoke_cli
from corridors.scenario import list_presets


def test_presets_lists_the_five_with_table_figures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["presets"], capsys)
    assert code == 0
    for name in ("au", "eu", "oas", "osce", "unsc"):
        assert name in out
    assert "5.38" in out  # Table 2, EU mean
    assert "3.50" in out  # EU formal meetings per week, observed


def test_show_applies_set_and_prints_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["show", "eu", "--set", "formal_meetings_per_week=0.5"], capsys)
    assert code == 0
    body = yaml.safe_load(out)
    assert body["formal_meetings_per_week"] == 0.5
    assert len(body["members"]) == 27
    assert out.startswith("# scenario hash: ")


def test_show_resolves_extends_from_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "fewer.yaml"
    path.write_text("extends: eu\nname: eu_fewer\nformal_meetings_per_week: 1.0\nmechanisms: {posturing: false}\n")
    code, out, _ = invoke_cli(["show", str(path)], capsys)
    body = yaml.safe_load(out)
    assert code == 0 and body["name"] == "eu_fewer" and body["mechanisms"]["posturing"] is False
    assert body["mechanisms"]["gossip"] is True  # inherited


def test_realist_switches_off_interpersonal_mechanisms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["show", "osce", "--set", "realist=true"], capsys)
    mechanisms = yaml.safe_load(out)["mechanisms"]
    assert code == 0
    assert not mechanisms["gossip"] and not mechanisms["trust_growth"] and not mechanisms["agency"]
    assert mechanisms["capital_review"] and mechanisms["posturing"]


def test_run_writes_rows_and_summarizes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "rows.parquet"
    code, out, _ = invoke_cli(["run", "unsc", "--reps", "25", "--seed", "3", "--out", str(out_file), "--quiet"], capsys)
    assert code == 0
    rows = pd.read_parquet(out_file)
    assert len(rows) == 25 and set(rows["engine"]) == {"batch"}
    assert "decided share" in out and "response months: KM median" in out and "mean over decided runs" in out
    assert "replications  " in out and "25.000" not in out  # counts print as integers
    assert f"wrote 25 rows to {out_file}\n" in out  # where, on one line


def test_run_rejects_a_bad_output_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", "unsc", "--reps", "2", "--out", str(tmp_path / "rows.txt"), "--quiet"], capsys)
    assert code == 2 and "use a .csv or .parquet file name" in err
    assert not (tmp_path / "rows.txt").exists()


def test_run_rejects_an_unknown_engine(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", "eu", "--engine", "fast"], capsys)
    assert code == 2 and "unknown engine 'fast'" in err and "Traceback" not in err


@pytest.mark.parametrize("preset", list_presets())
def test_trace_tells_a_story_on_every_preset(preset: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["trace", preset, "--seed", "1", "--set", "parameters.burn_in_days=60"], capsys)
    assert code == 0
    assert "day 0: demand for an operation" in out
    assert "proposal" in out
    assert ("decision on day" in out) or ("no decision within" in out)


def test_reproduce_refuses_bad_input_in_one_line_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report itself runs end to end in tests/report; here its bad input: one line, exit 2, nothing written."""
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    out = tmp_path / "report"
    cases = [
        (["reproduce", "--out", str(a_file), "--quiet"], "is a file, not a folder"),
        (["reproduce", "--out", str(out), "--params", str(tmp_path / "missing.yaml"), "--quiet"], "no such file"),
        (["reproduce", "--out", str(out), "--params", str(a_file), "--quiet"], "not a corridors parameter file"),
        (["reproduce", "--out", str(out), "--recalibrate", "--params", str(a_file), "--quiet"], "give one"),
    ]
    for argv, message in cases:
        code, _, err = invoke_cli(argv, capsys)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1, (argv, err)
        assert "Traceback" not in err
    assert not out.exists()  # refused before any folder or store was made


@pytest.mark.parametrize(
    "args",
    [
        ["run", "eu", "--reps", "0"],
        ["run", "eu", "--reps", "many"],
        ["trace", "eu", "--seed", "-1"],
        ["show"],
        ["no-such-command"],
        ["reproduce", "--seed", "-1"],
    ],
)
def test_usage_errors_exit_2_without_traceback(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke_cli(args, capsys)
    assert code == 2
    assert "Traceback" not in out + err
    assert err.strip()
