"""Reading single cells as a schema field says: dates, numbers, yes/no, text, with why a cell is wrong.

``frictionless`` reads the cells of the types it knows (date, number, integer, boolean)
and checks their constraints; this module says *why* a cell is wrong, in words
(``February 2004 has 29 days``, ``-1 is below the minimum 0``), not only that it is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from typing import Any

import pandas as pd

from corridors.empirical._io.problems import suggest
from corridors.empirical._io.schema import SchemaField

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "cell_text",
    "is_missing",
    "parse_boolean",
    "parse_date",
    "parse_number",
    "read_cell",
]


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
    reader = (
        item.field
        if item.field is not None and item.field.type == "boolean"
        else _typed("boolean", trueValues=list(item.true_values), falseValues=list(item.false_values))
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
    >>> from corridors.empirical._io.schema import TableSchema
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
