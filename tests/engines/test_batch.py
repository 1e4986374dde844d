"""The batch engine: scale, blocks of rows, seeding and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.engines import run_replications
from corridors.engines.batch import iter_batch, run_batch
from corridors.scenario import Member, Scenario, load_scenario


def generated_scenario(n_members: int) -> Scenario:
    members = [
        Member(
            code=f"{chr(65 + i // 676)}{chr(65 + (i // 26) % 26)}{chr(65 + i % 26)}",
            name=f"member {i}",
            subregion=f"region_{i % 6}",
            language=("en", "fr", "es")[i % 3],
        )
        for i in range(n_members)
    ]
    caucuses = [{"name": f"group_{g}", "members": [m.code for m in members[g::6]]} for g in range(6)]
    return Scenario.model_validate(
        {
            "name": f"generated_{n_members}",
            "members": [m.model_dump() for m in members],
            "caucuses": caucuses,
            "formal_meetings_per_week": 1.0,
            "parameters": {"burn_in_days": 120},
        }
    )


def test_an_organization_of_193_members_runs() -> None:
    scenario = generated_scenario(193)
    rows = run_batch(scenario, replications=4, seed=2)
    assert len(rows) == 4
    assert rows["decided"].dtype == bool
    assert (rows["friends_mean"] >= 0).all() and (rows["density"] <= 1).all()
    assert rows["first_meeting_day"].eq(scenario.parameters.emergency_delay_days).all()
    decided = rows[rows["decided"]]
    assert (decided["decision_day"] >= decided["first_meeting_day"]).all()


def test_rows_stream_in_blocks() -> None:
    scenario = load_scenario("unsc", ["parameters.burn_in_days=30"])
    blocks = list(iter_batch(scenario, replications=10, seed=1, block=4))
    assert [len(b) for b in blocks] == [4, 4, 2]
    whole = run_batch(scenario, replications=10, seed=1)
    pd.testing.assert_frame_equal(pd.concat(blocks, ignore_index=True), whole)


def test_different_seeds_give_different_worlds() -> None:
    scenario = load_scenario("eu")
    a = run_replications(scenario, replications=20, seed=1)
    b = run_replications(scenario, replications=20, seed=2)
    assert not np.allclose(a["friends_mean"], b["friends_mean"])
    assert a["replicate"].tolist() == list(range(20))


def test_crowding_out_lowers_routine_contacts() -> None:
    few = run_replications(load_scenario("eu", ["formal_meetings_per_week=0.5"]), replications=40, seed=1)
    many = run_replications(load_scenario("eu", ["formal_meetings_per_week=7"]), replications=40, seed=1)
    assert few["contacts_per_week"].mean() > many["contacts_per_week"].mean() + 1.0


def test_censored_runs_have_no_response_time() -> None:
    scenario = load_scenario(
        "eu", ["mechanisms.capital_review=false", "parameters.max_days=30", "parameters.burn_in_days=10"]
    )
    rows = run_batch(scenario, replications=30, seed=3)
    undecided = rows[~rows["decided"]]
    assert len(undecided) > 0
    assert undecided["decision_day"].isna().all() and undecided["response_months"].isna().all()
    assert (undecided["horizon_days"] == 30).all()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31), first=st.integers(min_value=0, max_value=10**6))
def test_batch_same_seed_same_rows(seed: int, first: int) -> None:
    scenario = load_scenario("oas", ["parameters.burn_in_days=30", "parameters.max_days=120"])
    a = run_batch(scenario, replications=3, seed=seed, first_replicate=first)
    b = run_batch(scenario, replications=3, seed=seed, first_replicate=first)
    pd.testing.assert_frame_equal(a, b)
    decided = a[a["decided"]]
    assert (decided["decision_day"] >= decided["first_meeting_day"]).all()
    assert (a["n_failed_proposals"] <= a["n_formal_meetings"]).all()


@settings(max_examples=8, deadline=None)
@given(
    ideals=st.lists(st.floats(min_value=0.35, max_value=0.65), min_size=3, max_size=10),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_batch_shared_point_with_honest_positions_decides_at_first_meeting(ideals: list[float], seed: int) -> None:
    members = [Member(code=f"Z{chr(65 + i)}{chr(65 + i)}", name=f"m{i}", ideal=x) for i, x in enumerate(ideals)]
    scenario = Scenario.model_validate(
        {
            "name": "shared",
            "members": [m.model_dump() for m in members],
            "parameters": {"width_base": 0.2, "width_spread": 0.0, "burn_in_days": 20},
            "mechanisms": {"posturing": False},
        }
    )
    rows = run_batch(scenario, replications=3, seed=seed)
    assert rows["decided"].all()
    assert (rows["decision_day"] == rows["first_meeting_day"]).all()


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    replicate=st.integers(0, 10**9),
    key=st.text(alphabet="0123456789abcdef", min_size=8, max_size=64),
)
def test_a_replicates_streams_are_the_two_children_its_seed_sequence_spawns(
    seed: int, replicate: int, key: str
) -> None:
    from corridors.engines.draws import replicate_seed_sequence, replicate_streams
    from corridors.engines.rng import new_state

    draws_child, dynamics_child = replicate_seed_sequence(seed, key, replicate).spawn(2)
    draws_state, dynamics_seq = replicate_streams(seed, key, replicate)
    np.testing.assert_array_equal(draws_state, new_state(draws_child))
    assert dynamics_seq.spawn_key == dynamics_child.spawn_key == (1,)
    np.testing.assert_array_equal(dynamics_seq.generate_state(8), dynamics_child.generate_state(8))
