"""Summaries of simulated runs for the report: response months with their uncertainty.

Undecided runs are censored at the horizon, all at the same time, so the Kaplan-Meier
curve of the runs is their empirical distribution with the undecided at infinity: a
quantile is an order statistic of that distribution, or undefined (NaN) when more than
its share of runs are undecided.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH, Z95

__all__ = ["Z95", "difference", "response_stats", "share_interval"]

"""The normal quantile of a two-sided 95% interval."""


def _quantile(sorted_values: np.ndarray, q: float) -> float:
    """The q-quantile of ``sorted_values`` (inf where undecided; NaN if it falls there)."""
    n = len(sorted_values)
    k = min(n - 1, max(0, math.ceil(q * n) - 1))
    value = float(sorted_values[k])
    return value if math.isfinite(value) else math.nan


def response_stats(rows: pd.DataFrame) -> dict[str, float]:
    """Response months of a set of runs: decided share, means with SEs, median and 95% range.

    - ``mean_months`` and ``mean_se``: over decided runs only (as Table 1 counts operations
      that deployed);
    - ``restricted_mean_months`` and ``restricted_se``: undecided runs counted at the
      horizon (a lower bound when some are undecided; the calibration's measure);
    - ``median_months`` with ``median_lower``/``median_upper`` (a 95% order-statistic
      interval), and ``p025_months``/``p975_months``, the central 95% of response times.

    Examples
    --------
    >>> rows = pd.DataFrame({"decided": [True, True, True, False], "response_months": [1.0, 2.0, 3.0, None],
    ...                      "duration_days": [30.44, 60.88, 91.32, 365.0], "decision_day": [5.0, 9.0, 20.0, None]})
    >>> s = response_stats(rows)
    >>> s["replications"], s["decided_share"], s["mean_months"], s["median_months"]
    (4, 0.75, 2.0, 2.0)
    """
    n = len(rows)
    decided = rows["decided"].to_numpy(bool)
    months = rows["response_months"].to_numpy(float)
    duration = rows["duration_days"].to_numpy(float) / DAYS_PER_MONTH
    d = months[decided & np.isfinite(months)]
    timed = np.sort(np.where(decided & np.isfinite(months), months, np.inf))
    half = Z95 * math.sqrt(n) / 2.0
    lower_k, upper_k = max(1, math.floor(n / 2 - half)), min(n, math.ceil(n / 2 + half))
    decision = rows["decision_day"].to_numpy(float)[decided] if "decision_day" in rows else np.array([])
    return {
        "replications": n,
        "decided_share": float(decided.mean()) if n else math.nan,
        "mean_months": float(d.mean()) if len(d) else math.nan,
        "mean_se": float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan,
        "restricted_mean_months": float(duration.mean()) if n else math.nan,
        "restricted_se": float(duration.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan,
        "median_months": _quantile(timed, 0.5) if n else math.nan,
        "median_lower": float(timed[lower_k - 1]) if n and math.isfinite(timed[lower_k - 1]) else math.nan,
        "median_upper": float(timed[upper_k - 1]) if n and math.isfinite(timed[upper_k - 1]) else math.nan,
        "p025_months": _quantile(timed, 0.025) if n else math.nan,
        "p975_months": _quantile(timed, 0.975) if n else math.nan,
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
    """Wilson's 95% interval of a share (sensible at 0 and at 1).

    Examples
    --------
    >>> share_interval(0, 100)[0], round(share_interval(0, 100)[1], 3), share_interval(5, 5)[1]
    (0.0, 0.037, 1.0)
    """
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    z2 = Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lower = 0.0 if successes == 0 else max(0.0, centre - half)  # exact at the ends, not 1e-19 off
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return lower, upper
