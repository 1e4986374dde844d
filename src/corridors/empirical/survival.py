"""Survival analysis of response times, observed or simulated (lifelines, statsmodels).

Every analysis takes a *durations frame*: one row per operation (or simulated run) with
``organization`` (the group), ``response_months`` (demand to start, or to censoring) and
``started`` (False = right-censored). Observed data give it through
:meth:`PeaceOperations.durations <corridors.empirical.datasets.PeaceOperations.durations>`,
simulated runs through :func:`durations_from_runs`, so both are analysed by the same code.

The estimators follow lifelines' grammar: options in the constructor, ``fit(df)``
returns the estimator, fitted attributes end in ``_``, ``summary`` is a DataFrame and
``plot_*`` methods return a matplotlib Axes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from corridors.calibration import paper
from corridors.empirical.datasets import DAYS_PER_MONTH
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from matplotlib.axes import Axes

__all__ = [
    "PAPER_TABLE_1_MONTHS",
    "DiscreteTimeLogit",
    "ObservedVsSimulated",
    "ResponseCox",
    "ResponseSurvival",
    "SurvivalReport",
    "add_organization_covariates",
    "describe_durations",
    "durations_from_runs",
    "load_runs",
    "person_periods",
    "save_figure",
]

PAPER_TABLE_1_MONTHS: dict[str, float] = {
    str(org): float(months)
    for org, months in zip(paper.table1()["organization"], paper.table1()["mean_response_months"], strict=True)
}
"""Hardt (2012) Table 1: mean months from demand to start, 70 operations 1991-2009."""

_DURATION = "response_months"
_EVENT = "started"
_GROUP = "organization"


def _new_axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, 4.8), layout="constrained").subplots()


def _check_durations(df: pd.DataFrame, duration_col: str, event_col: str, group_col: str | None) -> pd.DataFrame:
    needed = [duration_col, event_col] + ([group_col] if group_col else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise CorridorsError(
            f"durations need columns {', '.join(needed)}; missing {', '.join(missing)} "
            "(use PeaceOperations.durations() or durations_from_runs())"
        )
    out = df.copy()
    durations = pd.to_numeric(out[duration_col], errors="coerce")
    bad = out.index[durations.isna() | (durations < 0)]
    if len(bad):
        raise CorridorsError(
            f"{duration_col}: {len(bad)} row(s) are empty or negative (first at index {bad[0]}); "
            "drop them or fix the data"
        )
    out[duration_col] = durations.astype(float)
    out[event_col] = out[event_col].astype(bool)
    if group_col:
        out[group_col] = out[group_col].astype(str)
    if len(out) == 0:
        raise CorridorsError("no durations to analyse (every row was left out or filtered away)")
    return out


# --------------------------------------------------------------------------- simulated runs


def load_runs(path: str | Path) -> pd.DataFrame:
    """Read simulated runs from a DuckDB store (table ``runs``), a CSV or a Parquet file.

    Parameters
    ----------
    path
        ``.duckdb``/``.db`` (opened read-only), ``.csv`` or ``.parquet``.

    Examples
    --------
    >>> import tempfile, os
    >>> runs = pd.DataFrame({"scenario": ["eu"], "replicate": [0], "decided": [True],
    ...                      "response_months": [5.0], "horizon_days": [730]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = os.path.join(folder, "runs.csv")
    ...     runs.to_csv(file, index=False)
    ...     load_runs(file)["response_months"].tolist()
    [5.0]
    """
    label = str(path)
    file = Path(path)
    if not file.exists():
        raise CorridorsError(f"{label}: no such runs file or store")
    suffix = file.suffix.lower()
    try:
        if suffix in (".duckdb", ".db", ".ddb"):
            import duckdb

            with duckdb.connect(str(file), read_only=True) as con:
                tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
                if "runs" not in tables:
                    shown = ", ".join(sorted(tables)) or "none"
                    raise CorridorsError(f"{label}: the store has no table 'runs' (tables: {shown})")
                return con.execute("select * from runs").df()
        if suffix == ".csv":
            return pd.read_csv(file)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(file)
    except CorridorsError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CorridorsError(f"{label}: cannot read runs: {reason}") from None
    raise CorridorsError(f"{label}: unknown runs file type '{suffix}' (readable: .duckdb .db .csv .parquet)")


def durations_from_runs(runs: pd.DataFrame, *, label: str = "runs", pool_variants: bool = False) -> pd.DataFrame:
    """Durations frame of simulated runs: decided runs start, undecided ones are censored.

    Duration is ``response_months`` if the run decided, else ``horizon_days / 30.44``
    (right-censored at the crisis horizon). The group is the run's ``scenario``.

    Parameters
    ----------
    runs
        One row per replication with ``scenario``, ``decided``, ``response_months`` and
        ``horizon_days`` (the engines' row schema).
    label
        Name of the source, for messages.
    pool_variants
        Allow runs of one scenario name with different ``scenario_hash`` values (e.g. the
        design points of a sweep) to be pooled. By default that is an error, since pooling
        different parameters silently would mix different models.

    Examples
    --------
    >>> runs = pd.DataFrame({"scenario": ["eu", "eu"], "replicate": [0, 1],
    ...                      "decided": [True, False], "response_months": [5.0, float("nan")],
    ...                      "horizon_days": [730, 730]})
    >>> durations_from_runs(runs)[["organization", "response_months", "started"]].round(2).values.tolist()
    [['eu', 5.0, True], ['eu', 23.98, False]]
    """
    needed = ["scenario", "decided", "response_months", "horizon_days"]
    missing = [c for c in needed if c not in runs.columns]
    if missing:
        raise CorridorsError(f"{label}: runs need columns {', '.join(needed)}; missing {', '.join(missing)}")
    if "scenario_hash" in runs.columns and not pool_variants:
        variants = runs.groupby(runs["scenario"].astype(str))["scenario_hash"].nunique()
        mixed = variants[variants > 1]
        if len(mixed):
            raise CorridorsError(
                [
                    f"{label}: scenario '{name}' has {count} different scenario_hash values (design points of a "
                    "sweep?); keep the runs of one variant, or pool them explicitly (pool_variants=True)"
                    for name, count in mixed.items()
                ]
            )
    decided = runs["decided"]
    if decided.dtype == object:
        decided = (
            decided.astype(str)
            .str.strip()
            .str.lower()
            .map({"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False})
        )
    if decided.isna().any():
        first = int(np.flatnonzero(decided.isna().to_numpy())[0])
        raise CorridorsError(f"{label}: row {first + 2}: decided must be true or false")
    decided = decided.astype(bool)
    response = pd.to_numeric(runs["response_months"], errors="coerce")
    horizon = pd.to_numeric(runs["horizon_days"], errors="coerce")
    problems = []
    for i in np.flatnonzero((decided & response.isna()).to_numpy())[:5]:
        problems.append(f"{label}: row {i + 2}: decided but response_months is empty")
    for i in np.flatnonzero((~decided & horizon.isna()).to_numpy())[:5]:
        problems.append(f"{label}: row {i + 2}: undecided but horizon_days is empty")
    if problems:
        raise CorridorsError(problems)
    months = response.where(decided, horizon / DAYS_PER_MONTH)
    out = pd.DataFrame(
        {
            _GROUP: runs["scenario"].astype(str).to_numpy(),
            _DURATION: months.astype(float).to_numpy(),
            _EVENT: decided.to_numpy(),
        }
    )
    if "replicate" in runs.columns:
        out["replicate"] = runs["replicate"].to_numpy()
    return out


def add_organization_covariates(
    durations: pd.DataFrame,
    *,
    covariates: Sequence[str] = ("formal_meetings_per_week", "committee_members"),
) -> pd.DataFrame:
    """Add organization-level covariates from the scenario presets (Table 3 of the paper).

    ``formal_meetings_per_week`` and ``committee_members`` (size) come from the preset of
    the same name (``EU`` -> ``load_scenario("eu")``); a column already in ``durations``
    is kept as it is. Organizations without a preset get NaN.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["EU", "AU"], "response_months": [6.0, 3.0],
    ...                       "started": [True, True]})
    >>> add_organization_covariates(frame)[["formal_meetings_per_week", "committee_members"]].values.tolist()
    [[3.5, 27.0], [0.4615, 53.0]]
    """
    from corridors.scenario import list_presets, load_scenario

    known = {"formal_meetings_per_week", "committee_members"}
    unknown = [c for c in covariates if c not in known and c not in durations.columns]
    if unknown:
        raise CorridorsError(
            [
                f"covariate '{c}': not a column of the data and not an organization covariate "
                f"({', '.join(sorted(known))})"
                for c in unknown
            ]
        )
    out = durations.copy()
    wanted = [c for c in covariates if c in known and c not in out.columns]
    if not wanted:
        return out
    presets = set(list_presets())
    values: dict[str, dict[str, float]] = {}
    for organization in out[_GROUP].astype(str).unique():
        name = organization.lower()
        if name in presets:
            scenario = load_scenario(name)
            values[organization] = {
                "formal_meetings_per_week": float(scenario.formal_meetings_per_week),
                "committee_members": float(scenario.n_members),
            }
        else:
            values[organization] = {c: float("nan") for c in known}
    for column in wanted:
        out[column] = [values[str(o)][column] for o in out[_GROUP]]
    return out


# --------------------------------------------------------------------------- Kaplan-Meier


class ResponseSurvival:
    """Kaplan-Meier response curves per organization, medians, restricted means, log-rank.

    Parameters
    ----------
    alpha
        1 - confidence level of the bands and intervals (0.05: 95%).
    horizon_months
        Time up to which restricted mean durations are computed. Default: the shortest
        follow-up among the groups (the largest duration of the group that ends first), so
        every group's restricted mean covers the same window.
    group_col, duration_col, event_col
        Column names of the durations frame.

    Attributes
    ----------
    fitters_ : dict[str, lifelines.KaplanMeierFitter]
    horizon_months_ : float
    logrank_overall_ : pandas.DataFrame or None
        One row: test_statistic, degrees_of_freedom, p (None for a single group).
    logrank_pairwise_ : pandas.DataFrame or None
        One row per pair of groups: test_statistic, p.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["A"] * 4 + ["B"] * 4,
    ...                       "response_months": [1, 2, 3, 4, 2, 4, 6, 8],
    ...                       "started": [True] * 8})
    >>> survival = ResponseSurvival().fit(frame)
    >>> survival.summary["median_months"].tolist()
    [2.0, 4.0]
    """

    def __init__(
        self,
        *,
        alpha: float = 0.05,
        horizon_months: float | None = None,
        group_col: str = _GROUP,
        duration_col: str = _DURATION,
        event_col: str = _EVENT,
    ) -> None:
        if not 0 < alpha < 1:
            raise CorridorsError(f"alpha must be between 0 and 1, got {alpha}")
        if horizon_months is not None and horizon_months <= 0:
            raise CorridorsError(f"horizon_months must be positive, got {horizon_months}")
        self.alpha = alpha
        self.horizon_months = horizon_months
        self.group_col = group_col
        self.duration_col = duration_col
        self.event_col = event_col

    def fit(self, durations: pd.DataFrame) -> ResponseSurvival:
        """Fit one Kaplan-Meier curve per group and run the log-rank tests."""
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import multivariate_logrank_test, pairwise_logrank_test
        from lifelines.utils import median_survival_times, restricted_mean_survival_time

        df = _check_durations(durations, self.duration_col, self.event_col, self.group_col)
        self.data_ = df
        groups = sorted(df[self.group_col].unique())
        self.groups_ = groups
        ends = df.groupby(self.group_col)[self.duration_col].max()
        self.horizon_months_ = float(self.horizon_months if self.horizon_months is not None else ends.min())
        self.fitters_: dict[str, KaplanMeierFitter] = {}
        rows = []
        for group in groups:
            part = df[df[self.group_col] == group]
            kmf = KaplanMeierFitter(alpha=self.alpha, label=str(group))
            kmf.fit(part[self.duration_col], part[self.event_col])
            self.fitters_[group] = kmf
            median_ci = median_survival_times(kmf.confidence_interval_)
            rmst = restricted_mean_survival_time(kmf, t=self.horizon_months_)
            started = part[self.event_col]
            rows.append(
                {
                    self.group_col: group,
                    "operations": len(part),
                    "started": int(started.sum()),
                    "censored": int((~started).sum()),
                    "mean_started_months": float(part.loc[started, self.duration_col].mean())
                    if started.any()
                    else float("nan"),
                    "median_months": float(kmf.median_survival_time_),
                    "median_lower_months": float(median_ci.iloc[0, 0]),
                    "median_upper_months": float(median_ci.iloc[0, 1]),
                    "restricted_mean_months": float(rmst),
                    "restricted_mean_se_months": _restricted_mean_se(kmf, self.horizon_months_),
                }
            )
        self.summary = pd.DataFrame(rows).set_index(self.group_col)
        self.logrank_overall_: pd.DataFrame | None = None
        self.logrank_pairwise_: pd.DataFrame | None = None
        if len(groups) >= 2:
            overall = multivariate_logrank_test(df[self.duration_col], df[self.group_col], df[self.event_col])
            self.logrank_overall_ = pd.DataFrame(
                {
                    "test_statistic": [float(overall.test_statistic)],
                    "degrees_of_freedom": [int(overall.degrees_of_freedom)],
                    "p": [float(overall.p_value)],
                }
            )
            pairwise = pairwise_logrank_test(df[self.duration_col], df[self.group_col], df[self.event_col])
            table = pairwise.summary[["test_statistic", "p"]].copy()
            table.index.names = ["group_a", "group_b"]
            self.logrank_pairwise_ = table
        return self

    def table1(self) -> pd.DataFrame:
        """A Table-1-style summary in months: measures as rows, organizations as columns.

        The last row is the paper's published Table 1 mean (70 operations), for reference.

        Examples
        --------
        >>> frame = pd.DataFrame({"organization": ["EU"] * 3, "response_months": [2.0, 4.0, 6.0],
        ...                       "started": [True] * 3})
        >>> ResponseSurvival().fit(frame).table1().loc["mean, started only (months)", "EU"]
        4.0
        """
        self._check_fitted()
        s = self.summary
        ci = [
            f"{lo:.2f}-{hi:.2f}" if np.isfinite(lo) and np.isfinite(hi) else f"{lo:.2f}-not reached"
            for lo, hi in zip(s["median_lower_months"], s["median_upper_months"], strict=True)
        ]
        rows = {
            "operations": s["operations"].astype(object),
            "started": s["started"].astype(object),
            "censored": s["censored"].astype(object),
            "mean, started only (months)": s["mean_started_months"].round(2).astype(object),
            "Kaplan-Meier median (months)": s["median_months"].round(2).astype(object),
            f"median {100 * (1 - self.alpha):.0f}% CI (months)": pd.Series(ci, index=s.index, dtype=object),
            f"restricted mean to {self.horizon_months_:.2f} months": s["restricted_mean_months"]
            .round(2)
            .astype(object),
            "Hardt 2012 Table 1 mean (70 operations)": pd.Series(
                [PAPER_TABLE_1_MONTHS.get(str(g).upper(), float("nan")) for g in s.index], index=s.index, dtype=object
            ),
        }
        table = pd.DataFrame(rows).T
        table.columns.name = self.group_col
        return table

    def plot_survival(
        self, ax: Axes | None = None, *, ci: bool = True, linestyle: str = "-", max_months: float | None = None
    ) -> Axes:
        """Kaplan-Meier curves (share of operations not yet started) with confidence bands.

        ``max_months`` cuts the time axis; by default it ends at 1.5 times the longest
        observed start, so long censored tails do not squash the curves (the title then
        says so).

        Examples
        --------
        >>> frame = pd.DataFrame({"organization": ["A", "A", "B"], "response_months": [1.0, 2.0, 3.0],
        ...                       "started": [True, False, True]})
        >>> ResponseSurvival().fit(frame).plot_survival().get_xlabel()
        'months since the demand'
        """
        self._check_fitted()
        ax = _new_axes(ax)
        colors = _group_colors(self.groups_)
        for group, kmf in self.fitters_.items():
            kmf.plot_survival_function(
                ax=ax,
                ci_show=ci,
                color=colors[group],
                linestyle=linestyle,
                show_censors=True,
                censor_styles={"ms": 5, "marker": "|"},
            )
        ax.set_xlabel("months since the demand")
        ax.set_ylabel("share of operations not yet started")
        ax.set_ylim(0, 1.02)
        title = f"Kaplan-Meier response curves ({100 * (1 - self.alpha):.0f}% bands)"
        limit = max_months if max_months is not None else _default_limit(self.data_, self.duration_col, self.event_col)
        if limit is not None and limit < float(self.data_[self.duration_col].max()):
            ax.set_xlim(0, limit)
            title += (
                f"\naxis cut at {limit:.1f} months; censored durations run to "
                f"{float(self.data_[self.duration_col].max()):.1f}"
            )
        ax.set_title(title)
        ax.legend(title=self.group_col, frameon=False)
        return ax

    def _check_fitted(self) -> None:
        if not hasattr(self, "fitters_"):
            raise CorridorsError("call fit(durations) first")


def _default_limit(data: pd.DataFrame, duration_col: str, event_col: str) -> float | None:
    started = data.loc[data[event_col], duration_col]
    if started.empty:
        return None
    return float(1.5 * started.max())


def _restricted_mean_se(kmf: KaplanMeierFitter, horizon: float) -> float:
    """Standard error of the KM restricted mean (Klein and Moeschberger 2003, eq. 4.5.1).

    ``Var = sum_{t_i <= tau} A_i^2 d_i / (Y_i (Y_i - d_i))`` with ``A_i`` the area under the
    KM curve from ``t_i`` to ``tau``; a time where every subject at risk starts adds no term.
    """
    table = kmf.event_table
    times = table.index.to_numpy(dtype=float)
    survival = kmf.survival_function_.iloc[:, 0].reindex(times).to_numpy(dtype=float)
    variance = 0.0
    for k, t in enumerate(times):
        d = float(table["observed"].iloc[k])
        y = float(table["at_risk"].iloc[k])
        if t > horizon or d == 0 or y <= d:
            continue
        grid = np.append(times[(times >= t) & (times < horizon)], horizon)
        steps = survival[(times >= t) & (times < horizon)]
        area = float(np.sum(steps * np.diff(grid)))
        variance += area**2 * d / (y * (y - d))
    return math.sqrt(variance)


def _group_colors(groups: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {g: cmap(i % 10) for i, g in enumerate(groups)}


# --------------------------------------------------------------------------- Cox model


class ResponseCox:
    """Cox proportional-hazards model of the start hazard on covariates, with its PH check.

    A hazard ratio above 1 means a faster start. With organization-level covariates (formal
    meetings per week, committee size) the model compares few organizations: read it as
    descriptive.

    Parameters
    ----------
    covariates
        Covariate columns of the durations frame (see :func:`add_organization_covariates`).
    penalizer
        L2 penalty passed to lifelines (0: the plain partial likelihood).
    alpha
        1 - confidence level of the intervals.

    Attributes
    ----------
    model_ : lifelines.CoxPHFitter
    assumptions_ : pandas.DataFrame
        Proportional-hazards test per covariate (Schoenfeld residuals, rank time transform):
        test_statistic, p.
    dropped_rows_ : int
        Rows left out because a covariate is missing.

    Examples
    --------
    >>> frame = pd.DataFrame({"response_months": [1, 2, 3, 4, 5, 6, 7, 8.0],
    ...                       "started": [True, True, False, True, True, True, False, True],
    ...                       "meetings_per_week": [0.5, 0.5, 1, 0.5, 2, 2, 1, 2]})
    >>> cox = ResponseCox(covariates=["meetings_per_week"]).fit(frame)
    >>> list(cox.summary.index)
    ['meetings_per_week']
    """

    def __init__(
        self,
        *,
        covariates: Sequence[str] = ("formal_meetings_per_week", "committee_members"),
        penalizer: float = 0.0,
        alpha: float = 0.05,
        duration_col: str = _DURATION,
        event_col: str = _EVENT,
    ) -> None:
        if not covariates:
            raise CorridorsError("the Cox model needs at least one covariate")
        if penalizer < 0:
            raise CorridorsError(f"penalizer must be >= 0, got {penalizer}")
        self.covariates = list(covariates)
        self.penalizer = penalizer
        self.alpha = alpha
        self.duration_col = duration_col
        self.event_col = event_col

    def fit(self, durations: pd.DataFrame) -> ResponseCox:
        """Fit the model and test the proportional-hazards assumption."""
        from lifelines import CoxPHFitter
        from lifelines.exceptions import ConvergenceError
        from lifelines.statistics import proportional_hazard_test

        missing = [c for c in self.covariates if c not in durations.columns]
        if missing:
            raise CorridorsError(
                [
                    f"Cox covariate '{c}' is not a column of the data (add_organization_covariates adds "
                    "formal_meetings_per_week and committee_members)"
                    for c in missing
                ]
            )
        df = _check_durations(durations, self.duration_col, self.event_col, None)
        columns = [self.duration_col, self.event_col, *self.covariates]
        data = df[columns].copy()
        for c in self.covariates:
            data[c] = pd.to_numeric(data[c], errors="coerce")
        complete = data.dropna()
        self.dropped_rows_ = len(data) - len(complete)
        constant = [c for c in self.covariates if complete[c].nunique() < 2]
        if constant:
            raise CorridorsError([f"Cox covariate '{c}' does not vary across the rows used; drop it" for c in constant])
        if int(complete[self.event_col].sum()) < 2:
            raise CorridorsError("the Cox model needs at least two started operations")
        model = CoxPHFitter(penalizer=self.penalizer, alpha=self.alpha)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(complete, duration_col=self.duration_col, event_col=self.event_col)
        except ConvergenceError as exc:
            first = str(exc).strip().splitlines()[0]
            raise CorridorsError(
                f"the Cox model did not converge ({first}); try a penalizer such as 0.1 or fewer covariates"
            ) from None
        self.model_: CoxPHFitter = model
        self.data_ = complete
        self.summary = model.summary
        self.concordance_ = float(model.concordance_index_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = proportional_hazard_test(model, complete, time_transform="rank")
        table = test.summary[["test_statistic", "p"]].copy()
        table.index = [str(i[0]) if isinstance(i, tuple) else str(i) for i in table.index]
        table.index.name = "covariate"
        self.assumptions_ = table
        return self

    def plot_coefficients(self, ax: Axes | None = None) -> Axes:
        """Log hazard ratios with confidence intervals.

        Examples
        --------
        >>> frame = pd.DataFrame({"response_months": [1, 2, 3, 4, 5, 6.0], "started": [True] * 6,
        ...                       "x": [0, 1, 0, 1, 0, 2]})
        >>> ResponseCox(covariates=["x"]).fit(frame).plot_coefficients().get_xlabel()
        'log hazard ratio of starting (95% CI)'
        """
        if not hasattr(self, "model_"):
            raise CorridorsError("call fit(durations) first")
        ax = _new_axes(ax)
        self.model_.plot(ax=ax)
        ax.set_xlabel(f"log hazard ratio of starting ({100 * (1 - self.alpha):.0f}% CI)")
        return ax


# --------------------------------------------------------------------------- discrete time


def person_periods(
    durations: pd.DataFrame,
    *,
    period_months: float = 1.0,
    duration_col: str = _DURATION,
    event_col: str = _EVENT,
) -> pd.DataFrame:
    """Expand durations into person-period rows (Beck, Katz and Tucker 1998).

    An operation observed for ``d`` months contributes periods 1..ceil(d / period_months)
    (at least one); ``event`` is 1 in its last period if it started, else 0 throughout.
    Other columns are copied; ``unit`` numbers the operations.

    Examples
    --------
    >>> frame = pd.DataFrame({"response_months": [2.5, 1.0], "started": [True, False]})
    >>> person_periods(frame)[["unit", "period", "event"]].values.tolist()
    [[0, 1, 0], [0, 2, 0], [0, 3, 1], [1, 1, 0]]
    """
    if period_months <= 0:
        raise CorridorsError(f"period_months must be positive, got {period_months}")
    df = _check_durations(durations, duration_col, event_col, None).reset_index(drop=True)
    counts = np.maximum(1, np.ceil(df[duration_col].to_numpy() / period_months - 1e-9)).astype(int)
    index = np.repeat(np.arange(len(df)), counts)
    out = df.iloc[index].reset_index(drop=True)
    out.insert(0, "unit", index)
    period = np.concatenate([np.arange(1, n + 1) for n in counts]) if len(counts) else np.array([], int)
    out.insert(1, "period", period)
    last = np.concatenate([[False] * (n - 1) + [True] for n in counts]) if len(counts) else np.array([], bool)
    out["event"] = (last & out[event_col].to_numpy()).astype(int)
    return out


TimeTerms = Literal["log", "cubic", "dummies"]


class DiscreteTimeLogit:
    """Discrete-time logit duration model on person-period data (Beck, Katz and Tucker 1998).

    The hazard of starting in period t is ``logit(h_t) = g(t) + x'b``, fitted by
    statsmodels' ``Logit`` on :func:`person_periods` rows.

    Parameters
    ----------
    covariates
        Covariate columns of the durations frame (may be empty).
    period_months
        Length of one period (1: monthly periods).
    time_terms
        ``log`` (intercept + log t, the default: robust with few events), ``cubic``
        (intercept + t, t², t³ with t in years; Carter and Signorino 2010) or ``dummies``
        (one intercept per period, the original BKT form; needs a start in every period).

    Attributes
    ----------
    person_period_ : pandas.DataFrame
    result_ : statsmodels result
    hazard_ : pandas.DataFrame
        Fitted hazard per period at the covariates' means.

    Examples
    --------
    >>> frame = pd.DataFrame({"response_months": [0.5, 1.5, 1.2, 2.5, 3.0, 2.2],
    ...                       "started": [True, True, False, True, True, True]})
    >>> model = DiscreteTimeLogit(time_terms="dummies").fit(frame)
    >>> model.hazard_["hazard"].round(3).tolist()  # life table: 1/6, 1/5, 3/3
    [0.167, 0.2, 1.0]
    """

    def __init__(
        self,
        *,
        covariates: Sequence[str] = (),
        period_months: float = 1.0,
        time_terms: TimeTerms = "log",
        duration_col: str = _DURATION,
        event_col: str = _EVENT,
    ) -> None:
        if time_terms not in ("log", "cubic", "dummies"):
            raise CorridorsError(f"time_terms must be log, cubic or dummies, got '{time_terms}'")
        if period_months <= 0:
            raise CorridorsError(f"period_months must be positive, got {period_months}")
        self.covariates = list(covariates)
        self.period_months = period_months
        self.time_terms = time_terms
        self.duration_col = duration_col
        self.event_col = event_col

    def _design(self, periods: pd.DataFrame, covariate_values: pd.DataFrame) -> pd.DataFrame:
        t = periods["period"].to_numpy(dtype=float)
        X = pd.DataFrame(index=periods.index)
        if self.time_terms == "dummies":
            for k in self.periods_:
                X[f"period_{k}"] = (t == k).astype(float)
        else:
            X["const"] = 1.0
            if self.time_terms == "log":
                X["log_period"] = np.log(t)
            else:
                years = t * self.period_months / 12.0
                X["t_years"] = years
                X["t_years_2"] = years**2
                X["t_years_3"] = years**3
        for c in self.covariates:
            X[c] = covariate_values[c].to_numpy(dtype=float)
        return X

    def fit(self, durations: pd.DataFrame) -> DiscreteTimeLogit:
        """Build person-period data and fit the logit."""
        import statsmodels.api as sm

        missing = [c for c in self.covariates if c not in durations.columns]
        if missing:
            raise CorridorsError([f"logit covariate '{c}' is not a column of the data" for c in missing])
        data = durations.copy()
        for c in self.covariates:
            data[c] = pd.to_numeric(data[c], errors="coerce")
        data = data.dropna(subset=self.covariates)
        periods = person_periods(
            data, period_months=self.period_months, duration_col=self.duration_col, event_col=self.event_col
        )
        if periods["event"].sum() < 1:
            raise CorridorsError("the discrete-time logit needs at least one started operation")
        self.periods_ = sorted(int(k) for k in periods["period"].unique())
        if self.time_terms == "dummies":
            events = periods.groupby("period")["event"].agg(["sum", "count"])
            empty = [int(k) for k in events.index[events["sum"] == 0]]
            full = [int(k) for k in events.index[events["sum"] == events["count"]]]
            if empty:
                shown = ", ".join(map(str, empty[:10])) + (" ..." if len(empty) > 10 else "")
                raise CorridorsError(
                    f"time_terms=dummies: no operation starts in period(s) {shown}, so their hazard is 0 and the "
                    "logit has no finite estimate; use time_terms=log or cubic, or longer periods"
                )
            self._certain = full
        X = self._design(periods, periods)
        y = periods["event"].to_numpy(dtype=float)
        certain = [f"period_{k}" for k in getattr(self, "_certain", [])] if self.time_terms == "dummies" else []
        fit_columns = [c for c in X.columns if c not in certain]
        rows = np.ones(len(X), dtype=bool)
        for c in certain:
            rows &= X[c].to_numpy() == 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = sm.Logit(y[rows], X.loc[rows, fit_columns]).fit(disp=0, maxiter=200)
            except np.linalg.LinAlgError:
                raise CorridorsError(
                    "the discrete-time logit's design is singular (a covariate is constant or collinear "
                    "with time); drop it"
                ) from None
            except Exception as exc:
                if "separation" in str(exc).lower():
                    raise CorridorsError(
                        "the discrete-time logit has perfect separation; use fewer covariates or time_terms=log"
                    ) from None
                raise
        self.person_period_ = periods
        self.result_ = result
        conf = result.conf_int()
        self.summary = pd.DataFrame(
            {
                "coef": result.params,
                "std_err": result.bse,
                "z": result.tvalues,
                "p": result.pvalues,
                "coef_lower": conf[0],
                "coef_upper": conf[1],
                "odds_ratio": np.exp(result.params),
            }
        )
        self.summary.index.name = "term"
        self.converged_ = bool(result.mle_retvals.get("converged", True))
        means = pd.DataFrame(
            {c: np.full(len(self.periods_), data[c].mean()) for c in self.covariates}, index=range(len(self.periods_))
        )
        grid = pd.DataFrame({"period": self.periods_})
        design = self._design(grid, means)
        eta = np.zeros(len(grid))
        for name, coef in result.params.items():
            eta += design[name].to_numpy() * coef
        hazard = 1.0 / (1.0 + np.exp(-eta))
        for c in certain:
            hazard[design[c].to_numpy() == 1] = 1.0
        self.hazard_ = pd.DataFrame(
            {
                "period": self.periods_,
                "start_months": [(k - 1) * self.period_months for k in self.periods_],
                "hazard": hazard,
            }
        )
        return self

    def plot_hazard(self, ax: Axes | None = None) -> Axes:
        """Fitted hazard of starting per period, at the covariates' means.

        Examples
        --------
        >>> frame = pd.DataFrame({"response_months": [0.5, 1.5, 2.5, 1.2], "started": [True, True, True, False]})
        >>> DiscreteTimeLogit().fit(frame).plot_hazard().get_ylabel()
        'hazard of starting per period'
        """
        if not hasattr(self, "hazard_"):
            raise CorridorsError("call fit(durations) first")
        ax = _new_axes(ax)
        ax.step(self.hazard_["start_months"], self.hazard_["hazard"], where="post")
        ax.set_xlabel("months since the demand")
        ax.set_ylabel("hazard of starting per period")
        return ax


# --------------------------------------------------------------------------- observed vs simulated


class ObservedVsSimulated:
    """Observed against simulated response times: KM curves, log-rank and KS per organization.

    Parameters
    ----------
    match
        Observed organization -> simulated scenario label. Default: equal names ignoring
        case (``EU`` <-> ``eu``).
    alpha
        1 - confidence level of the bands.

    Attributes
    ----------
    pairs_ : list[tuple[str, str]]
    observed_, simulated_ : ResponseSurvival

    Notes
    -----
    The Kolmogorov-Smirnov test compares the durations of *started* operations and
    *decided* runs only: it ignores censoring, unlike the log-rank test.

    Examples
    --------
    >>> observed = pd.DataFrame({"organization": ["EU"] * 4, "response_months": [1.0, 3, 5, 7],
    ...                          "started": [True] * 4})
    >>> simulated = pd.DataFrame({"organization": ["eu"] * 5, "response_months": [2.0, 3, 4, 6, 24],
    ...                           "started": [True, True, True, True, False]})
    >>> ObservedVsSimulated().fit(observed, simulated).summary.index.tolist()
    ['EU']
    """

    def __init__(self, *, match: Mapping[str, str] | None = None, alpha: float = 0.05) -> None:
        self.match = dict(match or {})
        self.alpha = alpha

    def fit(self, observed: pd.DataFrame, simulated: pd.DataFrame) -> ObservedVsSimulated:
        """Pair organizations with scenarios and compare their durations."""
        from lifelines.statistics import logrank_test
        from scipy.stats import ks_2samp

        obs = _check_durations(observed, _DURATION, _EVENT, _GROUP)
        sim = _check_durations(simulated, _DURATION, _EVENT, _GROUP)
        obs_groups = sorted(obs[_GROUP].unique())
        sim_groups = sorted(sim[_GROUP].unique())
        pairs: list[tuple[str, str]] = []
        problems = []
        if self.match:
            for o, s in self.match.items():
                if o not in obs_groups:
                    problems.append(
                        f"--match {o}={s}: no observed organization '{o}' (observed: {', '.join(obs_groups)})"
                    )
                elif s not in sim_groups:
                    problems.append(
                        f"--match {o}={s}: no simulated scenario '{s}' (simulated: {', '.join(sim_groups)})"
                    )
                else:
                    pairs.append((o, s))
        else:
            lower = {s.lower(): s for s in sim_groups}
            pairs = [(o, lower[o.lower()]) for o in obs_groups if o.lower() in lower]
            if not pairs:
                problems.append(
                    f"no observed organization matches a simulated scenario (observed: {', '.join(obs_groups)}; "
                    f"simulated: {', '.join(sim_groups)}); pair them with --match ORGANIZATION=SCENARIO"
                )
        if problems:
            raise CorridorsError(problems)
        self.pairs_ = pairs
        rows = []
        for o, s in pairs:
            a = obs[obs[_GROUP] == o]
            b = sim[sim[_GROUP] == s]
            lr = logrank_test(a[_DURATION], b[_DURATION], a[_EVENT], b[_EVENT])
            a_started = a.loc[a[_EVENT], _DURATION]
            b_started = b.loc[b[_EVENT], _DURATION]
            if len(a_started) and len(b_started):
                ks = ks_2samp(a_started, b_started)
                ks_stat, ks_p = float(ks.statistic), float(ks.pvalue)
            else:
                ks_stat = ks_p = float("nan")
            rows.append(
                {
                    "organization": o,
                    "scenario": s,
                    "observed": len(a),
                    "simulated": len(b),
                    "logrank_statistic": float(lr.test_statistic),
                    "logrank_p": float(lr.p_value),
                    "ks_statistic": ks_stat,
                    "ks_p": ks_p,
                }
            )
        keep_obs = obs[obs[_GROUP].isin([o for o, _ in pairs])]
        keep_sim = sim[sim[_GROUP].isin([s for _, s in pairs])]
        self.observed_ = ResponseSurvival(alpha=self.alpha).fit(keep_obs)
        self.simulated_ = ResponseSurvival(alpha=self.alpha).fit(keep_sim)
        table = pd.DataFrame(rows).set_index("organization")
        table.insert(3, "observed_median_months", [self.observed_.summary.loc[o, "median_months"] for o, _ in pairs])
        table.insert(4, "simulated_median_months", [self.simulated_.summary.loc[s, "median_months"] for _, s in pairs])
        table.insert(5, "simulated_decided_share", [float(sim.loc[sim[_GROUP] == s, _EVENT].mean()) for _, s in pairs])
        self.summary = table
        return self

    def plot_survival(self, ax: Axes | None = None, *, max_months: float | None = None) -> Axes:
        """Observed (solid, with bands) and simulated (dashed) KM curves, one colour per organization.

        ``max_months`` cuts the time axis (default: 1.5 times the longest start).

        Examples
        --------
        >>> observed = pd.DataFrame({"organization": ["EU"] * 3, "response_months": [1.0, 3, 5],
        ...                          "started": [True] * 3})
        >>> simulated = pd.DataFrame({"organization": ["eu"] * 3, "response_months": [2.0, 3, 4],
        ...                           "started": [True] * 3})
        >>> ax = ObservedVsSimulated().fit(observed, simulated).plot_survival()
        >>> len(ax.get_legend().get_texts())
        2
        """
        if not hasattr(self, "pairs_"):
            raise CorridorsError("call fit(observed, simulated) first")
        ax = _new_axes(ax)
        colors = _group_colors([o for o, _ in self.pairs_])
        for o, s in self.pairs_:
            self.observed_.fitters_[o].plot_survival_function(
                ax=ax,
                ci_show=True,
                color=colors[o],
                label=f"{o} observed",
                show_censors=True,
                censor_styles={"ms": 5, "marker": "|"},
            )
            self.simulated_.fitters_[s].plot_survival_function(
                ax=ax, ci_show=False, color=colors[o], linestyle="--", label=f"{s} simulated"
            )
        ax.set_xlabel("months since the demand")
        ax.set_ylabel("share not yet started")
        ax.set_ylim(0, 1.02)
        title = "Observed (solid) and simulated (dashed) response times"
        both = pd.concat([self.observed_.data_, self.simulated_.data_], ignore_index=True)
        limit = max_months if max_months is not None else _default_limit(both, _DURATION, _EVENT)
        if limit is not None and limit < float(both[_DURATION].max()):
            ax.set_xlim(0, limit)
            title += f"\naxis cut at {limit:.1f} months; censored durations run to {float(both[_DURATION].max()):.1f}"
        ax.set_title(title)
        ax.legend(frameon=False)
        return ax


# --------------------------------------------------------------------------- one report


@dataclass
class SurvivalReport:
    """Everything ``corridors data describe`` prints: Table 1, log-rank, Cox, logit.

    Attributes
    ----------
    survival : ResponseSurvival
    cox : ResponseCox or None
    logit : DiscreteTimeLogit or None
    skipped : list[str]
        Analyses that could not run, with the reason.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["A", "A", "B", "B"], "response_months": [1.0, 2, 3, 4],
    ...                       "started": [True] * 4})
    >>> report = describe_durations(frame, covariates=())
    >>> report.text().splitlines()[0]
    'Response times, demand to start (Table 1 style)'
    """

    survival: ResponseSurvival
    cox: ResponseCox | None = None
    logit: DiscreteTimeLogit | None = None
    skipped: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The report as plain text."""
        blocks = []
        with pd.option_context(
            "display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format
        ):
            blocks.append("Response times, demand to start (Table 1 style)\n" + self.survival.table1().to_string())
            if self.survival.logrank_overall_ is not None:
                lr = self.survival.logrank_overall_.iloc[0]
                blocks.append(
                    f"Log-rank test, all groups: chi2 = {lr['test_statistic']:.3f}, "
                    f"df = {int(lr['degrees_of_freedom'])}, p = {lr['p']:.4f}"
                )
            if self.survival.logrank_pairwise_ is not None:
                blocks.append("Pairwise log-rank tests\n" + self.survival.logrank_pairwise_.to_string())
            if self.cox is not None:
                cols = ["coef", "exp(coef)", "exp(coef) lower 95%", "exp(coef) upper 95%", "p"]
                shown = self.cox.summary[[c for c in cols if c in self.cox.summary.columns]]
                extra = (
                    f", {self.cox.dropped_rows_} row(s) without covariates left out" if self.cox.dropped_rows_ else ""
                )
                blocks.append(
                    f"Cox proportional hazards of starting (n = {len(self.cox.data_)}{extra}; "
                    f"concordance {self.cox.concordance_:.3f})\n"
                    + shown.to_string()
                    + "\nProportional-hazards check (Schoenfeld residuals, rank time)\n"
                    + self.cox.assumptions_.to_string()
                )
            if self.logit is not None:
                blocks.append(
                    f"Discrete-time logit (Beck, Katz and Tucker 1998; {self.logit.period_months:g}-month periods, "
                    f"time terms: {self.logit.time_terms}; {len(self.logit.person_period_)} person-periods)\n"
                    + self.logit.summary[["coef", "std_err", "p", "odds_ratio"]].to_string()
                )
        blocks.extend(f"skipped: {reason}" for reason in self.skipped)
        return "\n\n".join(blocks)

    def plot(self, path: str | Path) -> Path:
        """Write the Kaplan-Meier figure to ``path`` (PNG, PDF or SVG by extension)."""
        return save_figure(self.survival.plot_survival(), path)


def save_figure(ax: Axes, path: str | Path) -> Path:
    """Write the figure of ``ax`` to ``path`` (.png, .pdf or .svg) and return the path.

    Examples
    --------
    >>> import tempfile, os
    >>> frame = pd.DataFrame({"organization": ["A"], "response_months": [1.0], "started": [True]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_figure(ResponseSurvival().fit(frame).plot_survival(), os.path.join(folder, "km.png")).name
    'km.png'
    """
    file = Path(path)
    if file.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise CorridorsError(f"{path}: figures are written as .png, .pdf or .svg")
    if not file.parent.exists():
        raise CorridorsError(f"{path}: folder {file.parent} does not exist")
    from matplotlib.figure import Figure

    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    figure.savefig(file, dpi=150)
    return file


def describe_durations(
    durations: pd.DataFrame,
    *,
    covariates: Sequence[str] = ("formal_meetings_per_week", "committee_members"),
    alpha: float = 0.05,
    horizon_months: float | None = None,
    period_months: float = 1.0,
    time_terms: TimeTerms = "log",
    penalizer: float = 0.0,
) -> SurvivalReport:
    """Kaplan-Meier, log-rank, Cox and discrete-time logit on one durations frame.

    Organization-level covariates (:func:`add_organization_covariates`) are added when
    named. A model that cannot be fitted on the data (too few events, a constant
    covariate) is skipped with its reason rather than stopping the report.

    Examples
    --------
    >>> from corridors.empirical.datasets import load_peace_operations, example_path
    >>> report = describe_durations(load_peace_operations(example_path()).durations())
    >>> report.survival.summary.loc["EU", "operations"]
    np.int64(10)
    """
    survival = ResponseSurvival(alpha=alpha, horizon_months=horizon_months).fit(durations)
    report = SurvivalReport(survival=survival)
    data = add_organization_covariates(durations, covariates=covariates) if covariates else durations
    if covariates:
        try:
            report.cox = ResponseCox(covariates=covariates, penalizer=penalizer, alpha=alpha).fit(data)
        except CorridorsError as exc:
            report.skipped.append("Cox model: " + "; ".join(exc.problems))
    try:
        report.logit = DiscreteTimeLogit(covariates=covariates, period_months=period_months, time_terms=time_terms).fit(
            data
        )
    except CorridorsError as exc:
        report.skipped.append("discrete-time logit: " + "; ".join(exc.problems))
    return report
