"""Global sensitivity: Sobol indices or Morris screening of one output, from the store.

SALib's pipeline, with its weak spot closed: the analysis never trusts a sample held in
memory. Reading is apart from analysing: :func:`read_sensitivity` reads the joined table
(each design point's unit-cube coordinates beside its output, aggregated over
replications) and checks that the stored design is exactly the sample the spec makes;
:func:`analyze` is a plain function on plain data in SALib's shape (``problem, X, Y`` and
keyword-only options); :func:`analyze_sensitivity` is the two in a row.

Outputs (one number per design point):

``response_months`` (default)
    mean over decided runs (undecided runs are censored); refused if a point has none.
``response_months_censored``
    mean over all runs, an undecided run counted at its horizon (a lower bound).
``decided_share``
    share of runs that decided within the horizon.
any numeric column of the row schema
    its mean over the runs where it is defined (``n_formal_meetings``, ``decision_day``...).

Indices from too few samples mislead, so the analysis warns (:class:`SensitivityWarning`,
also listed in the result's ``attrs["warnings"]``): SALib's own warnings are passed on, and
a warning is added when a confidence interval is wider than its index, or when S1 exceeds
ST beyond S1's interval (impossible for a noise-free output), with the base samples or
replications that would be needed. The rough scaling: an interval's width shrinks as
1/sqrt(N) in the base samples N; the replication noise of each point's output (its share of
the output's variance) shrinks as 1/R in the replications R.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from corridors._atomic import atomic_output
from corridors._constants import DAYS_PER_MONTH
from corridors.errors import CorridorsError
from corridors.experiments.designs import design_problem, sample_unit_design
from corridors.experiments.executors import Executor
from corridors.experiments.seeding import derived_seed
from corridors.experiments.spec import OUTPUTS, DesignSpec, ExperimentSpec, load_experiment
from corridors.experiments.store import Store
from corridors.experiments.sweep import SweepProgress, SweepReport, default_store_path, run_sweep

__all__ = [
    "SENSITIVITY_OUTPUTS",
    "ReplicationNoise",
    "SensitivityResult",
    "SensitivitySamples",
    "SensitivityWarning",
    "analyze",
    "analyze_sensitivity",
    "plot_sensitivity",
    "read_sensitivity",
    "reliability_warnings",
    "run_sensitivity",
]

SENSITIVITY_OUTPUTS = OUTPUTS


class SensitivityWarning(UserWarning):
    """Indices that the samples cannot support (or a warning of SALib's, passed on)."""


_NOISE_TARGET = 0.05
"""Replication noise, as a share of the output's variance, that the advice aims below."""
_WIDTH_FLOOR = 0.05
"""Narrowest interval the advice asks for (an index near 0 needs no finer resolution)."""


def _needed(current: int, width: float, index: float) -> int:
    """Samples for an interval no wider than the index (width ~ 1/sqrt(N))."""
    target = max(abs(index), _WIDTH_FLOOR)
    return int(np.ceil(current * (width / target) ** 2))


def reliability_warnings(
    indices: pd.DataFrame,
    *,
    method: str,
    base_samples: int,
    replications: int,
    noise_share: float | None = None,
) -> list[str]:
    """Warnings on indices the design cannot support, each with what would be needed.

    Parameters
    ----------
    indices
        The frame of :func:`analyze_sensitivity` (``_conf`` columns are half-widths).
    method
        ``sobol`` or ``morris``.
    base_samples
        The design's ``points`` (Sobol base samples, Morris trajectories).
    replications
        Replications per design point.
    noise_share
        Share of the output's variance across points that is replication noise
        (mean within-point variance / replications / variance of the point outputs).

    Examples
    --------
    >>> frame = pd.DataFrame({"factor": ["a", "b"], "S1": [0.344, 0.135], "S1_conf": [0.318, 0.02],
    ...                       "ST": [0.5, 0.067], "ST_conf": [0.05, 0.01]})
    >>> lines = reliability_warnings(frame, method="sobol", base_samples=32, replications=100)
    >>> lines[0].split("; ")[1]
    'about 110 base samples (design.points, now 32) would make it narrower'
    >>> lines[1].split(" (")[0]
    'b: S1 = 0.135 +/- 0.020 exceeds ST = 0.067 beyond its interval'
    """
    lines: list[str] = []
    pairs = [("S1", "S1_conf"), ("ST", "ST_conf")] if method == "sobol" else [("mu_star", "mu_star_conf")]
    unit = "base samples (design.points" if method == "sobol" else "trajectories (design.points"
    for row in indices.itertuples(index=False):
        values = row._asdict()
        for name, conf in pairs:
            index, half = float(values[name]), float(values[conf])
            if np.isfinite(half) and 2 * half > abs(index) and 2 * half > _WIDTH_FLOOR:
                lines.append(
                    f"{values['factor']}: {name} = {index:.3f} +/- {half:.3f}: the 95% interval is wider than the "
                    f"index; about {_needed(base_samples, 2 * half, index)} {unit}, now {base_samples}) would "
                    "make it narrower"
                )
        if method == "sobol":
            s1, s1_conf, st = float(values["S1"]), float(values["S1_conf"]), float(values["ST"])
            if s1 - s1_conf > st:
                lines.append(
                    f"{values['factor']}: S1 = {s1:.3f} +/- {s1_conf:.3f} exceeds ST = {st:.3f} beyond its interval "
                    f"(impossible without noise): too few base samples (now {base_samples}) or replications "
                    f"(now {replications}) per point"
                )
    if noise_share is not None and noise_share > _NOISE_TARGET:
        needed = int(np.ceil(replications * noise_share / _NOISE_TARGET))
        lines.append(
            f"replication noise is {100 * noise_share:.0f}% of the output's variance across design points; it inflates "
            f"the total indices: about {needed} replications per point (now {replications}) would bring it under "
            f"{100 * _NOISE_TARGET:.0f}%"
        )
    return lines


def _output_sql(output: str) -> str:
    if output == "decided_share":
        return "avg(CAST(decided AS DOUBLE))"
    if output == "response_months_censored":
        return f"avg(coalesce(response_months, horizon_days / {DAYS_PER_MONTH}))"
    if output in OUTPUTS:
        return f"avg(CAST({output} AS DOUBLE))"
    raise CorridorsError(f"--measure: unknown output '{output}' (choose from {', '.join(OUTPUTS)})")


class ReplicationNoise(NamedTuple):
    """The replications behind each design point's output, for the advice on noise."""

    replications: int
    """Replications per design point."""
    variance: np.ndarray
    """Variance of each point's output over its runs, divided by the runs (the variance of the mean)."""


@dataclass(frozen=True)
class SensitivitySamples:
    """What :func:`read_sensitivity` reads from a store: SALib's problem, X, Y and their provenance."""

    problem: dict[str, Any]
    """SALib's problem: the factors over the unit cube (:func:`~corridors.experiments.designs.design_problem`)."""
    X: np.ndarray
    """The stored design on the unit cube, one row per design point (checked against the spec's sample)."""
    Y: np.ndarray
    """The output at each design point, in design order."""
    noise: ReplicationNoise
    """The replications per point and the variance of each point's mean."""
    design: DesignSpec
    """The spec's design (kind, base samples, second order, levels)."""
    seed: int
    """The analysis seed derived from the spec's seed (bootstrap resamples)."""
    output: str
    """The output's name."""
    experiment_id: int
    """The experiment read."""


def read_sensitivity(
    store: str | Path, *, experiment: int | None = None, output: str = "response_months"
) -> SensitivitySamples:
    """Read a finished sobol or morris sweep from the store as plain arrays for :func:`analyze`.

    Reads the joined table (each design point's unit-cube coordinates beside its output,
    aggregated over replications) and checks that every point has all its runs, that the
    output is defined everywhere, and that the stored design is exactly the sample the spec
    makes: the analysis never trusts a sample held in memory.

    Parameters
    ----------
    store
        The store of a finished sobol or morris sweep.
    experiment
        Experiment id (default: the latest).
    output
        See the module's list (default: mean response months over decided runs).

    Returns
    -------
    SensitivitySamples
        SALib's problem, the design ``X``, the outputs ``Y``, the replication noise and the
        spec's design and analysis seed.
    """
    with Store(store, read_only=True) as st:
        record = st.experiment(experiment)
        if record.design_kind not in ("sobol", "morris"):
            raise CorridorsError(
                f"{store}: experiment {record.experiment_id} has a {record.design_kind} design; sensitivity needs "
                "design: sobol or morris"
            )
        labels = list(st.factors(record.experiment_id)["factor"])
        statistic = _output_sql(output)
        spread = "var_samp(" + statistic.removeprefix("avg(")  # variance of the same quantity
        counted = "count(" + statistic.removeprefix("avg(")  # runs where it is defined
        joined = st.query(
            f"""SELECT d.point_id, f.factor, f.unit_value, o.output, o.runs, o.noise
                FROM design_points d
                JOIN factor_values f USING (experiment_id, point_id)
                LEFT JOIN (SELECT point_id, {statistic} AS output, count(*) AS runs,
                                  {spread} / nullif({counted}, 0) AS noise FROM runs
                           WHERE experiment_id = ? GROUP BY point_id) o USING (point_id)
                WHERE d.experiment_id = ? ORDER BY d.point_id""",
            [record.experiment_id, record.experiment_id],
        )
    unit = joined.pivot(index="point_id", columns="factor", values="unit_value")[labels]
    per_point = joined.groupby("point_id")[["output", "runs", "noise"]].first()
    incomplete = int((per_point["runs"].fillna(0) < record.replications).sum())
    if incomplete:
        raise CorridorsError(
            f"{store}: {incomplete} of {record.n_points} design points lack runs (failed or unfinished chunks); "
            "finish the sweep first (run it again, or with --retry-failed)"
        )
    undefined = int(per_point["output"].isna().sum())
    if undefined:
        hint = ""
        if output in ("response_months", "decision_day", "deployment_lag_days", "response_day"):
            hint = " (no decided run there: try --measure response_months_censored or decided_share)"
        raise CorridorsError(
            f"{store}: --measure {output}: undefined at {undefined} of {record.n_points} design points{hint}"
        )
    spec = ExperimentSpec.model_validate(record.spec)
    expected = sample_unit_design(spec, seed=derived_seed(spec.seed, "design"))
    stored = unit.to_numpy(dtype=float)
    if stored.shape != expected.shape or not np.allclose(stored, expected, rtol=0, atol=1e-12):
        raise CorridorsError(f"{store}: experiment {record.experiment_id}: the stored design is not the spec's sample")
    return SensitivitySamples(
        problem=design_problem(spec.factors),
        X=stored,
        Y=per_point["output"].to_numpy(dtype=float),
        noise=ReplicationNoise(record.replications, per_point["noise"].to_numpy(dtype=float)),
        design=spec.design,
        seed=derived_seed(spec.seed, "analysis"),
        output=output,
        experiment_id=record.experiment_id,
    )


def _salib_indices(
    problem: dict[str, Any],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    design: DesignSpec,
    confidence: float,
    resamples: int,
    seed: int | None,
) -> pd.DataFrame:
    """SALib's Sobol or Morris analysis as a frame, one row per factor."""
    labels = list(problem["names"])
    if design.kind == "sobol":
        from SALib.analyze import sobol

        found: Any = sobol.analyze(
            problem, Y, calc_second_order=design.second_order, num_resamples=resamples, conf_level=confidence, seed=seed
        )
        return pd.DataFrame(
            {
                "factor": labels,
                "S1": found["S1"],
                "S1_conf": found["S1_conf"],
                "ST": found["ST"],
                "ST_conf": found["ST_conf"],
            }
        )
    if design.kind == "morris":
        from SALib.analyze import morris

        found = morris.analyze(
            problem, X, Y, num_resamples=resamples, conf_level=confidence, num_levels=design.levels, seed=seed
        )
        return pd.DataFrame(
            {
                "factor": labels,
                "mu": found["mu"],
                "mu_star": found["mu_star"],
                "mu_star_conf": found["mu_star_conf"],
                "sigma": found["sigma"],
            }
        )
    raise CorridorsError(f"design: sensitivity needs kind sobol or morris, not {design.kind}")


def _analyze(
    problem: dict[str, Any],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    design: DesignSpec,
    noise: ReplicationNoise | None,
    confidence: float,
    resamples: int,
    seed: int | None,
) -> tuple[pd.DataFrame, list[str]]:
    """The indices and the warning lines (not yet issued)."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.shape != (len(Y), problem["num_vars"]):
        raise CorridorsError(
            f"X has shape {X.shape}; it needs one row per output ({len(Y)}) and one column per "
            f"factor ({problem['num_vars']})"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = _salib_indices(problem, X, Y, design=design, confidence=confidence, resamples=resamples, seed=seed)
    notes = [f"SALib: {w.message}" for w in caught if not issubclass(w.category, DeprecationWarning)]
    replications = noise.replications if noise is not None else 1
    noise_share = _noise_share(Y, noise.variance) if noise is not None else None
    notes += reliability_warnings(
        frame,
        method=design.kind,
        base_samples=design.points or len(Y),
        replications=replications,
        noise_share=noise_share,
    )
    frame.attrs.update(method=design.kind, confidence=confidence, design_points=len(Y), replications=replications)
    return frame, notes


def analyze(
    problem: dict[str, Any],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    design: DesignSpec,
    noise: ReplicationNoise | None = None,
    confidence: float = 0.95,
    resamples: int = 100,
    seed: int | None = None,
) -> pd.DataFrame:
    """Sobol indices (first-order S1, total ST) or Morris measures of each factor, from plain arrays.

    SALib's shape: a plain function on plain data with keyword-only options; it reads no
    store. :func:`analyze_sensitivity` reads a store with :func:`read_sensitivity` and
    calls this.

    Parameters
    ----------
    problem
        SALib's problem dict (``num_vars``, ``names``, ``bounds``).
    X
        The design, one row per point, one column per factor (Morris uses it; Sobol checks
        its shape only, as Saltelli's order carries the structure).
    Y
        The output at each design point, in design order.
    design
        The design that made ``X`` (:class:`~corridors.experiments.spec.DesignSpec`): its
        kind (``sobol`` or ``morris``), base samples, second order and levels.
    noise
        The replications per point and the variance of each point's mean, for the advice
        on replication noise (default: none given, one replication assumed).
    confidence
        Level of the bootstrap confidence intervals.
    resamples
        Bootstrap resamples.
    seed
        Seed of the bootstrap (None: fresh entropy).

    Returns
    -------
    pandas.DataFrame
        Sobol: ``factor, S1, S1_conf, ST, ST_conf``; Morris: ``factor, mu, mu_star,
        mu_star_conf, sigma``. The ``_conf`` columns are half-widths of the intervals.
        ``attrs`` hold ``method``, ``confidence``, ``design_points``, ``replications`` and
        ``warnings`` (the lines also issued as :class:`SensitivityWarning`).

    Examples
    --------
    >>> from SALib.sample import morris as morris_sample
    >>> from corridors.experiments.spec import DesignSpec
    >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}
    >>> X = morris_sample.sample(problem, 8, num_levels=4, seed=0)
    >>> Y = 3 * X[:, 0] + 0.1 * X[:, 1]
    >>> indices = analyze(problem, X, Y, design=DesignSpec(kind="morris", points=8, levels=4), seed=1)
    >>> indices.set_index("factor")["mu_star"].round(3).to_dict(), indices.attrs["warnings"]
    ({'a': 3.0, 'b': 0.1}, [])
    """
    frame, notes = _analyze(
        problem, X, Y, design=design, noise=noise, confidence=confidence, resamples=resamples, seed=seed
    )
    for line in notes:
        warnings.warn(line, SensitivityWarning, stacklevel=2)
    frame.attrs["warnings"] = notes
    return frame


def analyze_sensitivity(
    store: str | Path,
    *,
    experiment: int | None = None,
    output: str = "response_months",
    confidence: float = 0.95,
    resamples: int = 100,
) -> pd.DataFrame:
    """Sobol indices (first-order S1, total ST) or Morris measures of each factor on an output, from the store.

    :func:`read_sensitivity` then :func:`analyze`, with the analysis seed the spec derives.

    Parameters
    ----------
    store
        The store of a finished sobol or morris sweep.
    experiment
        Experiment id (default: the latest).
    output
        See the module's list (default: mean response months over decided runs).
    confidence
        Level of the bootstrap confidence intervals.
    resamples
        Bootstrap resamples.

    Returns
    -------
    pandas.DataFrame
        Sobol: ``factor, S1, S1_conf, ST, ST_conf``; Morris: ``factor, mu, mu_star,
        mu_star_conf, sigma``. The ``_conf`` columns are half-widths of the intervals.
        ``attrs`` hold ``method``, ``output``, ``confidence``, ``design_points`` and
        ``warnings`` (the lines also issued as :class:`SensitivityWarning`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from corridors.experiments import load_experiment, run_sweep
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 1, "seed": 7, "engine": "reference",
    ...     "set": ["parameters.burn_in_days=0", "parameters.max_days=10"],
    ...     "design": {"kind": "morris", "points": 2},
    ...     "factors": [{"path": "formal_meetings_per_week", "range": [0.5, 3]},
    ...                 {"path": "parameters.posture", "range": [0.2, 1.0]}]})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb"
    >>> _ = run_sweep(spec, store=path)
    >>> indices = analyze_sensitivity(path, output="n_formal_meetings")
    >>> list(indices["factor"]), indices.attrs["method"]
    (['formal_meetings_per_week', 'parameters.posture'], 'morris')
    """
    samples = read_sensitivity(store, experiment=experiment, output=output)
    frame, notes = _analyze(
        samples.problem,
        samples.X,
        samples.Y,
        design=samples.design,
        noise=samples.noise,
        confidence=confidence,
        resamples=resamples,
        seed=samples.seed,
    )
    for line in notes:
        warnings.warn(line, SensitivityWarning, stacklevel=2)
    frame.attrs.update(
        method=samples.design.kind,
        output=output,
        confidence=confidence,
        design_points=len(samples.Y),
        replications=samples.noise.replications,
        experiment_id=samples.experiment_id,
        warnings=notes,
    )
    return frame


def _noise_share(y: np.ndarray, within: np.ndarray) -> float | None:
    """Replication noise of the point outputs as a share of their variance (None if unknown)."""
    total = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
    noise = float(np.nanmean(within)) if np.isfinite(within).any() else float("nan")
    if not total > 0 or not np.isfinite(noise):
        return None
    return min(1.0, noise / total)


def plot_sensitivity(indices: pd.DataFrame, path: str | Path) -> Path:
    """Save a bar chart of the indices (with their confidence intervals) as a PNG.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = pd.DataFrame({"factor": ["a", "b"], "S1": [0.5, 0.1], "S1_conf": [0.1, 0.05],
    ...                       "ST": [0.6, 0.2], "ST_conf": [0.1, 0.05]})
    >>> frame.attrs.update(method="sobol", output="response_months", confidence=0.95)
    >>> plot_sensitivity(frame, pathlib.Path(tempfile.mkdtemp()) / "s.png").stat().st_size > 0
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    factors = list(indices["factor"])
    positions = np.arange(len(factors))
    figure = Figure(figsize=(7.0, 1.6 + 0.55 * len(factors)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    method = indices.attrs.get("method", "sobol" if "S1" in indices else "morris")
    level = round(100 * float(indices.attrs.get("confidence", 0.95)))
    if "S1" in indices:
        height = 0.38
        axes.barh(
            positions - height / 2,
            indices["S1"],
            height,
            xerr=indices["S1_conf"],
            label="first order (S1)",
            color="#4c72b0",
            capsize=3,
        )
        axes.barh(
            positions + height / 2,
            indices["ST"],
            height,
            xerr=indices["ST_conf"],
            label="total (ST)",
            color="#dd8452",
            capsize=3,
        )
        axes.set_xlabel(f"Sobol index ({level}% confidence intervals)")
        figure.legend(loc="outside lower center", ncol=2, frameon=False)
    else:
        axes.barh(
            positions,
            indices["mu_star"],
            0.6,
            xerr=indices["mu_star_conf"],
            color="#4c72b0",
            capsize=3,
            label="mu* (mean absolute elementary effect)",
        )
        axes.set_xlabel(f"Morris mu* ({level}% confidence intervals)")
    axes.set_yticks(positions, factors)
    axes.invert_yaxis()
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_title(f"{method.capitalize()} sensitivity of {indices.attrs.get('output', 'the output')}")
    with atomic_output(path) as partial:
        figure.savefig(partial, dpi=120, format=path.suffix.lstrip(".") or "png")
    return path


@dataclass
class SensitivityResult:
    """A sensitivity run: the sweep's report, the indices and the chart's path."""

    sweep: SweepReport
    indices: pd.DataFrame
    chart: Path


def run_sensitivity(
    spec: ExperimentSpec | str | Path,
    *,
    store: str | Path | None = None,
    executor: Executor | None = None,
    output: str | None = None,
    chart: str | Path | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
) -> SensitivityResult:
    """Run (or resume) a sobol or morris sweep, then analyze it and save the chart.

    Parameters
    ----------
    spec
        An experiment spec with ``design: sobol`` or ``morris``, or its YAML path.
    store
        The store (default: named after the spec, in the working directory).
    executor
        Where chunks run (default: serial).
    output
        The output analysed (default: the spec's ``output``).
    chart
        PNG path (default: ``<spec name>_sensitivity.png`` beside the store).
    progress
        Progress callback of :func:`run_sweep`.
    """
    if not isinstance(spec, ExperimentSpec):
        spec = load_experiment(spec)
    if spec.design.kind not in ("sobol", "morris"):
        raise CorridorsError(f"{spec.source}: design: sensitivity needs kind sobol or morris, not {spec.design.kind}")
    chosen = output or spec.output
    _output_sql(chosen)
    store_path = Path(store) if store is not None else default_store_path(spec)
    chart_path = Path(chart) if chart is not None else store_path.with_name(f"{spec.name}_sensitivity.png")
    from corridors.experiments.outputs import check_output_file

    check_output_file(chart_path, option="--chart", allowed=(".png",), inputs=[store_path])  # before the sweep
    report = run_sweep(spec, store=store_path, executor=executor, progress=progress)
    if report.status != "finished":
        raise CorridorsError(f"{store_path}: the sweep was interrupted; run the same command again to resume it")
    indices = analyze_sensitivity(store_path, experiment=report.experiment_id, output=chosen)
    plot_sensitivity(indices, chart_path)
    return SensitivityResult(report, indices, chart_path)
