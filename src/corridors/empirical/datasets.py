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

from corridors._constants import DAYS_PER_MONTH
from corridors.empirical._io import (
    MAX_LISTED_ROWS,
    DataProblem,
    TableSchema,
    cell_text,
    data_path,
    map_columns,
    parse_date,
    read_source,
    spreadsheet_row,
    suggest,
)
from corridors.empirical._io.checks import (
    RowChecks,
    arrow_cells,
    arrow_pieces,
    blank_rows,
    distinct_cells,
    python_spaces,
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
        """The problems of level ``warning`` (``--strict`` makes them an error)."""
        return [p for p in self.problems if p.level == "warning"]

    @property
    def notes(self) -> list[DataProblem]:
        """The problems of level ``note``: documented features of the data."""
        return [p for p in self.problems if p.level == "note"]

    def durations(
        self, *, demand_kinds: Iterable[str] | None = None, columns: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Durations for survival analysis: one row per usable operation.

        Parameters
        ----------
        demand_kinds
            Keep only these demand kinds (the data README: compare like with like).
        columns
            Only these of the columns below (the models need ``organization``,
            ``response_months`` and ``started``; on a large file the text columns are the
            largest). Default: all of them.

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
        every = ["organization", "operation", "demand_kind", "response_days", "response_months", "started", "row"]
        wanted = every if columns is None else list(columns)
        unknown_columns = [c for c in wanted if c not in every]
        if unknown_columns:
            raise CorridorsError(f"durations: no column {', '.join(unknown_columns)} (columns: {', '.join(every)})")
        keep = [c for c in every if c in wanted]
        rows = self.frame["usable"].to_numpy(dtype=bool)
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
            rows = rows & self.frame["demand_kind"].isin(kinds).to_numpy(dtype=bool)
        # only these columns of the kept rows are copied: self.usable would copy every column first
        return self.frame.loc[rows, keep].reset_index(drop=True)

    def counts(self) -> pd.DataFrame:
        """Rows per organization: in the file, timed, started, censored, left out.

        Examples
        --------
        >>> load_peace_operations(example_path()).counts().loc["EU"].tolist()
        [13, 10, 10, 0, 3]
        """
        frame = self.frame
        # only the three columns counted: frame.assign would copy every column of the frame
        flags = pd.DataFrame(
            {
                "organization": frame["organization"],
                "usable": frame["usable"],
                "timed_start": frame["usable"] & frame["started"],
            }
        )
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

    # the rows are checked column by column (Arrow and numpy over whole columns; Python only once per
    # distinct value, such as a date, or per row with a problem): a file of 1.5 million rows never
    # exists as Python objects, each raw column is freed once it is checked, and text columns that
    # need no trimming are kept as they were read, not copied
    del table
    columnar = [
        c
        for c in [*(f.name for f in schema.fields if f.type != "date" and f.name != "organization"), *extras]
        if c in frame.columns and isinstance(frame[c].array, pd.arrays.ArrowStringArray)
    ]
    out, kept = _check_rows(frame, label, schema, known, problems, checked, extras, columnar)
    _add_trimmed_columns(out, frame, columnar, kept)
    del frame  # the raw cells are no longer needed: give their pages back (mimalloc keeps them)
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    _check_duplicates(out, label, problems)
    defaulted = censor_date is None
    if censor_date is None:
        latest = pd.Series([out[column].max() for column in _DATE_FIELDS], dtype="datetime64[ns]").max()  # no copy
        censor_date = latest if not pd.isna(latest) else pd.Timestamp("1900-01-01")
    for column in _DATE_FIELDS:
        after = out[column].notna() & (out[column] > censor_date)
        for position in np.flatnonzero(after.to_numpy()):
            stamp = out[column].iat[position]
            problems.append(
                DataProblem(
                    label,
                    int(out["row"].iat[position]),
                    column,
                    f"{stamp.date()} is after the --as-of date {censor_date.date()}",
                )
            )
        if column in ("demand_date", "start_date") and after.any():
            _leave_out_rows(out, after, f"{column} after --as-of")
    if source_from is not None:
        out["source"] = out[source_from] if source_from in out.columns else ""

    started = out["start_date"].notna()
    end = out["start_date"].where(started, censor_date)
    out["started"] = started
    response_days = (end - out["demand_date"]).dt.days
    del end
    out["response_days"] = response_days.astype("Int64")
    out["response_months"] = response_days.astype(float) / DAYS_PER_MONTH
    del response_days
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
    # the columns put in order without copying them (out[columns] would copy every numeric column)
    out = pd.DataFrame({column: out[column] for column in dict.fromkeys([*ordered, *derived])}, copy=False)
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
    if not pd.Timestamp("1900-01-01") <= stamp <= pd.Timestamp("2199-12-31"):
        raise CorridorsError(
            f"{label}: --as-of: {stamp.date()} is outside 1900-01-01 to 2199-12-31 (peace operations "
            "are dated within it); give a date such as 2009-12-31"
        )
    return stamp


def _check_rows(
    frame: pd.DataFrame,
    label: str,
    schema: TableSchema,
    known: dict[str, str],
    problems: list[DataProblem],
    checked: set[tuple[int, str]],
    extras: list[str],
    columnar: list[str],
) -> tuple[pd.DataFrame, np.ndarray]:
    """Check every row, a column at a time: the checked frame and the positions of the rows kept.

    The frame has no ``columnar`` text columns (see _add_trimmed_columns); blank rows are skipped.

    The checks, their messages and their order within a row are those of one row at a time: for
    each text field, empty (when required) or not in its enum; the organization; each date
    (unreadable, or before 1900); no demand date; start before demand; decision before demand;
    decision after start. The raw columns other than ``columnar`` are deleted from ``frame``.
    """
    import pyarrow as pa

    blank = blank_rows(frame)
    for index in np.flatnonzero(blank).tolist():
        problems.append(DataProblem(label, spreadsheet_row(index), None, "blank row skipped", "note"))
    kept = np.flatnonzero(~blank)
    del blank
    if not len(kept):
        raise CorridorsError(f"{label}: every row is blank")
    rows = kept + 2  # spreadsheet_row of each kept row
    checks = RowChecks(label, rows, checked)
    columns: dict[str, Any] = {"row": rows}
    organization = _check_text_fields(frame, schema, kept, checks, columns)
    columns["organization"] = _text_array(_check_organizations(*organization, known, checks), organization[1])

    stamps, unreadable = _check_dates(frame, kept, checks, columns)
    _check_date_order(stamps, unreadable, checks)
    problems.extend(checks.problems())
    reasons = checks.reasons
    columns["usable"] = reasons == ""
    columns["problem"] = pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(reasons, pa.large_string())]))
    del checks, reasons

    for column in extras:
        if column not in columnar:
            values, codes = distinct_cells(frame, column, kept)
            columns[column] = _text_array([cell_text(v) for v in values], codes)
            del frame[column]
    for column in columnar:
        columns.pop(column, None)
    return pd.DataFrame(columns, copy=False), kept


def _text_array(values: list[str], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """Each row's text (``values[code]``) as one Arrow string column."""
    import pyarrow as pa

    return pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(values, pa.large_string()).take(pa.array(codes))]))


def _check_text_fields(
    frame: pd.DataFrame, schema: TableSchema, kept: np.ndarray, checks: RowChecks, columns: dict[str, Any]
) -> tuple[list[str], np.ndarray]:
    """Check each text field: empty when required, or not in its enum.

    Puts the checked columns in ``columns`` (a placeholder for the Arrow text columns trimmed
    later) and returns the organization's distinct texts and codes, named after the other text
    fields are checked, as before.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    organization: tuple[list[str], np.ndarray] = ([], np.zeros(0, dtype=np.int64))
    for item in schema.fields:
        if item.type == "date":
            continue
        cells = arrow_cells(frame, item.name, kept) if item.name != "organization" else None
        if cells is None:  # one Python step per distinct value (the organization, or cells of other formats)
            values, codes = distinct_cells(frame, item.name, kept)
            texts = [cell_text(v) for v in values]
            if item.required:
                empty = np.array([not t for t in texts], dtype=bool)[codes]
                checks.add(
                    np.flatnonzero(empty),
                    item.name,
                    f"is empty; every row needs a {item.name}",
                    leave_out=f"no {item.name}",
                )
            if item.enum is not None:
                enum = item.enum
                outside = np.array([bool(t) and t not in enum for t in texts], dtype=bool)[codes]
                positions = np.flatnonzero(outside)
                checks.add(
                    positions,
                    item.name,
                    [
                        f"'{texts[c]}' is not one of {', '.join(enum)}{suggest(texts[c], enum)}"
                        for c in codes[positions].tolist()
                    ],
                )
            if item.name == "organization":  # named after the other text fields are checked, as before
                organization = (texts, codes)
                columns[item.name] = None  # its place: the column order stays
            else:
                columns[item.name] = _text_array(texts, codes)
            if item.name in frame.columns:
                del frame[item.name]
            continue
        # Arrow strings, checked a slice at a time as str.strip() would see them
        empty_parts: list[np.ndarray] = []
        outside_positions: list[np.ndarray] = []
        outside_values: list[str] = []
        for first, piece in arrow_pieces(cells):
            stripped = pc.utf8_trim(piece, python_spaces())
            lengths = pc.binary_length(stripped)
            if item.required:
                empty_parts.append(pc.fill_null(pc.equal(lengths, 0), True).to_numpy(zero_copy_only=False))
            if item.enum is not None:
                inside = pc.is_in(stripped, value_set=pa.array(item.enum, stripped.type))
                outside = pc.fill_null(pc.and_(pc.greater(lengths, 0), pc.invert(inside)), False)
                outside_positions.append(np.flatnonzero(outside.to_numpy(zero_copy_only=False)) + first)
                outside_values.extend(stripped.filter(outside).to_pylist())
        if item.required:
            checks.add(
                np.flatnonzero(np.concatenate(empty_parts)) if empty_parts else np.zeros(0, np.int64),
                item.name,
                f"is empty; every row needs a {item.name}",
                leave_out=f"no {item.name}",
            )
        if item.enum is not None:
            enum, said = item.enum, {}
            for value in outside_values:
                if value not in said:
                    said[value] = f"'{value}' is not one of {', '.join(enum)}{suggest(value, enum)}"
            checks.add(
                np.concatenate(outside_positions) if outside_positions else np.zeros(0, np.int64),
                item.name,
                [said[v] for v in outside_values],
            )
        del cells
        columns[item.name] = None  # added trimmed by _add_trimmed_columns; the place keeps the column order
    return organization


def _check_dates(
    frame: pd.DataFrame, kept: np.ndarray, checks: RowChecks, columns: dict[str, Any]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Check each date: unreadable, or before 1900.

    Puts the dates in ``columns``; returns them and where each was unreadable or impossible.
    """
    stamps: dict[str, np.ndarray] = {}
    unreadable: dict[str, np.ndarray] = {}
    for column in _DATE_FIELDS:
        values, codes = distinct_cells(frame, column, kept)
        parsed = [parse_date(v) for v in values]
        # before 1900 is told per distinct value: such dates may be outside the nanoseconds of a column
        early_said = [
            f"{s.date()} is before {_EARLIEST.year}: a typo?" if s is not None and s < _EARLIEST else None
            for s, _ in parsed
        ]
        nat = np.datetime64("NaT", "ns").astype(np.int64)
        ns = [s.value if s is not None and e is None else nat for (s, _), e in zip(parsed, early_said, strict=True)]
        stamp = np.array(ns, dtype=np.int64)[codes].view("M8[ns]")
        why = np.array([w is not None for _, w in parsed], dtype=bool)[codes]
        blocking = column in ("demand_date", "start_date")
        positions = np.flatnonzero(why)
        checks.add(
            positions,
            column,
            [str(parsed[c][1]) for c in codes[positions].tolist()],
            leave_out=f"bad {column}" if blocking else None,
        )
        early = np.array([e is not None for e in early_said], dtype=bool)[codes]
        positions = np.flatnonzero(early)
        checks.add(
            positions,
            column,
            [str(early_said[c]) for c in codes[positions].tolist()],
            leave_out=f"impossible {column}" if column != "decision_date" else None,
        )
        stamps[column], unreadable[column] = stamp, why | early
        if column in frame.columns:
            del frame[column]
        columns[column] = stamp

    return stamps, unreadable


def _check_date_order(stamps: dict[str, np.ndarray], unreadable: dict[str, np.ndarray], checks: RowChecks) -> None:
    """No demand date; start before demand; decision before demand; decision after start."""
    demand, decision, start = stamps["demand_date"], stamps["decision_date"], stamps["start_date"]
    checks.add(
        np.flatnonzero(np.isnat(demand) & ~unreadable["demand_date"]),
        "demand_date",
        "is empty: the operation cannot be timed and is left out",
        leave_out="no demand_date",
    )
    positions = np.flatnonzero(start < demand)  # NaT compares False
    checks.add(
        positions,
        "start_date",
        [
            f"{s} is before the demand date {d} (swapped dates?)"
            for s, d in zip(_days(start[positions]), _days(demand[positions]), strict=True)
        ],
        leave_out="start before demand",
    )
    positions = np.flatnonzero(decision < demand)
    checks.add(
        positions,
        "decision_date",
        [
            f"{c} is before the demand date {d} (kept)"
            for c, d in zip(_days(decision[positions]), _days(demand[positions]), strict=True)
        ],
        "note",
    )
    positions = np.flatnonzero(decision > start)
    checks.add(
        positions,
        "decision_date",
        [
            f"{c} is after the start date {s} (kept)"
            for c, s in zip(_days(decision[positions]), _days(start[positions]), strict=True)
        ],
        "note",
    )


def _days(stamps: np.ndarray) -> list[str]:
    """Dates as ``Timestamp.date()`` prints them (YYYY-MM-DD)."""
    return np.datetime_as_string(stamps, unit="D").tolist()


def _check_organizations(texts: list[str], codes: np.ndarray, known: dict[str, str], checks: RowChecks) -> list[str]:
    """The organization of each distinct cell (successors and known acronyms as the schema writes them)."""
    names: list[str] = []
    notes: list[str | None] = []
    warnings: list[str | None] = []
    options = sorted(known)
    for text in texts:
        note = warning = None
        name = text
        upper = text.upper()
        if text and upper in ORGANIZATION_SUCCESSORS:
            name = ORGANIZATION_SUCCESSORS[upper]
            note = f"'{text}' counted as its successor {name}"
        elif text and upper in known:
            name = known[upper]
        elif text:
            warning = (
                f"unknown organization '{text}'{suggest(upper, options)}; "
                f"known: {', '.join(options)} (add one with --organization NAME)"
            )
        names.append(name)
        notes.append(note)
        warnings.append(warning)
    for said, level in ((notes, "note"), (warnings, "warning")):
        positions = np.flatnonzero(np.array([s is not None for s in said], dtype=bool)[codes])
        checks.add(
            positions,
            "organization",
            [str(said[c]) for c in codes[positions].tolist()],
            level,  # type: ignore[arg-type]
            leave_out="unknown organization" if level == "warning" else None,
        )
    return names


def _add_trimmed_columns(out: pd.DataFrame, frame: pd.DataFrame, columns: list[str], kept: np.ndarray) -> None:
    """Add Arrow text columns of ``frame``, trimmed (as cell_text does) and limited to the kept rows.

    Slices with nothing to trim are kept as they were read: most columns are not copied at all.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    for column in columns:
        cells = arrow_cells(frame, column, kept)
        pieces = []
        for _, piece in arrow_pieces(cells):
            trimmed = pc.utf8_trim_whitespace(piece)
            pieces.append(piece if trimmed.equals(piece) else trimmed)
        del cells
        out[column] = pd.arrays.ArrowStringArray(pa.chunked_array(pieces, pa.large_string()))
        del frame[column], pieces  # free each raw column as soon as its trimmed copy exists
        pa.default_memory_pool().release_unused()  # and give its pages back (mimalloc keeps them)


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


_ASCII_SPACES = r"[\t\n\v\f\r \x1c-\x1f]+"
"""The ASCII characters ``str.split()`` splits at."""


def _operation_hashes(operations: Any) -> np.ndarray:
    """A 64-bit hash of each operation as _operation_key writes it (casefolded, spaces collapsed).

    ASCII names are normalised by Arrow (for ASCII, casefold is lower case); the others, rare, by
    Python; pandas hashes BLOCK_ROWS names at a time.
    """
    import pyarrow.compute as pc

    hashes = np.zeros(len(operations), dtype=np.uint64)
    for first, piece in arrow_pieces(operations):
        piece = pc.fill_null(piece, "")
        normal = pc.utf8_trim(pc.replace_substring_regex(pc.ascii_lower(piece), _ASCII_SPACES, " "), " ")
        keys = normal.to_numpy(zero_copy_only=False)
        other = np.flatnonzero(~pc.string_is_ascii(piece).to_numpy(zero_copy_only=False))
        for position, name in zip(other.tolist(), piece.take(other).to_pylist(), strict=True):
            keys[position] = " ".join(name.casefold().split())
        hashes[first : first + len(piece)] = pd.util.hash_array(keys, categorize=False)
    return hashes


def _check_duplicates(out: pd.DataFrame, label: str, problems: list[DataProblem]) -> None:
    """Leave out the later of two rows with the same organization and operation (case and spaces aside).

    Rows are grouped by a 64-bit hash of their key (the operation's, mixed with a code of the
    organization in upper case), 8 bytes a row and no string; only rows whose hash another row
    shares are compared on the keys themselves, so a million rows need a few tens of MB.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    organizations = pd.array(out["organization"], dtype="string[pyarrow]").__arrow_array__()  # no copy if Arrow
    operations = pd.array(out["operation"], dtype="string[pyarrow]").__arrow_array__()
    names = pc.unique(organizations)
    uppers: dict[str, int] = {}
    code_of_name = np.array(
        [uppers.setdefault(o.upper(), len(uppers)) if o else -1 for o in names.to_pylist()], dtype=np.int64
    )
    codes = code_of_name[pc.index_in(organizations, value_set=names).to_numpy(zero_copy_only=False)]
    valid = codes >= 0
    valid &= pc.fill_null(pc.greater(pc.binary_length(operations), 0), False).to_numpy(zero_copy_only=False)
    positions_valid = np.flatnonzero(valid)
    del valid
    hashes = _operation_hashes(operations)[positions_valid]
    hashes ^= codes[positions_valid].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    del codes
    ordered = np.sort(hashes)
    shared = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered
    if not len(shared):
        return
    where = np.minimum(np.searchsorted(shared, hashes), len(shared) - 1)
    candidates = positions_valid[shared[where] == hashes]  # every row whose key another row may have
    del where, hashes, positions_valid
    take = pa.array(candidates)
    first_of: dict[str, int] = {}
    rows = out["row"].to_numpy()
    positions, reasons = [], []
    for position, organization, operation in zip(
        candidates.tolist(), organizations.take(take).to_pylist(), operations.take(take).to_pylist(), strict=True
    ):
        first = first_of.setdefault(_operation_key(organization, operation), position)
        if first == position:
            continue
        row, original = int(rows[position]), int(rows[first])
        problems.append(
            DataProblem(
                label,
                row,
                "operation",
                f"duplicate of row {original} ({organization} '{operation}'); the later row is left out",
            )
        )
        positions.append(position)
        reasons.append(f"duplicate of row {original}")
    _leave_out_at(out, np.asarray(positions, dtype=np.int64), reasons)
