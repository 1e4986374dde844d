"""The batch engine's day loop (ODD section 3) over a block of replicates, and its Python side.

Each replicate starts from the shared :func:`corridors.engines.draws.draw_world` and runs the
day in the order of ODD section 3, calling the functions of :mod:`.informal` and
:mod:`.crisis`, which are named like the reference engine's methods. Rows stream out in
blocks through the one row builder, so memory does not grow with the replications.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from numba import njit

from corridors.engines.batch.crisis import (
    capital_reviews,
    caucus_meetings,
    convene_meeting,
    find_bridges,
    formal_crisis_meeting,
    start_theory,
)
from corridors.engines.batch.informal import SOURCE_BITS, SOURCE_MASK, first_calls, informal_contacts, learn, rotate
from corridors.engines.batch.state import Committee, DayZero, allocate
from corridors.engines.batch.ties import decay_trust, rebuild_ties, routine_meeting, trust
from corridors.engines.draws import (
    NO_SETTER,
    WorldDraws,
    check_stream_key,
    draw_world,
    replicate_streams,
)
from corridors.engines.jit_options import INLINE, fast, jit_only
from corridors.engines.rng import new_state
from corridors.engines.rows import (
    RED_LINE_BRIDGED,
    RED_LINE_NONE,
    RED_LINE_OUTVOTED,
    RED_LINE_REDRAFTED,
    RED_LINE_UNRESOLVED,
    Outcomes,
    new_outcomes,
    outcome_rows,
    rows_to_frame,
)
from corridors.engines.rules import (
    CAUCUS,
    CONTACT,
    GOSSIP,
    OWN,
    ModelParameters,
    Switches,
    derived_parameters,
    derived_switches,
)
from corridors.engines.sampling import geometric_gap
from corridors.scenario.schema import Scenario

__all__ = [
    "BLOCK_REPLICATES",
    "crisis_phase",
    "iter_batch",
    "replicate_states",
    "routine_phase",
    "run_batch",
    "simulate_block",
    "simulate_replicate",
]

BLOCK_REPLICATES = 1024
"""Replicates per kernel call: rows leave the engine in blocks of this size."""


@jit_only
def fill_schedule(regular: np.ndarray, start: float, interval: float, burn_in: int) -> None:
    """regular[day + burn_in] = 1 on the days of regular formal meetings, from day -burn_in on."""
    regular[:] = 0
    k = 0
    while True:
        day = math.floor(start + k * interval)
        if day + burn_in >= regular.size:
            return
        if day + burn_in >= 0:
            regular[int(day) + burn_in] = 1
        k += 1


@jit_only
def is_crisis_meeting(day: int, regular: np.ndarray, p: ModelParameters, s: Switches) -> bool:
    """Whether a formal crisis meeting is held on ``day`` (7.8)."""
    if day >= p.max_days:
        return False
    if s.emergency_meeting:
        if day == p.emergency_delay_days:
            return True
        return day > p.emergency_delay_days and regular[day + p.burn_in_days] != 0
    return day >= 1 and regular[day + p.burn_in_days] != 0


@jit_only
def network_measures(committee: Committee, threshold: float) -> tuple[float, float, float, float]:
    """(friends per ambassador, share with no friend, density, mean positive trust) at day 0."""
    ties = committee.ties
    n = ties.stored.shape[0]
    friends_total = 0
    zero = 0
    positive = 0
    w_total = 0.0
    for i in range(n):
        friends_i = 0
        for j in range(n):
            if i != j:
                w = trust(ties, i, j)
                if w >= threshold:
                    friends_i += 1
                if w > 0.0:
                    positive += 1
                    w_total += w
        friends_total += friends_i
        if friends_i == 0:
            zero += 1
    mean_w = w_total / positive if positive > 0 else 0.0
    return friends_total / n, zero / n, positive / (n * (n - 1)), mean_w


@jit_only
def reset(committee: Committee) -> None:
    """The crisis state of a new replicate (the world and ties come from draw_world)."""
    m = committee.members
    m.version[:] = 0
    m.called_home[:] = 0
    m.rejected_in_public[:] = 0
    m.public_version[:] = -1
    m.pressure[:] = 0.0
    m.public_lo[:] = 0.0
    m.public_hi[:] = 1.0
    m.rejection_distance[:] = -1.0
    committee.world.public_red_lines[:] = False
    committee.knowledge.code[:, :] = 0
    committee.knowledge.lo[:, :] = 0.0
    committee.knowledge.hi[:, :] = 1.0
    committee.beliefs.lo[:] = 0.0
    committee.beliefs.hi[:] = 1.0
    committee.beliefs.version[:] = -1
    committee.beliefs.source[:] = 0
    committee.ties.scale[0] = 1.0


@jit_only
def setter_knowledge(
    committee: Committee, p: ModelParameters, setter: int, setter_row: int, met: bool
) -> tuple[float, float]:
    """(share of the other members whose current instruction the setter knows, informal share, 5)."""
    members = committee.members
    knowledge = committee.knowledge
    n = members.lo.size
    known = 0
    informal = 0
    others = 0
    for k in range(n):
        if k == setter:
            continue
        others += 1
        code = knowledge.code[setter_row, k]
        source = code & SOURCE_MASK
        current = (code >> SOURCE_BITS) - 1 == members.version[k]
        informal_now = current and (source == CONTACT or source == GOSSIP or source == CAUCUS)  # noqa: SIM109
        public_now = p.posture == 1.0 and members.public_version[k] == members.version[k]
        known += informal_now or public_now
        belief = committee.beliefs.source[k]
        informal += belief == CONTACT or belief == GOSSIP or belief == CAUCUS  # noqa: SIM109 (numba)
    return known / others, (informal / others if met else np.nan)


@jit_only
def draw_replicate(draw_state: np.ndarray, committee: Committee) -> tuple[float, int, float]:
    """One replicate's starting world (:func:`draw_world`) in the committee's arrays."""
    members = committee.members
    world = committee.world
    drawn = WorldDraws(
        world.female,
        committee.ties.stored,
        members.ideal,
        members.salience,
        members.lo,
        members.hi,
        world.in_draft,
        world.caucus_phase_days,
    )
    return draw_world(draw_state, world.world_params, world.fixed, drawn, world.homophily_buffers)


@fast
def simulate_block(
    draw_states: np.ndarray,
    dynamics_states: np.ndarray,
    p: ModelParameters,
    s: Switches,
    committee: Committee,
    out: Outcomes,
) -> None:
    """Run one block of replicates; fills ``out`` replicate by replicate."""
    for r in range(draw_states.shape[0]):
        simulate_replicate(draw_states[r], dynamics_states[r], p, s, committee, out, r)


@njit(**INLINE)
def simulate_replicate(
    draw_state: np.ndarray,
    state: np.ndarray,
    p: ModelParameters,
    s: Switches,
    committee: Committee,
    out: Outcomes,
    r: int,
) -> None:
    """One replicate: its world and burn-in (:func:`routine_phase`), then the crisis (:func:`crisis_phase`)."""
    start = routine_phase(draw_state, state, p, s, committee)
    crisis_phase(state, p, s, committee, start, out, r)


@jit_only
def routine_phase(
    draw_state: np.ndarray, state: np.ndarray, p: ModelParameters, s: Switches, committee: Committee
) -> DayZero:
    """One replicate's world and routine days -burn_in .. -1: the state at the start of day 0.

    ``state`` (the dynamics stream) is left where day 0 starts; the committee holds the
    ties, the members' draws and the meeting schedule of day 0 (:mod:`.worlds` saves them).
    """
    members = committee.members
    ties = committee.ties
    world = committee.world
    burn_in = p.burn_in_days

    phase, setter, deploy_normal = draw_replicate(draw_state, committee)
    reset(committee)
    rebuild_ties(ties)
    fill_schedule(world.regular_meetings, -burn_in + phase, p.meeting_interval_days, burn_in)
    rotation_skip = geometric_gap(state, math.log1p(-1.0 / p.tenure_days))
    window_contacts = 0
    window_start = -7 * p.contacts_window_weeks

    day = -burn_in
    while day < 0:  # max_days >= 1: the routine days all come before the horizon
        rotation_skip = rotate(state, p, ties, world.caucus_mates, rotation_skip, members.leavers)
        rate = p.routine_contacts_per_day
        made = informal_contacts(state, p, s, committee, world.contact_cdf[0], rate, False)
        if day >= window_start:
            window_contacts += made
        if world.regular_meetings[day + burn_in] == 1:
            routine_meeting(ties, p.formal_trust_gain)
        decay_trust(ties, p.trust_decay)
        day += 1
    return DayZero(phase, setter, deploy_normal, rotation_skip, window_contacts)


@jit_only
def crisis_phase(  # noqa: C901 (the day loop in the order of ODD section 3)
    state: np.ndarray,
    p: ModelParameters,
    s: Switches,
    committee: Committee,
    start: DayZero,
    out: Outcomes,
    r: int,
) -> None:
    """Days 0 .. max_days - 1 of one replicate from the state at the start of day 0; fills row ``r`` of ``out``."""
    members = committee.members
    ties = committee.ties
    world = committee.world
    n = members.lo.size
    burn_in = p.burn_in_days
    horizon = p.max_days
    own_schedules = False
    for c in range(world.caucus_every_days.size):
        own_schedules |= world.caucus_every_days[c] > 0 and world.caucus_size[c] >= 2

    setter, deploy_normal, window_contacts = start.setter, start.deploy_normal, start.window_contacts
    setter_row = setter if setter != NO_SETTER else n
    first_meeting = -1
    for d in range(horizon):
        if is_crisis_meeting(d, world.regular_meetings, p, s):
            first_meeting = d
            break
    decided = False
    decision_day = np.nan
    red_line = RED_LINE_NONE
    have_failed = False
    last_x = 0.0
    n_meetings = 0
    n_failed = 0
    n_contacts = 0
    n_widenings = 0
    n_informed = 0
    n_updates = 0
    friends_mean = zero_friend = contacts_per_week = density = mean_w = np.nan

    day = 0
    while day < horizon:
        if day == 0:  # begin_crisis
            friends_mean, zero_friend, density, mean_w = network_measures(committee, p.friend_threshold)
            window_weeks = min(p.contacts_window_weeks * 7.0, float(burn_in)) / 7.0
            contacts_per_week = 2.0 * window_contacts / n / window_weeks if window_weeks > 0 else np.nan
            for i in range(n):
                learn(committee.knowledge, i, i, members.lo[i], members.hi[i], 0, OWN)
            start_theory(committee)
            n_contacts += first_calls(state, p, s, committee)
        rate = p.crisis_contacts_per_day
        made = informal_contacts(state, p, s, committee, world.contact_cdf[1], rate, True)
        n_contacts += made
        meeting_today = is_crisis_meeting(day, world.regular_meetings, p, s)
        if s.capital_review:
            widened, informed = capital_reviews(state, p, s, committee, day, have_failed, last_x)
            n_widenings += widened
            n_informed += informed
        formal_tomorrow = is_crisis_meeting(day + 1, world.regular_meetings, p, s)
        if s.caucuses and (formal_tomorrow or own_schedules):
            caucus_meetings(state, p, s, committee, day, formal_tomorrow, setter_row)
        if s.consensus_convening and n_meetings > 0 and convene_meeting(p, s, committee, setter, setter_row, day):
            meeting_today = is_crisis_meeting(day, world.regular_meetings, p, s)
        if meeting_today:
            n_meetings += 1
            agreed, x, redrafted, outvoted, updates = formal_crisis_meeting(
                state, p, s, committee, setter, setter_row, n_meetings == 1
            )
            n_updates += updates
            if redrafted:
                red_line = RED_LINE_REDRAFTED
            if agreed:
                decided = True
                decision_day = float(day)
                if outvoted:
                    red_line = RED_LINE_OUTVOTED
                break
            n_failed += 1
            have_failed = True
            last_x = x
        elif world.regular_meetings[day + burn_in] == 1:
            routine_meeting(ties, p.formal_trust_gain)
        if s.bridges and find_bridges(state, p, committee):
            red_line = RED_LINE_BRIDGED
        decay_trust(ties, p.trust_decay)
        day += 1

    if not decided:
        for sub in range(world.in_draft.size):
            if world.in_draft[sub] and world.public_red_lines[sub]:
                red_line = RED_LINE_UNRESOLVED
    pivotal = -1
    best_distance = -1.0
    if have_failed:
        for k in range(n):
            if members.rejection_distance[k] > best_distance:
                best_distance = members.rejection_distance[k]
                pivotal = k
    known_share, informal_share = setter_knowledge(committee, p, setter, setter_row, n_meetings > 0)
    out.decided[r] = decided
    out.decision_day[r] = decision_day
    out.deploy_normal[r] = deploy_normal
    out.first_meeting_day[r] = first_meeting
    out.n_formal_meetings[r] = n_meetings
    out.n_failed_proposals[r] = n_failed
    out.n_informal_contacts[r] = n_contacts
    out.n_capital_widenings[r] = n_widenings
    out.formal_updates[r] = n_updates
    out.red_line[r] = red_line
    out.pivotal[r] = pivotal
    out.setter[r] = setter
    out.setter_known_share[r] = known_share
    out.informal_share[r] = informal_share
    out.friends_mean[r] = friends_mean
    out.zero_friend_share[r] = zero_friend
    out.contacts_per_week[r] = contacts_per_week
    out.density[r] = density
    out.mean_trust[r] = mean_w
    out.first_call_share[r] = committee.theory.first_callers[0] / n if horizon > 0 else np.nan
    out.convened_meetings[r] = committee.theory.convened_meetings[0]
    out.cascade_rounds[r] = committee.theory.cascade_rounds[0]
    out.informed_widenings[r] = n_informed


# --- Python side ------------------------------------------------------------------------


def replicate_states(seed: int, key: str, first_replicate: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The draw and dynamics stream states of replicates ``first_replicate .. + count`` (one row each)."""
    draw_states = np.empty((count, 4), dtype=np.uint64)
    dynamics_states = np.empty((count, 4), dtype=np.uint64)
    for offset in range(count):
        draws_state, dynamics_seq = replicate_streams(seed, key, first_replicate + offset)
        draw_states[offset] = draws_state
        dynamics_states[offset] = new_state(dynamics_seq)
    return draw_states, dynamics_states


def iter_batch(
    scenario: Scenario,
    *,
    replications: int,
    seed: int = 0,
    first_replicate: int = 0,
    block: int = BLOCK_REPLICATES,
    stream_key: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield the rows of replicates ``first_replicate ..`` in blocks (memory stays flat).

    ``stream_key`` replaces the scenario hash in each replicate's seed (common random numbers).
    """
    from corridors.engines.worlds import iter_batch_cached, world_cache

    cache = world_cache()
    if cache is not None:  # routine worlds reused from memory (corridors.engines.worlds)
        yield from iter_batch_cached(
            scenario,
            cache,
            replications=replications,
            seed=seed,
            first_replicate=first_replicate,
            block=block,
            stream_key=stream_key,
        )
        return
    p = derived_parameters(scenario)
    s = derived_switches(scenario)
    key = scenario.content_hash() if stream_key is None else check_stream_key(stream_key)
    committee = allocate(scenario, p)
    for block_start in range(first_replicate, first_replicate + replications, block):
        count = min(block, first_replicate + replications - block_start)
        draw_states, dynamics_states = replicate_states(seed, key, block_start, count)
        out = new_outcomes(count)
        simulate_block(draw_states, dynamics_states, p, s, committee, out)
        yield outcome_rows(scenario, out, engine="batch", seed=seed, first_replicate=block_start)


def run_batch(
    scenario: Scenario,
    *,
    replications: int,
    seed: int = 0,
    first_replicate: int = 0,
    progress: Callable[[int], None] | None = None,
    stream_key: str | None = None,
) -> pd.DataFrame:
    """All rows of ``replications`` replicates, computed block by block."""
    frames = []
    for frame in iter_batch(
        scenario, replications=replications, seed=seed, first_replicate=first_replicate, stream_key=stream_key
    ):
        frames.append(frame)
        if progress is not None:
            progress(len(frame))
    if not frames:
        return rows_to_frame([])
    return pd.concat(frames, ignore_index=True)
