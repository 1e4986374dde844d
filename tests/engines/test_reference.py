"""The reference engine: submodels on small hand-computed cases, and invariants of whole runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.engines import initial_world, run_replications
from corridors.engines.reference import CONTACT, Committee, run_reference
from corridors.scenario import Caucus, DecisionRule, Member, Scenario, SubIssue, load_scenario


def committee_scenario(
    ideals: list[float],
    *,
    half_width: float = 0.1,
    caucuses: list[Caucus] | None = None,
    red_lines: dict[int, list[str]] | None = None,
    subissues: list[SubIssue] | None = None,
    decision_rule: DecisionRule | None = None,
    parameters: dict[str, float] | None = None,
    mechanisms: dict[str, bool] | None = None,
) -> Scenario:
    """Members with fixed ideals and intervals [ideal - half_width, ideal + half_width]."""
    red_lines = red_lines or {}
    members = [
        Member(code=f"M{chr(65 + i)}{chr(65 + i)}", name=f"member {i}", ideal=ideal, red_lines=red_lines.get(i, []))
        for i, ideal in enumerate(ideals)
    ]
    params = {"burn_in_days": 0, "width_base": half_width, "width_spread": 0.0, "max_days": 120}
    params.update(parameters or {})
    return Scenario.model_validate(
        {
            "name": "hand",
            "members": [m.model_dump() for m in members],
            "caucuses": [c.model_dump() for c in (caucuses or [])],
            "subissues": [s.model_dump() for s in (subissues or [])],
            "decision_rule": (decision_rule or DecisionRule()).model_dump(),
            "parameters": params,
            "mechanisms": mechanisms or {},
        }
    )


def test_intervals_follow_fixed_ideals_and_width() -> None:
    world = initial_world(committee_scenario([0.2, 0.5, 0.95], half_width=0.1))
    np.testing.assert_allclose(world.lo, [0.1, 0.4, 0.85])
    np.testing.assert_allclose(world.hi, [0.3, 0.6, 1.0])  # clipped at 1


def test_proposal_is_midpoint_of_tightest_believed_bounds() -> None:
    committee = Committee(committee_scenario([0.3, 0.5, 0.6], half_width=0.2))
    # the setter believes: A [0.1, 0.5] from public, B known [0.3, 0.7], C public, cut by a vote
    for amb, (lo, hi) in zip(committee.ambassadors, [(0.1, 0.5), (0.0, 1.0), (0.35, 0.8)], strict=True):
        amb.public_lo, amb.public_hi = lo, hi
    setter = committee.setter
    setter.member, setter.row = -1, committee.n  # act as a non-member setter for this check
    setter.hear_public_positions()
    committee.knowledge.learn(setter.row, 1, 0.3, 0.7, 0, CONTACT)
    setter.update_from_knowledge()
    assert (setter.belief_lo[1], setter.belief_hi[1], setter.belief_source[1]) == (0.3, 0.7, CONTACT)
    setter.learn_from_vote(2, 0.66, accepted=False, side=1)  # C said 0.66 is too high
    assert setter.belief_hi[2] == pytest.approx(0.65) and setter.formal_updates == 1
    # tightest bounds: max lo = max(0.1, 0.3, 0.35) = 0.35; min hi = min(0.5, 0.7, 0.65) = 0.5
    assert setter.propose() == pytest.approx((0.35 + 0.5) / 2)


def test_acceptance_with_agency_slack() -> None:
    committee = Committee(
        committee_scenario([0.5, 0.5], half_width=0.1, parameters={"agency_max": 0.05, "agency_half": 2.0})
    )
    committee.trust[:] = 0.0
    committee.set_trust(0, 1, 1.0)  # sum of positive ties = 1 -> slack = 0.05 * 1 / 3
    amb = committee.ambassadors[0]
    slack = 0.05 * 1.0 / (1.0 + 2.0)
    assert amb.slack() == pytest.approx(slack)
    assert amb.accepts(0.6 + slack * 0.99, set())
    assert not amb.accepts(0.6 + slack * 1.01, set())
    committee.switches = committee.switches._replace(agency=False)
    assert not amb.accepts(0.6 + slack * 0.5, set())


def test_red_line_rejection_becomes_public_and_a_bridge_drops_it() -> None:
    scenario = committee_scenario(
        [0.5, 0.5, 0.5],
        subissues=[SubIssue(name="nato_assets", probability=1.0)],
        red_lines={0: ["nato_assets"]},
        parameters={"bridge_rate": 1.0, "redraft_prob": 0.0},
    )
    committee = Committee(scenario)
    committee.trust[:] = 0.0
    committee.set_trust(0, 1, 1.0)  # the blocker's friendship: bridge chance 1 - (1 - 1 * 1^2) = 1
    committee.day = 0
    committee.in_crisis = True
    committee.formal_crisis_meeting()
    assert not committee.decided
    assert committee.public_red_lines == {0}
    assert committee.last_rejecters == {0: math.inf}
    committee.find_bridges()
    assert committee.draft == set()
    assert committee.red_line_outcome == "bridged"
    committee.formal_crisis_meeting()
    assert committee.decided


def test_without_friends_no_bridge_is_found() -> None:
    scenario = committee_scenario(
        [0.5, 0.5],
        subissues=[SubIssue(name="nato_assets", probability=1.0)],
        red_lines={0: ["nato_assets"]},
        parameters={"bridge_rate": 1.0},
    )
    committee = Committee(scenario)
    committee.trust[:] = 0.0
    committee.public_red_lines = {0}
    for _ in range(50):
        committee.find_bridges()
    assert committee.draft == {0}


def test_common_position_bloc_votes_as_one() -> None:
    bloc = Caucus(name="bloc", members=["MAA", "MBB"], common_position=True)
    scenario = committee_scenario([0.5, 0.8, 0.5], half_width=0.1, caucuses=[bloc], mechanisms={"agency": False})
    committee = Committee(scenario)
    for amb in committee.ambassadors:
        amb.public_lo, amb.public_hi = 0.45, 0.55  # setter proposes 0.5
    committee.in_crisis = True
    committee.n_formal_meetings = 1  # a later meeting: public positions already stated
    committee.formal_crisis_meeting()
    # MBB's interval [0.7, 0.9] excludes 0.5, so its bloc-mate MAA rejects too; MCC accepts
    assert not committee.decided
    assert set(committee.last_rejecters) == {0, 1}
    assert committee.last_rejecters[0] == 0.0  # bloc discipline, not its own limits


def test_qualified_majority_with_a_veto() -> None:
    rule = DecisionRule(kind="qualified_majority", quota=2, veto_members=["MAA"])
    scenario = committee_scenario([0.5, 0.5, 0.9], half_width=0.1, decision_rule=rule, mechanisms={"agency": False})
    committee = Committee(scenario)
    for amb in committee.ambassadors:
        amb.public_lo, amb.public_hi = 0.45, 0.55
    committee.in_crisis = True
    committee.n_formal_meetings = 1
    committee.formal_crisis_meeting()
    assert committee.decided  # MCC rejects but is outvoted: 2 of 3 with the veto holder in favour

    vetoed = committee_scenario([0.9, 0.5, 0.5], half_width=0.1, decision_rule=rule, mechanisms={"agency": False})
    committee = Committee(vetoed)
    for amb in committee.ambassadors:
        amb.public_lo, amb.public_hi = 0.45, 0.55
    committee.in_crisis = True
    committee.n_formal_meetings = 1
    committee.formal_crisis_meeting()
    assert not committee.decided  # 2 of 3 accept, but the veto holder MAA rejects


def test_capital_widens_toward_the_failed_proposal() -> None:
    scenario = committee_scenario([0.5, 0.5], half_width=0.1, parameters={"widen_base": 1.0, "widen_step": 0.2})
    committee = Committee(scenario)
    amb = committee.ambassadors[0]
    amb.salience = 0.5  # step = 0.2 * (1 - 0.5) = 0.1
    committee.last_failed_proposal = 0.75
    amb.capital_review()
    assert (amb.lo, amb.hi) == pytest.approx((0.4, 0.7))  # the violated upper bound moved toward 0.75
    assert amb.version == 1 and amb.pressure == 0.0
    committee.last_failed_proposal = None
    amb.capital_review()
    assert (amb.lo, amb.hi) == pytest.approx((0.35, 0.75))  # no proposal: both bounds by half a step


def test_entrenchment_lowers_the_chance_to_widen() -> None:
    scenario = committee_scenario([0.5, 0.5], parameters={"widen_base": 0.5, "lobby_effect": 0.0, "entrenchment": 1.0})
    committee = Committee(scenario)
    amb = committee.ambassadors[0]
    amb.rejected_in_public = True
    for _ in range(30):
        amb.capital_review()
    assert amb.version == 0  # chance 0.5 * (1 - 1) = 0


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31), replicate=st.integers(min_value=0, max_value=1000))
def test_same_seed_gives_the_same_row(seed: int, replicate: int) -> None:
    scenario = load_scenario("unsc", ["parameters.burn_in_days=20", "parameters.max_days=60"])
    first, _ = run_reference(scenario, seed=seed, replicate=replicate)
    second, _ = run_reference(scenario, seed=seed, replicate=replicate)
    assert first == second or (math.isnan(first.decision_day) and repr(first) == repr(second))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_decision_never_before_the_first_formal_meeting(seed: int) -> None:
    scenario = load_scenario("eu", ["parameters.burn_in_days=30", "parameters.max_days=200"])
    row, _ = run_reference(scenario, seed=seed, replicate=0)
    assert row.first_meeting_day == scenario.parameters.emergency_delay_days
    if row.decided:
        assert row.decision_day >= row.first_meeting_day


@settings(max_examples=10, deadline=None)
@given(
    ideals=st.lists(st.floats(min_value=0.35, max_value=0.65), min_size=3, max_size=8),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_shared_point_full_information_decides_at_first_meeting(ideals: list[float], seed: int) -> None:
    """Every interval contains 0.5; honest public positions (posturing off); no red lines."""
    scenario = committee_scenario(
        ideals, half_width=0.2, parameters={"burn_in_days": 30}, mechanisms={"posturing": False}
    )
    row, _ = run_reference(scenario, seed=seed, replicate=0)
    assert row.decided
    assert row.decision_day == row.first_meeting_day
    assert row.n_failed_proposals == 0


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**6))
def test_disjoint_intervals_without_capital_review_are_censored(seed: int) -> None:
    scenario = committee_scenario(
        [0.1, 0.9, 0.5], half_width=0.05, parameters={"max_days": 90}, mechanisms={"capital_review": False}
    )
    row, _ = run_reference(scenario, seed=seed, replicate=0)
    assert not row.decided
    assert math.isnan(row.decision_day) and math.isnan(row.response_months)
    assert row.horizon_days == 90


def test_initial_network_has_the_target_mean_degree() -> None:
    scenario = load_scenario("osce")
    degrees = [((initial_world(scenario, seed=3, replicate=r).weights > 0).sum(axis=1)).mean() for r in range(200)]
    target = scenario.parameters.initial_mean_degree
    standard_error = np.std(degrees) / np.sqrt(len(degrees))
    assert abs(np.mean(degrees) - target) < 4 * standard_error + 0.05


def test_routine_contacts_per_week_match_the_informal_budget() -> None:
    scenario = load_scenario("au", ["parameters.max_days=1", "parameters.burn_in_days=120"])
    rows = run_replications(scenario, replications=8, seed=5, engine="reference")
    budget = scenario.informal_contacts_per_week()
    # 53 ambassadors x 8 weeks x ~6.6 contacts: sampling error of the mean is about 1%
    assert abs(rows["contacts_per_week"].mean() - budget) < 0.05 * budget


def test_first_call_mechanism_off_sends_every_ambassador_home() -> None:
    scenario = committee_scenario([0.5, 0.5, 0.5], parameters={"burn_in_days": 10}, mechanisms={"first_call": False})
    committee = Committee(scenario)
    while committee.day <= 0:
        committee.step()
    assert all(amb.called_home for amb in committee.ambassadors)


def test_trace_narrates_the_crisis() -> None:
    scenario = load_scenario("eu", ["parameters.burn_in_days=30"])
    row, events = run_reference(scenario, seed=1, replicate=0, trace=True)
    kinds = {e.kind for e in events}
    assert {"demand", "proposal"} <= kinds
    assert ("decision" in kinds) == row.decided
    assert all(e.day >= 0 for e in events)
