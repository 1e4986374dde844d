"""The Python API at the top of the package: lazy, complete, the same rows as the engines."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import corridors
from corridors.engines import run_replications
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario


def test_import_corridors_loads_no_heavy_library() -> None:
    code = (
        "import sys, corridors\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', 'numba', 'mesa', 'duckdb', "
        "'lifelines', 'pydantic'})\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_every_public_name_resolves_and_has_a_docstring_with_an_example() -> None:
    for name in corridors.__all__:
        value = getattr(corridors, name)
        if name == "__version__":
            continue
        assert value.__doc__, name
        if callable(value) and name not in ("CorridorsError",):
            assert ">>>" in (value.__doc__ or ""), f"{name} has no example"
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = corridors.nonsense  # type: ignore[attr-defined]


def test_load_takes_overrides_by_dotted_path() -> None:
    scenario = corridors.load("eu", formal_meetings_per_week=0.5, realist=True, **{"parameters.trust_gain": 0.2})
    expected = load_scenario("eu", ["formal_meetings_per_week=0.5", "realist=true", "parameters.trust_gain=0.2"])
    assert scenario.content_hash() == expected.content_hash()
    with pytest.raises(CorridorsError, match="formal_meetings_per_wek"):
        corridors.load("eu", formal_meetings_per_wek=0.5)


def test_run_gives_the_rows_of_the_engines() -> None:
    rows = corridors.run("unsc", replications=6, seed=4, engine="reference")
    expected = run_replications(load_scenario("unsc"), replications=6, seed=4, engine="reference")
    pd.testing.assert_frame_equal(rows, expected)
    with pytest.raises(CorridorsError, match="unknown engine 'fast'"):
        corridors.run("unsc", engine="fast")


def test_the_command_line_starts_without_the_heavy_stages() -> None:
    """`corridors --help` and `corridors presets` import none of pandas, numba, Mesa, DuckDB, lifelines."""
    import subprocess
    import sys

    code = (
        "import sys; from corridors.cli import app; from corridors.cli import scenario_cmds;"
        "import corridors.paper as paper; paper.table_means();"
        "print(','.join(m for m in ('pandas', 'numba', 'mesa', 'duckdb', 'lifelines', 'numpy') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""
