"""Mesa's conventions on the reference engine: a data collector, ``mesa.batch_run``, a horizon."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd
import pytest

from corridors.engines import reference
from corridors.engines.reference import Committee, CommitteeDataCollector, run_reference
from corridors.scenario import load_scenario

SHORT = "parameters.burn_in_days=30"


def test_batch_run_reports_each_run_on_its_last_day() -> None:
    runs = pd.DataFrame(
        mesa.batch_run(
            Committee,
            parameters={"scenario": "unsc", "seed": [1, 2], "overrides": SHORT},
            iterations=1,
            max_steps=1000,
            number_processes=1,
            display_progress=False,
        )
    )
    scenario = load_scenario("unsc", [SHORT])
    assert sorted(runs["RunId"].unique()) == [0, 1]
    for seed, rows in runs.groupby("seed"):
        assert len(rows) == scenario.n_members  # one row per ambassador, none for the agenda setter
        row, _ = run_reference(scenario, seed=int(seed), replicate=0)
        assert row.decided
        assert set(rows["day"]) == {row.decision_day}
        assert set(rows["Step"]) == {30 + row.decision_day}  # steps of the burn-in and the crisis, less one
        assert rows["rejecters"].iloc[0] <= scenario.n_members - 9  # the UNSC decides with 9 of 15


def test_the_collector_reads_the_model_and_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("osce", [SHORT])
    collected = Committee(scenario, seed=4, trace=True)
    row = collected.run()
    monkeypatch.setattr(CommitteeDataCollector, "collect", lambda self, model: None)
    bare = Committee(scenario, seed=4, trace=True)
    assert bare.run() == row
    assert bare.events == collected.events
    assert np.array_equal(bare.trust, collected.trust)
    assert bare.datacollector.model_vars["day"] == []
    assert len(collected.datacollector.model_vars["day"]) == collected.steps


def test_the_tables_follow_the_run() -> None:
    c = Committee("eu", seed=2, overrides=[SHORT])
    c.run()
    model = c.datacollector.get_model_vars_dataframe()
    agents = c.datacollector.get_agent_vars_dataframe()
    assert len(model) == c.steps
    assert list(model["day"]) == list(range(-30, c.day))
    assert model["proposal"].iloc[-1] == c.proposals[-1]
    assert model.loc[model["day"] < 0, "proposal"].isna().all()
    assert model.loc[model["day"] < 0, "informal_share"].isna().all()
    assert model["mean_trust"].iloc[-1] == pytest.approx(c.trust[c.trust > 0].mean())
    steps = agents.index.get_level_values("Step")
    assert steps.min() == 30 and steps.max() == c.steps - 1  # ambassadors from day 0, the demand, on
    last = agents.xs(c.steps - 1, level="Step")
    assert len(last) == c.n
    assert list(last["lo"]) == [a.lo for a in c.ambassadors]
    assert list(last["belief_hi"]) == list(c.setter.belief_hi)
    assert list(last["friends"]) == [int((c.trust[i] >= 0.5).sum()) for i in range(c.n)]
    for name, reporter in reference.AGENT_REPORTERS.items():  # Mesa's reporters, one agent at a time
        np.testing.assert_array_equal(last[name].to_numpy(), [reporter(a) for a in c.ambassadors])
    first_day = agents.xs(30, level="Step")
    assert first_day["public_lo"].isna().all() and first_day["belief_lo"].isna().all()  # no meeting yet


def test_the_horizon_stops_mesa_loops() -> None:
    c = Committee("osce", seed=1, overrides=[SHORT, "parameters.max_days=3"])
    steps = 0
    while c.running and steps < 100:
        c.step()
        steps += 1
    assert steps == 33 and c.day == 3 and not c.decided
    assert math.isnan(c.run().decision_day)


def test_a_scenario_object_takes_overrides_like_a_preset() -> None:
    eu = load_scenario("eu")
    by_object = Committee(eu, overrides=["formal_meetings_per_week=0.5"])
    by_name = Committee("eu", overrides="formal_meetings_per_week=0.5")
    assert by_object.scenario.formal_meetings_per_week == by_name.scenario.formal_meetings_per_week == 0.5
    with pytest.raises(reference.CorridorsError, match="formal_meetings_per_week"):
        Committee("eu", overrides=["formal_meetings_per_week=-1"])
