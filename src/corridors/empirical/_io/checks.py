"""The checker the loaders share: a table's rows checked a column at a time, problems told in row order.

:class:`RowChecks` gathers the problems and the leave-out reasons of a loader's checks,
each check made over every row at once (numpy and Arrow over whole columns; Python once
per distinct value, such as a date, or per row with a problem), and gives the problems back
in the order a row-at-a-time loop would have told them. The peace-operation, survey and tie
loaders all check their rows with it.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from corridors.empirical._io.cells import is_missing
from corridors.empirical._io.problems import DataProblem, Level

__all__ = [
    "BLOCK_ROWS",
    "RowChecks",
    "arrow_cells",
    "arrow_empty",
    "arrow_pieces",
    "blank_rows",
    "distinct_cells",
    "python_cells",
    "python_spaces",
]

BLOCK_ROWS = 10_000
"""Rows of a column handled at a time by the checks (Arrow slices, hashes): it bounds their temporaries."""


@functools.cache
def python_spaces() -> str:
    """Every character ``str.strip()`` removes (Arrow's own whitespace is a different set)."""
    return "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())


def arrow_pieces(cells: Any) -> Iterator[tuple[int, Any]]:
    """(first row, slice) of an Arrow array in slices of at most BLOCK_ROWS rows of one chunk (views, not copies)."""
    first = 0
    for chunk in getattr(cells, "chunks", [cells]):
        for offset in range(0, len(chunk), BLOCK_ROWS):
            piece = chunk.slice(offset, BLOCK_ROWS)
            yield first, piece
            first += len(piece)


def arrow_cells(frame: pd.DataFrame, column: str, kept: np.ndarray | None) -> Any:
    """A column of Arrow strings as an Arrow array limited to the ``kept`` rows (None for other columns)."""
    import pyarrow as pa

    if column not in frame.columns or not isinstance(frame[column].array, pd.arrays.ArrowStringArray):
        return None
    cells = frame[column].array.__arrow_array__()
    return cells if kept is None or len(kept) == len(frame) else cells.take(pa.array(kept))


def python_cells(frame: pd.DataFrame, column: str, kept: np.ndarray | None) -> list[Any]:
    """A column's cells as Python values, as ``to_dict(orient="records")`` gives them."""
    part = frame[[column]] if kept is None or len(kept) == len(frame) else frame[[column]].iloc[kept]
    return [record[column] for record in part.to_dict(orient="records")]


def distinct_cells(frame: pd.DataFrame, column: str, kept: np.ndarray) -> tuple[list[Any], np.ndarray]:
    """The distinct cells of a column and each kept row's index into them.

    The cells are Python values (None for a null or a missing column). Only Arrow strings are
    grouped: 1, 1.0 and True are equal keys in Python.
    """
    import pyarrow.compute as pc

    if column not in frame.columns:
        return [None], np.zeros(len(kept), dtype=np.int64)
    cells = arrow_cells(frame, column, kept)
    if cells is None:
        return python_cells(frame, column, kept), np.arange(len(kept), dtype=np.int64)
    uniques = pc.unique(cells)
    codes = pc.index_in(cells, value_set=uniques).to_numpy(zero_copy_only=False)  # a null matches the null
    return uniques.to_pylist(), codes.astype(np.int64, copy=False)


def arrow_empty(cells: Any) -> np.ndarray:
    """Whether each Arrow string is empty as ``is_missing`` says: null, or blank after ``str.strip()``."""
    import pyarrow.compute as pc

    parts = [
        pc.fill_null(pc.equal(pc.binary_length(pc.utf8_trim(piece, python_spaces())), 0), True).to_numpy(
            zero_copy_only=False
        )
        for _, piece in arrow_pieces(cells)
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Whether every cell of each row is missing."""
    blank = np.ones(len(frame), dtype=bool)
    for column in frame.columns:
        cells = arrow_cells(frame, column, None)
        if cells is None:
            blank &= np.fromiter((is_missing(v) for v in python_cells(frame, column, None)), bool, len(frame))
        else:
            blank &= arrow_empty(cells)
    return blank


class RowChecks:
    """The problems and leave-out reasons of the kept rows, gathered one check over every row at a time.

    Each call of :meth:`add` is one check, made in the order a row's checks run; the problems are
    put back in row order, and within a row in check order, by :meth:`problems`.
    """

    def __init__(self, label: str, rows: np.ndarray, checked: set[tuple[int, str]]) -> None:
        self.label, self.rows, self.checked = label, rows, checked
        self.events: list[tuple[int, int, DataProblem]] = []
        self.reasons = np.full(len(rows), "", dtype=object)
        self.step = 0

    def add(
        self,
        positions: np.ndarray,
        column: str,
        messages: str | Sequence[str],
        level: Level = "warning",
        *,
        leave_out: str | None = None,
    ) -> None:
        self.step += 1
        for k, position in enumerate(positions.tolist()):
            row = int(self.rows[position])
            if level == "note" or (row, column) not in self.checked:  # frictionless has told of this cell
                message = messages if isinstance(messages, str) else messages[k]
                self.events.append((position, self.step, DataProblem(self.label, row, column, message, level)))
        if leave_out:
            reasons = self.reasons
            for position in positions.tolist():
                reasons[position] = f"{reasons[position]}; {leave_out}" if reasons[position] else leave_out

    def problems(self) -> list[DataProblem]:
        self.events.sort(key=lambda event: (event[0], event[1]))
        return [problem for _, _, problem in self.events]
