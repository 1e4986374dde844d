"""Many negotiations: the batch engine's response times, Kaplan-Meier curves, medians compared.

The medians are the one summary of a run's (:func:`corridors.engines.summary.survival_figures`):
every run censored at its horizon, the Kaplan-Meier median ``inf`` when not reached.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.engines import run_replications
from corridors.engines.summary import censored_at_horizon, kaplan_meier
from corridors.paper import mean_response_months
from corridors.scenario.schema import Scenario

__all__ = ["DAYS_PER_MONTH", "MedianDifference", "km_median", "median_difference", "paper_mean_days", "run_ensemble"]


def run_ensemble(
    scenario: Scenario, *, replications: int, seed: int = 0, progress: Callable[[int], None] | None = None
) -> pd.DataFrame:
    """``replications`` runs of the batch engine (the rows of ``corridors run``)."""
    return run_replications(scenario, replications=replications, seed=seed, engine="batch", progress=progress)


def paper_mean_days(scenario: Scenario) -> float | None:
    """Table 1's mean response time for the scenario's organization, in days (None if not in it)."""
    months = mean_response_months()
    key = scenario.name.upper()
    return float(months[key]) * DAYS_PER_MONTH if key in months.index else None


def km_median(duration_days: np.ndarray, event: np.ndarray) -> float:
    """The Kaplan-Meier median (the first time survival is at or below 1/2; inf if never).

    :func:`~corridors.engines.summary.kaplan_meier`'s, followed to the last duration.

    >>> km_median(np.array([10.0, 20.0, 30.0, 40.0]), np.array([True, True, False, True]))
    20.0
    """
    durations = np.asarray(duration_days, dtype=float)
    return kaplan_meier(durations, event, horizon=float(durations.max()) if durations.size else 0.0).median


@dataclass(frozen=True)
class MedianDifference:
    """Median response time of B minus A, in days, with a bootstrap percentile interval.

    ``unreached`` counts the resamples in which A's or B's median was not reached within the
    horizon: the difference there is +inf or -inf (so a bound of the interval may be
    infinite: unbounded on that side), or undefined when neither was reached (then the
    interval is NaN). ``resamples`` is their number.
    """

    median_a: float
    median_b: float
    difference: float
    low: float
    high: float
    level: float
    unreached: int = 0
    resamples: int = 0


def _difference(median_a: float, median_b: float) -> float:
    if math.isinf(median_a) and math.isinf(median_b):
        return math.nan  # neither reached: no difference can be told
    return median_b - median_a


def median_difference(
    a: pd.DataFrame, b: pd.DataFrame, *, resamples: int = 1000, level: float = 0.95, seed: int = 0
) -> MedianDifference:
    """B's Kaplan-Meier median minus A's, with a percentile bootstrap interval over runs (``scipy.stats.bootstrap``).

    Each run is censored at its horizon (:func:`~corridors.engines.summary.censored_at_horizon`);
    A and B are resampled independently. Resamples in which a median is not reached are kept
    and counted (:class:`MedianDifference`), not dropped.
    """
    from scipy.stats import bootstrap

    da, ea, horizon_a = censored_at_horizon(a)
    db, eb, horizon_b = censored_at_horizon(b)

    def median(days: np.ndarray, events: np.ndarray, horizon: float) -> float:
        return kaplan_meier(days, events, horizon=horizon).median

    def statistic(ia: np.ndarray, ib: np.ndarray) -> float:
        return _difference(median(da[ia], ea[ia], horizon_a), median(db[ib], eb[ib], horizon_b))

    ma, mb = median(da, ea, horizon_a), median(db, eb, horizon_b)
    with np.errstate(invalid="ignore"):  # infinite differences are kept: see MedianDifference
        result = bootstrap(
            (np.arange(da.size), np.arange(db.size)),
            statistic,
            vectorized=False,
            paired=False,
            n_resamples=resamples,
            confidence_level=level,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    distribution = np.asarray(result.bootstrap_distribution, dtype=float)
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    if np.isnan(distribution).any():
        low = high = math.nan
    return MedianDifference(
        ma,
        mb,
        _difference(ma, mb),
        low,
        high,
        level,
        unreached=int((~np.isfinite(distribution)).sum()),
        resamples=int(distribution.size),
    )
