"""The batch engine: the model of MODEL.md compiled with numba, many replicates per call.

The same day order, submodels and mechanisms as :mod:`corridors.engines.reference`, on flat
arrays: a dense tie matrix whose positive entries are stored divided by a running decay
factor (so daily trust decay costs nothing), knowledge as (members + setter) x members
arrays, and a xoshiro256** stream per replicate. Each replicate starts from the shared
:func:`corridors.engines.draws.draw_world`; the equivalence tests keep the two engines
in agreement. Rows stream out in blocks, so memory does not grow with the replications.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from numba import njit

TieLists = tuple  # (pos_sum, neighbours, degree, slot, dislikes): see _set_w

from corridors import __version__
from corridors.engines.draws import NO_SETTER, draw_world, replicate_streams, scenario_arrays, world_params
from corridors.engines.rng import new_state, next_double, next_poisson, next_poisson_small
from corridors.engines.rows import DAYS_PER_MONTH, RED_LINE_OUTCOMES, ROW_SCHEMA, rows_to_frame
from corridors.scenario.schema import Scenario

__all__ = ["iter_batch", "run_batch"]

BLOCK_REPLICATES = 4096
"""Replicates per kernel call: rows leave the engine in blocks of this size."""

# knowledge sources (as in the reference engine)
UNKNOWN, OWN, CONTACT, GOSSIP, CAUCUS = 0, 1, 2, 3, 4
# red-line outcomes, indices into RED_LINE_OUTCOMES
RL_NONE, RL_BRIDGED, RL_REDRAFTED, RL_UNRESOLVED, RL_OUTVOTED = 0, 1, 2, 3, 4

_PARAMETER_FIELDS = (
    "burn_in_days", "max_days", "tenure_days", "rotation_keep", "friend_choice", "disclosure",
    "gossip_rate", "lobby_rate", "first_call_friend", "review_days", "widen_base", "lobby_effect",
    "entrenchment", "widen_step", "caucus_openness", "caucus_trust_gain", "caucus_pressure",
    "emergency_delay_days", "formal_trust_gain", "agency_max", "agency_half", "redraft_prob",
    "bridge_rate", "trust_decay", "friend_threshold", "contacts_window_weeks",
)
(
    P_BURN_IN, P_MAX_DAYS, P_TENURE, P_ROTATION_KEEP, P_FRIEND_CHOICE, P_DISCLOSURE,
    P_GOSSIP_RATE, P_LOBBY_RATE, P_FIRST_CALL_FRIEND, P_REVIEW_DAYS, P_WIDEN_BASE, P_LOBBY_EFFECT,
    P_ENTRENCHMENT, P_WIDEN_STEP, P_CAUCUS_OPENNESS, P_CAUCUS_TRUST_GAIN, P_CAUCUS_PRESSURE,
    P_EMERGENCY_DELAY, P_FORMAL_TRUST_GAIN, P_AGENCY_MAX, P_AGENCY_HALF, P_REDRAFT_PROB,
    P_BRIDGE_RATE, P_TRUST_DECAY, P_FRIEND_THRESHOLD, P_WINDOW_WEEKS,
) = range(len(_PARAMETER_FIELDS))
# derived values appended after the named parameters
P_ROUTINE_RATE, P_CRISIS_RATE, P_TRUST_GAIN, P_POSTURE, P_INTERVAL = range(len(_PARAMETER_FIELDS), len(_PARAMETER_FIELDS) + 5)

_MECHANISMS = (
    "trust_growth", "info_sharing", "gossip", "lobbying", "capital_review", "entrenchment", "caucuses",
    "caucus_reporting", "caucus_harmonization", "emergency_meeting", "agency", "bridges", "first_call",
)
(
    M_TRUST_GROWTH, M_INFO_SHARING, M_GOSSIP, M_LOBBYING, M_CAPITAL_REVIEW, M_ENTRENCHMENT, M_CAUCUSES,
    M_CAUCUS_REPORTING, M_CAUCUS_HARMONIZATION, M_EMERGENCY, M_AGENCY, M_BRIDGES, M_FIRST_CALL,
) = range(len(_MECHANISMS))

# output columns
(O_DECIDED, O_FIRST_MEETING, O_MEETINGS, O_FAILED, O_CONTACTS, O_WIDENINGS, O_RED_LINE, O_PIVOTAL,
 O_SETTER) = range(9)
N_INT_OUT = 9
(F_DECISION_DAY, F_DEPLOY_NORMAL, F_KNOWN_SHARE, F_INFORMAL_SHARE, F_FRIENDS_MEAN, F_ZERO_FRIEND,
 F_CONTACTS_PER_WEEK, F_DENSITY, F_MEAN_TRUST) = range(9)
N_FLOAT_OUT = 9


def kernel_parameters(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """(parameters, mechanism switches) as flat arrays for the kernel."""
    p = scenario.parameters
    mech = scenario.mechanisms
    values = [float(getattr(p, name)) for name in _PARAMETER_FIELDS]
    m_f = scenario.formal_meetings_per_week
    trust_gain = p.trust_gain / (1.0 + p.fatigue * m_f) if mech.meeting_fatigue else p.trust_gain
    values += [
        scenario.informal_contacts_per_week(crisis=False) / 14.0,
        scenario.informal_contacts_per_week(crisis=True) / 14.0,
        trust_gain,
        p.posture if mech.posturing else 1.0,
        7.0 / m_f,
    ]
    switches = np.array([bool(getattr(mech, name)) for name in _MECHANISMS], dtype=np.bool_)
    return np.array(values, dtype=np.float64), switches


# --- ties: positive strengths are stored divided by the running decay factor -------------------


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _w(u: np.ndarray, scale: float, i: int, j: int) -> float:
    value = u[i, j]
    return value * scale if value > 0.0 else value


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _set_w(u: np.ndarray, scale: float, ties: TieLists, i: int, j: int, value: float) -> None:
    """Set the tie i-j (both directions), keeping each member's list of positive ties current."""
    stored = value / scale if value > 0.0 else value
    pos_sum, neighbours, degree, slot, dislikes = ties
    for a, b in ((i, j), (j, i)):
        old = u[a, b]
        if old > 0.0:
            pos_sum[a] -= old
            if stored <= 0.0:
                last = neighbours[a, degree[a] - 1]
                neighbours[a, slot[a, b]] = last
                slot[a, last] = slot[a, b]
                slot[a, b] = -1
                degree[a] -= 1
        elif stored > 0.0:
            neighbours[a, degree[a]] = b
            slot[a, b] = degree[a]
            degree[a] += 1
        if old < 0.0:
            dislikes[a] -= 1
        if stored < 0.0:
            dislikes[a] += 1
        if stored > 0.0:
            pos_sum[a] += stored
        u[a, b] = stored


@njit(cache=True, _nrt=False, error_model="numpy")
def _rebuild(u: np.ndarray, ties: TieLists) -> None:
    """Lists of positive ties, their stored sums and counts of dislikes, from the matrix."""
    pos_sum, neighbours, degree, slot, dislikes = ties
    n = u.shape[0]
    for a in range(n):
        total = 0.0
        degree[a] = 0
        dislikes[a] = 0
        for b in range(n):
            slot[a, b] = -1
            if u[a, b] > 0.0:
                total += u[a, b]
                neighbours[a, degree[a]] = b
                slot[a, b] = degree[a]
                degree[a] += 1
            elif u[a, b] < 0.0:
                dislikes[a] += 1
        pos_sum[a] = total


# --- schedule -------------------------------------------------------------------------


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _is_regular_day(day: int, start: float, interval: float) -> bool:
    k = int(math.floor((day - start) / interval))
    for kk in range(k - 1, k + 2):
        if kk >= 0 and math.floor(start + kk * interval) == day:
            return True
    return False


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _is_crisis_meeting(day: int, start: float, params: np.ndarray, mech: np.ndarray) -> bool:
    horizon = int(params[P_MAX_DAYS])
    if day >= horizon:
        return False
    if mech[M_EMERGENCY]:
        first = int(params[P_EMERGENCY_DELAY])
        if day == first:
            return True
        return day > first and _is_regular_day(day, start, params[P_INTERVAL])
    return day >= 1 and _is_regular_day(day, start, params[P_INTERVAL])


# --- knowledge ------------------------------------------------------------------------


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _learn(kver: np.ndarray, klo: np.ndarray, khi: np.ndarray, ksrc: np.ndarray, kfirst: np.ndarray,
           knower: int, about: int, lo: float, hi: float, version: int, source: int) -> None:
    if version > kver[knower, about]:
        kver[knower, about] = version
        klo[knower, about] = lo
        khi[knower, about] = hi
        ksrc[knower, about] = source
        kfirst[knower, about] = source == OWN or source == CONTACT or source == CAUCUS


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _gossip(kver: np.ndarray, klo: np.ndarray, khi: np.ndarray, ksrc: np.ndarray, kfirst: np.ndarray,
            teller: int, listener: int) -> None:
    for about in range(kver.shape[1]):
        if about != teller and about != listener and kfirst[teller, about] \
                and kver[teller, about] > kver[listener, about]:
            _learn(kver, klo, khi, ksrc, kfirst, listener, about, klo[teller, about], khi[teller, about],
                   kver[teller, about], GOSSIP)


# --- the kernel ---------------------------------------------------------------------------


def make_workspace(scenario: Scenario) -> tuple:  # type: ignore[type-arg]
    """Arrays the kernel works in, allocated once per block (the kernel itself never allocates)."""
    a = scenario_arrays(scenario)
    n = a.n
    n_sub = a.subissue_prob.size
    n_caucus = a.caucus_members.shape[0]
    caucus_size = a.caucus_members.sum(axis=1).astype(np.int64)
    caucus_index = np.zeros((n_caucus, n), dtype=np.int64)
    for c in range(n_caucus):
        members = np.flatnonzero(a.caucus_members[c])
        caucus_index[c, : members.size] = members
    n_classes = 2 * a.class_z.size
    return (
        np.zeros(n, dtype=np.bool_),  # female
        np.zeros((n, n)),  # u: stored tie strengths
        np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),  # ideal, salience, lo, hi
        np.zeros(n_sub, dtype=np.bool_),  # in_draft
        (np.zeros(n), np.zeros((n, n), dtype=np.int64), np.zeros(n, dtype=np.int64),
         np.zeros((n, n), dtype=np.int64), np.zeros(n, dtype=np.int64)),  # ties
        np.zeros(n, dtype=np.int64), np.zeros(n),  # version, pressure
        np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_),  # called_home, rejected
        np.zeros(n), np.zeros(n), np.zeros(n, dtype=np.int64),  # public lo, hi, version
        np.zeros(n), np.zeros(n),  # learned lo, hi
        np.zeros(n_sub, dtype=np.bool_),  # public_red
        np.zeros(n), np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.int64), np.zeros(n),  # distance, accept, order, mean trust
        np.zeros((n + 1, n), dtype=np.int64), np.zeros((n + 1, n)), np.zeros((n + 1, n)),  # kver, klo, khi
        np.zeros((n + 1, n), dtype=np.int64), np.zeros((n + 1, n), dtype=np.bool_),  # ksrc, kfirst
        caucus_size, caucus_index,
        np.zeros(n, dtype=np.bool_), np.zeros(n),  # disclosed, ideals buffer
        np.zeros(n_classes), np.zeros(n_classes), np.zeros(n_classes),  # draw_world buffers
    )


@njit(cache=True, _nrt=False, error_model="numpy")
def _median_of(values: np.ndarray, size: int) -> float:
    """Median of values[:size], sorting that slice in place (insertion sort: caucuses are small)."""
    for a in range(1, size):
        key = values[a]
        b = a - 1
        while b >= 0 and values[b] > key:
            values[b + 1] = values[b]
            b -= 1
        values[b + 1] = key
    middle = size // 2
    return values[middle] if size % 2 == 1 else 0.5 * (values[middle - 1] + values[middle])


@njit(cache=True, _nrt=False, error_model="numpy")
def simulate_block(
    draw_states: np.ndarray, dynamics_states: np.ndarray, world: np.ndarray, params: np.ndarray,
    mech: np.ndarray, fixed_female: np.ndarray, pair_i: np.ndarray, pair_j: np.ndarray,
    pair_class: np.ndarray, class_z: np.ndarray, fixed_ideal: np.ndarray, fixed_salience: np.ndarray,
    big_player: np.ndarray, subissue_prob: np.ndarray, setter_is_member: bool, caucus_members: np.ndarray,
    caucus_meets: np.ndarray, caucus_common: np.ndarray, caucus_mates: np.ndarray, red_lines: np.ndarray,
    veto: np.ndarray, quota: int, work: tuple, out_int: np.ndarray, out_float: np.ndarray,  # type: ignore[type-arg]
) -> None:
    """Run one block of replicates; fills ``out_int`` and ``out_float`` row by row.

    Compiled without reference counting (it allocates nothing), so the millions of small
    steps of a block pay no bookkeeping.
    """
    n = fixed_female.size
    n_sub = subissue_prob.size
    n_caucus = caucus_members.shape[0]
    burn_in = int(params[P_BURN_IN])
    horizon = int(params[P_MAX_DAYS])
    interval = params[P_INTERVAL]
    (female, u, ideal, salience, lo, hi, in_draft, ties, version, pressure, called_home, rejected,
     public_lo, public_hi, public_version, learned_lo, learned_hi, public_red, rejecter_distance, accept,
     order, mean_trust, kver, klo, khi, ksrc, kfirst, caucus_size, caucus_index, disclosed, ideals_buffer,
     z_buffer, count_buffer, prob_buffer) = work
    degree = ties[2]
    neighbours = ties[1]

    for r in range(draw_states.shape[0]):
        dstate = draw_states[r]
        state = dynamics_states[r]
        phase, setter, deploy_normal = draw_world(
            dstate, world, fixed_female, pair_i, pair_j, pair_class, class_z, fixed_ideal, fixed_salience,
            big_player, subissue_prob, setter_is_member, interval, female, u, ideal, salience, lo, hi, in_draft,
            z_buffer, count_buffer, prob_buffer,
        )
        setter_row = setter if setter != NO_SETTER else n
        scale = 1.0
        _rebuild(u, ties)
        start = -burn_in + phase
        version[:] = 0
        pressure[:] = 0.0
        called_home[:] = False
        rejected[:] = False
        public_lo[:] = 0.0
        public_hi[:] = 1.0
        public_version[:] = -1
        learned_lo[:] = 0.0
        learned_hi[:] = 1.0
        public_red[:] = False
        rejecter_distance[:] = -1.0
        kver[:, :] = -1
        klo[:, :] = 0.0
        khi[:, :] = 1.0
        ksrc[:, :] = UNKNOWN
        kfirst[:, :] = False
        first_meeting = -1
        for d in range(horizon):
            if _is_crisis_meeting(d, start, params, mech):
                first_meeting = d
                break
        decided = False
        decision_day = np.nan
        red_line = RL_NONE
        have_failed = False
        last_x = 0.0
        n_meetings = 0
        n_failed = 0
        n_contacts = 0
        n_widenings = 0
        window_contacts = 0
        window_start = -7 * int(params[P_WINDOW_WEEKS])
        in_crisis = False
        friends_mean = zero_friend = contacts_per_week = density = mean_w = np.nan

        day = -burn_in
        while day < horizon:
            if day == 0:
                # the routine network at day 0
                friends_total = 0
                zero = 0
                positive = 0
                w_total = 0.0
                for i in range(n):
                    friends_i = 0
                    for j in range(n):
                        if i != j:
                            w = _w(u, scale, i, j)
                            if w >= params[P_FRIEND_THRESHOLD]:
                                friends_i += 1
                            if w > 0.0:
                                positive += 1
                                w_total += w
                    friends_total += friends_i
                    if friends_i == 0:
                        zero += 1
                friends_mean = friends_total / n
                zero_friend = zero / n
                density = positive / (n * (n - 1))
                mean_w = w_total / positive if positive > 0 else 0.0
                window_weeks = min(params[P_WINDOW_WEEKS] * 7.0, float(burn_in)) / 7.0
                contacts_per_week = 2.0 * window_contacts / n / window_weeks if window_weeks > 0 else np.nan
                in_crisis = True
                for i in range(n):
                    _learn(kver, klo, khi, ksrc, kfirst, i, i, lo[i], hi[i], 0, OWN)
                # first calls (4.5)
                _permutation(state, order)
                for oi in range(n):
                    i = order[oi]
                    if mech[M_FIRST_CALL] and degree[i] > 0 and next_double(state) < params[P_FIRST_CALL_FRIEND]:
                        best = -1
                        best_w = -np.inf
                        for j in range(n):
                            w = _w(u, scale, i, j)
                            if w > best_w:
                                best_w = w
                                best = j
                        n_contacts += _contact(state, params, mech, u, scale, ties, i, best, True,
                                               lo, hi, version, pressure, kver, klo, khi, ksrc, kfirst)
                    else:
                        called_home[i] = True
            if not in_crisis:
                # rotation (4.3)
                chance = 1.0 / params[P_TENURE]
                for i in range(n):
                    if next_double(state) < chance:
                        for j in range(n):
                            if j != i:
                                _set_w(u, scale, ties, i, j,
                                       params[P_ROTATION_KEEP] if caucus_mates[i, j] else 0.0)
            # informal contacts (4.4)
            rate = params[P_CRISIS_RATE] if in_crisis else params[P_ROUTINE_RATE]
            limit = math.exp(-rate)
            _permutation(state, order)
            for oi in range(n):
                i = order[oi]
                k = next_poisson_small(state, limit) if rate <= 20.0 else next_poisson(state, rate)
                for _ in range(k):
                    j = _choose_partner(state, params, u, scale, ties, i)
                    if j >= 0:
                        made = _contact(state, params, mech, u, scale, ties, i, j, in_crisis,
                                        lo, hi, version, pressure, kver, klo, khi, ksrc, kfirst)
                        if in_crisis:
                            n_contacts += made
                        elif day >= window_start:
                            window_contacts += made
            if in_crisis:
                # capital reviews (4.6)
                if mech[M_CAPITAL_REVIEW]:
                    weekly = day > 0 and day % int(params[P_REVIEW_DAYS]) == 0
                    for i in range(n):
                        if weekly or (day == 1 and called_home[i]):
                            chance = params[P_WIDEN_BASE] + params[P_LOBBY_EFFECT] * min(1.0, pressure[i])
                            if mech[M_ENTRENCHMENT] and rejected[i]:
                                chance *= 1.0 - params[P_ENTRENCHMENT]
                            if next_double(state) < chance:
                                step = params[P_WIDEN_STEP] * (1.0 - salience[i])
                                if have_failed and last_x < lo[i]:
                                    lo[i] = max(0.0, lo[i] - step)
                                elif have_failed and last_x > hi[i]:
                                    hi[i] = min(1.0, hi[i] + step)
                                else:
                                    lo[i] = max(0.0, lo[i] - step / 2.0)
                                    hi[i] = min(1.0, hi[i] + step / 2.0)
                                version[i] += 1
                                pressure[i] = 0.0
                                _learn(kver, klo, khi, ksrc, kfirst, i, i, lo[i], hi[i], version[i], OWN)
                                n_widenings += 1
                # caucuses the day before a crisis meeting (4.7)
                if mech[M_CAUCUSES] and _is_crisis_meeting(day + 1, start, params, mech):
                    for c in range(n_caucus):
                        size = caucus_size[c]
                        if not caucus_meets[c] or size < 2:
                            continue
                        for x in range(size):
                            m = caucus_index[c, x]
                            total = 0.0
                            for y in range(size):
                                w = _w(u, scale, m, caucus_index[c, y])
                                if w > 0.0:
                                    total += w
                            mean_trust[m] = total / (size - 1)
                        for x in range(size):
                            m = caucus_index[c, x]
                            disclosed[m] = next_double(state) < min(1.0, params[P_CAUCUS_OPENNESS] + mean_trust[m])
                        for x in range(size):
                            m = caucus_index[c, x]
                            if disclosed[m]:
                                for y in range(size):
                                    _learn(kver, klo, khi, ksrc, kfirst, caucus_index[c, y], m, lo[m], hi[m],
                                           version[m], CAUCUS)
                                if mech[M_CAUCUS_REPORTING]:
                                    _learn(kver, klo, khi, ksrc, kfirst, setter_row, m, lo[m], hi[m], version[m],
                                           CAUCUS)
                        for x in range(size):
                            for y in range(x + 1, size):
                                i = caucus_index[c, x]
                                j = caucus_index[c, y]
                                w = _w(u, scale, i, j)
                                if w >= 0.0:
                                    _set_w(u, scale, ties, i, j,
                                           w + params[P_CAUCUS_TRUST_GAIN] * (1.0 - w))
                        if mech[M_CAUCUS_HARMONIZATION]:
                            for x in range(size):
                                ideals_buffer[x] = ideal[caucus_index[c, x]]
                            median = _median_of(ideals_buffer, size)
                            for x in range(size):
                                m = caucus_index[c, x]
                                if not (lo[m] <= median <= hi[m]):
                                    pressure[m] += params[P_CAUCUS_PRESSURE] * mean_trust[m]
            if in_crisis and _is_crisis_meeting(day, start, params, mech):
                # the formal crisis meeting (4.8)
                n_meetings += 1
                posture = params[P_POSTURE]
                if n_meetings == 1:
                    for i in range(n):
                        public_lo[i] = ideal[i] - posture * (ideal[i] - lo[i])
                        public_hi[i] = ideal[i] + posture * (hi[i] - ideal[i])
                        public_version[i] = version[i]
                rejected[:] = False
                for s in range(n_sub):
                    if in_draft[s] and public_red[s] and next_double(state) < params[P_REDRAFT_PROB]:
                        in_draft[s] = False
                        red_line = RL_REDRAFTED
                highest_lo = -np.inf
                lowest_hi = np.inf
                for k in range(n):
                    if kver[setter_row, k] >= 0:
                        b_lo = klo[setter_row, k]
                        b_hi = khi[setter_row, k]
                    else:
                        b_lo = max(public_lo[k], learned_lo[k])
                        b_hi = min(public_hi[k], learned_hi[k])
                    highest_lo = max(highest_lo, b_lo)
                    lowest_hi = min(lowest_hi, b_hi)
                x = min(1.0, max(0.0, (highest_lo + lowest_hi) / 2.0))
                for k in range(n):
                    blocked = False
                    for s in range(n_sub):
                        if red_lines[k, s] and in_draft[s]:
                            blocked = True
                    slack = _slack(params, mech, ties[0], scale, k)
                    accept[k] = (not blocked) and lo[k] - slack <= x <= hi[k] + slack
                for c in range(n_caucus):
                    if caucus_common[c]:
                        all_in = True
                        for y in range(caucus_size[c]):
                            if not accept[caucus_index[c, y]]:
                                all_in = False
                        if not all_in:
                            for y in range(caucus_size[c]):
                                accept[caucus_index[c, y]] = False
                n_accept = 0
                vetoed = False
                for k in range(n):
                    if accept[k]:
                        n_accept += 1
                    elif veto[k]:
                        vetoed = True
                if n_accept >= quota and not vetoed:
                    decided = True
                    decision_day = float(day)
                    outvoted = False
                    for s in range(n_sub):
                        if in_draft[s]:
                            if public_red[s]:
                                outvoted = True
                            for k in range(n):
                                if red_lines[k, s]:
                                    outvoted = True
                    if outvoted:
                        red_line = RL_OUTVOTED
                    break
                n_failed += 1
                have_failed = True
                last_x = x
                rejecter_distance[:] = -1.0
                for k in range(n):
                    if accept[k]:
                        continue
                    rejected[k] = True
                    blocked = False
                    for s in range(n_sub):
                        if red_lines[k, s] and in_draft[s]:
                            blocked = True
                            public_red[s] = True
                    if blocked:
                        rejecter_distance[k] = np.inf
                        continue
                    slack = _slack(params, mech, ties[0], scale, k)
                    rejecter_distance[k] = max(lo[k] - slack - x, x - hi[k] - slack, 0.0)
                    if x < lo[k] - slack:
                        learned_lo[k] = max(learned_lo[k], x)
                    elif x > hi[k] + slack:
                        learned_hi[k] = min(learned_hi[k], x)
            elif _is_regular_day(day, start, interval):
                # a routine meeting: colleagues, not friends
                gain = params[P_FORMAL_TRUST_GAIN]
                pos_sum = ties[0]
                for a in range(n):
                    for k in range(degree[a]):
                        b = neighbours[a, k]
                        w = u[a, b] * scale
                        stored = (w + gain * (1.0 - w)) / scale
                        pos_sum[a] += stored - u[a, b]
                        u[a, b] = stored
            if in_crisis and mech[M_BRIDGES]:
                # bridges for public red lines (4.9)
                for s in range(n_sub):
                    if in_draft[s] and public_red[s]:
                        keep = 1.0
                        for b in range(n):
                            if red_lines[b, s]:
                                for j in range(n):
                                    w = _w(u, scale, b, j)
                                    if w > 0.0:
                                        keep *= 1.0 - params[P_BRIDGE_RATE] * w * w
                        if next_double(state) < 1.0 - keep:
                            in_draft[s] = False
                            red_line = RL_BRIDGED
            # trust decay (4.10): one factor for every positive tie
            scale *= 1.0 - params[P_TRUST_DECAY]
            if scale < 1e-3:
                for i in range(n):
                    for j in range(n):
                        if u[i, j] > 0.0:
                            u[i, j] *= scale
                scale = 1.0
                _rebuild(u, ties)
            day += 1

        if not decided:
            for s in range(n_sub):
                if in_draft[s] and public_red[s]:
                    red_line = RL_UNRESOLVED
        pivotal = -1
        best_distance = -1.0
        if have_failed:
            for k in range(n):
                if rejecter_distance[k] > best_distance:
                    best_distance = rejecter_distance[k]
                    pivotal = k
        informal = 0
        formal = 0
        others = 0
        for k in range(n):
            if k == setter:
                continue
            others += 1
            if kver[setter_row, k] == version[k] and (ksrc[setter_row, k] == CONTACT or ksrc[setter_row, k] == GOSSIP
                                                      or ksrc[setter_row, k] == CAUCUS):
                informal += 1
            elif params[P_POSTURE] == 1.0 and public_version[k] == version[k]:
                formal += 1
        known = informal + formal
        out_int[r, O_DECIDED] = 1 if decided else 0
        out_int[r, O_FIRST_MEETING] = first_meeting
        out_int[r, O_MEETINGS] = n_meetings
        out_int[r, O_FAILED] = n_failed
        out_int[r, O_CONTACTS] = n_contacts
        out_int[r, O_WIDENINGS] = n_widenings
        out_int[r, O_RED_LINE] = red_line
        out_int[r, O_PIVOTAL] = pivotal
        out_int[r, O_SETTER] = setter
        out_float[r, F_DECISION_DAY] = decision_day
        out_float[r, F_DEPLOY_NORMAL] = deploy_normal
        out_float[r, F_KNOWN_SHARE] = known / others
        out_float[r, F_INFORMAL_SHARE] = informal / known if known > 0 else np.nan
        out_float[r, F_FRIENDS_MEAN] = friends_mean
        out_float[r, F_ZERO_FRIEND] = zero_friend
        out_float[r, F_CONTACTS_PER_WEEK] = contacts_per_week
        out_float[r, F_DENSITY] = density
        out_float[r, F_MEAN_TRUST] = mean_w


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _permutation(state: np.ndarray, order: np.ndarray) -> None:
    """A uniformly random order of the members (Fisher-Yates)."""
    n = order.size
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        j = min(int(next_double(state) * (i + 1)), i)
        order[i], order[j] = order[j], order[i]


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _choose_partner(state: np.ndarray, params: np.ndarray, u: np.ndarray, scale: float, ties: TieLists,
                    i: int) -> int:
    """A trusted colleague with probability friend_choice, else anyone not disliked (4.4).

    A colleague in proportion to trust: pick a positive tie uniformly and keep it with
    probability w (w <= 1), which is exact; after 64 misses, an exact scan.
    """
    pos_sum, neighbours, degree, slot, dislikes = ties
    n = u.shape[0]
    if degree[i] > 0 and next_double(state) < params[P_FRIEND_CHOICE]:
        for _ in range(64):
            j = neighbours[i, min(int(next_double(state) * degree[i]), degree[i] - 1)]
            if next_double(state) < u[i, j] * scale:
                return j
        target = next_double(state) * pos_sum[i]
        running = 0.0
        last = -1
        for j in range(n):
            if u[i, j] > 0.0:
                running += u[i, j]
                last = j
                if running > target:
                    return j
        return last
    if n - 1 - dislikes[i] <= 0:
        return -1
    while True:
        j = min(int(next_double(state) * (n - 1)), n - 2)
        if j >= i:
            j += 1
        if u[i, j] >= 0.0:
            return j


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _contact(state: np.ndarray, params: np.ndarray, mech: np.ndarray, u: np.ndarray, scale: float,
             ties: TieLists, i: int, j: int, in_crisis: bool, lo: np.ndarray,
             hi: np.ndarray, version: np.ndarray, pressure: np.ndarray, kver: np.ndarray, klo: np.ndarray,
             khi: np.ndarray, ksrc: np.ndarray, kfirst: np.ndarray) -> int:
    """One informal contact between i and j; returns 1 (it counts once)."""
    w = _w(u, scale, i, j)
    if in_crisis:
        trust = max(w, 0.0)
        if mech[M_INFO_SHARING] and next_double(state) < trust * params[P_DISCLOSURE]:
            _learn(kver, klo, khi, ksrc, kfirst, j, i, lo[i], hi[i], version[i], CONTACT)
            _learn(kver, klo, khi, ksrc, kfirst, i, j, lo[j], hi[j], version[j], CONTACT)
        if mech[M_GOSSIP] and next_double(state) < trust * params[P_GOSSIP_RATE]:
            _gossip(kver, klo, khi, ksrc, kfirst, j, i)
            _gossip(kver, klo, khi, ksrc, kfirst, i, j)
        if mech[M_LOBBYING] and next_double(state) < trust * params[P_LOBBY_RATE]:
            pressure[i] += w
            pressure[j] += w
    if mech[M_TRUST_GROWTH] and w >= 0.0:
        _set_w(u, scale, ties, i, j, w + params[P_TRUST_GAIN] * (1.0 - w))
    return 1


@njit(cache=True, _nrt=False, error_model="numpy", inline="always")
def _slack(params: np.ndarray, mech: np.ndarray, pos_sum: np.ndarray, scale: float, k: int) -> float:
    if not mech[M_AGENCY]:
        return 0.0
    total = pos_sum[k] * scale
    return params[P_AGENCY_MAX] * total / (total + params[P_AGENCY_HALF])


# --- Python side ------------------------------------------------------------------------


def iter_batch(
    scenario: Scenario,
    *,
    replications: int,
    seed: int = 0,
    first_replicate: int = 0,
    block: int = BLOCK_REPLICATES,
) -> Iterator[pd.DataFrame]:
    """Yield the rows of replicates ``first_replicate ..`` in blocks (memory stays flat)."""
    arrays = scenario_arrays(scenario)
    params, mech = kernel_parameters(scenario)
    world = world_params(scenario)
    scenario_hash = scenario.content_hash()
    p = scenario.parameters
    mean_lag = p.deploy_mean_days * scenario.deploy_factor
    sigma2 = math.log1p(p.deploy_cv**2)
    codes = np.array([*arrays.codes, ""], dtype=object)
    setter_names = np.array([*arrays.codes, scenario.agenda_setter.kind], dtype=object)
    outcomes = np.array(RED_LINE_OUTCOMES, dtype=object)
    work = make_workspace(scenario)
    for block_start in range(first_replicate, first_replicate + replications, block):
        count = min(block, first_replicate + replications - block_start)
        draw_states = np.empty((count, 4), dtype=np.uint64)
        dynamics_states = np.empty((count, 4), dtype=np.uint64)
        for offset in range(count):
            draws_state, dynamics_seq = replicate_streams(seed, scenario_hash, block_start + offset)
            draw_states[offset] = draws_state
            dynamics_states[offset] = new_state(dynamics_seq)
        out_int = np.zeros((count, N_INT_OUT), dtype=np.int64)
        out_float = np.zeros((count, N_FLOAT_OUT))
        simulate_block(
            draw_states, dynamics_states, world, params, mech, arrays.fixed_female, arrays.pair_i, arrays.pair_j,
            arrays.pair_class, arrays.class_z, arrays.fixed_ideal, arrays.fixed_salience, arrays.big_player,
            arrays.subissue_prob, arrays.setter_is_member, arrays.caucus_members, arrays.caucus_meets,
            arrays.caucus_common, arrays.caucus_mates, arrays.red_lines, arrays.veto, arrays.quota,
            work, out_int, out_float,
        )
        decided = out_int[:, O_DECIDED].astype(bool)
        decision_day = out_float[:, F_DECISION_DAY]
        lag = np.where(decided, np.exp(math.log(mean_lag) - sigma2 / 2 + math.sqrt(sigma2) * out_float[:, F_DEPLOY_NORMAL]),
                       np.nan)
        response = decision_day + lag
        frame = pd.DataFrame({
            "scenario": scenario.name,
            "scenario_hash": scenario_hash,
            "engine": "batch",
            "code_version": __version__,
            "seed": np.full(count, seed, dtype=np.int64),
            "replicate": np.arange(block_start, block_start + count, dtype=np.int64),
            "decided": decided,
            "decision_day": decision_day,
            "deployment_lag_days": lag,
            "response_day": response,
            "response_months": response / DAYS_PER_MONTH,
            "horizon_days": np.full(count, p.max_days, dtype=np.int64),
            "first_meeting_day": out_int[:, O_FIRST_MEETING],
            "n_formal_meetings": out_int[:, O_MEETINGS],
            "n_failed_proposals": out_int[:, O_FAILED],
            "n_informal_contacts": out_int[:, O_CONTACTS],
            "n_capital_widenings": out_int[:, O_WIDENINGS],
            "red_line": outcomes[out_int[:, O_RED_LINE]],
            "pivotal_member": codes[out_int[:, O_PIVOTAL]],
            "setter": setter_names[out_int[:, O_SETTER]],
            "setter_known_share": out_float[:, F_KNOWN_SHARE],
            "informal_share": out_float[:, F_INFORMAL_SHARE],
            "friends_mean": out_float[:, F_FRIENDS_MEAN],
            "zero_friend_share": out_float[:, F_ZERO_FRIEND],
            "contacts_per_week": out_float[:, F_CONTACTS_PER_WEEK],
            "density": out_float[:, F_DENSITY],
            "mean_trust": out_float[:, F_MEAN_TRUST],
        }, columns=ROW_SCHEMA.names)
        yield frame


def run_batch(
    scenario: Scenario,
    *,
    replications: int,
    seed: int = 0,
    first_replicate: int = 0,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """All rows of ``replications`` replicates, computed block by block."""
    frames = []
    for frame in iter_batch(scenario, replications=replications, seed=seed, first_replicate=first_replicate):
        frames.append(frame)
        if progress is not None:
            progress(len(frame))
    if not frames:
        return rows_to_frame([])
    return pd.concat(frames, ignore_index=True)
