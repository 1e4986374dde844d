"""The scenario language: pydantic models of the model of docs/ODD.md (sections 2, 5-7).

A :class:`Scenario` is the one validated description of an organization in a crisis
that every engine reads. Unknown fields are errors (a typo must never be ignored);
every parameter has a default, a range and a one-line description.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "AgendaSetter",
    "Caucus",
    "DecisionRule",
    "INTERPERSONAL_MECHANISMS",
    "Mechanisms",
    "Member",
    "Parameters",
    "Scenario",
    "SubIssue",
    "Tie",
]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
MemberCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class Member(_Strict):
    """A member state: its capital is the principal, its ambassador the agent."""

    code: MemberCode = Field(description="ISO 3166 alpha-3 code")
    name: str = Field(min_length=1, description="Member state's name")
    subregion: str = Field(default="none", min_length=1, description="Sub-region (homophily, caucuses)")
    language: str = Field(default="en", min_length=1, description="Working language of the ambassador")
    blocs: list[Name] = Field(default_factory=list, description="Caucuses/blocs the member belongs to")
    big_player: bool = Field(default=False, description="Named as a big player by the paper")
    ideal: Probability | None = Field(default=None, description="Fixed ideal scope in [0,1]; drawn if absent")
    salience: Probability | None = Field(default=None, description="Fixed salience; drawn if absent")
    red_lines: list[Name] = Field(default_factory=list, description="Sub-issues the capital forbids")
    ambassador_gender: Literal["female", "male"] | None = Field(
        default=None, description="Fixed ambassador gender; drawn with female_share if absent"
    )


class Caucus(_Strict):
    """An informal group of members: a sub-regional group, a bloc or a dinner."""

    name: Name = Field(description="Caucus name (lower case); members list it in their blocs")
    members: list[MemberCode] = Field(min_length=1, description="Member codes")
    meets_before_formal: bool = Field(default=True, description="Meets the day before each formal crisis meeting")
    meets_every_days: int | None = Field(
        default=None, ge=1, le=365,
        description="Also meets every N crisis days from a random phase (the P5's biweekly dinner: 14)",
    )
    common_position: bool = Field(default=False, description="Must agree internally and votes as one")
    source: str | None = Field(None, description="Where the caucus is documented")


class Tie(_Strict):
    """A known relation between two ambassadors at the start of the burn-in (ODD section 5).

    Positive strength is trust (0.5 and above: friends), negative a mutual dislike.
    """

    members: tuple[MemberCode, MemberCode] = Field(description="The two member codes")
    strength: float = Field(ge=-1.0, le=1.0, description="Tie strength w in [-1, 1]")
    source: str | None = Field(None, description="Where the tie is documented")


class DecisionRule(_Strict):
    """Unanimity, or a quota of acceptances with every veto holder accepting."""

    kind: Literal["unanimity", "qualified_majority"] = Field("unanimity", description="Decision rule")
    quota: int | None = Field(default=None, ge=1, description="Acceptances needed (qualified_majority)")
    veto_members: list[MemberCode] = Field(default_factory=list, description="Members whose rejection blocks")

    @model_validator(mode="after")
    def _quota_matches_kind(self) -> DecisionRule:
        if self.kind == "qualified_majority" and self.quota is None:
            raise ValueError("qualified_majority needs a quota")
        if self.kind == "unanimity" and (self.quota is not None or self.veto_members):
            raise ValueError("unanimity takes no quota or veto_members (every member can veto)")
        return self


class AgendaSetter(_Strict):
    """Who drafts proposals: a member (presidency/chair, drawn each replication) or not."""

    kind: Literal["presidency", "chair", "commission", "secretariat", "presidency_with_commission"] = Field(
        "presidency",
        description="A member (presidency, chair; presidency_with_commission: a member presidency that also "
        "receives a commission's caucus reports) drawn per replicate, or a non-member (commission, secretariat)",
    )

    @property
    def is_member(self) -> bool:
        return self.kind in ("presidency", "chair", "presidency_with_commission")


class SubIssue(_Strict):
    """A sub-issue that may enter the first draft (e.g. use of NATO assets)."""

    name: Name = Field(description="Sub-issue name, e.g. nato_assets")
    probability: Probability = Field(description="Chance it enters the first draft")
    source: str | None = Field(None, description="Where the sub-issue comes from")


class Mechanisms(_Strict):
    """Switches for each mechanism of ODD section 7 (all on by default)."""

    crowding_out: bool = Field(True, description="Formal meetings reduce informal contacts (4.4)")
    trust_growth: bool = Field(True, description="Contacts strengthen ties (4.4)")
    info_sharing: bool = Field(True, description="Trusted contacts disclose true intervals (4.4)")
    gossip: bool = Field(True, description="Friends pass on first-hand knowledge, one hop (4.4)")
    lobbying: bool = Field(True, description="Contacts add pressure on each other's capital (4.4)")
    capital_review: bool = Field(True, description="Capitals widen their instructions weekly (4.6)")
    entrenchment: bool = Field(True, description="A public rejection makes widening costlier (4.6)")
    caucuses: bool = Field(True, description="Caucuses meet before formal meetings (4.7)")
    caucus_reporting: bool = Field(True, description="Caucus disclosures reach the agenda setter (4.7)")
    caucus_harmonization: bool = Field(True, description="Caucuses press outliers toward their median (4.7)")
    meeting_fatigue: bool = Field(True, description="Frequent meetings make each contact build less trust (4.4)")
    posturing: bool = Field(True, description="Public positions are postured toward the ideal (4.8)")
    emergency_meeting: bool = Field(True, description="First crisis meeting within emergency_delay_days (4.8)")
    agency: bool = Field(True, description="Trusted ambassadors bend instructions (4.8)")
    bridges: bool = Field(True, description="Friends find workarounds for red lines (4.9)")
    first_call: bool = Field(True, description="Day-0 first call to a friend or the capital (4.5)")


INTERPERSONAL_MECHANISMS: tuple[str, ...] = (
    "crowding_out",
    "trust_growth",
    "info_sharing",
    "gossip",
    "lobbying",
    "caucuses",
    "caucus_reporting",
    "caucus_harmonization",
    "meeting_fatigue",
    "agency",
    "bridges",
    "first_call",
)
"""Mechanisms switched off by ``realist: true``: everything that runs through ambassadors'
personal relations, leaving capitals, posturing and formal meetings."""


class Parameters(_Strict):
    """Every numeric parameter of ODD section 7 with its default."""

    # horizon
    burn_in_days: int = Field(365, ge=0, le=3650, description="Routine days before the crisis (pre-emptive trust)")
    max_days: int = Field(730, ge=1, le=3650, description="Crisis horizon; undecided runs are censored here")
    # 4.1 preferences
    theta_alpha: Positive = Field(2.0, description="Beta(alpha, beta) of ideal scope: alpha")
    theta_beta: Positive = Field(2.0, description="Beta(alpha, beta) of ideal scope: beta")
    salience_low: Probability = Field(0.3, description="Salience ~ U(low, high): low")
    salience_high: Probability = Field(0.8, description="Salience ~ U(low, high): high")
    big_player_salience: Probability = Field(0.9, description="Salience of big players")
    width_base: NonNegative = Field(0.15, le=1.0, description="Minimum half-width of an acceptable interval")
    width_spread: NonNegative = Field(0.6, le=1.0, description="Extra half-width scaled by (1 - salience)")
    # 4.2 initial network
    beta_subregion: float = Field(1.5, description="Tie log-odds for a shared sub-region")
    beta_language: float = Field(0.7, description="Tie log-odds for a shared language")
    beta_bloc: float = Field(0.5, description="Tie log-odds per shared bloc")
    beta_gender: float = Field(1.0, description="Tie log-odds when both ambassadors are female")
    initial_mean_degree: NonNegative = Field(5.0, description="Expected ties per ambassador at the start of burn-in")
    initial_tie_low: Probability = Field(0.1, description="Initial tie strength ~ U(low, high): low")
    initial_tie_high: Probability = Field(0.4, description="Initial tie strength ~ U(low, high): high")
    dislike_prob: Probability = Field(0.005, description="Chance an untied pair dislikes each other")
    dislike_low: Probability = Field(0.3, description="Dislike strength ~ -U(low, high): low")
    dislike_high: Probability = Field(0.8, description="Dislike strength ~ -U(low, high): high")
    # 4.3 rotation
    tenure_days: Positive = Field(1095.0, description="Mean posting length of an ambassador")
    rotation_keep: Probability = Field(0.1, description="Tie kept by a newcomer to caucus-mates")
    # 4.4 informal contacts
    informal_base_per_week: NonNegative = Field(6.75, description="Informal contacts per week without formal meetings")
    informal_floor_per_week: NonNegative = Field(1.0, description="Informal contacts per week, lower bound")
    crowding_out: NonNegative = Field(0.4, description="Contacts per week lost per weekly formal meeting")
    crisis_boost: NonNegative = Field(1.5, description="Factor on informal contacts during the crisis")
    friend_choice: Probability = Field(0.8, description="Chance a contact goes to a trusted colleague")
    trust_gain: Probability = Field(0.1, description="Trust gained per contact, as a share of the gap to 1")
    fatigue: NonNegative = Field(1.0, description="Trust gain divided by 1 + fatigue * meetings per week")
    disclosure: NonNegative = Field(1.0, description="Disclosure chance per contact = trust * disclosure")
    gossip_rate: NonNegative = Field(0.5, description="Gossip chance per contact = trust * gossip_rate")
    lobby_rate: NonNegative = Field(0.3, description="Lobbying chance per contact = trust * lobby_rate")
    # 4.5 first call
    first_call_friend: Probability = Field(0.5, description="Chance the first call goes to a friend, not the capital")
    # 4.6 capital review
    review_days: int = Field(7, ge=1, le=365, description="Days between capital reviews")
    widen_base: Probability = Field(0.15, description="Base chance a capital widens at a review")
    lobby_effect: Probability = Field(0.5, description="Extra widening chance at full lobbying pressure")
    entrenchment: Probability = Field(0.3, description="Cut in widening chance after a public rejection")
    widen_step: NonNegative = Field(0.15, le=1.0, description="Widening step, times (1 - salience)")
    # 4.7 caucuses
    caucus_openness: Probability = Field(0.4, description="Base chance to disclose inside a caucus")
    caucus_trust_gain: Probability = Field(0.01, description="Trust gained per caucus meeting, share of gap to 1")
    caucus_pressure: NonNegative = Field(1.0, description="Harmonization pressure on a caucus outlier")
    # 4.8 formal meetings
    emergency_delay_days: int = Field(2, ge=0, le=60, description="Days from demand to the emergency meeting")
    formal_trust_gain: Probability = Field(0.001, description="Trust added to existing ties per routine meeting")
    posture: Probability = Field(0.5, description="Share of the true interval stated in public (1 = honest)")
    agency_max: NonNegative = Field(0.05, le=1.0, description="Largest slack an ambassador allows itself")
    agency_half: Positive = Field(2.0, description="Sum of trust at which slack is half its maximum")
    belief_step: Probability = Field(
        0.01, description="How far past a rejected proposal the setter moves its belief about the rejecter"
    )
    redraft_prob: Probability = Field(0.1, description="Chance per meeting to drop a public red-line sub-issue")
    # 4.9 bridges, 4.10 decay
    bridge_rate: Probability = Field(0.05, description="Daily bridge chance per unit squared trust of the blocker")
    trust_decay: Probability = Field(0.001, description="Daily decay of positive trust")
    friend_threshold: Probability = Field(0.5, description="Tie strength from which a colleague is a friend")
    # 4.11 deployment
    deploy_mean_days: Positive = Field(60.0, description="Mean lag from decision to deployment")
    deploy_cv: NonNegative = Field(0.5, description="Coefficient of variation of the deployment lag")
    # outputs
    contacts_window_weeks: int = Field(8, ge=1, le=52, description="Burn-in weeks over which contacts/week is measured")

    @model_validator(mode="after")
    def _ranges_ordered(self) -> Parameters:
        pairs = [
            ("salience_low", "salience_high"),
            ("initial_tie_low", "initial_tie_high"),
            ("dislike_low", "dislike_high"),
        ]
        for low, high in pairs:
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"{low} ({getattr(self, low)}) is above {high} ({getattr(self, high)})")
        return self


class Scenario(_Strict):
    """An organization's committee facing a demand for a peace operation.

    Examples
    --------
    >>> s = Scenario(name="pair", members=[Member(code="AAA", name="A"), Member(code="BBB", name="B")])
    >>> s.n_members, s.decision_rule.kind
    (2, 'unanimity')
    """

    name: Name = Field(description="Short name (lower case), used in rows and reports")
    description: str = Field("", description="Free text about the scenario")
    organization: str = Field("", description="Organization's full name")
    committee: str = Field("", description="Peace and security committee (Table 3)")
    members: list[Member] = Field(min_length=2, description="Member states (at least two)")
    caucuses: list[Caucus] = Field(default_factory=list, description="Informal groups and blocs")
    decision_rule: DecisionRule = Field(default_factory=DecisionRule, description="How the committee decides")
    agenda_setter: AgendaSetter = Field(default_factory=AgendaSetter, description="Who drafts proposals")
    formal_meetings_per_week: Positive = Field(1.0, le=7.0, description="Regular formal meetings per week")
    female_share: Probability = Field(0.25, description="Share of female ambassadors")
    deploy_factor: Positive = Field(1.0, description="Scales the deployment lag of this organization")
    subissues: list[SubIssue] = Field(default_factory=list, description="Sub-issues that may enter the draft")
    ties: list[Tie] = Field(default_factory=list, description="Known ties that replace the drawn ones")
    observed_network: bool = Field(
        False, description="Use only the listed ties as the initial network (no homophily draws)"
    )
    parameters: Parameters = Field(default_factory=Parameters, description="Numeric parameters (ODD section 7)")
    mechanisms: Mechanisms = Field(default_factory=Mechanisms, description="Mechanism switches")
    realist: bool = Field(False, description="Switch off every interpersonal mechanism")
    sources: dict[str, str] = Field(default_factory=dict, description="Field path -> where the value comes from")

    @field_validator("sources")
    @classmethod
    def _sources_not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        for key, note in value.items():
            if not note.strip():
                raise ValueError(f"source note for '{key}' is empty")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems: list[str] = []
        codes = [m.code for m in self.members]
        seen: set[str] = set()
        for i, code in enumerate(codes):
            if code in seen:
                problems.append(f"members[{i}].code: duplicate member code '{code}'")
            seen.add(code)
        known = set(codes)
        caucus_names: set[str] = set()
        for ci, caucus in enumerate(self.caucuses):
            if caucus.name in caucus_names:
                problems.append(f"caucuses[{ci}].name: duplicate caucus name '{caucus.name}'")
            caucus_names.add(caucus.name)
            unknown = [(mi, code) for mi, code in enumerate(caucus.members) if code not in known]
            if len(unknown) == 1:
                problems.append(f"caucuses[{ci}].members[{unknown[0][0]}]: unknown member code '{unknown[0][1]}'")
            elif unknown:
                codes_text = ", ".join(code for _, code in unknown[:8]) + (", ..." if len(unknown) > 8 else "")
                problems.append(f"caucuses[{ci}].members: {len(unknown)} unknown member codes: {codes_text}")
            if len(set(caucus.members)) != len(caucus.members):
                problems.append(f"caucuses[{ci}].members: a member is listed twice")
        pairs: set[frozenset[str]] = set()
        for ti, tie in enumerate(self.ties):
            for mi, code in enumerate(tie.members):
                if code not in known:
                    problems.append(f"ties[{ti}].members[{mi}]: unknown member code '{code}'")
            pair = frozenset(tie.members)
            if len(pair) == 1:
                problems.append(f"ties[{ti}].members: a tie needs two different members")
            elif pair in pairs:
                problems.append(f"ties[{ti}].members: the pair {'-'.join(tie.members)} is listed twice")
            pairs.add(pair)
        subissue_names = [s.name for s in self.subissues]
        if len(set(subissue_names)) != len(subissue_names):
            problems.append("subissues: duplicate sub-issue name")
        for i, member in enumerate(self.members):
            for ri, red_line in enumerate(member.red_lines):
                if red_line not in subissue_names:
                    problems.append(f"members[{i}].red_lines[{ri}]: unknown sub-issue '{red_line}'")
        rule = self.decision_rule
        for vi, code in enumerate(rule.veto_members):
            if code not in known:
                problems.append(f"decision_rule.veto_members[{vi}]: unknown member code '{code}'")
        if rule.quota is not None and rule.quota > len(codes):
            problems.append(f"decision_rule.quota: {rule.quota} is above the member count {len(codes)}")
        if problems:
            raise _ScenarioProblems(problems)
        if self.realist:
            for name in INTERPERSONAL_MECHANISMS:
                if getattr(self.mechanisms, name):
                    object.__setattr__(self.mechanisms, name, False)
        return self

    @property
    def n_members(self) -> int:
        return len(self.members)

    @property
    def member_codes(self) -> list[str]:
        return [m.code for m in self.members]

    def informal_contacts_per_week(self, *, crisis: bool = False) -> float:
        """Weekly informal contacts per ambassador (ODD 7, 4.4)."""
        p = self.parameters
        if self.mechanisms.crowding_out:
            crowded = p.informal_base_per_week - p.crowding_out * self.formal_meetings_per_week
            base = max(p.informal_floor_per_week, crowded)
        else:
            base = p.informal_base_per_week
        return base * (p.crisis_boost if crisis else 1.0)

    def content_hash(self) -> str:
        """Stable hash of everything that affects a run (not name, description or sources).

        Fields at their defaults are left out, so adding a new field with a default to the
        schema does not change the hash of existing scenarios.

        Examples
        --------
        >>> a = Scenario(name="a", members=[Member(code="AAA", name="A"), Member(code="BBB", name="B")])
        >>> b = a.model_copy(update={"name": "b", "description": "same model"})
        >>> a.content_hash() == b.content_hash()
        True
        """
        data = self.model_dump(mode="json", exclude={"name", "description", "sources"}, exclude_defaults=True)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class _ScenarioProblems(ValueError):
    """Several cross-field problems at once, each with its own field path."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
