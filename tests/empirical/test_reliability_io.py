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
    path = write_csv(
        [
            HEADER,
            ROW.format(i=1, start="2003-06-12"),
            ROW.format(i=2, start="2003-06-12") + ",Z,extra",
            ROW.format(i=3, start="2003-06-12"),
        ]
    )
    with pytest.raises(CorridorsError) as info:
        load_peace_operations(path)
    assert info.value.problems == [
        f"{path}: row 3: 12 fields, but the header has 10 (quote a cell that contains the separator)"
    ]


def test_ragged_rows_are_capped_at_twenty(write_csv: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    rows = [ROW.format(i=i, start="2003-06-12") + ",x" for i in range(25)]
    path = write_csv([HEADER, *rows])
    code, _, err = invoke_cli(["data", "validate", str(path)], capsys)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 21
    assert lines[0].endswith("row 2: 11 fields, but the header has 10 (quote a cell that contains the separator)")
    assert lines[-1] == f"error: {path}: and 5 more row(s) with more fields than the header"


def test_a_date_beyond_2262_is_a_row_warning_not_a_crash(
    write_csv: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv([HEADER, ROW.format(i=1, start="9999-12-31"), ROW.format(i=2, start="2003-06-12")])
    ops = load_peace_operations(path)
    (warning,) = [p for p in ops.warnings if p.column == "start_date"]
    assert warning.row == 2 and "outside the dates corridors handles" in warning.message
    code, _, err = invoke_cli(["data", "validate", str(path), "--strict"], capsys)
    assert code == 2 and "row 2, start_date: '9999-12-31' is outside the dates" in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["validate", "describe"])
def test_as_of_beyond_2262_is_one_line(
    write_csv: Callable[..., Path], capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = write_csv([HEADER, ROW.format(i=1, start="2003-06-12")])
    code, _, err = invoke_cli(["data", command, str(path), "--as-of", "9999-12-31"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "--as-of: '9999-12-31' is outside the dates corridors handles" in err


def test_the_censoring_note_lists_at_most_twenty_rows(write_csv: Callable[..., Path]) -> None:
    rows = [ROW.format(i=i, start="") for i in range(30)] + [ROW.format(i=99, start="2003-06-12")]
    ops = load_peace_operations(write_csv([HEADER, *rows]))
    (note,) = [p for p in ops.notes if "right-censored" in p.message]
    assert note.message.endswith(
        "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21 and 10 more"
    )
    assert note.message.startswith("30 operation(s) without a start date")


def test_validate_and_describe_cap_their_row_lists(
    write_csv: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
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
    from corridors.empirical._io.checks import BLOCK_ROWS

    rows = [ROW.format(i=i, start="2003-06-12") for i in range(2 * BLOCK_ROWS + 7)]
    rows[5] = rows[4]  # a duplicate, found across the whole file
    ops = load_peace_operations(write_csv([HEADER, *rows]))
    assert str(ops.frame["operation"].dtype) == "string"
    assert len(ops.frame) == len(rows) and ops.frame["row"].tolist() == list(range(2, len(rows) + 2))
    (duplicate,) = [p for p in ops.warnings if p.column == "operation"]
    assert duplicate.row == 7 and "duplicate of row 6" in duplicate.message


def test_describe_no_models_fits_no_models(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--no-models used to fit the discrete-time logit and discard it (GBs on a large file)."""
    from corridors.empirical.survival import discrete_time

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the logit was fitted")

    monkeypatch.setattr(discrete_time.DiscreteTimeLogit, "fit", refuse)
    path = write_csv([HEADER, *(ROW.format(i=i, start="2003-06-12") for i in range(5))])
    code, out, _ = invoke_cli(["data", "describe", str(path), "--no-models"], capsys)
    assert code == 0 and "Response times, demand to start" in out


def test_the_raw_cells_are_freed_before_the_text_columns_are_trimmed(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_describe_frees_the_checked_rows_before_the_models(
    write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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

    rows = [
        ROW.format(i=i, start=f"2003-0{6 + i % 4}-12").replace("EU,", "EU," if i % 2 else "OSCE,", 1) for i in range(12)
    ]
    durations = load_peace_operations(write_csv([HEADER, *rows])).durations()
    assert {"operation", "row", "demand_kind"} <= set(durations.columns)
    survival = ResponseSurvival().fit(durations)
    assert list(survival.data_.columns) == ["organization", "response_months", "started"]
    assert survival.summary["operations"].tolist() == [6, 6]


MESSY = [
    "organization,operation,host,demand_kind,demand_ref,demand_date,decision_date,start_date,start_kind,source,notes",
    "EU,Artemis,DR Congo,unsc_resolution,UNSCR 1484,2003-05-30,2003-06-05,2003-06-12,launch,a,x",
    " eu ,  artemis ,DR Congo,unsc_resolution,UNSCR 1484,2003-05-30,2003-06-05,2003-06-12,launch,b, y ",
    "OAU,Burundi,Burundi,host_reqest,letter,2003-02-02,2003-04-02,2003-01-10,launch,c,",
    "Foo,Mission X,Nowhere,,ref,0203-05-30,2003-05-01,9999-12-31,launch,d,",
    ",,,,,,,,,,",
    "UN,,Somewhere,org_decision,ref,,2004-01-01,2004-02-30,launch,e,",
    "\u00a0UN\u00a0,Stra\u00dfe  Mission,Host,\u00a0host_request,ref,2004-01-01,2003-12-01,2004-03-01,launch,f,",
    "un,STRASSE mission,Host,host_request,ref,2004-01-01,2004-04-01,2004-03-01,launch,g,",
    "csce,Op\x1cOne,Host,UNSC,ref,1850-06-01,1850-06-02,2004-03-01,launch,h,",
    ",Nameless,Host,org_decision,ref,2004-01-01,28/06/2004,,launch,i,",
    "OSCE,Op\x1cone,Host,org_decision,ref,2004-01-01,,,launch,j,",
]
"""Every check at least once; Python's whitespace (\\x1c, no-break space) and case folding (Straße)."""

KNOWN = "AU, CEMAC, CIS, CSTO, ECCAS, ECOWAS, EU, IGAD, LAS, NATO, OAS, OSCE, PIF, SADC, UN"
KINDS = "unsc_resolution, host_request, org_decision"
MESSY_PROBLEMS = [
    (3, "operation", "warning", "duplicate of row 2 (EU 'artemis'); the later row is left out"),
    (4, "demand_kind", "warning", f"'host_reqest' is not one of {KINDS} (did you mean 'host_request'?)"),
    (4, "start_date", "warning", "2003-01-10 is before the demand date 2003-02-02 (swapped dates?)"),
    (4, "organization", "note", "'OAU' counted as its successor AU"),
    (4, "decision_date", "note", "2003-04-02 is after the start date 2003-01-10 (kept)"),
    (5, "organization", "warning", f"unknown organization 'Foo'; known: {KNOWN} (add one with --organization NAME)"),
    (5, "demand_date", "warning", "0203-05-30 is before 1900: a typo?"),
    (5, "start_date", "warning", "'9999-12-31' is outside the dates corridors handles (1678-01-01 to 2261-12-31)"),
    (6, None, "note", "blank row skipped"),
    (7, "operation", "warning", "is empty; every row needs a operation"),
    (7, "start_date", "warning", "'2004-02-30' is not a calendar date (February 2004 has 29 days)"),
    (7, "demand_date", "warning", "is empty: the operation cannot be timed and is left out"),
    (8, "decision_date", "note", "2003-12-01 is before the demand date 2004-01-01 (kept)"),
    (9, "operation", "warning", "duplicate of row 8 (UN 'STRASSE mission'); the later row is left out"),
    (9, "decision_date", "note", "2004-04-01 is after the start date 2004-03-01 (kept)"),
    (10, "demand_kind", "warning", f"'UNSC' is not one of {KINDS}"),
    (10, "demand_date", "warning", "1850-06-01 is before 1900: a typo?"),
    (10, "decision_date", "warning", "1850-06-02 is before 1900: a typo?"),
    (10, "organization", "note", "'csce' counted as its successor OSCE"),
    (11, "organization", "warning", "is empty; every row needs a organization"),
    (11, "decision_date", "warning", "'28/06/2004' is not a date in YYYY-MM-DD form"),
    (12, "operation", "warning", "duplicate of row 10 (OSCE 'Op\x1cone'); the later row is left out"),
]


def test_column_wise_checks_say_what_the_row_by_row_checks_said(write_csv: Callable[..., Path]) -> None:
    """The problems, their order and the checked rows of a messy file, as the row-by-row loader gave them.

    The expected lists were produced by the loader that checked one row at a time (before the
    checks were made column-wise); any change of text, row, order or reason fails here.
    """
    ops = load_peace_operations(write_csv(MESSY))
    assert [(p.row, p.column, p.level, p.message) for p in ops.problems] == MESSY_PROBLEMS
    frame = ops.frame
    assert frame["row"].tolist() == [2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    assert frame["organization"].tolist() == ["EU", "EU", "AU", "Foo", "UN", "UN", "UN", "OSCE", "", "OSCE"]
    assert frame["operation"].tolist() == [
        "Artemis",
        "artemis",
        "Burundi",
        "Mission X",
        "",
        "Stra\u00dfe  Mission",
        "STRASSE mission",
        "Op\x1cOne",
        "Nameless",
        "Op\x1cone",
    ]
    assert frame["usable"].tolist() == [True, False, False, False, False, True, False, False, False, False]
    assert frame["problem"].tolist() == [
        "",
        "duplicate of row 2",
        "start before demand",
        "unknown organization; impossible demand_date; bad start_date",
        "no operation; bad start_date; no demand_date",
        "",
        "duplicate of row 8",
        "impossible demand_date",
        "no organization",
        "duplicate of row 10",
    ]
    assert frame["notes"].tolist() == ["x", "y", "", "", "", "", "", "", "", ""]
    assert str(ops.as_of.date()) == "2004-04-01"
