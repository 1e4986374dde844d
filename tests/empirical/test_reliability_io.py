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


def test_the_raw_cells_are_freed_before_the_text_columns_are_trimmed(write_csv: Callable[..., Path],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The raw frame (as large as the file) must not outlive its trimmed copy: the Source held it to the end."""
    import weakref

    from corridors.empirical import _io, datasets

    raw: list[weakref.ref[object]] = []
    read, trim = datasets.read_source, datasets._add_trimmed_columns

    def read_and_watch(*args: object, **kwargs: object) -> _io.Source:
        source = read(*args, **kwargs)  # type: ignore[arg-type]
        raw.append(weakref.ref(source.frame))
        return source

    def trim_and_check(*args: object, **kwargs: object) -> None:
        trim(*args, **kwargs)  # type: ignore[arg-type]
        assert raw[0]() is None, "the raw frame is still referenced after the columns were trimmed"

    monkeypatch.setattr(datasets, "read_source", read_and_watch)
    monkeypatch.setattr(datasets, "_add_trimmed_columns", trim_and_check)
    ops = load_peace_operations(write_csv([HEADER, *(ROW.format(i=i, start=" 2003-06-12") for i in range(5))]))
    assert len(raw) == 1 and ops.frame["operation"].tolist() == [f"Operation {i}" for i in range(5)]


def test_describe_frees_the_checked_rows_before_the_models(write_csv: Callable[..., Path],
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Every text column of the file is no use to the models: the memory is theirs while they fit."""
    import weakref

    from corridors.cli import empirical_cmds
    from corridors.empirical import survival

    loaded: list[weakref.ref[object]] = []
    load, describe = empirical_cmds._load_operations, survival.describe_durations

    def load_and_watch(*args: object, **kwargs: object) -> object:
        ops = load(*args, **kwargs)  # type: ignore[arg-type]
        loaded.append(weakref.ref(ops.frame))
        return ops

    def check_and_describe(durations: object, **kwargs: object) -> object:
        assert loaded[0]() is None, "the checked rows are still held while the models fit"
        return describe(durations, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(empirical_cmds, "_load_operations", load_and_watch)
    monkeypatch.setattr(survival, "describe_durations", check_and_describe)
    path = write_csv([HEADER, *(ROW.format(i=i, start=f"2003-0{6 + i % 3}-12") for i in range(6))])
    code, out, err = invoke_cli(["data", "describe", str(path)], capsys)
    assert code == 0, err
    assert "Response times, demand to start" in out and len(loaded) == 1


def test_kaplan_meier_keeps_only_its_columns(write_csv: Callable[..., Path]) -> None:
    """The fitted curves keep (``data_``) the three columns they use, not the file's text columns."""
    from corridors.empirical.survival import ResponseSurvival

    rows = [ROW.format(i=i, start=f"2003-0{6 + i % 4}-12").replace("EU,", "EU," if i % 2 else "OSCE,", 1)
            for i in range(12)]
    durations = load_peace_operations(write_csv([HEADER, *rows])).durations()
    assert {"operation", "row", "demand_kind"} <= set(durations.columns)
    survival = ResponseSurvival().fit(durations)
    assert list(survival.data_.columns) == ["organization", "response_months", "started"]
    assert survival.summary["operations"].tolist() == [6, 6]
