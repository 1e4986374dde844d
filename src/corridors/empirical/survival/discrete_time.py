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


