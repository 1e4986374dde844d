"""Ragged rows, dates beyond pandas' range and capped row lists: one line per problem, never a shift or a crash."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cli_support import invoke_cli
from corridors.empirical import load_peace_operations
from corridors.errors import CorridorsError

HEADER = "organization,operation,host,demand_kind,demand_ref,demand_date,decision_date,start_date,start_kind,source"
ROW = "EU,Operation {i},Host{i},unsc_resolution,UNSCR {i},2003-05-30,2003-06-05,{start},launch,a source"


def test_a_row_with_extra_fields_is_named_not_shifted(write_csv: Callable[..., Path]) -> None:
    path = write_csv([HEADER, ROW.format(i=1, start="2003-06-12"), ROW.format(i=2, start="2003-06-12") + ",Z,extra",
                      ROW.format(i=3, start="2003-06-12")])
    with pytest.raises(CorridorsError) as info:
        load_peace_operations(path)
    assert info.value.problems == [f"{path}: row 3: 12 fields, but the header has 10 "
                                   "(quote a cell that contains the separator)"]


def test_ragged_rows_are_capped_at_twenty(write_csv: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    rows = [ROW.format(i=i, start="2003-06-12") + ",x" for i in range(25)]
    path = write_csv([HEADER, *rows])
    code, _, err = invoke_cli(["data", "validate", str(path)], capsys)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 21
    assert lines[0].endswith("row 2: 11 fields, but the header has 10 (quote a cell that contains the separator)")
    assert lines[-1] == f"error: {path}: and 5 more row(s) with more fields than the header"


def test_a_date_beyond_2262_is_a_row_warning_not_a_crash(write_csv: Callable[..., Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv([HEADER, ROW.format(i=1, start="9999-12-31"), ROW.format(i=2, start="2003-06-12")])
    ops = load_peace_operations(path)
    (warning,) = [p for p in ops.warnings if p.column == "start_date"]
    assert warning.row == 2 and "outside the dates corridors handles" in warning.message
    code, _, err = invoke_cli(["data", "validate", str(path), "--strict"], capsys)
    assert code == 2 and "row 2, start_date: '9999-12-31' is outside the dates" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "describe"])
def test_as_of_beyond_2262_is_one_line(write_csv: Callable[..., Path], capsys: pytest.CaptureFixture[str],
                                       command: str) -> None:
    path = write_csv([HEADER, ROW.format(i=1, start="2003-06-12")])
    code, _, err = invoke_cli(["data", command, str(path), "--as-of", "9999-12-31"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "--as-of: '9999-12-31' is outside the dates corridors handles" in err


def test_the_censoring_note_lists_at_most_twenty_rows(write_csv: Callable[..., Path]) -> None:
    rows = [ROW.format(i=i, start="") for i in range(30)] + [ROW.format(i=99, start="2003-06-12")]
    ops = load_peace_operations(write_csv([HEADER, *rows]))
    (note,) = [p for p in ops.notes if "right-censored" in p.message]
    assert note.message.endswith("rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 "
                                 "and 10 more")
    assert note.message.startswith("30 operation(s) without a start date")


def test_validate_and_describe_cap_their_row_lists(write_csv: Callable[..., Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """30 bad rows: the first 20 are listed, then a count (a 200 MB file may have 100,000)."""
    bad = [ROW.format(i=i, start="2003-13-40") for i in range(30)]
    good = [ROW.format(i=100 + i, start="2003-06-12") for i in range(5)]
    path = write_csv([HEADER, *bad, *good])
    code, _, err = invoke_cli(["data", "validate", str(path)], capsys)
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert code == 0 and len(warnings) == 21
    assert warnings[-1].startswith("warning: ... and 10 more warning(s) not shown")
    code, out, _ = invoke_cli(["data", "describe", str(path), "--no-models"], capsys)
    assert code == 0 and "... and 10 more rows (see 'corridors data validate')" in out
    listed = out.split("Left out of the analysis:\n", 1)[1].split("... and 10 more rows")[0]
    assert len(listed.strip().splitlines()) == 21  # a header and 20 rows


def test_large_files_keep_cells_as_arrow_strings(write_csv: Callable[..., Path]) -> None:
    """Cells are read as Arrow strings and rows checked in blocks, so memory follows the file's size."""
    from corridors.empirical import datasets

    rows = [ROW.format(i=i, start="2003-06-12") for i in range(2 * datasets._BLOCK_ROWS + 7)]
    rows[5] = rows[4]  # a duplicate, found across the whole file
    ops = load_peace_operations(write_csv([HEADER, *rows]))
    assert str(ops.frame["operation"].dtype) == "string"
    assert len(ops.frame) == len(rows) and ops.frame["row"].tolist() == list(range(2, len(rows) + 2))
    (duplicate,) = [p for p in ops.warnings if p.column == "operation"]
    assert duplicate.row == 7 and "duplicate of row 6" in duplicate.message


def test_describe_no_models_fits_no_models(write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """--no-models used to fit the discrete-time logit and discard it (GBs on a large file)."""
    from corridors.empirical.survival import discrete_time

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the logit was fitted")

    monkeypatch.setattr(discrete_time.DiscreteTimeLogit, "fit", refuse)
    path = write_csv([HEADER, *(ROW.format(i=i, start="2003-06-12") for i in range(5))])
    code, out, _ = invoke_cli(["data", "describe", str(path), "--no-models"], capsys)
    assert code == 0 and "Response times, demand to start" in out
