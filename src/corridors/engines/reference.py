"""The reference engine: the negotiation model (docs/ODD.md) as a Mesa 3 model.

Readable first: :class:`Committee` is the model and its :meth:`Committee.step` is one day
in the order of ODD section 3; :class:`Ambassador` carries the paper's verbs (call,
disclose, gossip, lobby, vote) and its capital's instruction; :class:`AgendaSetter` drafts
proposals from what it believes and learns from votes. Every formula is a function of
:mod:`corridors.engines.rules`, shared with the batch engine.

By default the engine draws its randomness from the same stream and with the same
samplers as the batch engine (``sampling="shared"``), so it replays exactly the run the
batch engine stores for a seed and replicate, and can narrate it (``trace=True``). With
``sampling="numpy"`` it draws from numpy's own samplers instead: the same model by other
routes, which the statistical equivalence tests set against the batch engine.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import mesa
import numpy as np

from corridors.engines import rules
from corridors.engines.draws import NO_SETTER, check_stream_key, draw_initial, replicate_streams, scenario_arrays
from corridors.engines.rng import new_state, next_double
from corridors.engines.rows import (
    RED_LINE_OUTCOMES,
    RunRow,
    new_outcomes,
    outcome_rows,
)
from corridors.engines.rules import CAUCUS, CONTACT, GOSSIP, INFORMAL_SOURCES, OWN, PUBLIC, VOTE
from corridors.engines.sampling import departures, geometric_gap, pick_stranger, poisson_cdf, poisson_counts
from corridors.errors import CorridorsError
from corridors.scenario.loading import apply_overrides, load_scenario, scenario_from_dict
from corridors.scenario.schema import Scenario

__all__ = [
    "AgendaSetter",
    "Ambassador",
    "Committee",
    "CommitteeDataCollector",
    "SAMPLINGS",
    "TraceEvent",
    "run_reference",
]

SAMPLINGS = ("shared", "numpy")


@dataclass(frozen=True)
class TraceEvent:
    """One line of a run's narrative."""

    day: int
    kind: str
    actors: tuple[str, ...]
    detail: str


class SharedStream:
    """The batch engine's stream and samplers (xoshiro256**, :mod:`corridors.engines.sampling`)."""

    def __init__(self, seed_sequence: np.random.SeedSequence, n: int) -> None:
        self.state = new_state(seed_sequence)
        self.counts = np.zeros(n, dtype=np.int64)
        self.order = np.zeros(n, dtype=np.int64)
        self.leavers = np.zeros(n, dtype=np.int64)
        self.skip = 0.0

    def uniform(self) -> float:
        return float(next_double(self.state))

    def start_departures(self, log_stay: float) -> None:
        self.skip = float(geometric_gap(self.state, log_stay))

    def departures(self, log_stay: float) -> list[int]:
        m, self.skip = departures(self.state, log_stay, self.skip, self.leavers)
        return [int(i) for i in self.leavers[:m]]

    def contact_starters(self, cdf: np.ndarray, rate: float) -> list[tuple[int, int]]:
        m = poisson_counts(self.state, cdf, rate, self.counts, self.order)
        return [(int(i), int(self.counts[i])) for i in self.order[:m]]

    def permutation(self, n: int) -> list[int]:
        order = np.arange(n, dtype=np.int64)
        for i in range(n - 1, 0, -1):
            j = min(int(self.uniform() * (i + 1)), i)
            order[i], order[j] = order[j], order[i]
        return [int(i) for i in order]

    def stranger(self, row: np.ndarray, i: int) -> int:
        return int(pick_stranger(self.state, row, i, row.size))


class NumpyStream:
    """numpy's own generator and samplers: the same distributions by other routes."""

    def __init__(self, seed_sequence: np.random.SeedSequence, n: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed_sequence))
        self.n = n

    def uniform(self) -> float:
        return float(self.rng.random())

    def start_departures(self, log_stay: float) -> None:
        self.chance = -math.expm1(log_stay)

    def departures(self, log_stay: float) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.rng.random(self.n) < self.chance)]

    def contact_starters(self, cdf: np.ndarray, rate: float) -> list[tuple[int, int]]:
        counts = self.rng.poisson(rate, self.n)
        return [(int(i), int(counts[i])) for i in self.rng.permutation(self.n) if counts[i] > 0]

    def permutation(self, n: int) -> list[int]:
        return [int(i) for i in self.rng.permutation(n)]

    def stranger(self, row: np.ndarray, i: int) -> int:
        candidates = np.flatnonzero(row >= 0)
        candidates = candidates[candidates != i]
        return int(candidates[int(self.rng.integers(candidates.size))])


class Knowledge:
    """Who knows which version of whose instruction, and how they learned it.

    Row ``k`` is what knower k holds; the last row belongs to a non-member agenda setter.
    """

    def __init__(self, n: int) -> None:
        self.version = np.full((n + 1, n), -1, dtype=np.int64)
        self.lo = np.zeros((n + 1, n))
        self.hi = np.ones((n + 1, n))
        self.source = np.zeros((n + 1, n), dtype=np.int64)

    def learn(self, knower: int, about: int, lo: float, hi: float, version: int, source: int) -> bool:
        """Record a newer version; returns whether anything was new."""
        if version <= self.version[knower, about]:
            return False
        self.version[knower, about] = version
        self.lo[knower, about] = lo
        self.hi[knower, about] = hi
        self.source[knower, about] = source
        return True

    def first_hand(self, knower: int) -> np.ndarray:
        return np.isin(self.source[knower], rules.FIRST_HAND_SOURCES)


class Ambassador(mesa.Agent):
    """A member state's ambassador (the agent) holding its capital's instruction (the principal)."""

    model: Committee

    def __init__(self, model: Committee, index: int, code: str) -> None:
        super().__init__(model)
        draws = model.draws
        self.index = index
        self.code = code
        self.ideal = float(draws.ideal[index])
        self.salience = float(draws.salience[index])
        self.lo = float(draws.lo[index])  # the capital's instruction: acceptable interval
        self.hi = float(draws.hi[index])
        self.version = 0
        self.red_lines = set(np.flatnonzero(model.arrays.red_lines[index]).tolist())
        self.pressure = 0.0  # lobbying pressure L on the capital
        self.called_home = False
        self.rejected_in_public = False
        self.public_lo = 0.0
        self.public_hi = 1.0
        self.public_version = -1

    # -- informal life ------------------------------------------------------------------
    def trust_to(self, other: int) -> float:
        return float(self.model.trust[self.index, other])

    def trust_sum(self) -> float:
        row = self.model.trust[self.index]
        return float(row[row > 0].sum())

    def choose_partner(self) -> int:
        """A trusted colleague (probability ``friend_choice``) or anyone not disliked (7.4)."""
        model = self.model
        row = model.trust[self.index]
        liked = np.flatnonzero(row > 0)
        if liked.size and model.stream.uniform() < model.p.friend_choice:
            weights = row[liked]
            target = model.stream.uniform() * weights.sum()
            return int(liked[min(np.searchsorted(np.cumsum(weights), target, side="right"), liked.size - 1)])
        if (row < 0).sum() >= model.n - 1:
            return -1
        return model.stream.stranger(row, self.index)

    def call(self, other: Ambassador) -> None:
        """An informal contact: privacy lets trusted colleagues share, gossip and lobby (7.4)."""
        model = self.model
        p = model.p
        s = model.switches
        w = self.trust_to(other.index)
        model.count_contact()
        if model.in_crisis and w > 0.0:
            model.log("contact", (self.code, other.code), f"trust {w:.2f}")
            if s.info_sharing and model.stream.uniform() < rules.contact_chance(w, p.disclosure):
                self.disclose_to(other)
                other.disclose_to(self)
                model.log("disclosure", (self.code, other.code), f"trust {w:.2f}: both learned each other's limits")
            if s.gossip and model.stream.uniform() < rules.contact_chance(w, p.gossip_rate):
                learned = other.gossip_to(self) + self.gossip_to(other)
                if learned:
                    model.log(
                        "gossip", (self.code, other.code), f"trust {w:.2f}: {learned} second-hand positions passed on"
                    )
            if s.lobbying and model.stream.uniform() < rules.contact_chance(w, p.lobby_rate):
                self.pressure += w
                other.pressure += w
                model.log("lobbying", (self.code, other.code), "'can you just talk to your people back home?'")
        elif model.in_crisis:
            model.log("contact", (self.code, other.code), f"trust {w:.2f}")
        if s.trust_growth and w >= 0:
            model.set_trust(self.index, other.index, rules.grown_trust(w, p.trust_gain))

    def disclose_to(self, other: Ambassador) -> None:
        self.model.knowledge.learn(other.index, self.index, self.lo, self.hi, self.version, CONTACT)

    def gossip_to(self, other: Ambassador) -> int:
        """Pass on what this ambassador learned first-hand and the other does not know yet."""
        k = self.model.knowledge
        fresh = k.first_hand(self.index) & (k.version[self.index] > k.version[other.index])
        fresh[self.index] = False
        fresh[other.index] = False
        for about in np.flatnonzero(fresh):
            k.learn(
                other.index,
                int(about),
                k.lo[self.index, about],
                k.hi[self.index, about],
                int(k.version[self.index, about]),
                GOSSIP,
            )
        return int(fresh.sum())

    # -- the capital ---------------------------------------------------------------------
    def capital_review(self) -> None:
        """The capital may widen its instruction, more likely under lobbying (7.6)."""
        model = self.model
        p = model.p
        entrenched = model.switches.entrenchment and self.rejected_in_public
        chance = rules.widening_chance(p.widen_base, p.lobby_effect, self.pressure, entrenched, p.entrenchment)
        if model.stream.uniform() >= chance:
            return
        step = p.widen_step * (1.0 - self.salience)
        x = model.last_failed_proposal
        self.lo, self.hi = rules.widened_instruction(self.lo, self.hi, step, x is not None, x if x is not None else 0.0)
        self.version += 1
        self.pressure = 0.0
        model.knowledge.learn(self.index, self.index, self.lo, self.hi, self.version, OWN)
        model.n_capital_widenings += 1
        model.log("widening", (self.code,), f"capital widened to [{self.lo:.2f}, {self.hi:.2f}]")

    def capital_estimate(self) -> tuple[float, float]:
        """(x_hat, kappa): where this ambassador's private knowledge says agreement lies (theory.capitals: informed)."""
        model = self.model
        know = model.knowledge
        salience = np.array([amb.salience for amb in model.ambassadors])
        work = np.empty((3, model.n))
        x_hat, kappa = rules.capital_estimate(
            know.lo[self.index], know.hi[self.index], know.version[self.index] >= 0, salience, self.index, *work
        )
        return float(x_hat), float(kappa)

    def informed_capital_review(self) -> None:
        """An informed capital: its ambassador's estimate x_hat may raise the chance and set the direction."""
        model = self.model
        p = model.p
        x_hat, kappa = self.capital_estimate()
        excluded = not self.lo <= x_hat <= self.hi
        entrenched = model.switches.entrenchment and self.rejected_in_public
        chance = rules.informed_widening_chance(
            p.widen_base, p.lobby_effect, self.pressure, p.inform_effect, kappa, excluded, entrenched, p.entrenchment
        )
        if model.stream.uniform() >= chance:
            return
        step = p.widen_step * (1.0 - self.salience)
        x = model.last_failed_proposal
        if excluded:  # the bound that excludes the estimate moves toward it
            self.lo, self.hi = rules.widened_instruction(self.lo, self.hi, step, True, x_hat)
            model.n_informed_widenings += 1
        else:
            self.lo, self.hi = rules.widened_instruction(
                self.lo, self.hi, step, x is not None, x if x is not None else 0.0
            )
        self.version += 1
        self.pressure = 0.0
        model.knowledge.learn(self.index, self.index, self.lo, self.hi, self.version, OWN)
        model.n_capital_widenings += 1
        told = f" toward its ambassador's estimate {x_hat:.2f} (knows {kappa:.0%} privately)" if excluded else ""
        model.log("widening", (self.code,), f"capital widened to [{self.lo:.2f}, {self.hi:.2f}]{told}")

    # -- the formal meeting --------------------------------------------------------------
    def state_public_position(self) -> None:
        """At the first meeting: a postured interval, on the record (7.8)."""
        self.public_lo, self.public_hi = rules.public_interval(self.ideal, self.lo, self.hi, self.model.p.posture)
        self.public_version = self.version

    def slack(self) -> float:
        """Agency slack: trusted ambassadors bend their instructions a little (7.8)."""
        if not self.model.switches.agency:
            return 0.0
        return rules.agency_slack(self.trust_sum(), self.model.p.agency_max, self.model.p.agency_half)

    def blocking_red_lines(self, draft: set[int]) -> set[int]:
        return self.red_lines & draft

    def accepts(self, x: float, draft: set[int]) -> bool:
        return bool(rules.accepts(self.lo, self.hi, self.slack(), x, bool(self.blocking_red_lines(draft))))


class AgendaSetter(mesa.Agent):
    """The presidency, chair, commission or secretariat: proposes from what it believes (7.8)."""

    model: Committee

    def __init__(self, model: Committee, member: int) -> None:
        super().__init__(model)
        self.member = member  # index of the member holding the presidency, or NO_SETTER
        self.row = member if member != NO_SETTER else model.n  # its row in the knowledge table
        n = model.n
        self.belief_lo = np.zeros(n)
        self.belief_hi = np.ones(n)
        self.belief_version = np.full(n, -1, dtype=np.int64)  # knowledge version a belief was set from
        self.belief_source = np.zeros(n, dtype=np.int64)
        self.formal_updates = 0
        self.forecast = np.zeros(n, dtype=np.int64)  # the votes it last expected (theory.convening: consensus)

    @property
    def name(self) -> str:
        if self.member == NO_SETTER:
            return self.model.scenario.agenda_setter.kind
        return self.model.ambassadors[self.member].code

    def hear_public_positions(self) -> None:
        """At the first meeting every belief starts as the member's public interval."""
        for amb in self.model.ambassadors:
            k = amb.index
            self.belief_lo[k], self.belief_hi[k] = amb.public_lo, amb.public_hi
            self.belief_version[k] = -1
            self.belief_source[k] = PUBLIC

    def update_from_knowledge(self) -> None:
        """A newer version learned (own ties, gossip, a caucus report, its own) replaces a belief."""
        know = self.model.knowledge
        for k in range(self.model.n):
            if know.version[self.row, k] > self.belief_version[k]:
                self.belief_lo[k] = know.lo[self.row, k]
                self.belief_hi[k] = know.hi[self.row, k]
                self.belief_version[k] = know.version[self.row, k]
                self.belief_source[k] = know.source[self.row, k]

    def propose(self) -> float:
        """The point the slowest capital can reach soonest."""
        salience = np.array([amb.salience for amb in self.model.ambassadors])
        return float(rules.proposal(self.belief_lo, self.belief_hi, salience))

    def expects_agreement(self, x: float) -> bool:
        """Whether its beliefs predict that x passes: the vote run on what it believes (T1).

        A member is expected to accept if no red line of its that the setter knows of (public,
        or the setter's own) is in the draft and x lies within its believed interval widened by
        the slack the setter expects of it: its network slack, or under ``peers`` its slack in
        the cascade run on the believed intervals (:func:`rules.agreement_found`).
        """
        model = self.model
        draft_public = model.draft & model.public_red_lines
        known_blocked = np.array(
            [
                bool(amb.red_lines & (model.draft if amb.index == self.member else draft_public))
                for amb in model.ambassadors
            ]
        )
        network_slack = np.array([amb.slack() for amb in model.ambassadors])
        cascade_slack = np.zeros(model.n)
        a = model.arrays
        return bool(
            rules.agreement_found(
                self.belief_lo,
                self.belief_hi,
                known_blocked,
                network_slack,
                model.trust,
                1.0,
                x,
                model.switches.peer_agency,
                model.p.agency_max if model.switches.agency else 0.0,
                model.p.agency_half,
                int(a.quota),
                a.veto,
                model.caucus_index,
                model.caucus_size,
                a.caucus_common,
                self.forecast,
                cascade_slack,
            )
        )

    def learn_from_vote(self, k: int, x: float, accepted: bool, side: int) -> None:
        """An acceptance beyond the belief widens it; a rejection inside it cuts it past x."""
        if k == self.member:
            return  # the setter knows its own instruction
        lo, hi, changed = rules.update_belief(
            self.belief_lo[k], self.belief_hi[k], x, accepted, side, self.model.p.belief_step
        )
        if changed:
            self.belief_lo[k], self.belief_hi[k] = lo, hi
            self.belief_source[k] = VOTE
            self.formal_updates += 1
            self.model.log(
                "belief",
                (self.name, self.model.arrays.codes[k]),
                f"now believes {self.model.arrays.codes[k]} can live with [{lo:.2f}, {hi:.2f}]",
            )


def _last_proposal(m: Committee) -> float:
    return m.proposals[-1] if m.proposals else math.nan


def _mean_trust(m: Committee) -> float:
    positive = m.trust[m.trust > 0]
    return float(positive.mean()) if positive.size else 0.0


def _informal_share(m: Committee) -> float:
    return m.setter_knowledge()[1] if m.n_formal_meetings else math.nan


def _stated(a: Ambassador, value: float) -> float:
    return value if a.public_version >= 0 else math.nan


def _believed(a: Ambassador, bound: np.ndarray) -> float:
    return float(bound[a.index]) if a.model.n_formal_meetings else math.nan


def _friends(a: Ambassador) -> int:
    row = a.model.trust[a.index]
    return int((row >= a.model.p.friend_threshold).sum() - (row[a.index] >= a.model.p.friend_threshold))


MODEL_REPORTERS: dict[str, Any] = {
    "day": lambda m: m.day - 1,  # the last day simulated; 0 is the day the demand arrives
    "proposal": _last_proposal,  # the last proposal put to a vote (NaN before the first)
    "rejecters": lambda m: m.last_vote_rejecters,  # members who rejected at the last vote (0 before it)
    "informal_share": _informal_share,  # the setter's beliefs last set informally (NaN before a meeting)
    "mean_trust": _mean_trust,  # mean strength of the positive ties
}
AGENT_REPORTERS: dict[str, Any] = {
    "lo": lambda a: a.lo,  # the capital's instruction: the acceptable interval
    "hi": lambda a: a.hi,
    "public_lo": lambda a: _stated(a, a.public_lo),  # stated at the first formal meeting (NaN before)
    "public_hi": lambda a: _stated(a, a.public_hi),
    "belief_lo": lambda a: _believed(a, a.model.setter.belief_lo),  # what the setter believes (NaN before)
    "belief_hi": lambda a: _believed(a, a.model.setter.belief_hi),
    "pressure": lambda a: a.pressure,  # lobbying pressure on the capital
    "friends": _friends,  # colleagues with trust >= friend_threshold
}


class CommitteeDataCollector(mesa.DataCollector):
    """Mesa's data collector, cheap in the burn-in: ambassadors' rows only from the demand on.

    Collected after every day (the routine days too, five numbers each, so the tables
    line up with ``model.steps``), with the ambassadors' rows (56 a day for the OSCE) only
    once the crisis has begun. Row k of both tables, Mesa's step k, is the state after
    day k + 1, so the row ``mesa.batch_run`` reports for a run (step ``model.steps - 1``)
    is its last day, the decision. It only reads the model and draws no random number.
    """

    def __init__(self) -> None:
        super().__init__(model_reporters=MODEL_REPORTERS, agent_reporters=AGENT_REPORTERS)

    def collect(self, model: Any) -> None:
        """Append today's numbers (Mesa's reporters, computed a table at a time for speed)."""
        for name, reporter in self.model_reporters.items():
            self.model_vars[name].append(reporter(model))
        if model.in_crisis:
            step = model.steps - 1
            columns = zip(*ambassador_columns(model).values(), strict=True)
            self._agent_records[step] = [
                (step, amb.unique_id, *values) for amb, values in zip(model.ambassadors, columns, strict=True)
            ]


def ambassador_columns(m: Committee) -> dict[str, list[Any]]:
    """The agent reporters' values for every ambassador at once, in :data:`AGENT_REPORTERS` order."""
    amb = m.ambassadors
    public = np.array([a.public_version >= 0 for a in amb])
    met = m.n_formal_meetings > 0
    nan = np.full(m.n, math.nan)
    friends = (m.trust >= m.p.friend_threshold).sum(axis=1) - (np.diag(m.trust) >= m.p.friend_threshold)
    return {
        "lo": [a.lo for a in amb],
        "hi": [a.hi for a in amb],
        "public_lo": np.where(public, [a.public_lo for a in amb], math.nan).tolist(),
        "public_hi": np.where(public, [a.public_hi for a in amb], math.nan).tolist(),
        "belief_lo": (m.setter.belief_lo if met else nan).tolist(),
        "belief_hi": (m.setter.belief_hi if met else nan).tolist(),
        "pressure": [a.pressure for a in amb],
        "friends": friends.tolist(),
    }


class Committee(mesa.Model):
    """An organization's peace-and-security committee, from routine life to a crisis decision.

    ``scenario`` is a :class:`Scenario` or a preset name or file (with ``overrides`` as in
    ``--set``), so that Mesa's tools can build it from keywords alone:

    >>> import mesa
    >>> runs = mesa.batch_run(Committee, parameters={"scenario": "unsc", "seed": [1, 2],
    ...     "overrides": ["parameters.burn_in_days=30"]}, max_steps=400, display_progress=False)
    >>> [(run["seed"], run["day"]) for run in runs if run["AgentID"] == 1]  # the day each run decided
    [(1, 22), (2, 246)]
    """

    def __init__(
        self,
        scenario: Scenario | str,
        *,
        seed: int = 0,
        replicate: int = 0,
        trace: bool = False,
        sampling: str = "shared",
        overrides: Sequence[str] | str = (),
        stream_key: str | None = None,
    ) -> None:
        if sampling not in SAMPLINGS:
            raise CorridorsError(f"sampling: unknown '{sampling}' (choose from {', '.join(SAMPLINGS)})")
        overrides = [overrides] if isinstance(overrides, str) else list(overrides)
        if isinstance(scenario, str):
            scenario = load_scenario(scenario, overrides)
        elif overrides:
            scenario = scenario_from_dict(
                apply_overrides(scenario.model_dump(mode="json"), overrides), label=f"{scenario.name} (with overrides)"
            )
        key = scenario.content_hash() if stream_key is None else check_stream_key(stream_key)
        self.stream_key = key
        draws_state, dynamics_seq = replicate_streams(seed, key, replicate)
        super().__init__(rng=np.random.Generator(np.random.PCG64(dynamics_seq.spawn(1)[0])))
        self.scenario = scenario
        self.seed_value = seed
        self.replicate = replicate
        self.arrays = scenario_arrays(scenario)
        self.p = rules.derived_parameters(scenario)
        self.switches = rules.derived_switches(scenario)
        self.n = self.arrays.n
        self.stream = SharedStream(dynamics_seq, self.n) if sampling == "shared" else NumpyStream(dynamics_seq, self.n)
        self.tracing = trace
        self.events: list[TraceEvent] = []
        self.draws = draw_initial(scenario, draws_state)
        self.trust = self.draws.weights.copy()
        self.knowledge = Knowledge(self.n)
        self.ambassadors = [Ambassador(self, i, code) for i, code in enumerate(self.arrays.codes)]
        self.setter = AgendaSetter(self, self.draws.setter)
        self.day = -self.p.burn_in_days
        self.log_stay = math.log1p(-1.0 / self.p.tenure_days)
        self.stream.start_departures(self.log_stay)
        self.contact_cdf = {
            False: poisson_cdf(self.p.routine_contacts_per_day),
            True: poisson_cdf(self.p.crisis_contacts_per_day),
        }
        self.regular_meeting_days = self._regular_meeting_days()
        self.crisis_meeting_days = self._crisis_meeting_days()
        self.first_meeting_day = min(self.crisis_meeting_days) if self.crisis_meeting_days else -1
        # crisis bookkeeping
        self.in_crisis = False
        self.decided = False
        self.decision_day = math.nan
        self.draft = set(np.flatnonzero(self.draws.in_draft).tolist())
        self.public_red_lines: set[int] = set()
        self.red_line_outcome = "none"
        self.last_failed_proposal: float | None = None
        self.last_rejecters: dict[int, float] = {}
        self.proposals: list[float] = []  # every proposal put to a vote, in order
        self.n_formal_meetings = 0
        self.n_failed_proposals = 0
        self.n_informal_contacts = 0
        self.n_capital_widenings = 0
        self.n_informed_widenings = 0  # widenings toward the ambassador's estimate (theory.capitals: informed)
        self.window_contacts = 0
        self.routine: dict[str, float] = {}
        self.last_vote_rejecters = 0  # for the data collector; the model never reads it
        self.vote_slack = np.zeros(self.n)  # each member's slack at the end of the last peers cascade
        # model v3 (theory:): tallies for the row
        self.first_callers = 0  # ambassadors whose day-0 first call went to a colleague
        self.n_convened_meetings = 0  # meetings the setter convened (theory.convening: consensus)
        self.cascade_rounds = 0  # rounds of the peers cascade at the last vote
        caucus_members = self.arrays.caucus_members
        self.caucus_size = caucus_members.sum(axis=1).astype(np.int64)
        self.caucus_index = np.zeros((caucus_members.shape[0], self.n), dtype=np.int64)
        for c in range(caucus_members.shape[0]):
            self.caucus_index[c, : self.caucus_size[c]] = np.flatnonzero(caucus_members[c])
        self.datacollector = CommitteeDataCollector()  # collected after each day (step)

    # -- schedule ------------------------------------------------------------------------
    def _regular_meeting_days(self) -> set[int]:
        interval = self.p.meeting_interval_days
        start = -self.p.burn_in_days + self.draws.meeting_phase_days
        count = int((self.p.burn_in_days + self.p.max_days) / interval) + 2
        return {math.floor(start + k * interval) for k in range(count)}

    def _crisis_meeting_days(self) -> set[int]:
        horizon = self.p.max_days
        if self.switches.emergency_meeting:
            first = self.p.emergency_delay_days
            days = {d for d in self.regular_meeting_days if first < d < horizon}
            return days | ({first} if first < horizon else set())
        return {d for d in self.regular_meeting_days if 1 <= d < horizon}

    def caucus_meets_today(self, c: int) -> bool:
        """The day before a crisis meeting (``meets_before_formal``), or on its own schedule (7.7)."""
        a = self.arrays
        if a.caucus_meets[c] and (self.day + 1) in self.crisis_meeting_days:
            return True
        every = int(a.caucus_every_days[c])
        phase = int(self.draws.caucus_phase_days[c])
        return every > 0 and self.day >= phase and (self.day - phase) % every == 0

    # -- helpers -------------------------------------------------------------------------
    def set_trust(self, i: int, j: int, value: float) -> None:
        self.trust[i, j] = value
        self.trust[j, i] = value

    def count_contact(self) -> None:
        if self.in_crisis:
            self.n_informal_contacts += 1
        elif self.day >= -7 * self.p.contacts_window_weeks:
            self.window_contacts += 1

    def log(self, kind: str, actors: tuple[str, ...], detail: str) -> None:
        if self.tracing and self.in_crisis:
            self.events.append(TraceEvent(self.day, kind, actors, detail))

    # -- one day (ODD section 3) ---------------------------------------------------------
    def step(self) -> None:
        if self.day == 0:
            self.begin_crisis()
        if not self.in_crisis:
            self.rotate()
        self.informal_contacts()
        if self.in_crisis:
            self.capital_reviews()
            if self.switches.caucuses:
                self.caucus_meetings()
            if self.switches.consensus_convening and self.n_formal_meetings > 0:
                self.convene_meeting()
        if self.in_crisis and self.day in self.crisis_meeting_days:
            self.formal_crisis_meeting()
        elif self.day in self.regular_meeting_days:
            self.routine_meeting()
        if self.in_crisis and not self.decided and self.switches.bridges:
            self.find_bridges()
        self.decay_trust()
        self.day += 1
        if self.day >= self.p.max_days:
            self.running = False  # the horizon: Mesa's loops (batch_run, SolaraViz) stop here
        self.datacollector.collect(self)

    def begin_crisis(self) -> None:
        """Day 0: the demand arrives; measure the routine network, then the first calls."""
        self.routine = self.network_measures()
        self.in_crisis = True
        for amb in self.ambassadors:
            self.knowledge.learn(amb.index, amb.index, amb.lo, amb.hi, 0, OWN)
        self.log("demand", (), f"demand for an operation; draft sub-issues: {self._draft_names() or 'none'}")
        self.first_calls()

    def rotate(self) -> None:
        """Burn-in: ambassadors leave; newcomers keep weak ties only to caucus-mates (7.3)."""
        for i in self.stream.departures(self.log_stay):
            row = np.where(self.arrays.caucus_mates[i], self.p.rotation_keep, 0.0)
            self.trust[i, :] = row
            self.trust[:, i] = row
            self.trust[i, i] = 0.0

    def first_calls(self) -> None:
        """Day 0: about half call a trusted colleague first, the others their capital (7.5)."""
        for i in self.stream.permutation(self.n):
            amb = self.ambassadors[i]
            row = self.trust[amb.index]
            if self.switches.first_call and (row > 0).any() and self.stream.uniform() < self.p.first_call_friend:
                friend = self.ambassadors[int(np.argmax(row))]
                self.log("first call", (amb.code, friend.code), "called a trusted colleague first")
                amb.call(friend)
                self.first_callers += 1
            else:
                amb.called_home = True

    def informal_contacts(self) -> None:
        """Each ambassador, in random order, starts Poisson(c/14) contacts (7.4)."""
        rate = self.p.crisis_contacts_per_day if self.in_crisis else self.p.routine_contacts_per_day
        for i, calls in self.stream.contact_starters(self.contact_cdf[self.in_crisis], rate):
            amb = self.ambassadors[i]
            for _ in range(calls):
                partner = amb.choose_partner()
                if partner >= 0:
                    amb.call(self.ambassadors[partner])

    def capital_reviews(self) -> None:
        if not self.switches.capital_review:
            return
        weekly = self.day > 0 and self.day % self.p.review_days == 0
        for amb in self.ambassadors:
            if not (weekly or (self.day == 1 and amb.called_home)):
                continue
            if self.switches.informed_capitals:
                amb.informed_capital_review()
            else:
                amb.capital_review()

    def caucus_meetings(self) -> None:
        """Caucuses meeting today: disclosure in private, reports, trust, harmonization (7.7)."""
        a = self.arrays
        p = self.p
        for c in range(a.caucus_members.shape[0]):
            members = np.flatnonzero(a.caucus_members[c])
            if members.size < 2 or not self.caucus_meets_today(c):
                continue
            sub = np.clip(self.trust[np.ix_(members, members)], 0.0, None)
            mean_trust = sub.sum(axis=1) / (members.size - 1)
            disclosed = [
                int(m)
                for m, t in zip(members, mean_trust, strict=True)
                if self.stream.uniform() < rules.caucus_disclosure_chance(p.caucus_openness, t)
            ]
            for m in disclosed:
                amb = self.ambassadors[m]
                for k in members:
                    self.knowledge.learn(int(k), m, amb.lo, amb.hi, amb.version, CAUCUS)
                if self.switches.caucus_reporting:
                    self.knowledge.learn(self.setter.row, m, amb.lo, amb.hi, amb.version, CAUCUS)
            for x in range(members.size):
                for y in range(x + 1, members.size):
                    i, j = int(members[x]), int(members[y])
                    w = self.trust[i, j]
                    if w >= 0:
                        self.set_trust(i, j, rules.grown_trust(w, p.caucus_trust_gain))
            outliers: list[str] = []
            if self.switches.caucus_harmonization:
                median = float(np.median([self.ambassadors[int(m)].ideal for m in members]))
                for member, t in zip(members, mean_trust, strict=True):
                    amb = self.ambassadors[int(member)]
                    if not amb.lo <= median <= amb.hi:
                        amb.pressure += rules.harmonization_pressure(p.caucus_pressure, t)
                        outliers.append(amb.code)
            self.log(
                "caucus",
                tuple(a.codes[int(m)] for m in disclosed),
                f"{a.caucus_names[c]}: {len(disclosed)} of {members.size} disclosed their limits"
                + (f"; pressed {', '.join(outliers)} toward the median" if outliers else ""),
            )

    def routine_meeting(self) -> None:
        """Colleagues, not friends: meetings reinforce existing ties, they do not create them (7.8)."""
        positive = self.trust > 0
        self.trust[positive] = rules.grown_trust.py_func(self.trust[positive], self.p.formal_trust_gain)

    def formal_crisis_meeting(self) -> None:
        """Public positions, a proposal, a vote; on failure the setter learns from it (7.8)."""
        self.n_formal_meetings += 1
        if self.n_formal_meetings == 1:
            for amb in self.ambassadors:
                amb.state_public_position()
            self.setter.hear_public_positions()
        for amb in self.ambassadors:
            amb.rejected_in_public = False
        for s in sorted(self.draft & self.public_red_lines):
            if self.stream.uniform() < self.p.redraft_prob:
                self.draft.discard(s)
                self.red_line_outcome = "redrafted"
                self.log("redraft", (), f"setter dropped '{self.arrays.subissue_names[s]}' from the draft")
        self.setter.update_from_knowledge()
        x = self.setter.propose()
        self.proposals.append(x)
        if self.switches.peer_agency:
            accept = self.join_peers(x)
        else:
            self.cascade_rounds = 0
            accept = np.array([amb.accepts(x, self.draft) for amb in self.ambassadors])
        a = self.arrays
        votes = accept.astype(np.int64)
        decided = bool(
            rules.vote_carries(votes, int(a.quota), a.veto, self.caucus_index, self.caucus_size, a.caucus_common)
        )
        accept = votes == 1  # blocs voted as one
        n_accept = int(accept.sum())
        self.last_vote_rejecters = self.n - n_accept
        self.log("proposal", (self.setter.name,), f"proposal {x:.2f}, {n_accept} of {self.n} accept")
        if decided:
            self.decided = True
            self.decision_day = float(self.day)
            blocked = any(amb.blocking_red_lines(self.draft) for amb in self.ambassadors)
            if self.draft & self.public_red_lines or blocked:
                self.red_line_outcome = "outvoted"
            self.log("decision", (), f"agreed on scope {x:.2f} at meeting {self.n_formal_meetings}")
            self.running = False
            return
        self.n_failed_proposals += 1
        self.last_failed_proposal = x
        self.last_rejecters = {}
        for amb in self.ambassadors:
            accepted = bool(accept[amb.index])
            side = rules.NO_SIDE
            if not accepted:
                side = self.record_rejection(amb, x)
            self.setter.learn_from_vote(amb.index, x, accepted, side)

    def join_peers(self, x: float) -> np.ndarray:
        """The vote as a cascade: ambassadors join the colleagues who already accept (theory.agency: peers)."""
        blocked = np.array([bool(amb.blocking_red_lines(self.draft)) for amb in self.ambassadors])
        accepted = np.zeros(self.n, dtype=np.int64)
        self.vote_slack = np.zeros(self.n)
        lo = np.array([amb.lo for amb in self.ambassadors])
        hi = np.array([amb.hi for amb in self.ambassadors])
        agency_max = self.p.agency_max if self.switches.agency else 0.0
        rounds = rules.join_peers(
            lo, hi, blocked, self.trust, 1.0, x, agency_max, self.p.agency_half, accepted, self.vote_slack
        )
        self.cascade_rounds = int(rounds)
        self.log("cascade", (), f"{int(accepted.sum())} of {self.n} accept after {rounds} rounds of joining peers")
        return accepted.astype(bool)

    def convene_meeting(self) -> None:
        """``theory.convening: consensus``: the setter convenes a meeting once it expects agreement (T1).

        "A common agreement is found amongst these sub-regional positions when the Permanent
        Council meeting resumes." On a crisis day after the first crisis meeting, with no
        crisis meeting due from today to ``convening_notice_days`` ahead and that day before
        the horizon, the setter updates its beliefs from what it knows and forecasts the
        vote on the proposal it would make; if the vote carries, it convenes a crisis meeting
        on day + notice (the same day with notice 0). No random numbers.
        """
        held = self.day + self.p.convening_notice_days
        if held >= self.p.max_days or any(d in self.crisis_meeting_days for d in range(self.day, held + 1)):
            return
        self.setter.update_from_knowledge()
        x = self.setter.propose()
        if not self.setter.expects_agreement(x):
            return
        self.crisis_meeting_days.add(held)
        self.n_convened_meetings += 1
        self.log(
            "convening",
            (self.setter.name,),
            f"{self.setter.name} expects {x:.2f} to pass and convenes a meeting for day {held}",
        )

    def record_rejection(self, amb: Ambassador, x: float) -> int:
        """A public rejection: red lines go public; returns the side the member named."""
        amb.rejected_in_public = True
        blocking = amb.blocking_red_lines(self.draft)
        if blocking:
            self.last_rejecters[amb.index] = math.inf
            for s in blocking - self.public_red_lines:
                self.log(
                    "red line",
                    (amb.code,),
                    f"proposal {x:.2f} rejected by {amb.code}: red line {self.arrays.subissue_names[s]}",
                )
            self.public_red_lines |= blocking
            return rules.NO_SIDE
        slack = float(self.vote_slack[amb.index]) if self.switches.peer_agency else amb.slack()
        distance = max(amb.lo - slack - x, x - amb.hi - slack, 0.0)
        self.last_rejecters[amb.index] = distance
        self.log(
            "rejection",
            (amb.code,),
            f"proposal {x:.2f} rejected by {amb.code}: its limits "
            f"[{amb.lo:.2f}, {amb.hi:.2f}]" + (" (bloc discipline)" if distance == 0 else ""),
        )
        return int(rules.rejection_side(amb.lo, amb.hi, slack, x))

    def find_bridges(self) -> None:
        """While a public red line blocks, the blocker's friends may find a workaround (7.9)."""
        for s in sorted(self.draft & self.public_red_lines):
            blockers = np.flatnonzero(self.arrays.red_lines[:, s])
            none_found = 1.0
            for b in blockers:
                for w in self.trust[b]:
                    if w > 0.0:
                        none_found *= rules.bridge_chance_factor(float(w), self.p.bridge_rate)
            if self.stream.uniform() < 1.0 - none_found:
                self.draft.discard(s)
                self.red_line_outcome = "bridged"
                names = tuple(self.arrays.codes[int(b)] for b in blockers)
                self.log("bridge", names, f"friends found a workaround for '{self.arrays.subissue_names[s]}'")

    def decay_trust(self) -> None:
        positive = self.trust > 0
        self.trust[positive] *= 1.0 - self.p.trust_decay

    # -- measures ------------------------------------------------------------------------
    def network_measures(self) -> dict[str, float]:
        """The routine network at day 0 (ODD section 7, outputs)."""
        n = self.n
        off_diagonal = ~np.eye(n, dtype=np.bool_)
        friends = ((self.trust >= self.p.friend_threshold) & off_diagonal).sum(axis=1)
        positive = (self.trust > 0) & off_diagonal
        window_weeks = min(self.p.contacts_window_weeks * 7, self.p.burn_in_days) / 7.0
        return {
            "friends_mean": float(friends.mean()),
            "zero_friend_share": float((friends == 0).mean()),
            "contacts_per_week": 2.0 * self.window_contacts / n / window_weeks if window_weeks > 0 else math.nan,
            "density": float(positive.sum() / (n * (n - 1))),
            "mean_trust": float(self.trust[positive].mean()) if positive.any() else 0.0,
        }

    def setter_knowledge(self) -> tuple[float, float]:
        """(share of the other members whose current instruction the setter knows, informal share).

        The informal share counts the members whose belief the setter last set from a
        contact, gossip or a caucus report rather than a public statement or a vote.
        """
        row = self.setter.row
        know = self.knowledge
        others = [amb for amb in self.ambassadors if amb.index != self.setter.member]
        known = informal = 0
        for amb in others:
            current = know.version[row, amb.index] == amb.version
            informal_now = current and know.source[row, amb.index] in INFORMAL_SOURCES
            public_now = self.p.posture == 1.0 and amb.public_version == amb.version
            known += int(informal_now or public_now)
            informal += int(self.setter.belief_source[amb.index] in INFORMAL_SOURCES)
        met = self.n_formal_meetings > 0
        return known / len(others), (informal / len(others) if met else math.nan)

    def _draft_names(self) -> str:
        return ", ".join(self.arrays.subissue_names[s] for s in sorted(self.draft))

    # -- the whole run -------------------------------------------------------------------
    def run(self) -> RunRow:
        """Burn-in, then the crisis until a decision or the horizon."""
        while self.running and self.day < self.p.max_days:
            self.step()
        if self.p.burn_in_days == 0 and not self.routine:
            self.routine = self.network_measures()
        return self.row()

    def run_model(self) -> None:  # Mesa's name for running to the end
        self.run()

    def row(self) -> RunRow:
        """This run's row, through the row builder both engines share."""
        if self.draft & self.public_red_lines and not self.decided:
            self.red_line_outcome = "unresolved"
        known_share, informal_share = self.setter_knowledge()
        pivotal = -1
        if self.last_rejecters:
            pivotal = max(self.last_rejecters, key=lambda k: (self.last_rejecters[k], -k))
        out = new_outcomes(1)
        values = {
            "decided": self.decided,
            "decision_day": self.decision_day,
            "deploy_normal": self.draws.deploy_normal,
            "first_meeting_day": self.first_meeting_day,
            "n_formal_meetings": self.n_formal_meetings,
            "n_failed_proposals": self.n_failed_proposals,
            "n_informal_contacts": self.n_informal_contacts,
            "n_capital_widenings": self.n_capital_widenings,
            "formal_updates": self.setter.formal_updates,
            "red_line": RED_LINE_OUTCOMES.index(self.red_line_outcome),
            "pivotal": pivotal,
            "setter": self.setter.member,
            "setter_known_share": known_share,
            "informal_share": informal_share,
            **self.routine,
            "first_call_share": self.first_callers / self.n if self.in_crisis else math.nan,
            "convened_meetings": self.n_convened_meetings,
            "cascade_rounds": self.cascade_rounds,
            "informed_widenings": self.n_informed_widenings,
        }
        for name, value in values.items():
            getattr(out, name)[0] = value
        frame = outcome_rows(
            self.scenario, out, engine="reference", seed=self.seed_value, first_replicate=self.replicate
        )
        record = frame.iloc[0]
        return RunRow(
            **{
                f.name: record[f.name].item() if hasattr(record[f.name], "item") else record[f.name]
                for f in fields(RunRow)
            }
        )


def run_reference(
    scenario: Scenario,
    *,
    seed: int,
    replicate: int,
    trace: bool = False,
    sampling: str = "shared",
    stream_key: str | None = None,
) -> tuple[RunRow, list[TraceEvent]]:
    """Run one replicate on the reference engine; returns its row and (if asked) its trace.

    ``stream_key`` replaces the scenario hash in the replicate's seed (common random numbers).
    """
    committee = Committee(
        scenario, seed=seed, replicate=replicate, trace=trace, sampling=sampling, stream_key=stream_key
    )
    row = committee.run()
    return row, committee.events
