"""The command line: sweep, sensitivity and results, with errors as one line and exit status 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from experiment_helpers import BATCH_AVAILABLE, row_columns, runs_of, tiny_spec, write_spec

from corridors.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_cli(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_sweep_writes_a_store_named_after_the_spec_in_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    specs, work = tmp_path / "examples", tmp_path / "work"
    specs.mkdir()
    work.mkdir()
    monkeypatch.chdir(work)
    spec = write_spec(specs, tiny_spec(), "sweep_tiny.yaml")
    assert run_cli("sweep", str(spec), "--executor", "serial") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "experiment 1 finished: 9/9 chunks done" in out and "store sweep_tiny.duckdb" in out
    assert "3.500" in out and "mean over decided runs" in out and "KM median" in out
    assert (work / "sweep_tiny.duckdb").is_file()
    assert sorted(p.name for p in specs.iterdir()) == ["sweep_tiny.yaml"]  # nothing beside the spec
    assert run_cli("sweep", str(spec), "--executor", "serial", "--quiet") == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("nothing to do: sweep_tiny.duckdb already holds every run of experiment 1")
    assert "18 replications" in line and "add --new" in line
    assert run_cli("sweep", str(spec), "--executor", "serial", "--new", "--quiet") == 0  # afresh: experiment 2
    assert runs_of(work / "sweep_tiny.duckdb", 2).shape[0] == 18
    assert len(runs_of(work / "sweep_tiny.duckdb", 1)) == 18  # the first experiment is kept


def test_results_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, tiny_spec())
    store = tmp_path / "r.duckdb"
    assert run_cli("sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet") == 0
    assert run_cli("results", "summary", str(store)) == 0
    assert "chunks: 9 done, 0 failed, 9 in all" in capsys.readouterr().out
    assert run_cli("results", "sql", str(store), "SELECT count(*) AS n FROM runs", "--csv") == 0
    assert capsys.readouterr().out == "n\n18\n"
    assert run_cli("results", "export", str(store), "--format", "csv") == 0
    written = Path(capsys.readouterr().out.strip().removeprefix("wrote "))
    assert written == tmp_path / "r_experiment1.csv" and len(pd.read_csv(written)) == 18
    assert run_cli("results", "replay", str(store), "5", "--trace") == 0
    out = capsys.readouterr().out
    assert "replayed: identical to the stored row" in out and "trace of run 5" in out


def test_user_errors_are_one_line_with_exit_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, tiny_spec(replications=0))
    assert run_cli("sweep", str(spec)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "replications" in err and "Traceback" not in err
    assert run_cli("sweep", str(write_spec(tmp_path, tiny_spec(), "ok.yaml")), "--executor", "threads") == 2
    assert "--executor: unknown executor 'threads'" in capsys.readouterr().err
    assert run_cli("sweep", str(tmp_path / "ok.yaml"), "--dask", "local:x") == 2
    assert "expected local:N" in capsys.readouterr().err
    assert run_cli("results", "export", str(tmp_path / "none.duckdb"), "--format", "xlsx") == 2
    assert run_cli("results", "sql", str(tmp_path / "none.duckdb"), "SELECT 1") == 2
    assert "no such store" in capsys.readouterr().err


def test_failed_chunks_give_exit_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.experiments.chunks as chunks_module

    monkeypatch.chdir(tmp_path)

    def broken(*args: object, **kwargs: object) -> pd.DataFrame:
        raise ValueError("engine broke")

    monkeypatch.setattr(chunks_module, "run_replications", broken)
    spec = write_spec(tmp_path, tiny_spec())
    assert run_cli("sweep", str(spec), "--executor", "serial") == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "9 failed (rerun them with --retry-failed)" in out
    assert "9 chunks failed (18 replications missing)" in out


def test_sensitivity_prints_indices_and_writes_the_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = write_spec(
        tmp_path,
        tiny_spec(
            factors=[
                {"path": "formal_meetings_per_week", "range": [0.5, 3.5]},
                {"path": "parameters.posture", "range": [0.2, 1.0]},
            ],
            design={"kind": "sobol", "points": 4},
            replications=1,
            chunk_replications=None,
        ),
    )
    code = run_cli("sensitivity", str(spec), "--executor", "serial", "--measure", "response_months_censored", "--quiet")
    assert code == 0
    out, err = capsys.readouterr()
    assert "sobol indices of response_months_censored" in out
    assert "warning: " in err and "would make it narrower" in err  # 4 base samples, 1 replication: wide
    assert "S1_conf" in out and "ST_conf" in out
    assert (tmp_path / "tiny_sensitivity.png").is_file()


def _chunks_done(store: Path, folder: Path) -> int:
    """Chunks a running sweep has committed, read from a copy of its store (the sweep holds the lock).

    A copy taken mid-write may not open, or may lack its last transaction: that reads as fewer
    chunks, and the caller polls again.
    """
    import shutil

    import duckdb

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    copy = folder / store.name
    try:
        for path in (store, store.with_name(store.name + ".wal")):
            if path.exists():
                shutil.copyfile(path, folder / path.name)
        con = duckdb.connect(str(copy))
        try:
            done = con.execute("SELECT count(*) FROM chunks WHERE status = 'done'").fetchone()
        finally:
            con.close()
    except (OSError, duckdb.Error):
        return 0
    return int(done[0]) if done else 0


def test_the_cli_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, tiny_spec(replications=200, chunk_replications=5))
    store = tmp_path / "c.duckdb"
    process = subprocess.Popen(
        [sys.executable, "-m", "corridors.cli", "sweep", str(spec), "--store", str(store), "--executor", "serial"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60  # a bound on the wait, not a measure: the poll ends at the first chunk
    while _chunks_done(store, tmp_path / "peek") == 0 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before it could be interrupted"
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted (run the same command again to resume)" in " ".join(out.split())
    assert "Traceback" not in err


@pytest.mark.slow
@pytest.mark.skipif(not BATCH_AVAILABLE, reason="the batch engine is not in this installation")
def test_the_example_gives_identical_runs_on_all_three_executors(tmp_path: Path, full_size: bool) -> None:
    spec = EXAMPLES / "sweep_meetings.yaml"
    replications = 400
    if not full_size:  # the shipped example with fewer replications; --full runs it as shipped
        raw = yaml.safe_load(spec.read_text())
        raw["replications"] = replications = 60
        spec = write_spec(tmp_path, raw, "sweep_meetings.yaml")
    stores = {name: tmp_path / f"{name}.duckdb" for name in ("serial", "process", "dask")}
    assert run_cli("sweep", str(spec), "--store", str(stores["serial"]), "--executor", "serial", "--quiet") == 0
    assert run_cli("sweep", str(spec), "--store", str(stores["process"]), "--workers", "2", "--quiet") == 0
    assert run_cli("sweep", str(spec), "--store", str(stores["dask"]), "--dask", "local:2", "--quiet") == 0
    serial = row_columns(runs_of(stores["serial"]))
    assert len(serial) == 5 * replications
    for name in ("process", "dask"):
        pd.testing.assert_frame_equal(row_columns(runs_of(stores[name])), serial)
