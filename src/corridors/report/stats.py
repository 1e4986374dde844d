"""Summaries of simulated runs for the report: response months with their uncertainty.

The survival figures (decided share, Kaplan-Meier median with its interval, restricted
mean with its standard error, the curve's 2.5% and 97.5% points) are the one summary of a
run (:func:`corridors.engines.summary.survival_figures`) that ``corridors run`` prints and
the explorer shows; the report adds the plain mean over decided runs (Table 1 counts
operations that deployed) and the decision day.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from corridors._constants import Z95
from corridors.engines.summary import survival_figures

__all__ = ["Z95", "difference", "response_stats", "share_interval"]

"""The normal quantile of a two-sided 95% interval."""


def response_stats(rows: pd.DataFrame) -> dict[str, float]:
    """Response months of a set of runs: decided share, means with SEs, median and 95% range.

    - ``mean_months`` and ``mean_se``: over decided runs only (as Table 1 counts operations
      that deployed);
    - ``restricted_mean_months`` and ``restricted_se``: the area under the Kaplan-Meier curve
      up to the horizon and its SE (every run censored at the horizon; undecided runs and
      responses that end after it count as lasting the whole horizon);
    - ``median_months`` with ``median_lower``/``median_upper`` (the Kaplan-Meier median and
      its 95% interval; ``inf`` when not reached), and ``p025_months``/``p975_months``, the
      central 95% of response times read off the same curve.

    Examples
    --------
    >>> rows = pd.DataFrame({"decided": [True, True, True, False], "response_months": [1.0, 2.0, 3.0, None],
    ...                      "duration_days": [30.44, 60.88, 91.32, 365.0], "event": [True, True, True, False],
    ...                      "horizon_days": [365, 365, 365, 365], "decision_day": [5.0, 9.0, 20.0, None]})
    >>> s = response_stats(rows)
    >>> s["replications"], s["decided_share"], s["mean_months"], s["median_months"]
    (4, 0.75, 2.0, 2.0)
    """
    figures = survival_figures(rows)
    decided = rows["decided"].to_numpy(bool)
    months = rows["response_months"].to_numpy(float)
    d = months[decided & np.isfinite(months)]
    decision = rows["decision_day"].to_numpy(float)[decided] if "decision_day" in rows else np.array([])
    return {
        "replications": len(rows),
        "decided_share": figures["decided_share"],
        "mean_months": float(d.mean()) if len(d) else math.nan,
        "mean_se": float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan,
        "restricted_mean_months": figures["restricted_mean_months"],
        "restricted_se": figures["restricted_mean_se_months"],
        "median_months": figures["km_median_months"],
        "median_lower": figures["km_median_lower_months"],
        "median_upper": figures["km_median_upper_months"],
        "p025_months": figures["km_p025_months"],
        "p975_months": figures["km_p975_months"],
        "decision_days_mean": float(decision.mean()) if len(decision) else math.nan,
    }


def difference(a: float, a_se: float, b: float, b_se: float) -> tuple[float, float, float]:
    """b - a with the 95% interval of independent estimates: (change, lower, upper).

    Examples
    --------
    >>> [round(v, 3) for v in difference(5.0, 0.3, 4.0, 0.4)]
    [-1.0, -1.98, -0.02]
    """
    change = b - a
    se = math.sqrt(a_se**2 + b_se**2)
    return change, change - Z95 * se, change + Z95 * se


def share_interval(successes: int, n: int) -> tuple[float, float]:
    """Wilson's 95% interval of a share (sensible at 0 and at 1), by statsmodels.

    Examples
    --------
    >>> share_interval(0, 100)[0], round(share_interval(0, 100)[1], 3), share_interval(5, 5)[1]
    (0.0, 0.037, 1.0)
    """
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return math.nan, math.nan
    lower, upper = proportion_confint(successes, n, alpha=0.05, method="wilson")
    # exact at the ends, not 1e-19 off
    return (0.0 if successes == 0 else float(lower)), (1.0 if successes == n else float(upper))
