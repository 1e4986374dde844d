"""The method of simulated moments over parameters shared by every organization.

:class:`MSMCalibration` follows the grammar of the empirical fitters: options in the
constructor, :meth:`~MSMCalibration.fit` returns the fitter, results in attributes ending
in ``_``, :attr:`~MSMCalibration.summary`, and ``plot_*`` methods that draw on a given
matplotlib Axes (or a new Figure's, never pyplot's global state).

Method (docs/CALIBRATION.md):

* **Moments** per organization (:func:`~corridors.calibration.simulate.org_moments`) and
  pooled over organizations for the survey; the targets are
  :func:`~corridors.calibration.targets.calibration_targets` minus the model inputs.
* **Common random numbers**: one root seed at every evaluation, and each organization's
  replicates keyed by its base scenario (preset and reading), not by the scenario with the
  parameter values (the experiment option ``common_random_numbers``): replicate i of every
  evaluation of an organization draws the same random numbers. The objective is a
  deterministic function of the parameters (an evaluation repeated is read from the
  store), and a difference between two parameter values is mostly their effect: the
  streams part only where the parameter changes what is drawn. The screen's noise floor
  is the SE of the replicate-paired differences.
* **Weighting**: diagonal, w_i = 1 / (se_i^2 + s_i^2), se_i the target's SE and s_i the
  simulation SE of the moment at the starting point (kept fixed, so the objective does not
  move with its own weights); the objective is then a chi-square-like sum.
* **Optimizer**: Nelder-Mead (scipy) on the box of each parameter mapped to the real line
  by a logit (u = (theta - low) / (high - low), z = logit u), after a Latin-hypercube first
  look. The objective is a simulation: piecewise constant at the finest scale (a decision
  day is an integer; common random numbers remove most of the noise between nearby values
  but not these steps) and without usable gradients; Nelder-Mead needs none, handles 1-4
  parameters well and its path is deterministic, so a killed fit replays from the store.
* **Uncertainty**: the MSM sandwich, V = (G'WG)^-1 G'W Omega W G (G'WG)^-1 with a central
  numerical Jacobian G (steps of 10% of each box) and Omega = diag(se^2 + s^2): it costs
  2k evaluations where a bootstrap costs a refit per draw, which the 60-minute budget of
  ten fits does not allow. It is local; the profiles show whether it is credible.
* **Identifiability** (:meth:`MSMCalibration.screen`): the Jacobian of the moments on the
  unit scale of each candidate's box, in units of the moments' combined SEs, its column
  norms, and Brun et al.'s (2001) collinearity index of every pair; the fitted set is the
  most sensitive candidates whose set keeps the index under ``max_collinearity``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors._constants import Z95
from corridors.calibration.simulate import POOLED_MEASURES, MomentSimulator, pooled_moments
from corridors.calibration.targets import calibration_targets
from corridors.errors import CorridorsError
from corridors.paper import ORGANIZATIONS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from corridors.experiments.executors import Executor

__all__ = ["CANDIDATES", "READINGS", "Bounds", "MSMCalibration", "collinearity_index"]


@dataclass(frozen=True)
class Bounds:
    """A shared parameter's box."""

    low: float
    high: float

    def to_unit(self, value: float) -> float:
        """The value's place in the box: 0 at ``low``, 1 at ``high``."""
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, unit: float) -> float:
        """The value at a place in the box (the inverse of :meth:`to_unit`)."""
        return self.low + unit * (self.high - self.low)


CANDIDATES: dict[str, Bounds] = {
    "trust_gain": Bounds(0.02, 0.4),
    "widen_base": Bounds(0.02, 0.6),
    "widen_step": Bounds(0.03, 0.6),
    "lobby_effect": Bounds(0.0, 1.0),
    "big_player_salience": Bounds(0.5, 1.0),
    "posture": Bounds(0.1, 1.0),
}
"""Candidate shared parameters (``parameters.NAME``) and their boxes."""

READINGS: dict[str, tuple[str, ...]] = {"interpersonal": (), "realist": ("realist=true",)}
"""The rival readings: the paper's model, and every interpersonal mechanism off."""


def collinearity_index(sensitivities: np.ndarray) -> float:
    """Brun et al. (2001): 1 / sqrt(smallest eigenvalue of S'S), S's columns scaled to unit length.

    1 means orthogonal effects; above 10-15 the parameters compensate each other (a
    change in one is undone by the others to within 1/index of its effect).

    Examples
    --------
    >>> round(collinearity_index(np.array([[1.0, 0.0], [0.0, 1.0]])), 6)
    1.0
    >>> collinearity_index(np.array([[1.0, 2.0], [1.0, 2.0]])) > 1e6
    True
    """
    s = np.asarray(sensitivities, dtype=float)
    norms = np.linalg.norm(s, axis=0)
    if np.any(norms == 0):
        return math.inf
    lam = float(np.linalg.eigvalsh((s / norms).T @ (s / norms)).min())
    return math.inf if lam <= 1e-12 else 1.0 / math.sqrt(lam)


class MSMCalibration:
    """Fit shared parameters by the method of simulated moments.

    Parameters
    ----------
    parameters
        Names to fit; ``None`` chooses them with :meth:`screen` among ``candidates``.
    candidates
        Names (keys of ``boxes``) the screen considers.
    boxes
        Box of every candidate (default :data:`CANDIDATES`); a name with a dot is a scenario path
        (``theory.inform_effect``), any other name ``parameters.NAME``.
    organizations
        Organizations whose moments enter the objective (a leave-one-out fit gives three).
    reading
        ``interpersonal`` or ``realist`` (:data:`READINGS`).
    replications
        Runs per organization and evaluation.
    seed
        Root seed of every evaluation (with each organization's stream key: common random numbers).
    store
        DuckDB store of the evaluations (resumable cache).
    executor
        Executor of the sweeps (default serial); entered by :meth:`fit`.
    targets
        Targets table (default :func:`calibration_targets`); rows with ``is_input`` are reported, not fitted.
    overrides
        Extra ``--set`` overrides of every preset (e.g. shorter horizons in tests).
    start
        Starting values (default: the schema's defaults).
    max_evaluations
        Budget of objective evaluations (the first look and Nelder-Mead together).
    initial_points
        Latin-hypercube points evaluated before Nelder-Mead starts from the best point seen
        (default: a third of the budget, at most 12): a global first look over flat and
        step-like directions of the objective, on which a lone Nelder-Mead stalled.
    max_parameters, min_sensitivity, max_collinearity, noise_factor
        Rules of the screen: a candidate is identified when its sensitivity norm is at least
        ``min_sensitivity`` combined SEs per box and ``noise_factor`` times the norm a null
        effect shows from simulation noise alone; the fitted set takes the most sensitive
        identified candidates while its collinearity index stays under ``max_collinearity``
        (the null-effect norm: the SEs of the replicate-paired differences of the screen's steps).
    profile_points
        Grid points per fitted parameter in the profiles (0: none).
    standard_errors
        Estimate the sandwich SEs (2k extra evaluations; leave-one-out fits skip them).
    allow_empty
        When the screen identifies no candidate, evaluate the start instead of failing (the bench:
        a theory with nothing to fit is scored at its defaults, with no fitted parameter).
    progress
        Called with (stage, replications just run) after every organization's evaluation.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> fit = MSMCalibration(parameters=["widen_base"], organizations=["OSCE"], replications=4, seed=1,
    ...                      store=pathlib.Path(tempfile.mkdtemp()) / "c.duckdb", max_evaluations=3,
    ...                      overrides=["parameters.burn_in_days=20", "parameters.max_days=60"],
    ...                      profile_points=0).fit()
    >>> list(fit.params_.index)
    ['widen_base']
    """

    # an estimator's options, all keyword-only, in its constructor (lifelines' and scikit-learn's
    # grammar, as every estimator of corridors): grouping them would only add a second object to build
    def __init__(  # noqa: PLR0913
        self,
        *,
        parameters: Sequence[str] | None = None,
        candidates: Sequence[str] | None = None,
        boxes: Mapping[str, Bounds] | None = None,
        organizations: Sequence[str] = ORGANIZATIONS,
        reading: str = "interpersonal",
        replications: int = 500,
        seed: int = 2012,
        store: str | Path = "calibration.duckdb",
        executor: Executor | None = None,
        targets: pd.DataFrame | None = None,
        overrides: Sequence[str] = (),
        start: Mapping[str, float] | None = None,
        max_evaluations: int = 60,
        initial_points: int | None = None,
        max_parameters: int = 3,
        min_sensitivity: float = 1.0,
        max_collinearity: float = 10.0,
        noise_factor: float = 3.0,
        profile_points: int = 7,
        standard_errors: bool = True,
        allow_empty: bool = False,
        progress: Callable[[str, int], None] | None = None,
    ) -> None:
        if reading not in READINGS:
            raise CorridorsError(f"reading: unknown reading '{reading}' (choose from {', '.join(READINGS)})")
        self.boxes: dict[str, Bounds] = dict(CANDIDATES if boxes is None else boxes)
        candidates = tuple(self.boxes) if candidates is None else candidates
        unknown = [p for p in [*(parameters or []), *candidates] if p not in self.boxes]
        if unknown:
            raise CorridorsError(f"parameters: unknown shared parameter(s) {', '.join(unknown)}")
        self.parameters = list(parameters) if parameters is not None else None
        self.candidates = list(candidates)
        self.organizations = [o.upper() for o in organizations]
        self.reading = reading
        self.replications = replications
        self.seed = seed
        self.store = Path(store)
        self.executor = executor
        self.targets = calibration_targets() if targets is None else targets
        self.overrides = list(overrides)
        self.start = dict(start or {})
        self.max_evaluations = max_evaluations
        self.initial_points = initial_points if initial_points is not None else min(max_evaluations // 3, 12)
        self.max_parameters = max_parameters
        self.min_sensitivity = min_sensitivity
        self.max_collinearity = max_collinearity
        self.noise_factor = noise_factor
        self.profile_points = profile_points
        self.standard_errors = standard_errors
        self.allow_empty = allow_empty
        self.progress = progress
        self._stage = "fit"
        self._sim: MomentSimulator | None = None

    # -- moments and objective ------------------------------------------------------------

    def _simulator(self) -> MomentSimulator:
        def advance(count: int) -> None:
            if self.progress is not None:
                self.progress(self._stage, count)

        return MomentSimulator(
            self.store,
            replications=self.replications,
            seed=self.seed,
            overrides=[*READINGS[self.reading], *self.overrides],
            executor=self.executor,
            progress=advance,
        )

    def _defaults(self) -> dict[str, float]:
        from corridors.calibration.fields import schema_field

        names = [name for name in self.boxes if name in self.candidates or name in (self.parameters or [])]
        return {name: float(self.start.get(name, schema_field(name).default)) for name in names}

    def simulate(self, values: Mapping[str, float], organizations: Sequence[str] | None = None) -> pd.DataFrame:
        """Simulated moments of every target of ``organizations`` (default: the fitted ones) at ``values``.

        Returns
        -------
        pandas.DataFrame
            Index: target names; columns ``value`` and ``sim_se``.
        """
        if self._sim is None:
            raise RuntimeError("simulate() runs inside fit() or a `with fitter.session():` block")
        orgs = list(organizations or self.organizations)
        by_org = self._sim.moments(dict(values), orgs)
        frames = [m.rename(index=lambda name, o=org: f"{name}:{o}") for org, m in by_org.items()]
        frames.append(pooled_moments(by_org).rename(index=lambda name: f"{name}:all"))
        return pd.concat(frames)

    def difference_se(self, a: Mapping[str, float], b: Mapping[str, float]) -> pd.Series:
        """SE of each target's simulated difference between ``a`` and ``b``.

        Replicate-paired (see :func:`~corridors.calibration.simulate.paired_difference_se`);
        pooled targets over organizations.
        """
        if self._sim is None:
            raise RuntimeError("difference_se() runs inside fit() or a `with fitter.session():` block")
        by_org = self._sim.difference_se(a, b, self.organizations)
        out = {f"{measure}:{org}": float(se) for org, series in by_org.items() for measure, se in series.items()}
        for measure in POOLED_MEASURES:
            ses = np.array([by_org[org][measure] for org in self.organizations])
            out[f"{measure}:all"] = float(np.sqrt(np.sum(ses**2))) / len(ses)
        return pd.Series(out, name="difference_se")

    def prefetch(self, points: Sequence[Mapping[str, float]], organizations: Sequence[str] | None = None) -> None:
        """Evaluate ``points`` side by side before they are read one by one (the same rows, less waiting)."""
        if self._sim is None:
            raise RuntimeError("prefetch() runs inside fit() or a `with fitter.session():` block")
        self._sim.prefetch([dict(v) for v in points], list(organizations or self.organizations))

    def session(self) -> MomentSimulator:
        """A context in which :meth:`simulate` may run (entered once by :meth:`fit`)."""
        self._sim = self._simulator()
        return self._sim

    def _fitted_targets(self, organizations: Sequence[str]) -> pd.DataFrame:
        t = self.targets
        keep = ~t["is_input"].astype(bool) & t["organization"].isin([*organizations, "all"])
        return t[keep].set_index("target")

    def _objective_terms(self, values: Mapping[str, float]) -> pd.DataFrame:
        sim = self.simulate(values)
        t = self.fitted_targets_.copy()
        t["simulated"] = sim["value"].reindex(t.index)
        t["sim_se"] = sim["sim_se"].reindex(t.index)
        t["weight"] = self.weights_.reindex(t.index)
        t["residual"] = t["simulated"] - t["value"]
        t["contribution"] = t["weight"] * t["residual"] ** 2
        return t

    def objective(self, values: Mapping[str, float]) -> float:
        """Weighted sum of squared moment errors at ``values`` (a missing moment counts as one combined SE away)."""
        terms = self._objective_terms(values)
        contributions = terms["contribution"].fillna(1.0)
        return float(contributions.sum())

    # -- identifiability ------------------------------------------------------------------

    def _point(self, free: Mapping[str, float]) -> dict[str, float]:
        base = self._defaults()
        base.update(free)
        return {name: base[name] for name in sorted(set(self.candidates) | set(free))}

    def screen(self, *, step: float = 0.1) -> pd.DataFrame:
        """Sensitivity of each moment to each candidate (central differences on the unit scale).

        Sets :attr:`screen_` (moment x candidate, in combined target-and-simulation SEs per
        full box), :attr:`screen_summary_` (column norm, collinearity index of each pair)
        and returns the chosen parameters' table.
        """
        center = self._point({})
        ends = {}
        for name in self.candidates:
            bounds = self.boxes[name]
            u = min(max(bounds.to_unit(center[name]), step), 1 - step)
            ends[name] = ({**center, name: bounds.from_unit(u + step)}, {**center, name: bounds.from_unit(u - step)})
        self.prefetch([center, *(point for pair in ends.values() for point in pair)])
        base = self.simulate(center)
        targets = self.fitted_targets_
        scale = np.sqrt(targets["se"] ** 2 + base["sim_se"].reindex(targets.index).fillna(0.0) ** 2)
        columns, noise = {}, {}
        for name in self.candidates:
            high, low = ends[name]
            up = self.simulate(high).reindex(targets.index)
            down = self.simulate(low).reindex(targets.index)
            columns[name] = ((up["value"] - down["value"]) / (2 * step) / scale).fillna(0.0)
            # common random numbers: both points share replicate i's streams, so the noise of the
            # difference is the SE of the replicate-paired differences (what a null effect shows)
            paired = self.difference_se(high, low).reindex(targets.index)
            noise[name] = (paired / (2 * step) / scale).fillna(0.0)
        s = pd.DataFrame(columns)
        self.screen_ = s
        self.screen_noise_ = pd.DataFrame(noise)
        norms = np.linalg.norm(s.to_numpy(), axis=0)
        floors = np.linalg.norm(self.screen_noise_.to_numpy(), axis=0)
        identified = (norms >= self.min_sensitivity) & (norms >= self.noise_factor * floors)
        pairs = {}
        for i, a in enumerate(self.candidates):
            for b in self.candidates[i + 1 :]:
                pairs[f"{a} / {b}"] = collinearity_index(s[[a, b]].to_numpy())
        order = [self.candidates[i] for i in np.argsort(-norms)]
        chosen: list[str] = []
        for name in order:
            if not identified[self.candidates.index(name)] or len(chosen) >= self.max_parameters:
                continue
            if collinearity_index(s[[*chosen, name]].to_numpy()) <= self.max_collinearity:
                chosen.append(name)
        summary = pd.DataFrame(
            {
                "parameter": self.candidates,
                "sensitivity_norm": norms,
                "noise_norm": floors,
                "identified": identified,
                "fitted": [name in chosen for name in self.candidates],
            }
        )
        self.screen_summary_ = summary
        self.collinearity_ = pd.Series(pairs, name="collinearity_index")
        self.collinearity_fitted_ = collinearity_index(s[chosen].to_numpy()) if chosen else math.nan
        return summary

    # -- fitting --------------------------------------------------------------------------

    def fit(self) -> MSMCalibration:
        """Screen (if no parameters were given), fit, estimate SEs and trace profiles; returns self."""
        from scipy.optimize import minimize
        from scipy.special import expit, logit

        self.fitted_targets_ = self._fitted_targets(self.organizations)
        with self.session():
            self._stage = "start"
            start_point = self._point({})
            start_sim = self.simulate(start_point)
            self.weights_ = 1.0 / (
                self.fitted_targets_["se"] ** 2
                + start_sim["sim_se"].reindex(self.fitted_targets_.index).fillna(0.0) ** 2
            )
            if self.parameters is None:
                self._stage = "screen"
                self.screen()
                self.parameters = [
                    str(p) for p in self.screen_summary_.loc[self.screen_summary_["fitted"], "parameter"]
                ]
                if not self.parameters and not self.allow_empty:
                    raise CorridorsError("screen: no candidate moves the moments by a standard error; nothing to fit")
            names = list(self.parameters)
            if not names:
                self._fit_nothing(start_point)
                self._sim = None
                return self
            bounds = [self.boxes[n] for n in names]
            u0 = np.clip([b.to_unit(start_point[n]) for n, b in zip(names, bounds, strict=True)], 0.02, 0.98)
            z0 = logit(u0)
            trace: list[dict[str, float]] = []

            def values_at(z: np.ndarray) -> dict[str, float]:
                u = expit(np.clip(z, -12, 12))
                free = {n: round(b.from_unit(float(ui)), 6) for n, b, ui in zip(names, bounds, u, strict=True)}
                return {**start_point, **free}

            def f(z: np.ndarray) -> float:
                values = values_at(z)
                q = self.objective(values)
                trace.append({**{n: values[n] for n in names}, "objective": q})
                return q

            self._stage = "fit"
            f(z0)  # the start is the first row of the trace
            if self.initial_points > 0:  # a space-filling first look, then Nelder-Mead from its best point
                from scipy.stats import qmc

                unit = qmc.LatinHypercube(d=len(names), seed=self.seed).random(self.initial_points)
                self.prefetch([values_at(logit(np.clip(row, 0.02, 0.98))) for row in unit])
                for row in unit:
                    f(logit(np.clip(row, 0.02, 0.98)))
                best_start = min(range(len(trace)), key=lambda i: trace[i]["objective"])
                u_best = np.clip(
                    [b.to_unit(trace[best_start][n]) for n, b in zip(names, bounds, strict=True)], 0.02, 0.98
                )
                z0 = logit(u_best)
            simplex = np.vstack([z0, *(z0 + 0.8 * np.eye(len(names)))])
            result = minimize(
                f,
                z0,
                method="Nelder-Mead",
                options={
                    "maxfev": max(self.max_evaluations - self.initial_points, len(names) + 1),
                    "xatol": 0.02,
                    "fatol": 0.05,
                    "initial_simplex": simplex,
                },
            )
            best = min(trace, key=lambda row: row["objective"])
            self.values_ = {**start_point, **{n: best[n] for n in names}}
            self.params_ = pd.Series({n: best[n] for n in names}, name="value")
            self.objective_ = float(best["objective"])
            self.start_objective_ = float(trace[0]["objective"])
            self.optimizer_: dict[str, Any] = {
                "method": "Latin hypercube + Nelder-Mead",
                "evaluations": len(trace),
                "converged": bool(result.success),
                "message": str(result.message),
            }
            self.trace_ = pd.DataFrame(trace)
            self.moments_ = self._objective_terms(self.values_)
            self._stage = "uncertainty"
            if self.standard_errors:
                self._sandwich(names)
            else:
                self.standard_errors_ = pd.Series(math.nan, index=list(names), name="se")
            self._stage = "profiles"
            self.profiles_ = self._profiles(names)
        self._sim = None
        self.n_targets_ = int(self.moments_["simulated"].notna().sum())
        return self

    def _fit_nothing(self, start_point: dict[str, float]) -> None:
        """No parameter to fit: the start is the fit (objective, moments), with empty tables of parameters."""
        self._stage = "fit"
        q = self.objective(start_point)
        self.values_ = dict(start_point)
        self.params_ = pd.Series(dtype=float, name="value")
        self.objective_ = self.start_objective_ = q
        self.optimizer_ = {"method": "none (nothing to fit)", "evaluations": 1, "converged": True, "message": ""}
        self.trace_ = pd.DataFrame([{"objective": q}])
        self.moments_ = self._objective_terms(self.values_)
        self.standard_errors_ = pd.Series(dtype=float, name="se")
        self.profiles_ = pd.DataFrame(columns=["parameter", "value", "objective", "fitted"])
        self.n_targets_ = int(self.moments_["simulated"].notna().sum())

    def _sandwich(self, names: Sequence[str], fraction: float = 0.1) -> None:
        t = self.moments_
        index = t.index
        g = np.zeros((len(index), len(names)))
        steps = {}
        for name in names:
            b = self.boxes[name]
            h = fraction * (b.high - b.low)
            steps[name] = (min(b.high, self.values_[name] + h), max(b.low, self.values_[name] - h))
        points = {name: [{**self.values_, name: round(v, 6)} for v in pair] for name, pair in steps.items()}
        self.prefetch([point for pair in points.values() for point in pair])
        for j, name in enumerate(names):
            hi_v, lo_v = steps[name]
            up = self.simulate(points[name][0])["value"].reindex(index)
            down = self.simulate(points[name][1])["value"].reindex(index)
            g[:, j] = ((up - down) / (hi_v - lo_v)).fillna(0.0).to_numpy()
        w = t["weight"].to_numpy()
        omega = (t["se"] ** 2 + t["sim_se"].fillna(0.0) ** 2).to_numpy()
        bread = g.T @ (w[:, None] * g)
        self.jacobian_ = pd.DataFrame(g, index=index, columns=list(names))
        try:
            inv = np.linalg.inv(bread)
            cov = inv @ (g.T @ ((w * omega * w)[:, None] * g)) @ inv
        except np.linalg.LinAlgError:
            cov = np.full((len(names), len(names)), np.inf)
        self.covariance_ = pd.DataFrame(cov, index=list(names), columns=list(names))
        self.standard_errors_ = pd.Series(np.sqrt(np.abs(np.diag(cov))), index=list(names), name="se")

    def _profiles(self, names: Sequence[str]) -> pd.DataFrame:
        """Objective slices through the fit along each parameter, the others held at their fitted values.

        Not re-optimized profiles: a short Nelder-Mead of the other parameters at every
        point would multiply the profiles' cost by its evaluations, beyond the full run's budget.
        """
        rows = []
        if self.profile_points <= 0:
            return pd.DataFrame(columns=["parameter", "value", "objective", "fitted"])
        grids = {}
        for name in names:
            b = self.boxes[name]
            grids[name] = sorted(
                {round(float(v), 6) for v in np.linspace(b.low, b.high, self.profile_points)} | {self.values_[name]}
            )
        self.prefetch([{**self.values_, name: v} for name, grid in grids.items() for v in grid])
        for name, grid in grids.items():
            for v in grid:
                q = self.objective({**self.values_, name: v})
                rows.append({"parameter": name, "value": v, "objective": q, "fitted": v == self.values_[name]})
        return pd.DataFrame(rows)

    # -- results --------------------------------------------------------------------------

    @property
    def summary(self) -> pd.DataFrame:
        """One row per fitted parameter: value, SE, 95% interval (clipped to the box), start, box."""
        rows = []
        start = self._point({})
        for name, value in self.params_.items():
            se = float(self.standard_errors_[name])
            b = self.boxes[str(name)]
            rows.append(
                {
                    "parameter": name,
                    "value": float(value),
                    "se": se,
                    "lower_95": max(b.low, float(value) - Z95 * se),
                    "upper_95": min(b.high, float(value) + Z95 * se),
                    "start": start[str(name)],
                    "box_low": b.low,
                    "box_high": b.high,
                }
            )
        return pd.DataFrame(rows).set_index("parameter")

    def predict(self, organization: str, values: Mapping[str, float] | None = None) -> pd.DataFrame:
        """Simulated moments of one organization at the fitted values (or ``values``)."""
        with self.session():
            sim = self.simulate(values or self.values_, [organization.upper()])
        self._sim = None
        return sim

    def plot_profiles(self, ax: Axes | None = None) -> Axes:
        """Objective against each fitted parameter on its unit box (others at the fit)."""
        ax = _axes(ax)
        for name, group in self.profiles_.groupby("parameter"):
            b = self.boxes[str(name)]
            unit = (group["value"] - b.low) / (b.high - b.low)
            ax.plot(unit, group["objective"], marker="o", label=str(name))
        ax.axhline(self.objective_, color="grey", linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set_xlabel("parameter on its box (0 = low, 1 = high)")
        ax.set_ylabel("objective (weighted SSE, log scale)")
        ax.set_title(f"{self.reading}: objective slices through the fit")
        ax.legend(fontsize="small")
        return ax

    def plot_moments(self, ax: Axes | None = None) -> Axes:
        """Observed targets (with 2 SE bars) against simulated moments at the fit, in target SEs."""
        ax = _axes(ax)
        t = self.moments_.dropna(subset=["simulated"])
        y = np.arange(len(t))
        ax.errorbar(np.zeros(len(t)), y, xerr=2.0, fmt="o", color="black", label="observed (2 SE)")
        ax.plot((t["simulated"] - t["value"]) / t["se"], y, "s", color="tab:red", label="simulated")
        ax.set_yticks(y, list(t.index), fontsize="small")
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_xlabel("(simulated - observed) / target SE")
        ax.set_title(f"{self.reading}: moments at the fit (objective {self.objective_:.2f})")
        ax.legend(fontsize="small")
        return ax

    def plot_screen(self, ax: Axes | None = None) -> Axes:
        """Heat map of the screen: moment x candidate sensitivities in combined SEs per box."""
        ax = _axes(ax)
        s = self.screen_
        limit = float(np.nanmax(np.abs(s.to_numpy()))) or 1.0
        image = ax.imshow(s.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(s.shape[1]), list(s.columns), rotation=45, ha="right", fontsize="small")
        ax.set_yticks(range(s.shape[0]), list(s.index), fontsize="small")
        ax.figure.colorbar(image, ax=ax, label="d moment / d unit parameter, in SEs")
        ax.set_title(f"{self.reading}: identifiability screen")
        return ax


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5), layout="constrained")
    new: Axes = figure.add_subplot()
    return new
