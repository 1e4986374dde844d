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


def test_every_combination_of_choices_loads() -> None:
    for convening in ("schedule", "consensus"):
        for agency in ("network", "peers"):
            for capitals in ("lobbied", "informed"):
                chosen = [f"theory.convening={convening}", f"theory.agency={agency}", f"theory.capitals={capitals}"]
                theory = load_scenario("eu", chosen).theory
                assert (theory.convening, theory.agency, theory.capitals) == (convening, agency, capitals)


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


# --- T3: informed capitals (theory.capitals: informed) ------------------------------------------


def test_capital_estimate_reads_what_the_ambassador_knows() -> None:
    lo, hi = np.array([0.1, 0.6, 0.7, 0.0]), np.array([0.3, 0.9, 0.8, 1.0])
    salience = np.full(4, 0.5)
    work = np.empty((3, 4))
    x_hat, kappa = rules.capital_estimate(lo, hi, np.array([True, True, False, False]), salience, 0, *work)
    assert kappa == pytest.approx(1 / 3)
    assert x_hat == pytest.approx(0.45)  # equal paces: halfway between 0.3 and 0.6
    # the ambassador's own interval counts even when unmarked; with nothing else, its midpoint
    x_hat, kappa = rules.capital_estimate(lo, hi, np.zeros(4, dtype=np.bool_), salience, 0, *work)
    assert (x_hat, kappa) == (pytest.approx(0.2), 0.0)


def test_informed_widening_chance_adds_the_boost_only_when_the_estimate_is_excluded() -> None:
    v2 = rules.widening_chance(0.1, 0.2, 0.5, False, 0.5)
    assert rules.informed_widening_chance(0.1, 0.2, 0.5, 0.4, 0.5, False, False, 0.5) == v2
    assert rules.informed_widening_chance(0.1, 0.2, 0.5, 0.4, 0.5, True, False, 0.5) == pytest.approx(v2 + 0.2)
    assert rules.informed_widening_chance(0.1, 0.2, 0.5, 0.4, 0.5, True, True, 0.5) == pytest.approx((v2 + 0.2) / 2)


def _informed_at(day: int, **theory: float | str) -> Committee:
    data = tiny_scenario().model_dump(mode="json")
    data["theory"] = {"capitals": "informed", **theory}
    ref = Committee(Scenario.model_validate(data), seed=3, replicate=1)
    while ref.day < day and ref.running:
        ref.step()
    for amb in ref.ambassadors:
        amb.pressure = 0.1 * amb.index
        amb.rejected_in_public = False
    return ref


def _reviews(ref: Committee, day: int) -> tuple[int, int, np.ndarray]:
    """Both engines review from the same state; returns the batch's counts and stream state."""
    bat, state = to_batch(ref)
    before = ref.n_informed_widenings
    ref.capital_reviews()
    have_failed = ref.last_failed_proposal is not None
    widened, informed = crisis.capital_reviews(
        state, ref.p, ref.switches, bat, day, have_failed, ref.last_failed_proposal or 0.0
    )
    assert informed == ref.n_informed_widenings - before
    assert_same(ref, bat, ref.stream.state, state)
    return widened, informed, state


@pytest.mark.parametrize("day", [1, 7])
def test_informed_review_lockstep_with_private_knowledge(day: int) -> None:
    """Every ambassador knows every instruction: kappa = 1 and, with inform_effect 1, a capital
    whose instruction excludes the estimate widens for certain, toward it."""
    ref = _informed_at(day, inform_effect=1.0)
    for amb in ref.ambassadors:
        for other in ref.ambassadors:
            ref.knowledge.learn(amb.index, other.index, other.lo, other.hi, other.version, rules.CONTACT)
    salience = np.array([a.salience for a in ref.ambassadors])
    x_hat = rules.proposal(
        np.array([a.lo for a in ref.ambassadors]), np.array([a.hi for a in ref.ambassadors]), salience
    )
    reviewing = [a for a in ref.ambassadors if day % ref.p.review_days == 0 or a.called_home]
    excluded = {a.index: (a.lo, a.hi) for a in reviewing if not a.lo <= x_hat <= a.hi}
    assert excluded, "the case must exercise the informed rule"
    _, informed, _ = _reviews(ref, day)
    assert informed == len(excluded)
    for k, (lo, hi) in excluded.items():  # the bound that excluded x_hat moved toward it by the step
        amb = ref.ambassadors[k]
        step = ref.p.widen_step * (1.0 - amb.salience)
        assert (amb.lo, amb.hi) == pytest.approx(rules.widened_instruction(lo, hi, step, True, x_hat))
        assert (amb.lo < lo) == (x_hat < lo) and (amb.hi > hi) == (x_hat > hi)


@pytest.mark.parametrize("day", [1, 7, 14])
def test_informed_review_lockstep_without_private_knowledge_is_v2(day: int) -> None:
    """Ambassadors who know only their own instruction: the informed review is v2's, draw for draw."""
    ref = _informed_at(day)
    own = np.eye(ref.n + 1, ref.n, dtype=np.bool_)
    ref.knowledge.version[~own] = -1
    v2 = ref.switches._replace(informed_capitals=False)
    bat_v2, state_v2 = to_batch(ref)
    have_failed = ref.last_failed_proposal is not None
    widened_v2, _ = crisis.capital_reviews(
        state_v2, ref.p, v2, bat_v2, day, have_failed, ref.last_failed_proposal or 0.0
    )
    widened, informed, state = _reviews(ref, day)
    assert informed == 0 and widened == widened_v2
    np.testing.assert_array_equal(state, state_v2)
    np.testing.assert_allclose([a.lo for a in ref.ambassadors], bat_v2.members.lo, atol=1e-12)
    np.testing.assert_allclose([a.hi for a in ref.ambassadors], bat_v2.members.hi, atol=1e-12)


INFORMED_CASES = [
    ("eu", ["theory.capitals=informed"]),
    ("osce", ["theory.capitals=informed", "mechanisms.posturing=false", "theory.inform_effect=1.0"]),
    ("oas", ["theory.capitals=informed", "theory.agency=peers", "parameters.agency_max=0.3"]),
    ("eu", ["theory.capitals=informed", "theory.agency=peers", "agenda_setter.kind=commission"]),
]


@pytest.mark.parametrize(("preset", "overrides"), INFORMED_CASES)
def test_whole_runs_identical_under_informed(full_size: bool, preset: str, overrides: list[str]) -> None:
    scenario = load_scenario(preset, overrides)
    replications = 12 if full_size else 2
    reference = rows_to_frame([run_reference(scenario, seed=5, replicate=r)[0] for r in range(replications)])
    batch = run_replications(scenario, replications=replications, seed=5, engine="batch")
    assert (reference["informed_widenings"] > 0).any()
    pd.testing.assert_frame_equal(
        reference.drop(columns=["engine"]), batch.drop(columns=["engine"]), check_exact=False, rtol=1e-9
    )
