"""Kaplan-Meier curves, medians, restricted means and log-rank tests per organization."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridors import paper
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter
    from matplotlib.axes import Axes

from corridors.empirical.survival._common import (
    _DURATION,
    _EVENT,
    _GROUP,
    _check_durations,
    _default_limit,
    _group_colors,
    _new_axes,
    _restricted_mean_se,
)

MAX_HORIZON_MONTHS = 1200.0
"""Longest horizon of a restricted mean: a century (a larger one overflows the variance's sums)."""


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
        if horizon_months is not None and not horizon_months <= MAX_HORIZON_MONTHS:
            raise CorridorsError(
                f"horizon_months: {horizon_months:g} is beyond {MAX_HORIZON_MONTHS:g} months (a "
                "century); restricted means are taken within the data's follow-up"
            )
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

        needed = [c for c in (self.group_col, self.duration_col, self.event_col) if c in durations.columns]
        # only the three columns are copied and kept (data_): a large file's text columns are not
        df = _check_durations(durations[needed], self.duration_col, self.event_col, self.group_col)
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
                [paper.table1_months().get(str(g).upper(), float("nan")) for g in s.index], index=s.index, dtype=object
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
