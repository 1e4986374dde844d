"""Designs: from an experiment spec to its design points, each a scenario.

The pipeline is SALib's: :func:`design_problem` (the factors as a problem over the unit
cube), :func:`sample_unit_design` (the sampler, seeded), then each factor maps its unit
coordinate to a level (a listed value, a point of its range, a quantile of its
distribution). A grid is the product of the factors' levels. Each design point becomes
``--set`` overrides of the base scenario, so its fields are checked exactly as the
command line checks them, and a point is reproducible from its stored overrides alone.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from corridors import _yaml as strict_yaml
from corridors.errors import CorridorsError
from corridors.experiments.seeding import derived_seed
from corridors.experiments.spec import ExperimentSpec, Factor
from corridors.scenario.limits import check_design_size, check_workload, expected_contacts
from corridors.scenario.loading import _split_path, apply_overrides, read_raw, scenario_from_dict
from corridors.scenario.schema import Scenario

__all__ = [
    "Design",
    "DesignPoint",
    "design_hash",
    "design_problem",
    "design_size",
    "expand_design",
    "override_text",
    "read_base",
    "sample_unit_design",
]

_MAX_LISTED_PROBLEMS = 8


def override_text(path: str, value: Any) -> str:
    """A factor value as a ``--set`` override, exactly round-tripping through YAML.

    Examples
    --------
    >>> override_text("parameters.trust_gain", 1e-05)
    'parameters.trust_gain=1.0e-05'
    >>> override_text("agenda_setter.kind", "commission")
    'agenda_setter.kind=commission'
    >>> override_text("description", "0E0")  # a string our reader would take for a number is quoted
    "description='0E0'"
    """
    text = _yaml_text(value)
    if isinstance(value, str) and strict_yaml.safe_load(text) != value:
        text = _yaml_text(value, style="'")  # PyYAML's writer and our stricter reader differ (0E0, say)
    return f"{path}={text}"


def _yaml_text(value: Any, style: str | None = None) -> str:
    # only YAML's own line breaks and end-of-document marker go: str.strip() would also eat
    # characters such as a no-break space that belong to the value
    text = yaml.safe_dump(
        value, default_flow_style=True, default_style=style, width=1_000_000, allow_unicode=True
    ).rstrip("\n")
    return text.removesuffix("\n...").rstrip("\n")


@dataclass(frozen=True)
class DesignPoint:
    """One point of a design: its factor values and the overrides that make its scenario."""

    point_id: int
    values: dict[str, Any]
    overrides: tuple[str, ...]
    unit: tuple[float, ...] | None
    scenario_hash: str


def design_hash(
    points: list[tuple[str, dict[str, Any]]],
    *,
    replications: int,
    seed: int,
    engine: str,
    common_stream_key: str | None = None,
) -> str:
    """Identity of what a sweep computes.

    (scenario hash, factor values) of each point, replications, seed, engine and, under common
    random numbers, the one stream key (absent otherwise, so the hashes of experiments made
    before the option existed do not change).

    Examples
    --------
    >>> a = design_hash([("00ff", {"x": 1})], replications=2, seed=1, engine="batch")
    >>> a == design_hash([("00ff", {"x": 1})], replications=2, seed=1, engine="batch", common_stream_key="00ff")
    False
    """
    payload: dict[str, Any] = {
        "points": [[scenario_hash, values] for scenario_hash, values in points],
        "replications": replications,
        "seed": seed,
        "engine": engine,
    }
    if common_stream_key is not None:
        payload["common_stream_key"] = common_stream_key
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Design:
    """An expanded design: the base scenario (raw, overrides applied), its hash, and its points."""

    spec: ExperimentSpec
    base_raw: dict[str, Any]
    scenario_name: str
    points: list[DesignPoint] = field(default_factory=list)
    base_hash: str = ""

    def scenario(self, point_id: int) -> Scenario:
        """The validated scenario of a design point."""
        point = self.points[point_id]
        return scenario_from_dict(apply_overrides(self.base_raw, point.overrides), label=self.spec.source)

    @property
    def common_stream_key(self) -> str | None:
        """The stream key of every point under common random numbers (the base's hash), else None."""
        return self.base_hash if self.spec.common_random_numbers else None

    def stream_key(self, point_id: int) -> str:
        """The key of a point's replicate streams: the common key, or the point's own scenario hash."""
        return self.common_stream_key or self.points[point_id].scenario_hash

    def content_hash(self) -> str:
        """Identity of what the sweep computes (see :func:`design_hash`)."""
        return design_hash(
            [(p.scenario_hash, p.values) for p in self.points],
            replications=self.spec.replications,
            seed=self.spec.seed,
            engine=self.spec.engine,
            common_stream_key=self.common_stream_key,
        )


def read_base(spec: ExperimentSpec) -> dict[str, Any]:
    """The base scenario of a spec as a raw mapping (``extends`` resolved, ``set`` applied)."""
    relative_to = Path(spec.base_dir) if spec.base_dir else None
    try:
        raw = read_raw(spec.base, relative_to=relative_to)
        return apply_overrides(raw, spec.base_overrides)
    except CorridorsError as exc:
        raise CorridorsError([f"{spec.source}: base: {problem}" for problem in exc.problems]) from None


def design_problem(factors: list[Factor]) -> dict[str, Any]:
    """The factors as a SALib problem over the unit cube (each factor maps [0, 1] itself).

    Examples
    --------
    >>> design_problem([Factor(path="female_share", range=(0.1, 0.5))])
    {'num_vars': 1, 'names': ['female_share'], 'bounds': [[0.0, 1.0]]}
    """
    return {"num_vars": len(factors), "names": [f.label for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def sample_unit_design(spec: ExperimentSpec, *, seed: int) -> np.ndarray:
    """Sample a Latin hypercube, Sobol (Saltelli) or Morris design on the unit cube.

    Parameters
    ----------
    spec
        The experiment; its ``design`` says which sampler and how many points.
    seed
        Seed of the sampler (a local generator; no global state).

    Returns
    -------
    numpy.ndarray
        One row per design point, one column per factor, in [0, 1].

    Examples
    --------
    >>> spec = ExperimentSpec(name="s", base="unsc", replications=1, seed=1, design={"kind": "sobol", "points": 4},
    ...                       factors=[Factor(path="female_share", range=(0.1, 0.5)),
    ...                                Factor(path="parameters.trust_gain", range=(0.05, 0.2))])
    >>> sample_unit_design(spec, seed=3).shape
    (16, 2)
    """
    design = spec.design
    problem = design_problem(spec.factors)
    assert design.points is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's advice on sample sizes; the spec checks what matters
        if design.kind == "latin_hypercube":
            from SALib.sample import latin

            return np.asarray(latin.sample(problem, design.points, seed=seed))
        if design.kind == "sobol":
            from SALib.sample import sobol

            return np.asarray(sobol.sample(problem, design.points, calc_second_order=design.second_order, seed=seed))
        if design.kind == "morris":
            from SALib.sample import morris

            return np.asarray(morris.sample(problem, design.points, num_levels=design.levels, seed=seed))
    raise ValueError(f"not a sampled design: {design.kind}")


def design_size(spec: ExperimentSpec) -> tuple[int, str]:
    """How many design points a spec makes, from its size alone (nothing sampled), and how.

    Examples
    --------
    >>> spec = ExperimentSpec(name="s", base="unsc", replications=1, seed=1, design={"kind": "sobol", "points": 4},
    ...                       factors=[Factor(path="female_share", range=(0.1, 0.5)),
    ...                                Factor(path="parameters.trust_gain", range=(0.05, 0.2))])
    >>> design_size(spec)
    (16, ' (sobol: 4 x (2 factors + 2))')
    """
    design, k = spec.design, len(spec.factors)
    if design.kind == "grid":
        count = 1
        for factor in spec.factors:
            count *= len(factor.values) if factor.values is not None else int(factor.steps or 1)
        return count, " (grid: the product of the factors' levels)" if k > 1 else ""
    assert design.points is not None
    if design.kind == "sobol":
        if design.second_order:
            return design.points * (2 * k + 2), f" (sobol: {design.points} x (2 x {k} factors + 2))"
        return design.points * (k + 2), f" (sobol: {design.points} x ({k} factors + 2))"
    if design.kind == "morris":
        return design.points * (k + 1), f" (morris: {design.points} trajectories x ({k} factors + 1))"
    return design.points, ""


def _path_key(path: str, base_raw: dict[str, Any]) -> tuple[str | int, ...]:
    """A factor path with list entries named by index, so members.FRA.ideal and members[3].ideal compare equal."""
    node: Any = base_raw
    key: list[str | int] = []
    for part in _split_path(path):
        if isinstance(node, list):
            index: str | int = part
            if isinstance(part, str):
                index = next(
                    (
                        i
                        for i, item in enumerate(node)
                        if isinstance(item, dict) and part in (item.get("code"), item.get("name"))
                    ),
                    part,
                )
            key.append(index)
            node = node[index] if isinstance(index, int) and index < len(node) else None
        else:
            key.append(part)
            node = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
    return tuple(key)


def _check_factor_paths(spec: ExperimentSpec, base_raw: dict[str, Any]) -> None:
    """Refuse two factors that set one field (or one inside the other), however the path is spelled."""
    keys = [_path_key(f.path, base_raw) for f in spec.factors]
    problems = []
    for i, j in itertools.combinations(range(len(keys)), 2):
        short, long = sorted((keys[i], keys[j]), key=len)
        if long[: len(short)] == short:
            same = "the same field" if len(short) == len(long) else "overlapping fields"
            problems.append(
                f"{spec.source}: factors[{i}] ({spec.factors[i].path}) and factors[{j}] ({spec.factors[j].path}) "
                f"set {same}: their design points would contradict each other; keep one"
            )
    if problems:
        raise CorridorsError(problems)


def _point_values(spec: ExperimentSpec) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    factors = spec.factors
    if spec.design.kind == "grid":
        levels = [f.grid_levels() for f in factors]
        return [dict(zip(spec.factor_labels, combo, strict=True)) for combo in itertools.product(*levels)], None
    unit = sample_unit_design(spec, seed=derived_seed(spec.seed, "design"))
    columns = [f.from_unit(unit[:, j]) for j, f in enumerate(factors)]
    values = [dict(zip(spec.factor_labels, row, strict=True)) for row in zip(*columns, strict=True)]
    return values, unit


def expand_design(spec: ExperimentSpec) -> Design:
    """Expand a spec into its design points, validating each point's scenario.

    Every problem names the spec file, the design point and the scenario field.

    Examples
    --------
    >>> spec = ExperimentSpec(name="m", base="unsc", replications=1, seed=1,
    ...                       factors=[Factor(path="formal_meetings_per_week", values=[1, 2, 3.5])])
    >>> design = expand_design(spec)
    >>> [p.overrides for p in design.points]
    [('formal_meetings_per_week=1',), ('formal_meetings_per_week=2',), ('formal_meetings_per_week=3.5',)]
    >>> design.scenario(2).formal_meetings_per_week
    3.5
    """
    base_raw = read_base(spec)
    base = scenario_from_dict(base_raw, label=f"{spec.source}: base {spec.base}")
    _check_factor_paths(spec, base_raw)
    points_count, how = design_size(spec)
    check_design_size(
        spec.source,
        points=points_count,
        replications=spec.replications,
        contacts_per_replicate=expected_contacts(base),
        engine=spec.engine,
        how=how,
    )
    all_values, unit = _point_values(spec)
    points: list[DesignPoint] = []
    problems: list[str] = []
    failing = 0
    for point_id, values in enumerate(all_values):
        overrides = tuple(override_text(f.path, values[f.label]) for f in spec.factors)
        try:
            scenario = scenario_from_dict(apply_overrides(base_raw, overrides), label="")
            try:
                check_workload(scenario)  # refused here, before the store is touched, not chunk by chunk
            except CorridorsError as exc:
                raise CorridorsError([f": {p}" for p in exc.problems]) from None
        except CorridorsError as exc:
            failing += 1
            if len(problems) < _MAX_LISTED_PROBLEMS:
                where = ", ".join(overrides)
                problems.extend(f"{spec.source}: design point {point_id} ({where}){p}" for p in exc.problems)
            continue
        row = None if unit is None else tuple(float(u) for u in unit[point_id])
        points.append(DesignPoint(point_id, values, overrides, row, scenario.content_hash()))
    if problems:
        if failing > _MAX_LISTED_PROBLEMS:
            problems.append(f"{spec.source}: ... {failing} of {len(all_values)} design points are invalid in all")
        raise CorridorsError(problems)
    return Design(spec=spec, base_raw=base_raw, scenario_name=base.name, points=points, base_hash=base.content_hash())
