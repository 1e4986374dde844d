"""Model v3's rival submodels (``theory:``): v2 by default, the peers cascade, both engines in step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.engines.test_lockstep import assert_same, setter_of, tiny_scenario, to_batch

from corridors.engines import rules, run_replications
from corridors.engines.batch import crisis
from corridors.engines.reference import Committee, run_reference
from corridors.engines.rows import rows_to_frame
from corridors.errors import CorridorsError
from corridors.scenario import Scenario, load_scenario

V2_CASES = [
    ("au", []),
    ("eu", []),
    ("oas", []),
    ("osce", []),
    ("unsc", []),
    ("eu", ["realist=true"]),
    ("osce", ["mechanisms.posturing=false"]),
]
V2_DEFAULTS = [
    "theory.convening=schedule",
    "theory.convening_notice_days=1",
    "theory.agency=network",
    "theory.capitals=lobbied",
    "theory.inform_effect=0.5",
]


@pytest.mark.parametrize(("preset", "overrides"), V2_CASES)
def test_defaults_reproduce_v2_rows(preset: str, overrides: list[str]) -> None:
    """A theory section at its defaults gives the rows of a scenario without one, byte for byte."""
    absent = run_replications(load_scenario(preset, overrides), replications=6, seed=3, engine="batch")
    present = run_replications(
        load_scenario(preset, [*overrides, *V2_DEFAULTS]), replications=6, seed=3, engine="batch"
    )
    pd.testing.assert_frame_equal(absent, present, check_exact=True)


def test_choices_not_built_are_one_line_errors() -> None:
    for override in ("theory.capitals=informed",):
        with pytest.raises(CorridorsError, match="not built yet"):
            load_scenario("eu", [override])


def _chain() -> tuple[np.ndarray, ...]:
    """Four members on a chain of ties; only the first accepts 0.5 on its own instruction."""
    lo = np.array([0.4, 0.52, 0.54, 0.56])
    hi = np.array([0.6, 0.9, 0.9, 0.9])
    trust = np.zeros((4, 4))
    for a, b in ((0, 1), (1, 2), (2, 3)):
        trust[a, b] = trust[b, a] = 0.9
    return lo, hi, np.zeros(4, dtype=np.bool_), trust


def test_join_peers_cascades_in_rounds() -> None:
    lo, hi, blocked, trust = _chain()
    accepted, slack = np.zeros(4, dtype=np.int64), np.zeros(4)
    rounds = rules.join_peers(lo, hi, blocked, trust, 1.0, 0.5, 0.2, 1.0, accepted, slack)
    assert rounds == 3 and accepted.tolist() == [1, 1, 1, 1]
    assert slack[3] == pytest.approx(rules.agency_slack(0.9, 0.2, 1.0))
    # no slack, or a red line: the cascade stops
    assert rules.join_peers(lo, hi, blocked, trust, 1.0, 0.5, 0.0, 1.0, accepted, slack) == 0
    assert accepted.tolist() == [1, 0, 0, 0]
    blocked[1] = True
    assert rules.join_peers(lo, hi, blocked, trust, 1.0, 0.5, 0.2, 1.0, accepted, slack) == 0
    assert accepted.tolist() == [1, 0, 0, 0]
    # the stored scale multiplies the ties (the batch engine's decay factor)
    assert rules.join_peers(lo, hi, np.zeros(4, dtype=np.bool_), trust / 0.5, 0.5, 0.5, 0.2, 1.0, accepted, slack) == 3


def _peers_scenario(**parameters: float) -> Scenario:
    data = tiny_scenario().model_dump(mode="json")
    data["theory"] = {"agency": "peers"}
    data["parameters"].update({"agency_max": 0.3, **parameters})
    return Scenario.model_validate(data)


@pytest.mark.parametrize("meetings", [0, 1, 2])
def test_formal_crisis_meeting_lockstep_under_peers(meetings: int) -> None:
    ref = Committee(_peers_scenario(), seed=3, replicate=1)
    while ref.day < 2 and ref.running:
        ref.step()
    while ref.n_formal_meetings < meetings and ref.running:
        ref.step()
    while ref.day not in ref.crisis_meeting_days:
        ref.step()
    bat, state = to_batch(ref)
    setter, row = setter_of(ref)
    ref.formal_crisis_meeting()
    decided, x, _, _, _ = crisis.formal_crisis_meeting(
        state, ref.p, ref.switches, bat, setter, row, ref.n_formal_meetings == 1
    )
    assert decided == ref.decided
    assert x == pytest.approx(ref.proposals[-1], abs=1e-12)
    np.testing.assert_allclose(bat.members.vote_slack, ref.vote_slack, atol=1e-12)
    if not decided:  # a rejecter's distance uses its slack at the end of the cascade
        np.testing.assert_allclose(
            bat.members.rejection_distance, [ref.last_rejecters.get(i, -1.0) for i in range(ref.n)], atol=1e-12
        )
    assert_same(ref, bat, ref.stream.state, state)


PEERS_CASES = [
    ("eu", ["theory.agency=peers", "parameters.agency_max=0.3"]),
    ("oas", ["theory.agency=peers"]),
    (
        "au",
        [
            "theory.agency=peers",
            "parameters.agency_max=0.3",
            "decision_rule.kind=qualified_majority",
            "decision_rule.quota=40",
        ],
    ),
    (
        "eu",
        [
            "theory.agency=peers",
            "agenda_setter.kind=commission",
            "subissues.nato_assets.probability=1.0",
            "parameters.redraft_prob=0.0",
        ],
    ),
]


@pytest.mark.parametrize(("preset", "overrides"), PEERS_CASES)
def test_whole_runs_identical_under_peers(full_size: bool, preset: str, overrides: list[str]) -> None:
    scenario = load_scenario(preset, overrides)
    replications = 12 if full_size else 2
    reference = rows_to_frame([run_reference(scenario, seed=5, replicate=r)[0] for r in range(replications)])
    batch = run_replications(scenario, replications=replications, seed=5, engine="batch")
    pd.testing.assert_frame_equal(
        reference.drop(columns=["engine"]), batch.drop(columns=["engine"]), check_exact=False, rtol=1e-9
    )
