"""The CLI on the shipped example files; bad input gives one line per problem and exit 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_support import invoke_cli
from corridors.empirical import example_path


def test_describe_the_shipped_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "km.png"
    code, out, err = invoke_cli(["data", "describe", str(example_path()), "--plot", str(plot)], capsys)
    assert code == 0, err
    assert "32 rows; 27 timed (23 started, 4 censored at 2008-12-08); 5 left out" in out
    for phrase in ("Kaplan-Meier median", "Log-rank", "Cox proportional hazards", "Discrete-time logit"):
        assert phrase in out
    assert err.count("warning:") == 5
    assert plot.stat().st_size > 10_000


def test_describe_strict_rejects_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = invoke_cli(["data", "describe", str(example_path()), "--strict"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("error: ") and "(--strict)" in line for line in lines)
    assert "Traceback" not in err


def test_validate_and_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = pd.read_csv(example_path(), dtype=str, keep_default_na=False).rename(columns={"start_date": "launch"})
    path = tmp_path / "ops.xlsx"
    raw.to_excel(path, index=False)
    code, _, err = invoke_cli(["data", "validate", str(path)], capsys)
    assert code == 2 and "required column 'start_date' is missing" in err
    code, out, _ = invoke_cli(["data", "validate", str(path), "--map", "start_date=launch"], capsys)
    assert code == 0 and "27 timed" in out


def test_compare_with_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    runs = pd.DataFrame(
        {
            "scenario": np.repeat(["au", "eu", "oas", "osce"], 30),
            "replicate": np.tile(np.arange(30), 4),
            "decided": True,
            "response_months": rng.gamma(2.0, 2.5, 120),
            "horizon_days": 730,
        }
    )
    path = tmp_path / "runs.parquet"
    runs.to_parquet(path)
    plot = tmp_path / "compare.png"
    code, out, err = invoke_cli(["data", "compare", str(example_path()), str(path), "--plot", str(plot)], capsys)
    assert code == 0, err
    assert "logrank_p" in out and "ks_statistic" in out
    assert plot.exists()


def test_network_from_the_shipped_edges(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot = tmp_path / "net.png"
    edges = str(example_path("example_edges.csv"))
    code, out, err = invoke_cli(["network", edges, "--scenario", "eu", "--plot", str(plot)], capsys)
    assert code == 0, err
    assert "friend_ties_within_subregion" in out and "betweenness_centrality" in out
    assert plot.stat().st_size > 10_000


def test_power_shows_the_papers_point(capsys: pytest.CaptureFixture[str]) -> None:
    edges = str(example_path("example_edges.csv"))
    code, out, _ = invoke_cli(["power", "eu", "--edges", edges], capsys)
    assert code == 0
    assert "Formal power is equal: every member's Shapley-Shubik index is 1/27" in out
    assert "Informal power is unequal" in out
    code, out, _ = invoke_cli(["power", "unsc"], capsys)
    assert code == 0 and "0.1963" in out and "0.0019" in out


@pytest.mark.parametrize(
    ("argv", "phrase"),
    [
        (["data", "describe", "missing.csv"], "missing.csv: no such file"),
        (["data", "describe", "{sample}", "--as-of", "soon"], "--as-of: 'soon' is not a date"),
        (["data", "describe", "{sample}", "--map", "start_date"], "--map start_date: expected FIELD=COLUMN"),
        (["data", "describe", "{sample}", "--demand-kind", "resolution"], "unknown demand kind"),
        (["data", "describe", "{sample}", "--plot", "/no/such/folder/km.png"], "does not exist"),
        (["network", "nosuchpreset"], "no such scenario file or preset"),
        (["network", "ties.csv"], "ties.csv: no such file"),
        (["power", "eu", "--runs", "runs.duckdb"], "runs.duckdb: no such runs file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], phrase: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a.replace("{sample}", str(example_path())) for a in argv]
    code, _, err = invoke_cli(argv, capsys)
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert any(phrase in line for line in errors), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [["data", "describe"], ["data", "compare"], ["data", "survey"], ["network"], ["power"], ["data", "validate"]],
)
def test_help_has_an_example(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli([*argv, "--help"], capsys)
    assert code == 0
    assert "Example: corridors " in out


def test_compare_keeps_one_design_point_of_a_sweep_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.engines import run_replications
    from corridors.scenario import load_scenario

    frames = []
    for point, meetings in enumerate((0.5, 2.0)):
        rows = run_replications(
            load_scenario("osce", [f"formal_meetings_per_week={meetings}"]), replications=30, seed=1
        )
        rows["point_id"] = point
        frames.append(rows)
    runs = tmp_path / "runs.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(runs)
    code, _, err = invoke_cli(["data", "compare", str(example_path()), str(runs)], capsys)
    assert code == 2 and "--point ID" in err
    code, out, _ = invoke_cli(["data", "compare", str(example_path()), str(runs), "--point", "1"], capsys)
    assert code == 0 and "30 runs" in out
    code, out, _ = invoke_cli(["data", "compare", str(example_path()), str(runs), "--pool-variants"], capsys)
    assert code == 0 and "60 runs" in out
