"""The model's formulas, each written once (docs/ODD.md section 7).

Small compiled functions with the paper's names. The reference engine's methods call
them from Python and the batch kernels call them inline, so a change to a formula is one
edit and both engines follow it. :func:`derived_parameters` turns a scenario into the
numbers both engines read.

Examples
--------
>>> round(grown_trust(0.2, 0.1), 6)
0.28
>>> round(proposal(np.array([0.1, 0.6]), np.array([0.3, 0.9]), np.array([0.5, 0.5])), 6)
0.45
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from corridors.engines.jit_options import fast
from corridors.scenario.schema import Scenario

__all__ = [
    "ModelParameters",
    "Switches",
    "accepts",
    "agency_slack",
    "agreement_found",
    "bridge_chance_factor",
    "capital_estimate",
    "caucus_disclosure_chance",
    "contact_chance",
    "deployment_lag",
    "derived_parameters",
    "derived_switches",
    "grown_trust",
    "harmonization_pressure",
    "informed_widening_chance",
    "join_peers",
    "proposal",
    "public_interval",
    "rejection_side",
    "update_belief",
    "vote_carries",
    "widened_instruction",
    "widening_chance",
]


TOO_LOW, TOO_HIGH, NO_SIDE = -1, 1, 0
"""The side a rejecting member names: the proposal was too low, too high, or neither."""

BELIEF_TOLERANCE = 1e-9
"""A vote moves a belief only when the proposal lies beyond it by more than rounding."""

UNKNOWN, OWN, CONTACT, GOSSIP, CAUCUS, PUBLIC, VOTE = 0, 1, 2, 3, 4, 5, 6
"""Where a piece of knowledge or a belief of the setter came from (ODD section 7)."""
INFORMAL_SOURCES = (CONTACT, GOSSIP, CAUCUS)
FIRST_HAND_SOURCES = (OWN, CONTACT, CAUCUS)


# --- informal life (4.4) -------------------------------------------------------------------


@fast
def grown_trust(w: float, gain: float) -> float:
    """Trust after one contact (or caucus meeting): w + gain * (1 - w)."""
    return w + gain * (1.0 - w)


@fast
def contact_chance(w: float, rate: float) -> float:
    """Chance that a contact shares, gossips or lobbies: max(w, 0) * rate (privacy needs trust)."""
    return max(w, 0.0) * rate


# --- capitals (4.6) -----------------------------------------------------------------------------


@fast
def widening_chance(
    widen_base: float, lobby_effect: float, pressure: float, entrenched: bool, entrenchment: float
) -> float:
    """Chance a capital widens at a review: base + lobby_effect * min(1, L), cut if entrenched."""
    chance = widen_base + lobby_effect * min(1.0, pressure)
    if entrenched:
        chance *= 1.0 - entrenchment
    return chance


@fast
def widened_instruction(lo: float, hi: float, step: float, have_failed: bool, last_x: float) -> tuple[float, float]:
    """The instruction after a widening: the bound the last failed proposal violated moves by step.

    With no failed proposal (or one inside the interval) both bounds move by step / 2.
    """
    if have_failed and last_x < lo:
        return max(0.0, lo - step), hi
    if have_failed and last_x > hi:
        return lo, min(1.0, hi + step)
    return max(0.0, lo - step / 2.0), min(1.0, hi + step / 2.0)


# --- caucuses (4.7) ----------------------------------------------------------------------------------


@fast
def caucus_disclosure_chance(openness: float, mean_trust: float) -> float:
    """Chance a member discloses in its caucus: min(1, openness + mean positive trust)."""
    return min(1.0, openness + mean_trust)


@fast
def harmonization_pressure(caucus_pressure: float, mean_trust: float) -> float:
    """Pressure on a caucus member whose interval excludes the caucus median ideal point."""
    return caucus_pressure * mean_trust


# --- formal meetings (4.8) ------------------------------------------------------------------


@fast
def public_interval(ideal: float, lo: float, hi: float, posture: float) -> tuple[float, float]:
    """The postured public interval: [theta - pi (theta - lo), theta + pi (hi - theta)]."""
    return ideal - posture * (ideal - lo), ideal + posture * (hi - ideal)


@fast
def agency_slack(trust_sum: float, agency_max: float, agency_half: float) -> float:
    """Agency slack e = agency_max * T / (T + agency_half), T the sum of positive ties."""
    return agency_max * trust_sum / (trust_sum + agency_half)


@fast
def accepts(lo: float, hi: float, slack: float, x: float, blocked: bool) -> bool:
    """A member accepts x iff no red line is in the draft and lo - e <= x <= hi + e."""
    return (not blocked) and lo - slack <= x <= hi + slack


@fast
def join_peers(  # noqa: PLR0913 (a rule on plain arrays, called by both engines)
    lo: np.ndarray,
    hi: np.ndarray,
    blocked: np.ndarray,
    stored: np.ndarray,
    scale: float,
    x: float,
    agency_max: float,
    agency_half: float,
    accepted: np.ndarray,
    slack: np.ndarray,
) -> int:
    """The vote on x as a cascade of ambassadors joining their peers (``theory.agency: peers``).

    "Closer interpersonal relations ... expand an ambassador's bargaining space in his or her
    effort to join peers in consensus-seeking." A_0 is the members that accept x within their
    own instruction; then every member k outside A accepts if x lies within its instruction
    widened by e_k = agency_slack(P_k), P_k the sum of k's positive ties to the members of A
    (tie k-j = stored[k, j] * scale where positive); repeated until nothing changes. Red lines
    still block. Fills ``accepted`` (0/1) and ``slack`` (each member's e_k at the end) and
    returns the number of rounds in which someone joined. No random numbers.
    """
    n = lo.size
    for k in range(n):
        slack[k] = 0.0
        accepted[k] = 1 if accepts(lo[k], hi[k], 0.0, x, blocked[k]) else 0
    rounds = 0
    changed = True
    while changed:
        changed = False
        for k in range(n):
            peers = 0.0
            for j in range(n):
                if accepted[j] == 1 and j != k and stored[k, j] > 0.0:
                    peers += stored[k, j] * scale
            slack[k] = agency_slack(peers, agency_max, agency_half)
        for k in range(n):
            if accepted[k] == 0 and accepts(lo[k], hi[k], slack[k], x, blocked[k]):
                accepted[k] = 2  # joins in this round
                changed = True
        if changed:
            rounds += 1
            for k in range(n):
                if accepted[k] == 2:
                    accepted[k] = 1
    return rounds


@fast
def vote_carries(  # noqa: PLR0913 (a rule on plain arrays, called by both engines)
    accepted: np.ndarray,
    quota: int,
    veto: np.ndarray,
    caucus_index: np.ndarray,
    caucus_size: np.ndarray,
    caucus_common: np.ndarray,
) -> bool:
    """Whether a vote with these acceptances carries (7.8, steps 5-6).

    A ``common_position`` bloc votes as one (any member rejecting makes all reject: applied to
    ``accepted`` in place); the vote carries if at least ``quota`` accept and no veto holder
    rejects. ``caucus_index[c, :caucus_size[c]]`` are caucus c's members.
    """
    for c in range(caucus_size.size):
        if caucus_common[c]:
            all_in = True
            for y in range(caucus_size[c]):
                if accepted[caucus_index[c, y]] == 0:
                    all_in = False
            if not all_in:
                for y in range(caucus_size[c]):
                    accepted[caucus_index[c, y]] = 0
    n_accept = 0
    for k in range(accepted.size):
        if accepted[k] == 1:
            n_accept += 1
        elif veto[k]:
            return False
    return n_accept >= quota


@fast
def agreement_found(  # noqa: PLR0913 (a rule on plain arrays, called by both engines)
    b_lo: np.ndarray,
    b_hi: np.ndarray,
    known_blocked: np.ndarray,
    network_slack: np.ndarray,
    stored: np.ndarray,
    scale: float,
    x: float,
    peers: bool,
    agency_max: float,
    agency_half: float,
    quota: int,
    veto: np.ndarray,
    caucus_index: np.ndarray,
    caucus_size: np.ndarray,
    caucus_common: np.ndarray,
    accepted: np.ndarray,
    cascade_slack: np.ndarray,
) -> bool:
    """Whether the setter's beliefs predict that x passes (``theory.convening: consensus``).

    "A common agreement is found amongst these sub-regional positions when the Permanent
    Council meeting resumes": the setter convenes a meeting to ratify a deal it believes is
    made. The forecast is the vote (7.8, steps 5-6) run on what the setter believes: member k
    is expected to accept iff no red line of k's the setter knows of is in the draft
    (``known_blocked``) and x lies within k's *believed* interval widened by the slack the
    setter expects of k: ``network_slack[k]`` (the agency slack of k's ties, 0 with
    ``agency`` off), or under ``peers`` the slack of the cascade :func:`join_peers` run on the
    believed intervals (``agency_max`` 0 with ``agency`` off). Beliefs are about
    instructions, and decisions pass through slack, so the slack is counted. Then bloc
    discipline, the quota and the vetoes (:func:`vote_carries`). Fills ``accepted`` (the
    expected votes) and ``cascade_slack`` (under ``peers``). No random numbers.
    """
    if peers:
        join_peers(b_lo, b_hi, known_blocked, stored, scale, x, agency_max, agency_half, accepted, cascade_slack)
    else:
        for k in range(b_lo.size):
            accepted[k] = 1 if accepts(b_lo[k], b_hi[k], network_slack[k], x, known_blocked[k]) else 0
    return vote_carries(accepted, quota, veto, caucus_index, caucus_size, caucus_common)


@fast
def rejection_side(lo: float, hi: float, slack: float, x: float) -> int:
    """The side a member names when it rejects x on its interval (TOO_LOW, TOO_HIGH or NO_SIDE)."""
    if x < lo - slack:
        return TOO_LOW
    if x > hi + slack:
        return TOO_HIGH
    return NO_SIDE


@fast
def update_belief(
    b_lo: float, b_hi: float, x: float, accepted: bool, side: int, belief_step: float
) -> tuple[float, float, bool]:
    """The setter's belief about one member after a vote on x; returns (lo, hi, changed).

    An acceptance of x outside the belief extends it to x; a rejection of x inside it cuts it
    just past x on the side the member named (collapsing to that point if it would invert);
    a rejection of x already outside teaches nothing, and neither does a rejection that
    names no side (a red line, or bloc discipline). "Outside" means beyond the belief by
    more than :data:`BELIEF_TOLERANCE`, so a proposal that differs from a bound only by
    rounding teaches nothing.
    """
    if accepted:
        if x < b_lo - BELIEF_TOLERANCE:
            return x, b_hi, True
        if x > b_hi + BELIEF_TOLERANCE:
            return b_lo, x, True
        return b_lo, b_hi, False
    if side == NO_SIDE or x < b_lo - BELIEF_TOLERANCE or x > b_hi + BELIEF_TOLERANCE:
        return b_lo, b_hi, False
    if side == TOO_LOW:
        new_lo = min(1.0, x + belief_step)
        return new_lo, max(b_hi, new_lo), True
    new_hi = max(0.0, x - belief_step)
    return min(b_lo, new_hi), new_hi, True


@fast
def _slowest(x: float, b_lo: np.ndarray, b_hi: np.ndarray, salience: np.ndarray) -> tuple[float, int, float, int]:
    """The slowest capitals at x: (delay, member) of those needing x higher, and of those needing it lower.

    A capital's pace is 1 - s, floored at 0.01; its delay to reach x is dist(x, B) / pace.
    """
    need_higher, higher = 0.0, -1
    need_lower, lower = 0.0, -1
    for k in range(b_lo.size):
        pace = max(1.0 - salience[k], 0.01)
        up = (b_lo[k] - x) / pace
        down = (x - b_hi[k]) / pace
        if up > need_higher:
            need_higher, higher = up, k
        if down > need_lower:
            need_lower, lower = down, k
    return need_higher, higher, need_lower, lower


@fast
def proposal(b_lo: np.ndarray, b_hi: np.ndarray, salience: np.ndarray) -> float:
    """The point the slowest capital can reach soonest: argmin_x max_k dist(x, B_k) / (1 - s_k).

    Where the believed intervals share a point, the midpoint of their intersection.
    Otherwise the objective is the larger of a falling part (members needing a higher x)
    and a rising part (members needing a lower x), both piecewise linear; the minimizer is
    their single crossing, found by Newton steps on the two slowest members' lines, kept
    inside a shrinking bracket (a bisection step whenever a Newton step would leave it).
    Exact up to rounding after a few steps. Clipped to [0, 1].
    """
    n = b_lo.size
    highest_lo = -np.inf
    lowest_hi = np.inf
    for k in range(n):
        highest_lo = max(highest_lo, b_lo[k])
        lowest_hi = min(lowest_hi, b_hi[k])
    if highest_lo <= lowest_hi:
        return min(1.0, max(0.0, 0.5 * (highest_lo + lowest_hi)))
    low, high = lowest_hi, highest_lo  # the crossing lies between
    x = 0.5 * (low + high)
    for _ in range(200):
        need_higher, k, need_lower, j = _slowest(x, b_lo, b_hi, salience)
        pace_k = max(1.0 - salience[k], 0.01)
        pace_j = max(1.0 - salience[j], 0.01)
        crossing = (b_lo[k] * pace_j + b_hi[j] * pace_k) / (pace_j + pace_k)  # where k's and j's lines meet
        if need_higher == need_lower or crossing == x:
            break  # x is the crossing of the slowest members' own lines
        if need_higher > need_lower:
            low = x
        else:
            high = x
        step = crossing if low < crossing < high else 0.5 * (low + high)
        if step <= low or step >= high:
            break
        x = step
    return min(1.0, max(0.0, x))


# --- informed capitals (theory.capitals: informed) ------------------------------------------


@fast
def capital_estimate(  # noqa: PLR0913 (a rule on plain arrays, called by both engines)
    known_lo: np.ndarray,
    known_hi: np.ndarray,
    known: np.ndarray,
    salience: np.ndarray,
    own: int,
    work_lo: np.ndarray,
    work_hi: np.ndarray,
    work_salience: np.ndarray,
) -> tuple[float, float]:
    """What an ambassador tells its capital: (x_hat, kappa) (``theory.capitals: informed``).

    "Capitals have only the information that their ambassadors pass back to them." Member
    ``own``'s ambassador knows privately the intervals marked in ``known`` (its row of the
    knowledge table: its own instruction, and what it learned in contacts, gossip or its
    caucuses; never a postured public statement). x_hat is :func:`proposal` applied to those
    intervals, its own included; kappa is the share of the other members it knows. The
    ``work_*`` arrays (at least as long as ``known``) hold the known intervals. No random numbers.
    """
    n = known.size
    m = 0
    others = 0
    for j in range(n):
        if known[j] or j == own:
            work_lo[m] = known_lo[j]
            work_hi[m] = known_hi[j]
            work_salience[m] = salience[j]
            m += 1
            if j != own:
                others += 1
    kappa = others / (n - 1) if n > 1 else 0.0
    return proposal(work_lo[:m], work_hi[:m], work_salience[:m]), kappa


@fast
def informed_widening_chance(  # noqa: PLR0913 (one formula's inputs)
    widen_base: float,
    lobby_effect: float,
    pressure: float,
    inform_effect: float,
    kappa: float,
    excluded: bool,
    entrenched: bool,
    entrenchment: float,
) -> float:
    """Chance an informed capital widens: base + lobby_effect * min(1, L) + [x_hat excluded] * inform_effect * kappa.

    Cut by entrenchment as in v2: a capital whose ambassador rejected in public is slower
    to move, whatever the reason to move.
    """
    chance = widen_base + lobby_effect * min(1.0, pressure)
    if excluded:
        chance += inform_effect * kappa
    if entrenched:
        chance *= 1.0 - entrenchment
    return chance


# --- bridges (4.9) and deployment (4.11) ----------------------------------------------------


@fast
def bridge_chance_factor(w: float, bridge_rate: float) -> float:
    """One tie's factor in the chance that no bridge is found today: 1 - rate * max(w, 0)^2."""
    positive = max(w, 0.0)
    return 1.0 - bridge_rate * positive * positive


@fast
def deployment_lag(mean_days: float, cv: float, normal: float) -> float:
    """LogNormal lag with the given mean and coefficient of variation, from a standard normal."""
    sigma2 = np.log1p(cv * cv)
    return np.exp(np.log(mean_days) - sigma2 / 2.0 + np.sqrt(sigma2) * normal)


# --- derived parameters -------------------------------------------------------------------------------------


class ModelParameters(NamedTuple):
    """The numbers both engines read: the scenario's parameters and what follows from them."""

    burn_in_days: int
    max_days: int
    tenure_days: float
    rotation_keep: float
    friend_choice: float
    disclosure: float
    gossip_rate: float
    lobby_rate: float
    first_call_friend: float
    review_days: int
    widen_base: float
    lobby_effect: float
    entrenchment: float
    widen_step: float
    caucus_openness: float
    caucus_trust_gain: float
    caucus_pressure: float
    emergency_delay_days: int
    formal_trust_gain: float
    agency_max: float
    agency_half: float
    belief_step: float
    redraft_prob: float
    bridge_rate: float
    trust_decay: float
    friend_threshold: float
    contacts_window_weeks: int
    # derived
    routine_contacts_per_day: float
    crisis_contacts_per_day: float
    trust_gain: float
    posture: float
    meeting_interval_days: float
    deploy_mean_days: float
    deploy_cv: float
    # theory (model v3)
    convening_notice_days: int
    inform_effect: float


class Switches(NamedTuple):
    """The mechanism switches as plain booleans."""

    trust_growth: bool
    info_sharing: bool
    gossip: bool
    lobbying: bool
    capital_review: bool
    entrenchment: bool
    caucuses: bool
    caucus_reporting: bool
    caucus_harmonization: bool
    emergency_meeting: bool
    agency: bool
    bridges: bool
    first_call: bool
    # theory (model v3): True where a choice is not v2's
    consensus_convening: bool
    peer_agency: bool
    informed_capitals: bool


_INTEGER_FIELDS = {
    name: int
    for name in (
        "burn_in_days",
        "max_days",
        "review_days",
        "emergency_delay_days",
        "contacts_window_weeks",
        "convening_notice_days",
    )
}


def derived_parameters(scenario: Scenario) -> ModelParameters:
    """The scenario's numbers for the engines, with the derived ones (4.4, 4.8, 4.11)."""
    p = scenario.parameters
    mech = scenario.mechanisms
    m_f = scenario.formal_meetings_per_week
    trust_gain = p.trust_gain / (1.0 + p.fatigue * m_f) if mech.meeting_fatigue else p.trust_gain
    values = {name: getattr(p, name) for name in ModelParameters._fields if hasattr(p, name)}
    values.update(
        routine_contacts_per_day=scenario.informal_contacts_per_week(crisis=False) / 14.0,
        crisis_contacts_per_day=scenario.informal_contacts_per_week(crisis=True) / 14.0,
        trust_gain=trust_gain,
        posture=p.posture if mech.posturing else 1.0,
        meeting_interval_days=7.0 / m_f,
        deploy_mean_days=p.deploy_mean_days * scenario.deploy_factor,
        deploy_cv=p.deploy_cv,
        convening_notice_days=scenario.theory.convening_notice_days,
        inform_effect=scenario.theory.inform_effect,
    )
    converted = {name: _INTEGER_FIELDS.get(name, float)(values[name]) for name in ModelParameters._fields}
    return ModelParameters(**converted)  # type: ignore[arg-type]


def derived_switches(scenario: Scenario) -> Switches:
    """The scenario's mechanism switches the engines read."""
    mech = scenario.mechanisms
    theory = scenario.theory
    return Switches(
        **{name: bool(getattr(mech, name)) for name in Switches._fields if hasattr(mech, name)},
        consensus_convening=theory.convening == "consensus",
        peer_agency=theory.agency == "peers",
        informed_capitals=theory.capitals == "informed",
    )
