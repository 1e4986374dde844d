"""Frictionless data packages: read and checked by the frictionless library, messages one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cli_support import invoke_cli
from corridors.empirical import example_path, load_peace_operations, load_survey, load_ties
from corridors.errors import CorridorsError

FIELDS = [
    {"name": "org", "type": "string", "constraints": {"required": True, "enum": ["AU", "EU"]}},
    {"name": "operation", "type": "string", "constraints": {"required": True}},
    {"name": "demand_date", "type": "date"},
    {"name": "start_date", "type": "date"},
]


def _package(folder: Path, rows: list[str], fields: list[dict] | None = None, data: str = "ops.csv") -> Path:
    (folder / data).write_text("\n".join(["org,operation,demand_date,start_date", *rows]) + "\n", encoding="utf-8")
    descriptor = {"name": "t", "resources": [{"name": "ops", "path": data, "schema": {"fields": fields or FIELDS}}]}
    path = folder / "datapackage.json"
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    return path


def test_the_shipped_package_is_valid_and_reads_as_its_csv() -> None:
    import frictionless

    package = example_path("datapackage.json")
    assert frictionless.validate(str(package)).valid
    from_package = load_peace_operations(package)
    from_csv = load_peace_operations(example_path("peace_ops_sample.csv"))
    pd.testing.assert_frame_equal(from_package.frame, from_csv.frame)
    assert from_package.source == f"{package} [peace_ops_sample.csv]"
    assert [p.row for p in from_package.warnings] == [p.row for p in from_csv.warnings]


def test_the_other_resources_are_found_by_their_fields() -> None:
    package = example_path("datapackage.json")
    assert len(load_survey(package).frame) == 50
    ties, problems = load_ties(package)
    assert len(ties) == len(load_ties(example_path("example_edges.csv"))[0]) and problems == []


def test_cell_errors_come_from_frictionless_once_with_row_and_field(tmp_path: Path) -> None:
    path = _package(tmp_path, ["EU,A,2003-05-30,2003-06-12", "EUU,B,2003-02-30,2003-06-12", "AU,C,,2004-01-01"])
    ops = load_peace_operations(path)
    where = f"{path} [ops.csv]"
    lines = [str(p) for p in ops.warnings]
    assert f"{where}: row 3, demand_date: '2003-02-30' is not a calendar date (February 2003 has 28 days)" in lines[1]
    assert lines[0].startswith(f"{where}: row 3, organization: 'EUU': constraint \"enum\"")
    assert sum("row 3, organization" in line for line in lines) == 1  # not told again by the loader
    assert lines[2] == f"{where}: row 4, demand_date: is empty: the operation cannot be timed and is left out"
    assert ops.frame["usable"].tolist() == [True, False, False]
    with pytest.raises(CorridorsError) as caught:
        load_peace_operations(path, strict=True)
    assert len(caught.value.problems) == 3 and all("\n" not in line for line in caught.value.problems)


def test_package_problems_are_one_line_each(tmp_path: Path) -> None:
    other = [{"name": "x", "type": "string"}]
    cases = [
        (_package(tmp_path, ["EU,A,2003-05-30,"], fields=other), "no resource has the fields of the peace_operations"),
        (tmp_path / "none.json", "no such file"),
    ]
    broken = tmp_path / "broken"
    broken.mkdir()
    path = _package(broken, ["EU,A,2003-05-30,"])
    (broken / "ops.csv").unlink()
    cases.append((path, "[ops.csv]"))
    for path, phrase in cases:
        with pytest.raises(CorridorsError) as caught:
            load_peace_operations(path)
        (line,) = caught.value.problems
        assert phrase in line and line.startswith(str(path)), line


def test_the_cli_describes_and_validates_a_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = str(example_path("datapackage.json"))
    code, out, err = invoke_cli(["data", "validate", package], capsys)
    assert code == 0 and "27 timed" in out and "[peace_ops_sample.csv]" in out
    code, out, err = invoke_cli(["data", "describe", package, "--no-models"], capsys)
    assert code == 0 and "unknown file type" not in err
    bad = _package(tmp_path, ["EU,A,2003-05-30,2003-06-12", "EU,B,2003-13-01,2003-06-12"])
    code, _, err = invoke_cli(["data", "validate", str(bad), "--strict"], capsys)
    assert code == 2 and "row 3, demand_date: '2003-13-01' has no month 13" in err and "Traceback" not in err
