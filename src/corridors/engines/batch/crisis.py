"""The crisis in the batch engine (7.6-7.9): capitals, caucuses, formal meetings, bridges.

Named like the reference engine's methods, drawing the same uniforms in the same order.
"""

from __future__ import annotations

import numpy as np

from corridors.engines.batch.informal import SOURCE_BITS, SOURCE_MASK, learn
from corridors.engines.batch.state import CONVENED, Committee, Members, SetterBeliefs, Ties
from corridors.engines.batch.ties import row_sums, trust
from corridors.engines.jit_options import jit_only
from corridors.engines.rng import next_double
from corridors.engines.rules import (
    CAUCUS,
    NO_SIDE,
    OWN,
    PUBLIC,
    VOTE,
    ModelParameters,
    Switches,
    accepts,
    agency_slack,
    agreement_found,
    bridge_chance_factor,
    capital_estimate,
    caucus_disclosure_chance,
    grown_trust,
    harmonization_pressure,
    informed_widening_chance,
    join_peers,
    proposal,
    public_interval,
    rejection_side,
    update_belief,
    vote_carries,
    widened_instruction,
    widening_chance,
)

__all__ = [
    "capital_reviews",
    "caucus_meetings",
    "convene_meeting",
    "find_bridges",
    "formal_crisis_meeting",
    "informed_capital_review",
    "median_of",
    "start_theory",
]


@jit_only
def capital_reviews(
    state: np.ndarray, p: ModelParameters, s: Switches, committee: Committee, day: int, have_failed: bool, last_x: float
) -> tuple[int, int]:
    """Weekly reviews (and day 1 for capitals called on day 0); returns (widenings, informed widenings) (7.6)."""
    members = committee.members
    widenings = 0
    informed = 0
    weekly = day > 0 and day % p.review_days == 0
    for i in range(members.lo.size):
        if not (weekly or (day == 1 and members.called_home[i] == 1)):
            continue
        if s.informed_capitals:
            widened, acted = informed_capital_review(state, p, s, committee, i, have_failed, last_x)
            widenings += widened
            informed += acted
            continue
        entrenched = s.entrenchment and members.rejected_in_public[i] == 1
        chance = widening_chance(p.widen_base, p.lobby_effect, members.pressure[i], entrenched, p.entrenchment)
        if next_double(state) >= chance:
            continue
        step = p.widen_step * (1.0 - members.salience[i])
        members.lo[i], members.hi[i] = widened_instruction(members.lo[i], members.hi[i], step, have_failed, last_x)
        members.version[i] += 1
        members.pressure[i] = 0.0
        learn(committee.knowledge, i, i, members.lo[i], members.hi[i], members.version[i], OWN)
        widenings += 1
    return widenings, informed


@jit_only
def informed_capital_review(
    state: np.ndarray, p: ModelParameters, s: Switches, committee: Committee, i: int, have_failed: bool, last_x: float
) -> tuple[bool, bool]:
    """One review of an informed capital (``theory.capitals: informed``); returns (widened, informed).

    Its ambassador's private knowledge gives the estimate x_hat and the share kappa
    (:func:`capital_estimate`); if the instruction excludes x_hat, the widening chance gains
    inform_effect * kappa and the bound that excludes x_hat moves toward it by the step
    (:func:`widened_instruction` with x_hat as its target), otherwise v2's rule.
    One uniform, as in v2.
    """
    members = committee.members
    knowledge = committee.knowledge
    for j in range(members.lo.size):
        members.known[j] = knowledge.code[i, j] >> SOURCE_BITS > 0
    x_hat, kappa = capital_estimate(
        knowledge.lo[i],
        knowledge.hi[i],
        members.known,
        members.salience,
        i,
        members.estimate_lo,
        members.estimate_hi,
        members.estimate_salience,
    )
    excluded = not (members.lo[i] <= x_hat <= members.hi[i])
    entrenched = s.entrenchment and members.rejected_in_public[i] == 1
    chance = informed_widening_chance(
        p.widen_base, p.lobby_effect, members.pressure[i], p.inform_effect, kappa, excluded, entrenched, p.entrenchment
    )
    if next_double(state) >= chance:
        return False, False
    step = p.widen_step * (1.0 - members.salience[i])
    toward = x_hat if excluded else last_x  # the bound that excludes x_hat moves toward it, else v2's rule
    members.lo[i], members.hi[i] = widened_instruction(
        members.lo[i], members.hi[i], step, excluded or have_failed, toward
    )
    members.version[i] += 1
    members.pressure[i] = 0.0
    learn(knowledge, i, i, members.lo[i], members.hi[i], members.version[i], OWN)
    return True, excluded


@jit_only
def median_of(values: np.ndarray, size: int) -> float:
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


@jit_only
def caucus_meets_today(committee: Committee, c: int, day: int, formal_tomorrow: bool) -> bool:
    """The day before a crisis meeting (meets_before_formal), or on the caucus's own schedule."""
    world = committee.world
    if world.caucus_meets_before_formal[c] and formal_tomorrow:
        return True
    every = world.caucus_every_days[c]
    return every > 0 and day >= world.caucus_phase_days[c] and (day - world.caucus_phase_days[c]) % every == 0


@jit_only
def caucus_meetings(
    state: np.ndarray,
    p: ModelParameters,
    s: Switches,
    committee: Committee,
    day: int,
    formal_tomorrow: bool,
    setter_row: int,
) -> None:
    """Caucuses meeting today: disclosures, reports to the setter, trust, harmonization (7.7)."""
    members = committee.members
    ties = committee.ties
    world = committee.world
    for c in range(world.caucus_size.size):
        size = world.caucus_size[c]
        if size < 2 or not caucus_meets_today(committee, c, day, formal_tomorrow):
            continue
        index = world.caucus_index[c]
        for x in range(size):
            m = index[x]
            total = 0.0
            for y in range(size):
                total += max(ties.stored[m, index[y]], 0.0)
            members.caucus_trust[m] = total * ties.scale[0] / (size - 1)
        for x in range(size):
            m = index[x]
            chance = caucus_disclosure_chance(p.caucus_openness, members.caucus_trust[m])
            members.disclosed[m] = 1 if next_double(state) < chance else 0
        for x in range(size):
            m = index[x]
            if members.disclosed[m] == 1:
                for y in range(size):
                    learn(committee.knowledge, index[y], m, members.lo[m], members.hi[m], members.version[m], CAUCUS)
                if s.caucus_reporting:
                    learn(committee.knowledge, setter_row, m, members.lo[m], members.hi[m], members.version[m], CAUCUS)
        scale = ties.scale[0]
        for x in range(size):
            i = index[x]
            for y in range(x + 1, size):
                j = index[y]
                w = trust(ties, i, j)
                if w >= 0.0:
                    ties.stored[i, j] = grown_trust(w, p.caucus_trust_gain) / scale
                    ties.stored[j, i] = ties.stored[i, j]
        for x in range(size):  # only the caucus members' rows changed
            row_sums(ties, index[x])
        if s.caucus_harmonization:
            for x in range(size):
                members.buffer[x] = members.ideal[index[x]]
            median = median_of(members.buffer, size)
            for x in range(size):
                m = index[x]
                if not (members.lo[m] <= median <= members.hi[m]):
                    members.pressure[m] += harmonization_pressure(p.caucus_pressure, members.caucus_trust[m])


@jit_only
def slack(p: ModelParameters, s: Switches, ties: Ties, k: int) -> float:
    """Agency slack of k's ambassador (7.8)."""
    if not s.agency:
        return 0.0
    return agency_slack(ties.positive_sum[k] * ties.scale[0], p.agency_max, p.agency_half)


@jit_only
def blocked_by_red_line(committee: Committee, k: int) -> bool:
    world = committee.world
    for sub in range(world.in_draft.size):  # noqa: SIM110 (numba compiles no generators)
        if world.red_lines[k, sub] and world.in_draft[sub]:
            return True
    return False


@jit_only
def state_public_positions(p: ModelParameters, members: Members, beliefs: SetterBeliefs) -> None:
    """First crisis meeting: postured public intervals on the record; the setter's first beliefs."""
    for i in range(members.lo.size):
        members.public_lo[i], members.public_hi[i] = public_interval(
            members.ideal[i], members.lo[i], members.hi[i], p.posture
        )
        members.public_version[i] = members.version[i]
        beliefs.lo[i] = members.public_lo[i]
        beliefs.hi[i] = members.public_hi[i]
        beliefs.version[i] = -1
        beliefs.source[i] = PUBLIC


@jit_only
def update_beliefs_from_knowledge(committee: Committee, setter_row: int) -> None:
    """A newer version the setter learned (contact, gossip, caucus report, its own) replaces a belief."""
    beliefs = committee.beliefs
    knowledge = committee.knowledge
    for k in range(beliefs.lo.size):
        code = knowledge.code[setter_row, k]
        known_version = (code >> SOURCE_BITS) - 1
        if known_version > beliefs.version[k]:
            beliefs.lo[k] = knowledge.lo[setter_row, k]
            beliefs.hi[k] = knowledge.hi[setter_row, k]
            beliefs.version[k] = known_version
            beliefs.source[k] = code & SOURCE_MASK


@jit_only
def formal_crisis_meeting(
    state: np.ndarray, p: ModelParameters, s: Switches, committee: Committee, setter: int, setter_row: int, first: bool
) -> tuple[bool, float, bool, bool, int]:
    """Public positions, a proposal, a vote, and what the setter learns from it (7.8).

    Returns (decided, proposal, redrafted, outvoted, belief updates).
    """
    members = committee.members
    beliefs = committee.beliefs
    world = committee.world
    ties = committee.ties
    n = members.lo.size
    if first:
        state_public_positions(p, members, beliefs)
    for i in range(n):
        members.rejected_in_public[i] = 0
    redrafted = False
    for sub in range(world.in_draft.size):
        if world.in_draft[sub] and world.public_red_lines[sub] and next_double(state) < p.redraft_prob:
            world.in_draft[sub] = False
            redrafted = True
    update_beliefs_from_knowledge(committee, setter_row)
    x = proposal(beliefs.lo, beliefs.hi, members.salience)
    if s.peer_agency:
        for k in range(n):
            members.blocked[k] = blocked_by_red_line(committee, k)
        committee.theory.cascade_rounds[0] = join_peers(
            members.lo,
            members.hi,
            members.blocked,
            ties.stored,
            ties.scale[0],
            x,
            p.agency_max if s.agency else 0.0,
            p.agency_half,
            members.accepts,
            members.vote_slack,
        )
    else:
        committee.theory.cascade_rounds[0] = 0
        for k in range(n):
            members.accepts[k] = accepts(
                members.lo[k], members.hi[k], slack(p, s, ties, k), x, blocked_by_red_line(committee, k)
            )
    if vote_carries(
        members.accepts, world.quota, world.veto, world.caucus_index, world.caucus_size, world.caucus_common
    ):
        outvoted = False
        for sub in range(world.in_draft.size):
            if world.in_draft[sub]:
                if world.public_red_lines[sub]:
                    outvoted = True
                for k in range(n):
                    if world.red_lines[k, sub]:
                        outvoted = True
        return True, x, redrafted, outvoted, 0
    updates = 0
    for k in range(n):
        members.rejection_distance[k] = -1.0
        accepted = members.accepts[k] == 1
        side = NO_SIDE
        if not accepted:
            members.rejected_in_public[k] = 1
            if blocked_by_red_line(committee, k):
                for sub in range(world.in_draft.size):
                    if world.red_lines[k, sub] and world.in_draft[sub]:
                        world.public_red_lines[sub] = True
                members.rejection_distance[k] = np.inf
            else:
                e = members.vote_slack[k] if s.peer_agency else slack(p, s, ties, k)
                members.rejection_distance[k] = max(members.lo[k] - e - x, x - members.hi[k] - e, 0.0)
                side = rejection_side(members.lo[k], members.hi[k], e, x)
        if k == setter:
            continue  # the setter knows its own instruction
        beliefs.lo[k], beliefs.hi[k], changed = update_belief(
            beliefs.lo[k], beliefs.hi[k], x, accepted, side, p.belief_step
        )
        if changed:
            beliefs.source[k] = VOTE
            updates += 1
    return False, x, redrafted, False, updates


@jit_only
def start_theory(committee: Committee) -> None:
    """Day 0: model v3's tallies start from zero."""
    theory = committee.theory
    theory.first_callers[0] = 0
    theory.convened_meetings[0] = 0
    theory.cascade_rounds[0] = 0


@jit_only
def convene_meeting(
    p: ModelParameters, s: Switches, committee: Committee, setter: int, setter_row: int, day: int
) -> bool:
    """``theory.convening: consensus``: the setter convenes a meeting once it expects its proposal to pass.

    Called on crisis days after the first crisis meeting. If no crisis meeting is due from
    today to ``convening_notice_days`` ahead and that day is before the horizon, the setter
    updates its beliefs from its knowledge and forecasts the vote on the proposal it would
    make (:func:`rules.agreement_found`); if the vote carries, a meeting is marked CONVENED
    on day + notice. No random numbers. Returns whether it convened one.
    """
    world = committee.world
    members = committee.members
    beliefs = committee.beliefs
    theory = committee.theory
    ties = committee.ties
    held = day + p.convening_notice_days
    if held >= p.max_days:
        return False
    for d in range(day, held + 1):
        if world.regular_meetings[d + p.burn_in_days] != 0:
            return False
    update_beliefs_from_knowledge(committee, setter_row)
    x = proposal(beliefs.lo, beliefs.hi, members.salience)
    n = members.lo.size
    for k in range(n):
        blocked = False
        for sub in range(world.in_draft.size):
            if world.red_lines[k, sub] and world.in_draft[sub] and (world.public_red_lines[sub] or k == setter):
                blocked = True
        theory.known_blocked[k] = blocked
        theory.network_slack[k] = slack(p, s, ties, k)
    if not agreement_found(
        beliefs.lo,
        beliefs.hi,
        theory.known_blocked,
        theory.network_slack,
        ties.stored,
        ties.scale[0],
        x,
        s.peer_agency,
        p.agency_max if s.agency else 0.0,
        p.agency_half,
        world.quota,
        world.veto,
        world.caucus_index,
        world.caucus_size,
        world.caucus_common,
        theory.forecast,
        theory.forecast_slack,
    ):
        return False
    world.regular_meetings[held + p.burn_in_days] = CONVENED
    theory.convened_meetings[0] += 1
    return True


@jit_only
def find_bridges(state: np.ndarray, p: ModelParameters, committee: Committee) -> bool:
    """While a public red line blocks, the blocker's friends may find a workaround (7.9)."""
    world = committee.world
    ties = committee.ties
    bridged = False
    n = ties.stored.shape[0]
    for sub in range(world.in_draft.size):
        if world.in_draft[sub] and world.public_red_lines[sub]:
            none_found = 1.0
            for b in range(n):
                if world.red_lines[b, sub]:
                    for j in range(n):
                        w = trust(ties, b, j)
                        if w > 0.0:
                            none_found *= bridge_chance_factor(w, p.bridge_rate)
            if next_double(state) < 1.0 - none_found:
                world.in_draft[sub] = False
                bridged = True
    return bridged
