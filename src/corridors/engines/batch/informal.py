"""Informal life in the batch engine (7.3-7.5): rotation, contacts, first calls, gossip.

Each function is named like the reference engine's method it mirrors and draws the same
uniforms in the same order (:mod:`corridors.engines.sampling`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from corridors.engines.batch.state import BLOCK_SHIFT, Committee, Knowledge, Ties
from corridors.engines.batch.ties import set_trust, store_tie, trust
from corridors.engines.jit_options import INLINE, jit_only
from corridors.engines.rng import next_double
from corridors.engines.rules import CAUCUS, CONTACT, GOSSIP, OWN, ModelParameters, Switches, contact_chance, grown_trust
from corridors.engines.sampling import departures, pick_stranger, poisson_counts, shuffle_prefix

__all__ = ["call", "choose_partner", "first_calls", "gossip_between", "informal_contacts", "learn", "rotate"]

SOURCE_BITS, SOURCE_MASK = 3, 7


@jit_only
def learn(knowledge: Knowledge, knower: int, about: int, lo: float, hi: float, version: int, source: int) -> None:
    """Record a newer version of ``about``'s instruction in what ``knower`` knows."""
    code = ((version + 1) << SOURCE_BITS) | source
    if code >> SOURCE_BITS > knowledge.code[knower, about] >> SOURCE_BITS:
        knowledge.code[knower, about] = code
        knowledge.lo[knower, about] = lo
        knowledge.hi[knower, about] = hi


@jit_only
def gossip_between(knowledge: Knowledge, teller: int, listener: int) -> None:
    """The teller passes on what it learned first-hand and the listener does not know, then the reverse.

    The reference engine's ``teller.gossip_to(listener)`` then ``listener.gossip_to(teller)``
    in one branch-free pass: each entry about a third member is independent of the others,
    and an entry just passed on is second-hand, so at most one direction moves it. The two
    talking keep their own entries.
    """
    told = knowledge.code[teller]
    heard = knowledge.code[listener]
    told_lo, told_hi = knowledge.lo[teller], knowledge.hi[teller]
    heard_lo, heard_hi = knowledge.lo[listener], knowledge.hi[listener]
    for about in range(told.size):
        t = told[about]
        h = heard[about]
        t_version = t >> SOURCE_BITS
        h_version = h >> SOURCE_BITS
        t_source = t & SOURCE_MASK
        h_source = h & SOURCE_MASK
        third = (about != teller) & (about != listener)
        forward = third & ((t_source == OWN) | (t_source == CONTACT) | (t_source == CAUCUS)) & (t_version > h_version)
        back = third & ((h_source == OWN) | (h_source == CONTACT) | (h_source == CAUCUS)) & (h_version > t_version)
        heard[about] = ((t_version << SOURCE_BITS) | GOSSIP) if forward else h
        told[about] = ((h_version << SOURCE_BITS) | GOSSIP) if back else t
        t_lo, t_hi, h_lo, h_hi = told_lo[about], told_hi[about], heard_lo[about], heard_hi[about]
        heard_lo[about] = t_lo if forward else h_lo
        heard_hi[about] = t_hi if forward else h_hi
        told_lo[about] = h_lo if back else t_lo
        told_hi[about] = h_hi if back else t_hi


@njit(**INLINE)
def choose_partner(state: np.ndarray, p: ModelParameters, ties: Ties, i: int) -> int:
    """A trusted colleague with probability friend_choice, else anyone not disliked (7.4).

    A colleague in proportion to trust: a point drawn on i's total positive trust is found
    first among the block sums, then inside its block, without branches; should rounding in
    the running block sums point at no positive tie, an exact scan of the row decides.
    """
    n = ties.stored.shape[0]
    if ties.degree[i] > 0 and next_double(state) < p.friend_choice:
        target = next_double(state) * ties.positive_sum[i]
        running = 0.0
        before = 0.0
        block = 0
        for b in range(ties.block_sum.shape[1] - 1):
            running += ties.block_sum[i, b]
            below = running <= target
            block += below
            before += ties.block_sum[i, b] if below else 0.0
        target -= before
        base = block << BLOCK_SHIFT
        running = 0.0
        offset = 0
        for k in range(1 << BLOCK_SHIFT):
            running += max(ties.stored[i, base + k], 0.0)
            offset += running <= target
        j = base + offset
        if offset < (1 << BLOCK_SHIFT) and ties.stored[i, j] > 0.0:
            return j
        target = next_double(state) * ties.positive_sum[i]  # rounding missed: an exact scan
        last = -1
        for j in range(n):
            value = ties.stored[i, j]
            if value > 0.0:
                last = j
                if target < value:
                    return j
                target -= value
        return last
    if n - 1 - ties.dislikes[i] <= 0:
        return -1
    return pick_stranger(state, ties.stored[i], i, n)


@njit(**INLINE)
def call(
    state: np.ndarray, p: ModelParameters, s: Switches, committee: Committee, i: int, j: int, in_crisis: bool
) -> None:
    """One informal contact between i and j; its effects use the tie before the contact (7.4)."""
    ties = committee.ties
    members = committee.members
    knowledge = committee.knowledge
    w = trust(ties, i, j)
    if in_crisis and w > 0.0:  # with no trust, nothing is shared (each chance below is 0)
        if s.info_sharing and next_double(state) < contact_chance(w, p.disclosure):
            learn(knowledge, j, i, members.lo[i], members.hi[i], members.version[i], CONTACT)
            learn(knowledge, i, j, members.lo[j], members.hi[j], members.version[j], CONTACT)
        if s.gossip and next_double(state) < contact_chance(w, p.gossip_rate):
            gossip_between(knowledge, j, i)
        if s.lobbying and next_double(state) < contact_chance(w, p.lobby_rate):
            members.pressure[i] += w
            members.pressure[j] += w
    if s.trust_growth and w >= 0.0:
        store_tie(ties, i, j, grown_trust(w, p.trust_gain) / ties.scale[0])


@jit_only(keep_literal=("in_crisis",))
def informal_contacts(
    state: np.ndarray,
    p: ModelParameters,
    s: Switches,
    committee: Committee,
    cdf: np.ndarray,
    rate: float,
    in_crisis: bool,
) -> int:
    """One day of contacts: each ambassador starts Poisson(rate), in random order; returns the count.

    Only the order of members who start a contact matters, so only those are shuffled.
    """
    members = committee.members
    active = poisson_counts(state, cdf, rate, members.calls, members.order)
    count = 0
    for position in range(active):
        i = members.order[position]
        for _ in range(members.calls[i]):
            j = choose_partner(state, p, committee.ties, i)
            if j >= 0:
                call(state, p, s, committee, i, j, in_crisis)
                count += 1
    return count


@jit_only
def first_calls(state: np.ndarray, p: ModelParameters, s: Switches, committee: Committee) -> int:
    """Day 0: a call to the strongest tie (probability first_call_friend) or to the capital (7.5)."""
    members = committee.members
    ties = committee.ties
    n = members.lo.size
    count = 0
    for i in range(n):
        members.order[i] = i
    shuffle_prefix(state, members.order, n)
    for position in range(n):
        i = members.order[position]
        if s.first_call and ties.degree[i] > 0 and next_double(state) < p.first_call_friend:
            best = -1
            best_w = -np.inf
            for j in range(n):
                w = trust(ties, i, j)
                if w > best_w:
                    best_w = w
                    best = j
            call(state, p, s, committee, i, best, True)
            count += 1
        else:
            members.called_home[i] = 1
    committee.theory.first_callers[0] = count
    return count


@jit_only
def rotate(
    state: np.ndarray, p: ModelParameters, ties: Ties, caucus_mates: np.ndarray, skip: float, leavers: np.ndarray
) -> float:
    """Burn-in: ambassadors leave; newcomers keep weak ties only to caucus-mates (7.3).

    Each ambassador leaves each day with probability 1/tenure_days; ``skip`` counts the
    member-days left until the next departure (geometric gaps, one uniform per departure).
    Returns the count carried into the next day.
    """
    n = ties.stored.shape[0]
    m, skip = departures(state, math.log1p(-1.0 / p.tenure_days), skip, leavers)
    for x in range(m):
        i = leavers[x]
        for j in range(n):
            if j != i:
                set_trust(ties, i, j, p.rotation_keep if caucus_mates[i, j] else 0.0)
    return skip
