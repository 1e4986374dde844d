"""Deployment lags per organization, estimated from the shipped sample of real operations (ODD 7.11).

The lag from the formal decision to the start on the ground is an input from data, not a
parameter fitted to Table 1. Estimator: the method of moments on the timed operations of
an organization (mean, and coefficient of variation = sample standard deviation / mean),
which needs no log of a zero-day lag; organizations with fewer than :data:`MIN_OPERATIONS`
timed operations take the pooled estimate over all organizations.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["MIN_OPERATIONS", "deployment_lag_estimates"]

MIN_OPERATIONS = 3
"""Fewest timed operations for an organization's own estimate; below it the pooled one is used."""


def _sample_path() -> Path:
    return Path(__file__).resolve().parent.parent / "empirical" / "data" / "peace_ops_sample.csv"


def deployment_lag_estimates(
    path: str | Path | None = None, organizations: tuple[str, ...] = ("AU", "EU", "OAS", "OSCE", "UNSC")
) -> pd.DataFrame:
    """Mean and coefficient of variation of decision-to-start days, per organization.

    Columns: ``organization``, ``n`` (its timed operations), ``mean_days``, ``cv`` and
    ``pooled`` (True where the pooled estimate over every organization is used).

    Examples
    --------
    >>> table = deployment_lag_estimates()
    >>> bool(table.set_index("organization").loc["OAS", "pooled"])
    True
    """
    frame = pd.read_csv(path or _sample_path(), parse_dates=["decision_date", "start_date"])
    lag = (frame["start_date"] - frame["decision_date"]).dt.days
    timed = frame.assign(lag_days=lag).dropna(subset=["lag_days"])

    def moments(values: pd.Series) -> tuple[float, float]:
        mean = float(values.mean())
        return mean, float(values.std(ddof=1) / mean)

    pooled_mean, pooled_cv = moments(timed["lag_days"])
    rows = []
    for org in organizations:
        own = timed.loc[timed["org"] == org, "lag_days"]
        if len(own) >= MIN_OPERATIONS:
            mean, cv = moments(own)
            rows.append((org, len(own), mean, cv, False))
        else:
            rows.append((org, len(own), pooled_mean, pooled_cv, True))
    return pd.DataFrame(rows, columns=["organization", "n", "mean_days", "cv", "pooled"])
