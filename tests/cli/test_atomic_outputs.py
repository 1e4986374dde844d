"""Atomic outputs: a writer killed or failing leaves the target absent or as it was, and no temp file.

Each kill test runs a real writer in a subprocess, holds it after its content is written to
the temporary file but before the rename (the last moment a kill could tear the file),
kills it with SIGKILL and looks at the folder.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cli_support import invoke_cli
from corridors._atomic import atomic_output
from corridors.errors import CorridorsError

HOLD = """
import pathlib, sys, time
import corridors._atomic as atomic
def hold(*args, **kwargs):
    pathlib.Path(sys.argv[1]).write_text("ready")
    time.sleep(120)
atomic._commit = hold
from corridors.cli import main
main(sys.argv[2:])
"""

TINY = ["--set", "parameters.burn_in_days=5", "--set", "parameters.max_days=10"]


def _kill_mid_write(tmp_path: Path, argv: list[str]) -> None:
    marker = tmp_path / "marker" / "ready"
    marker.parent.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(marker), *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        for _ in range(1200):  # up to two minutes (a slow, shared machine)
            if marker.exists() or process.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), process.stderr.read().decode() if process.stderr else ""
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
        if process.stderr:
            process.stderr.close()


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "store" / "s.duckdb"
    store.parent.mkdir()
    spec = store.parent / "spec.yaml"
    spec.write_text(
        "name: k\nbase: unsc\nset: [parameters.burn_in_days=5, parameters.max_days=10]\n"
        "factors: [{path: formal_meetings_per_week, values: [1, 2]}]\n"
        "replications: 2\nseed: 1\nengine: reference\nchunk_replications: 2\n",
        encoding="utf-8",
    )
    from corridors.cli import main

    main(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"])
    return store


@pytest.mark.parametrize("previous", [False, True])
def test_export_killed_mid_write_leaves_no_half_file(tmp_path: Path, previous: bool) -> None:
    store = _store(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "ex.csv"
    if previous:
        target.write_text("the previous, complete file\n", encoding="utf-8")
    _kill_mid_write(tmp_path, ["results", "export", str(store), "--format", "csv", "-o", str(target)])
    if previous:
        assert target.read_text(encoding="utf-8") == "the previous, complete file\n"
    assert sorted(p.name for p in out_dir.iterdir()) == (["ex.csv"] if previous else [])


def test_run_out_killed_mid_write_leaves_no_half_file(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    _kill_mid_write(
        tmp_path,
        ["run", "unsc", "--reps", "2", "--engine", "reference", "--quiet", *TINY, "--out", str(out_dir / "x.parquet")],
    )
    assert list(out_dir.iterdir()) == []


def test_a_failing_writer_leaves_the_previous_file_and_no_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.parquet"
    target.write_bytes(b"PAR1 previous")

    def half_then_fail(self: pd.DataFrame, path: object, **kwargs: object) -> None:
        Path(str(path)).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_then_fail)
    code, _, err = invoke_cli(
        ["run", "unsc", "--reps", "2", "--engine", "reference", "--quiet", *TINY, "--out", str(target)], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err, err  # one line, no traceback
    assert target.read_bytes() == b"PAR1 previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.parquet"]  # no x.parquet.partial


def test_the_helper_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    with atomic_output(target) as path:
        path.write_text("one", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output(target) as path:
        path.write_text("two, half", encoding="utf-8")
        raise RuntimeError("writer failed")
    assert target.read_text(encoding="utf-8") == "one"
    with atomic_output(target) as path:
        path.write_text("three", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "three"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def _ran(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import corridors.engines

    calls: list[int] = []
    monkeypatch.setattr(corridors.engines, "run_replications", lambda *a, **k: calls.append(1))
    return calls


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("missing/x.csv", "the folder"),
        ("x.txt", "use a .csv or .parquet file name"),
        ("/proc/x.csv", "cannot write files in /proc"),
        ("/sys/x.csv", "cannot write files in /sys"),
    ],
)
def test_out_is_checked_before_any_replication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], out: str, message: str
) -> None:
    calls = _ran(monkeypatch)
    target = out if out.startswith("/") else str(tmp_path / out)
    code, _, err = invoke_cli(["run", "unsc", "--reps", "2", "--quiet", "--out", target], capsys)
    assert code == 2 and calls == []
    assert err.count("\n") == 1 and message in err, err


def test_out_in_a_read_only_folder_is_refused_before_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    real_open = os.open

    def refuse(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if Path(str(path)) == folder and flags & (os.O_WRONLY | os.O_RDWR):  # as a non-root user would be
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    monkeypatch.setattr("builtins.open", _refusing_builtin_open(folder))
    calls = _ran(monkeypatch)
    code, _, err = invoke_cli(["run", "unsc", "--reps", "2", "--quiet", "--out", str(folder / "x.csv")], capsys)
    folder.chmod(0o755)
    assert code == 2 and calls == []
    assert err.count("\n") == 1 and "Permission denied" in err


def _refusing_builtin_open(folder: Path):  # noqa: ANN202
    import builtins

    real = builtins.open

    def refusing(file: object, mode: str = "r", *args: object, **kwargs: object):  # noqa: ANN202
        if isinstance(file, (str, Path)) and Path(file).parent == folder and any(c in mode for c in "wxa+"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    return refusing


def test_check_output_path_is_a_corridors_error(tmp_path: Path) -> None:
    from corridors._atomic import check_output_path

    with pytest.raises(CorridorsError, match="is a folder"):
        check_output_path(tmp_path, option="--out")
