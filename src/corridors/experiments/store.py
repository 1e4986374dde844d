"""The store: an embedded DuckDB file keeping the design beside its runs.

Tables (``corridors results sql STORE "SELECT ..."`` reads them):

``experiments``
    one row per experiment: spec (JSON), base scenario, code version, engine, root seed,
    replications per point, chunk size, times and ``status`` (running, finished,
    interrupted) with the pid and host of the sweep that holds it.
``factors``
    the factors of each experiment: label, scenario path, value type.
``design_points``
    one row per design point: scenario hash, the ``--set`` overrides that make its
    scenario from the base, factor values (JSON), and ``stream_key``, the key its
    replicates were seeded by (its scenario hash, or under common random numbers the base
    scenario's hash; NULL in stores made before format 3: the scenario hash).
``factor_values``
    the same values in long form (``factor``, numeric ``value``, ``value_text``, and the
    unit-cube coordinate ``unit_value`` of sampled designs), for joins.
``chunks``
    one row per finished chunk: ``done`` or ``failed`` (with the traceback in ``error``),
    seconds, worker.
``runs``
    one row per replication: ``run_id``, ``experiment_id``, ``point_id``, ``chunk_id`` and
    the engine's row schema (:data:`corridors.engines.ROW_SCHEMA`).

Each finished chunk is committed in one transaction (its runs and its ``chunks`` row), so
a sweep killed at any moment leaves only whole chunks. DuckDB lets one process open a
file for writing: a second sweep on the same store is refused with a clear message.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from corridors._version import __version__
from corridors.engines import ROW_SCHEMA
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import duckdb

    from corridors.experiments.chunks import ChunkResult
    from corridors.experiments.designs import Design

__all__ = ["READABLE_FORMATS", "RUN_KEY_COLUMNS", "STORE_FORMAT", "ExperimentRecord", "Store", "connect"]

STORE_FORMAT = "3"
"""Version of the table layout, kept in ``store_info`` (3 added ``design_points.stream_key``)."""
_UPGRADABLE = {"2": ["ALTER TABLE design_points ADD COLUMN IF NOT EXISTS stream_key VARCHAR"]}
"""Statements that bring an older store to :data:`STORE_FORMAT` when it is opened for writing."""

READABLE_FORMATS = ("2", "3")
"""Store formats this version reads (2 lacks ``design_points.stream_key``: its points were keyed by hash)."""

RUN_KEY_COLUMNS = ("run_id", "experiment_id", "point_id", "chunk_id")
WRITER_MEMORY_LIMIT = "256MB"
"""DuckDB's memory limit when a store is open for writing (reading keeps DuckDB's default)."""
"""Columns of ``runs`` before the engine's row schema."""

_DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "double": "DOUBLE", "bool": "BOOLEAN"}

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS experiments (
        experiment_id INTEGER PRIMARY KEY, name VARCHAR, description VARCHAR, spec_hash VARCHAR,
        spec_json VARCHAR, spec_source VARCHAR, base_scenario_json VARCHAR, scenario VARCHAR,
        code_version VARCHAR, engine VARCHAR, root_seed BIGINT, replications BIGINT, n_points BIGINT,
        chunk_replications BIGINT, run_id_offset BIGINT, design_kind VARCHAR,
        created_at TIMESTAMP, started_at TIMESTAMP, finished_at TIMESTAMP,
        status VARCHAR, owner_pid BIGINT, owner_host VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS factors (
        experiment_id INTEGER, factor_index INTEGER, factor VARCHAR, path VARCHAR, value_type VARCHAR,
        PRIMARY KEY (experiment_id, factor_index))""",
    """CREATE TABLE IF NOT EXISTS design_points (
        experiment_id INTEGER, point_id BIGINT, scenario_hash VARCHAR, overrides VARCHAR[],
        factor_values_json VARCHAR, stream_key VARCHAR, PRIMARY KEY (experiment_id, point_id))""",
    """CREATE TABLE IF NOT EXISTS factor_values (
        experiment_id INTEGER, point_id BIGINT, factor VARCHAR, value DOUBLE, value_text VARCHAR,
        unit_value DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS chunks (
        experiment_id INTEGER, chunk_id BIGINT, point_id BIGINT, points BIGINT, first_replicate BIGINT,
        replications BIGINT, status VARCHAR, error VARCHAR, seconds DOUBLE, worker VARCHAR, finished_at TIMESTAMP,
        PRIMARY KEY (experiment_id, chunk_id))""",
    "CREATE TABLE IF NOT EXISTS runs (run_id BIGINT, experiment_id INTEGER, point_id BIGINT, chunk_id BIGINT, "
    + ", ".join(f"{f.name} {_DUCKDB_TYPES[str(f.type)]}" for f in ROW_SCHEMA)
    + ")",
]


_VERIFIED: dict[Path, tuple[int, int, bool]] = {}
"""Stores this process has checked whole, by resolved path: the file's (size, mtime, WAL) when last closed.

A store is checked on its first open in a process, and again only if its file changed
since this process last closed it (another process wrote it, or it was damaged)."""


def _file_state(path: Path) -> tuple[int, int, bool] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, path.with_name(path.name + ".wal").exists()


def connect(path: str | Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that never reaches the network: no extension is installed or loaded on its own.

    A store is untrusted input: a SQLite file or a query naming ``https://`` would make
    DuckDB download and load an extension.
    """
    import duckdb

    return duckdb.connect(
        str(path),
        read_only=read_only,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )


_EXPECTED: dict[str, dict[str, str]] = {}


def _expected_columns() -> dict[str, dict[str, str]]:
    """Column name -> DuckDB type of each table of :data:`_SCHEMA` (made once in memory)."""
    if not _EXPECTED:
        con = connect(":memory:", read_only=False)
        try:
            for statement in _SCHEMA:
                con.execute(statement)
            for table, column, kind in con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns"
            ).fetchall():
                _EXPECTED.setdefault(table, {})[column] = kind
        finally:
            con.close()
    return _EXPECTED


_HEADER_BYTES = 3 * 4096
"""DuckDB's file header (one main and two database headers) before the first block."""


def _disk_problem(message: str) -> bool:
    """Whether a DuckDB error is the disk's or the folder's (full, read-only, no permission)."""
    lowered = message.lower()
    return any(
        text in lowered
        for text in (
            "no space left",
            "disk quota",
            "read-only file system",
            "permission denied",
            "file too large",
            "could not write",
        )
    )


def _looks_damaged(message: str) -> bool:
    lowered = message.lower()
    return any(text in lowered for text in ("corrupt", "checksum", "could not read enough bytes", "wal", "replay"))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ExperimentRecord:
    """One row of ``experiments``, with its spec and base scenario parsed."""

    experiment_id: int
    name: str
    spec_hash: str
    spec: dict[str, Any]
    spec_source: str
    base_raw: dict[str, Any]
    scenario: str
    code_version: str
    engine: str
    root_seed: int
    replications: int
    n_points: int
    chunk_replications: int
    run_id_offset: int
    design_kind: str
    status: str
    owner_pid: int | None
    owner_host: str | None

    @property
    def n_chunks(self) -> int:
        """Number of chunks the experiment is cut into."""
        from corridors.experiments.chunks import count_chunks

        return count_chunks(self.n_points, self.replications, self.chunk_replications)


def _value_type(values: list[Any]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number"
    return "text"


def _numeric(value: Any) -> float | None:
    if isinstance(value, (bool, int, float)):
        return float(value)
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Store:
    """A corridors store (DuckDB file), opened for writing (one process) or reading.

    Parameters
    ----------
    path
        The DuckDB file; created when opened for writing.
    read_only
        Open for reading only (results commands); the file must exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "example.duckdb"
    >>> with Store(path) as store:
    ...     store.experiments().empty
    True
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:

        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.is_file():
            raise CorridorsError(
                f"{self.path}: no such store (run 'corridors sweep SPEC.yaml --store {self.path}' first)"
            )
        if self.path.is_dir():
            raise CorridorsError(f"{self.path}: is a folder, not a store file")
        if not read_only and not self.path.parent.is_dir():
            raise CorridorsError(f"{self.path}: the folder {self.path.parent} does not exist")
        if self.path.exists() and not self.path.is_file():
            raise CorridorsError(f"{self.path}: not a regular file (a pipe or device), not a store")
        if self.path.is_file() and self.path.stat().st_size > 0:
            from corridors.experiments.outputs import content_kind

            content = content_kind(self.path)
            if content != "duckdb":  # never handed to DuckDB: a SQLite file would make it load an extension
                raise CorridorsError(
                    f"{self.path}: not a readable corridors store (the file holds {content}, not "
                    "DuckDB); it was left unchanged"
                )
            checked = _VERIFIED.get(self.path.resolve()) == _file_state(self.path)  # this process saw it whole
            if read_only:
                self.con = self._connect(read_only=True)
                if not checked:
                    self._verify_or_close(self.con)
            else:
                # check through a read-only connection first: a damaged or foreign store is never written to
                probe = self._connect(read_only=True, as_writer=True)
                if not checked:
                    self._verify_or_close(probe)
                try:
                    self._check_marker(probe, writing=True)
                finally:
                    probe.close()
                self.con = self._connect(read_only=False)
        else:
            self.con = self._connect(read_only=read_only)
        try:
            if read_only:
                self._check_format()
            else:
                # a sweep's driver only appends: a small buffer pool keeps its memory flat
                self.con.execute(f"SET memory_limit = '{WRITER_MEMORY_LIMIT}'")
                self._create_schema()
        except BaseException:
            self.con.close()
            raise

    def _connect(self, *, read_only: bool, as_writer: bool = False) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the store; open problems become one line."""
        import duckdb

        try:
            return connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            raise CorridorsError(self._open_problem(str(exc), as_writer=as_writer)) from None
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            if "different configuration" in message:
                raise CorridorsError(
                    f"{self.path}: this process has the store open for writing (a sweep is running); "
                    "read it when the sweep ends"
                ) from None
            if _looks_damaged(message):
                raise CorridorsError(self._damaged(message)) from None
            raise CorridorsError(f"{self.path}: not a readable corridors store (DuckDB: {message})") from None

    def _damaged(self, reason: str) -> str:
        return (
            f"{self.path}: the store is damaged ({reason}); it was left unchanged: restore it from a backup, "
            "or give a new --store and run the sweep again"
        )

    def _verify_or_close(self, con: duckdb.DuckDBPyConnection) -> None:
        try:
            self._verify(con)
        except BaseException:
            con.close()
            raise

    def _verify(self, con: duckdb.DuckDBPyConnection) -> None:
        """Check the file is whole: its size covers every block, and every table reads back.

        Reading each table in full makes DuckDB check each block's checksum, so a truncated
        file or corrupted bytes are refused at open, before any command reads or writes.
        """
        import duckdb

        try:
            # used blocks, not total: DuckDB trims free blocks off the end of the file, so only
            # the blocks in use must lie inside it (those replayed from a WAL are not in it yet)
            size = con.execute("SELECT block_size, used_blocks FROM pragma_database_size()").fetchone()
            wal_pending = self.path.with_name(self.path.name + ".wal").exists()
            if size is not None and not wal_pending:
                block_size, used_blocks = int(size[0]), int(size[1])
                expected = _HEADER_BYTES + block_size * used_blocks
                actual = self.path.stat().st_size
                if actual < expected:
                    raise CorridorsError(self._damaged(f"truncated: {actual} bytes of at least {expected}"))
            tables = [
                row[0]
                for row in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                ).fetchall()
            ]
            for table in tables:
                columns = [
                    row[0]
                    for row in con.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
                        "AND table_name = ?",
                        [table],
                    ).fetchall()
                ]
                hashed = ", ".join(_quote_identifier(c) for c in columns)
                con.execute(f"SELECT count(*), bit_xor(hash({hashed})) FROM {_quote_identifier(table)}").fetchall()
        except duckdb.Error as exc:
            raise CorridorsError(self._damaged(f"DuckDB: {str(exc).splitlines()[0]}")) from None

    def _open_problem(self, message: str, *, as_writer: bool = False) -> str:
        match = re.search(r"PID (\d+)", message)
        holder = f" (PID {match.group(1)})" if match else ""
        if "lock" in message.lower():
            if self.read_only and not as_writer:
                return (
                    f"{self.path}: a running sweep{holder} is writing this store; read it when the sweep ends "
                    "(Ctrl-C stops a sweep cleanly; run it again later to resume)"
                )
            return (
                f"{self.path}: another process{holder} has this store open; two sweeps cannot write one store "
                "at once: wait for it to end, or give another --store"
            )
        if "not a valid DuckDB database" in message:
            return f"{self.path}: not a readable corridors store (not a DuckDB file)"
        if _looks_damaged(message):
            return self._damaged(message.splitlines()[0])
        return f"{self.path}: cannot open the store: {message.splitlines()[0]}"

    def _check_format(self) -> None:
        self._check_marker(self.con, writing=False)

    def _check_marker(self, con: duckdb.DuckDBPyConnection, *, writing: bool) -> None:
        """Refuse a DuckDB file that is not a corridors store of a known format, or whose tables changed shape.

        The marker is ``store_info``'s ``format`` key. For writing, a file without tables is
        taken (it becomes a store); one with any table but no marker is another program's and
        is refused, as is a format this version cannot write. For reading, formats
        :data:`READABLE_FORMATS` are read.
        """
        import duckdb

        keep = "it was left unchanged; give a new --store" if writing else "it cannot be read by this version"
        try:
            tables = {
                row[0]
                for row in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
                ).fetchall()
            }
            if not tables and writing:
                return
            marker = None
            if "store_info" in tables:
                marker = con.execute("SELECT max(value) FROM store_info WHERE key = 'format'").fetchone()
            if marker is None or marker[0] is None:
                shown = ", ".join(sorted(tables)[:5]) or "none"
                raise CorridorsError(
                    f"{self.path}: a DuckDB file but not a corridors store (no store marker; tables: {shown}); {keep}"
                )
            version = str(marker[0])
            allowed = (STORE_FORMAT, *_UPGRADABLE) if writing else READABLE_FORMATS
            if version not in allowed:
                raise CorridorsError(
                    f"{self.path}: store format {version!r}, but this version of corridors handles "
                    f"format {' or '.join(allowed)}; {keep}"
                )
            expected = _expected_columns()
            for table, columns in expected.items():
                if table not in tables:
                    if writing and table != "runs":
                        continue
                    raise CorridorsError(f"{self.path}: the store has no table '{table}'; {keep}")
                found = {
                    row[0]: row[1]
                    for row in con.execute(
                        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
                        "AND table_name = ?",
                        [table],
                    ).fetchall()
                }
                optional = {"stream_key"} if table == "design_points" and version in _UPGRADABLE else set()
                wrong = [
                    f"{name} ({kind})"
                    for name, kind in columns.items()
                    if name not in optional and found.get(name) != kind
                ]
                if wrong:
                    raise CorridorsError(
                        f"{self.path}: table '{table}' is not a corridors store's (column "
                        f"{wrong[0]} missing or of another type); {keep}"
                    )
        except duckdb.Error as exc:
            raise CorridorsError(self._damaged(f"DuckDB: {str(exc).splitlines()[0]}")) from None

    def _create_schema(self) -> None:
        with self.transaction():
            for statement in _SCHEMA:
                self.con.execute(statement)
            self.con.execute(
                "INSERT INTO store_info VALUES ('format', ?), ('created_by', ?) ON CONFLICT DO NOTHING",
                [STORE_FORMAT, f"corridors {__version__}"],
            )
        found = self.con.execute("SELECT value FROM store_info WHERE key = 'format'").fetchone()
        if found is not None and found[0] in _UPGRADABLE:
            with self.transaction():
                for statement in _UPGRADABLE[found[0]]:
                    self.con.execute(statement)
                self.con.execute("UPDATE store_info SET value = ? WHERE key = 'format'", [STORE_FORMAT])
            found = (STORE_FORMAT,)
        if found is None or found[0] != STORE_FORMAT:
            shown = found[0] if found else "?"
            raise CorridorsError(f"{self.path}: store format {shown} is not {STORE_FORMAT}; use a new --store")

    # -- connection -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the store; a checkpoint that finds the disk full leaves the log to replay at the next open."""
        import duckdb

        try:
            self.con.close()
        except duckdb.Error as exc:
            if not _disk_problem(str(exc)):
                raise
        state = _file_state(self.path)
        if state is not None:
            _VERIFIED[self.path.resolve()] = state

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One DuckDB transaction: committed whole, or rolled back whole.

        A full disk or a read-only folder met on the way is one line (:meth:`_cannot_write`);
        what was committed before stays, so the same command resumes once there is room.
        """
        import duckdb

        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error) and _disk_problem(str(exc)):
                raise CorridorsError(self._cannot_write(exc)) from None
            raise
        try:
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            if _disk_problem(str(exc)):
                raise CorridorsError(self._cannot_write(exc)) from None
            raise

    def _cannot_write(self, exc: Exception) -> str:
        reason = str(exc).splitlines()[0].split(": ")[-1]
        return (
            f"{self.path}: cannot write the store ({reason}); every chunk committed before is kept: free some "
            "space (or choose another folder) and run the same command again to resume"
        )

    def query(self, sql: str, parameters: list[Any] | None = None) -> pd.DataFrame:
        """Run SQL and return the result as a DataFrame."""
        return self.con.execute(sql, parameters or []).df()

    # -- experiments ----------------------------------------------------------------------

    def experiments(self) -> pd.DataFrame:
        """All experiments (without the spec and scenario JSON), oldest first."""
        return self.query(
            "SELECT experiment_id, name, status, design_kind, n_points, replications, engine, root_seed, "
            "code_version, chunk_replications, created_at, started_at, finished_at FROM experiments "
            "ORDER BY experiment_id"
        )

    def _record(self, where: str, parameters: list[Any]) -> ExperimentRecord | None:
        cursor = self.con.execute(
            "SELECT experiment_id, name, spec_hash, spec_json, spec_source, base_scenario_json, scenario, "
            "code_version, engine, root_seed, replications, n_points, chunk_replications, run_id_offset, "
            "design_kind, status, owner_pid, owner_host "
            f"FROM experiments WHERE {where} ORDER BY experiment_id DESC LIMIT 1",
            parameters,
        )
        row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        problem = None
        try:
            values[3] = json.loads(values[3])
            values[5] = json.loads(values[5])
        except (TypeError, ValueError):
            problem = "its spec or base scenario is not valid JSON"
        if problem is None and (not isinstance(values[3], dict) or not isinstance(values[5], dict)):
            problem = "its spec or base scenario is not a mapping"
        needed = {9: "root_seed", 10: "replications", 11: "n_points", 12: "chunk_replications", 13: "run_id_offset"}
        for index, name in needed.items():
            if problem is None and (not isinstance(values[index], int) or values[index] < 0):
                problem = f"{name} is {values[index]!r}"
        if problem is None and (values[10] < 1 or values[12] < 1):
            problem = "replications or chunk_replications is below 1"
        if problem is not None:
            raise CorridorsError(
                f"{self.path}: experiment {values[0]}: damaged metadata ({problem}); the store was edited or "
                "damaged: restore it from a backup, or run the sweep again into a new --store"
            )
        return ExperimentRecord(*values)

    def experiment(self, experiment_id: int | None = None) -> ExperimentRecord:
        """An experiment by id (default: the latest)."""
        if experiment_id is None:
            record = self._record("TRUE", [])
        else:
            record = self._record("experiment_id = ?", [experiment_id])
        if record is None:
            if experiment_id is None:
                raise CorridorsError(f"{self.path}: the store has no experiments yet")
            known = ", ".join(str(i) for i in self.experiments()["experiment_id"]) or "none"
            raise CorridorsError(f"{self.path}: --experiment: no experiment {experiment_id} (experiments: {known})")
        return record

    def find_experiment(self, spec_hash: str) -> ExperimentRecord | None:
        """The latest experiment with this design hash, if any."""
        return self._record("spec_hash = ?", [spec_hash])

    def finished_experiment(self, spec_hash: str) -> ExperimentRecord | None:
        """The experiment of a design hash if every one of its chunks is done (else None)."""
        record = self.find_experiment(spec_hash)
        if record is None:
            return None
        statuses = self.chunk_statuses(record.experiment_id)
        if len(statuses) != record.n_chunks or any(s != "done" for s in statuses.values()):
            return None
        return record

    def finished_experiments(self) -> dict[str, int]:
        """Design hash -> experiment id of every finished experiment, as :meth:`finished_experiment` finds it.

        One pass over the store instead of two queries a hash (a resumed calibration looks
        up thousands of hashes).
        """
        from corridors.experiments.chunks import count_chunks

        latest = self.con.execute(
            "SELECT spec_hash, experiment_id, n_points, replications, chunk_replications FROM experiments "
            "QUALIFY row_number() OVER (PARTITION BY spec_hash ORDER BY experiment_id DESC) = 1"
        ).fetchall()
        chunks = {
            experiment_id: (done, total)
            for experiment_id, done, total in self.con.execute(
                "SELECT experiment_id, count(*) FILTER (WHERE status = 'done'), count(*) FROM chunks "
                "GROUP BY experiment_id"
            ).fetchall()
        }
        finished = {}
        for spec_hash, experiment_id, n_points, replications, chunk_replications in latest:
            n_chunks = count_chunks(n_points, replications, chunk_replications)
            if chunks.get(experiment_id) == (n_chunks, n_chunks):
                finished[str(spec_hash)] = int(experiment_id)
        return finished

    def create_experiment(self, design: Design, *, spec_hash: str, chunk_replications: int) -> ExperimentRecord:
        """Record a new experiment, its factors and design points, in one transaction."""
        spec = design.spec
        n_points = len(design.points)
        with self.transaction():
            last = self.con.execute(
                "SELECT coalesce(max(experiment_id), 0), coalesce(max(run_id_offset + n_points * replications), 0) "
                "FROM experiments"
            ).fetchone()
            assert last is not None
            experiment_id, offset = int(last[0]) + 1, int(last[1])
            now = _now()
            self.con.execute(
                "INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    experiment_id,
                    spec.name,
                    spec.description,
                    spec_hash,
                    json.dumps(spec.canonical(), sort_keys=True),
                    spec.source,
                    json.dumps(design.base_raw, sort_keys=True, default=str),
                    design.scenario_name,
                    __version__,
                    spec.engine,
                    spec.seed,
                    spec.replications,
                    n_points,
                    chunk_replications,
                    offset,
                    spec.design.kind,
                    now,
                    None,
                    None,
                    "created",
                    None,
                    None,
                ],
            )
            factor_rows = []
            for index, factor in enumerate(spec.factors):
                values = [p.values[factor.label] for p in design.points]
                factor_rows.append((experiment_id, index, factor.label, factor.path, _value_type(values)))
            if factor_rows:
                self.con.executemany("INSERT INTO factors VALUES (?, ?, ?, ?, ?)", factor_rows)
            points = pd.DataFrame(
                {
                    "experiment_id": np.full(n_points, experiment_id, dtype=np.int32),
                    "point_id": [p.point_id for p in design.points],
                    "scenario_hash": [p.scenario_hash for p in design.points],
                    "overrides": [list(p.overrides) for p in design.points],
                    "factor_values_json": [json.dumps(p.values, sort_keys=True) for p in design.points],
                    "stream_key": [design.stream_key(i) for i in range(n_points)],
                }
            )
            self._insert_frame("design_points", points)
            labels = spec.factor_labels
            if labels:
                long = pd.DataFrame(
                    {
                        "experiment_id": np.full(n_points * len(labels), experiment_id, dtype=np.int32),
                        "point_id": [p.point_id for p in design.points for _ in labels],
                        "factor": [label for _ in design.points for label in labels],
                        "value": pd.array([_numeric(p.values[lb]) for p in design.points for lb in labels], "Float64"),
                        "value_text": [_text(p.values[lb]) for p in design.points for lb in labels],
                        "unit_value": pd.array(
                            [None if p.unit is None else p.unit[j] for p in design.points for j in range(len(labels))],
                            "Float64",
                        ),
                    }
                )
                self._insert_frame("factor_values", long)
        record = self.experiment(experiment_id)
        return record

    def _insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        self.con.register("_corridors_insert", frame)
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _corridors_insert")
        finally:
            self.con.unregister("_corridors_insert")

    def claim(self, experiment_id: int, alongside: Collection[int] = ()) -> list[str]:
        """Mark an experiment as running in this process; recover stale 'running' marks.

        A 'running' mark left by a sweep that was killed (SIGKILL, power loss) is stale:
        DuckDB's file lock proves no other process has the store open. A mark held by this
        very process (another open store object) is live and refused, unless the experiment
        is one of ``alongside``: those this very run claimed (sweeps run side by side).
        """
        with self.transaction():
            return self._claim(experiment_id, alongside)

    def _claim(self, experiment_id: int, alongside: Collection[int] = ()) -> list[str]:
        notes = []
        pid, host = os.getpid(), socket.gethostname()
        for row in self.con.execute(
            "SELECT experiment_id, owner_pid, owner_host FROM experiments WHERE status = 'running'"
        ).fetchall():
            other_id, other_pid, other_host = row
            if other_id in alongside:
                continue
            if other_pid == pid and other_host == host:
                raise CorridorsError(
                    f"{self.path}: experiment {other_id} is being run by this process already; "
                    "two sweeps cannot write one store at once"
                )
            notes.append(
                f"experiment {other_id} was left 'running' by PID {other_pid} on {other_host}, which was stopped "
                "without finishing (killed?); its finished chunks are kept and the rest will be run"
            )
            self.con.execute("UPDATE experiments SET status = 'interrupted' WHERE experiment_id = ?", [other_id])
        self.con.execute(
            "UPDATE experiments SET status = 'running', owner_pid = ?, owner_host = ?, started_at = ?, "
            "finished_at = NULL WHERE experiment_id = ?",
            [pid, host, _now(), experiment_id],
        )
        return notes

    def release(self, experiment_id: int, status: str) -> None:
        """Record how the sweep ended: ``finished`` or ``interrupted``.

        Best effort when the disk is full: the 'running' mark then stays, and the next sweep
        on the store finds it stale (see :meth:`claim`).
        """
        import duckdb

        try:
            self._release(experiment_id, status)
        except duckdb.Error as exc:
            if not _disk_problem(str(exc)):
                raise

    def _release(self, experiment_id: int, status: str) -> None:
        self.con.execute(
            "UPDATE experiments SET status = ?, owner_pid = NULL, owner_host = NULL, finished_at = ? "
            "WHERE experiment_id = ?",
            [status, _now() if status == "finished" else None, experiment_id],
        )

    # -- chunks and runs ------------------------------------------------------------------

    def chunk_statuses(self, experiment_id: int) -> dict[int, str]:
        """The status of each chunk finished so far: chunk id -> 'done' or 'failed'."""
        rows = self.con.execute(
            "SELECT chunk_id, status FROM chunks WHERE experiment_id = ?", [experiment_id]
        ).fetchall()
        return {int(chunk_id): status for chunk_id, status in rows}

    def remove_orphan_runs(self, experiment_id: int) -> int:
        """Delete runs whose chunk is not recorded as done (none, unless the store was edited)."""
        found = self.con.execute(
            "SELECT count(*) FROM runs WHERE experiment_id = ? AND chunk_id NOT IN "
            "(SELECT chunk_id FROM chunks WHERE experiment_id = ? AND status = 'done')",
            [experiment_id, experiment_id],
        ).fetchone()
        orphans = int(found[0]) if found else 0
        if orphans:
            self.con.execute(
                "DELETE FROM runs WHERE experiment_id = ? AND chunk_id NOT IN "
                "(SELECT chunk_id FROM chunks WHERE experiment_id = ? AND status = 'done')",
                [experiment_id, experiment_id],
            )
        return orphans

    def commit_chunk(self, experiment: ExperimentRecord, result: ChunkResult) -> None:
        """Write a finished chunk (its runs and its chunks row) in one transaction."""
        chunk = result.chunk
        table: pa.Table | None = None
        if result.ok:
            assert result.rows is not None
            rows = pa.Table.from_pandas(result.rows, schema=ROW_SCHEMA, preserve_index=False)
            count = rows.num_rows
            replicate = rows.column("replicate").to_numpy()
            point = np.repeat(np.asarray(chunk.point_ids, dtype=np.int64), chunk.replications)
            keys = pa.table(
                {
                    "run_id": pa.array(
                        experiment.run_id_offset + point * experiment.replications + replicate, pa.int64()
                    ),
                    "experiment_id": pa.array(np.full(count, experiment.experiment_id), pa.int32()),
                    "point_id": pa.array(point, pa.int64()),
                    "chunk_id": pa.array(np.full(count, chunk.chunk_id), pa.int64()),
                }
            )
            table = pa.Table.from_arrays(keys.columns + rows.columns, names=keys.column_names + rows.column_names)
        with self.transaction():
            self.con.execute(
                "DELETE FROM chunks WHERE experiment_id = ? AND chunk_id = ?",
                [experiment.experiment_id, chunk.chunk_id],
            )
            if table is not None:
                self.con.register("_corridors_chunk", table)
                try:
                    self.con.execute("INSERT INTO runs SELECT * FROM _corridors_chunk")
                finally:
                    self.con.unregister("_corridors_chunk")
            self.con.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    experiment.experiment_id,
                    chunk.chunk_id,
                    chunk.point_id,
                    chunk.points,
                    chunk.first_replicate,
                    chunk.replications,
                    "done" if result.ok else "failed",
                    result.error,
                    result.seconds,
                    result.worker,
                    _now(),
                ],
            )

    # -- reading --------------------------------------------------------------------------

    def point_stream(self, experiment_id: int, point_id: int) -> tuple[list[str], str, str]:
        """(overrides, scenario hash, stream key) of a design point.

        A store older than format 3 has no key column, and its points were seeded by their
        scenario hash.
        """
        has_key = self.con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'design_points' "
            "AND column_name = 'stream_key'"
        ).fetchone()
        key_column = "stream_key" if has_key and has_key[0] else "NULL"
        row = self.con.execute(
            f"SELECT overrides, scenario_hash, {key_column} FROM design_points WHERE experiment_id = ? "
            "AND point_id = ?",
            [experiment_id, point_id],
        ).fetchone()
        if row is None:
            raise CorridorsError(f"{self.path}: experiment {experiment_id} has no design point {point_id}")
        return list(row[0]), str(row[1]), str(row[2] if row[2] is not None else row[1])

    def factors(self, experiment_id: int) -> pd.DataFrame:
        """The factors of an experiment: factor, path, value_type, in spec order."""
        return self.query(
            "SELECT factor, path, value_type FROM factors WHERE experiment_id = ? ORDER BY factor_index",
            [experiment_id],
        )

    def points_sql(self, experiment_id: int) -> str:
        """SQL of the design points in wide form: ``point_id``, ``scenario_hash`` and one typed column per factor."""
        columns = []
        for factor, _path, value_type in self.factors(experiment_id).itertuples(index=False):
            condition = f"WHERE f.factor = {_quote_literal(factor)}"
            if value_type == "text":
                expression = f"max(f.value_text) FILTER ({condition})"
            elif value_type == "integer":
                expression = f"CAST(max(f.value) FILTER ({condition}) AS BIGINT)"
            elif value_type == "boolean":
                expression = f"CAST(max(f.value) FILTER ({condition}) AS BOOLEAN)"
            else:
                expression = f"max(f.value) FILTER ({condition})"
            columns.append(f"{expression} AS {_quote_identifier(factor)}")
        factor_columns = "".join(f", {c}" for c in columns)
        return (
            f"SELECT d.point_id, d.scenario_hash{factor_columns} FROM design_points d "
            f"LEFT JOIN factor_values f ON f.experiment_id = d.experiment_id AND f.point_id = d.point_id "
            f"WHERE d.experiment_id = {int(experiment_id)} GROUP BY d.point_id, d.scenario_hash"
        )

    def joined_runs_sql(self, experiment_id: int) -> str:
        """SQL of an experiment's runs joined with their design points' factor values."""
        labels = list(self.factors(experiment_id)["factor"])
        factor_columns = "".join(f", p.{_quote_identifier(label)}" for label in labels)
        return (
            f"SELECT r.run_id, r.experiment_id, r.point_id, r.chunk_id{factor_columns}, "
            + ", ".join(f"r.{name}" for name in ROW_SCHEMA.names)
            + f" FROM runs r JOIN ({self.points_sql(experiment_id)}) p USING (point_id) "
            f"WHERE r.experiment_id = {int(experiment_id)} ORDER BY r.point_id, r.replicate"
        )

    def runs(self, experiment_id: int | None = None) -> pd.DataFrame:
        """The runs of an experiment (default: the latest), ordered by point and replicate."""
        record = self.experiment(experiment_id)
        return self.query(
            "SELECT * FROM runs WHERE experiment_id = ? ORDER BY point_id, replicate", [record.experiment_id]
        )
