"""Model v3, ``theory.convening: consensus`` (THEORIES.md T1) and the v3 row columns, on both engines.

The forecast rule on hand-built arrays (it fires through slack where intersection alone
would not; a known red line, the quota, vetoes and blocs stop it), the setter's convening
step in lockstep on a hand-built committee, and whole runs of both engines compared value
by value under consensus and consensus with peers, on the paths issue 20 names: non-member
setters, a qualified majority with a red line in the draft, members with no tie at day 0
while first calls are on, ``emergency_meeting`` off with a regular meeting on day 0, and
many bridge days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.engines.test_lockstep import assert_same, setter_of, tiny_scenario, to_batch
from tests.engines.test_theory import V2_CASES

from corridors.engines import rules, run_replications
from corridors.engines.batch import crisis, informal, kernel
from corridors.engines.batch.state import CONVENED
from corridors.engines.batch.state import Committee as BatchCommittee
from corridors.engines.reference import Committee, run_reference
from corridors.engines.rows import rows_to_frame
from corridors.scenario import Scenario, load_scenario

NO_CAUCUS = (np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_))


def _forecast(  # noqa: PLR0913 (the rule's inputs, each with a default)
    b_lo: list[float],
    b_hi: list[float],
    x: float,
    *,
    slack: float = 0.0,
    blocked: tuple[int, ...] = (),
    quota: int = 3,
    veto: tuple[int, ...] = (),
    bloc: tuple[int, ...] = (),
    peers: bool = False,
    ties: np.ndarray | None = None,
) -> tuple[bool, list[int]]:
    n = len(b_lo)
    known_blocked = np.zeros(n, dtype=np.bool_)
    known_blocked[list(blocked)] = True
    vetoes = np.zeros(n, dtype=np.bool_)
    vetoes[list(veto)] = True
    index, size, common = NO_CAUCUS
    if bloc:
        index = np.zeros((1, n), dtype=np.int64)
        index[0, : len(bloc)] = bloc
        size, common = np.array([len(bloc)]), np.array([True])
    accepted = np.zeros(n, dtype=np.int64)
    carries = rules.agreement_found(
        np.array(b_lo),
        np.array(b_hi),
        known_blocked,
        np.full(n, slack),
        np.zeros((n, n)) if ties is None else ties,
        1.0,
        x,
        peers,
        0.2 if peers else 0.0,
        1.0,
        quota,
        vetoes,
        index,
        size,
        common,
        accepted,
        np.zeros(n),
    )
    return bool(carries), accepted.tolist()


# Three believed intervals with no common point (0.45 < 0.5): intersection alone never fires.
LO, HI = [0.2, 0.5, 0.46], [0.45, 0.8, 0.9]
X = float(rules.proposal(np.array(LO), np.array(HI), np.array([0.5, 0.5, 0.5])))


def test_forecast_counts_the_slack_the_setter_expects() -> None:
    assert 0.45 < X < 0.5
    assert _forecast(LO, HI, X) == (False, [0, 0, 1])
    assert _forecast(LO, HI, X, slack=0.03) == (True, [1, 1, 1])


def test_forecast_stops_at_a_known_red_line_unless_the_quota_outvotes_it() -> None:
    assert _forecast(LO, HI, X, slack=0.03, blocked=(2,)) == (False, [1, 1, 0])
    assert _forecast(LO, HI, X, slack=0.03, blocked=(2,), quota=2)[0]
    assert not _forecast(LO, HI, X, slack=0.03, blocked=(2,), quota=2, veto=(2,))[0]
    # a bloc votes as one: member 1 follows member 2 out, and the quota of 2 is missed
    assert _forecast(LO, HI, X, slack=0.03, blocked=(2,), quota=2, bloc=(1, 2)) == (False, [1, 0, 0])


def test_forecast_under_peers_runs_the_cascade_on_beliefs() -> None:
    ties = np.zeros((3, 3))
    ties[0, 2] = ties[2, 0] = ties[1, 2] = ties[2, 1] = 0.9
    # only member 2 accepts X on its belief; its friends join through it
    assert _forecast(LO, HI, X, peers=True, ties=ties) == (True, [1, 1, 1])
    assert _forecast(LO, HI, X, peers=True) == (False, [0, 0, 1])


def test_vote_carries_applies_blocs_quota_and_vetoes() -> None:
    index, size, common = np.array([[0, 1, 0]]), np.array([2]), np.array([True])
    accepted = np.array([1, 0, 1])
    assert not rules.vote_carries(accepted, 2, np.zeros(3, dtype=np.bool_), index, size, common)
    assert accepted.tolist() == [0, 0, 1]
    accepted = np.array([1, 1, 0])
    assert rules.vote_carries(accepted, 2, np.zeros(3, dtype=np.bool_), index, size, common)
    assert not rules.vote_carries(accepted, 2, np.array([False, False, True]), index, size, common)


# --- lockstep on a hand-built committee ------------------------------------------------------


def _consensus_tiny(notice: int = 1, **theory: str) -> Scenario:
    data = tiny_scenario().model_dump(mode="json")
    data["theory"] = {"convening": "consensus", "convening_notice_days": notice, **theory}
    data["parameters"].update({"agency_max": 0.2})
    return Scenario.model_validate(data)


def _batch_with_convened(ref: Committee) -> tuple[BatchCommittee, np.ndarray]:
    bat, state = to_batch(ref)
    marks = bat.world.regular_meetings
    for day in ref.crisis_meeting_days - ref.regular_meeting_days:
        marks[day + ref.p.burn_in_days] = CONVENED
    return bat, state


def _crisis_days(ref: Committee, bat: BatchCommittee) -> set[int]:
    marks = bat.world.regular_meetings
    return {d for d in range(ref.p.max_days) if kernel.is_crisis_meeting(d, marks, ref.p, ref.switches)}


def _after_first_meeting(scenario: Scenario, *, free: bool = True) -> Committee:
    """The reference committee on a crisis day after its first crisis meeting (``free``: none due within the notice)."""
    ref = Committee(scenario, seed=3, replicate=1)
    while ref.running and (ref.n_formal_meetings == 0 or not ref.in_crisis):
        ref.step()
    notice = scenario.theory.convening_notice_days
    while free and any(d in ref.crisis_meeting_days for d in range(ref.day, ref.day + notice + 1)):
        ref.step()
    assert ref.running and not ref.decided
    return ref


@pytest.mark.parametrize(
    ("case", "fires"),
    [("agreed", True), ("no_slack", False), ("known_red_line", False), ("as_run", None)],
)
@pytest.mark.parametrize("notice", [0, 2])
def test_convene_meeting_lockstep(case: str, fires: bool | None, notice: int) -> None:
    """The setter's check in both engines from the same state: fires when its beliefs agree (with slack)."""
    ref = _after_first_meeting(_consensus_tiny(notice))
    if case != "as_run":
        ref.draft = set() if case != "known_red_line" else {0}
        ref.public_red_lines = {0} if case == "known_red_line" else set()
        ref.setter.belief_lo[:] = [0.2, 0.46, 0.5, 0.5, 0.5, 0.5]
        ref.setter.belief_hi[:] = [0.45, 0.9, 0.8, 0.8, 0.8, 0.8]
        ref.setter.belief_version[:] = 99  # nothing the setter knows replaces them
        if case == "no_slack":
            ref.switches = ref.switches._replace(agency=False)
    bat, state = _batch_with_convened(ref)
    setter, row = setter_of(ref)
    day = ref.day
    before = ref.n_convened_meetings
    ref.convene_meeting()
    fired = crisis.convene_meeting(ref.p, ref.switches, bat, setter, row, day)
    assert fired == (ref.n_convened_meetings > before)
    if fires is not None:
        assert fired == fires
    if fired:
        assert day + notice in ref.crisis_meeting_days
    assert _crisis_days(ref, bat) == ref.crisis_meeting_days
    np.testing.assert_array_equal(bat.theory.forecast, ref.setter.forecast)
    assert_same(ref, bat, ref.stream.state, state)


def test_convene_meeting_waits_for_a_meeting_already_due() -> None:
    """With a crisis meeting due within the notice, the setter calls none and changes nothing."""
    ref = _after_first_meeting(_consensus_tiny(7), free=False)  # weekly meetings: one is due within 7 days
    assert any(d in ref.crisis_meeting_days for d in range(ref.day, ref.day + 8))
    ref.setter.belief_lo[:], ref.setter.belief_hi[:] = 0.0, 1.0
    bat, state = _batch_with_convened(ref)
    setter, row = setter_of(ref)
    days = set(ref.crisis_meeting_days)
    ref.convene_meeting()
    assert not crisis.convene_meeting(ref.p, ref.switches, bat, setter, row, ref.day)
    assert ref.crisis_meeting_days == days
    assert_same(ref, bat, ref.stream.state, state)


def test_first_calls_tally_lockstep() -> None:
    ref = Committee(tiny_scenario(), seed=3, replicate=1)
    while ref.day < 0:
        ref.step()
    ref.routine = ref.network_measures()
    ref.in_crisis = True
    bat, state = to_batch(ref)
    ref.first_calls()
    informal.first_calls(state, ref.p, ref.switches, bat)
    assert bat.theory.first_callers[0] == ref.first_callers == sum(1 for a in ref.ambassadors if not a.called_home)
    assert_same(ref, bat, ref.stream.state, state)


# --- whole runs, both engines --------------------------------------------------------------


def _tiny(**changes: Any) -> dict[str, Any]:
    data = tiny_scenario().model_dump(mode="json")
    data["parameters"].update({"agency_max": 0.2, "max_days": 120})
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value
    return data


def _isolated_member() -> dict[str, Any]:
    """FFF has no tie at day 0 (no burn-in, observed ties only), and first calls are on."""
    data = _tiny(**{"parameters.burn_in_days": 0})
    data["ties"] = [t for t in data["ties"] if "FFF" not in t["members"]]
    return data


WHOLE_RUN_CASES: dict[str, dict[str, Any]] = {
    "presidency": _tiny(),
    "commission": _tiny(**{"agenda_setter.kind": "commission"}),
    "secretariat": _tiny(**{"agenda_setter.kind": "secretariat", "parameters.redraft_prob": 0.0}),
    "qualified_majority_red_line": _tiny(
        **{
            "decision_rule": {"kind": "qualified_majority", "quota": 3},
            "parameters.redraft_prob": 0.0,
            "parameters.bridge_rate": 0.0,
        }
    ),
    "no_tie_first_calls": _isolated_member(),
    "no_emergency_day0_meeting": _tiny(**{"mechanisms.emergency_meeting": False, "formal_meetings_per_week": 3.5}),
    "many_bridge_days": _tiny(**{"parameters.redraft_prob": 0.0, "parameters.bridge_rate": 0.002}),
}
THEORIES = {
    "consensus": {"convening": "consensus"},
    "consensus+peers": {"convening": "consensus", "agency": "peers"},
    "consensus+notice0": {"convening": "consensus", "convening_notice_days": 0},
    "all_three": {"convening": "consensus", "agency": "peers", "capitals": "informed"},
}
THEORY_PARAMS = list(THEORIES)


def _both_engines(scenario: Scenario, replications: int, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    reference = rows_to_frame([run_reference(scenario, seed=seed, replicate=r)[0] for r in range(replications)])
    batch = run_replications(scenario, replications=replications, seed=seed, engine="batch")
    return reference.drop(columns=["engine"]), batch.drop(columns=["engine"])


@pytest.mark.parametrize("theory", THEORY_PARAMS)
@pytest.mark.parametrize("case", list(WHOLE_RUN_CASES))
def test_whole_runs_identical_under_consensus(full_size: bool, case: str, theory: str) -> None:
    data = dict(WHOLE_RUN_CASES[case], theory=THEORIES[theory])
    reference, batch = _both_engines(Scenario.model_validate(data), 8 if full_size else 3)
    pd.testing.assert_frame_equal(reference, batch, check_exact=False, rtol=1e-9)


def test_whole_run_cases_reach_their_paths() -> None:
    """The cases above take the paths they are named for (checked on the batch engine, cheaply)."""

    def rows(case: str, theory: str = "consensus", replications: int = 12) -> pd.DataFrame:
        data = dict(WHOLE_RUN_CASES[case], theory=THEORIES[theory])
        return run_replications(Scenario.model_validate(data), replications=replications, seed=5, engine="batch")

    assert (rows("presidency")["convened_meetings"] > 0).any()
    assert (rows("commission")["setter"] == "commission").all()
    assert (rows("qualified_majority_red_line")["red_line"] == "outvoted").any()
    assert (rows("no_tie_first_calls")["first_call_share"] < 1.0).all()
    assert (rows("no_emergency_day0_meeting")["first_meeting_day"] == 2).any()  # day 0 was a regular meeting
    bridged = rows("many_bridge_days")
    assert (bridged["red_line"].isin(["bridged", "unresolved"])).all()
    assert (rows("presidency", "consensus+peers")["cascade_rounds"] > 0).any()


PRESET_CASES = [
    ("oas", ["theory.convening=consensus"]),
    ("eu", ["theory.convening=consensus", "theory.agency=peers", "agenda_setter.kind=commission"]),
    pytest.param(
        "au",
        ["theory.convening=consensus", "theory.agency=peers", "theory.capitals=informed"],
        id="au-all-three",
    ),
]


@pytest.mark.parametrize(("preset", "overrides"), PRESET_CASES)
def test_preset_runs_identical_under_v3(full_size: bool, preset: str, overrides: list[str]) -> None:
    shorter = [] if full_size else ["parameters.burn_in_days=60", "parameters.max_days=200"]
    reference, batch = _both_engines(load_scenario(preset, [*overrides, *shorter]), 6 if full_size else 2)
    pd.testing.assert_frame_equal(reference, batch, check_exact=False, rtol=1e-9)


@pytest.mark.parametrize(("preset", "overrides"), V2_CASES)
def test_v2_rows_record_no_convening_and_no_cascade(preset: str, overrides: list[str]) -> None:
    """At the defaults nothing of v3 acts: no convened meeting, no cascade; first calls as the switch says."""
    rows = run_replications(load_scenario(preset, overrides), replications=6, seed=3, engine="batch")
    assert (rows["convened_meetings"] == 0).all() and (rows["cascade_rounds"] == 0).all()
    calls = rows["first_call_share"]
    if "realist=true" in overrides:
        assert (calls == 0.0).all()
    else:
        assert calls.between(0.0, 1.0).all() and (calls > 0.0).any()
