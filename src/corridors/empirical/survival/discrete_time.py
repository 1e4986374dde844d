"""Discrete-time logit duration model on person-period data (Beck, Katz and Tucker 1998)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from corridors.empirical.survival._common import (
    _DURATION,
    _EVENT,
    _check_durations,
    _new_axes,
)


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
    Other columns are copied; ``unit`` numbers the operations. One row per person-period
    (many times the durations): :func:`person_period_counts` gives the same data counted.

    Examples
    --------
    >>> frame = pd.DataFrame({"response_months": [2.5, 1.0], "started": [True, False]})
    >>> person_periods(frame)[["unit", "period", "event"]].values.tolist()
    [[0, 1, 0], [0, 2, 0], [0, 3, 1], [1, 1, 0]]
    """
    if period_months <= 0:
        raise CorridorsError(f"period_months must be positive, got {period_months}")
    df = _check_durations(durations, duration_col, event_col, None).reset_index(drop=True)
    counts = _periods_at_risk(df[duration_col].to_numpy(dtype=float), period_months)
    index = np.repeat(np.arange(len(df)), counts)
    out = df.iloc[index].reset_index(drop=True)
    out.insert(0, "unit", index)
    period = np.arange(len(index)) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    out.insert(1, "period", period)
    last = period == np.repeat(counts, counts)
    out["event"] = (last & out[event_col].to_numpy()).astype(int)
    return out


def _periods_at_risk(durations: np.ndarray, period_months: float) -> np.ndarray:
    """Periods each operation is at risk: ceil(d / period_months), at least one."""
    return np.maximum(1, np.ceil(durations / period_months - 1e-9)).astype(np.int64)


def person_period_counts(
    durations: pd.DataFrame,
    *,
    covariates: Sequence[str] = (),
    period_months: float = 1.0,
    duration_col: str = _DURATION,
    event_col: str = _EVENT,
) -> pd.DataFrame:
    """The person-period data of :func:`person_periods`, counted per (covariate pattern, period).

    One row per covariate pattern and period 1..(the pattern's longest duration): ``at_risk``
    operations observed in that period and ``events`` among them that start in it. A
    binomial model on these counts has the likelihood of the logit on the expanded rows,
    but the table grows with the number of patterns times periods, not with the
    person-periods (a million operations followed for years would be billions of rows).
    Covariates must be numeric and complete.

    Examples
    --------
    >>> frame = pd.DataFrame({"response_months": [2.5, 1.0, 2.2], "started": [True, False, True]})
    >>> person_period_counts(frame).values.tolist()
    [[1, 3, 0], [2, 2, 0], [3, 2, 2]]
    """
    if period_months <= 0:
        raise CorridorsError(f"period_months must be positive, got {period_months}")
    covariates = list(covariates)
    n = _periods_at_risk(durations[duration_col].to_numpy(dtype=float), period_months)
    ended = durations[event_col].to_numpy(dtype=bool)
    if covariates and len(durations):
        values = durations[covariates].to_numpy(dtype=float)
        patterns, codes = np.unique(values, axis=0, return_inverse=True)
        codes = codes.reshape(-1).astype(np.int64)
    else:
        patterns, codes = np.empty((1, 0)), np.zeros(len(n), dtype=np.int64)
    span = int(n.max()) + 1 if len(n) else 1
    longest = np.zeros(len(patterns), dtype=np.int64)
    np.maximum.at(longest, codes, n)
    # an operation of pattern g observed for n periods is the sorted key g * span + n: the
    # operations at risk in period k of g are the keys in [g * span + k, (g + 1) * span)
    keys = np.sort(codes * span + n)
    event_keys = np.sort((codes * span + n)[ended])
    group = np.repeat(np.arange(len(patterns), dtype=np.int64), longest)
    starts = np.repeat(np.cumsum(longest) - longest, longest)
    period = np.arange(len(group), dtype=np.int64) - starts + 1
    cell = group * span + period
    at_risk = np.searchsorted(keys, (group + 1) * span) - np.searchsorted(keys, cell)
    events = np.searchsorted(event_keys, cell, side="right") - np.searchsorted(event_keys, cell)
    table = pd.DataFrame({"period": period})
    for j, c in enumerate(covariates):
        table[c] = patterns[group, j]
    table["at_risk"] = at_risk
    table["events"] = events
    return table


TimeTerms = Literal["log", "cubic", "dummies"]


class DiscreteTimeLogit:
    """Discrete-time logit duration model on person-period data (Beck, Katz and Tucker 1998).

    The hazard of starting in period t is ``logit(h_t) = g(t) + x'b``, fitted as a binomial
    GLM (statsmodels) on the person-period data counted per covariate pattern and period
    (:func:`person_period_counts`): the same coefficients and standard errors as a
    ``Logit`` on the :func:`person_periods` rows, without ever building those rows.

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
    person_period_counts_ : pandas.DataFrame
        period, covariates, at_risk and events per covariate pattern and period.
    n_person_periods_ : int
        Person-periods the model is fitted on (the rows :func:`person_periods` would make).
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
        """Count the person-periods per covariate pattern and period, and fit the logit on the counts."""
        import statsmodels.api as sm

        missing = [c for c in self.covariates if c not in durations.columns]
        if missing:
            raise CorridorsError([f"logit covariate '{c}' is not a column of the data" for c in missing])
        columns = list(dict.fromkeys([self.duration_col, self.event_col, *self.covariates]))
        data = _check_durations(
            durations[[c for c in columns if c in durations.columns]], self.duration_col, self.event_col, None
        )
        for c in self.covariates:
            data[c] = pd.to_numeric(data[c], errors="coerce")
        data = data.dropna(subset=self.covariates)
        counts = person_period_counts(
            data,
            covariates=self.covariates,
            period_months=self.period_months,
            duration_col=self.duration_col,
            event_col=self.event_col,
        )
        if counts["events"].sum() < 1:
            raise CorridorsError("the discrete-time logit needs at least one started operation")
        self.periods_ = sorted(int(k) for k in counts["period"].unique())
        if self.time_terms == "dummies":
            events = counts.groupby("period")[["events", "at_risk"]].sum()
            empty = [int(k) for k in events.index[events["events"] == 0]]
            full = [int(k) for k in events.index[events["events"] == events["at_risk"]]]
            if empty:
                shown = ", ".join(map(str, empty[:10])) + (" ..." if len(empty) > 10 else "")
                raise CorridorsError(
                    f"time_terms=dummies: no operation starts in period(s) {shown}, so their hazard is 0 and the "
                    "logit has no finite estimate; use time_terms=log or cubic, or longer periods"
                )
            self._certain = full
        X = self._design(counts, counts)
        certain = [f"period_{k}" for k in getattr(self, "_certain", [])] if self.time_terms == "dummies" else []
        fit_columns = [c for c in X.columns if c not in certain]
        rows = np.ones(len(X), dtype=bool)
        for c in certain:
            rows &= X[c].to_numpy() == 0
        exog = X.loc[rows, fit_columns]
        if np.linalg.matrix_rank(exog.to_numpy()) < len(fit_columns):
            raise CorridorsError(
                "the discrete-time logit's design is singular (a covariate is constant or collinear with time); drop it"
            )
        started = counts["events"].to_numpy(dtype=float)[rows]
        not_started = counts["at_risk"].to_numpy(dtype=float)[rows] - started
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = sm.GLM(np.column_stack([started, not_started]), exog, family=sm.families.Binomial()).fit(
                    tol=1e-12, maxiter=200
                )
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
        self.person_period_counts_ = counts
        self.n_person_periods_ = int(counts["at_risk"].sum())
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
        self.converged_ = bool(result.converged)
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
