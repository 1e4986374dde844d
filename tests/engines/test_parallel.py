"""Rows are the same, bit for bit, for any number of workers and any block size."""

from __future__ import annotations

import pandas as pd
import pytest

from corridors.engines import run_replications
from corridors.engines.parallel import block_size, run_batch_parallel
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario


def test_rows_do_not_depend_on_workers_or_blocks() -> None:
    scenario = load_scenario("unsc", ["parameters.burn_in_days=60"])
    one = run_replications(scenario, replications=150, seed=9, engine="batch", workers=1)
    counted: list[int] = []
    two = run_batch_parallel(scenario, replications=150, seed=9, workers=2, block=64, progress=counted.append)
    odd = run_batch_parallel(scenario, replications=150, seed=9, workers=3, block=37)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, odd)
    assert sorted(counted) == [22, 64, 64]
    shifted = run_batch_parallel(scenario, replications=100, seed=9, first_replicate=50, workers=2, block=30)
    pd.testing.assert_frame_equal(shifted, one.iloc[50:].reset_index(drop=True))


def test_block_size_balances_and_stays_bounded() -> None:
    assert block_size(10_000, 2) == 1024
    assert block_size(2_000, 2) == 250
    assert block_size(10, 8) == 64


def test_negative_workers_are_refused() -> None:
    with pytest.raises(CorridorsError, match="--workers"):
        run_replications(load_scenario("unsc"), replications=2, workers=-1)
