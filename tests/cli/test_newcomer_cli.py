"""Issue 22 at the command line: --version, --params calibrated, compare, progress in a log, readable tables."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from cli_support import invoke_cli
from corridors import __version__
from corridors.cli._common import StageProgress

SHORT = ["--set", "parameters.burn_in_days=10"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke_cli(["--version"], capsys)
    assert (code, out, err) == (0, f"corridors {__version__}\n", "")


def hash_in_title(out: str) -> str:
    found = re.search(r"\(scenario ([0-9a-f]{16})\)", out)
    assert found, out
    return found.group(1)


def test_run_with_params_calibrated_runs_the_shipped_calibration(capsys: pytest.CaptureFixture[str]) -> None:
    import corridors

    code, out, _ = invoke_cli(["run", "unsc", "--reps", "4", "--quiet", "--params", "calibrated", *SHORT], capsys)
    assert code == 0
    calibrated = corridors.load("unsc", params="calibrated", overrides=["parameters.burn_in_days=10"])
    assert hash_in_title(out) == calibrated.content_hash()
    assert calibrated.content_hash() != corridors.load("unsc", overrides=["parameters.burn_in_days=10"]).content_hash()
    assert "parameters: calibrated (applied before --set), seed 0" in out


def test_run_says_which_parameters_it_used_and_how_to_get_the_reports(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["run", "unsc", "--reps", "4", "--quiet", *SHORT], capsys)
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("parameters:"))
    assert "defaults" in line and "seed 0" in line
    assert line.endswith("corridors run unsc --params calibrated --seed 2012")


def test_an_unknown_parameter_set_lists_the_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke_cli(["run", "unsc", "--reps", "4", "--params", "calibratd"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: --params calibratd:")
    assert "named sets: calibrated, calibrated-realist" in err


def test_sweep_with_params_calibrated_records_the_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.calibration import parameter_overrides, shipped_parameter_file
    from corridors.experiments import query_store

    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        "name: tiny\nbase: unsc\nset: [parameters.burn_in_days=10]\nreplications: 2\nseed: 1\n"
        "factors:\n  - path: formal_meetings_per_week\n    values: [1, 2]\n",
        encoding="utf-8",
    )
    store = tmp_path / "tiny.duckdb"
    code, _, _ = invoke_cli(
        ["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet", "--params", "calibrated"], capsys
    )
    assert code == 0
    import json

    stored = json.loads(query_store(store, "SELECT spec_json FROM experiments").iloc[0, 0])
    assert stored["set"] == [*parameter_overrides(shipped_parameter_file()), "parameters.burn_in_days=10"]


def test_compare_prints_the_difference_with_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "eu_fewer_meetings.yaml"
    code, out, err = invoke_cli(
        ["compare", "eu", str(example), "--reps", "30", "--seed", "2", "--set", "parameters.burn_in_days=30"], capsys
    )
    assert code == 0, err
    assert "eu_fewer_meetings minus eu: 30 replicate pairs, seed 2" in " ".join(out.split())
    for label in ("decided share", "KM median, months", "restricted"):
        assert label in out
    assert len(re.findall(r"\(-?\d+\.\d+ to -?\d+\.\d+\)", out)) >= 7  # both scenarios' and the differences'
    assert "compare: 100% (60/60 replications" in err  # progress lines, stderr being no terminal here


def test_compare_of_a_scenario_with_itself_differs_by_exactly_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["compare", "unsc", "unsc", "--reps", "12", "--quiet", *SHORT], capsys)
    assert code == 0
    # the difference column: 0 with a zero-width interval for the share, the median and the restricted mean
    assert out.count("(0.000 to 0.000)") >= 1 and out.count("(0.00 to 0.00)") >= 2, out


def test_progress_without_a_terminal_is_a_line_per_stage_and_tenth() -> None:
    log = io.StringIO()
    with StageProgress("reproduce", unit="replications", stream=Console(file=log, width=200)) as progress:
        progress.update(stage="starting")
        for _ in range(50):
            progress.update(advance=20, total=1000, stage="simulating")
        progress.update(stage="mechanisms")
    lines = log.getvalue().splitlines()
    assert lines[:2] == ["reproduce: starting", "reproduce: simulating"]
    tenths = [int(m.group(1)) for line in lines if (m := re.match(r"reproduce: (\d+)% \(", line))]
    assert tenths == list(range(0, 101, 10))  # where it starts, then each tenth once
    assert "reproduce: 50% (500/1,000 replications, " in log.getvalue()
    assert lines[-1] == "reproduce: mechanisms"


def test_progress_is_silent_when_quiet_and_a_bar_on_a_terminal() -> None:
    quiet, terminal = io.StringIO(), io.StringIO()
    with StageProgress("run", unit="replications", quiet=True, stream=Console(file=quiet)) as progress:
        progress.update(total=10, advance=10, stage="eu")
    with StageProgress("run", unit="replications", stream=Console(file=terminal, force_terminal=True)) as progress:
        progress.update(total=10, advance=10, stage="eu")
    assert quiet.getvalue() == ""
    assert "run: 100%" not in terminal.getvalue() and "10/10" in terminal.getvalue()


def test_run_logs_its_progress_when_stderr_is_no_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(["run", "unsc", "--reps", "20", "--workers", "1", *SHORT], capsys)
    assert code == 0
    assert err.splitlines()[0] == "run: unsc, batch engine"
    assert re.search(r"^run: 100% \(20/20 replications, ", err, flags=re.M), err


def test_presets_fit_80_columns_without_cutting_a_word() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "presets"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for word in ("committee", "Committee", "presidency", "unanimity", "vetoes", "6.17"):
        assert word in result.stdout


def test_replay_gives_its_verdict_before_a_limited_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        "name: tiny\nbase: unsc\nset: [parameters.burn_in_days=10]\nreplications: 2\nseed: 1\n", encoding="utf-8"
    )
    store = tmp_path / "tiny.duckdb"
    assert invoke_cli(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"], capsys)[0] == 0
    code, out, _ = invoke_cli(["results", "replay", str(store), "1", "--trace", "--events", "3"], capsys)
    assert code == 0
    assert out.index("replayed: identical") < out.index("trace of run 1")
    total = int(re.search(r"3 of (\d+) events", out).group(1))  # type: ignore[union-attr]
    assert f"... {total - 3} more events" in out


@pytest.mark.parametrize("name", ["calibrated", "calibrated-realist"])
def test_reproduce_takes_the_named_parameter_sets(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.report.reproduce as report

    seen: dict[str, object] = {}

    def stop_before_running(out: Path, **options: object) -> None:
        seen.update(options)
        raise SystemExit(0)  # the names got past the CLI's check; the library takes it from here

    monkeypatch.setattr(report, "reproduce", stop_before_running)
    code, _, err = invoke_cli(
        ["reproduce", "--quick", "--quiet", "--out", str(tmp_path / "r"), "--params", name], capsys
    )
    assert (code, err) == (0, "")
    assert seen["parameter_file"] == name


def test_reproduce_refuses_an_unknown_parameter_set_with_the_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = invoke_cli(["reproduce", "--quiet", "--out", str(tmp_path / "r"), "--params", "calibratd"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "named sets: calibrated, calibrated-realist" in err
    assert not (tmp_path / "r" / "index.html").exists()
