"""Resumable and safe: killed sweeps resume to the same table; failures are kept and retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from experiment_helpers import row_columns, runs_of, tiny_spec, write_spec

import corridors.experiments.chunks as chunks_module
from corridors.errors import CorridorsError
from corridors.experiments import Store, load_experiment, run_sweep, summarize

# 4 points x 8 replicates in chunks of 2: 16 chunks of about 0.1 s each
KILL_SPEC = tiny_spec(
    factors=[{"path": "formal_meetings_per_week", "values": [0.5, 1.0, 2.0, 3.5]}], replications=8, chunk_replications=2
)

SWEEP_SCRIPT = textwrap.dedent(
    """
    import sys
    from corridors.experiments import run_sweep
    from corridors.experiments.executors.serial import SerialExecutor

    def progress(state):
        print(f"done {state.chunks_done}", flush=True)

    report = run_sweep(sys.argv[1], store=sys.argv[2], executor=SerialExecutor(), progress=progress)
    print(f"status {report.status}", flush=True)
    """
)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("whole")
    run_sweep(write_spec(folder, KILL_SPEC), store=folder / "whole.duckdb")
    return runs_of(folder / "whole.duckdb")


def _start_sweep(spec: Path, store: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SWEEP_SCRIPT, str(spec), str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_chunks(process: subprocess.Popen[str], count: int) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("done ") and int(line.split()[1]) >= count:
            return
    raise AssertionError(f"the sweep ended before {count} chunks: {process.stderr.read() if process.stderr else ''}")


def _assert_whole_chunks_only(store: Path) -> int:
    with Store(store, read_only=True) as st:
        chunks = st.query("SELECT chunk_id, replications, status FROM chunks ORDER BY chunk_id")
        per_chunk = st.query("SELECT chunk_id, count(*) AS n, count(DISTINCT run_id) AS ids FROM runs GROUP BY 1")
    assert set(chunks["status"]) <= {"done"}
    merged = chunks.merge(per_chunk, on="chunk_id", how="outer")
    assert (merged["n"] == merged["replications"]).all(), merged
    assert (merged["ids"] == merged["n"]).all()
    return len(chunks)


def test_a_killed_sweep_resumes_to_exactly_the_uninterrupted_table(tmp_path: Path, uninterrupted: pd.DataFrame) -> None:
    spec = write_spec(tmp_path, KILL_SPEC)
    store = tmp_path / "killed.duckdb"
    process = _start_sweep(spec, store)
    try:
        _wait_for_chunks(process, 5)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    finished = _assert_whole_chunks_only(store)
    assert 5 <= finished < 16
    with Store(store, read_only=True) as st:
        assert st.experiment().status == "running"  # stale: its owner is dead

    report = run_sweep(spec, store=store)
    assert report.status == "finished"
    assert report.chunks_skipped == finished and report.chunks_done == 16
    assert any("left 'running' by PID" in note for note in report.notes)
    resumed = runs_of(store)
    pd.testing.assert_frame_equal(row_columns(resumed), row_columns(uninterrupted))
    assert list(resumed["run_id"]) == list(uninterrupted["run_id"])
    _assert_whole_chunks_only(store)


def test_sigint_stops_after_committing_the_chunk_in_hand(tmp_path: Path, uninterrupted: pd.DataFrame) -> None:
    spec = write_spec(tmp_path, KILL_SPEC)
    store = tmp_path / "stopped.duckdb"
    process = _start_sweep(spec, store)
    _wait_for_chunks(process, 3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "status interrupted" in out
    finished = _assert_whole_chunks_only(store)
    assert 3 <= finished < 16
    with Store(store, read_only=True) as st:
        assert st.experiment().status == "interrupted"
    run_sweep(spec, store=store)
    pd.testing.assert_frame_equal(row_columns(runs_of(store)), row_columns(uninterrupted))


def test_a_second_sweep_on_the_same_store_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom corridors.experiments import Store\n"
            "s = Store(sys.argv[1]); print('open', flush=True); time.sleep(60)",
            str(store),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(CorridorsError) as caught:
            run_sweep(load_experiment(tiny_spec()), store=store)
        (line,) = caught.value.problems
        assert f"PID {holder.pid}" in line and "two sweeps cannot write one store at once" in line
        with pytest.raises(CorridorsError, match="a running sweep .* is writing this store"):
            summarize(store)
    finally:
        holder.kill()
        holder.wait()


def test_a_changed_spec_is_refused_unless_new(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    run_sweep(load_experiment(tiny_spec()), store=store)
    changed = load_experiment(tiny_spec(replications=7))
    with pytest.raises(CorridorsError) as caught:
        run_sweep(changed, store=store)
    (line,) = caught.value.problems
    assert "the spec changed since" in line and "replications 6 -> 7" in line and "--new" in line
    report = run_sweep(changed, store=store, new=True)
    assert report.experiment_id == 2 and report.status == "finished"
    with Store(store, read_only=True) as st:
        assert list(st.experiments()["status"]) == ["finished", "finished"]
        ids = st.query("SELECT experiment_id, min(run_id) AS lo, max(run_id) AS hi FROM runs GROUP BY 1 ORDER BY 1")
    assert ids.values.tolist() == [[1, 0, 17], [2, 18, 18 + 21 - 1]]
    # the first spec still resumes (and finds nothing to do)
    assert run_sweep(load_experiment(tiny_spec()), store=store).chunks_skipped == 9


def test_a_failing_chunk_is_recorded_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = load_experiment(tiny_spec())
    original = chunks_module.run_replications

    def flaky(scenario: Any, **options: Any) -> pd.DataFrame:
        if scenario.formal_meetings_per_week == 2.0 and options["first_replicate"] == 2:
            raise RuntimeError("boom in the engine")
        return original(scenario, **options)

    monkeypatch.setattr(chunks_module, "run_replications", flaky)
    store = tmp_path / "f.duckdb"
    report = run_sweep(spec, store=store)
    assert report.status == "finished" and report.chunks_failed == 1 and report.chunks_done == 8
    summary = summarize(store)
    assert summary.chunks_failed == 1 and summary.replications_failed == 2
    assert "--retry-failed" in (summary.failures or "")
    assert summary.points["runs"].tolist() == [6, 4, 6]
    with Store(store, read_only=True) as st:
        error = st.query("SELECT error FROM chunks WHERE status = 'failed'")["error"].iloc[0]
    assert "Traceback" in error and "RuntimeError: boom in the engine" in error

    assert run_sweep(spec, store=store).chunks_skipped == 9  # a plain rerun leaves the failure alone
    monkeypatch.setattr(chunks_module, "run_replications", original)
    retried = run_sweep(spec, store=store, retry_failed=True)
    assert retried.chunks_failed == 0 and retried.chunks_done == 9 and retried.replications_this_session == 2
    whole = tmp_path / "whole.duckdb"
    run_sweep(spec, store=whole)
    pd.testing.assert_frame_equal(row_columns(runs_of(store)), row_columns(runs_of(whole)))


def test_a_failed_chunk_of_several_points_counts_against_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = chunks_module.run_replications

    def flaky(scenario: Any, **options: Any) -> pd.DataFrame:
        if scenario.formal_meetings_per_week == 2.0:
            raise RuntimeError("boom")
        return original(scenario, **options)

    monkeypatch.setattr(chunks_module, "run_replications", flaky)
    store = tmp_path / "g.duckdb"
    report = run_sweep(load_experiment(tiny_spec(chunk_replications=12)), store=store)  # points 0-1, then 2
    assert (report.chunks_total, report.chunks_failed) == (2, 1)
    summary = summarize(store)
    assert summary.points["runs"].tolist() == [0, 0, 6]
    assert summary.points["replications_failed"].tolist() == [6, 6, 0]
    assert summary.replications_failed == 12


def test_a_hard_interrupt_keeps_the_committed_chunks(tmp_path: Path) -> None:
    spec = load_experiment(tiny_spec())
    store = tmp_path / "i.duckdb"

    def interrupt(state: Any) -> None:
        if state.chunks_done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, store=store, progress=interrupt)
    with Store(store, read_only=True) as st:
        assert st.experiment().status == "interrupted"
    assert _assert_whole_chunks_only(store) == 4
    assert run_sweep(spec, store=store).chunks_skipped == 4


def test_the_store_is_locked_only_while_a_sweep_runs(tmp_path: Path) -> None:
    """While it runs, see test_a_second_sweep_on_the_same_store_is_refused; here: released at the end."""
    store = tmp_path / "t.duckdb"
    run_sweep(load_experiment(tiny_spec()), store=store)
    # read-only: DuckDB refuses it while a read-write connection of this process is still open
    assert not summarize(store).points.empty  # readable once the sweep has ended
    with Store(store) as st:  # and writable again
        assert st.experiment().status == "finished"
