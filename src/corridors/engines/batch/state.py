"""The batch engine's named state: one replicate's committee as named tuples of arrays.

Allocated once per block of replicates (the kernels themselves never allocate) and reset at
the start of each replicate. Field names are the reference engine's attribute names.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from corridors.engines.draws import (
    HomophilyBuffers,
    WorldFixed,
    WorldParams,
    homophily_buffers,
    scenario_arrays,
    world_fixed,
    world_params,
)
from corridors.engines.rules import ModelParameters
from corridors.engines.sampling import poisson_cdf
from corridors.scenario.schema import Scenario

__all__ = [
    "BLOCK_SHIFT",
    "CONVENED",
    "REGULAR",
    "Committee",
    "DayZero",
    "Knowledge",
    "Members",
    "SetterBeliefs",
    "TheoryState",
    "Ties",
    "World",
    "allocate",
]

BLOCK_SHIFT = 3
"""Each member's positive ties are summed and counted in blocks of 2**BLOCK_SHIFT colleagues."""

REGULAR, CONVENED = 1, 2
"""Marks in ``World.regular_meetings``: a regular formal meeting, a meeting the setter convened."""


class Members(NamedTuple):
    """Per-member state: the capital's instruction, the ambassador's public record, work space."""

    ideal: np.ndarray
    salience: np.ndarray
    lo: np.ndarray  # the capital's instruction
    hi: np.ndarray
    version: np.ndarray
    pressure: np.ndarray  # lobbying pressure L on the capital
    public_lo: np.ndarray
    public_hi: np.ndarray
    public_version: np.ndarray
    called_home: np.ndarray
    rejected_in_public: np.ndarray
    accepts: np.ndarray  # this meeting's votes
    blocked: np.ndarray  # this meeting: a red line of the member's is in the draft (theory.agency: peers)
    vote_slack: np.ndarray  # this meeting: each member's slack at the end of the peers cascade
    rejection_distance: np.ndarray  # how far the last failed proposal was from each rejecter
    caucus_trust: np.ndarray  # mean positive trust to the current caucus
    disclosed: np.ndarray
    order: np.ndarray  # work space: who starts contacts, in which order
    calls: np.ndarray
    leavers: np.ndarray  # work space: today's departures
    buffer: np.ndarray  # work space: caucus median
    known: np.ndarray  # work space (theory.capitals: informed): whom a reviewing capital's ambassador knows
    estimate_lo: np.ndarray  # work space: the intervals it knows, for its estimate x_hat
    estimate_hi: np.ndarray
    estimate_salience: np.ndarray


class Ties(NamedTuple):
    """The tie matrix, positive strengths stored divided by ``scale[0]`` (the running decay factor)."""

    stored: np.ndarray  # n x (blocks * 8): zero columns fill the last block
    block_sum: np.ndarray  # n x blocks: stored positive ties summed by block
    block_count: np.ndarray  # n x blocks: positive ties counted by block
    positive_sum: np.ndarray  # n: stored positive ties summed
    degree: np.ndarray  # n: positive ties
    dislikes: np.ndarray  # n: negative ties
    scale: np.ndarray  # one value


class Knowledge(NamedTuple):
    """Who knows which version of whose instruction: code = (version + 1) << 3 | source."""

    code: np.ndarray  # (members + setter row) x members, int32
    lo: np.ndarray
    hi: np.ndarray


class SetterBeliefs(NamedTuple):
    """The agenda setter's believed interval of every member and where it last came from."""

    lo: np.ndarray
    hi: np.ndarray
    version: np.ndarray  # the knowledge version a belief was last set from (-1: none)
    source: np.ndarray


class World(NamedTuple):
    """What the scenario fixes for every replicate."""

    female: np.ndarray  # bool per member, filled by draw_world
    caucus_size: np.ndarray
    caucus_index: np.ndarray  # caucus x position -> member
    caucus_meets_before_formal: np.ndarray
    caucus_every_days: np.ndarray
    caucus_phase_days: np.ndarray  # filled by draw_world
    caucus_common: np.ndarray
    caucus_mates: np.ndarray
    red_lines: np.ndarray
    veto: np.ndarray
    quota: int
    in_draft: np.ndarray
    public_red_lines: np.ndarray
    regular_meetings: np.ndarray  # REGULAR on days of regular formal meetings, CONVENED on convened ones; day + burn_in
    contact_cdf: np.ndarray  # Poisson tables: routine, crisis
    homophily_buffers: HomophilyBuffers  # work space of draw_world
    world_params: WorldParams  # the numbers draw_world reads
    fixed: WorldFixed  # the fixed arrays draw_world reads


class TheoryState(NamedTuple):
    """Model v3's tallies for the row and the work space of the setter's forecast, zeroed at day 0."""

    first_callers: np.ndarray  # one value: ambassadors whose day-0 first call went to a colleague
    convened_meetings: np.ndarray  # one value: meetings the setter convened (theory.convening: consensus)
    cascade_rounds: np.ndarray  # one value: rounds of the peers cascade at the last vote
    forecast: np.ndarray  # work space: the votes the setter expects
    forecast_slack: np.ndarray  # work space: the slack of the expected cascade
    network_slack: np.ndarray  # work space: the slack the setter expects of each member's ties
    known_blocked: np.ndarray  # work space: a red line the setter knows of is in the draft


class Committee(NamedTuple):
    """Everything the kernels work on."""

    members: Members
    ties: Ties
    knowledge: Knowledge
    beliefs: SetterBeliefs
    world: World
    theory: TheoryState


class DayZero(NamedTuple):
    """What the routine phase hands the crisis besides the committee: the start of day 0."""

    meeting_phase_days: float  # first regular meeting of the burn-in, from its first day
    setter: int  # member index, or NO_SETTER
    deploy_normal: float  # standard normal behind the deployment lag
    rotation_skip: float  # member-days to the next departure
    window_contacts: int  # routine contacts in the measurement window


def allocate(scenario: Scenario, params: ModelParameters) -> Committee:
    """Arrays for one block of replicates of ``scenario``."""
    a = scenario_arrays(scenario)
    n = a.n
    n_caucus = a.caucus_members.shape[0]
    caucus_index = np.zeros((n_caucus, n), dtype=np.int64)
    for c in range(n_caucus):
        members = np.flatnonzero(a.caucus_members[c])
        caucus_index[c, : members.size] = members
    n_blocks = (n + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT

    def floats() -> np.ndarray:
        return np.zeros(n)

    def ints() -> np.ndarray:
        return np.zeros(n, dtype=np.int64)

    member_state = Members(
        ideal=floats(),
        salience=floats(),
        lo=floats(),
        hi=floats(),
        version=ints(),
        pressure=floats(),
        public_lo=floats(),
        public_hi=floats(),
        public_version=ints(),
        called_home=ints(),
        rejected_in_public=ints(),
        accepts=ints(),
        blocked=np.zeros(n, dtype=np.bool_),
        vote_slack=floats(),
        rejection_distance=floats(),
        caucus_trust=floats(),
        disclosed=ints(),
        order=ints(),
        calls=ints(),
        leavers=ints(),
        buffer=floats(),
        known=np.zeros(n, dtype=np.bool_),
        estimate_lo=floats(),
        estimate_hi=floats(),
        estimate_salience=floats(),
    )
    ties = Ties(
        stored=np.zeros((n, n_blocks << BLOCK_SHIFT)),
        block_sum=np.zeros((n, n_blocks)),
        block_count=np.zeros((n, n_blocks)),
        positive_sum=floats(),
        degree=ints(),
        dislikes=ints(),
        scale=np.ones(1),
    )
    knowledge = Knowledge(code=np.zeros((n + 1, n), dtype=np.int32), lo=np.zeros((n + 1, n)), hi=np.ones((n + 1, n)))
    beliefs = SetterBeliefs(lo=floats(), hi=floats(), version=ints(), source=ints())
    world = World(
        female=np.zeros(n, dtype=np.bool_),
        caucus_size=a.caucus_members.sum(axis=1).astype(np.int64),
        caucus_index=caucus_index,
        caucus_meets_before_formal=a.caucus_meets,
        caucus_every_days=a.caucus_every_days,
        caucus_phase_days=np.zeros(n_caucus, dtype=np.int64),
        caucus_common=a.caucus_common,
        caucus_mates=a.caucus_mates,
        red_lines=a.red_lines,
        veto=a.veto,
        quota=int(a.quota),
        in_draft=np.zeros(a.subissue_prob.size, dtype=np.bool_),
        public_red_lines=np.zeros(a.subissue_prob.size, dtype=np.bool_),
        regular_meetings=np.zeros(params.burn_in_days + params.max_days + 2, dtype=np.int8),
        contact_cdf=np.stack(
            [poisson_cdf(params.routine_contacts_per_day), poisson_cdf(params.crisis_contacts_per_day)]
        ),
        homophily_buffers=homophily_buffers(world_fixed(scenario)),
        world_params=world_params(scenario),
        fixed=world_fixed(scenario),
    )
    theory = TheoryState(
        first_callers=np.zeros(1, dtype=np.int64),
        convened_meetings=np.zeros(1, dtype=np.int64),
        cascade_rounds=np.zeros(1, dtype=np.int64),
        forecast=ints(),
        forecast_slack=floats(),
        network_slack=floats(),
        known_blocked=np.zeros(n, dtype=np.bool_),
    )
    return Committee(member_state, ties, knowledge, beliefs, world, theory)
