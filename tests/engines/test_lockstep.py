"""Lockstep: each reference method and its batch function, from the same state and uniforms.

A small hand-built committee (six members, two caucuses, one with its own schedule, a red
line, strong known ties) is advanced on the reference engine to the moment a mechanism
acts; its state is copied into the batch engine's named arrays together with the stream
state, both engines apply the one mechanism, and every piece of state must agree to 1e-12,
including how many uniforms were drawn. A change to a mechanism in one engine alone fails
its test here.
"""

from __future__ import annotations

import numpy as np
import pytest

from corridors.engines.batch import crisis, informal, kernel
from corridors.engines.batch import ties as batch_ties
from corridors.engines.batch.informal import SOURCE_BITS
from corridors.engines.batch.state import Committee as BatchCommittee
from corridors.engines.batch.state import allocate
from corridors.engines.reference import Committee
from corridors.scenario import Scenario

CODES = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]


def tiny_scenario(**mechanisms: bool) -> Scenario:
    members = [
        {
            "code": c,
            "name": c,
            "ideal": x,
            "subregion": "north" if i < 3 else "south",
            "red_lines": ["nato_assets"] if c == "FFF" else [],
        }
        for i, (c, x) in enumerate(zip(CODES, [0.2, 0.35, 0.5, 0.55, 0.7, 0.9], strict=True))
    ]
    ties = [
        {"members": [a, b], "strength": w}
        for a, b, w in [
            ("AAA", "BBB", 0.8),
            ("BBB", "CCC", 0.6),
            ("CCC", "DDD", 0.7),
            ("DDD", "EEE", 0.9),
            ("EEE", "FFF", 0.75),
            ("AAA", "FFF", 0.5),
            ("BBB", "EEE", -0.6),
        ]
    ]
    return Scenario.model_validate(
        {
            "name": "tiny",
            "members": members,
            "caucuses": [
                {"name": "north", "members": CODES[:3], "meets_before_formal": True},
                {
                    "name": "dinner",
                    "members": ["CCC", "DDD", "FFF"],
                    "meets_before_formal": False,
                    "meets_every_days": 3,
                    "common_position": True,
                },
            ],
            "subissues": [{"name": "nato_assets", "probability": 1.0}],
            "ties": ties,
            "observed_network": True,
            "agenda_setter": {"kind": "presidency"},
            "parameters": {
                "burn_in_days": 20,
                "max_days": 60,
                "width_base": 0.1,
                "width_spread": 0.2,
                "disclosure": 1.0,
                "gossip_rate": 1.0,
                "lobby_rate": 1.0,
                "redraft_prob": 0.3,
                "bridge_rate": 0.4,
                "tenure_days": 400.0,
            },
            "mechanisms": mechanisms,
        }
    )


def reference_at(day: int, **mechanisms: bool) -> Committee:
    """The reference committee just before it runs ``day``."""
    committee = Committee(tiny_scenario(**mechanisms), seed=3, replicate=1)
    while committee.day < day and committee.running:
        committee.step()
    return committee


def to_batch(ref: Committee) -> tuple[BatchCommittee, np.ndarray]:
    """The reference committee's state as the batch engine's named arrays, and its stream state."""
    bat = allocate(ref.scenario, ref.p)
    n = ref.n
    m = bat.members
    for amb in ref.ambassadors:
        i = amb.index
        m.ideal[i], m.salience[i], m.lo[i], m.hi[i] = amb.ideal, amb.salience, amb.lo, amb.hi
        m.version[i], m.pressure[i] = amb.version, amb.pressure
        m.public_lo[i], m.public_hi[i], m.public_version[i] = amb.public_lo, amb.public_hi, amb.public_version
        m.called_home[i], m.rejected_in_public[i] = amb.called_home, amb.rejected_in_public
        m.rejection_distance[i] = ref.last_rejecters.get(i, -1.0)
    bat.ties.stored[:, :n] = ref.trust
    bat.ties.scale[0] = 1.0
    batch_ties.rebuild_ties(bat.ties)
    k = ref.knowledge
    known = k.version >= 0
    bat.knowledge.code[:] = np.where(known, ((k.version + 1) << SOURCE_BITS) | k.source, 0)
    bat.knowledge.lo[:], bat.knowledge.hi[:] = k.lo, k.hi
    s = ref.setter
    bat.beliefs.lo[:], bat.beliefs.hi[:] = s.belief_lo, s.belief_hi
    bat.beliefs.version[:], bat.beliefs.source[:] = s.belief_version, s.belief_source
    w = bat.world
    w.in_draft[:] = [i in ref.draft for i in range(w.in_draft.size)]
    w.public_red_lines[:] = [i in ref.public_red_lines for i in range(w.in_draft.size)]
    w.caucus_phase_days[:] = ref.draws.caucus_phase_days
    kernel.fill_schedule(
        w.regular_meetings,
        -ref.p.burn_in_days + ref.draws.meeting_phase_days,
        ref.p.meeting_interval_days,
        ref.p.burn_in_days,
    )
    return bat, ref.stream.state.copy()


def assert_same(ref: Committee, bat: BatchCommittee, ref_state: np.ndarray, bat_state: np.ndarray) -> None:
    """Every piece of state agrees (1e-12), and both drew the same uniforms."""
    n = ref.n
    np.testing.assert_array_equal(ref_state, bat_state, err_msg="the engines drew different numbers of uniforms")
    w = np.where(bat.ties.stored[:, :n] > 0, bat.ties.stored[:, :n] * bat.ties.scale[0], bat.ties.stored[:, :n])
    np.testing.assert_allclose(w, ref.trust, atol=1e-12, err_msg="ties")
    m = bat.members
    for name in (
        "lo",
        "hi",
        "version",
        "pressure",
        "public_lo",
        "public_hi",
        "public_version",
        "rejected_in_public",
        "called_home",
    ):
        np.testing.assert_allclose(
            getattr(m, name), [float(getattr(a, name)) for a in ref.ambassadors], atol=1e-12, err_msg=name
        )
    k = ref.knowledge
    code = bat.knowledge.code
    np.testing.assert_array_equal((code >> SOURCE_BITS) - 1, k.version, err_msg="knowledge versions")
    np.testing.assert_array_equal(
        np.where(k.version >= 0, code & 7, 0), np.where(k.version >= 0, k.source, 0), err_msg="knowledge sources"
    )
    known = k.version >= 0
    np.testing.assert_allclose(bat.knowledge.lo[known], k.lo[known], atol=1e-12)
    np.testing.assert_allclose(bat.knowledge.hi[known], k.hi[known], atol=1e-12)
    s = ref.setter
    np.testing.assert_allclose(bat.beliefs.lo, s.belief_lo, atol=1e-12, err_msg="beliefs")
    np.testing.assert_allclose(bat.beliefs.hi, s.belief_hi, atol=1e-12, err_msg="beliefs")
    np.testing.assert_array_equal(bat.beliefs.source, s.belief_source, err_msg="belief sources")
    assert [i for i in range(bat.world.in_draft.size) if bat.world.in_draft[i]] == sorted(ref.draft)
    assert [i for i in range(bat.world.in_draft.size) if bat.world.public_red_lines[i]] == sorted(ref.public_red_lines)


def setter_of(ref: Committee) -> tuple[int, int]:
    return ref.setter.member, ref.setter.row


def test_call_lockstep() -> None:
    """One informal contact in the crisis: disclosure, gossip, lobbying, trust growth."""
    ref = reference_at(5)
    ref.knowledge.learn(2, 4, 0.4, 0.8, 0, 2)  # CCC knows EEE first-hand: something to gossip
    bat, state = to_batch(ref)
    for _ in range(10):
        ref.ambassadors[2].call(ref.ambassadors[1])
        informal.call(state, ref.p, ref.switches, bat, 2, 1, True)
    assert ref.knowledge.version[1, 4] == 0  # the gossip reached BBB
    assert_same(ref, bat, ref.stream.state, state)


def test_gossip_lockstep() -> None:
    ref = reference_at(4)
    ref.knowledge.learn(0, 5, 0.1, 0.3, 2, 4)
    ref.knowledge.learn(0, 3, 0.1, 0.3, 5, 3)  # learned by gossip: not passed on
    ref.knowledge.learn(2, 1, 0.2, 0.6, 1, 2)  # and CCC knows BBB first-hand: told back to AAA
    bat, state = to_batch(ref)
    ref.ambassadors[0].gossip_to(ref.ambassadors[2])
    ref.ambassadors[2].gossip_to(ref.ambassadors[0])
    informal.gossip_between(bat.knowledge, 0, 2)
    assert ref.knowledge.version[2, 5] == 2 and ref.knowledge.version[2, 3] < 5
    assert ref.knowledge.version[0, 1] == 1
    assert_same(ref, bat, ref.stream.state, state)


@pytest.mark.parametrize("member", range(6))
def test_choose_partner_lockstep(member: int) -> None:
    ref = reference_at(-3)
    bat, state = to_batch(ref)
    for _ in range(40):
        assert ref.ambassadors[member].choose_partner() == informal.choose_partner(state, ref.p, bat.ties, member)
    assert_same(ref, bat, ref.stream.state, state)


@pytest.mark.parametrize("day", [-4, 6])
def test_informal_contacts_lockstep(day: int) -> None:
    """A whole day of contacts, routine and crisis."""
    ref = reference_at(day)
    bat, state = to_batch(ref)
    ref.informal_contacts()
    crisis_day = day >= 0
    rate = ref.p.crisis_contacts_per_day if crisis_day else ref.p.routine_contacts_per_day
    informal.informal_contacts(
        state, ref.p, ref.switches, bat, bat.world.contact_cdf[int(crisis_day)], rate, crisis_day
    )
    assert_same(ref, bat, ref.stream.state, state)


def test_first_calls_lockstep() -> None:
    ref = reference_at(0)
    ref.routine = ref.network_measures()
    ref.in_crisis = True
    bat, state = to_batch(ref)
    ref.first_calls()
    informal.first_calls(state, ref.p, ref.switches, bat)
    assert_same(ref, bat, ref.stream.state, state)


def test_rotate_lockstep() -> None:
    ref = reference_at(-10)
    ref.p = ref.p._replace(tenure_days=4.0)  # departures every day or two
    ref.log_stay = np.log1p(-1.0 / ref.p.tenure_days)
    ref.stream.start_departures(ref.log_stay)
    bat, state = to_batch(ref)
    skip = ref.stream.skip
    for _ in range(6):
        ref.rotate()
        skip = informal.rotate(state, ref.p, bat.ties, bat.world.caucus_mates, skip, bat.members.leavers)
    assert (ref.trust == ref.p.rotation_keep).any()
    assert skip == ref.stream.skip
    assert_same(ref, bat, ref.stream.state, state)


@pytest.mark.parametrize("day", [1, 7, 14])
def test_capital_reviews_lockstep(day: int) -> None:
    ref = reference_at(day)
    for amb in ref.ambassadors:
        amb.pressure = 0.3 * amb.index
    bat, state = to_batch(ref)
    ref.capital_reviews()
    have_failed = ref.last_failed_proposal is not None
    crisis.capital_reviews(state, ref.p, ref.switches, bat, day, have_failed, ref.last_failed_proposal or 0.0)
    assert_same(ref, bat, ref.stream.state, state)


@pytest.mark.parametrize("day", range(1, 10))
def test_caucus_meetings_lockstep(day: int) -> None:
    """Caucuses before a formal meeting and on their own schedule: disclosure, reports, trust, pressure."""
    ref = reference_at(day)
    bat, state = to_batch(ref)
    ref.caucus_meetings()
    tomorrow = (day + 1) in ref.crisis_meeting_days
    crisis.caucus_meetings(state, ref.p, ref.switches, bat, day, tomorrow, ref.setter.row)
    assert_same(ref, bat, ref.stream.state, state)


def test_routine_meeting_lockstep() -> None:
    ref = reference_at(-5)
    bat, state = to_batch(ref)
    ref.routine_meeting()
    batch_ties.routine_meeting(bat.ties, ref.p.formal_trust_gain)
    assert_same(ref, bat, ref.stream.state, state)


def test_decay_trust_lockstep() -> None:
    ref = reference_at(-5)
    bat, state = to_batch(ref)
    for _ in range(3):
        ref.decay_trust()
        batch_ties.decay_trust(bat.ties, ref.p.trust_decay)
    assert_same(ref, bat, ref.stream.state, state)


@pytest.mark.parametrize(("meetings", "wide_beliefs"), [(0, False), (1, False), (3, False), (2, True)])
def test_formal_crisis_meeting_lockstep(meetings: int, wide_beliefs: bool) -> None:
    """The first meeting and later ones: public positions, redrafting, the proposal, the vote, the beliefs.

    With ``wide_beliefs`` the setter believes every member could accept anything (as after
    acceptances through agency slack), so rejections fall inside beliefs and cut them.
    """
    ref = reference_at(2)
    while ref.n_formal_meetings < meetings and ref.running:
        ref.step()
    while ref.day not in ref.crisis_meeting_days:
        ref.step()
    if wide_beliefs:
        ref.setter.belief_lo[:] = 0.0
        ref.setter.belief_hi[:] = [0.3, 1.0, 1.0, 1.0, 1.0, 1.0]
        ref.setter.belief_version[:] = 99
    bat, state = to_batch(ref)
    setter, row = setter_of(ref)
    updates_before = ref.setter.formal_updates
    ref.formal_crisis_meeting()
    decided, x, _, _, updates = crisis.formal_crisis_meeting(
        state, ref.p, ref.switches, bat, setter, row, ref.n_formal_meetings == 1
    )
    assert decided == ref.decided
    assert x == pytest.approx(ref.proposals[-1], abs=1e-12)
    assert updates == ref.setter.formal_updates - updates_before
    if wide_beliefs:
        assert updates > 0 and not decided
    if not decided:
        np.testing.assert_allclose(
            bat.members.rejection_distance, [ref.last_rejecters.get(i, -1.0) for i in range(ref.n)], atol=1e-12
        )
    assert_same(ref, bat, ref.stream.state, state)


def test_find_bridges_lockstep() -> None:
    ref = reference_at(2)
    ref.public_red_lines = {0}
    bat, state = to_batch(ref)
    found = []
    for _ in range(8):
        ref.find_bridges()
        found.append(crisis.find_bridges(state, ref.p, bat))
    assert any(found)
    assert_same(ref, bat, ref.stream.state, state)


def test_network_measures_lockstep() -> None:
    ref = reference_at(0)
    bat, _ = to_batch(ref)
    measured = ref.network_measures()
    friends, zero, density, mean_trust = kernel.network_measures(bat, ref.p.friend_threshold)
    assert (friends, zero, density) == (measured["friends_mean"], measured["zero_friend_share"], measured["density"])
    assert mean_trust == pytest.approx(measured["mean_trust"], abs=1e-12)
