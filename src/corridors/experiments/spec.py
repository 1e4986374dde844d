"""The experiment spec: a base scenario, factors over its fields, a design, replications, a seed.

A spec is a YAML file validated like a scenario: unknown fields are errors, and every
problem becomes one line ``spec.yaml: field.path: what is wrong`` inside a
:class:`~corridors.errors.CorridorsError`. A factor names any scenario field by the dotted
path that ``--set`` takes (``formal_meetings_per_week``, ``parameters.trust_gain``,
``members.FRA.ideal``, ``mechanisms.gossip``) and gives its levels as a list of
``values``, a ``range`` (with ``steps`` in a grid) or a ``distribution``.

Example spec::

    name: meetings
    base: osce                     # a preset or a scenario YAML (relative to this file)
    set: [parameters.burn_in_days=180]
    factors:
      - path: formal_meetings_per_week
        values: [0.5, 1, 2, 3.5]
    design: grid                   # grid | latin_hypercube | sobol | morris
    replications: 200
    seed: 2012
    engine: batch
    common_random_numbers: false   # true: replicate i of every point uses one stream

Random streams: by default replicate i of a design point draws from (seed, the point's
scenario hash, i), so two points share no random numbers. With ``common_random_numbers:
true`` the key is the base scenario's hash instead, the same for every point: replicate i
of every point starts from the same draws and runs on the same dynamics stream, so a
difference between points is mostly the factors' effect, not noise (the draws still part
where a factor changes what is drawn, or how many draws a day takes). The design hash and
the store record the choice; replay uses the stored key.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import yaml
from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from corridors import _yaml as strict_yaml
from corridors._numbers import NumbersAreNumbers
from corridors.engines.rows import ROW_SCHEMA
from corridors.errors import CorridorsError
from corridors.scenario.loading import field_type, parse_override

__all__ = [
    "DESIGN_KINDS",
    "OUTPUTS",
    "DesignSpec",
    "Distribution",
    "ExperimentSpec",
    "Factor",
    "load_experiment",
]

DESIGN_KINDS = ("grid", "latin_hypercube", "sobol", "morris")
_NOT_OUTPUTS = ("seed", "replicate", "response_months")
OUTPUTS = (
    "response_months",
    "response_months_censored",
    "decided_share",
    *(f.name for f in ROW_SCHEMA if str(f.type) in ("int64", "double") and f.name not in _NOT_OUTPUTS),
)
"""Outputs a sensitivity analysis can take (one number per design point; see :mod:`.sensitivity`)."""
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
RESERVED_COLUMNS = frozenset(
    name.casefold()
    for name in (
        "run_id",
        "experiment_id",
        "point_id",
        "chunk_id",
        "scenario_hash",
        *ROW_SCHEMA.names,
        "runs",
        "decided_share",
        "km_median_months",
        "km_median_lower_months",
        "km_median_upper_months",
        "restricted_mean_months",
        "response_months_mean",
        "response_months_q10",
        "response_months_q50",
        "response_months_q90",
        "replications_failed",
    )
)
"""Column names of the runs, their export and the summary: no factor may be labelled so (in any case)."""


class _Strict(NumbersAreNumbers):
    """Unknown fields, inf and NaN are errors; numbers are numbers (not true or "10")."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class Distribution(_Strict):
    """A factor's distribution for sampled designs (Latin hypercube, Sobol, Morris).

    Kinds and their parameters: ``uniform`` (low, high), ``triangular`` (low, mode, high),
    ``normal`` (mean, sd), ``truncated_normal`` (mean, sd, low, high), ``lognormal``
    (mean and sd of the logarithm).

    Examples
    --------
    >>> Distribution(kind="triangular", low=0.0, mode=0.2, high=1.0).quantile(np.array([0.5])).round(3)
    array([0.368])
    """

    kind: Literal["uniform", "triangular", "normal", "truncated_normal", "lognormal"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0.0)

    @model_validator(mode="after")
    def _parameters_present(self) -> Distribution:
        needed = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "truncated_normal": ("mean", "sd", "low", "high"),
            "lognormal": ("mean", "sd"),
        }[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} distribution needs {', '.join(needed)} (missing: {', '.join(missing)})")
        given = [name for name in ("low", "high", "mode", "mean", "sd") if getattr(self, name) is not None]
        extra = [name for name in given if name not in needed]
        if extra:
            raise ValueError(f"a {self.kind} distribution takes only {', '.join(needed)} (remove: {', '.join(extra)})")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        bounded_mode = self.mode is not None and self.low is not None and self.high is not None
        if bounded_mode and not self.low <= self.mode <= self.high:  # type: ignore[operator]
            raise ValueError(f"mode ({self.mode}) must lie between low and high")
        return self

    @property
    def bounded(self) -> bool:
        """Whether the distribution has a finite range (a factor's unit cube maps into it)."""
        return self.kind in ("uniform", "triangular", "truncated_normal")

    def quantile(self, unit: np.ndarray) -> np.ndarray:
        """Map points of the unit interval to the distribution (its inverse CDF)."""
        from scipy import stats

        u = np.clip(np.asarray(unit, dtype=float), 1e-12, 1 - 1e-12)
        if self.kind == "uniform":
            assert self.low is not None and self.high is not None
            return self.low + u * (self.high - self.low)
        if self.kind == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            width = self.high - self.low
            return np.asarray(stats.triang.ppf(u, (self.mode - self.low) / width, loc=self.low, scale=width))
        if self.kind == "normal":
            return np.asarray(stats.norm.ppf(u, loc=self.mean, scale=self.sd))
        if self.kind == "truncated_normal":
            assert self.low is not None and self.high is not None and self.mean is not None and self.sd is not None
            a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
            return np.asarray(stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd))
        assert self.mean is not None
        return np.asarray(stats.lognorm.ppf(u, self.sd, scale=math.exp(self.mean)))


class Factor(_Strict):
    """One scenario field varied by the experiment.

    Give exactly one of ``values`` (a list of levels, any YAML values), ``range``
    (``[low, high]``; a grid needs ``steps``) or ``distribution``. ``name`` labels the
    factor in the store (default: the path). Integer fields of the scenario are rounded.

    Examples
    --------
    >>> f = Factor(path="parameters.trust_gain", range=(0.05, 0.2), steps=4)
    >>> [round(v, 2) for v in f.grid_levels()]
    [0.05, 0.1, 0.15, 0.2]
    """

    path: str = Field(min_length=1, description="Dotted scenario path, as --set takes it")
    name: str | None = Field(default=None, min_length=1, max_length=80, description="Label in the store")
    values: list[Any] | None = Field(default=None, min_length=1)
    value_range: tuple[float, float] | None = Field(default=None, alias="range")
    steps: int | None = Field(default=None, ge=2, le=10_000)
    distribution: Distribution | None = None
    integer: bool = Field(default=False, description="Round to whole numbers (detected for integer scenario fields)")

    @model_validator(mode="after")
    def _one_kind_of_levels(self) -> Factor:
        given = [k for k in ("values", "value_range", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of values, range or distribution")
        if self.value_range is not None and not self.value_range[0] < self.value_range[1]:
            raise ValueError(f"range: low ({self.value_range[0]}) must be below high ({self.value_range[1]})")
        if self.steps is not None and self.value_range is None:
            raise ValueError("steps goes with range")
        for i, value in enumerate(self.values or []):
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"values[{i}]: {value} is not a finite number")
        distinct = {json.dumps(v, sort_keys=True, default=str) for v in self.values or []}
        if self.values is not None and len(distinct) != len(self.values):
            raise ValueError("values: a value is listed twice")
        return self

    @property
    def label(self) -> str:
        """The factor's name in tables: its ``name``, else its path."""
        return self.name or self.path

    @property
    def bounded(self) -> bool:
        """Whether the factor's values have a finite range (a list, a range or a bounded distribution)."""
        return self.distribution is None or self.distribution.bounded

    def grid_levels(self) -> list[Any]:
        """The factor's levels in a grid design."""
        if self.values is not None:
            return list(self.values)
        if self.value_range is not None and self.steps is not None:
            return [self._finish(v) for v in np.linspace(self.value_range[0], self.value_range[1], self.steps)]
        raise ValueError("not a grid factor")

    def from_unit(self, unit: np.ndarray) -> list[Any]:
        """Map points of the unit interval to the factor's levels (sampled designs)."""
        u = np.asarray(unit, dtype=float)
        if self.values is not None:
            index = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[int(i)] for i in index]
        if self.value_range is not None:
            low, high = self.value_range
            return [self._finish(v) for v in low + u * (high - low)]
        assert self.distribution is not None
        return [self._finish(v) for v in self.distribution.quantile(u)]

    def _finish(self, value: float) -> float | int:
        return int(round(float(value))) if self.integer else float(value)


class DesignSpec(_Strict):
    """Which points of the factor space to run.

    ``grid``: every combination of the factors' levels. ``latin_hypercube``: ``points``
    points. ``sobol``: Saltelli's scheme with ``points`` base samples (a power of two),
    giving ``points * (k + 2)`` design points for k factors (``points * (2k + 2)`` with
    ``second_order``). ``morris``: ``points`` trajectories of ``k + 1`` points on
    ``levels`` levels.
    """

    kind: Literal["grid", "latin_hypercube", "sobol", "morris"] = "grid"
    points: int | None = Field(default=None, ge=1, le=1_000_000)
    second_order: bool = False
    levels: int = Field(default=4, ge=2, le=100)

    @model_validator(mode="after")
    def _points_given(self) -> DesignSpec:
        if self.kind != "grid" and self.points is None:
            raise ValueError(f"a {self.kind} design needs points: N")
        if self.kind == "grid" and self.points is not None:
            raise ValueError("a grid design takes no points (its size is the product of the factors' levels)")
        if self.kind == "sobol" and self.points is not None and self.points & (self.points - 1):
            suggestion = 1 << self.points.bit_length()
            raise ValueError(f"points: a sobol design needs a power of two (got {self.points}; try {suggestion})")
        return self


class ExperimentSpec(_Strict):
    """A validated experiment: what to vary, how to sample it, how often to replicate.

    Examples
    --------
    >>> spec = ExperimentSpec(name="tiny", base="unsc", replications=2, seed=1,
    ...                       factors=[Factor(path="formal_meetings_per_week", values=[1, 2])])
    >>> spec.design.kind, spec.engine
    ('grid', 'batch')
    """

    name: Name
    description: str = ""
    base: str = Field(min_length=1, description="Preset name or scenario YAML (relative to the spec file)")
    base_overrides: list[str] = Field(default_factory=list, alias="set", description="--set overrides of the base")
    factors: list[Factor] = Field(default_factory=list)
    design: DesignSpec = Field(default_factory=DesignSpec)
    replications: int = Field(ge=1, le=100_000_000, description="Replications per design point")
    seed: int = Field(ge=0, le=2**63 - 1, description="Root seed")
    engine: Literal["batch", "reference"] = "batch"
    chunk_replications: int | None = Field(
        default=None, ge=1, description="Replications per task (default: timed to about two seconds a task)"
    )
    output: str = Field(default="response_months", description="Output analysed by `corridors sensitivity`")
    common_random_numbers: bool = Field(
        default=False,
        description="Key replicate i of every design point by the base scenario's hash instead of the point's own, "
        "so every point draws the same random numbers (differences between points lose most of their noise)",
    )

    source: str = Field(default="experiment", exclude=True, description="Where the spec came from (for messages)")
    base_dir: str | None = Field(default=None, exclude=True, description="Folder a relative base path is read from")

    @field_validator("output")
    @classmethod
    def _known_output(cls, value: str) -> str:
        if value not in OUTPUTS:
            raise ValueError(f"unknown output '{value}' (choose from {', '.join(OUTPUTS)})")
        return value

    @field_validator("design", mode="before")
    @classmethod
    def _design_shorthand(cls, value: Any) -> Any:
        return {"kind": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _factors_consistent(self) -> ExperimentSpec:  # noqa: C901 (one check per rule of a spec, read in order)
        labels = [f.label for f in self.factors]
        for i, label in enumerate(labels):
            if label.casefold() in RESERVED_COLUMNS:
                raise ValueError(
                    f"factors[{i}]: the label '{label}' is a column of the runs or of the summary; the export "
                    "would hold the factor's values under it: give the factor another name"
                )
            for j in range(i):
                if labels[j].casefold() == label.casefold():
                    raise ValueError(
                        f"factors[{j}] and factors[{i}] are labelled '{labels[j]}' and '{label}' (labels are "
                        "compared regardless of case, as SQL and the exports do): give one another name"
                    )
        if self.design.kind == "grid":
            for i, factor in enumerate(self.factors):
                if factor.distribution is not None:
                    raise ValueError(f"factors[{i}]: a grid needs values or a range with steps, not a distribution")
                if factor.value_range is not None and factor.steps is None:
                    raise ValueError(f"factors[{i}]: a range in a grid design needs steps: N")
        else:
            if not self.factors:
                raise ValueError(f"factors: a {self.design.kind} design needs at least one factor")
            for i, factor in enumerate(self.factors):
                if factor.steps is not None:
                    raise ValueError(f"factors[{i}].steps: only a grid design takes steps")
            if self.design.kind in ("sobol", "morris") and len(self.factors) < 2:
                raise ValueError(f"factors: a {self.design.kind} design needs at least two factors")
        if self.design.kind == "morris":
            for i, factor in enumerate(self.factors):
                if not factor.bounded:
                    raise ValueError(
                        f"factors[{i}].distribution: a morris design needs bounded factors "
                        "(values, range, uniform, triangular or truncated_normal)"
                    )
        return self

    @property
    def factor_labels(self) -> list[str]:
        """The factors' labels, in the spec's order."""
        return [f.label for f in self.factors]

    def canonical(self) -> dict[str, Any]:
        """The spec as plain data, for the store (without where it was read from).

        ``common_random_numbers`` appears only when on, so specs written before it existed
        keep their stored form and hash.
        """
        data = self.model_dump(mode="json", by_alias=True)
        if not data["common_random_numbers"]:
            del data["common_random_numbers"]
        return data

    def content_hash(self) -> str:
        """Hash of the spec's fields (the store also hashes the design's scenarios).

        Examples
        --------
        >>> a = ExperimentSpec(name="a", base="unsc", replications=2, seed=1)
        >>> a.content_hash() == a.model_copy(update={"source": "elsewhere.yaml"}).content_hash()
        True
        """
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _location(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after[_one_kind_of_levels()]",) or part.startswith(("function-", "tagged-union")):
            continue
        else:
            out += f".{part}" if out else part
    return out.replace("value_range", "range").replace("base_overrides", "set") or "(top level)"


def _validation_lines(exc: ValidationError, label: str) -> list[str]:
    lines = []
    for error in exc.errors():
        where = _location(tuple(error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            lines.append(f"{label}: {where}: unknown field")
        elif error["type"] == "missing":
            lines.append(f"{label}: {where}: required field is missing")
        elif where == "(top level)" and error["type"] == "value_error":  # a check across fields names its own
            lines.append(f"{label}: {message}")
        else:
            shown = error.get("input")
            value = "" if isinstance(shown, (dict, list)) or "must be a number" in message else f" (got {shown!r})"
            lines.append(f"{label}: {where}: {message}{value}")
    return lines


def _check_paths(spec: ExperimentSpec, label: str) -> list[str]:
    """Check each factor path and base override against the scenario schema."""
    problems = []
    for i, factor in enumerate(spec.factors):
        try:
            parse_override(f"{factor.path}=0")
        except CorridorsError as exc:
            detail = exc.problems[0].split(": ", 1)[-1]
            problems.append(f"{label}: factors[{i}].path: {detail}")
    for i, text in enumerate(spec.base_overrides):
        try:
            parse_override(text)
        except CorridorsError as exc:
            detail = exc.problems[0].split(": ", 1)[-1]
            problems.append(f"{label}: set[{i}]: {detail}")
    return problems


def load_experiment(source: str | Path | Mapping[str, Any], *, label: str | None = None) -> ExperimentSpec:
    """Read and validate an experiment spec from a YAML file or a mapping.

    Parameters
    ----------
    source
        A spec file path, or the spec as a mapping (a relative ``base`` is then read from
        the working directory).
    label
        Name used in error messages (default: the file path).

    Returns
    -------
    ExperimentSpec

    Examples
    --------
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 3, "seed": 7,
    ...                         "factors": [{"path": "formal_meetings_per_week", "values": [1, 2]}]})
    >>> spec.factor_labels
    ['formal_meetings_per_week']
    >>> load_experiment({"name": "bad", "base": "unsc", "replications": 0, "seed": 7})
    Traceback (most recent call last):
    ...
    corridors.errors.CorridorsError: experiment: replications: Input should be greater than or equal to 1 (got 0)
    """
    base_dir: str | None = None
    if isinstance(source, Mapping):
        data = dict(source)
        label = label or "experiment"
    else:
        path = Path(source)
        label = label or str(source)
        if not path.is_file():
            raise CorridorsError(f"{label}: no such experiment spec file")
        text = strict_yaml.read_text(path, label=label)  # a regular file of bounded size, UTF-8
        try:
            loaded = strict_yaml.safe_load(text)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
            raise CorridorsError(f"{label}: {where}: {exc.problem}") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
            raise CorridorsError(f"{label}: {where}: YAML syntax error: {exc.problem}") from None
        except yaml.YAMLError as exc:
            raise CorridorsError(f"{label}: cannot read the spec: {strict_yaml.one_line(exc)}") from None
        if not isinstance(loaded, dict):
            raise CorridorsError(f"{label}: the top level must be a mapping of fields (name, base, factors, ...)")
        data = loaded
        base_dir = str(path.resolve().parent)
    for key in ("source", "base_dir"):
        if key in data:
            raise CorridorsError(f"{label}: {key}: unknown field")
    try:
        spec = ExperimentSpec.model_validate({**data, "source": label, "base_dir": base_dir})
    except ValidationError as exc:
        raise CorridorsError(_validation_lines(exc, label)) from None
    problems = _check_paths(spec, label)
    if problems:
        raise CorridorsError(problems)
    for factor in spec.factors:
        if factor.values is None and _is_integer_field(factor.path):
            factor.integer = True
    return spec


def _is_integer_field(path: str) -> bool:
    """Whether a (checked) dotted scenario path names an integer field, e.g. parameters.review_days."""
    return field_type(path) is int
