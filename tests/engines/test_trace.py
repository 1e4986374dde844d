"""A trace tells the very run the batch engine stores for that seed and replicate."""

from __future__ import annotations

import pytest

from corridors.engines import run_replications
from corridors.engines.reference import run_reference
from corridors.scenario import load_scenario


@pytest.mark.parametrize("preset", ["au", "eu", "oas", "osce", "unsc"])
def test_trace_decision_day_is_the_stored_rows(preset: str) -> None:
    scenario = load_scenario(preset)
    stored = run_replications(scenario, replications=3, seed=17, engine="batch")
    for replicate in range(3):
        row, events = run_reference(scenario, seed=17, replicate=replicate, trace=True)
        batch_row = stored.iloc[replicate]
        decisions = [e.day for e in events if e.kind == "decision"]
        proposals = [e for e in events if e.kind == "proposal"]
        assert decisions == [int(batch_row["decision_day"])]
        assert len(proposals) == int(batch_row["n_formal_meetings"])
        assert row.n_capital_widenings == int(batch_row["n_capital_widenings"])
        assert row.formal_updates == int(batch_row["formal_updates"])
        assert sum(e.kind == "belief" for e in events) == int(batch_row["formal_updates"])
