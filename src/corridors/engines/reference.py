"""The reference engine: the negotiation model of MODEL.md as a Mesa 3 model.

Readable first: :class:`Committee` is the model and its :meth:`Committee.step` is one day
in the order of MODEL.md section 3; :class:`Ambassador` carries the paper's verbs (call,
disclose, gossip, lobby, vote) and its capital's instruction; :class:`AgendaSetter` drafts
proposals from what it believes. This engine is the yardstick the batch engine is tested
against, and the one that can narrate a run (``trace=True``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from corridors import __version__
from corridors.engines.draws import (
    NO_SETTER,
    InitialDraws,
    deployment_lag_days,
    draw_initial,
    replicate_streams,
    scenario_arrays,
)
from corridors.engines.rows import DAYS_PER_MONTH, RunRow
from corridors.scenario.schema import Scenario

__all__ = ["AgendaSetter", "Ambassador", "Committee", "TraceEvent", "run_reference"]

# how a piece of knowledge was obtained
UNKNOWN, OWN, CONTACT, GOSSIP, CAUCUS = 0, 1, 2, 3, 4
INFORMAL_SOURCES = (CONTACT, GOSSIP, CAUCUS)


@dataclass(frozen=True)
class TraceEvent:
    """One line of a run's narrative."""

    day: int
    kind: str
    actors: tuple[str, ...]
    detail: str


class Knowledge:
    """Who knows which version of whose true interval, and how they learned it.

    Row ``k`` is what knower k holds; the last row belongs to a non-member agenda setter.
    """

    def __init__(self, n: int) -> None:
        self.version = np.full((n + 1, n), -1, dtype=np.int64)
        self.lo = np.zeros((n + 1, n))
        self.hi = np.ones((n + 1, n))
        self.source = np.zeros((n + 1, n), dtype=np.int64)
        self.firsthand = np.zeros((n + 1, n), dtype=np.bool_)

    def learn(self, knower: int, about: int, lo: float, hi: float, version: int, source: int) -> bool:
        """Record a newer version; returns whether anything was new."""
        if version <= self.version[knower, about]:
            return False
        self.version[knower, about] = version
        self.lo[knower, about] = lo
        self.hi[knower, about] = hi
        self.source[knower, about] = source
        self.firsthand[knower, about] = source in (OWN, CONTACT, CAUCUS)
        return True


class Ambassador(mesa.Agent):
    """A member state's ambassador (the agent) holding its capital's instruction (the principal)."""

    model: Committee

    def __init__(self, model: Committee, index: int, code: str, draws: InitialDraws) -> None:
        super().__init__(model)
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
        """A trusted colleague (probability ``friend_choice``) or anyone not disliked (4.4)."""
        rng = self.model.rng
        row = self.model.trust[self.index]
        liked = np.flatnonzero(row > 0)
        if liked.size and rng.random() < self.model.p.friend_choice:
            weights = row[liked]
            return int(liked[np.searchsorted(np.cumsum(weights), rng.random() * weights.sum(), side="right")])
        candidates = np.flatnonzero(row >= 0)
        candidates = candidates[candidates != self.index]
        if candidates.size == 0:
            return -1
        return int(candidates[int(rng.random() * candidates.size)])

    def call(self, other: Ambassador) -> None:
        """An informal contact: privacy lets trusted colleagues share, gossip and lobby."""
        model = self.model
        w = self.trust_to(other.index)
        model.count_contact()
        if model.in_crisis:
            model.log("contact", (self.code, other.code), f"trust {w:.2f}")
            trust = max(w, 0.0)
            mech = model.mech
            if mech.info_sharing and model.rng.random() < trust * model.p.disclosure:
                self.disclose_to(other)
                other.disclose_to(self)
                model.log("disclosure", (self.code, other.code), f"trust {w:.2f}: both learned each other's limits")
            if mech.gossip and model.rng.random() < trust * model.p.gossip_rate:
                learned = other.gossip_to(self) + self.gossip_to(other)
                if learned:
                    model.log("gossip", (self.code, other.code),
                              f"trust {w:.2f}: {learned} second-hand positions passed on")
            if mech.lobbying and model.rng.random() < trust * model.p.lobby_rate:
                self.pressure += w
                other.pressure += w
                model.log("lobbying", (self.code, other.code), "'can you just talk to your people back home?'")
        if model.mech.trust_growth and w >= 0:
            model.set_trust(self.index, other.index, w + model.trust_gain * (1.0 - w))

    def disclose_to(self, other: Ambassador) -> None:
        self.model.knowledge.learn(other.index, self.index, self.lo, self.hi, self.version, CONTACT)

    def gossip_to(self, other: Ambassador) -> int:
        """Pass on what this ambassador learned first-hand and the other does not know yet."""
        k = self.model.knowledge
        fresh = k.firsthand[self.index] & (k.version[self.index] > k.version[other.index])
        fresh[self.index] = False
        fresh[other.index] = False
        for about in np.flatnonzero(fresh):
            k.learn(other.index, int(about), k.lo[self.index, about], k.hi[self.index, about],
                    int(k.version[self.index, about]), GOSSIP)
        return int(fresh.sum())

    # -- the capital ---------------------------------------------------------------------
    def capital_review(self) -> None:
        """The capital may widen its instruction, more likely under lobbying (4.6)."""
        model = self.model
        p = model.p
        chance = p.widen_base + p.lobby_effect * min(1.0, self.pressure)
        if model.mech.entrenchment and self.rejected_in_public:
            chance *= 1.0 - p.entrenchment
        if model.rng.random() >= chance:
            return
        step = p.widen_step * (1.0 - self.salience)
        x = model.last_failed_proposal
        if x is not None and x < self.lo:
            self.lo = max(0.0, self.lo - step)
        elif x is not None and x > self.hi:
            self.hi = min(1.0, self.hi + step)
        else:
            self.lo = max(0.0, self.lo - step / 2.0)
            self.hi = min(1.0, self.hi + step / 2.0)
        self.version += 1
        self.pressure = 0.0
        model.knowledge.learn(self.index, self.index, self.lo, self.hi, self.version, OWN)
        model.n_capital_widenings += 1
        model.log("widening", (self.code,), f"capital widened to [{self.lo:.2f}, {self.hi:.2f}]")

    # -- the formal meeting --------------------------------------------------------------
    def state_public_position(self) -> None:
        """At the first meeting: a postured interval, on the record (4.8)."""
        posture = self.model.posture
        self.public_lo = self.ideal - posture * (self.ideal - self.lo)
        self.public_hi = self.ideal + posture * (self.hi - self.ideal)
        self.public_version = self.version

    def slack(self) -> float:
        """Agency slack: trusted ambassadors bend their instructions a little (4.8)."""
        if not self.model.mech.agency:
            return 0.0
        total = self.trust_sum()
        return self.model.p.agency_max * total / (total + self.model.p.agency_half)

    def blocking_red_lines(self, draft: set[int]) -> set[int]:
        return self.red_lines & draft

    def accepts(self, x: float, draft: set[int]) -> bool:
        slack = self.slack()
        return not self.blocking_red_lines(draft) and self.lo - slack <= x <= self.hi + slack


class AgendaSetter(mesa.Agent):
    """The presidency, chair, commission or secretariat: drafts a proposal from its beliefs."""

    model: Committee

    def __init__(self, model: Committee, member: int) -> None:
        super().__init__(model)
        self.member = member  # index of the member holding the presidency, or NO_SETTER
        self.row = member if member != NO_SETTER else model.n  # its row in the knowledge table
        n = model.n
        self.learned_lo = np.zeros(n)
        self.learned_hi = np.ones(n)

    @property
    def name(self) -> str:
        if self.member == NO_SETTER:
            return self.model.scenario.agenda_setter.kind
        return self.model.ambassadors[self.member].code

    def believed_interval(self, k: int) -> tuple[float, float]:
        """k's true interval if known (possibly stale), else its public one narrowed by failed votes."""
        know = self.model.knowledge
        if know.version[self.row, k] >= 0:
            return float(know.lo[self.row, k]), float(know.hi[self.row, k])
        amb = self.model.ambassadors[k]
        return max(amb.public_lo, self.learned_lo[k]), min(amb.public_hi, self.learned_hi[k])

    def propose(self) -> float:
        """The midpoint of the tightest believed bounds, clipped to [0, 1]."""
        bounds = [self.believed_interval(k) for k in range(self.model.n)]
        highest_lo = max(b[0] for b in bounds)
        lowest_hi = min(b[1] for b in bounds)
        return min(1.0, max(0.0, (highest_lo + lowest_hi) / 2.0))

    def learn_from_rejection(self, k: int, x: float) -> None:
        amb = self.model.ambassadors[k]
        slack = amb.slack()
        if x < amb.lo - slack:
            self.learned_lo[k] = max(self.learned_lo[k], x)
        elif x > amb.hi + slack:
            self.learned_hi[k] = min(self.learned_hi[k], x)


class Committee(mesa.Model):
    """An organization's peace-and-security committee, from routine life to a crisis decision."""

    def __init__(self, scenario: Scenario, *, seed: int = 0, replicate: int = 0, trace: bool = False) -> None:
        draws_state, dynamics_seq = replicate_streams(seed, scenario.content_hash(), replicate)
        super().__init__(rng=np.random.Generator(np.random.PCG64(dynamics_seq)))
        self.scenario = scenario
        self.seed_value = seed
        self.replicate = replicate
        self.arrays = scenario_arrays(scenario)
        self.p = scenario.parameters
        self.mech = scenario.mechanisms
        self.n = self.arrays.n
        self.tracing = trace
        self.events: list[TraceEvent] = []
        self.draws = draw_initial(scenario, draws_state)
        self.trust = self.draws.weights.copy()
        self.knowledge = Knowledge(self.n)
        self.ambassadors = [Ambassador(self, i, code, self.draws) for i, code in enumerate(self.arrays.codes)]
        self.setter = AgendaSetter(self, self.draws.setter)
        self.posture = self.p.posture if self.mech.posturing else 1.0
        m_f = scenario.formal_meetings_per_week
        fatigue = 1.0 + self.p.fatigue * m_f if self.mech.meeting_fatigue else 1.0
        self.trust_gain = self.p.trust_gain / fatigue
        self.day = -self.p.burn_in_days
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
        self.n_formal_meetings = 0
        self.n_failed_proposals = 0
        self.n_informal_contacts = 0
        self.n_capital_widenings = 0
        self.window_contacts = 0
        self.routine: dict[str, float] = {}

    # -- schedule ------------------------------------------------------------------------
    def _regular_meeting_days(self) -> set[int]:
        interval = self.arrays.meeting_interval_days
        start = -self.p.burn_in_days + self.draws.meeting_phase_days
        count = int((self.p.burn_in_days + self.p.max_days) / interval) + 2
        return {math.floor(start + k * interval) for k in range(count)}

    def _crisis_meeting_days(self) -> set[int]:
        horizon = self.p.max_days
        if self.mech.emergency_meeting:
            first = self.p.emergency_delay_days
            days = {d for d in self.regular_meeting_days if first < d < horizon}
            return days | ({first} if first < horizon else set())
        return {d for d in self.regular_meeting_days if 1 <= d < horizon}

    @property
    def informal_contacts_per_week(self) -> float:
        return self.scenario.informal_contacts_per_week(crisis=self.in_crisis)

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

    # -- one day (MODEL.md section 3) ---------------------------------------------------
    def step(self) -> None:
        if self.day == 0:
            self.begin_crisis()
        if not self.in_crisis:
            self.rotate()
        self.informal_contacts()
        if self.in_crisis:
            self.capital_reviews()
            if self.mech.caucuses and (self.day + 1) in self.crisis_meeting_days:
                self.caucus_meetings()
        if self.in_crisis and self.day in self.crisis_meeting_days:
            self.formal_crisis_meeting()
        elif self.day in self.regular_meeting_days:
            self.routine_meeting()
        if self.in_crisis and not self.decided and self.mech.bridges:
            self.find_bridges()
        self.decay_trust()
        self.day += 1

    def begin_crisis(self) -> None:
        """Day 0: the demand arrives; measure the routine network, then the first calls."""
        self.routine = self.network_measures()
        self.in_crisis = True
        for amb in self.ambassadors:
            self.knowledge.learn(amb.index, amb.index, amb.lo, amb.hi, 0, OWN)
        self.log("demand", (), f"demand for an operation; draft sub-issues: {self._draft_names() or 'none'}")
        self.first_calls()

    def rotate(self) -> None:
        """Burn-in: ambassadors leave; newcomers keep weak ties only to caucus-mates (4.3)."""
        chance = 1.0 / self.p.tenure_days
        for i in range(self.n):
            if self.rng.random() < chance:
                row = np.where(self.arrays.caucus_mates[i], self.p.rotation_keep, 0.0)
                self.trust[i, :] = row
                self.trust[:, i] = row
                self.trust[i, i] = 0.0

    def first_calls(self) -> None:
        """Day 0: about half call a trusted colleague first, the others their capital (4.5)."""
        for i in self.rng.permutation(self.n):
            amb = self.ambassadors[int(i)]
            row = self.trust[amb.index]
            if self.mech.first_call and (row > 0).any() and self.rng.random() < self.p.first_call_friend:
                friend = self.ambassadors[int(np.argmax(row))]
                self.log("first call", (amb.code, friend.code), "called a trusted colleague first")
                amb.call(friend)
            else:
                amb.called_home = True

    def informal_contacts(self) -> None:
        """Each ambassador, in random order, starts Poisson(c/14) contacts (4.4)."""
        rate = self.informal_contacts_per_week / 14.0
        for i in self.rng.permutation(self.n):
            amb = self.ambassadors[int(i)]
            for _ in range(int(self.rng.poisson(rate))):
                partner = amb.choose_partner()
                if partner >= 0:
                    amb.call(self.ambassadors[partner])

    def capital_reviews(self) -> None:
        if not self.mech.capital_review:
            return
        weekly = self.day > 0 and self.day % self.p.review_days == 0
        for amb in self.ambassadors:
            if weekly or (self.day == 1 and amb.called_home):
                amb.capital_review()

    def caucus_meetings(self) -> None:
        """The day before a crisis meeting, caucuses meet in private (4.7)."""
        a = self.arrays
        for c in np.flatnonzero(a.caucus_meets):
            members = np.flatnonzero(a.caucus_members[c])
            if members.size < 2:
                continue
            sub = np.clip(self.trust[np.ix_(members, members)], 0.0, None)
            mean_trust = sub.sum(axis=1) / (members.size - 1)
            disclosed = [
                int(m) for m, t in zip(members, mean_trust, strict=True)
                if self.rng.random() < min(1.0, self.p.caucus_openness + t)
            ]
            for m in disclosed:
                amb = self.ambassadors[m]
                for k in members:
                    self.knowledge.learn(int(k), m, amb.lo, amb.hi, amb.version, CAUCUS)
                if self.mech.caucus_reporting:
                    self.knowledge.learn(self.setter.row, m, amb.lo, amb.hi, amb.version, CAUCUS)
            for x in range(members.size):
                for y in range(x + 1, members.size):
                    i, j = int(members[x]), int(members[y])
                    w = self.trust[i, j]
                    if w >= 0:
                        self.set_trust(i, j, w + self.p.caucus_trust_gain * (1.0 - w))
            outliers: list[str] = []
            if self.mech.caucus_harmonization:
                median = float(np.median([self.ambassadors[int(m)].ideal for m in members]))
                for member, t in zip(members, mean_trust, strict=True):
                    amb = self.ambassadors[int(member)]
                    if not amb.lo <= median <= amb.hi:
                        amb.pressure += self.p.caucus_pressure * t
                        outliers.append(amb.code)
            self.log("caucus", tuple(a.codes[int(m)] for m in disclosed),
                     f"{a.caucus_names[c]}: {len(disclosed)} of {members.size} disclosed their limits"
                     + (f"; pressed {', '.join(outliers)} toward the median" if outliers else ""))

    def routine_meeting(self) -> None:
        """Colleagues, not friends: meetings reinforce existing ties, they do not create them."""
        positive = self.trust > 0
        self.trust[positive] += self.p.formal_trust_gain * (1.0 - self.trust[positive])

    def formal_crisis_meeting(self) -> None:
        """Public positions, a proposal, a vote; on failure the setter learns (4.8)."""
        self.n_formal_meetings += 1
        if self.n_formal_meetings == 1:
            for amb in self.ambassadors:
                amb.state_public_position()
        for amb in self.ambassadors:
            amb.rejected_in_public = False
        for s in sorted(self.draft & self.public_red_lines):
            if self.rng.random() < self.p.redraft_prob:
                self.draft.discard(s)
                self.red_line_outcome = "redrafted"
                self.log("redraft", (), f"setter dropped '{self.arrays.subissue_names[s]}' from the draft")
        x = self.setter.propose()
        accept = np.array([amb.accepts(x, self.draft) for amb in self.ambassadors])
        a = self.arrays
        for c in np.flatnonzero(a.caucus_common):
            bloc = a.caucus_members[c]
            if not accept[bloc].all():
                accept[bloc] = False
        n_accept = int(accept.sum())
        decided = n_accept >= a.quota and bool(accept[a.veto].all())
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
            if accept[amb.index]:
                continue
            amb.rejected_in_public = True
            blocking = amb.blocking_red_lines(self.draft)
            if blocking:
                self.last_rejecters[amb.index] = math.inf
                for s in blocking - self.public_red_lines:
                    self.log("red line", (amb.code,), f"proposal {x:.2f} rejected by {amb.code}: red line "
                             f"{a.subissue_names[s]}")
                self.public_red_lines |= blocking
                continue
            slack = amb.slack()
            distance = max(amb.lo - slack - x, x - amb.hi - slack, 0.0)
            self.last_rejecters[amb.index] = distance
            self.setter.learn_from_rejection(amb.index, x)
            self.log("rejection", (amb.code,), f"proposal {x:.2f} rejected by {amb.code}: its limits "
                     f"[{amb.lo:.2f}, {amb.hi:.2f}]" + (" (bloc discipline)" if distance == 0 else ""))

    def find_bridges(self) -> None:
        """While a public red line blocks, the blocker's friends may find a workaround (4.9)."""
        for s in sorted(self.draft & self.public_red_lines):
            blockers = np.flatnonzero(self.arrays.red_lines[:, s])
            ties = np.clip(self.trust[blockers], 0.0, None)
            chance = 1.0 - float(np.prod(1.0 - self.p.bridge_rate * ties**2))
            if self.rng.random() < chance:
                self.draft.discard(s)
                self.red_line_outcome = "bridged"
                names = tuple(self.arrays.codes[int(b)] for b in blockers)
                self.log("bridge", names, f"friends found a workaround for '{self.arrays.subissue_names[s]}'")

    def decay_trust(self) -> None:
        positive = self.trust > 0
        self.trust[positive] *= 1.0 - self.p.trust_decay

    # -- measures ------------------------------------------------------------------------
    def network_measures(self) -> dict[str, float]:
        """The routine network at day 0 (MODEL.md section 5)."""
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
        """(share of members whose current interval the setter knows, share of that learned informally)."""
        row = self.setter.row
        know = self.knowledge
        others = [amb for amb in self.ambassadors if amb.index != self.setter.member]
        informal = formal = 0
        for amb in others:
            current = know.version[row, amb.index] == amb.version
            if current and know.source[row, amb.index] in INFORMAL_SOURCES:
                informal += 1
            elif self.posture == 1.0 and amb.public_version == amb.version:
                formal += 1
        known = informal + formal
        return known / len(others), (informal / known if known else math.nan)

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
        if self.draft & self.public_red_lines and not self.decided:
            self.red_line_outcome = "unresolved"
        known_share, informal_share = self.setter_knowledge()
        pivotal = ""
        if self.last_rejecters:
            pivotal = self.arrays.codes[max(self.last_rejecters, key=lambda k: (self.last_rejecters[k], -k))]
        lag = deployment_lag_days(self.scenario, self.draws.deploy_normal) if self.decided else math.nan
        response = self.decision_day + lag
        return RunRow(
            scenario=self.scenario.name,
            scenario_hash=self.scenario.content_hash(),
            engine="reference",
            code_version=__version__,
            seed=self.seed_value,
            replicate=self.replicate,
            decided=self.decided,
            decision_day=self.decision_day,
            deployment_lag_days=lag,
            response_day=response,
            response_months=response / DAYS_PER_MONTH,
            horizon_days=self.p.max_days,
            first_meeting_day=self.first_meeting_day,
            n_formal_meetings=self.n_formal_meetings,
            n_failed_proposals=self.n_failed_proposals,
            n_informal_contacts=self.n_informal_contacts,
            n_capital_widenings=self.n_capital_widenings,
            red_line=self.red_line_outcome,
            pivotal_member=pivotal,
            setter=self.setter.name,
            setter_known_share=known_share,
            informal_share=informal_share,
            friends_mean=self.routine["friends_mean"],
            zero_friend_share=self.routine["zero_friend_share"],
            contacts_per_week=self.routine["contacts_per_week"],
            density=self.routine["density"],
            mean_trust=self.routine["mean_trust"],
        )


def run_reference(
    scenario: Scenario, *, seed: int, replicate: int, trace: bool = False
) -> tuple[RunRow, list[TraceEvent]]:
    """Run one replicate on the reference engine; returns its row and (if asked) its trace."""
    committee = Committee(scenario, seed=seed, replicate=replicate, trace=trace)
    row = committee.run()
    return row, committee.events
