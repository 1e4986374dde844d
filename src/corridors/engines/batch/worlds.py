"""Routine worlds in the batch engine: the state at the start of day 0, saved and restored.

:func:`burn_in_block` runs :func:`~corridors.engines.batch.kernel.routine_phase` for a block
of replicates and saves each one's state at the start of day 0 in a :class:`Worlds` (one
leading replicate axis per array); :func:`crisis_block` restores each world into the
committee and runs :func:`~corridors.engines.batch.kernel.crisis_phase` from it. A full run
(:func:`~corridors.engines.batch.kernel.simulate_replicate`) is exactly the routine phase then
the crisis phase on the same committee, so a crisis run from a saved world gives exactly
the full run's row: nothing of the state the crisis reads is recomputed, only copied.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from corridors.engines.batch.kernel import crisis_phase, fill_schedule, reset, routine_phase
from corridors.engines.batch.state import Committee, DayZero
from corridors.engines.jit_options import INLINE, fast, jit_only
from corridors.engines.rows import Outcomes
from corridors.engines.rules import ModelParameters, Switches

__all__ = ["Worlds", "burn_in_block", "crisis_block", "new_worlds"]


class Worlds(NamedTuple):
    """Routine worlds at the start of day 0, one per replicate (axis 0)."""

    draw_state: np.ndarray  # uint64 R x 4: the draws stream after draw_world
    dynamics_state: np.ndarray  # uint64 R x 4: the dynamics stream where day 0 starts
    stored: np.ndarray  # R x n x (blocks * 8): ties in stored units (Ties.stored)
    block_sum: np.ndarray  # R x n x blocks (running sums, kept bit for bit)
    block_count: np.ndarray
    positive_sum: np.ndarray  # R x n
    degree: np.ndarray
    dislikes: np.ndarray
    scale: np.ndarray  # R: the running decay factor
    female: np.ndarray  # R x n
    ideal: np.ndarray
    salience: np.ndarray
    lo: np.ndarray  # the capitals' instructions at day 0
    hi: np.ndarray
    in_draft: np.ndarray  # R x sub-issues
    caucus_phase_days: np.ndarray  # R x caucuses
    meeting_phase_days: np.ndarray  # R: first regular meeting of the burn-in, from its first day
    setter: np.ndarray  # R
    deploy_normal: np.ndarray  # R
    rotation_skip: np.ndarray  # R: member-days to the next departure
    window_contacts: np.ndarray  # R: routine contacts in the measurement window


def new_worlds(count: int, committee: Committee) -> Worlds:
    """Empty worlds for ``count`` replicates of the committee's shape."""
    ties = committee.ties
    world = committee.world
    n = ties.stored.shape[0]

    def per_member(dtype: type = np.float64) -> np.ndarray:
        return np.zeros((count, n), dtype=dtype)

    return Worlds(
        draw_state=np.zeros((count, 4), dtype=np.uint64),
        dynamics_state=np.zeros((count, 4), dtype=np.uint64),
        stored=np.zeros((count, *ties.stored.shape)),
        block_sum=np.zeros((count, *ties.block_sum.shape)),
        block_count=np.zeros((count, *ties.block_count.shape)),
        positive_sum=per_member(),
        degree=per_member(np.int64),
        dislikes=per_member(np.int64),
        scale=np.zeros(count),
        female=per_member(np.bool_),
        ideal=per_member(),
        salience=per_member(),
        lo=per_member(),
        hi=per_member(),
        in_draft=np.zeros((count, world.in_draft.size), dtype=np.bool_),
        caucus_phase_days=np.zeros((count, world.caucus_phase_days.size), dtype=np.int64),
        meeting_phase_days=np.zeros(count),
        setter=np.zeros(count, dtype=np.int64),
        deploy_normal=np.zeros(count),
        rotation_skip=np.zeros(count),
        window_contacts=np.zeros(count, dtype=np.int64),
    )


@njit(**INLINE)
def _copy1(target: np.ndarray, source: np.ndarray) -> None:
    for i in range(source.size):
        target[i] = source[i]


@njit(**INLINE)
def _copy2(target: np.ndarray, source: np.ndarray) -> None:
    for i in range(source.shape[0]):
        for j in range(source.shape[1]):
            target[i, j] = source[i, j]


@jit_only
def save_world(worlds: Worlds, r: int, committee: Committee, draw_state: np.ndarray, state: np.ndarray) -> None:
    """Copy the committee's routine state (the start of day 0) into world ``r``."""
    ties = committee.ties
    members = committee.members
    world = committee.world
    _copy1(worlds.draw_state[r], draw_state)
    _copy1(worlds.dynamics_state[r], state)
    _copy2(worlds.stored[r], ties.stored)
    _copy2(worlds.block_sum[r], ties.block_sum)
    _copy2(worlds.block_count[r], ties.block_count)
    _copy1(worlds.positive_sum[r], ties.positive_sum)
    _copy1(worlds.degree[r], ties.degree)
    _copy1(worlds.dislikes[r], ties.dislikes)
    worlds.scale[r] = ties.scale[0]
    _copy1(worlds.female[r], world.female)
    _copy1(worlds.ideal[r], members.ideal)
    _copy1(worlds.salience[r], members.salience)
    _copy1(worlds.lo[r], members.lo)
    _copy1(worlds.hi[r], members.hi)
    _copy1(worlds.in_draft[r], world.in_draft)
    _copy1(worlds.caucus_phase_days[r], world.caucus_phase_days)


@jit_only
def restore_world(worlds: Worlds, r: int, committee: Committee, state: np.ndarray) -> None:
    """Put world ``r`` back into the committee (after :func:`reset`) and its dynamics stream into ``state``."""
    ties = committee.ties
    members = committee.members
    world = committee.world
    _copy1(state, worlds.dynamics_state[r])
    _copy2(ties.stored, worlds.stored[r])
    _copy2(ties.block_sum, worlds.block_sum[r])
    _copy2(ties.block_count, worlds.block_count[r])
    _copy1(ties.positive_sum, worlds.positive_sum[r])
    _copy1(ties.degree, worlds.degree[r])
    _copy1(ties.dislikes, worlds.dislikes[r])
    ties.scale[0] = worlds.scale[r]
    _copy1(world.female, worlds.female[r])
    _copy1(members.ideal, worlds.ideal[r])
    _copy1(members.salience, worlds.salience[r])
    _copy1(members.lo, worlds.lo[r])
    _copy1(members.hi, worlds.hi[r])
    _copy1(world.in_draft, worlds.in_draft[r])
    _copy1(world.caucus_phase_days, worlds.caucus_phase_days[r])


@fast
def burn_in_block(
    draw_states: np.ndarray,
    dynamics_states: np.ndarray,
    p: ModelParameters,
    s: Switches,
    committee: Committee,
    worlds: Worlds,
) -> None:
    """The routine phase of a block of replicates; saves each one's world (the streams are updated in place)."""
    for r in range(draw_states.shape[0]):
        state = dynamics_states[r]
        start = routine_phase(draw_states[r], state, p, s, committee)
        save_world(worlds, r, committee, draw_states[r], state)
        worlds.meeting_phase_days[r] = start.meeting_phase_days
        worlds.setter[r] = start.setter
        worlds.deploy_normal[r] = start.deploy_normal
        worlds.rotation_skip[r] = start.rotation_skip
        worlds.window_contacts[r] = start.window_contacts


@fast
def crisis_block(
    worlds: Worlds, p: ModelParameters, s: Switches, committee: Committee, state: np.ndarray, out: Outcomes
) -> None:
    """The crisis of every replicate of ``worlds``, each from its world (``state``: a 4-word work array)."""
    world = committee.world
    for r in range(worlds.scale.size):
        reset(committee)
        restore_world(worlds, r, committee, state)
        phase = worlds.meeting_phase_days[r]
        fill_schedule(world.regular_meetings, -p.burn_in_days + phase, p.meeting_interval_days, p.burn_in_days)
        start = DayZero(
            phase, worlds.setter[r], worlds.deploy_normal[r], worlds.rotation_skip[r], worlds.window_contacts[r]
        )
        crisis_phase(state, p, s, committee, start, out, r)
