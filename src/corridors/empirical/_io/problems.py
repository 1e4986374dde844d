"""Problems found in a data file, each printed on one line, and the words that help fix them.

Every problem a user can cause becomes a :class:`DataProblem` naming the file, the row (the
spreadsheet row: the header is row 1, the first record row 2) and the column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["DataProblem", "Level", "MAX_LISTED_ROWS", "spreadsheet_row", "suggest"]

Level = Literal["error", "warning", "note"]


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


MAX_LISTED_ROWS = 20
"""Rows named one by one in a message; more are counted (a list of 150,000 rows helps nobody)."""


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def suggest(name: str, options: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest option, or ''."""
    return _suggest(name, options)
