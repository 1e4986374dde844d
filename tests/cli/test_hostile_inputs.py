"""Hostile and odd inputs (issue 23): each is refused in one line (exit 2) or done (exit 0), never a traceback,
never a hang, nothing overwritten and, on refusal, nothing created."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from cli_support import invoke_cli

TINY = ["parameters.burn_in_days=0", "parameters.max_days=10"]
SHIPPED_PARAMS = Path(__file__).resolve().parents[2] / "src" / "corridors" / "calibration" / "data" / "calibrated.yaml"
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "corridors" / "empirical" / "data" / "peace_ops_sample.csv"


def _spec(folder: Path, name: str = "spec.yaml", **changes: object) -> Path:
    spec: dict[str, object] = {
        "name": "tiny",
        "base": "unsc",
        "set": TINY,
        "replications": 2,
        "seed": 1,
        "engine": "reference",
        "factors": [{"path": "formal_meetings_per_week", "values": [1, 2]}],
    }
    spec.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corridors.cli import main

    folder = tmp_path_factory.mktemp("hostile_store")
    store = folder / "good.duckdb"
    main(["sweep", str(_spec(folder)), "--store", str(store), "--executor", "serial", "--quiet"])
    return store


def _edited_store(good: Path, folder: Path, sql: str) -> Path:
    store = folder / "edited.duckdb"
    shutil.copy(good, store)
    con = duckdb.connect(str(store))
    con.execute(sql)
    con.close()
    return store


def _params(folder: Path, old: str, new: str) -> Path:
    path = folder / "params.yaml"
    text = SHIPPED_PARAMS.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _foreign(folder: Path, name: str = "other.duckdb") -> Path:
    path = folder / name
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)")
    con.close()
    return path


def _sqlite(folder: Path) -> Path:
    path = folder / "lite.duckdb"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    return path


def _scenario(folder: Path, text: str, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _alias_bomb(folder: Path) -> Path:
    lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]")
    path = folder / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nname: bomb\nbase: unsc\nreplications: 1\nseed: 1\n", encoding="utf-8")
    return path


def _nested_parquet(folder: Path) -> Path:
    frame = pd.read_csv(SAMPLE).head(2)
    frame["organization"] = [["EU"], ["AU"]]
    path = folder / "nested.parquet"
    frame.to_parquet(path)
    return path


Case = Callable[[Path, Path], list[str]]
"""(case folder, a finished store copied into it) -> argv."""

REFUSED: dict[str, Case] = {
    # 1. no output replaces an input or a store; suffixes say the format
    "export over its store": lambda d, s: ["results", "export", str(s), "--out", str(s)],
    "export over the spec": lambda d, s: ["results", "export", str(s), "--out", str(_spec(d))],
    "export to an unknown suffix": lambda d, s: ["results", "export", str(s), "--out", str(d / "rows.txt")],
    "export over a store named .csv": lambda d, s: [
        "results",
        "export",
        str(s),
        "--out",
        str(shutil.copy(s, d / "x.csv")),
    ],
    "export --format against the suffix": lambda d, s: [
        "results",
        "export",
        str(s),
        "--out",
        str(d / "m.csv"),
        "--format",
        "parquet",
    ],
    "export through a symlink to its store": lambda d, s: [
        "results",
        "export",
        str(s),
        "--out",
        str(_symlink(d / "link.csv", s)),
    ],
    "run --out over a Parquet file named .csv": lambda d, s: [
        "run",
        "unsc",
        "--reps",
        "2",
        "--quiet",
        "--out",
        str(_parquet_named_csv(d)),
    ],
    "run --out to a yaml": lambda d, s: ["run", "unsc", "--reps", "2", "--out", str(d / "s.yaml")],
    # 2. a store is corridors' or it is refused
    "sweep into a foreign DuckDB file": lambda d, s: ["sweep", str(_spec(d)), "--store", str(_foreign(d)), "--quiet"],
    "sweep into a SQLite file": lambda d, s: ["sweep", str(_spec(d)), "--store", str(_sqlite(d)), "--quiet"],
    "sweep into the spec itself": lambda d, s: ["sweep", str(_spec(d)), "--store", str(d / "spec.yaml"), "--quiet"],
    "sweep into a new store named .csv": lambda d, s: ["sweep", str(_spec(d)), "--store", str(d / "s.csv")],
    "summary of a store of format 99": lambda d, s: [
        "results",
        "summary",
        str(_edited_store(s, d, "UPDATE store_info SET value = '99' WHERE key = 'format'")),
    ],
    "summary of a store with damaged JSON": lambda d, s: [
        "results",
        "summary",
        str(_edited_store(s, d, "UPDATE experiments SET spec_json = '{bad'")),
    ],
    "export of a store with a NULL replications": lambda d, s: [
        "results",
        "export",
        str(_edited_store(s, d, "UPDATE experiments SET replications = NULL")),
        "--out",
        str(d / "x.csv"),
    ],
    "summary of a runs table of another shape": lambda d, s: [
        "results",
        "summary",
        str(_edited_store(s, d, "DROP TABLE runs; CREATE TABLE runs (x INTEGER)")),
    ],
    "summary of a foreign DuckDB file": lambda d, s: ["results", "summary", str(_foreign(d))],
    "sql of a SQLite file": lambda d, s: ["results", "sql", str(_sqlite(d)), "SELECT 1"],
    "sql reading another file": lambda d, s: ["results", "sql", str(s), f"SELECT * FROM read_csv('{SAMPLE}')"],
    "reproduce into a folder with a foreign store": lambda d, s: [
        "reproduce",
        "--quick",
        "--out",
        str(_foreign(d, "reproduce.duckdb").parent),
    ],
    "data package naming a URL": lambda d, s: [
        "data",
        "validate",
        str(
            _scenario(
                d,
                '{"name": "x", "resources": [{"name": "o", "path": "https://example.com/o.csv"}]}',
                "datapackage.json",
            )
        ),
    ],
    # 3. labels and paths cannot collide
    "factor labelled as a row column": lambda d, s: [
        "sweep",
        str(_spec(d, factors=[{"path": "formal_meetings_per_week", "name": "decided", "values": [1, 2]}])),
        "--store",
        str(d / "n.duckdb"),
    ],
    "factor labels differing in case": lambda d, s: [
        "sweep",
        str(
            _spec(
                d,
                factors=[
                    {"path": "formal_meetings_per_week", "name": "Meetings", "values": [1, 2]},
                    {"path": "parameters.trust_gain", "name": "meetings", "values": [0.1, 0.2]},
                ],
            )
        ),
        "--store",
        str(d / "n.duckdb"),
    ],
    "two factors on one path by code and index": lambda d, s: [
        "sweep",
        str(
            _spec(
                d,
                factors=[
                    {"path": "members.FRA.ideal", "values": [0.1, 0.2]},
                    {"path": "members[1].ideal", "values": [0.3, 0.4]},
                ],
            )
        ),
        "--store",
        str(d / "n.duckdb"),
    ],
    # 4. numbers are numbers
    "--set true for a number": lambda d, s: ["run", "unsc", "--set", "parameters.max_days=true"],
    "--set octal 010": lambda d, s: ["run", "unsc", "--set", "parameters.max_days=010"],
    "--set sexagesimal 1:30": lambda d, s: ["run", "unsc", "--set", "parameters.burn_in_days=1:30"],
    "--set yes for a flag": lambda d, s: ["run", "unsc", "--set", "mechanisms.gossip=yes"],
    "scenario with a null number": lambda d, s: ["run", str(_scenario(d, "extends: unsc\nparameters: {max_days: }\n"))],
    "spec with replications: true": lambda d, s: ["sweep", str(_spec(d, replications=True))],
    "params with true": lambda d, s: [
        "run",
        "eu",
        "--params",
        str(_params(d, "trust_gain: 0.099366", "trust_gain: true")),
    ],
    "params with null": lambda d, s: [
        "run",
        "eu",
        "--params",
        str(_params(d, "  widen_step: 0.599915", "  widen_step:")),
    ],
    "params with a list": lambda d, s: [
        "reproduce",
        "--quick",
        "--out",
        str(d / "rep"),
        "--params",
        str(_params(d, "  widen_step: 0.599915", "  widen_step: [1]")),
    ],
    "params with Latin-1 bytes": lambda d, s: ["run", "eu", "--params", str(_latin1(d))],
    "params reading realsit": lambda d, s: [
        "run",
        "eu",
        "--params",
        str(_params(d, "reading: interpersonal", "reading: realsit")),
    ],
    "params with a duplicate key": lambda d, s: [
        "run",
        "eu",
        "--params",
        str(_params(d, "  widen_step: 0.599915", "  widen_step: 0.5\n  widen_step: 0.7")),
    ],
    # 5. bounded before work
    "alias bomb in a spec": lambda d, s: ["sweep", str(_alias_bomb(d))],
    "extends a FIFO": lambda d, s: ["run", str(_scenario(d, f"extends: {_fifo(d)}\n"))],
    "base /dev/zero": lambda d, s: ["sweep", str(_spec(d, base="/dev/zero"))],
    "extends a folder names the child": lambda d, s: [
        "run",
        str(_scenario(d, "extends: sub.yaml\n", "child.yaml")) if (d / "sub.yaml").mkdir() is None else "",
    ],
    "huge sobol design": lambda d, s: [
        "sweep",
        str(
            _spec(
                d,
                design={"kind": "sobol", "points": 524288},
                factors=[
                    {"path": "formal_meetings_per_week", "range": [1, 2]},
                    {"path": "parameters.trust_gain", "range": [0.1, 0.2]},
                ],
            )
        ),
    ],
    "huge grid": lambda d, s: [
        "sweep",
        str(
            _spec(
                d,
                factors=[
                    {"path": "formal_meetings_per_week", "range": [1, 2], "steps": 10000},
                    {"path": "parameters.trust_gain", "range": [0.1, 0.2], "steps": 10000},
                ],
            )
        ),
    ],
    "trace with a huge replicate": lambda d, s: ["trace", "unsc", "--replicate", "99999999999999999999999"],
    "replay a huge run id": lambda d, s: ["results", "replay", str(s), "99999999999999999999"],
    "validate --as-of 1500": lambda d, s: ["data", "validate", str(SAMPLE), "--as-of", "1500-01-01"],
    "describe --horizon-months 1e308": lambda d, s: ["data", "describe", str(SAMPLE), "--horizon-months", "1e308"],
    "validate nested Parquet": lambda d, s: ["data", "validate", str(_nested_parquet(d))],
    "sensitivity --chart into a missing folder": lambda d, s: [
        "sensitivity",
        str(
            _spec(
                d,
                design={"kind": "morris", "points": 2},
                factors=[
                    {"path": "formal_meetings_per_week", "range": [1, 2]},
                    {"path": "parameters.trust_gain", "range": [0.1, 0.2]},
                ],
            )
        ),
        "--chart",
        str(d / "none" / "c.png"),
        "--store",
        str(d / "n.duckdb"),
    ],
    "reproduce where figures is a file": lambda d, s: [
        "reproduce",
        "--quick",
        "--out",
        str(_touch(d / "rep" / "figures").parent),
    ],
    # 7. nothing created on refusal
    "calibrate --out NEW --executor bogus": lambda d, s: [
        "calibrate",
        "--quick",
        "--out",
        str(d / "NEW"),
        "--executor",
        "bogus",
    ],
}


def _symlink(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("a file where a folder goes")
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "fifo.yaml"
    os.mkfifo(path)
    return path


def _latin1(folder: Path) -> Path:
    path = folder / "latin1.yaml"
    path.write_bytes(b"format: corridors-calibration/1\nparameters: {trust_gain: 0.1}\nnote: caf\xe9\n")
    return path


def _parquet_named_csv(folder: Path) -> Path:
    path = folder / "rows.csv"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry under folder -> a hash of its content (folders, FIFOs and links by kind)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = f"link:{os.readlink(path)}"
        elif path.is_dir():
            found[key] = "folder"
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[key] = "special"
    return found


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s (a hang)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("name", list(REFUSED))
def test_hostile_input_is_refused_in_one_line(
    name: str, tmp_path: Path, good_store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a default store or output would land here, and be seen
    store = Path(shutil.copy(good_store, tmp_path / "good.duckdb"))
    argv = REFUSED[name](tmp_path, store)
    before = _snapshot(tmp_path)
    with _deadline(60):
        code, out, err = invoke_cli(argv, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in out + err, err
    assert code == 2, (name, code, err[-500:])
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert _snapshot(tmp_path) == before, f"{name}: a file was created, changed or removed"


def test_messages_name_the_file_at_fault(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    params = _params(tmp_path, "trust_gain: 0.099366", "trust_gain: true")
    _, _, err = invoke_cli(["run", "eu", "--params", str(params)], capsys)
    assert f"--params {params}: parameters.trust_gain: must be a number" in err
    (tmp_path / "sub.yaml").mkdir()
    child = _scenario(tmp_path, "extends: sub.yaml\n", "child.yaml")
    _, _, err = invoke_cli(["run", str(child)], capsys)
    assert err.startswith(f"error: {child}: extends: sub.yaml: is a folder"), err


def test_export_writes_what_its_suffix_says(
    tmp_path: Path, good_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, reader in (("m.csv", pd.read_csv), ("m.parquet", pd.read_parquet)):
        code, _, err = invoke_cli(["results", "export", str(good_store), "--out", str(tmp_path / name)], capsys)
        assert code == 0, err
        assert len(reader(tmp_path / name)) == 4
    assert (tmp_path / "m.parquet").read_bytes()[:4] == b"PAR1"
    assert (tmp_path / "m.csv").read_bytes()[:4] != b"PAR1"


def test_a_full_disk_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "rows.csv"
    out.write_text("previous\n")
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    code, _, err = invoke_cli(
        ["run", "unsc", "--reps", "2", "--quiet", "--set", TINY[0], "--set", TINY[1], "--out", str(out)], capsys
    )
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err, err
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_a_sweep_stopped_by_a_full_disk_resumes_to_identical_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from corridors.experiments.store import Store

    spec = _spec(tmp_path, chunk_replications=1)
    reference = tmp_path / "reference.duckdb"
    assert (
        invoke_cli(["sweep", str(spec), "--store", str(reference), "--executor", "serial", "--quiet"], capsys)[0] == 0
    )
    original = Store.commit_chunk
    calls = []

    def fill_up(self: Store, experiment: object, result: object) -> None:
        calls.append(1)
        if len(calls) > 2:  # the disk fills inside the third chunk's transaction
            with self.transaction():
                raise duckdb.IOException('IO Error: Could not write file "s.duckdb.wal": No space left on device')
        original(self, experiment, result)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "commit_chunk", fill_up)
    store = tmp_path / "s.duckdb"
    code, _, err = invoke_cli(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"], capsys)
    assert code == 2 and err.count("\n") == 1 and "run the same command again to resume" in err, err
    monkeypatch.setattr(Store, "commit_chunk", original)
    assert invoke_cli(["sweep", str(spec), "--store", str(store), "--executor", "serial", "--quiet"], capsys)[0] == 0
    for path in (reference, store):
        assert invoke_cli(["results", "export", str(path), "--out", str(path.with_suffix(".csv"))], capsys)[0] == 0
    assert store.with_suffix(".csv").read_bytes() == reference.with_suffix(".csv").read_bytes()
