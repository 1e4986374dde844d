"""Reading a data file into a frame of raw cells: CSV/TSV, Excel, Parquet, Stata, SPSS, data packages.

Text files are read as text (no type guessing), streamed and checked for ragged rows;
other formats keep their cell types. A Frictionless data package (``datapackage.json``)
is read whole by ``frictionless``: its schema, types, constraints and row-numbered errors
are the library's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import pandas as pd

from corridors.empirical._io.cells import _why_not_a_date, cell_text
from corridors.empirical._io.problems import MAX_LISTED_ROWS, DataProblem
from corridors.empirical._io.schema import TableSchema, _frictionless_note
from corridors.errors import CorridorsError

__all__ = ["READERS", "Source", "read_source", "read_table"]

READERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".dta": "stata",
    ".sav": "spss",
    ".zsav": "spss",
}


@dataclass
class Source:
    """A table read for a loader: raw or typed cells, the label for messages, checks done.

    For a data package, ``problems`` are the row-numbered errors ``frictionless`` found
    (types, constraints) and ``checked`` their (row, field) pairs, so the loader does not
    report a cell twice; for other files both are empty.
    """

    frame: pd.DataFrame
    label: str
    problems: list[DataProblem] = dataclass_field(default_factory=list)
    checked: set[tuple[int, str]] = dataclass_field(default_factory=set)


def read_source(path: str | Path, schema: TableSchema) -> Source:
    """Read a data file, or the resource of a ``datapackage.json`` that fits ``schema``.

    Examples
    --------
    >>> from corridors.empirical._io.schema import data_path
    >>> source = read_source(data_path("datapackage.json"), TableSchema.load("edges"))
    >>> source.label.endswith("datapackage.json [example_edges.csv]"), list(source.frame.columns)
    (True, ['i', 'j', 'w'])
    """
    if Path(path).suffix.lower() == ".json":
        return _read_package(path, schema)
    frame, label = read_table(path)
    return Source(frame, label)


def _remote(value: Any) -> str | None:
    """The first URL (``scheme://``) in a descriptor value, if any."""
    if isinstance(value, str):
        return value if "://" in value or value.startswith("//") else None
    if isinstance(value, list):
        return next((v for v in (_remote(item) for item in value) if v), None)
    if isinstance(value, dict):
        return next((v for v in (_remote(item) for item in value.values()) if v), None)
    return None


def _refuse_remote(file: Path, label: str) -> None:
    """Refuse a datapackage.json naming a URL (a resource path, schema or dialect): data are read from this disk
    only, never downloaded.
    """
    import json

    from corridors import _yaml as strict_yaml

    try:
        descriptor = json.loads(strict_yaml.read_text(file, label=label))
    except ValueError:
        return  # not JSON: frictionless says so in its own words below
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if not isinstance(resource, dict):
            continue
        for key in ("path", "schema", "dialect"):
            url = _remote(resource.get(key))
            if url:
                raise CorridorsError(
                    f"{label}: resources[{index}].{key}: {url[:80]} is not a local file; corridors "
                    "reads data packages from this disk only: download the file and name its path"
                )


def _read_package(path: str | Path, schema: TableSchema) -> Source:
    """The resource of a data package whose fields are the schema's, read by ``frictionless``."""
    from frictionless import FrictionlessException, Package

    label = str(path)
    file = Path(path)
    if not file.is_file():
        raise CorridorsError(f"{label}: no such file")
    _refuse_remote(file, label)
    try:
        package = Package(str(file))
    except FrictionlessException as exc:
        raise CorridorsError(
            f"{label}: not a Frictionless data package (datapackage.json): {_frictionless_note(exc)}; "
            f"or give a data file ({', '.join(sorted(READERS))})"
        ) from None
    required = {f.name for f in schema.fields if f.required}
    fitting = []
    for candidate in package.resources:
        names = {schema.canonical(f.name) for f in (candidate.schema.fields if candidate.schema else [])}
        if required <= names:
            fitting.append((len(names & set(schema.names)), candidate))
    if not fitting:
        shown = ", ".join(r.name for r in package.resources) or "none"
        raise CorridorsError(
            f"{label}: no resource has the fields of the {schema.name} schema ({', '.join(sorted(required))}); "
            f"resources: {shown}"
        )
    resource: Any = max(fitting, key=lambda item: item[0])[1]  # a TableResource (header, row_stream)
    where = f"{label} [{resource.path or resource.name}]"
    records: list[dict[str, Any]] = []
    problems: list[DataProblem] = []
    checked: set[tuple[int, str]] = set()
    try:
        with resource:
            header_errors = list(resource.header.errors)
            if header_errors:
                raise CorridorsError([f"{where}: row 1: {_frictionless_note_of(e)}" for e in header_errors])
            for row in resource.row_stream:
                records.append({k: _plain_cell(v) for k, v in row.to_dict().items()})
                for error in row.errors:
                    if error.type == "blank-row":
                        continue  # the loaders note blank rows themselves
                    column = getattr(error, "field_name", None)
                    problems.append(
                        DataProblem(
                            where,
                            row.row_number,
                            schema.canonical(column) if column else None,
                            _explain(error, resource),
                            "warning",
                        )
                    )
                    if column:
                        checked.add((row.row_number, schema.canonical(column)))
    except FrictionlessException as exc:
        raise CorridorsError(f"{where}: {_frictionless_note(exc)}") from None
    columns = [f.name for f in resource.schema.fields]
    return Source(pd.DataFrame.from_records(records, columns=columns), where, problems, checked)


def _plain_cell(value: Any) -> Any:
    """A typed cell of ``frictionless`` as the loaders take it (Decimal as float, None as missing)."""
    import decimal

    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _frictionless_note_of(error: Any) -> str:
    return " ".join(str(getattr(error, "note", "") or getattr(error, "message", "")).split())


def _explain(error: Any, resource: Any) -> str:
    """One line for a cell error of ``frictionless``: why, in words, where we can say it."""
    cell = getattr(error, "cell", None)
    column = getattr(error, "field_name", None)
    note = _frictionless_note_of(error)
    kind = resource.schema.get_field(column).type if column and resource.schema.has_field(column) else ""
    if error.type == "type-error" and kind == "date":
        return f"{_why_not_a_date(str(cell))} (frictionless: {note})"
    if error.type == "type-error" and kind in ("number", "integer"):
        return f"'{cell}' is not {'a whole number' if kind == 'integer' else 'a number'} (frictionless: {note})"
    if error.type == "constraint-error" and "required" in note:
        return 'is empty; the schema requires a value (frictionless: constraint "required")'
    if cell is not None and cell != "":
        return f"'{cell}': {note}"
    return note


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read CSV/TSV, Excel, Parquet, Stata ``.dta`` or SPSS ``.sav`` into a frame of raw cells.

    Text files are read as text (no type guessing); other formats keep their cell types
    (dates stay dates). Returns the frame and the label used in messages.

    Examples
    --------
    >>> from corridors.empirical._io.schema import data_path
    >>> frame, label = read_table(data_path("example_edges.csv"))
    >>> list(frame.columns)
    ['i', 'j', 'w']
    """
    label = str(path)
    file = Path(path)
    if not file.exists():
        raise CorridorsError(f"{label}: no such file")
    if file.is_dir():
        raise CorridorsError(f"{label}: is a folder, not a data file")
    suffix = file.suffix.lower()
    kind = READERS.get(suffix)
    if kind is None:
        known = ", ".join(sorted(READERS))
        raise CorridorsError(f"{label}: unknown file type '{suffix or '(none)'}' (readable: {known})")
    if file.stat().st_size == 0:
        raise CorridorsError(f"{label}: the file is empty (expected a header row and one row per record)")
    try:
        frame = _read(file, kind, label)
    except CorridorsError:
        raise
    except ImportError as exc:
        raise CorridorsError(f"{label}: reading {suffix} files needs {exc.name}: pip install 'corridors[io]'") from None
    except Exception as exc:  # every reader has its own exception zoo
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CorridorsError(f"{label}: cannot read as {kind}: {reason}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    if duplicated:
        raise CorridorsError([f"{label}: row 1: column '{c}' appears more than once in the header" for c in duplicated])
    unnamed = [i + 1 for i, c in enumerate(frame.columns) if not c or c.startswith("Unnamed:")]
    if unnamed:
        raise CorridorsError([f"{label}: row 1: column {i} has no name in the header" for i in unnamed])
    return frame.reset_index(drop=True), label


def _read(file: Path, kind: str, label: str) -> pd.DataFrame:
    if kind in ("csv", "tsv"):
        # streamed from the file, never held as one string: a 200 MB file must not cost GBs
        try:
            with file.open(encoding="utf-8-sig", newline="") as handle:
                first_line = handle.readline().rstrip("\r\n")
                if not first_line.strip():
                    raise CorridorsError(f"{label}: row 1: the header row is empty")
                sep = "\t" if kind == "tsv" else ","
                if kind == "csv" and "," not in first_line and ";" in first_line:
                    sep = ";"
                columns = _header_names(first_line, sep)
                _check_raw_header(columns, label)
                handle.seek(0)
                exact = _check_ragged(handle, sep, len(columns), label)
        except UnicodeDecodeError:
            try:  # the streaming decoder counts from its buffer: find the byte in the whole file
                file.read_bytes().decode("utf-8-sig")
                where = 0
            except UnicodeDecodeError as exc:
                where = exc.start
            raise CorridorsError(f"{label}: byte {where} is not UTF-8 text; save the file as UTF-8 CSV") from None
        if exact:  # Arrow's reader: cells about as large as the file (Python strings are five times that)
            return _read_arrow_csv(file, sep, columns)
        # short rows (pandas fills them): index_col=False, so no column ever becomes an index
        return pd.read_csv(
            file,
            sep=sep,
            dtype="string[pyarrow]",
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=True,
            index_col=False,
            encoding="utf-8-sig",
        )
    if kind == "excel":
        header = pd.read_excel(file, sheet_name=0, header=None, nrows=1, dtype=object)
        if len(header):
            _check_raw_header([cell_text(v) for v in header.iloc[0].tolist()], label)
        return pd.read_excel(file, sheet_name=0, dtype=object)
    if kind == "parquet":
        import pyarrow.parquet as pq

        for column in pq.read_schema(file):
            if column.type.num_fields:  # list, struct, map: a dataset's cells are single values
                raise CorridorsError(
                    f"{label}: column '{column.name}' holds nested values ({column.type}); a "
                    "dataset's columns hold one text, number or date per cell"
                )
        return pd.read_parquet(file)
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    frame, _meta = reader(str(file))
    return frame


def _check_ragged(handle: Iterable[str], sep: str, expected: int, label: str) -> bool:
    """Refuse rows with more fields than the header, naming each (pandas would shift every column).

    Returns whether every row has exactly the header's fields (blank lines aside).
    """
    import csv

    reader = csv.reader(handle, delimiter=sep)
    next(reader, None)
    problems: list[str] = []
    extra = 0
    exact = True
    for record in reader:
        if len(record) != expected and record:
            exact = False
        if len(record) > expected and any(cell.strip() for cell in record[expected:]):
            if len(problems) < MAX_LISTED_ROWS:
                problems.append(
                    f"{label}: row {reader.line_num}: {len(record)} fields, but the header has {expected} "
                    "(quote a cell that contains the separator)"
                )
            else:
                extra += 1
    if extra:
        problems.append(f"{label}: and {extra} more row(s) with more fields than the header")
    if problems:
        raise CorridorsError(problems)
    return exact


def _read_arrow_csv(file: Path, sep: str, columns: list[str]) -> pd.DataFrame:
    """Every cell as an Arrow string, empty cells as '' (the pandas reader's keep_default_na=False).

    Read as large strings, pandas' own layout: read as strings, each column's offsets would
    be copied into 64-bit ones when the frame is made.
    """
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    names = [f"c{i}" for i in range(len(columns))]  # header names as written (stripped later)
    table = pa_csv.read_csv(
        file,
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.large_string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = list(columns)
    return frame


def _header_names(line: str, sep: str) -> list[str]:
    import csv

    return next(csv.reader([line], delimiter=sep))


def _check_raw_header(columns: Sequence[str], label: str) -> None:
    seen: dict[str, int] = {}
    problems = []
    for i, name in enumerate(columns, start=1):
        clean = name.strip()
        if not clean:
            problems.append(f"{label}: row 1: column {i} has no name in the header")
        elif clean in seen:
            problems.append(
                f"{label}: row 1: column '{clean}' appears twice in the header (columns {seen[clean]} and {i})"
            )
        else:
            seen[clean] = i
    if problems:
        raise CorridorsError(problems)
