"""Damaged stores are refused in one line naming the file, exit 2, and are left byte for byte unchanged."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from experiment_helpers import tiny_spec, write_spec

from cli_support import invoke_cli


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finished tiny sweep: (store, spec)."""
    folder = tmp_path_factory.mktemp("good")
    spec = write_spec(
        folder, tiny_spec(factors=[{"path": "formal_meetings_per_week", "values": [1.0, 2.0]}], replications=2)
    )
    store = folder / "good.duckdb"
    from corridors.cli import main

    main(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"])
    return store, spec


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt_middle(path: Path) -> None:
    """Flip bytes inside the block that holds the runs table (a used block in the middle of the file)."""
    con = duckdb.connect(str(path), read_only=True)
    block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]  # type: ignore[index]
    block = con.execute("SELECT max(block_id) FROM pragma_storage_info('runs') WHERE block_id >= 0").fetchone()[0]  # type: ignore[index]
    con.close()
    data = bytearray(path.read_bytes())
    start = 3 * 4096 + int(block) * int(block_size) + 64
    for i in range(start, start + 512):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _foreign_wal(path: Path) -> None:
    """Leave a write-ahead log of another database beside the store (a WAL that cannot apply)."""
    other = path.with_name("other.duckdb")
    script = (
        "import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); c.execute(\"SET checkpoint_threshold='1TB'\"); "
        "c.execute('CREATE TABLE t (x INTEGER)'); c.execute('INSERT INTO t VALUES (1)'); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", script, str(other)], check=True)
    shutil.copy(other.with_name(other.name + ".wal"), path.with_name(path.name + ".wal"))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "corrupted": _corrupt_middle,
    "foreign wal": _foreign_wal,
}


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("command", ["summary", "export", "sweep"])
def test_a_damaged_store_is_refused_and_left_unchanged(
    good_store: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str, command: str
) -> None:
    store = tmp_path / "s.duckdb"
    shutil.copy(good_store[0], store)
    DAMAGES[damage](store)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    argv = {
        "summary": ["results", "summary", str(store)],
        "export": ["results", "export", str(store), "--format", "csv", "-o", str(tmp_path / "ex.csv")],
        "sweep": ["sweep", str(good_store[1]), "--store", str(store), "--executor", "serial", "--quiet"],
    }[command]
    code, _, err = invoke_cli(argv, capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{store}: the store is damaged" in err and "restore it from a backup" in err
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # not written to, no export file, no WAL replayed into it


def test_an_intact_store_still_opens(good_store: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke_cli(["results", "summary", str(good_store[0])], capsys)
    assert code == 0 and "chunks: 2 done, 0 failed" in " ".join(out.split())
