"""Loading peace-operation datasets: the shipped sample as it is, every format, bad rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from corridors.empirical import DAYS_PER_MONTH, load_peace_operations, peace_operations_schema
from corridors.errors import CorridorsError

HEADER = "organization,operation,host,demand_kind,demand_ref,demand_date,decision_date,start_date,start_kind,source"
GOOD_ROW = "EU,Operation A,Somewhere,unsc_resolution,UNSCR 1,2003-05-30,2003-06-05,2003-06-12,launch,a source"


def _raw_sample(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_sample_is_read_as_it_is(sample_path: Path) -> None:
    raw = _raw_sample(sample_path)
    ops = load_peace_operations(sample_path)
    assert len(raw) == 32
    assert len(ops.frame) == 32
    # org -> organization by default; the extra columns are kept verbatim
    assert ops.frame["organization"].tolist() == [r["org"] for r in raw]
    for column in ("acronym", "confidence", "source_urls"):
        assert ops.frame[column].tolist() == [r[column] for r in raw]
    assert ops.frame["source"].tolist() == [r["source_urls"] for r in raw]
    assert ops.frame["row"].tolist() == list(range(2, 34))


def test_sample_durations_match_the_raw_dates(sample_path: Path) -> None:
    raw = _raw_sample(sample_path)
    ops = load_peace_operations(sample_path)
    as_of = max(pd.Timestamp(r[c]) for r in raw for c in ("demand_date", "decision_date", "start_date") if r[c])
    assert ops.as_of == as_of
    expected = []
    for r in raw:
        if not r["demand_date"]:
            continue
        end = pd.Timestamp(r["start_date"]) if r["start_date"] else as_of
        expected.append(((end - pd.Timestamp(r["demand_date"])).days, bool(r["start_date"])))
    usable = ops.usable
    assert list(zip(usable["response_days"].astype(int), usable["started"], strict=True)) == expected
    assert usable["response_months"].tolist() == pytest.approx([d / DAYS_PER_MONTH for d, _ in expected])


def test_sample_problems_are_reported_with_rows(sample_path: Path) -> None:
    raw = _raw_sample(sample_path)
    ops = load_peace_operations(sample_path)
    no_demand = [i + 2 for i, r in enumerate(raw) if not r["demand_date"]]
    assert sorted(p.row for p in ops.warnings) == no_demand
    assert all("cannot be timed" in p.message for p in ops.warnings)
    assert ops.left_out["row"].tolist() == no_demand
    # AMISOM's resolution postdates the AU decision: a note, kept
    amisom = [i + 2 for i, r in enumerate(raw) if r["acronym"] == "AMISOM"][0]
    assert any(p.row == amisom and p.level == "note" for p in ops.problems)
    assert amisom in ops.usable["row"].tolist()
    with pytest.raises(CorridorsError) as excinfo:
        load_peace_operations(sample_path, strict=True)
    assert len(excinfo.value.problems) == len(no_demand)
    assert all("(--strict)" in line for line in excinfo.value.problems)


def test_as_of_censors_unstarted_operations(sample_path: Path) -> None:
    ops = load_peace_operations(sample_path, as_of="2009-12-31")
    censored = ops.usable[~ops.usable["started"]]
    assert len(censored) == 4
    for _, row in censored.iterrows():
        assert row["response_days"] == (pd.Timestamp("2009-12-31") - row["demand_date"]).days


def test_demand_kind_filter(sample_path: Path) -> None:
    ops = load_peace_operations(sample_path)
    kinds = ops.durations(demand_kinds=["host_request"])
    assert set(ops.usable.loc[ops.usable["demand_kind"] == "host_request", "operation"]) == set(kinds["operation"])
    with pytest.raises(CorridorsError, match="unknown demand kind"):
        ops.durations(demand_kinds=["host_requests"])


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet", ".dta", ".sav", ".tsv"])
def test_every_format_gives_the_same_durations(sample_path: Path, tmp_path: Path, suffix: str) -> None:
    raw = pd.read_csv(sample_path, dtype=str, keep_default_na=False)
    path = tmp_path / f"ops{suffix}"
    if suffix == ".xlsx":
        typed = raw.copy()
        for column in ("demand_date", "decision_date", "start_date"):
            typed[column] = pd.to_datetime(typed[column].replace("", None))
        typed.to_excel(path, index=False)
    elif suffix == ".parquet":
        raw.to_parquet(path)
    elif suffix == ".tsv":
        raw.to_csv(path, sep="\t", index=False)
    else:
        import pyreadstat

        typed = raw.drop(columns=["source_urls"]).copy()
        for column in ("demand_date", "decision_date", "start_date"):
            typed[column] = pd.to_datetime(typed[column].replace("", None)).dt.date
        writer = pyreadstat.write_dta if suffix == ".dta" else pyreadstat.write_sav
        writer(typed, str(path))
    reference = load_peace_operations(sample_path).durations()
    loaded = load_peace_operations(path).durations()
    pd.testing.assert_frame_equal(
        loaded[["organization", "response_days", "started"]].reset_index(drop=True),
        reference[["organization", "response_days", "started"]].reset_index(drop=True),
        check_dtype=False,
    )


def test_column_map(write_csv) -> None:
    header = HEADER.replace("start_date", "launch").replace("organization", "io")
    path = write_csv([header, GOOD_ROW])
    ops = load_peace_operations(path, column_map={"start_date": "launch", "organization": "io"})
    assert ops.usable.loc[0, "start_date"] == pd.Timestamp("2003-06-12")
    assert ops.usable.loc[0, "organization"] == "EU"


def test_schema_is_the_documented_one() -> None:
    assert peace_operations_schema().names == [
        "organization",
        "operation",
        "host",
        "demand_kind",
        "demand_ref",
        "demand_date",
        "decision_date",
        "start_date",
        "start_kind",
        "source",
    ]


def test_predecessor_and_case_are_noted(write_csv) -> None:
    path = write_csv([HEADER, GOOD_ROW.replace("EU,", "oau,", 1)])
    ops = load_peace_operations(path)
    assert ops.usable.loc[0, "organization"] == "AU"
    assert any("successor AU" in p.message for p in ops.notes)


# --------------------------------------------------------------------------- malformed datasets
# Each case: (id, how to build the file, options, phrase the message must contain, row named or None).
# Row-level problems are checked with strict=True (an error) and strict=False (a warning, row left out).


def _row(**changes: str) -> str:
    values = dict(zip(HEADER.split(","), next(csv.reader([GOOD_ROW])), strict=True))
    values.update(changes)
    return ",".join(f'"{v}"' if "," in v else v for v in values.values())


FILE_LEVEL = [
    ("empty file", lambda w, tmp: _touch(tmp / "empty.csv"), {}, "the file is empty"),
    ("header only", lambda w, tmp: w([HEADER]), {}, "header but no rows"),
    (
        "missing start_date column",
        lambda w, tmp: w([HEADER.replace(",start_date", ",launch"), GOOD_ROW]),
        {},
        "required column 'start_date' is missing",
    ),
    (
        "missing organization column",
        lambda w, tmp: w([HEADER.replace("organization", "organisatoin"), GOOD_ROW]),
        {},
        "did you mean 'organisatoin'",
    ),
    (
        "duplicate header",
        lambda w, tmp: w([HEADER + ",host", GOOD_ROW + ",again"]),
        {},
        "column 'host' appears twice in the header",
    ),
    (
        "map to an unknown field",
        lambda w, tmp: w([HEADER, GOOD_ROW]),
        {"column_map": {"strat_date": "launch"}},
        "'strat_date' is not a field",
    ),
    (
        "map from a missing column",
        lambda w, tmp: w([HEADER, GOOD_ROW]),
        {"column_map": {"start_date": "launch"}},
        "the file has no column 'launch'",
    ),
    ("bad as-of", lambda w, tmp: w([HEADER, GOOD_ROW]), {"as_of": "yesterday"}, "--as-of: 'yesterday' is not a date"),
    ("unknown file type", lambda w, tmp: w([HEADER, GOOD_ROW], name="ops.xml"), {}, "unknown file type '.xml'"),
    (
        "json that is no data package",
        lambda w, tmp: w([HEADER, GOOD_ROW], name="ops.json"),
        {},
        "not a Frictionless data package (datapackage.json)",
    ),
    ("corrupt parquet", lambda w, tmp: w(["not parquet at all"], name="ops.parquet"), {}, "cannot read as parquet"),
    ("not utf-8", lambda w, tmp: _latin1(tmp / "latin.csv"), {}, "is not UTF-8 text"),
    ("no such file", lambda w, tmp: tmp / "missing.csv", {}, "no such file"),
]

ROW_LEVEL = [
    (
        "ambiguous date",
        _row(demand_date="30/05/2003"),
        {},
        "'30/05/2003' is not a date in YYYY-MM-DD form",
        "demand_date",
    ),
    ("impossible day", _row(start_date="2003-02-30"), {}, "February 2003 has 28 days", "start_date"),
    ("impossible month", _row(demand_date="2003-13-01"), {}, "has no month 13", "demand_date"),
    ("start before demand", _row(start_date="2003-05-01"), {}, "is before the demand date 2003-05-30", "start_date"),
    (
        "unknown organization",
        _row(organization="EUU"),
        {},
        "unknown organization 'EUU' (did you mean 'EU'?)",
        "organization",
    ),
    ("unknown demand kind", _row(demand_kind="un_resolution"), {}, "'un_resolution' is not one of", "demand_kind"),
    ("empty organization", _row(organization=""), {}, "is empty; every row needs a organization", "organization"),
    ("empty operation", _row(operation=""), {}, "is empty; every row needs a operation", "operation"),
    ("year typo", _row(demand_date="0203-05-30"), {}, "is before 1900", "demand_date"),
    ("date after as-of", _row(), {"as_of": "2003-06-01"}, "is after the --as-of date 2003-06-01", "start_date"),
    ("missing demand date", _row(demand_date=""), {}, "cannot be timed", "demand_date"),
]


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def _latin1(path: Path) -> Path:
    path.write_bytes((HEADER + "\n" + GOOD_ROW.replace("Somewhere", "Curaçao") + "\n").encode("latin-1"))
    return path


@pytest.mark.parametrize(("case", "build", "options", "phrase"), FILE_LEVEL, ids=[c[0] for c in FILE_LEVEL])
def test_malformed_file(case, build, options, phrase, write_csv, tmp_path: Path) -> None:
    path = build(write_csv, tmp_path)
    with pytest.raises(CorridorsError) as excinfo:
        load_peace_operations(path, **options)
    lines = excinfo.value.problems
    assert any(phrase in line for line in lines), lines
    assert all(line.startswith(str(path)) for line in lines), lines
    assert all("\n" not in line for line in lines)


@pytest.mark.parametrize(("case", "row", "options", "phrase", "column"), ROW_LEVEL, ids=[c[0] for c in ROW_LEVEL])
def test_malformed_row(case, row, options, phrase, column, write_csv) -> None:
    path = write_csv([HEADER, GOOD_ROW.replace("Operation A", "Operation B"), row])
    expected_prefix = f"{path}: row 3, {column}: "
    with pytest.raises(CorridorsError) as excinfo:
        load_peace_operations(path, strict=True, **options)
    assert any(line.startswith(expected_prefix) and phrase in line for line in excinfo.value.problems), (
        excinfo.value.problems
    )
    ops = load_peace_operations(path, **options)
    assert any(str(p).startswith(expected_prefix) and phrase in str(p) for p in ops.warnings)
    assert len(ops.frame) == 2  # nothing silently dropped


def test_duplicate_operation(write_csv) -> None:
    path = write_csv([HEADER, GOOD_ROW, GOOD_ROW.replace("Operation A", "operation  a")])
    ops = load_peace_operations(path)
    (warning,) = ops.warnings
    assert str(warning).startswith(f"{path}: row 3, operation: duplicate of row 2")
    assert ops.frame["usable"].tolist() == [True, False]
    with pytest.raises(CorridorsError, match="duplicate of row 2"):
        load_peace_operations(path, strict=True)


def test_duplicate_header_in_excel(tmp_path: Path) -> None:
    path = tmp_path / "ops.xlsx"
    pd.DataFrame([["EU", "A", "2003-01-01", "2003-02-01", "x"]]).to_excel(
        path, index=False, header=["organization", "operation", "demand_date", "start_date", "operation"]
    )
    with pytest.raises(CorridorsError, match="column 'operation' appears twice in the header"):
        load_peace_operations(path)


def test_stata_number_instead_of_date(tmp_path: Path) -> None:
    import pyreadstat

    frame = pd.DataFrame(
        {"organization": ["EU"], "operation": ["A"], "demand_date": [15000.0], "start_date": ["2003-06-12"]}
    )
    path = tmp_path / "ops.dta"
    pyreadstat.write_dta(frame, str(path))
    ops = load_peace_operations(path)
    assert any("is a number, not a date" in str(p) and "row 2" in str(p) for p in ops.warnings)


def test_blank_rows_are_noted_not_dropped_silently(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "organization": ["EU", None, "AU"],
            "operation": ["A", None, "B"],
            "demand_date": ["2003-05-30", None, "2004-01-01"],
            "start_date": ["2003-06-12", None, "2004-03-01"],
        }
    )
    path = tmp_path / "ops.xlsx"
    frame.to_excel(path, index=False)
    ops = load_peace_operations(path)
    assert ops.frame["row"].tolist() == [2, 4]
    assert any(p.row == 3 and "blank row" in p.message for p in ops.notes)
