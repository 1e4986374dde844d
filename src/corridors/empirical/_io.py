"""Reading tables for the empirical toolkit: formats, schemas, column maps, row problems.

Private helpers shared by :mod:`~corridors.empirical.datasets`,
:mod:`~corridors.empirical.survey` and :mod:`~corridors.empirical.networks`. Every
problem a user can cause becomes a :class:`DataProblem` naming the file, the row (the
spreadsheet row: the header is row 1, the first record row 2) and the column.

The schemas are Frictionless Table Schemas, read and checked by the ``frictionless``
library, which also reads the cells of the types it knows (date, number, integer,
boolean) and reads Frictionless data packages (``datapackage.json``) whole: their schema,
types, constraints and row-numbered errors are the library's. What stays here is what the
standard does not say: the aliases of a field (``org`` for ``organization``), the ``--map``
of columns, readers of Excel, Parquet, Stata and SPSS files, and one-line messages that say
*why* a cell is wrong (``February 2004 has 29 days``), not only that it is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from corridors.errors import CorridorsError

__all__ = [
    "DataProblem",
    "TableSchema",
    "data_path",
    "is_missing",
    "map_columns",
    "parse_column_map",
    "parse_date",
    "read_cell",
    "read_source",
    "read_table",
    "spreadsheet_row",
]

Level = Literal["error", "warning", "note"]

_READERS = {
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


@dataclass(frozen=True)
class DataProblem:
    """One problem found in a data file, printed on one line.

    Parameters
    ----------
    source
        The file (as the user named it).
    row
        Spreadsheet row number (header is row 1), or None for a file-level problem.
    column
        Column (schema field) concerned, or None.
    message
        What is wrong and, where possible, what to do.
    level
        ``error`` (the file cannot be used), ``warning`` (a row is questionable or left
        out; ``--strict`` makes it an error) or ``note`` (a documented feature of the data).

    Examples
    --------
    >>> str(DataProblem("ops.csv", 7, "start_date", "'2003-13-01' is not a date", "warning"))
    "ops.csv: row 7, start_date: '2003-13-01' is not a date"
    """

    source: str
    row: int | None
    column: str | None
    message: str
    level: Level = "warning"

    def __str__(self) -> str:
        where = [self.source]
        location = []
        if self.row is not None:
            location.append(f"row {self.row}")
        if self.column is not None:
            location.append(self.column)
        if location:
            where.append(", ".join(location))
        return ": ".join([*where, self.message])


def spreadsheet_row(index: int) -> int:
    """Row number as a spreadsheet shows it: record 0 is row 2 (the header is row 1).

    Examples
    --------
    >>> spreadsheet_row(0)
    2
    """
    return int(index) + 2


def data_path(name: str) -> Path:
    """Installed path of a file shipped in ``corridors/empirical/data``.

    Examples
    --------
    >>> data_path("peace_ops_sample.csv").name
    'peace_ops_sample.csv'
    """
    path = Path(str(resources.files("corridors.empirical") / "data" / name))
    if not path.exists():
        shipped = sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("_"))
        raise CorridorsError(f"{name}: no such example file (shipped: {', '.join(shipped)})")
    return path


@dataclass(frozen=True)
class SchemaField:
    """One field of a Frictionless Table Schema, with corridors' ``aliases`` extension.

    ``field`` is the ``frictionless`` field itself, which reads the cells of its type.
    """

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    true_values: tuple[str, ...] = ("yes", "true", "1")
    false_values: tuple[str, ...] = ("no", "false", "0")
    field: Any = dataclass_field(default=None, compare=False, repr=False)

    @classmethod
    def from_frictionless(cls, item: Any) -> SchemaField:
        """The corridors view of a ``frictionless`` field (constraints and aliases read out)."""
        constraints = dict(item.constraints or {})
        enum = constraints.get("enum")
        custom = dict(getattr(item, "custom", {}) or {})
        options: dict[str, Any] = {}
        if item.type == "boolean":
            options = {"true_values": tuple(item.true_values), "false_values": tuple(item.false_values)}
        return cls(
            name=item.name, type=item.type, required=bool(constraints.get("required", False)),
            enum=tuple(str(e) for e in enum) if enum is not None else None,
            minimum=constraints.get("minimum"), maximum=constraints.get("maximum"),
            aliases=tuple(custom.get("aliases", ())), description=item.description or "", field=item, **options,
        )  # fmt: skip


@dataclass(frozen=True)
class TableSchema:
    """A Frictionless Table Schema shipped in ``empirical/data`` (``NAME.schema.json``).

    Read and validated by ``frictionless`` (``frictionless`` is the schema: its fields read
    cells); ``fields`` lists them with their constraints and aliases.
    """

    name: str
    fields: tuple[SchemaField, ...] = dataclass_field(default_factory=tuple)
    frictionless: Any = dataclass_field(default=None, compare=False, repr=False)

    @classmethod
    def load(cls, name: str) -> TableSchema:
        """Read ``data/NAME.schema.json``.

        Examples
        --------
        >>> TableSchema.load("edges").names
        ['i', 'j', 'w']
        """
        path = data_path(f"{name}.schema.json")
        return cls.from_descriptor(name, str(path), label=str(path))

    @classmethod
    def from_descriptor(cls, name: str, descriptor: Any, *, label: str) -> TableSchema:
        """A schema from a descriptor (a path or a mapping); its errors become one line each."""
        from frictionless import FrictionlessException, Schema

        try:
            schema = Schema.from_descriptor(descriptor)
        except FrictionlessException as exc:
            raise CorridorsError(f"{label}: not a valid Table Schema: {_frictionless_note(exc)}") from None
        return cls(name=name, fields=tuple(SchemaField.from_frictionless(f) for f in schema.fields),
                   frictionless=schema)  # fmt: skip

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> SchemaField:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def canonical(self, column: str) -> str:
        """The field a column stands for: itself, or the field it is an alias of."""
        for item in self.fields:
            if column == item.name or column in item.aliases:
                return item.name
        return column


def _frictionless_note(exc: Exception) -> str:
    """The one-line reason of a ``FrictionlessException``."""
    error = getattr(exc, "error", None)
    text = str(getattr(error, "note", "") or getattr(error, "message", "") or exc)
    return " ".join(text.split())


def is_missing(value: Any) -> bool:
    """True for empty cells: None, NaN, NaT, pandas NA or blank text.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), "  ", "x", 0)]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def cell_text(value: Any) -> str:
    """A cell as text ('' when missing); whole floats lose their '.0'."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value).strip()


FIRST_YEAR, LAST_YEAR = 1678, 2261
"""Years a date may have: pandas keeps dates as nanoseconds, which span 1677-09-21 to 2262-04-11."""


def _out_of_range(text: str) -> str:
    return f"'{text}' is outside the dates corridors handles ({FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31)"


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")


def _typed(kind: str, **options: Any) -> Any:
    """A bare ``frictionless`` field of one type, to read single cells with."""
    from frictionless import Field

    return Field.from_descriptor({"name": kind, "type": kind, **options})


@functools.cache
def _reader(kind: str) -> Any:
    return _typed(kind)


def _why_not_a_date(text: str) -> str:
    """Why a text that ``frictionless`` refused is not a YYYY-MM-DD date."""
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return f"'{text}' is not a date in YYYY-MM-DD form"
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= month <= 12:
        return f"'{text}' has no month {month} (months run 1-12)"
    if year < 1:
        return f"'{text}' has year {year}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"'{text}' is not a calendar date ({calendar.month_name[month]} {year} has {days} days)"
    return f"'{text}' is not a date in YYYY-MM-DD form"


def parse_date(value: Any) -> tuple[pd.Timestamp | None, str | None]:
    """Parse a cell into a date: ``(date, None)``, ``(None, None)`` if empty, or ``(None, why)``.

    Text is read by ``frictionless`` (the Table Schema's default date format, YYYY-MM-DD);
    the date/datetime values of Excel, Parquet, Stata and SPSS files are taken as they are
    (their time of day dropped). Ambiguous forms such as ``03/04/2005`` are refused, never
    guessed.

    Examples
    --------
    >>> parse_date("2004-06-28")[0]
    Timestamp('2004-06-28 00:00:00')
    >>> parse_date("2004-02-30")[1]
    "'2004-02-30' is not a calendar date (February 2004 has 29 days)"
    >>> parse_date("28/06/2004")[1]
    "'28/06/2004' is not a date in YYYY-MM-DD form"
    """
    if is_missing(value):
        return None, None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None, _out_of_range(value.strftime("%Y-%m-%d") if value.year > 0 else str(value))
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return stamp.normalize(), None
    if isinstance(value, (bool, int, float)):
        return None, f"{value!r} is a number, not a date (write YYYY-MM-DD, or give the column a date format)"
    text = value if isinstance(value, dt.date) else str(value).strip()
    match = _ISO_DATE.fullmatch(text) if isinstance(text, str) else None
    if match is not None and int(match.group(1)) > LAST_YEAR:  # earlier years parse; checks say "before 1900"
        return None, _out_of_range(str(text))
    if match is not None:
        text = f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"  # drop a midnight time
    date, notes = _reader("date").read_cell(text)
    if notes or date is None:
        return None, _why_not_a_date(str(text))
    try:
        return pd.Timestamp(date), None
    except (OverflowError, ValueError):  # pandas' date range ends in 2262
        return None, f"'{text}' is out of the supported date range"


def parse_column_map(items: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Read ``FIELD=COLUMN`` items (``--map start_date=launch``) into a mapping.

    Items may also be comma-separated (``--map start_date=launch,organization=io``).

    Examples
    --------
    >>> parse_column_map(["start_date=launch", "organization=io,host=country"])
    {'start_date': 'launch', 'organization': 'io', 'host': 'country'}
    """
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(k): str(v) for k, v in items.items()}
    mapping: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise CorridorsError(f"--map {part}: expected FIELD=COLUMN, e.g. --map start_date=launch")
            key, _, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not key or not value:
                raise CorridorsError(f"--map {part}: expected FIELD=COLUMN, e.g. --map start_date=launch")
            if key in mapping and mapping[key] != value:
                raise CorridorsError(f"--map {part}: field '{key}' is already mapped to '{mapping[key]}'")
            mapping[key] = value
    return mapping


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
    only, never downloaded."""
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
                raise CorridorsError(f"{label}: resources[{index}].{key}: {url[:80]} is not a local file; corridors "
                                     "reads data packages from this disk only: download the file and name its path")


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
            f"or give a data file ({', '.join(sorted(_READERS))})"
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
                    problems.append(DataProblem(where, row.row_number, schema.canonical(column) if column else None,
                                                _explain(error, resource), "warning"))  # fmt: skip
                    if column:
                        checked.add((row.row_number, schema.canonical(column)))
    except FrictionlessException as exc:
        raise CorridorsError(f"{where}: {_frictionless_note(exc)}") from None
    columns = [f.name for f in resource.schema.fields]
    return Source(pd.DataFrame.from_records(records, columns=columns), where, problems, checked)


def _plain_cell(value: Any) -> Any:
    """frictionless' typed cells as the loaders take them (Decimal as float, None as missing)."""
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
        return "is empty; the schema requires a value (frictionless: constraint \"required\")"
    if cell is not None and cell != "":
        return f"'{cell}': {note}"
    return note


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read CSV/TSV, Excel, Parquet, Stata ``.dta`` or SPSS ``.sav`` into a frame of raw cells.

    Text files are read as text (no type guessing); other formats keep their cell types
    (dates stay dates). Returns the frame and the label used in messages.

    Examples
    --------
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
    kind = _READERS.get(suffix)
    if kind is None:
        known = ", ".join(sorted(_READERS))
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
            file, sep=sep, dtype="string[pyarrow]", keep_default_na=False, na_values=[], skip_blank_lines=True,
            index_col=False, encoding="utf-8-sig",
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
                raise CorridorsError(f"{label}: column '{column.name}' holds nested values ({column.type}); a "
                                     "dataset's columns hold one text, number or date per cell")
        return pd.read_parquet(file)
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "stata" else pyreadstat.read_sav
    frame, _meta = reader(str(file))
    return frame


MAX_LISTED_ROWS = 20
"""Rows named one by one in a message; more are counted (a list of 150,000 rows helps nobody)."""


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
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                              strings_can_be_null=False, quoted_strings_can_be_null=False),
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


def map_columns(
    frame: pd.DataFrame,
    schema: TableSchema,
    column_map: Mapping[str, str] | None,
    label: str,
    *,
    required_columns: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Rename file columns to schema fields: ``--map`` first, then the schema's aliases.

    Returns the renamed frame (extra columns kept) and notes on what was mapped. Unknown
    fields or columns in the map and missing required fields raise :class:`CorridorsError`.
    ``required_columns`` names fields whose *column* must exist even though single values
    may be empty.

    Examples
    --------
    >>> frame = pd.DataFrame({"source": ["FRA"], "to": ["DEU"], "weight": ["0.6"]})
    >>> renamed, notes = map_columns(frame, TableSchema.load("edges"), None, "t.csv")
    >>> list(renamed.columns)
    ['i', 'j', 'w']
    """
    mapping = dict(column_map or {})
    columns = list(frame.columns)
    problems: list[str] = []
    notes: list[DataProblem] = []
    renames: dict[str, str] = {}
    for field_name, column in mapping.items():
        if field_name not in schema.names:
            problems.append(
                f"{label}: --map {field_name}={column}: '{field_name}' is not a field of the {schema.name} schema"
                f"{_suggest(field_name, schema.names)} (fields: {', '.join(schema.names)})"
            )
            continue
        if column not in columns:
            problems.append(
                f"{label}: --map {field_name}={column}: the file has no column '{column}'{_suggest(column, columns)}"
            )
            continue
        renames[column] = field_name
    targets = set(renames.values())
    for item in schema.fields:
        if item.name in targets:
            continue
        if item.name in columns and item.name not in renames:
            continue
        for alias in item.aliases:
            if alias in columns and alias not in renames:
                renames[alias] = item.name
                notes.append(DataProblem(label, None, item.name, f"read from column '{alias}'", "note"))
                break
    clash = [c for c in columns if c in schema.names and c not in renames and c in renames.values()]
    for column in clash:
        problems.append(
            f"{label}: column '{column}' is also the target of a mapping; rename one of them or drop it from --map"
        )
    if problems:
        raise CorridorsError(problems)
    renamed = frame.rename(columns=renames)
    missing = [f for f in schema.fields if (f.required or f.name in required_columns) and f.name not in renamed.columns]
    if missing:
        raise CorridorsError(
            [
                f"{label}: row 1: required column '{f.name}' is missing{_suggest(f.name, columns)}; "
                f"name it so or map it with --map {f.name}=COLUMN"
                for f in missing
            ]
        )
    return renamed, notes


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def suggest(name: str, options: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest option, or ''."""
    return _suggest(name, options)


def parse_number(value: Any) -> tuple[float | None, str | None]:
    """Parse a numeric cell: ``(number, None)``, ``(None, None)`` if empty, or ``(None, why)``.

    Text is read by ``frictionless`` (a Table Schema ``number``).

    Examples
    --------
    >>> parse_number("7"), parse_number("seven")[1]
    ((7.0, None), "'seven' is not a number")
    """
    if is_missing(value):
        return None, None
    if isinstance(value, bool):
        return None, f"{value!r} is not a number"
    cell = value if isinstance(value, (int, float)) else str(value).strip()
    number, notes = _reader("number").read_cell(cell)
    if notes or number is None:
        return None, f"'{cell}' is not a number"
    number = float(number)
    if not math.isfinite(number):
        return None, f"{value!r} is not a finite number"
    return number, None


def parse_boolean(value: Any, item: SchemaField) -> tuple[bool | None, str | None]:
    """Parse a yes/no cell with the schema's true and false values (any case).

    Examples
    --------
    >>> item = SchemaField(name="x", type="boolean")
    >>> parse_boolean("Yes", item), parse_boolean("maybe", item)[1]
    ((True, None), "'maybe' is not yes/no (use yes, true, 1 or no, false, 0)")
    """
    if is_missing(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    reader = item.field if item.field is not None and item.field.type == "boolean" else _typed(
        "boolean", trueValues=list(item.true_values), falseValues=list(item.false_values)
    )
    flag, notes = reader.read_cell(cell_text(value).lower())
    if not notes and flag is not None:
        return bool(flag), None
    return None, (
        f"'{cell_text(value)}' is not yes/no (use {', '.join(item.true_values)} or {', '.join(item.false_values)})"
    )


def read_cell(item: SchemaField, value: Any) -> tuple[Any, str | None]:
    """Read a cell as its schema field says: ``(value, None)`` or ``(None, why)``.

    Types and constraints (``minimum``, ``maximum``, ``enum``) are checked by
    ``frictionless``; the reason is told in words (``-1 is below the minimum 0``).

    Examples
    --------
    >>> friends = TableSchema.load("survey").field("friends_count")
    >>> read_cell(friends, "3"), read_cell(friends, "2.5")[1], read_cell(friends, "-1")[1]
    ((3, None), '2.5 is not a whole number', '-1 is below the minimum 0')
    """
    if is_missing(value):
        return None, None
    if item.type == "boolean":
        return parse_boolean(value, item)
    if item.type == "date":
        return parse_date(value)
    if item.type in ("number", "integer"):
        number, why = parse_number(value)
        if why is not None or number is None:
            return None, why
        if item.type == "integer" and not number.is_integer():
            return None, f"{number:g} is not a whole number"
        reader = item.field if item.field is not None else _typed(item.type)
        typed, notes = reader.read_cell(int(number) if item.type == "integer" else number)
        if notes:
            if "minimum" in notes and item.minimum is not None and number < item.minimum:
                return None, f"{number:g} is below the minimum {item.minimum:g}"
            if "maximum" in notes and item.maximum is not None:
                return None, f"{number:g} is above the maximum {item.maximum:g}"
            return None, f"{number:g}: {'; '.join(notes.values())}"
        return (int(typed) if item.type == "integer" else float(typed)), None
    text = cell_text(value)
    if item.enum is not None and text not in item.enum:
        return None, f"'{text}' is not one of {', '.join(item.enum)}{suggest(text, item.enum)}"
    return text, None
