"""Peace-operation datasets: the schema, the loaders and the checks of every row.

A dataset has one row per operation (schema ``data/peace_operations.schema.json``, a
Frictionless Table Schema): organization, operation, host, demand_kind, demand_ref,
demand_date, decision_date, start_date, start_kind, source; extra columns are kept. The
response time is the paper's Table 1 measure: demand date to start on the ground, in
days and in months of 30.44 days. Operations without a start date are right-censored at
the ``as_of`` date.

Nothing is silently dropped: every questionable row is reported with its row number (the
spreadsheet row, header = row 1) as a warning, rows that cannot be timed are left out of
the analysis *and listed*, and ``strict=True`` turns warnings into a
:class:`~corridors.errors.CorridorsError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridors.empirical._io import (
    MAX_LISTED_ROWS,
    DataProblem,
    TableSchema,
    cell_text,
    data_path,
    is_missing,
    map_columns,
    parse_date,
    read_source,
    spreadsheet_row,
    suggest,
)
from corridors.errors import CorridorsError

__all__ = [
    "DAYS_PER_MONTH",
    "KNOWN_ORGANIZATIONS",
    "ORGANIZATION_SUCCESSORS",
    "PeaceOperations",
    "example_path",
    "load_peace_operations",
    "peace_operations_schema",
]

DAYS_PER_MONTH = 30.44
"""Days in a month, as in the paper's Table 1 and the engines' ``response_months``."""

KNOWN_ORGANIZATIONS: tuple[str, ...] = (
    "AU",
    "EU",
    "OAS",
    "OSCE",
    "UN",
    "NATO",
    "ECOWAS",
    "SADC",
    "IGAD",
    "ECCAS",
    "CEMAC",
    "CIS",
    "CSTO",
    "LAS",
    "PIF",
)
"""Organizations a dataset may name: the paper's four and other common deployers.
Pass ``organizations=`` (``--organization``) to accept others."""

ORGANIZATION_SUCCESSORS: dict[str, str] = {"OAU": "AU", "CSCE": "OSCE", "EC": "EU"}
"""Predecessors counted as their successor organization (reported as a note)."""

_EARLIEST = pd.Timestamp("1900-01-01")
_BLOCK_ROWS = 10_000
"""Rows checked at a time (see load_peace_operations)."""
_DATE_FIELDS = ("demand_date", "decision_date", "start_date")


def peace_operations_schema() -> TableSchema:
    """The Frictionless Table Schema of a peace-operation dataset.

    Examples
    --------
    >>> peace_operations_schema().names[:4]
    ['organization', 'operation', 'host', 'demand_kind']
    """
    return TableSchema.load("peace_operations")


def example_path(name: str = "peace_ops_sample.csv") -> Path:
    """Installed path of an example file shipped with corridors (see ``PROVENANCE.md``).

    Parameters
    ----------
    name
        ``peace_ops_sample.csv`` (real, sourced, partial), ``synthetic_survey.csv``
        (synthetic) or ``example_edges.csv`` (illustrative ties), or a schema file.

    Examples
    --------
    >>> example_path().name
    'peace_ops_sample.csv'
    """
    return data_path(name)


@dataclass
class PeaceOperations:
    """A loaded, checked peace-operation dataset.

    Attributes
    ----------
    frame
        Every row of the file, in file order, with the schema fields, the extra columns and
        ``row`` (spreadsheet row), ``started`` (bool), ``response_days``,
        ``response_months`` (demand to start, or to ``as_of`` if not started),
        ``decision_days``, ``usable`` (bool) and ``problem`` (why a row is left out).
    problems
        Every warning and note, in row order.
    source
        The file as the user named it.
    as_of
        Censoring date of operations without a start date.

    Examples
    --------
    >>> ops = load_peace_operations(example_path())
    >>> len(ops.usable), len(ops.left_out), len(ops.warnings)
    (27, 5, 5)
    >>> ops.left_out.loc[0, "problem"]
    'no demand_date'
    """

    frame: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    source: str = ""
    as_of: pd.Timestamp | None = None

    @property
    def usable(self) -> pd.DataFrame:
        """Rows that can be timed (demand date known, no blocking problem)."""
        return self.frame[self.frame["usable"]].reset_index(drop=True)

    @property
    def left_out(self) -> pd.DataFrame:
        """Rows left out of the analysis, with the reason in ``problem``."""
        return self.frame[~self.frame["usable"]].reset_index(drop=True)

    @property
    def warnings(self) -> list[DataProblem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def notes(self) -> list[DataProblem]:
        return [p for p in self.problems if p.level == "note"]

    def durations(self, *, demand_kinds: Iterable[str] | None = None) -> pd.DataFrame:
        """Durations for survival analysis: one row per usable operation.

        Parameters
        ----------
        demand_kinds
            Keep only these demand kinds (the data README: compare like with like).

        Returns
        -------
        pandas.DataFrame
            ``organization``, ``operation``, ``demand_kind``, ``response_days``,
            ``response_months``, ``started`` and ``row``.

        Examples
        --------
        >>> ops = load_peace_operations(example_path())
        >>> ops.durations(demand_kinds=["unsc_resolution"])["organization"].unique().tolist()
        ['EU', 'OSCE', 'AU']
        """
        columns = ["organization", "operation", "demand_kind", "response_days", "response_months", "started", "row"]
        # only these columns of the usable rows are copied: self.usable would copy every column first
        usable = self.frame.loc[self.frame["usable"].to_numpy(), columns]
        if demand_kinds is not None:
            kinds = list(demand_kinds)
            allowed = peace_operations_schema().field("demand_kind").enum or ()
            unknown = [k for k in kinds if k not in allowed]
            if unknown:
                raise CorridorsError(
                    [
                        f"--demand-kind {k}: unknown demand kind{suggest(k, allowed)} (kinds: {', '.join(allowed)})"
                        for k in unknown
                    ]
                )
            usable = usable[usable["demand_kind"].isin(kinds)]
        return usable.reset_index(drop=True)

    def counts(self) -> pd.DataFrame:
        """Rows per organization: in the file, timed, started, censored, left out.

        Examples
        --------
        >>> load_peace_operations(example_path()).counts().loc["EU"].tolist()
        [13, 10, 10, 0, 3]
        """
        frame = self.frame
        flags = frame.assign(timed_start=frame["usable"] & frame["started"])
        grouped = flags.groupby("organization", sort=True, dropna=False)
        table = pd.DataFrame(
            {"rows": grouped.size(), "timed": grouped["usable"].sum(), "started": grouped["timed_start"].sum()}
        )
        table["censored"] = table["timed"] - table["started"]
        table["left_out"] = table["rows"] - table["timed"]
        table.index.name = "organization"
        return table.astype(int)


def load_peace_operations(
    path: str | Path,
    *,
    column_map: Mapping[str, str] | None = None,
    as_of: str | pd.Timestamp | None = None,
    strict: bool = False,
    organizations: Iterable[str] | None = None,
) -> PeaceOperations:
    """Load and check a peace-operation dataset (CSV, Excel, Parquet, Stata, SPSS).

    Parameters
    ----------
    path
        The file; its type is read from the extension (.csv .tsv .xlsx .parquet .dta .sav),
        or a Frictionless ``datapackage.json``: its resource with the schema's fields is read
        and checked by ``frictionless`` (types, constraints, row-numbered errors).
    column_map
        Schema field -> file column (``--map start_date=launch``). Without it, a field's
        aliases are used when the field itself is absent (``org`` -> ``organization``).
    as_of
        Censoring date of operations without a start date (YYYY-MM-DD). Default: the
        latest date in the file (reported as a note), so results do not change with the
        day they are computed.
    strict
        Raise a :class:`CorridorsError` listing every warning instead of returning.
    organizations
        Extra organization acronyms to accept besides :data:`KNOWN_ORGANIZATIONS`.

    Returns
    -------
    PeaceOperations

    Raises
    ------
    CorridorsError
        For a file that cannot be used (missing, unreadable, no rows, a required column
        missing, a bad ``--map`` or ``--as-of``), or any warning when ``strict``.

    Examples
    --------
    >>> ops = load_peace_operations(example_path())
    >>> len(ops.frame), int(ops.frame["usable"].sum()), str(ops.as_of.date())
    (32, 27, '2008-12-08')
    >>> first = ops.usable.iloc[0]
    >>> first["organization"], int(first["response_days"]), bool(first["started"])
    ('EU', 8, True)
    """
    schema = peace_operations_schema()
    source = read_source(path, schema)
    table, label, checked = source.frame, source.label, source.checked
    frame, problems = map_columns(table, schema, column_map, label, required_columns=("demand_date", "start_date"))
    problems = [*source.problems, *problems]
    del source  # it holds the raw cells too: without this, trimming a column below would not free it
    if len(frame) == 0:
        raise CorridorsError(f"{label}: the file has a header but no rows")
    known = {o.upper(): o.upper() for o in KNOWN_ORGANIZATIONS}
    for extra in organizations or ():
        if str(extra).strip():
            known[str(extra).strip().upper()] = str(extra).strip().upper()
    censor_date = _parse_as_of(as_of, label)

    fields = schema.names
    extras = [c for c in frame.columns if c not in fields]
    source_from = None
    if "source" not in frame.columns:
        for alias in ("source_urls", "sources"):
            if alias in frame.columns:
                source_from = alias
                break

    # rows are checked in blocks, each turned into a compact frame at once: a file of 1.5 million
    # rows never exists as 1.5 million dicts. Text columns read as Arrow strings are not copied
    # row by row: they are trimmed as whole columns (memory stays within a few times the file)
    del table
    columnar = [
        c for c in [*(f.name for f in schema.fields if f.type != "date" and f.name != "organization"), *extras]
        if c in frame.columns and isinstance(frame[c].array, pd.arrays.ArrowStringArray)
    ]
    parts: list[pd.DataFrame] = []
    kept: list[np.ndarray] = []
    for first in range(0, len(frame), _BLOCK_ROWS):
        block: list[dict[str, Any]] = []
        rows: list[int] = []
        for offset, raw in enumerate(frame.iloc[first : first + _BLOCK_ROWS].to_dict(orient="records")):
            index = first + offset
            if all(is_missing(v) for v in raw.values()):
                problems.append(DataProblem(label, spreadsheet_row(index), None, "blank row skipped", "note"))
                continue
            record = _check_row({str(k): v for k, v in raw.items()}, index, label, schema, known, problems,
                                checked)
            for column in extras:
                if column not in columnar:
                    record[column] = cell_text(raw.get(column))
            for column in columnar:
                record.pop(column, None)
            block.append(record)
            rows.append(index)
        if block:
            parts.append(_compact(pd.DataFrame.from_records(block)))
            kept.append(np.asarray(rows, dtype=np.int64))
    if not parts:
        raise CorridorsError(f"{label}: every row is blank")
    out = _join_blocks(parts)
    del parts
    _add_trimmed_columns(out, frame, columnar, np.concatenate(kept))
    del frame  # the raw cells are no longer needed: give their pages back (mimalloc keeps them)
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    _check_duplicates(out, label, problems)
    defaulted = censor_date is None
    if censor_date is None:
        latest = out[list(_DATE_FIELDS)].max().max()
        censor_date = latest if not pd.isna(latest) else pd.Timestamp("1900-01-01")
    for column in _DATE_FIELDS:
        after = out[column].notna() & (out[column] > censor_date)
        for position in np.flatnonzero(after.to_numpy()):
            stamp = out[column].iat[position]
            problems.append(DataProblem(
                label, int(out["row"].iat[position]), column,
                f"{stamp.date()} is after the --as-of date {censor_date.date()}"))
        if column in ("demand_date", "start_date") and after.any():
            _leave_out_rows(out, after, f"{column} after --as-of")
    if source_from is not None:
        out["source"] = out[source_from] if source_from in out.columns else ""

    started = out["start_date"].notna()
    end = out["start_date"].where(started, censor_date)
    out["started"] = started
    response_days = (end - out["demand_date"]).dt.days
    out["response_days"] = response_days.astype("Int64")
    out["response_months"] = response_days.astype(float) / DAYS_PER_MONTH
    out["decision_days"] = (out["decision_date"] - out["demand_date"]).dt.days.astype("Int64")

    censored_rows = [int(r) for r in out.loc[out["usable"] & ~started, "row"]]
    if censored_rows:
        how = "the latest date in the file; set --as-of" if defaulted else "--as-of"
        problems.append(
            DataProblem(
                label,
                None,
                "start_date",
                f"{len(censored_rows)} operation(s) without a start date are right-censored at "
                f"{censor_date.date()} ({how}): rows {_capped(censored_rows)}",
                "note",
            )
        )
    if source_from is not None:
        problems.append(DataProblem(label, None, "source", f"no 'source' column: copied from '{source_from}'", "note"))

    ordered = ["row", *fields, *[c for c in extras if c not in fields]]
    derived = ["started", "response_days", "response_months", "decision_days", "usable", "problem"]
    out = out[[*dict.fromkeys([*ordered, *derived])]]
    problems.sort(key=lambda p: (p.row if p.row is not None else 0, p.level != "warning"))
    result = PeaceOperations(frame=out, problems=problems, source=label, as_of=censor_date)
    if strict and result.warnings:
        raise CorridorsError([f"{p} (--strict)" for p in result.warnings])
    return result


def _capped(rows: list[int]) -> str:
    """The first MAX_LISTED_ROWS row numbers and a count of the rest."""
    shown = ", ".join(map(str, rows[:MAX_LISTED_ROWS]))
    return shown + (f" and {len(rows) - MAX_LISTED_ROWS} more" if len(rows) > MAX_LISTED_ROWS else "")


def _parse_as_of(as_of: str | pd.Timestamp | None, label: str) -> pd.Timestamp | None:
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        return None
    stamp, why = parse_date(as_of)
    if stamp is None:
        raise CorridorsError(f"{label}: --as-of: {why or 'empty'}; give a date such as 2009-12-31")
    return stamp


def _check_row(
    raw: dict[str, Any],
    index: int,
    label: str,
    schema: TableSchema,
    known: dict[str, str],
    problems: list[DataProblem],
    checked: set[tuple[int, str]] = frozenset(),  # type: ignore[assignment]
) -> dict[str, Any]:
    row = spreadsheet_row(index)
    record: dict[str, Any] = {"row": row}
    reasons: list[str] = []

    def warn(column: str | None, message: str, *, leave_out: str | None = None) -> None:
        if column is None or (row, column) not in checked:  # frictionless has told of this cell
            problems.append(DataProblem(label, row, column, message, "warning"))
        if leave_out:
            reasons.append(leave_out)

    def note(column: str | None, message: str) -> None:
        problems.append(DataProblem(label, row, column, message, "note"))

    for item in schema.fields:
        if item.type == "date":
            continue
        value = cell_text(raw.get(item.name))
        record[item.name] = value
        if item.required and not value:
            warn(item.name, f"is empty; every row needs a {item.name}", leave_out=f"no {item.name}")
        elif value and item.enum is not None and value not in item.enum:
            warn(
                item.name,
                f"'{value}' is not one of {', '.join(item.enum)}{suggest(value, item.enum)}",
            )

    organization = record["organization"]
    if organization:
        upper = organization.upper()
        if upper in ORGANIZATION_SUCCESSORS:
            successor = ORGANIZATION_SUCCESSORS[upper]
            note("organization", f"'{organization}' counted as its successor {successor}")
            record["organization"] = successor
        elif upper in known:
            record["organization"] = known[upper]
        else:
            options = sorted(known)
            warn(
                "organization",
                f"unknown organization '{organization}'{suggest(upper, options)}; "
                f"known: {', '.join(options)} (add one with --organization NAME)",
                leave_out="unknown organization",
            )

    dates: dict[str, pd.Timestamp | None] = {}
    for column in _DATE_FIELDS:
        stamp, why = parse_date(raw.get(column))
        if why is not None:
            blocking = column in ("demand_date", "start_date")
            warn(column, why, leave_out=f"bad {column}" if blocking else None)
        elif stamp is not None and stamp < _EARLIEST:
            warn(
                column,
                f"{stamp.date()} is before {_EARLIEST.year}: a typo?",
                leave_out=f"impossible {column}" if column != "decision_date" else None,
            )
            stamp = None
        dates[column] = stamp
        record[column] = stamp

    demand, decision, start = dates["demand_date"], dates["decision_date"], dates["start_date"]
    demand_bad = any(r.endswith("demand_date") for r in reasons)
    if demand is None and not demand_bad:
        warn("demand_date", "is empty: the operation cannot be timed and is left out", leave_out="no demand_date")
    if demand is not None and start is not None and start < demand:
        warn(
            "start_date",
            f"{start.date()} is before the demand date {demand.date()} (swapped dates?)",
            leave_out="start before demand",
        )
    if demand is not None and decision is not None and decision < demand:
        note("decision_date", f"{decision.date()} is before the demand date {demand.date()} (kept)")
    if start is not None and decision is not None and decision > start:
        note("decision_date", f"{decision.date()} is after the start date {start.date()} (kept)")
    record["usable"] = not reasons
    record["problem"] = "; ".join(reasons)
    return record


def _compact(block: pd.DataFrame) -> pd.DataFrame:
    """A block of checked rows with dates as datetimes and text as Arrow strings (a fifth of Python's)."""
    for column in block.columns:
        if column in _DATE_FIELDS:
            block[column] = pd.to_datetime(block[column])
        elif block[column].dtype == object:
            block[column] = block[column].astype("string[pyarrow]")
    return block


def _add_trimmed_columns(out: pd.DataFrame, frame: pd.DataFrame, columns: list[str], kept: np.ndarray) -> None:
    """Add Arrow text columns of ``frame``, trimmed (as cell_text does) and limited to the kept rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    every_row = len(kept) == len(frame)
    for column in columns:
        cells = frame[column].array.__arrow_array__()
        trimmed = pc.utf8_trim_whitespace(cells)
        if not every_row:
            trimmed = trimmed.take(pa.array(kept))
        out[column] = pd.arrays.ArrowStringArray(trimmed)
        del frame[column]  # free each raw column as soon as its trimmed copy exists
        pa.default_memory_pool().release_unused()  # and give its pages back (mimalloc keeps them)


def _join_blocks(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate blocks; Arrow string columns are chained, not copied."""
    if len(parts) == 1:
        return parts[0]
    import pyarrow as pa

    columns: dict[str, Any] = {}
    for name in parts[0].columns:
        arrays = [part[name].array for part in parts]
        if all(isinstance(a, pd.arrays.ArrowStringArray) for a in arrays):
            chunks = [chunk for a in arrays for chunk in a.__arrow_array__().chunks]
            kind = pa.large_string() if any(c.type == pa.large_string() for c in chunks) else pa.string()
            chunks = [c if c.type == kind else c.cast(kind) for c in chunks]
            columns[name] = pd.arrays.ArrowStringArray(pa.chunked_array(chunks, kind))
        else:
            columns[name] = pd.concat([part[name] for part in parts], ignore_index=True)
    return pd.DataFrame(columns)


def _leave_out_rows(out: pd.DataFrame, mask: pd.Series, reason: str) -> None:
    """Mark rows unusable with a reason, appended to any reason they already have."""
    positions = np.flatnonzero(mask.to_numpy())
    _leave_out_at(out, positions, [reason] * len(positions))


def _leave_out_at(out: pd.DataFrame, positions: np.ndarray, reasons: list[str]) -> None:
    if not len(positions):
        return
    problem, usable = out.columns.get_loc("problem"), out.columns.get_loc("usable")
    old = out["problem"].iloc[positions].astype(str).tolist()
    out.iloc[positions, problem] = [f"{o}; {r}" if o else r for o, r in zip(old, reasons, strict=True)]
    out.iloc[positions, usable] = False


def _operation_key(organization: str, operation: str) -> str:
    return f"{organization.upper()}\x00{' '.join(operation.casefold().split())}"


def _check_duplicates(out: pd.DataFrame, label: str, problems: list[DataProblem]) -> None:
    """Leave out the later of two rows with the same organization and operation (case and spaces aside).

    Keys are compared by a 64-bit hash per row (8 bytes, not a string), each match then
    checked on the keys themselves, so a million rows need a few MB.
    """
    organizations = out["organization"].astype("string[pyarrow]")  # astype(str) would make Python strings
    operations = out["operation"].astype("string[pyarrow]")
    n = len(out)
    hashes = np.zeros(n, dtype=np.int64)
    valid = np.zeros(n, dtype=bool)
    for first in range(0, n, _BLOCK_ROWS):
        pairs = zip(organizations.iloc[first : first + _BLOCK_ROWS].tolist(),
                    operations.iloc[first : first + _BLOCK_ROWS].tolist(), strict=True)
        for offset, (o, p) in enumerate(pairs):
            if o and p:
                hashes[first + offset] = hash(_operation_key(o, p))
                valid[first + offset] = True
    positions_valid = np.flatnonzero(valid)
    if not len(positions_valid):
        return
    _, first_index, inverse = np.unique(hashes[positions_valid], return_index=True, return_inverse=True)
    first_position = np.full(n, -1, dtype=np.int64)
    first_position[positions_valid] = positions_valid[first_index[inverse.ravel()]]
    candidates = np.flatnonzero(valid & (first_position != np.arange(n)))
    confirmed = [
        position for position in candidates
        if _operation_key(organizations.iat[position], operations.iat[position])
        == _operation_key(organizations.iat[first_position[position]], operations.iat[first_position[position]])
    ]
    if not confirmed:
        return
    duplicate = pd.Series(False, index=out.index)
    duplicate.iloc[confirmed] = True
    rows = out["row"].to_numpy()
    positions = np.flatnonzero(duplicate.to_numpy())
    reasons = []
    for position in positions:
        row, original = int(rows[position]), int(rows[first_position[position]])
        problems.append(DataProblem(
            label, row, "operation",
            f"duplicate of row {original} ({organizations.iat[position]} '{operations.iat[position]}'); "
            "the later row is left out"))
        reasons.append(f"duplicate of row {original}")
    _leave_out_at(out, positions, reasons)
