"""A calibration holds its store open: sweeps on a held store, and one pass for the finished experiments."""

from __future__ import annotations

from pathlib import Path

from corridors.calibration.simulate import MomentSimulator, holding_store
from corridors.experiments.spec import load_experiment
from corridors.experiments.store import Store
from corridors.experiments.sweep import run_sweep

TINY = ["parameters.burn_in_days=10", "parameters.max_days=30"]


def _spec(name: str, values: list[float]) -> object:
    return load_experiment(
        {
            "name": name,
            "base": "unsc",
            "replications": 3,
            "seed": 5,
            "engine": "batch",
            "chunk_replications": 2,
            "set": TINY,
            "factors": [{"path": "parameters.widen_base", "values": values}],
        }
    )


def test_finished_experiments_agrees_with_the_lookup_of_each_hash(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    done = run_sweep(_spec("a", [0.1, 0.2]), store=path)  # type: ignore[arg-type]
    run_sweep(_spec("b", [0.3]), store=path, new=True)  # type: ignore[arg-type]
    with Store(path) as st:
        # an unfinished experiment: drop the record of one chunk of 'b'
        last = int(st.query("SELECT max(experiment_id) AS e FROM experiments")["e"][0])
        st.con.execute("DELETE FROM runs WHERE experiment_id = ? AND chunk_id = 0", [last])
        st.con.execute("DELETE FROM chunks WHERE experiment_id = ? AND chunk_id = 0", [last])
        hashes = st.query("SELECT DISTINCT spec_hash FROM experiments")["spec_hash"].tolist()
        expected = {}
        for h in hashes:
            record = st.finished_experiment(h)
            if record is not None:
                expected[h] = record.experiment_id
        assert st.finished_experiments() == expected
    assert len(expected) == 1 and done.status == "finished"


def test_a_sweep_on_a_held_store_gives_the_rows_of_a_sweep_on_its_path(tmp_path: Path) -> None:
    held, opened = tmp_path / "held.duckdb", tmp_path / "path.duckdb"
    with Store(held) as st:
        run_sweep(_spec("a", [0.1, 0.2]), store=st)  # type: ignore[arg-type]
        assert len(st.query("SELECT * FROM experiments")) == 1  # still open: the sweep does not close a held store
        first = st.query("SELECT * EXCLUDE (run_id) FROM runs ORDER BY point_id, replicate")
    run_sweep(_spec("a", [0.1, 0.2]), store=opened)  # type: ignore[arg-type]
    with Store(opened) as st:
        second = st.query("SELECT * EXCLUDE (run_id) FROM runs ORDER BY point_id, replicate")
    assert len(first) == 6
    assert first.equals(second)


def test_nested_simulators_share_one_open_store_and_find_what_each_ran(tmp_path: Path) -> None:
    path = tmp_path / "cal.duckdb"
    with holding_store(path), MomentSimulator(path, replications=2, seed=1, overrides=TINY) as outer:
        outer.moments({"widen_base": 0.3}, ["OSCE"])
        with MomentSimulator(path, replications=2, seed=1, overrides=TINY) as inner:
            inner.moments({"widen_base": 0.3}, ["OSCE"])
            inner.moments({"widen_base": 0.4}, ["OSCE"])
        outer.moments({"widen_base": 0.4}, ["OSCE"])
    assert (outer.evaluations_run, outer.evaluations_found) == (1, 1)
    assert (inner.evaluations_run, inner.evaluations_found) == (1, 1)
    with Store(path) as st:  # closed at the end: another open in this process works
        assert len(st.finished_experiments()) == 2
