"""Output paths that mean what they say and never replace an input or a store.

Every command that writes checks its output paths here before any work:

* :func:`output_kind`: the suffix says the format (``.csv`` CSV, ``.parquet`` Parquet,
  ``.png`` PNG, ...); a suffix the command does not write is refused in one line.
* :func:`check_output_file`: the path is not one of the command's inputs (after resolving
  symlinks), not a DuckDB or SQLite file (a store), and not an existing file whose content
  is of another kind than its suffix (``meetings.csv`` holding Parquet); its folder exists
  and takes a file (see :func:`corridors._atomic.check_output_path`).
* :func:`check_output_folder`: a folder a command fills (``calibrate --out``,
  ``reproduce --out``) is a folder or can be made, takes files, and its subfolders
  (``figures``) are folders; nothing is created here.
* :func:`check_store_path`: a store to write is a ``.duckdb`` file, new or a DuckDB file
  (:class:`~corridors.experiments.store.Store` then checks it is corridors').

Each refusal is a one-line :class:`~corridors.errors.CorridorsError` (exit status 2).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from corridors._atomic import atomic_output, check_output_path
from corridors.errors import CorridorsError

__all__ = [
    "KINDS",
    "check_output_file",
    "check_output_folder",
    "check_store_path",
    "content_kind",
    "output_kind",
]

KINDS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".json": "json",
    ".png": "png",
    ".pdf": "pdf",
    ".svg": "svg",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".md": "markdown",
    ".duckdb": "duckdb",
}
"""The format each output suffix stands for."""

_TEXT_KINDS = {"csv", "json", "svg", "yaml", "html", "markdown"}
_MAGIC = (
    (b"SQLite format 3\x00", "sqlite"),
    (b"PAR1", "parquet"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
)


def content_kind(path: str | Path) -> str:
    """What an existing file holds, from its first bytes: duckdb, sqlite, parquet, png, pdf, zip,
    binary (other bytes with NUL), text, empty, or missing.

    Examples
    --------
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = file.write_bytes(b"PAR1...")
    >>> content_kind(file), content_kind(file.with_name("none.csv"))
    ('parquet', 'missing')
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    if not head:
        return "empty"
    if head[8:12] == b"DUCK":
        return "duckdb"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "binary" if b"\x00" in head else "text"


def _fits(kind: str, content: str) -> bool:
    """Whether an existing file's content may be replaced by an output of ``kind``."""
    if content in ("missing", "empty"):
        return True
    if kind in _TEXT_KINDS:
        return content == "text"
    return content == kind


def output_kind(target: str | Path, *, option: str, allowed: Iterable[str]) -> str:
    """The format an output path's suffix names; a suffix not in ``allowed`` is refused.

    Examples
    --------
    >>> output_kind("rows.CSV", option="--out", allowed=(".csv", ".parquet"))
    'csv'
    """
    allowed = tuple(allowed)
    suffix = Path(target).suffix.lower()
    if suffix not in allowed:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise CorridorsError(
            f"{option} {target}: {shown} is not a format this command writes (the suffix says the format): "
            f"use a {' or '.join(allowed)} file name"
        )
    return KINDS[suffix]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output_file(
    target: str | Path, *, option: str, allowed: Iterable[str], inputs: Iterable[str | Path] = ()
) -> Path:
    """Check an output file before any work (see the module's note); returns it as a Path."""
    path = Path(target)
    kind = output_kind(path, option=option, allowed=allowed)
    for source in inputs:
        if source is not None and Path(source).exists() and path.exists() and _same_file(path, Path(source)):
            raise CorridorsError(f"{option} {path}: is an input of this command ({source}); write to another file")
    if path.exists() and not path.is_dir():
        content = content_kind(path)
        if content in ("duckdb", "sqlite"):
            raise CorridorsError(
                f"{option} {path}: is a database (a store?); it is never replaced: write to another file"
            )
        if not _fits(kind, content):
            raise CorridorsError(
                f"{option} {path}: the file holds {content}, not {kind}; it is not replaced: "
                "write to another file, or remove it first"
            )
    return check_output_path(path, option=option)


def check_output_folder(
    folder: str | Path, *, option: str, subfolders: Iterable[str] = (), stores: Iterable[str] = ()
) -> Path:
    """Check a folder a command will fill, before any work; creates nothing.

    ``subfolders`` must be folders if they exist; ``stores`` (file names in the folder)
    must be DuckDB files if they exist (the store then checks its own marker).
    """
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise CorridorsError(f"{option} {path}: is a file, not a folder")
    existing = path
    while not existing.exists():  # the deepest existing ancestor must take new entries
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise CorridorsError(f"{option} {path}: {existing} is a file, not a folder")
    try:
        with atomic_output(existing / ".corridors-probe", probe=True):
            pass
    except OSError as exc:
        raise CorridorsError(
            f"{option} {path}: cannot write in {existing} ({exc.strerror or exc}); choose another folder"
        ) from None
    for name in subfolders:
        sub = path / name
        if sub.exists() and not sub.is_dir():
            raise CorridorsError(f"{option} {path}: {sub} is a file, but the command writes a folder there; move it")
    for name in stores:
        check_store_path(path / name, option=option, any_suffix=True)
    return path


def check_store_path(store: str | Path, *, option: str = "--store", any_suffix: bool = False) -> Path:
    """A store to write: a new ``.duckdb`` file, or an existing DuckDB file; never another kind of file."""
    path = Path(store)
    if path.is_dir():
        raise CorridorsError(f"{option} {path}: is a folder, not a store file")
    content = content_kind(path)
    if content == "missing":
        if not any_suffix and path.suffix.lower() != ".duckdb":
            raise CorridorsError(f"{option} {path}: a new store is a DuckDB file: name it with .duckdb")
        return path
    if content not in ("duckdb", "empty"):
        raise CorridorsError(
            f"{option} {path}: the file holds {content}, not a DuckDB store; it is not written to: give another --store"
        )
    if content == "duckdb":
        _check_marker(path)
    return path


def _check_marker(path: Path) -> None:
    """Refuse, before any work, a DuckDB file that is not a corridors store this version writes."""
    import duckdb

    from corridors.experiments.store import Store, connect

    try:
        con = connect(path, read_only=True)
    except duckdb.Error:
        return  # locked by a running sweep, or damaged: the store says so in its words when opened
    try:
        probe = Store.__new__(Store)
        probe.path, probe.read_only = path, False
        probe._check_marker(con, writing=True)
    finally:
        con.close()
