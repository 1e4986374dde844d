"""A write-ahead log cut mid-record (a writer killed while committing) loses no committed chunk.

DuckDB replays a WAL up to its last whole commit and ignores a torn tail, so such a store
is not damaged: it opens, reads every chunk committed before the tear, and a sweep resumes
it (re-running the chunk whose commit was cut) to the same runs as an uninterrupted sweep.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from experiment_helpers import row_columns, runs_of, tiny_spec, write_spec

from cli_support import invoke_cli
from corridors.experiments import Store

_WRITER = """
import os, sys
from pathlib import Path
from corridors.cli import main
from corridors.experiments import Store

store, folder = Path(sys.argv[2]), Path(sys.argv[3])
wal = store.with_name(store.name + ".wal")
commit, close = Store.commit_chunk, Store.close

def snapshot():  # what a crash right now would leave on disk
    n = len(list(folder.iterdir())) // 2
    (folder / f"{n}.duckdb").write_bytes(store.read_bytes())
    (folder / f"{n}.wal").write_bytes(wal.read_bytes())

def commit_and_copy(self, *args, **kwargs):
    commit(self, *args, **kwargs)
    snapshot()

def copy_and_close(self):
    if not self.read_only:
        snapshot()
    close(self)

Store.commit_chunk, Store.close = commit_and_copy, copy_and_close
main(["sweep", sys.argv[1], "--store", str(store), "--executor", "serial", "--quiet"])
"""


@pytest.fixture(scope="module")
def wal_snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[tuple[bytes, bytes]]]:
    """A tiny sweep of 6 chunks in a child process: (finished store, spec, (store, WAL) bytes after each
    chunk's commit and at the close, before DuckDB's checkpoint moves the log into the file)."""
    folder = tmp_path_factory.mktemp("wal")
    spec = write_spec(
        folder, tiny_spec(factors=[{"path": "formal_meetings_per_week", "values": [1.0, 2.0, 3.0]}], replications=4)
    )
    store, copies = folder / "whole.duckdb", folder / "snapshots"
    copies.mkdir()
    subprocess.run([sys.executable, "-c", _WRITER, str(spec), str(store), str(copies)], check=True)
    snapshots = [((copies / f"{n}.duckdb").read_bytes(), (copies / f"{n}.wal").read_bytes()) for n in range(7)]
    # the chunks are in the WAL, not yet in the file: each commit appends to the log
    assert all(s[0] == snapshots[0][0] for s in snapshots)
    assert all(later[1].startswith(earlier[1]) for earlier, later in zip(snapshots, snapshots[1:], strict=False))
    return store, spec, snapshots


def _torn(folder: Path, database: bytes, wal: bytes) -> Path:
    store = folder / "torn.duckdb"
    store.write_bytes(database)
    store.with_name(store.name + ".wal").write_bytes(wal)
    return store


def test_a_wal_cut_inside_a_commit_keeps_the_chunks_before_it(
    wal_snapshots: tuple[Path, Path, list[tuple[bytes, bytes]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole, spec, snapshots = wal_snapshots
    (database, third), (_, fourth) = snapshots[2], snapshots[3]
    store = _torn(tmp_path, database, fourth[: len(third) + (len(fourth) - len(third)) // 2])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with Store(store, read_only=True) as opened:
        assert sorted(opened.chunk_statuses(1).items()) == [(0, "done"), (1, "done"), (2, "done")]
    code, out, err = invoke_cli(["results", "summary", str(store)], capsys)
    assert code == 0 and "Traceback" not in err
    assert "chunks: 3 done, 0 failed, 6 in all" in " ".join(out.split())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # reading never replays into the file
    code, _, err = invoke_cli(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"], capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(row_columns(runs_of(store)), row_columns(runs_of(whole)))


def test_a_wal_short_of_a_few_bytes_loses_no_chunk(
    wal_snapshots: tuple[Path, Path, list[tuple[bytes, bytes]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole, spec, snapshots = wal_snapshots
    database, last = snapshots[-1]  # the log ends with the sweep's last write: the experiment marked finished
    store = _torn(tmp_path, database, last[:-3])
    pd.testing.assert_frame_equal(row_columns(runs_of(store)), row_columns(runs_of(whole)))
    code, out, err = invoke_cli(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"], capsys)
    assert code == 0, err
    assert "already holds every run of experiment 1 (6/6 chunks done" in " ".join((out + err).split())
    code, out, _ = invoke_cli(["results", "summary", str(store)], capsys)
    assert code == 0 and "chunks: 6 done, 0 failed, 6 in all" in " ".join(out.split())
