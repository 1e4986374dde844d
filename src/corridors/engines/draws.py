"""Draws shared by every engine: seeding, preferences, genders, the initial network.

Both engines call these functions with the same :class:`numpy.random.SeedSequence`, so a
replicate starts from exactly the same world whichever engine runs it; only the day-by-day
dynamics use a second, engine-internal stream. A replicate's streams depend only on
(root seed, stream key, replicate index): never on executor, chunk size or order. The
stream key is the scenario's content hash unless the caller gives another (an experiment
with ``common_random_numbers`` gives every design point its base scenario's hash, so
replicate i of every point draws from one stream).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from corridors.engines.jit_options import fast
from corridors.engines.rng import new_state, next_beta, next_double, next_normal
from corridors.errors import CorridorsError
from corridors.scenario.schema import Scenario

__all__ = [
    "InitialDraws",
    "ScenarioArrays",
    "check_stream_key",
    "draw_initial",
    "HomophilyBuffers",
    "WorldDraws",
    "WorldFixed",
    "WorldParams",
    "draw_world",
    "homophily_buffers",
    "replicate_seed_sequence",
    "replicate_streams",
    "scenario_arrays",
    "solve_tie_intercept",
    "world_fixed",
    "world_params",
]

_HEX_KEY = re.compile(r"[0-9a-f]{1,64}")
NO_SETTER = -1
"""Index of a non-member agenda setter (commission or secretariat)."""


def check_stream_key(stream_key: str, *, label: str = "stream_key") -> str:
    """``stream_key`` if it is 1-64 lowercase hex digits (a content hash); a one-line error otherwise.

    Examples
    --------
    >>> check_stream_key("00ff")
    '00ff'
    """
    if not isinstance(stream_key, str) or not _HEX_KEY.fullmatch(stream_key):
        raise CorridorsError(f"{label}: must be 1-64 lowercase hex digits (a scenario hash), got {stream_key!r}")
    return stream_key


def replicate_seed_sequence(root_seed: int, stream_key: str, replicate: int) -> np.random.SeedSequence:
    """The seed sequence of one replicate: (root seed, stream key, replicate index).

    The stream key is a hex string, by default the scenario's content hash.

    Examples
    --------
    >>> a = replicate_seed_sequence(1, "00ff", 3).generate_state(2)
    >>> b = replicate_seed_sequence(1, "00ff", 3).generate_state(2)
    >>> bool((a == b).all())
    True
    """
    return np.random.SeedSequence(_replicate_entropy(root_seed, stream_key, replicate))


def _replicate_entropy(root_seed: int, stream_key: str, replicate: int) -> list[int]:
    if root_seed < 0:
        raise ValueError("seed must be a non-negative integer")
    hash_words = [int(stream_key[i : i + 8], 16) for i in range(0, len(stream_key), 8)]
    return [int(root_seed), *hash_words, int(replicate)]


def replicate_streams(root_seed: int, stream_key: str, replicate: int) -> tuple[np.ndarray, np.random.SeedSequence]:
    """(draws state, dynamics seed sequence) of one replicate (``stream_key``: see :func:`replicate_seed_sequence`).

    The draws state feeds :func:`draw_world` (shared by both engines); each engine seeds
    its own day-by-day generator from the dynamics seed sequence. The two are the children
    ``replicate_seed_sequence(...).spawn(2)`` gives (numpy's spawn extends the spawn key),
    built directly: the parent and the spawn cost two thirds of a replicate's seeding.
    """
    entropy = _replicate_entropy(root_seed, stream_key, replicate)
    draws_seq = np.random.SeedSequence(entropy, spawn_key=(0,))
    dynamics_seq = np.random.SeedSequence(entropy, spawn_key=(1,))
    return new_state(draws_seq), dynamics_seq


@dataclass(frozen=True)
class ScenarioArrays:
    """A scenario as flat arrays: what both engines read inside their loops."""

    n: int
    codes: tuple[str, ...]
    subregion: np.ndarray  # int, per member
    language: np.ndarray  # int, per member
    shared_blocs: np.ndarray  # int n x n, number of blocs both members are in
    caucus_members: np.ndarray  # bool n_caucus x n
    caucus_meets: np.ndarray  # bool n_caucus
    caucus_common: np.ndarray  # bool n_caucus
    caucus_every_days: np.ndarray  # int n_caucus: own schedule every N crisis days (0: none)
    caucus_mates: np.ndarray  # bool n x n, share at least one caucus
    big_player: np.ndarray  # bool n
    fixed_ideal: np.ndarray  # float n, NaN where drawn
    fixed_salience: np.ndarray  # float n, NaN where drawn
    fixed_female: np.ndarray  # int n: 1 female, 0 male, -1 drawn
    red_lines: np.ndarray  # bool n x n_subissues
    subissue_prob: np.ndarray  # float n_subissues
    subissue_names: tuple[str, ...]
    caucus_names: tuple[str, ...]
    veto: np.ndarray  # bool n
    quota: int  # acceptances needed (n under unanimity)
    setter_is_member: bool
    meeting_interval_days: float
    pair_i: np.ndarray  # int, first member of each pair i < j
    pair_j: np.ndarray
    pair_class: np.ndarray  # int, homophily class of the pair (same z without gender)
    class_z: np.ndarray  # float, z of each class without the gender term
    tie_i: np.ndarray  # int, known ties: first member
    tie_j: np.ndarray  # int, known ties: second member
    tie_w: np.ndarray  # float, known ties: strength
    observed_network: bool  # only the known ties form the initial network


@lru_cache(maxsize=256)
def _arrays_cached(scenario_json: str) -> ScenarioArrays:
    return _build_arrays(Scenario.model_validate_json(scenario_json))


def scenario_arrays(scenario: Scenario) -> ScenarioArrays:
    """Flat arrays of a scenario (cached by content)."""
    return _arrays_cached(scenario.model_dump_json())


def _ids(values: list[str]) -> np.ndarray:
    index: dict[str, int] = {}
    return np.array([index.setdefault(v, len(index)) for v in values], dtype=np.int64)


def _build_arrays(scenario: Scenario) -> ScenarioArrays:
    members = scenario.members
    n = len(members)
    position = {m.code: i for i, m in enumerate(members)}
    bloc_sets = [set(m.blocs) for m in members]
    for caucus in scenario.caucuses:
        for code in caucus.members:
            bloc_sets[position[code]].add(caucus.name)
    shared = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            shared[i, j] = shared[j, i] = len(bloc_sets[i] & bloc_sets[j])
    caucus_members = np.zeros((len(scenario.caucuses), n), dtype=np.bool_)
    for c, caucus in enumerate(scenario.caucuses):
        for code in caucus.members:
            caucus_members[c, position[code]] = True
    mates = (caucus_members.T.astype(np.int64) @ caucus_members.astype(np.int64)) > 0
    np.fill_diagonal(mates, False)
    names = [s.name for s in scenario.subissues]
    red = np.zeros((n, len(names)), dtype=np.bool_)
    for i, m in enumerate(members):
        for r in m.red_lines:
            red[i, names.index(r)] = True
    rule = scenario.decision_rule
    veto = np.zeros(n, dtype=np.bool_)
    if rule.kind == "unanimity":
        veto[:] = True
        quota = n
    else:
        for code in rule.veto_members:
            veto[position[code]] = True
        quota = int(rule.quota or n)
    gender = {"female": 1, "male": 0, None: -1}
    p = scenario.parameters
    subregion = _ids([m.subregion for m in members])
    language = _ids([m.language for m in members])
    pair_i, pair_j = np.triu_indices(n, 1)
    z_static = (
        p.beta_subregion * (subregion[pair_i] == subregion[pair_j])
        + p.beta_language * (language[pair_i] == language[pair_j])
        + p.beta_bloc * shared[pair_i, pair_j]
    )
    class_z, pair_class = np.unique(z_static, return_inverse=True)
    tie_i = np.array([position[t.members[0]] for t in scenario.ties], dtype=np.int64)
    tie_j = np.array([position[t.members[1]] for t in scenario.ties], dtype=np.int64)
    tie_w = np.array([t.strength for t in scenario.ties], dtype=np.float64)
    return ScenarioArrays(
        tie_i=tie_i,
        tie_j=tie_j,
        tie_w=tie_w,
        observed_network=scenario.observed_network,
        pair_i=pair_i.astype(np.int64),
        pair_j=pair_j.astype(np.int64),
        pair_class=pair_class.astype(np.int64).ravel(),
        class_z=class_z.astype(np.float64),
        n=n,
        codes=tuple(m.code for m in members),
        subregion=subregion,
        language=language,
        shared_blocs=shared,
        caucus_members=caucus_members,
        caucus_meets=np.array([c.meets_before_formal for c in scenario.caucuses], dtype=np.bool_),
        caucus_common=np.array([c.common_position for c in scenario.caucuses], dtype=np.bool_),
        caucus_every_days=np.array([c.meets_every_days or 0 for c in scenario.caucuses], dtype=np.int64),
        caucus_mates=mates,
        big_player=np.array([m.big_player for m in members], dtype=np.bool_),
        fixed_ideal=np.array([np.nan if m.ideal is None else m.ideal for m in members], dtype=np.float64),
        fixed_salience=np.array([np.nan if m.salience is None else m.salience for m in members], dtype=np.float64),
        fixed_female=np.array([gender[m.ambassador_gender] for m in members], dtype=np.int64),
        red_lines=red,
        subissue_prob=np.array([s.probability for s in scenario.subissues], dtype=np.float64),
        subissue_names=tuple(names),
        caucus_names=tuple(c.name for c in scenario.caucuses),
        veto=veto,
        quota=quota,
        setter_is_member=scenario.agenda_setter.is_member,
        meeting_interval_days=7.0 / scenario.formal_meetings_per_week,
    )


@dataclass(frozen=True)
class InitialDraws:
    """Everything drawn before the day loop of one replicate (ODD sections 5 and 7)."""

    female: np.ndarray  # bool n, ambassadors at the start of burn-in
    weights: np.ndarray  # float n x n, the initial homophily network
    meeting_phase_days: float  # first regular meeting of burn-in, in [0, interval)
    setter: int  # member index, or NO_SETTER
    ideal: np.ndarray  # theta_i
    salience: np.ndarray  # s_i
    lo: np.ndarray  # true acceptable interval at day 0
    hi: np.ndarray
    in_draft: np.ndarray  # bool per sub-issue: in the first draft
    deploy_normal: float  # standard normal behind the deployment lag
    caucus_phase_days: np.ndarray  # int per caucus: first crisis day of its own schedule


@fast
def solve_tie_intercept(z: np.ndarray, counts: np.ndarray, target_ties: float) -> float:
    """beta0 such that sum(counts * sigmoid(beta0 + z)) equals ``target_ties`` (bisection).

    Examples
    --------
    >>> b = solve_tie_intercept(np.zeros(1), np.array([45.0]), 22.5)  # 10 members, mean degree 4.5
    >>> round(float(1 / (1 + np.exp(-b))), 6)
    0.5
    """
    total = counts.sum()
    if target_ties <= 0.0:
        return -np.inf
    if target_ties >= total:
        return np.inf
    low, high = -60.0, 60.0
    for _ in range(80):
        middle = 0.5 * (low + high)
        expected = 0.0
        for c in range(z.size):
            expected += counts[c] / (1.0 + math.exp(-(middle + z[c])))
        if expected < target_ties:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


class WorldParams(NamedTuple):
    """The scenario's numbers that :func:`draw_world` reads (ODD sections 5 and 7)."""

    female_share: float
    beta_gender: float
    initial_mean_degree: float
    initial_tie_low: float
    initial_tie_high: float
    dislike_prob: float
    dislike_low: float
    dislike_high: float
    theta_alpha: float
    theta_beta: float
    salience_low: float
    salience_high: float
    big_player_salience: float
    width_base: float
    width_spread: float
    meeting_interval_days: float


class WorldFixed(NamedTuple):
    """What the scenario fixes for :func:`draw_world`: member pairs, known ties, fixed draws, caucus schedules."""

    fixed_female: np.ndarray  # int n: 1 female, 0 male, -1 drawn
    fixed_ideal: np.ndarray  # float n, NaN where drawn
    fixed_salience: np.ndarray  # float n, NaN where drawn
    big_player: np.ndarray  # bool n
    pair_i: np.ndarray  # int, first member of each pair i < j
    pair_j: np.ndarray
    pair_class: np.ndarray  # int, homophily class of the pair
    class_z: np.ndarray  # float, z of each class without the gender term
    tie_i: np.ndarray  # int, known ties: first member
    tie_j: np.ndarray
    tie_w: np.ndarray  # float, known ties: strength
    observed_network: bool  # only the known ties form the initial network
    subissue_prob: np.ndarray  # float per sub-issue
    setter_is_member: bool
    caucus_every_days: np.ndarray  # int per caucus (0: no own schedule)


class WorldDraws(NamedTuple):
    """The arrays :func:`draw_world` fills: one replicate's starting world."""

    female: np.ndarray  # bool n
    weights: np.ndarray  # float n x (n or more): the initial network (extra columns zero)
    ideal: np.ndarray
    salience: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    in_draft: np.ndarray  # bool per sub-issue
    caucus_phase_days: np.ndarray  # int per caucus


class HomophilyBuffers(NamedTuple):
    """Work space of :func:`draw_world`, each twice the number of homophily classes long."""

    z: np.ndarray
    counts: np.ndarray
    prob: np.ndarray


def homophily_buffers(fixed: WorldFixed) -> HomophilyBuffers:
    """Work space for :func:`draw_world` on a scenario's fixed arrays."""
    size = 2 * fixed.class_z.size
    return HomophilyBuffers(np.zeros(size), np.zeros(size), np.zeros(size))


@fast
def draw_world(
    state: np.ndarray, params: WorldParams, fixed: WorldFixed, out: WorldDraws, buffers: HomophilyBuffers
) -> tuple[float, int, float]:
    """Fill one replicate's world ``out`` in place, in a fixed order; returns (phase, setter, deploy normal).

    The same function serves both engines, so both start every replicate from the same world.
    """
    female = out.female
    weights = out.weights
    z, counts, prob = buffers.z, buffers.counts, buffers.prob
    pair_i, pair_j, pair_class, class_z = fixed.pair_i, fixed.pair_j, fixed.pair_class, fixed.class_z
    n = female.size
    for i in range(n):
        u = next_double(state)
        female[i] = (fixed.fixed_female[i] == 1) if fixed.fixed_female[i] >= 0 else (u < params.female_share)
    # homophily network (4.2): beta0 solved for the expected mean degree given these genders
    n_classes = class_z.size
    counts[:] = 0.0
    for c in range(n_classes):
        z[c] = class_z[c]
        z[n_classes + c] = class_z[c] + params.beta_gender
    for p in range(pair_i.size):
        both = female[pair_i[p]] and female[pair_j[p]]
        counts[pair_class[p] + (n_classes if both else 0)] += 1.0
    beta0 = solve_tie_intercept(z, counts, params.initial_mean_degree * n / 2.0)
    for c in range(2 * n_classes):
        prob[c] = 1.0 / (1.0 + math.exp(-(beta0 + z[c]))) if math.isfinite(beta0) else (1.0 if beta0 > 0 else 0.0)
    weights[:, :] = 0.0
    tie_low, tie_high = params.initial_tie_low, params.initial_tie_high
    dislike_low, dislike_high = params.dislike_low, params.dislike_high
    for p in range(pair_i.size):
        i, j = pair_i[p], pair_j[p]
        both = female[i] and female[j]
        u_tie = next_double(state)
        u_strength = next_double(state)
        u_dislike = next_double(state)
        u_dislike_strength = next_double(state)
        w = 0.0
        if u_tie < prob[pair_class[p] + (n_classes if both else 0)]:
            w = tie_low + (tie_high - tie_low) * u_strength
        elif u_dislike < params.dislike_prob:
            w = -(dislike_low + (dislike_high - dislike_low) * u_dislike_strength)
        weights[i, j] = 0.0 if fixed.observed_network else w
        weights[j, i] = 0.0 if fixed.observed_network else w
    for t in range(fixed.tie_i.size):
        weights[fixed.tie_i[t], fixed.tie_j[t]] = fixed.tie_w[t]
        weights[fixed.tie_j[t], fixed.tie_i[t]] = fixed.tie_w[t]
    phase = next_double(state) * params.meeting_interval_days
    setter_draw = min(int(next_double(state) * n), n - 1)
    setter = setter_draw if fixed.setter_is_member else NO_SETTER
    # preferences at day 0 (4.1)
    for i in range(n):
        theta = next_beta(state, params.theta_alpha, params.theta_beta)
        out.ideal[i] = theta if math.isnan(fixed.fixed_ideal[i]) else fixed.fixed_ideal[i]
    for i in range(n):
        u = next_double(state)
        s = params.salience_low + (params.salience_high - params.salience_low) * u
        if fixed.big_player[i]:
            s = params.big_player_salience
        out.salience[i] = s if math.isnan(fixed.fixed_salience[i]) else fixed.fixed_salience[i]
    for i in range(n):
        half_width = params.width_base + params.width_spread * next_double(state) * (1.0 - out.salience[i])
        out.lo[i] = min(1.0, max(0.0, out.ideal[i] - half_width))
        out.hi[i] = min(1.0, max(0.0, out.ideal[i] + half_width))
    for k in range(fixed.subissue_prob.size):
        out.in_draft[k] = next_double(state) < fixed.subissue_prob[k]
    deploy_normal = next_normal(state)
    for c in range(fixed.caucus_every_days.size):  # drawn last: scenarios without them keep their worlds
        every = fixed.caucus_every_days[c]
        out.caucus_phase_days[c] = min(int(next_double(state) * every), every - 1) if every > 0 else 0
    return phase, setter, deploy_normal


def world_params(scenario: Scenario) -> WorldParams:
    """The scenario values that :func:`draw_world` reads."""
    p = scenario.parameters
    values = {name: float(getattr(p, name)) for name in WorldParams._fields if hasattr(p, name)}
    return WorldParams(
        **values,
        female_share=float(scenario.female_share),
        meeting_interval_days=7.0 / scenario.formal_meetings_per_week,
    )


def world_fixed(scenario: Scenario) -> WorldFixed:
    """The scenario's fixed arrays that :func:`draw_world` reads."""
    a = scenario_arrays(scenario)
    return WorldFixed(**{name: getattr(a, name) for name in WorldFixed._fields})


def draw_initial(scenario: Scenario, state: np.ndarray) -> InitialDraws:
    """Draw one replicate's world from its ``draws`` stream state (updated in place)."""
    a = scenario_arrays(scenario)
    n = a.n
    female = np.zeros(n, dtype=np.bool_)
    weights = np.zeros((n, n))
    ideal, salience, lo, hi = (np.zeros(n) for _ in range(4))
    in_draft = np.zeros(a.subissue_prob.size, dtype=np.bool_)
    caucus_phase = np.zeros(a.caucus_every_days.size, dtype=np.int64)
    fixed = world_fixed(scenario)
    phase, setter, deploy_normal = draw_world(
        state,
        world_params(scenario),
        fixed,
        WorldDraws(female, weights, ideal, salience, lo, hi, in_draft, caucus_phase),
        homophily_buffers(fixed),
    )
    return InitialDraws(
        female=female,
        weights=weights,
        meeting_phase_days=float(phase),
        setter=int(setter),
        ideal=ideal,
        salience=salience,
        lo=lo,
        hi=hi,
        in_draft=in_draft,
        deploy_normal=float(deploy_normal),
        caucus_phase_days=caucus_phase,
    )


def deployment_lag_days(scenario: Scenario, deploy_normal: float) -> float:
    """LogNormal lag with the scenario's mean and coefficient of variation (ODD 7.11)."""
    from corridors.engines.rules import deployment_lag

    p = scenario.parameters
    return float(deployment_lag(p.deploy_mean_days * scenario.deploy_factor, p.deploy_cv, deploy_normal))
