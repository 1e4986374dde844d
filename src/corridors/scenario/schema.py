"""The scenario language: pydantic models of the model of docs/ODD.md (sections 2, 5-7).

A :class:`Scenario` is the one validated description of an organization in a crisis
that every engine reads. Unknown fields are errors (a typo must never be ignored);
every parameter has a default, a range and a one-line description.
"""

from __future__ import annotations

import hashlib
import json
import re
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from corridors._numbers import NumbersAreNumbers

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
    "Theory",
    "Tie",
]

MAX_MEMBERS = 250
"""Most members a scenario may have: more than any organization (UN General Assembly: 193)."""
MAX_CONTACTS_PER_WEEK = 70.0
"""Most informal contacts an ambassador can have in a week: ten a day, a full diplomatic calendar."""

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
MemberCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, Field(max_length=10_000)]

_SHAPE_WHY = "a Beta shape; below 0.01 every ideal sits at 0 or 1, above 100 all at one point"
_SCOPE_WHY = "a width or step on the scope scale [0, 1]"
_LOG_ODDS_WHY = "log-odds; at 10 a tie is 22,000 times likelier, beyond that it is certain or impossible"
_CONTACTS_WHY = "at most ten contacts a day, a full diplomatic calendar"
_RATE_WHY = "times a trust in [0, 1] it is a chance; above 1 it saturates, so 10 is ample"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _ranged(default: float, low: float, high: float, what: str, why: str, *, integer: bool = False) -> Any:
    """A numeric field bounded to [low, high], its description saying the range and why."""
    shown_low, shown_high = (int(low), int(high)) if integer else (low, high)
    return Field(default, ge=low, le=high, description=f"{what}; {_number(shown_low)} to {_number(shown_high)}: {why}")


def _chance(default: float | None, what: str) -> Any:
    """A probability or share: 0 to 1."""
    return Field(default, ge=0.0, le=1.0, description=f"{what}; 0 to 1: a chance or share")


class _Strict(NumbersAreNumbers):
    """Unknown fields, inf and NaN are errors; booleans must be true or false, not "yes" or 1; numbers are
    numbers, not true or "10".
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False)


class Member(_Strict):
    """A member state: its capital is the principal, its ambassador the agent."""

    code: MemberCode = Field(description="ISO 3166 alpha-3 code")
    name: str = Field(min_length=1, description="Member state's name")
    subregion: str = Field(default="none", min_length=1, description="Sub-region (homophily, caucuses)")
    language: str = Field(default="en", min_length=1, description="Working language of the ambassador")
    blocs: list[Name] = Field(
        default_factory=list,
        max_length=100,
        description="Caucuses/blocs the member belongs to; at most 100 (the caucus limit)",
    )
    big_player: StrictBool = Field(default=False, description="Named as a big player by the paper")
    ideal: Probability | None = Field(
        default=None,
        description="Fixed ideal scope; drawn if absent; 0 to 1: "
        "the scope scale (0 = no operation, 1 = the widest mandate)",
    )
    salience: Probability | None = Field(
        default=None, description="Fixed salience; drawn if absent; 0 to 1: a share of the capital's attention"
    )
    red_lines: list[Name] = Field(
        default_factory=list,
        max_length=50,
        description="Sub-issues the capital forbids; at most 50 (the sub-issue limit)",
    )
    ambassador_gender: Literal["female", "male"] | None = Field(
        default=None, description="Fixed ambassador gender; drawn with female_share if absent"
    )


class Caucus(_Strict):
    """An informal group of members: a sub-regional group, a bloc or a dinner."""

    name: Name = Field(description="Caucus name (lower case); members list it in their blocs")
    members: list[MemberCode] = Field(
        min_length=1, max_length=MAX_MEMBERS, description=f"Member codes; 1 to {MAX_MEMBERS}: the member limit"
    )
    meets_before_formal: StrictBool = Field(default=True, description="Meets the day before each formal crisis meeting")
    meets_every_days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="Also meets every N crisis days from a random phase (the P5's biweekly dinner: 14); "
        "1 to 365: daily to once a year",
    )
    common_position: StrictBool = Field(default=False, description="Must agree internally and votes as one")
    source: str | None = Field(None, description="Where the caucus is documented")


class Tie(_Strict):
    """A known relation between two ambassadors at the start of the burn-in (ODD section 5).

    Positive strength is trust (0.5 and above: friends), negative a mutual dislike.
    """

    members: tuple[MemberCode, MemberCode] = Field(description="The two member codes")
    strength: float = Field(ge=-1.0, le=1.0, description="Tie strength w; -1 to 1: full dislike to full trust")
    source: str | None = Field(None, description="Where the tie is documented")


class DecisionRule(_Strict):
    """Unanimity, or a quota of acceptances with every veto holder accepting."""

    kind: Literal["unanimity", "qualified_majority"] = Field("unanimity", description="Decision rule")
    quota: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MEMBERS,
        description="Acceptances needed (qualified_majority); 1 to the member count: a quota counts members",
    )
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
        """Whether the agenda setter is one of the members (and votes)."""
        return self.kind in ("presidency", "chair", "presidency_with_commission")


class SubIssue(_Strict):
    """A sub-issue that may enter the first draft (e.g. use of NATO assets)."""

    name: Name = Field(description="Sub-issue name, e.g. nato_assets")
    probability: Probability = Field(description="Chance it enters the first draft; 0 to 1: a chance")
    source: str | None = Field(None, description="Where the sub-issue comes from")


class Mechanisms(_Strict):
    """Switches for each mechanism of ODD section 7 (all on by default)."""

    crowding_out: StrictBool = Field(True, description="Formal meetings reduce informal contacts (4.4)")
    trust_growth: StrictBool = Field(True, description="Contacts strengthen ties (4.4)")
    info_sharing: StrictBool = Field(True, description="Trusted contacts disclose true intervals (4.4)")
    gossip: StrictBool = Field(True, description="Friends pass on first-hand knowledge, one hop (4.4)")
    lobbying: StrictBool = Field(True, description="Contacts add pressure on each other's capital (4.4)")
    capital_review: StrictBool = Field(True, description="Capitals widen their instructions weekly (4.6)")
    entrenchment: StrictBool = Field(True, description="A public rejection makes widening costlier (4.6)")
    caucuses: StrictBool = Field(True, description="Caucuses meet before formal meetings (4.7)")
    caucus_reporting: StrictBool = Field(True, description="Caucus disclosures reach the agenda setter (4.7)")
    caucus_harmonization: StrictBool = Field(True, description="Caucuses press outliers toward their median (4.7)")
    meeting_fatigue: StrictBool = Field(True, description="Frequent meetings make each contact build less trust (4.4)")
    posturing: StrictBool = Field(True, description="Public positions are postured toward the ideal (4.8)")
    emergency_meeting: StrictBool = Field(True, description="First crisis meeting within emergency_delay_days (4.8)")
    agency: StrictBool = Field(True, description="Trusted ambassadors bend instructions (4.8)")
    bridges: StrictBool = Field(True, description="Friends find workarounds for red lines (4.9)")
    first_call: StrictBool = Field(True, description="Day-0 first call to a friend or the capital (4.5)")


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


class Theory(_Strict):
    """Rival submodels of model v3 (docs/ODD.md section 8); each default is model v2."""

    convening: Literal["schedule", "consensus"] = Field(
        "schedule",
        description="Crisis meetings on the regular schedule only (v2), or also convened by the "
        "setter once its beliefs predict that its proposal passes (consensus)",
    )
    convening_notice_days: int = _ranged(
        1,
        0,
        7,
        "Days from the setter's call to a convened meeting",
        "same day to a week: an extraordinary session is never called later",
        integer=True,
    )
    agency: Literal["network", "peers"] = Field(
        "network",
        description="Agency slack from all of an ambassador's positive ties (v2), or from its ties "
        "to the members already accepting, as a cascade (peers)",
    )
    capitals: Literal["lobbied", "informed"] = Field(
        "lobbied",
        description="Capitals widen under lobbying pressure (v2), or also on their ambassador's "
        "private estimate of where agreement lies (informed)",
    )
    inform_effect: float = _chance(
        0.5,
        "Extra widening chance of an informed capital whose instruction excludes its "
        "ambassador's estimate of agreement, times the share of the other members the ambassador knows privately",
    )


class Parameters(_Strict):
    """Every numeric parameter of ODD section 7 with its default.

    Each bound is one a real organization could have (the description says why), so a value
    that validates cannot make a run hang or overflow.
    """

    # horizon
    burn_in_days: int = _ranged(
        365,
        0,
        3650,
        "Routine days before the crisis (pre-emptive trust)",
        "ten years, several ambassadors' tenures: trust has long settled",
        integer=True,
    )
    max_days: int = _ranged(
        730,
        1,
        3650,
        "Crisis horizon; undecided runs are censored here",
        "ten years, longer than any decision on an operation has waited",
        integer=True,
    )
    # 4.1 preferences
    theta_alpha: float = _ranged(2.0, 0.01, 100.0, "Beta(alpha, beta) of ideal scope: alpha", _SHAPE_WHY)
    theta_beta: float = _ranged(2.0, 0.01, 100.0, "Beta(alpha, beta) of ideal scope: beta", _SHAPE_WHY)
    salience_low: float = _chance(0.3, "Salience ~ U(low, high): low")
    salience_high: float = _chance(0.8, "Salience ~ U(low, high): high")
    big_player_salience: float = _chance(0.9, "Salience of big players")
    width_base: float = _ranged(0.15, 0.0, 1.0, "Minimum half-width of an acceptable interval", _SCOPE_WHY)
    width_spread: float = _ranged(0.6, 0.0, 1.0, "Extra half-width scaled by (1 - salience)", _SCOPE_WHY)
    # 4.2 initial network
    beta_subregion: float = _ranged(1.5, -10.0, 10.0, "Tie log-odds for a shared sub-region", _LOG_ODDS_WHY)
    beta_language: float = _ranged(0.7, -10.0, 10.0, "Tie log-odds for a shared language", _LOG_ODDS_WHY)
    beta_bloc: float = _ranged(0.5, -10.0, 10.0, "Tie log-odds per shared bloc", _LOG_ODDS_WHY)
    beta_gender: float = _ranged(1.0, -10.0, 10.0, "Tie log-odds when both ambassadors are female", _LOG_ODDS_WHY)
    initial_mean_degree: float = _ranged(
        5.0,
        0.0,
        float(MAX_MEMBERS - 1),
        "Expected ties per ambassador at the start of burn-in",
        "at most one tie to every other member of the largest committee",
    )
    initial_tie_low: float = _chance(0.1, "Initial tie strength ~ U(low, high): low")
    initial_tie_high: float = _chance(0.4, "Initial tie strength ~ U(low, high): high")
    dislike_prob: float = _chance(0.005, "Chance an untied pair dislikes each other")
    dislike_low: float = _chance(0.3, "Dislike strength ~ -U(low, high): low")
    dislike_high: float = _chance(0.8, "Dislike strength ~ -U(low, high): high")
    # 4.3 rotation
    tenure_days: float = _ranged(
        1095.0,
        30.0,
        7300.0,
        "Mean posting length of an ambassador",
        "a month to twenty years; real postings last two to five years",
    )
    rotation_keep: float = _chance(0.1, "Tie kept by a newcomer to caucus-mates")
    # 4.4 informal contacts
    informal_base_per_week: float = _ranged(
        6.75, 0.0, MAX_CONTACTS_PER_WEEK, "Informal contacts per week without formal meetings", _CONTACTS_WHY
    )
    informal_floor_per_week: float = _ranged(
        1.0, 0.0, MAX_CONTACTS_PER_WEEK, "Informal contacts per week, lower bound", _CONTACTS_WHY
    )
    crowding_out: float = _ranged(
        0.4,
        0.0,
        MAX_CONTACTS_PER_WEEK,
        "Contacts per week lost per weekly formal meeting",
        "a meeting cannot crowd out more contacts than an ambassador can have",
    )
    crisis_boost: float = _ranged(
        1.5,
        0.0,
        10.0,
        "Factor on informal contacts during the crisis",
        "a crisis may stop contacts (0) or multiply them; tenfold is beyond any survey",
    )
    friend_choice: float = _chance(0.8, "Chance a contact goes to a trusted colleague")
    trust_gain: float = _chance(0.1, "Trust gained per contact, as a share of the gap to 1")
    fatigue: float = _ranged(
        1.0,
        0.0,
        100.0,
        "Trust gain divided by 1 + fatigue * meetings per week",
        "at 100 a weekly meeting already cuts the gain a hundredfold",
    )
    disclosure: float = _ranged(1.0, 0.0, 10.0, "Disclosure chance per contact = trust * disclosure", _RATE_WHY)
    gossip_rate: float = _ranged(0.5, 0.0, 10.0, "Gossip chance per contact = trust * gossip_rate", _RATE_WHY)
    lobby_rate: float = _ranged(0.3, 0.0, 10.0, "Lobbying chance per contact = trust * lobby_rate", _RATE_WHY)
    # 4.5 first call
    first_call_friend: float = _chance(0.5, "Chance the first call goes to a friend, not the capital")
    # 4.6 capital review
    review_days: int = _ranged(
        7,
        1,
        365,
        "Days between capital reviews",
        "daily to yearly: a capital reviews its instructions at least once a year",
        integer=True,
    )
    widen_base: float = _chance(0.15, "Base chance a capital widens at a review")
    lobby_effect: float = _chance(0.5, "Extra widening chance at full lobbying pressure")
    entrenchment: float = _chance(0.3, "Cut in widening chance after a public rejection")
    widen_step: float = _ranged(0.15, 0.0, 1.0, "Widening step, times (1 - salience)", _SCOPE_WHY)
    # 4.7 caucuses
    caucus_openness: float = _chance(0.4, "Base chance to disclose inside a caucus")
    caucus_trust_gain: float = _chance(0.01, "Trust gained per caucus meeting, share of gap to 1")
    caucus_pressure: float = _ranged(
        1.0,
        0.0,
        10.0,
        "Harmonization pressure on a caucus outlier",
        "a pull on a scope in [0, 1]; above 10 every outlier gives in at once",
    )
    # 4.8 formal meetings
    emergency_delay_days: int = _ranged(
        2,
        0,
        60,
        "Days from demand to the emergency meeting",
        "same day to two months: an emergency meeting is never later",
        integer=True,
    )
    formal_trust_gain: float = _chance(0.001, "Trust added to existing ties per routine meeting")
    posture: float = _chance(0.5, "Share of the true interval stated in public (1 = honest)")
    agency_max: float = _ranged(0.05, 0.0, 1.0, "Largest slack an ambassador allows itself", _SCOPE_WHY)
    agency_half: float = _ranged(
        2.0,
        0.01,
        float(MAX_MEMBERS - 1),
        "Sum of trust at which slack is half its maximum",
        "a sum of trust over the other members, so at most one per colleague",
    )
    belief_step: float = _ranged(
        0.01, 0.0, 1.0, "How far past a rejected proposal the setter moves its belief about the rejecter", _SCOPE_WHY
    )
    redraft_prob: float = _chance(0.1, "Chance per meeting to drop a public red-line sub-issue")
    # 4.9 bridges, 4.10 decay
    bridge_rate: float = _chance(0.05, "Daily bridge chance per unit squared trust of the blocker")
    trust_decay: float = _chance(0.001, "Daily decay of positive trust")
    friend_threshold: float = _chance(0.5, "Tie strength from which a colleague is a friend")
    # 4.11 deployment
    deploy_mean_days: float = _ranged(
        60.0,
        1.0,
        3650.0,
        "Mean lag from decision to deployment",
        "a day to ten years; real deployments take weeks to a year",
    )
    deploy_cv: float = _ranged(
        0.5,
        0.0,
        10.0,
        "Coefficient of variation of the deployment lag",
        "above 10 nearly every lag is zero and a few are centuries",
    )
    # outputs
    contacts_window_weeks: int = _ranged(
        8, 1, 52, "Burn-in weeks over which contacts/week is measured", "one week to a year of burn-in", integer=True
    )

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
    description: Text = Field("", description="Free text about the scenario (at most 10,000 characters)")
    organization: Text = Field("", description="Organization's full name")
    committee: Text = Field("", description="Peace and security committee (Table 3)")
    members: list[Member] = Field(
        min_length=2,
        max_length=MAX_MEMBERS,
        description=(
            f"Member states; 2 to {MAX_MEMBERS}: a committee needs two, and no organization has more "
            "than 193 (UN General Assembly)"
        ),
    )
    caucuses: list[Caucus] = Field(
        default_factory=list, max_length=100, description="Informal groups and blocs; at most 100, several per member"
    )
    decision_rule: DecisionRule = Field(default_factory=DecisionRule, description="How the committee decides")
    agenda_setter: AgendaSetter = Field(default_factory=AgendaSetter, description="Who drafts proposals")
    formal_meetings_per_week: float = Field(
        1.0,
        gt=0.0,
        le=7.0,
        description=("Regular formal meetings per week; above 0 to 7: a committee meets at most once a day"),
    )
    female_share: float = _chance(0.25, "Share of female ambassadors")
    deploy_factor: float = _ranged(
        1.0,
        0.01,
        100.0,
        "Scales the deployment lag of this organization",
        "a hundredth to a hundred times the mean lag, wider than Table 1's spread",
    )
    subissues: list[SubIssue] = Field(
        default_factory=list, max_length=50, description="Sub-issues that may enter the draft; at most 50"
    )
    ties: list[Tie] = Field(
        default_factory=list,
        max_length=MAX_MEMBERS * (MAX_MEMBERS - 1) // 2,
        description="Known ties that replace the drawn ones; at most one per pair of members",
    )
    observed_network: StrictBool = Field(
        False, description="Use only the listed ties as the initial network (no homophily draws)"
    )
    parameters: Parameters = Field(default_factory=Parameters, description="Numeric parameters (ODD section 7)")
    mechanisms: Mechanisms = Field(default_factory=Mechanisms, description="Mechanism switches")
    realist: StrictBool = Field(False, description="Switch off every interpersonal mechanism")
    theory: Theory = Field(default_factory=Theory, description="Rival submodels of model v3 (defaults: v2)")
    sources: dict[str, str] = Field(default_factory=dict, description="Field path -> where the value comes from")

    @field_validator("sources")
    @classmethod
    def _sources_known(cls, value: dict[str, str]) -> dict[str, str]:
        problems: list[str] = []
        for key, note in value.items():
            if not note.strip():
                problems.append(f"sources.{key}: source note for '{key}' is empty")
            elif not _is_field_path(key):
                problems.append(f"sources.{key}: not a scenario field path (see 'corridors fields')")
        if problems:
            raise _ScenarioProblems(problems)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = cross_field_problems(self.model_dump())
        if problems:
            raise _ScenarioProblems(problems)
        if self.realist:
            for name in INTERPERSONAL_MECHANISMS:
                if getattr(self.mechanisms, name):
                    object.__setattr__(self.mechanisms, name, False)
        return self

    @property
    def n_members(self) -> int:
        """Number of members."""
        return len(self.members)

    @property
    def member_codes(self) -> list[str]:
        """The members' codes, in order."""
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


def _entries(data: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    items = data.get(key)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, Mapping)]


def _strings(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, (list, tuple)):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]


def cross_field_problems(data: Mapping[str, Any]) -> list[str]:
    """Problems between fields (unknown member codes, duplicates, quota above the count).

    It reads plain data and skips what is malformed, so it also runs on a scenario whose
    fields failed validation: all problems of a file are reported in one run.
    """
    codes = [m.get("code") for _, m in _entries(data, "members") if isinstance(m.get("code"), str)]
    known = {str(code) for code in codes}  # every one is a str
    return [
        *_member_problems(data),
        *_caucus_problems(data, known),
        *_tie_problems(data, known),
        *_subissue_problems(data),
        *_rule_problems(data, known, len(codes)),
    ]


def _member_problems(data: Mapping[str, Any]) -> list[str]:
    """A member code used twice."""
    problems: list[str] = []
    seen: set[str] = set()
    for i, member in _entries(data, "members"):
        code = member.get("code")
        if isinstance(code, str) and code in seen:
            problems.append(f"members[{i}].code: duplicate member code '{code}'")
        if isinstance(code, str):
            seen.add(code)
    return problems


def _caucus_problems(data: Mapping[str, Any], known: set[str]) -> list[str]:
    """A caucus name used twice, a caucus member not among the members or listed twice."""
    problems: list[str] = []
    caucus_names: set[str] = set()
    for ci, caucus in _entries(data, "caucuses"):
        name = caucus.get("name")
        if isinstance(name, str) and name in caucus_names:
            problems.append(f"caucuses[{ci}].name: duplicate caucus name '{name}'")
        if isinstance(name, str):
            caucus_names.add(name)
        members = _strings(caucus.get("members"))
        unknown = [(mi, code) for mi, code in members if code not in known]
        if len(unknown) == 1:
            problems.append(f"caucuses[{ci}].members[{unknown[0][0]}]: unknown member code '{unknown[0][1]}'")
        elif unknown:
            codes_text = ", ".join(code for _, code in unknown[:8]) + (", ..." if len(unknown) > 8 else "")
            problems.append(f"caucuses[{ci}].members: {len(unknown)} unknown member codes: {codes_text}")
        listed = [code for _, code in members]
        if len(set(listed)) != len(listed):
            problems.append(f"caucuses[{ci}].members: a member is listed twice")
    return problems


def _tie_problems(data: Mapping[str, Any], known: set[str]) -> list[str]:
    """A tie with an unknown member, of a member with itself, or of a pair already tied."""
    problems: list[str] = []
    pairs: set[frozenset[str]] = set()
    for ti, tie in _entries(data, "ties"):
        tie_members = _strings(tie.get("members"))
        for mi, code in tie_members:
            if code not in known:
                problems.append(f"ties[{ti}].members[{mi}]: unknown member code '{code}'")
        if len(tie_members) != 2:
            continue
        pair = frozenset(code for _, code in tie_members)
        if len(pair) == 1:
            problems.append(f"ties[{ti}].members: a tie needs two different members")
        elif pair in pairs:
            problems.append(f"ties[{ti}].members: the pair {'-'.join(c for _, c in tie_members)} is listed twice")
        pairs.add(pair)
    return problems


def _subissue_problems(data: Mapping[str, Any]) -> list[str]:
    """A sub-issue name used twice, a member's red line on no sub-issue."""
    problems: list[str] = []
    subissue_names = [s.get("name") for _, s in _entries(data, "subissues")]
    if len(set(subissue_names)) != len(subissue_names):
        problems.append("subissues: duplicate sub-issue name")
    for i, member in _entries(data, "members"):
        for ri, red_line in _strings(member.get("red_lines")):
            if red_line not in subissue_names:
                problems.append(f"members[{i}].red_lines[{ri}]: unknown sub-issue '{red_line}'")
    return problems


def _rule_problems(data: Mapping[str, Any], known: set[str], n_members: int) -> list[str]:
    """A veto of an unknown member, a quota above the member count."""
    problems: list[str] = []
    rule = data.get("decision_rule")
    if isinstance(rule, Mapping):
        for vi, code in _strings(rule.get("veto_members")):
            if code not in known:
                problems.append(f"decision_rule.veto_members[{vi}]: unknown member code '{code}'")
        quota = rule.get("quota")
        if isinstance(quota, int) and not isinstance(quota, bool) and n_members and quota > n_members:
            problems.append(f"decision_rule.quota: {quota} is above the member count {n_members}")
    return problems


def _is_field_path(path: str) -> bool:
    """Whether ``path`` names a scenario field (``members.big_player``, ``members.FRA.ideal``, ``members[0]``)."""
    model: Any = Scenario
    after_list = False
    for chunk in path.split("."):
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)", chunk)
        if match is None:
            return False
        name = match.group(1)
        fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        if name not in fields:
            if after_list and not match.group(2):
                after_list = False  # an entry named by its code or name: members.FRA.ideal
                continue
            return False
        after_list = False
        annotation = fields[name].annotation
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin in (list, tuple) and args:
            model, after_list = args[0], True
        elif origin is dict:
            model = None
        elif args and origin is not typing.Literal:
            model = args[0]
        else:
            model = annotation
    return True
