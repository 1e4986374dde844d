"""Sweeps refuse, before touching a store: Dask missing, a changed chunk size on resume, absurd work."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from experiment_helpers import runs_of, tiny_spec, write_spec

from cli_support import invoke_cli
from corridors.errors import CorridorsError
from corridors.experiments import load_experiment, run_sweep


def test_a_dask_sweep_without_dask_leaves_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    spec = write_spec(tmp_path, tiny_spec())
    store = tmp_path / "d.duckdb"
    code, _, err = invoke_cli(["sweep", str(spec), "--store", str(store), "--dask", "local:1", "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1 and "Dask is not installed" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_a_failed_start_keeps_a_store_that_existed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, tiny_spec())
    store = tmp_path / "d.duckdb"
    assert invoke_cli(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"], capsys)[0] == 0
    runs = runs_of(store)
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, _ = invoke_cli(
        ["sweep", str(spec), "--store", str(store), "--dask", "local:1", "--quiet", "--new"], capsys
    )
    assert code == 2 and runs_of(store, 1).equals(runs)


def test_a_changed_chunk_size_on_resume_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "c.duckdb"
    run_sweep(load_experiment(tiny_spec(chunk_replications=2)), store=store)
    with pytest.raises(CorridorsError) as info:
        run_sweep(load_experiment(tiny_spec(chunk_replications=3)), store=store)
    assert len(info.value.problems) == 1
    assert "chunk_replications: 3, but experiment 1" in info.value.problems[0]
    assert "runs in chunks of 2" in info.value.problems[0]
    spec = tiny_spec()
    del spec["chunk_replications"]  # automatic size: resumes with the stored one
    assert run_sweep(load_experiment(spec), store=store).replications_this_session == 0


def test_a_design_point_beyond_the_work_limit_is_refused_before_the_store(tmp_path: Path) -> None:
    spec = tiny_spec(
        set=[
            "parameters.burn_in_days=3650",
            "parameters.max_days=3650",
            "parameters.informal_base_per_week=70",
            "parameters.crowding_out=0",
        ],
        factors=[{"path": "parameters.crisis_boost", "values": [1.0, 10.0]}],
        base="osce",
    )
    store = tmp_path / "w.duckdb"
    with pytest.raises(CorridorsError) as info:
        run_sweep(load_experiment(spec), store=store)
    (line,) = info.value.problems
    assert "design point 1 (parameters.crisis_boost=10.0): osce: one replicate would simulate" in line
    assert not store.exists()


def test_a_sweep_root_seed_of_2_to_the_63_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, tiny_spec(seed=2**63))
    code, _, err = invoke_cli(["sweep", str(spec), "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1 and "seed: Input should be less than or equal to" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]
