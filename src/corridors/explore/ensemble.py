"""Many negotiations: the batch engine's response times, Kaplan-Meier curves, medians compared."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.engines import run_replications
from corridors.paper import mean_response_months
from corridors.scenario.schema import Scenario

__all__ = ["DAYS_PER_MONTH", "MedianDifference", "km_median", "median_difference", "paper_mean_days",
           "run_ensemble"]



def run_ensemble(scenario: Scenario, *, replications: int, seed: int = 0,
                 progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """``replications`` runs of the batch engine (the rows of ``corridors run``)."""
    return run_replications(scenario, replications=replications, seed=seed, engine="batch", progress=progress)


def paper_mean_days(scenario: Scenario) -> float | None:
    """Table 1's mean response time for the scenario's organization, in days (None if not in it)."""
    months = mean_response_months()
    key = scenario.name.upper()
    return float(months[key]) * DAYS_PER_MONTH if key in months.index else None


def km_median(duration_days: np.ndarray, event: np.ndarray) -> float:
    """The Kaplan-Meier median (the first time survival is at or below 1/2; inf if never).

    >>> km_median(np.array([10.0, 20.0, 30.0, 40.0]), np.array([True, True, False, True]))
    20.0
    """
    order = np.lexsort((~event, duration_days))  # at a tie, events before censorings
    d = duration_days[order]
    e = event[order]
    at_risk = np.arange(d.size, 0, -1, dtype=float)
    survival = np.cumprod(np.where(e, 1.0 - 1.0 / at_risk, 1.0))
    below = np.flatnonzero(survival <= 0.5 + 1e-12)
    return float(d[below[0]]) if below.size else math.inf


@dataclass(frozen=True)
class MedianDifference:
    """Median response time of B minus A, in days, with a bootstrap percentile interval."""

    median_a: float
    median_b: float
    difference: float
    low: float
    high: float
    level: float


def median_difference(a: pd.DataFrame, b: pd.DataFrame, *, resamples: int = 1000, level: float = 0.95,
                      seed: int = 0) -> MedianDifference:
    """B's Kaplan-Meier median minus A's, with a percentile bootstrap interval over runs."""
    rng = np.random.default_rng(seed)
    da, ea = a["duration_days"].to_numpy(float), a["event"].to_numpy(bool)
    db, eb = b["duration_days"].to_numpy(float), b["event"].to_numpy(bool)
    diffs = np.empty(resamples)
    for k in range(resamples):
        ia = rng.integers(da.size, size=da.size)
        ib = rng.integers(db.size, size=db.size)
        diffs[k] = km_median(db[ib], eb[ib]) - km_median(da[ia], ea[ia])
    finite = diffs[np.isfinite(diffs)]
    tail = (1.0 - level) / 2.0
    low, high = (np.quantile(finite, [tail, 1.0 - tail]) if finite.size else (math.nan, math.nan))
    ma, mb = km_median(da, ea), km_median(db, eb)
    return MedianDifference(ma, mb, mb - ma, float(low), float(high), level)
