"""The same fit for every theory: simulated moments on the bench's patterns, leave one out, ablations, checks.

:class:`BenchCalibration` is :class:`~corridors.calibration.fit.MSMCalibration` on the
bench's patterns (:mod:`.patterns`): pooled and derived patterns are built from the
organizations' moments, a one-sided bound (the OAS 2008 case) counts only when missed.
:func:`fit_theory` runs, for one theory, the screen over its active candidates, the fit,
leave-one-organization-out fits, each mechanism switched off alone at the fit (and each of
the theory's structural choices reverted alone), and a posterior-predictive check of the
shipped sample's decision and response times (log-rank per organization). Every simulation
goes through the :class:`~corridors.calibration.simulate.MomentSimulator` (one DuckDB
store, common random numbers), so a killed bench replays from the store.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.calibration.bench.patterns import _members, pattern_difference_se, pattern_moments
from corridors.calibration.bench.spec import BenchSize, BenchSpec, Theory, TheoryStatus, candidate_box, theory_status
from corridors.calibration.fit import Bounds, MSMCalibration
from corridors.engines.rows import DAYS_PER_MONTH

if TYPE_CHECKING:
    from corridors.experiments.executors import Executor

__all__ = ["EDGE_FRACTION", "BenchCalibration", "TheoryResult", "at_box_edge", "fit_theory", "predictive_check"]

EDGE_FRACTION = 0.01
"""A fitted value within this share of its box's width from an edge is flagged."""


def at_box_edge(value: float, low: float, high: float) -> str:
    """``low``, ``high`` or ``""``: whether ``value`` lies within 1% of its box's width from an edge.

    Examples
    --------
    >>> at_box_edge(0.6, 0.03, 0.6), at_box_edge(0.3, 0.0, 1.0), at_box_edge(0.005, 0.0, 1.0)
    ('high', '', 'low')
    """
    width = high - low
    if value <= low + EDGE_FRACTION * width:
        return "low"
    if value >= high - EDGE_FRACTION * width:
        return "high"
    return ""


class BenchCalibration(MSMCalibration):
    """:class:`MSMCalibration` whose targets are the bench's patterns (:func:`~.patterns.bench_patterns`)."""

    def _fitted_targets(self, organizations: Sequence[str]) -> pd.DataFrame:
        t = self.targets
        keep = [
            not bool(row["is_input"]) and _members(row, list(organizations)) is not None for row in t.to_dict("records")
        ]
        return t[np.array(keep, dtype=bool)].set_index("target")

    def simulate(self, values: Mapping[str, float], organizations: Sequence[str] | None = None) -> pd.DataFrame:
        """The patterns' moments simulated at ``values``."""
        if self._sim is None:
            raise RuntimeError("simulate() runs inside fit() or a `with fitter.session():` block")
        orgs = list(organizations or self.organizations)
        return pattern_moments(self.targets, self._sim.moments(dict(values), orgs))

    def difference_se(self, a: Mapping[str, float], b: Mapping[str, float]) -> pd.Series:
        """The standard error of the paired difference of moments at ``a`` and ``b``."""
        if self._sim is None:
            raise RuntimeError("difference_se() runs inside fit() or a `with fitter.session():` block")
        return pattern_difference_se(self.targets, self._sim.difference_se(a, b, self.organizations))

    def _objective_terms(self, values: Mapping[str, float]) -> pd.DataFrame:
        t = super()._objective_terms(values)
        one_sided = t["one_sided"].astype(bool)
        t.loc[one_sided, "residual"] = t.loc[one_sided, "residual"].clip(upper=0.0)
        t["contribution"] = t["weight"] * t["residual"] ** 2
        return t


@dataclass
class TheoryResult:
    """Everything the bench learned about one theory (empty frames when it is unavailable)."""

    theory: Theory
    status: TheoryStatus
    fit: BenchCalibration | None = None
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)
    loo: pd.DataFrame = field(default_factory=pd.DataFrame)
    ablations: pd.DataFrame = field(default_factory=pd.DataFrame)
    ppc: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


def _boxes(spec: BenchSpec, names: Sequence[str]) -> dict[str, Bounds]:
    return {name: Bounds(*candidate_box(spec, name)) for name in names}


def _parameter_table(fit: BenchCalibration) -> pd.DataFrame:
    if not len(fit.params_):
        return pd.DataFrame(
            columns=["parameter", "value", "se", "lower_95", "upper_95", "start", "box_low", "box_high", "at_box_edge"]
        )
    table = fit.summary.reset_index()
    table["at_box_edge"] = [
        at_box_edge(v, lo, hi) for v, lo, hi in zip(table["value"], table["box_low"], table["box_high"], strict=True)
    ]
    return table


def _observed_times(organizations: Sequence[str]) -> dict[str, dict[str, np.ndarray]]:
    """The shipped sample's decision days and response days per organization (UNSC/host demands)."""
    from corridors.calibration.targets import DEMAND_KINDS, _sample_path, decision_times
    from corridors.empirical import load_peace_operations

    decisions = decision_times()
    ops = load_peace_operations(_sample_path()).usable
    started = ops[ops["demand_kind"].isin(DEMAND_KINDS) & ops["started"] & ops["response_months"].notna()]
    out: dict[str, dict[str, np.ndarray]] = {}
    for org in organizations:
        out[org] = {
            "decision_days": decisions.loc[decisions["organization"] == org, "decision_days"].to_numpy(float),
            "response_days": started.loc[started["organization"] == org, "response_months"].to_numpy(float)
            * DAYS_PER_MONTH,
        }
    return out


MONTE_CARLO_BELOW = 20
"""Fewer observed operations than this: the predictive check's p is a Monte Carlo one."""
MONTE_CARLO_DRAWS = 999
"""Samples drawn from the simulated runs for a Monte Carlo p (its resolution: 1/1000)."""


def _logrank(
    times_a: np.ndarray, events_a: np.ndarray, times_b: np.ndarray, events_b: np.ndarray
) -> tuple[float, float]:
    """Log-rank statistic and chi-square p of group a against group b; NaN when undefined.

    Undefined (a singular variance) when no time of either group is an event.
    """
    from statsmodels.duration.survfunc import survdiff

    try:
        statistic, p_value = survdiff(
            np.r_[times_a, times_b],
            np.r_[events_a, events_b].astype(float),
            np.r_[np.zeros(len(times_a)), np.ones(len(times_b))],
        )
    except np.linalg.LinAlgError:
        return math.nan, math.nan
    return float(statistic), float(p_value)


def _monte_carlo_p(statistic: float, n_observed: int, simulated: np.ndarray, events: np.ndarray, seed: int) -> float:
    """Share of samples of ``n_observed`` runs, drawn from the simulated ones, at least as far from them (log-rank).

    The drawn runs keep their censoring. A draw whose statistic is undefined counts as not as far.

    >>> times = np.arange(1.0, 201.0); events = np.ones(200, bool)
    >>> _monte_carlo_p(0.0, 2, times, events, seed=1)
    1.0
    """
    rng = np.random.default_rng(seed)
    at_least = 0
    for _ in range(MONTE_CARLO_DRAWS):
        drawn = rng.integers(0, len(simulated), n_observed)
        null, _ = _logrank(simulated[drawn], events[drawn], simulated, events)
        at_least += bool(null >= statistic - 1e-12)  # NaN compares False
    return (1 + at_least) / (1 + MONTE_CARLO_DRAWS)


def predictive_check(rows_by_org: Mapping[str, pd.DataFrame], *, min_observed: int = 2) -> pd.DataFrame:
    """Log-rank test of the shipped sample's decision and response times against the runs at the fit.

    The simulated times are right-censored at the horizon (undecided runs); the observed
    ones are all events. One row per organization and quantity; ``p_value`` is NaN (and
    ``passed`` NA) where the sample has fewer than ``min_observed`` times. A check passes at
    p >= 0.05. The runs include the deployment lags from the sample (ODD 7.11), so response
    times compare like with like.

    With fewer than :data:`MONTE_CARLO_BELOW` observed operations the chi-square p of the
    log-rank statistic means nothing (two operations gave p = 4e-89): the p is then the
    share of :data:`MONTE_CARLO_DRAWS` samples of as many runs, drawn from the simulated ones
    (the null: the sample comes from the model), whose statistic is at least the observed
    one; the draws are seeded by organization and quantity, so the table is reproducible.
    """
    observed = _observed_times(list(rows_by_org))
    records = []
    for org, rows in rows_by_org.items():
        horizon = rows["horizon_days"].to_numpy(float)
        decided = rows["decided"].to_numpy(bool)
        decision = np.where(decided, rows["decision_day"].to_numpy(float), horizon)
        response = rows["response_day"].to_numpy(float)
        responded = np.isfinite(response) & (response <= horizon)
        response = np.where(responded, response, horizon)
        for quantity, simulated, events in (
            ("decision_days", decision, decided),
            ("response_days", response, responded),
        ):
            obs = observed[org][quantity]
            record: dict[str, Any] = {
                "organization": org,
                "quantity": quantity,
                "n_observed": len(obs),
                "n_simulated": len(simulated),
                "observed_median_days": float(np.median(obs)) if len(obs) else math.nan,
                "simulated_median_days": float(np.median(simulated)),
                "simulated_event_share": float(events.mean()),
                "test": "log-rank",
                "statistic": math.nan,
                "p_value": math.nan,
                "passed": pd.NA,
            }
            if len(obs) >= min_observed:
                statistic, p_value = _logrank(obs, np.ones(len(obs), bool), simulated, events)
                if len(obs) < MONTE_CARLO_BELOW and not math.isnan(statistic):
                    seed = zlib.crc32(f"{org}/{quantity}".encode())
                    p_value = _monte_carlo_p(statistic, len(obs), simulated, events, seed)
                    record["test"] = f"log-rank, Monte Carlo p ({MONTE_CARLO_DRAWS} draws)"
                if not math.isnan(p_value):
                    record.update(statistic=statistic, p_value=p_value, passed=bool(p_value >= 0.05))
            records.append(record)
    return pd.DataFrame(records)


def _switches(spec: BenchSpec, theory: Theory, only: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each ablation: a mechanism switched off (when on in the theory), or a structural choice reverted."""
    from corridors.calibration.fields import schema_field
    from corridors.scenario import load_scenario

    scenario = load_scenario(spec.organizations[0].lower(), [*spec.overrides, *theory.all_overrides])
    out: dict[str, dict[str, Any]] = {}
    for mechanism in spec.mechanisms if only is None else only:
        if getattr(scenario.mechanisms, mechanism):
            out[f"no_{mechanism}"] = {f"mechanisms.{mechanism}": False}
    for override in theory.overrides:
        path = override.split("=", 1)[0].strip()
        default = schema_field(path).default
        out[f"revert_{path.replace('.', '_')}"] = {path: default}
    return out


ABLATION_MEASURES = ("response_months", "decided_within_30d")
"""Moments an ablation's effect is judged on, per organization."""


def _ablations(fit: BenchCalibration, switches: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    assert fit._sim is not None
    fit.prefetch([fit.values_, *({**fit.values_, **change} for change in switches.values())])
    base = fit._sim.moments(fit.values_, fit.organizations)
    records = []
    for label, change in switches.items():
        values = {**fit.values_, **change}
        switched = fit._sim.moments(values, fit.organizations)
        paired = fit._sim.difference_se(values, fit.values_, fit.organizations)
        for org in fit.organizations:
            for measure in ABLATION_MEASURES:
                d = float(switched[org].loc[measure, "value"] - base[org].loc[measure, "value"])
                se = float(paired[org][measure])
                records.append(
                    {
                        "switch": label,
                        "organization": org,
                        "measure": measure,
                        "at_fit": float(base[org].loc[measure, "value"]),
                        "switched": float(switched[org].loc[measure, "value"]),
                        "difference": d,
                        "paired_se": se,
                        "lower_95": d - 1.96 * se,
                        "upper_95": d + 1.96 * se,
                        "effect": bool(abs(d) > 1.96 * se) if math.isfinite(se) else False,
                    }
                )
    return pd.DataFrame(records)


def _loo(size: BenchSize, fit: BenchCalibration, options: dict[str, Any]) -> pd.DataFrame:
    records = []
    targets = fit.targets.set_index("target")
    for held in fit.organizations:
        others = [o for o in fit.organizations if o != held]
        loo = BenchCalibration(
            **{
                **options,
                "organizations": others,
                "parameters": list(fit.parameters or []),
                "max_evaluations": size.loo_max_evaluations,
                "profile_points": 0,
                "standard_errors": False,
                "allow_empty": True,
                "progress": _tag(options.get("progress"), f"leave out {held}"),
            }
        )
        loo.fit()
        loo._stage = "predict"
        predicted = loo.predict(held)
        key = f"response_months:{held}"
        observed, se = float(targets.loc[key, "value"]), float(targets.loc[key, "se"])
        value = float(predicted.loc[key, "value"]) if key in predicted.index else math.nan
        in_sample = float(fit.moments_["simulated"].get(key, math.nan))
        record: dict[str, Any] = {
            "held_out": held,
            "measure": "response_months",
            "observed": observed,
            "se": se,
            "in_sample": in_sample,
            "held_out_prediction": value,
            "held_out_error": value - observed,
            "held_out_z": (value - observed) / se,
            "objective_on_others": loo.objective_,
        }
        for name, v in loo.params_.items():
            box = loo.boxes[str(name)]
            record[f"param:{name}"] = float(v)
            record[f"edge:{name}"] = at_box_edge(float(v), box.low, box.high)
        records.append(record)
    return pd.DataFrame(records)


def _tag(progress: Callable[[str, int], None] | None, label: str) -> Callable[[str, int], None] | None:
    if progress is None:
        return None

    def tagged(stage: str, count: int) -> None:
        assert progress is not None
        progress(f"{stage.split(': ', 1)[0]}: {label}", count)

    return tagged


def fit_theory(
    spec: BenchSpec,
    theory: Theory,
    size: BenchSize,
    patterns: pd.DataFrame,
    *,
    store: str | Path,
    executor: Executor | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> TheoryResult:
    """Screen, fit, leave one out, ablate and check one theory (see the module's doc)."""
    start = time.perf_counter()
    status = theory_status(spec, theory)
    if not status.available:
        return TheoryResult(theory, status)

    def tagged(stage: str, count: int) -> None:
        if progress is not None:
            progress(f"{theory.name}: {stage}", count)

    options: dict[str, Any] = dict(
        candidates=list(status.active),
        boxes=_boxes(spec, status.active),
        organizations=list(spec.organizations),
        reading="interpersonal",
        replications=size.replications,
        seed=spec.seed,
        store=store,
        executor=executor,
        targets=patterns,
        overrides=[*theory.all_overrides, *spec.overrides],
        max_parameters=size.max_parameters,
        progress=tagged,
    )
    if size.screen:
        parameters: list[str] | None = None if status.active else []
    else:
        parameters = [p for p in size.parameters if p in status.active][: size.max_parameters]
    fit = BenchCalibration(
        **options,
        parameters=parameters,
        max_evaluations=size.max_evaluations,
        profile_points=0,
        standard_errors=size.standard_errors,
        allow_empty=True,
    )
    fit.fit()
    result = TheoryResult(theory, status, fit, parameters=_parameter_table(fit))
    if size.leave_one_out and len(spec.organizations) > 1:
        result.loo = _loo(size, fit, options)
    with fit.session() as sim:
        fit._stage = "ablations"
        if size.ablations:
            result.ablations = _ablations(fit, _switches(spec, theory, size.mechanisms))
        fit._stage = "predictive check"
        rows = {org: sim.rows(org, {k: v for k, v in fit.values_.items()}, counted=False) for org in fit.organizations}
        result.ppc = predictive_check(rows)
    fit._sim = None
    result.seconds = time.perf_counter() - start
    return result
