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

from corridors import __version__
from corridors.engines.draws import NO_SETTER, draw_world, replicate_streams, scenario_arrays, world_params
from corridors.engines.rng import new_state, next_double, next_poisson
from corridors.engines.rows import DAYS_PER_MONTH, RED_LINE_OUTCOMES, ROW_SCHEMA, rows_to_frame
from corridors.scenario.schema import Scenario

__all__ = ["iter_batch", "run_batch"]

BLOCK_REPLICATES = 1024
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
P_ROUTINE_RATE, P_CRISIS_RATE, P_TRUST_GAIN, P_POSTURE, P_INTERVAL = range(
    len(_PARAMETER_FIELDS), len(_PARAMETER_FIELDS) + 5
)

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
(OF_DECISION_DAY, OF_DEPLOY_NORMAL, OF_KNOWN_SHARE, OF_INFORMAL_SHARE, OF_FRIENDS_MEAN, OF_ZERO_FRIEND,
 OF_CONTACTS_PER_WEEK, OF_DENSITY, OF_MEAN_TRUST) = range(9)
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


# --- layout: member state as rows of two arrays, so helpers take few arguments ---------------

(F_LO, F_HI, F_IDEAL, F_SALIENCE, F_PRESSURE, F_PUBLIC_LO, F_PUBLIC_HI, F_LEARNED_LO, F_LEARNED_HI,
 F_MEAN_TRUST, F_DISTANCE, F_BUFFER, F_POS_SUM) = range(13)
N_FLOAT_ROWS = 13
(I_VERSION, I_PUBLIC_VERSION, I_CALLED_HOME, I_REJECTED, I_ACCEPT, I_ORDER, I_DISCLOSED, I_DEGREE,
 I_DISLIKES, I_CALLS, I_NEWS) = range(11)
N_INT_ROWS = 11
# knowledge of k about i: kcode[k, i] = (version + 1) << SOURCE_BITS | source (0: unknown),
# kval[:, k, i] = (lo, hi) of that version
SOURCE_BITS, SOURCE_MASK = 3, 7
K_LO, K_HI = 0, 1

_FAST = {"cache": True, "_nrt": False, "error_model": "numpy"}
_INLINE = {**_FAST, "inline": "always"}


# --- ties: positive strengths are stored divided by the running decay factor -------------------

BLOCK_SHIFT = 3
"""Each member's positive ties are summed and counted in blocks of 2**BLOCK_SHIFT colleagues."""
B_SUM, B_COUNT = 0, 1  # planes of the blocks array


@njit(**_INLINE)
def _tie(u: np.ndarray, scale: float, i: int, j: int) -> float:
    value = u[i, j]
    return value * scale if value > 0.0 else value


@njit(**_INLINE)
def _set_tie(u: np.ndarray, scale: float, blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray,
             i: int, j: int, value: float) -> None:
    """Set the tie i-j (both directions), keeping sums and counts of positive ties (also by block) current."""
    _store_tie(u, blocks, mf, mi, i, j, value / scale if value > 0.0 else value)


@njit(**_INLINE)
def _store_tie(u: np.ndarray, blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray, i: int, j: int,
               stored: float) -> None:
    """Set the tie i-j to a value already in stored units (see :func:`_set_tie`)."""
    for side in range(2):
        a = i if side == 0 else j
        b = j if side == 0 else i
        old = u[a, b]
        delta = max(stored, 0.0) - max(old, 0.0)
        mf[F_POS_SUM, a] += delta
        blocks[B_SUM, a, b >> BLOCK_SHIFT] += delta
        if (old > 0.0) != (stored > 0.0):
            change = 1 if stored > 0.0 else -1
            mi[I_DEGREE, a] += change
            blocks[B_COUNT, a, b >> BLOCK_SHIFT] += change
        if (old < 0.0) != (stored < 0.0):
            mi[I_DISLIKES, a] += 1 if stored < 0.0 else -1
        u[a, b] = stored


@njit(**_INLINE)
def _row_sums(u: np.ndarray, blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray, a: int) -> None:
    """Exact positive sums and counts of row a, in total and by block (drops accumulated rounding)."""
    n_blocks = blocks.shape[2]
    total = 0.0
    degree = 0
    for block in range(n_blocks):
        part = 0.0
        count = 0
        for b in range(block << BLOCK_SHIFT, (block + 1) << BLOCK_SHIFT):
            part += max(u[a, b], 0.0)
            count += u[a, b] > 0.0
        blocks[B_SUM, a, block] = part
        blocks[B_COUNT, a, block] = count
        total += part
        degree += count
    mf[F_POS_SUM, a] = total
    mi[I_DEGREE, a] = degree


@njit(**_FAST)
def _rebuild_ties(u: np.ndarray, blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray) -> None:
    """Sums of positive ties and counts of ties and dislikes, from the matrix."""
    n = u.shape[0]
    for a in range(n):
        dislikes = 0
        for b in range(n):
            dislikes += u[a, b] < 0.0
        mi[I_DISLIKES, a] = dislikes
        _row_sums(u, blocks, mf, mi, a)


# --- schedule -------------------------------------------------------------------------


@njit(**_FAST)
def _fill_schedule(regular: np.ndarray, start: float, interval: float, burn_in: int) -> None:
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


@njit(**_INLINE)
def _is_crisis_meeting(day: int, regular: np.ndarray, burn_in: int, params: np.ndarray, mech: np.ndarray) -> bool:
    if day >= int(params[P_MAX_DAYS]):
        return False
    if mech[M_EMERGENCY]:
        first = int(params[P_EMERGENCY_DELAY])
        if day == first:
            return True
        return day > first and regular[day + burn_in] == 1
    return day >= 1 and regular[day + burn_in] == 1


# --- knowledge ------------------------------------------------------------------------


@njit(**_INLINE)
def _learn(kcode: np.ndarray, kval: np.ndarray, knower: int, about: int, lo: float, hi: float, version: int,
           source: int) -> None:
    code = ((version + 1) << SOURCE_BITS) | source
    if code >> SOURCE_BITS > kcode[knower, about] >> SOURCE_BITS:
        kcode[knower, about] = code
        kval[K_LO, knower, about] = lo
        kval[K_HI, knower, about] = hi


@njit(**_FAST)
def _gossip(kcode: np.ndarray, kval: np.ndarray, news: np.ndarray, teller: int, listener: int) -> None:
    """Pass on what the teller learned first-hand and the listener does not know yet.

    A branch-free first pass marks the news in ``news`` (it vectorizes); the second copies it.
    The two talking keep their own entries.
    """
    told = kcode[teller]
    heard = kcode[listener]
    for about in range(told.size):
        code = told[about]
        source = code & SOURCE_MASK
        first_hand = (source == OWN) | (source == CONTACT) | (source == CAUCUS)
        news[about] = first_hand & (code >> SOURCE_BITS > heard[about] >> SOURCE_BITS)
    news[teller] = 0
    news[listener] = 0
    for about in range(told.size):
        if news[about]:
            heard[about] = ((told[about] >> SOURCE_BITS) << SOURCE_BITS) | GOSSIP
            kval[K_LO, listener, about] = kval[K_LO, teller, about]
            kval[K_HI, listener, about] = kval[K_HI, teller, about]


# --- informal life (4.3, 4.4, 4.5) ---------------------------------------------------------


@njit(**_INLINE)
def _shuffle(state: np.ndarray, order: np.ndarray, m: int) -> None:
    """Put order[:m] in a uniformly random order (Fisher-Yates)."""
    for i in range(m - 1, 0, -1):
        j = min(int(next_double(state) * (i + 1)), i)
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


@njit(**_INLINE)
def _choose_partner(state: np.ndarray, params: np.ndarray, u: np.ndarray, blocks: np.ndarray, mf: np.ndarray,
                    mi: np.ndarray, i: int) -> int:
    """A trusted colleague with probability friend_choice, else anyone not disliked (4.4).

    A colleague in proportion to trust: a point drawn on i's total positive trust is found
    first among the block sums, then inside its block; should rounding in the running block
    sums point at no positive tie, an exact scan of the row decides.
    """
    n = u.shape[0]
    if mi[I_DEGREE, i] > 0 and next_double(state) < params[P_FRIEND_CHOICE]:
        # branch-free: count the prefix sums at or below the target, first by block, then inside it
        target = next_double(state) * mf[F_POS_SUM, i]
        running = 0.0
        before = 0.0
        block = 0
        for b in range(blocks.shape[2] - 1):
            running += blocks[B_SUM, i, b]
            below = running <= target
            block += below
            before += blocks[B_SUM, i, b] if below else 0.0
        target -= before
        base = block << BLOCK_SHIFT
        running = 0.0
        offset = 0
        for k in range(1 << BLOCK_SHIFT):  # u has zero columns up to a whole block
            running += max(u[i, base + k], 0.0)
            offset += running <= target
        j = base + offset
        if offset < (1 << BLOCK_SHIFT) and u[i, j] > 0.0:
            return j
        # rounding in the block sums missed: an exact scan of the row
        target = next_double(state) * mf[F_POS_SUM, i]
        last = -1
        for j in range(n):
            value = u[i, j]
            if value > 0.0:
                last = j
                if target < value:
                    return j
                target -= value
        return last
    if n - 1 - mi[I_DISLIKES, i] <= 0:
        return -1
    while True:
        j = min(int(next_double(state) * (n - 1)), n - 2)
        if j >= i:
            j += 1
        if u[i, j] >= 0.0:
            return j


@njit(**_INLINE)
def _contact(state: np.ndarray, params: np.ndarray, mech: np.ndarray, u: np.ndarray, scale: float,
             inverse: float, blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray, kcode: np.ndarray, kval: np.ndarray,
             i: int, j: int, in_crisis: bool) -> None:
    """One informal contact between i and j (effects use the tie before the contact)."""
    w = _tie(u, scale, i, j)
    if in_crisis and w > 0.0:  # with no trust, nothing is shared (each chance below is 0)
        if mech[M_INFO_SHARING] and next_double(state) < w * params[P_DISCLOSURE]:
            _learn(kcode, kval, j, i, mf[F_LO, i], mf[F_HI, i], mi[I_VERSION, i], CONTACT)
            _learn(kcode, kval, i, j, mf[F_LO, j], mf[F_HI, j], mi[I_VERSION, j], CONTACT)
        if mech[M_GOSSIP] and next_double(state) < w * params[P_GOSSIP_RATE]:
            _gossip(kcode, kval, mi[I_NEWS], j, i)
            _gossip(kcode, kval, mi[I_NEWS], i, j)
        if mech[M_LOBBYING] and next_double(state) < w * params[P_LOBBY_RATE]:
            mf[F_PRESSURE, i] += w
            mf[F_PRESSURE, j] += w
    if mech[M_TRUST_GROWTH] and w >= 0.0:  # w + gain * (1 - w), in stored units
        _store_tie(u, blocks, mf, mi, i, j, u[i, j] * (1.0 - params[P_TRUST_GAIN]) + params[P_TRUST_GAIN] * inverse)


@njit(**_INLINE)
def _poisson(state: np.ndarray, cdf: np.ndarray, rate: float) -> int:
    """Poisson(rate) by inversion of its tabulated distribution function (tail beyond: Knuth)."""
    if cdf[-1] < 1.0:
        return next_poisson(state, rate)
    draw = next_double(state)
    k = 0
    for m in range(4):  # branch-free for the usual small counts
        k += draw >= cdf[m]
    if k == 4:
        while draw >= cdf[k]:
            k += 1
    return k


def poisson_cdf(rate: float, size: int = 64) -> np.ndarray:
    """Distribution function of Poisson(rate) at 0 .. size - 2, and a sentinel last entry.

    The sentinel is 2.0 when the tail beyond the table is negligible (it ends the inversion
    loop); otherwise 0.5, and the kernel samples by multiplying uniforms instead.
    """
    k = np.arange(size, dtype=np.float64)
    if rate <= 0.0:
        cdf = np.ones(size)
    else:
        log_pmf = -rate + k * math.log(rate) - np.array([math.lgamma(x + 1.0) for x in k])
        cdf = np.cumsum(np.exp(log_pmf))
    cdf[-1] = 2.0 if 1.0 - cdf[-2] < 1e-16 else 0.5
    return cdf


@njit(**_FAST)
def _informal_day(state: np.ndarray, params: np.ndarray, mech: np.ndarray, u: np.ndarray, scale: float,
                  blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray, kcode: np.ndarray, kval: np.ndarray,
                  cdf: np.ndarray, rate: float, in_crisis: bool) -> int:
    """One day of informal contacts: in random order, each starts Poisson(rate); returns the count.

    Only the order of members who start a contact matters, so only those are shuffled.
    """
    n = u.shape[0]
    active = 0
    for i in range(n):
        calls = _poisson(state, cdf, rate)
        mi[I_CALLS, i] = calls
        mi[I_ORDER, active] = i
        active += calls > 0
    _shuffle(state, mi[I_ORDER], active)
    count = 0
    inverse = 1.0 / scale
    for oi in range(active):
        i = mi[I_ORDER, oi]
        for _ in range(mi[I_CALLS, i]):
            j = _choose_partner(state, params, u, blocks, mf, mi, i)
            if j >= 0:
                _contact(state, params, mech, u, scale, inverse, blocks, mf, mi, kcode, kval, i, j, in_crisis)
                count += 1
    return count


@njit(**_FAST)
def _first_calls(state: np.ndarray, params: np.ndarray, mech: np.ndarray, u: np.ndarray, scale: float,
                 blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray, kcode: np.ndarray, kval: np.ndarray) -> int:
    """Day 0: a call to the strongest tie (probability first_call_friend) or to the capital (4.5)."""
    n = u.shape[0]
    count = 0
    for i in range(n):
        mi[I_ORDER, i] = i
    _shuffle(state, mi[I_ORDER], n)
    for oi in range(n):
        i = mi[I_ORDER, oi]
        if mech[M_FIRST_CALL] and mi[I_DEGREE, i] > 0 and next_double(state) < params[P_FIRST_CALL_FRIEND]:
            best = -1
            best_w = -np.inf
            for j in range(n):
                w = _tie(u, scale, i, j)
                if w > best_w:
                    best_w = w
                    best = j
            _contact(state, params, mech, u, scale, 1.0 / scale, blocks, mf, mi, kcode, kval, i, best, True)
            count += 1
        else:
            mi[I_CALLED_HOME, i] = 1
    return count


@njit(**_INLINE)
def _geometric(state: np.ndarray, log_stay: float) -> float:
    """Failures before the first success of Bernoulli trials with log(1 - p) = log_stay."""
    if log_stay >= 0.0:
        return np.inf
    return math.floor(math.log1p(-next_double(state)) / log_stay)


@njit(**_FAST)
def _rotation(state: np.ndarray, params: np.ndarray, u: np.ndarray, scale: float, blocks: np.ndarray,
              mf: np.ndarray, mi: np.ndarray, caucus_mates: np.ndarray, skip: float) -> float:
    """Burn-in: ambassadors leave; newcomers keep weak ties only to caucus-mates (4.3).

    Each ambassador leaves each day with probability 1/tenure_days; instead of a draw per
    member and day, ``skip`` counts the member-days left until the next departure.
    Returns the count carried into the next day.
    """
    n = u.shape[0]
    log_stay = math.log1p(-1.0 / params[P_TENURE])
    position = 0
    while skip < n - position:
        i = position + int(skip)
        for j in range(n):
            if j != i:
                _set_tie(u, scale, blocks, mf, mi, i, j, params[P_ROTATION_KEEP] if caucus_mates[i, j] else 0.0)
        position = i + 1
        skip = _geometric(state, log_stay)
    return skip - (n - position)


@njit(**_FAST)
def _routine_meeting(params: np.ndarray, u: np.ndarray, scale: float, blocks: np.ndarray, mf: np.ndarray,
                     mi: np.ndarray) -> None:
    """Colleagues, not friends: every positive tie gains formal_trust_gain * (1 - w).

    In stored units each positive tie becomes s * (1 - gain) + gain / scale, so the sums
    follow from the counts of positive ties without adding the row up again.
    """
    gain = params[P_FORMAL_TRUST_GAIN]
    keep = 1.0 - gain
    add = gain / scale
    for a in range(u.shape[0]):
        for b in range(u.shape[1]):
            value = u[a, b]
            u[a, b] = value * keep + add if value > 0.0 else value
        for block in range(blocks.shape[2]):
            blocks[B_SUM, a, block] = blocks[B_SUM, a, block] * keep + add * blocks[B_COUNT, a, block]
        mf[F_POS_SUM, a] = mf[F_POS_SUM, a] * keep + add * mi[I_DEGREE, a]


# --- the crisis (4.6 - 4.9) ------------------------------------------------------------------


@njit(**_FAST)
def _capital_reviews(state: np.ndarray, params: np.ndarray, mech: np.ndarray, mf: np.ndarray, mi: np.ndarray,
                     kcode: np.ndarray, kval: np.ndarray, day: int, have_failed: bool, last_x: float) -> int:
    """Weekly reviews (and day 1 for capitals called on day 0); returns the number of widenings."""
    widenings = 0
    weekly = day > 0 and day % int(params[P_REVIEW_DAYS]) == 0
    for i in range(mf.shape[1]):
        if not (weekly or (day == 1 and mi[I_CALLED_HOME, i] == 1)):
            continue
        chance = params[P_WIDEN_BASE] + params[P_LOBBY_EFFECT] * min(1.0, mf[F_PRESSURE, i])
        if mech[M_ENTRENCHMENT] and mi[I_REJECTED, i] == 1:
            chance *= 1.0 - params[P_ENTRENCHMENT]
        if next_double(state) >= chance:
            continue
        step = params[P_WIDEN_STEP] * (1.0 - mf[F_SALIENCE, i])
        if have_failed and last_x < mf[F_LO, i]:
            mf[F_LO, i] = max(0.0, mf[F_LO, i] - step)
        elif have_failed and last_x > mf[F_HI, i]:
            mf[F_HI, i] = min(1.0, mf[F_HI, i] + step)
        else:
            mf[F_LO, i] = max(0.0, mf[F_LO, i] - step / 2.0)
            mf[F_HI, i] = min(1.0, mf[F_HI, i] + step / 2.0)
        mi[I_VERSION, i] += 1
        mf[F_PRESSURE, i] = 0.0
        _learn(kcode, kval, i, i, mf[F_LO, i], mf[F_HI, i], mi[I_VERSION, i], OWN)
        widenings += 1
    return widenings


@njit(**_FAST)
def _caucus_meetings(state: np.ndarray, params: np.ndarray, mech: np.ndarray, u: np.ndarray, scale: float,
                     blocks: np.ndarray, mf: np.ndarray, mi: np.ndarray, kcode: np.ndarray,
                     kval: np.ndarray, caucus_size: np.ndarray, caucus_index: np.ndarray, caucus_meets: np.ndarray,
                     setter_row: int) -> None:
    """The day before a crisis meeting: disclosures, reports, trust and harmonization (4.7)."""
    for c in range(caucus_size.size):
        size = caucus_size[c]
        if not caucus_meets[c] or size < 2:
            continue
        for x in range(size):
            m = caucus_index[c, x]
            total = 0.0
            for y in range(size):
                total += max(u[m, caucus_index[c, y]], 0.0)
            mf[F_MEAN_TRUST, m] = total * scale / (size - 1)
        for x in range(size):
            m = caucus_index[c, x]
            opened = next_double(state) < min(1.0, params[P_CAUCUS_OPENNESS] + mf[F_MEAN_TRUST, m])
            mi[I_DISCLOSED, m] = 1 if opened else 0
        for x in range(size):
            m = caucus_index[c, x]
            if mi[I_DISCLOSED, m] == 1:
                for y in range(size):
                    _learn(kcode, kval, caucus_index[c, y], m, mf[F_LO, m], mf[F_HI, m], mi[I_VERSION, m], CAUCUS)
                if mech[M_CAUCUS_REPORTING]:
                    _learn(kcode, kval, setter_row, m, mf[F_LO, m], mf[F_HI, m], mi[I_VERSION, m], CAUCUS)
        gain = params[P_CAUCUS_TRUST_GAIN]
        keep = 1.0 - gain
        add = gain / scale  # w + gain * (1 - w) in stored units: a positive tie grows, no tie becomes gain
        for x in range(size):
            i = caucus_index[c, x]
            for y in range(x + 1, size):
                j = caucus_index[c, y]
                stored = u[i, j]
                if stored >= 0.0:
                    u[i, j] = stored * keep + add
                    u[j, i] = u[i, j]
        for x in range(size):  # only the caucus members' rows changed
            _row_sums(u, blocks, mf, mi, caucus_index[c, x])
        if mech[M_CAUCUS_HARMONIZATION]:
            for x in range(size):
                mf[F_BUFFER, x] = mf[F_IDEAL, caucus_index[c, x]]
            median = _median_of(mf[F_BUFFER], size)
            for x in range(size):
                m = caucus_index[c, x]
                if not (mf[F_LO, m] <= median <= mf[F_HI, m]):
                    mf[F_PRESSURE, m] += params[P_CAUCUS_PRESSURE] * mf[F_MEAN_TRUST, m]


@njit(**_INLINE)
def _slack(params: np.ndarray, mech: np.ndarray, mf: np.ndarray, scale: float, k: int) -> float:
    if not mech[M_AGENCY]:
        return 0.0
    total = mf[F_POS_SUM, k] * scale
    return params[P_AGENCY_MAX] * total / (total + params[P_AGENCY_HALF])


@njit(**_FAST)
def _formal_meeting(state: np.ndarray, params: np.ndarray, mech: np.ndarray, scale: float, mf: np.ndarray,
                    mi: np.ndarray, kcode: np.ndarray, kval: np.ndarray, in_draft: np.ndarray, public_red: np.ndarray,
                    red_lines: np.ndarray, caucus_size: np.ndarray, caucus_index: np.ndarray,
                    caucus_common: np.ndarray, veto: np.ndarray, quota: int, setter_row: int,
                    first: bool) -> tuple[bool, float, bool, bool]:
    """A formal crisis meeting (4.8); returns (decided, proposal, redrafted, outvoted)."""
    n = mf.shape[1]
    n_sub = in_draft.size
    posture = params[P_POSTURE]
    if first:
        for i in range(n):
            mf[F_PUBLIC_LO, i] = mf[F_IDEAL, i] - posture * (mf[F_IDEAL, i] - mf[F_LO, i])
            mf[F_PUBLIC_HI, i] = mf[F_IDEAL, i] + posture * (mf[F_HI, i] - mf[F_IDEAL, i])
            mi[I_PUBLIC_VERSION, i] = mi[I_VERSION, i]
    for i in range(n):
        mi[I_REJECTED, i] = 0
    redrafted = False
    for s in range(n_sub):
        if in_draft[s] and public_red[s] and next_double(state) < params[P_REDRAFT_PROB]:
            in_draft[s] = False
            redrafted = True
    highest_lo = -np.inf
    lowest_hi = np.inf
    for k in range(n):
        if kcode[setter_row, k] != 0:
            b_lo = kval[K_LO, setter_row, k]
            b_hi = kval[K_HI, setter_row, k]
        else:
            b_lo = max(mf[F_PUBLIC_LO, k], mf[F_LEARNED_LO, k])
            b_hi = min(mf[F_PUBLIC_HI, k], mf[F_LEARNED_HI, k])
        highest_lo = max(highest_lo, b_lo)
        lowest_hi = min(lowest_hi, b_hi)
    x = min(1.0, max(0.0, (highest_lo + lowest_hi) / 2.0))
    for k in range(n):
        blocked = False
        for s in range(n_sub):
            if red_lines[k, s] and in_draft[s]:
                blocked = True
        slack = _slack(params, mech, mf, scale, k)
        inside = mf[F_LO, k] - slack <= x <= mf[F_HI, k] + slack
        mi[I_ACCEPT, k] = 1 if (inside and not blocked) else 0
    for c in range(caucus_size.size):
        if caucus_common[c]:
            all_in = True
            for y in range(caucus_size[c]):
                if mi[I_ACCEPT, caucus_index[c, y]] == 0:
                    all_in = False
            if not all_in:
                for y in range(caucus_size[c]):
                    mi[I_ACCEPT, caucus_index[c, y]] = 0
    n_accept = 0
    vetoed = False
    for k in range(n):
        if mi[I_ACCEPT, k] == 1:
            n_accept += 1
        elif veto[k]:
            vetoed = True
    if n_accept >= quota and not vetoed:
        outvoted = False
        for s in range(n_sub):
            if in_draft[s]:
                if public_red[s]:
                    outvoted = True
                for k in range(n):
                    if red_lines[k, s]:
                        outvoted = True
        return True, x, redrafted, outvoted
    for k in range(n):
        mf[F_DISTANCE, k] = -1.0
        if mi[I_ACCEPT, k] == 1:
            continue
        mi[I_REJECTED, k] = 1
        blocked = False
        for s in range(n_sub):
            if red_lines[k, s] and in_draft[s]:
                blocked = True
                public_red[s] = True
        if blocked:
            mf[F_DISTANCE, k] = np.inf
            continue
        slack = _slack(params, mech, mf, scale, k)
        mf[F_DISTANCE, k] = max(mf[F_LO, k] - slack - x, x - mf[F_HI, k] - slack, 0.0)
        if x < mf[F_LO, k] - slack:
            mf[F_LEARNED_LO, k] = max(mf[F_LEARNED_LO, k], x)
        elif x > mf[F_HI, k] + slack:
            mf[F_LEARNED_HI, k] = min(mf[F_LEARNED_HI, k], x)
    return False, x, redrafted, False


@njit(**_FAST)
def _bridges(state: np.ndarray, params: np.ndarray, u: np.ndarray, scale: float, in_draft: np.ndarray,
             public_red: np.ndarray, red_lines: np.ndarray) -> bool:
    """While a public red line blocks, the blocker's friends may find a workaround (4.9)."""
    bridged = False
    n = u.shape[0]
    for s in range(in_draft.size):
        if in_draft[s] and public_red[s]:
            keep = 1.0
            for b in range(n):
                if red_lines[b, s]:
                    for j in range(n):
                        w = _tie(u, scale, b, j)
                        if w > 0.0:
                            keep *= 1.0 - params[P_BRIDGE_RATE] * w * w
            if next_double(state) < 1.0 - keep:
                in_draft[s] = False
                bridged = True
    return bridged


@njit(**_FAST)
def _network_measures(u: np.ndarray, scale: float, threshold: float) -> tuple[float, float, float, float]:
    """(friends per ambassador, share with no friend, density, mean positive trust) at day 0."""
    n = u.shape[0]
    friends_total = 0
    zero = 0
    positive = 0
    w_total = 0.0
    for i in range(n):
        friends_i = 0
        for j in range(n):
            if i != j:
                w = _tie(u, scale, i, j)
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


@njit(**_FAST)
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


# --- the kernel ---------------------------------------------------------------------------


def make_workspace(scenario: Scenario) -> tuple:  # type: ignore[type-arg]
    """Arrays the kernel works in, allocated once per block (the kernel itself never allocates)."""
    a = scenario_arrays(scenario)
    n = a.n
    n_caucus = a.caucus_members.shape[0]
    caucus_size = a.caucus_members.sum(axis=1).astype(np.int64)
    caucus_index = np.zeros((n_caucus, n), dtype=np.int64)
    for c in range(n_caucus):
        members = np.flatnonzero(a.caucus_members[c])
        caucus_index[c, : members.size] = members
    n_classes = 2 * a.class_z.size
    n_sub = a.subissue_prob.size
    n_blocks = (n + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT
    params, _ = kernel_parameters(scenario)
    return (
        np.zeros(n, dtype=np.bool_),  # female
        np.zeros((n, n_blocks << BLOCK_SHIFT)),  # u: stored tie strengths (zero columns fill the last block)
        np.zeros((2, n, n_blocks)),  # blocks: positive ties summed and counted by block
        np.zeros((N_FLOAT_ROWS, n)),  # member float state
        np.zeros((N_INT_ROWS, n), dtype=np.int64),  # member integer state
        np.zeros((n + 1, n), dtype=np.int32),  # knowledge: version and source, packed
        np.zeros((2, n + 1, n)),  # knowledge: lo, hi
        np.zeros(n_sub, dtype=np.bool_),  # in_draft
        np.zeros(n_sub, dtype=np.bool_),  # public red lines
        caucus_size,
        caucus_index,
        np.zeros(n_classes), np.zeros(n_classes), np.zeros(n_classes),  # draw_world buffers
        np.zeros(scenario.parameters.burn_in_days + scenario.parameters.max_days + 2, dtype=np.int8),  # schedule
        np.stack([poisson_cdf(params[P_ROUTINE_RATE]), poisson_cdf(params[P_CRISIS_RATE])]),  # contact counts
    )


@njit(**_FAST)
def simulate_block(
    draw_states: np.ndarray, dynamics_states: np.ndarray, world: np.ndarray, params: np.ndarray,
    mech: np.ndarray, fixed_female: np.ndarray, pair_i: np.ndarray, pair_j: np.ndarray,
    pair_class: np.ndarray, class_z: np.ndarray, fixed_ideal: np.ndarray, fixed_salience: np.ndarray,
    big_player: np.ndarray, subissue_prob: np.ndarray, setter_is_member: bool, tie_i: np.ndarray,
    tie_j: np.ndarray, tie_w: np.ndarray, observed_network: bool, caucus_members: np.ndarray,
    caucus_meets: np.ndarray, caucus_common: np.ndarray, caucus_mates: np.ndarray, red_lines: np.ndarray,
    veto: np.ndarray, quota: int, work: tuple, out_int: np.ndarray, out_float: np.ndarray,  # type: ignore[type-arg]
) -> None:
    """Run one block of replicates; fills ``out_int`` and ``out_float`` row by row.

    Compiled without reference counting (it allocates nothing); each step of the day is a
    function of its own, so the compiler optimizes small bodies.
    """
    n = fixed_female.size
    burn_in = int(params[P_BURN_IN])
    horizon = int(params[P_MAX_DAYS])
    interval = params[P_INTERVAL]
    (female, u, blocks, mf, mi, kcode, kval, in_draft, public_red, caucus_size, caucus_index,
     z_buffer, count_buffer, prob_buffer, regular, cdf) = work

    for r in range(draw_states.shape[0]):
        state = dynamics_states[r]
        phase, setter, deploy_normal = draw_world(
            draw_states[r], world, fixed_female, pair_i, pair_j, pair_class, class_z, fixed_ideal, fixed_salience,
            big_player, subissue_prob, setter_is_member, interval, tie_i, tie_j, tie_w, observed_network,
            female, u, mf[F_IDEAL], mf[F_SALIENCE],
            mf[F_LO], mf[F_HI], in_draft, z_buffer, count_buffer, prob_buffer,
        )
        setter_row = setter if setter != NO_SETTER else n
        scale = 1.0
        _rebuild_ties(u, blocks, mf, mi)
        start = -burn_in + phase
        _fill_schedule(regular, start, interval, burn_in)
        rotation_skip = _geometric(state, math.log1p(-1.0 / params[P_TENURE]))
        for row in (I_VERSION, I_CALLED_HOME, I_REJECTED):
            mi[row, :] = 0
        mi[I_PUBLIC_VERSION, :] = -1
        mf[F_PRESSURE, :] = 0.0
        mf[F_PUBLIC_LO, :] = 0.0
        mf[F_PUBLIC_HI, :] = 1.0
        mf[F_LEARNED_LO, :] = 0.0
        mf[F_LEARNED_HI, :] = 1.0
        mf[F_DISTANCE, :] = -1.0
        public_red[:] = False
        kcode[:, :] = 0
        kval[K_LO] = 0.0
        kval[K_HI] = 1.0
        first_meeting = -1
        for d in range(horizon):
            if _is_crisis_meeting(d, regular, burn_in, params, mech):
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
                friends_mean, zero_friend, density, mean_w = _network_measures(u, scale, params[P_FRIEND_THRESHOLD])
                window_weeks = min(params[P_WINDOW_WEEKS] * 7.0, float(burn_in)) / 7.0
                contacts_per_week = 2.0 * window_contacts / n / window_weeks if window_weeks > 0 else np.nan
                in_crisis = True
                for i in range(n):
                    _learn(kcode, kval, i, i, mf[F_LO, i], mf[F_HI, i], 0, OWN)
                n_contacts += _first_calls(state, params, mech, u, scale, blocks, mf, mi, kcode, kval)
            if not in_crisis:
                rotation_skip = _rotation(state, params, u, scale, blocks, mf, mi, caucus_mates, rotation_skip)
            made = _informal_day(state, params, mech, u, scale, blocks, mf, mi, kcode, kval, cdf[1 if in_crisis else 0],
                                 params[P_CRISIS_RATE] if in_crisis else params[P_ROUTINE_RATE], in_crisis)
            if in_crisis:
                n_contacts += made
            elif day >= window_start:
                window_contacts += made
            if in_crisis:
                if mech[M_CAPITAL_REVIEW]:
                    n_widenings += _capital_reviews(state, params, mech, mf, mi, kcode, kval, day, have_failed, last_x)
                if mech[M_CAUCUSES] and _is_crisis_meeting(day + 1, regular, burn_in, params, mech):
                    _caucus_meetings(state, params, mech, u, scale, blocks, mf, mi, kcode, kval,
                                     caucus_size, caucus_index, caucus_meets, setter_row)
            if in_crisis and _is_crisis_meeting(day, regular, burn_in, params, mech):
                n_meetings += 1
                agreed, x, redrafted, outvoted = _formal_meeting(
                    state, params, mech, scale, mf, mi, kcode, kval, in_draft, public_red, red_lines, caucus_size,
                    caucus_index, caucus_common, veto, quota, setter_row, n_meetings == 1,
                )
                if redrafted:
                    red_line = RL_REDRAFTED
                if agreed:
                    decided = True
                    decision_day = float(day)
                    if outvoted:
                        red_line = RL_OUTVOTED
                    break
                n_failed += 1
                have_failed = True
                last_x = x
            elif regular[day + burn_in] == 1:
                _routine_meeting(params, u, scale, blocks, mf, mi)
            if in_crisis and mech[M_BRIDGES] and _bridges(state, params, u, scale, in_draft, public_red, red_lines):
                red_line = RL_BRIDGED
            # trust decay (4.10): one factor for every positive tie
            scale *= 1.0 - params[P_TRUST_DECAY]
            if scale < 1e-3:
                for i in range(n):
                    for j in range(n):
                        if u[i, j] > 0.0:
                            u[i, j] *= scale
                scale = 1.0
                _rebuild_ties(u, blocks, mf, mi)
            day += 1

        if not decided:
            for s in range(in_draft.size):
                if in_draft[s] and public_red[s]:
                    red_line = RL_UNRESOLVED
        pivotal = -1
        best_distance = -1.0
        if have_failed:
            for k in range(n):
                if mf[F_DISTANCE, k] > best_distance:
                    best_distance = mf[F_DISTANCE, k]
                    pivotal = k
        informal = 0
        formal = 0
        others = 0
        for k in range(n):
            if k == setter:
                continue
            others += 1
            source = kcode[setter_row, k] & SOURCE_MASK
            known_version = (kcode[setter_row, k] >> SOURCE_BITS) - 1
            if known_version == mi[I_VERSION, k] and source in (CONTACT, GOSSIP, CAUCUS):
                informal += 1
            elif params[P_POSTURE] == 1.0 and mi[I_PUBLIC_VERSION, k] == mi[I_VERSION, k]:
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
        out_float[r, OF_DECISION_DAY] = decision_day
        out_float[r, OF_DEPLOY_NORMAL] = deploy_normal
        out_float[r, OF_KNOWN_SHARE] = known / others
        out_float[r, OF_INFORMAL_SHARE] = informal / known if known > 0 else np.nan
        out_float[r, OF_FRIENDS_MEAN] = friends_mean
        out_float[r, OF_ZERO_FRIEND] = zero_friend
        out_float[r, OF_CONTACTS_PER_WEEK] = contacts_per_week
        out_float[r, OF_DENSITY] = density
        out_float[r, OF_MEAN_TRUST] = mean_w


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
            arrays.subissue_prob, arrays.setter_is_member, arrays.tie_i, arrays.tie_j, arrays.tie_w,
            arrays.observed_network, arrays.caucus_members, arrays.caucus_meets,
            arrays.caucus_common, arrays.caucus_mates, arrays.red_lines, arrays.veto, arrays.quota,
            work, out_int, out_float,
        )
        decided = out_int[:, O_DECIDED].astype(bool)
        decision_day = out_float[:, OF_DECISION_DAY]
        log_lag = math.log(mean_lag) - sigma2 / 2 + math.sqrt(sigma2) * out_float[:, OF_DEPLOY_NORMAL]
        lag = np.where(decided, np.exp(log_lag), np.nan)
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
            "setter_known_share": out_float[:, OF_KNOWN_SHARE],
            "informal_share": out_float[:, OF_INFORMAL_SHARE],
            "friends_mean": out_float[:, OF_FRIENDS_MEAN],
            "zero_friend_share": out_float[:, OF_ZERO_FRIEND],
            "contacts_per_week": out_float[:, OF_CONTACTS_PER_WEEK],
            "density": out_float[:, OF_DENSITY],
            "mean_trust": out_float[:, OF_MEAN_TRUST],
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
