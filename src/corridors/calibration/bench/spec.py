"""The bench spec: rival theories, the shared candidate parameters and their boxes, as data (YAML).

A bench lists **theories** (each a set of structural choices, i.e. scenario overrides,
and a reading: ``interpersonal`` or ``realist``), the **candidate parameters** every
theory shares (each tied to the mechanism that uses it, its box the schema's own bounds
unless a narrower one is given with its reason), the **mechanisms** switched off one at a
time at each theory's fit, the **patterns'** few settings, and **sizes** (``quick``, ``full``
and optionally ``medium``). :func:`load_bench` validates a file with pydantic; every error names the file
and the field. The shipped default is :func:`shipped_bench` (``calibration/data/bench.yaml``).

A theory whose structural choices this model's schema does not know (model v3's
``theory.*`` fields on a v2 engine) is *unavailable*: :func:`theory_status` says why and the
bench reports it without fitting it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from corridors.errors import CorridorsError

__all__ = [
    "BENCH_FORMAT",
    "BenchSize",
    "BenchSpec",
    "Candidate",
    "Theory",
    "TheoryStatus",
    "active_candidates",
    "load_bench",
    "shipped_bench",
    "theory_status",
]

BENCH_FORMAT = "corridors-bench/1"

_NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Theory(_Strict):
    """A rival theory: structural choices (``--set`` overrides) and a reading."""

    name: str = Field(pattern=_NAME, max_length=40, description="Short name (lower case), a scorecard row")
    label: str = Field("", max_length=120, description="Human name for tables and figures")
    description: str = Field("", max_length=2000, description="What the theory says, with its source")
    overrides: tuple[str, ...] = Field((), description="Structural choices as --set overrides (PATH=VALUE)")
    reading: Literal["interpersonal", "realist"] = Field(
        "interpersonal", description="realist: every interpersonal mechanism off"
    )

    @field_validator("overrides")
    @classmethod
    def _overrides_are_assignments(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, text in enumerate(value):
            if "=" not in text or not text.split("=", 1)[0].strip():
                raise ValueError(f"[{i}] '{text}' is not PATH=VALUE")
        return value

    @property
    def all_overrides(self) -> tuple[str, ...]:
        """The reading's override first, then the structural choices."""
        return (*(("realist=true",) if self.reading == "realist" else ()), *self.overrides)

    @property
    def title(self) -> str:
        """The theory's label, or its name when it has none."""
        return self.label or self.name


class Candidate(_Strict):
    """A shared candidate parameter: the mechanism that uses it, its box, and why the box is narrower."""

    mechanism: str | None = Field(None, description="Mechanisms switch that must be on (None: always active)")
    requires: tuple[str, ...] = Field((), description="PATH=VALUE conditions a theory must meet (model v3 choices)")
    box: tuple[float, float] | None = Field(None, description="[low, high]; default: the schema's bounds")
    reason: str = Field("", max_length=2000, description="Why the box is narrower than the schema's bounds")
    fixed: bool = Field(False, description="Listed but never fitted (an integer, or an input); reason says why")

    @model_validator(mode="after")
    def _box_ordered(self) -> Candidate:
        if self.box is not None and not self.box[0] < self.box[1]:
            raise ValueError(f"box: low ({self.box[0]}) must be below high ({self.box[1]})")
        if (self.box is not None or self.fixed) and not self.reason.strip():
            raise ValueError("reason: a narrower box or a fixed parameter needs its reason")
        return self


class BenchSize(_Strict):
    """Sizes of one bench run."""

    replications: int = Field(ge=2, le=100_000, description="Runs per organization and evaluation")
    max_evaluations: int = Field(ge=1, le=1000, description="Objective evaluations per fit")
    loo_max_evaluations: int = Field(ge=1, le=1000, description="Objective evaluations per leave-one-out fit")
    max_parameters: int = Field(3, ge=0, le=10, description="Most parameters a theory fits (the screen picks them)")
    standard_errors: bool = Field(True, description="Sandwich SEs at the fit (2k evaluations)")
    leave_one_out: bool = Field(True, description="Fit on three organizations, predict the fourth")
    ablations: bool = Field(True, description="Switch each mechanism off alone at the fit")
    screen: bool = Field(True, description="Choose the fitted parameters by the identifiability screen")
    parameters: tuple[str, ...] = Field((), description="Without the screen: fit these (where active in a theory)")
    mechanisms: tuple[str, ...] | None = Field(None, description="Switch off only these (default: the bench's list)")


class Patterns(_Strict):
    """Settings of the patterns (docs/CALIBRATION.md, 'The bench's patterns')."""

    min_decisions: int = Field(
        5,
        ge=1,
        le=1000,
        description="Timed decisions an organization needs for its own decision shares; the others are pooled",
    )
    decision_horizons_days: tuple[int, ...] = Field((7, 30, 90), description="Days of the decision-share patterns")
    oas_case_days: int = Field(4, ge=1, le=60, description="The OAS 2008 case: decided within this many days")
    oas_case_at_least: float = Field(0.05, gt=0.0, lt=1.0, description="'Possible, not rare': the least share")
    oas_case_objective_se: float = Field(
        0.025, gt=0.0, lt=1.0, description="The bound's weight in the objective (an SE)"
    )

    @field_validator("decision_horizons_days")
    @classmethod
    def _known_horizons(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        from corridors.calibration.simulate import DECISION_HORIZONS_DAYS

        unknown = [d for d in value if d not in DECISION_HORIZONS_DAYS]
        if unknown:
            raise ValueError(f"{unknown}: the simulator measures {list(DECISION_HORIZONS_DAYS)} days")
        return value


class BenchSpec(_Strict):
    """A bench: theories, candidates, mechanisms to switch off, patterns, sizes."""

    format: Literal["corridors-bench/1"] = Field(description=f"Always {BENCH_FORMAT}")
    name: str = Field(pattern=_NAME, max_length=60)
    description: str = Field("", max_length=5000)
    seed: int = Field(2012, ge=0, le=2**63 - 1, description="Root seed of every evaluation")
    organizations: tuple[Literal["AU", "EU", "OAS", "OSCE"], ...] = Field(("AU", "EU", "OAS", "OSCE"), min_length=1)
    overrides: tuple[str, ...] = Field((), description="--set overrides of every theory (e.g. short horizons)")
    n_operations: int = Field(70, ge=3, le=10_000, description="Operations behind Table 1 (70; the book: 61)")
    theories: tuple[Theory, ...] = Field(min_length=1, max_length=50)
    candidates: dict[str, Candidate] = Field(min_length=1, description="Shared candidate parameters")
    mechanisms: tuple[str, ...] = Field((), description="Mechanisms switched off one at a time at each fit")
    patterns: Patterns = Field(default_factory=Patterns)
    sizes: dict[Literal["quick", "medium", "full"], BenchSize] = Field(
        description="quick and full (required); medium (optional): between them, e.g. the shipped outputs' run"
    )

    @model_validator(mode="after")
    def _consistent(self) -> BenchSpec:
        from corridors.scenario.schema import Mechanisms

        names = [t.name for t in self.theories]
        if len(set(names)) != len(names):
            raise ValueError("theories: a theory name is listed twice")
        switches = set(Mechanisms.model_fields)
        for name, candidate in self.candidates.items():
            if candidate.mechanism is not None and candidate.mechanism not in switches:
                raise ValueError(f"candidates.{name}.mechanism: '{candidate.mechanism}' is not a mechanism switch")
        for mechanism in self.mechanisms:
            if mechanism not in switches:
                raise ValueError(f"mechanisms: '{mechanism}' is not a mechanism switch")
        for size in ("quick", "full"):
            if size not in self.sizes:
                raise ValueError(f"sizes.{size}: missing")
        for size, chosen in self.sizes.items():
            unknown = [p for p in chosen.parameters if p not in self.candidates]
            if unknown:
                raise ValueError(f"sizes.{size}.parameters: {', '.join(unknown)} not among the candidates")
            if not chosen.screen and not chosen.parameters:
                raise ValueError(f"sizes.{size}.parameters: without the screen, name the parameters to fit")
            extra = [m for m in chosen.mechanisms or () if m not in self.mechanisms]
            if extra:
                raise ValueError(f"sizes.{size}.mechanisms: {', '.join(extra)} not in the bench's mechanisms")
        return self

    def theory(self, name: str) -> Theory:
        """The theory named ``name``; an unknown name is an error listing the theories."""
        for t in self.theories:
            if t.name == name:
                return t
        raise CorridorsError(
            f"theory: no theory '{name}' in bench {self.name} (theories: {', '.join(t.name for t in self.theories)})"
        )


def _field_path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def load_bench(path: str | Path) -> BenchSpec:
    """Read and validate a bench spec; every problem is one line naming the file and the field.

    Examples
    --------
    >>> spec = load_bench(shipped_bench())
    >>> [t.name for t in spec.theories][:2], spec.sizes["quick"].replications > 0
    (['v2', 'consensus'], True)
    """
    import yaml

    from corridors._yaml import one_line, safe_load

    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CorridorsError(f"--bench {label}: cannot read the bench spec ({exc.strerror or exc})") from None
    try:
        raw = safe_load(text)
    except yaml.YAMLError as exc:
        raise CorridorsError(f"{label}: not valid YAML: {one_line(exc)}") from None
    if not isinstance(raw, dict):
        raise CorridorsError(f"{label}: a bench spec is a mapping (format: {BENCH_FORMAT}, theories, candidates, ...)")
    try:
        return BenchSpec.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{label}: {_field_path(error['loc'])}: {message}")
        raise CorridorsError(problems) from None


def shipped_bench() -> Path:
    """The shipped bench spec (``corridors/calibration/data/bench.yaml``)."""
    return Path(__file__).resolve().parent.parent / "data" / "bench.yaml"


@dataclass(frozen=True)
class TheoryStatus:
    """Whether a theory can run on this model, and which candidates are active in it."""

    available: bool
    reason: str
    active: tuple[str, ...]
    inactive: dict[str, str]


def _condition_holds(scenario: Any, condition: str) -> bool:
    import yaml

    path, text = condition.split("=", 1)
    value: Any = scenario
    for part in path.strip().split("."):
        value = getattr(value, part)
    return bool(value == yaml.safe_load(text))


def theory_status(spec: BenchSpec, theory: Theory) -> TheoryStatus:
    """Load the theory's scenario on the first organization; say which candidates its mechanisms use.

    A candidate is active when its mechanism is on (after the reading), its ``requires``
    conditions hold, the schema has it, and it is not ``fixed``.
    """
    from corridors.calibration.fields import schema_field
    from corridors.scenario import load_scenario

    try:
        scenario = load_scenario(spec.organizations[0].lower(), [*spec.overrides, *theory.all_overrides])
    except CorridorsError as exc:
        return TheoryStatus(False, f"this model's schema refuses the theory's choices ({exc.problems[0]})", (), {})
    active: list[str] = []
    inactive: dict[str, str] = {}
    for name, candidate in spec.candidates.items():
        if candidate.fixed:
            inactive[name] = f"fixed: {candidate.reason}"
            continue
        try:
            schema_field(name)
        except CorridorsError:
            inactive[name] = "not in this model's schema"
            continue
        if candidate.mechanism is not None and not getattr(scenario.mechanisms, candidate.mechanism):
            inactive[name] = f"mechanism {candidate.mechanism} off"
            continue
        unmet = []
        for condition in candidate.requires:
            try:
                if not _condition_holds(scenario, condition):
                    unmet.append(condition)
            except AttributeError:
                unmet.append(condition)
        if unmet:
            inactive[name] = f"needs {', '.join(unmet)}"
            continue
        active.append(name)
    return TheoryStatus(True, "", tuple(active), inactive)


def active_candidates(spec: BenchSpec, theory: Theory) -> tuple[str, ...]:
    """The candidates active in ``theory`` (see :func:`theory_status`)."""
    return theory_status(spec, theory).active


def candidate_box(spec: BenchSpec, name: str) -> tuple[float, float]:
    """A candidate's box: the spec's narrower one, or the schema's bounds (which must be finite)."""
    from corridors.calibration.fields import schema_field

    candidate = spec.candidates[name]
    field = schema_field(name)
    if candidate.box is not None:
        low, high = candidate.box
        if low < field.low or high > field.high:
            raise CorridorsError(
                f"candidates.{name}.box: [{low}, {high}] leaves the schema's bounds [{field.low:g}, {field.high:g}]"
            )
        return low, high
    if not (math.isfinite(field.low) and math.isfinite(field.high)):
        raise CorridorsError(f"candidates.{name}: the schema gives no finite bounds; give a box with its reason")
    return field.low, field.high
