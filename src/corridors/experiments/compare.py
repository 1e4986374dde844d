"""Two scenarios on common random numbers: does a change matter? (``corridors compare``).

Replicate i of both scenarios draws from one random stream, keyed by the first scenario's
hash (as a sweep with ``common_random_numbers: true`` keys every point by its base), so
the first scenario's rows are exactly those of ``corridors run A`` with the same seed and
the pairs differ mostly by the change, not by noise. The table gives, for each scenario
and for the difference (second minus first), the decided share, the Kaplan-Meier median of
response months and the restricted mean up to the horizon, each with a 95% interval:

* decided share: each scenario Wilson (statsmodels ``proportion_confint``); the difference
  a paired t interval on the per-replicate differences (statsmodels ``DescrStatsW``);
* KM median: each scenario's band from :func:`corridors.engines.summary.survival_figures`;
  the difference a paired bootstrap (scipy ``bootstrap`` over replicate pairs, percentile)
  of :func:`corridors.engines.summary.kaplan_meier`'s medians;
* restricted mean: every run is followed to the horizon, so the restricted mean is the mean
  of the response months capped at the horizon (the same figure ``survival_figures`` gives);
  its intervals are t intervals of those capped months, paired for the difference.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.engines.rows import DAYS_PER_MONTH
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from corridors.scenario.schema import Scenario

__all__ = ["MEASURES", "Comparison", "compare_scenarios"]

MEASURES = ("decided share", "response months: KM median", "response months: restricted mean")
BOOTSTRAP_RESAMPLES = 999


@dataclass
class Comparison:
    """Two scenarios run on common random numbers and their differences.

    ``table``: one row per :data:`MEASURES`; columns ``first``, ``first_lower``,
    ``first_upper``, ``second``, ``second_lower``, ``second_upper``, ``difference``
    (second minus first), ``difference_lower``, ``difference_upper`` and ``interval`` (how
    the difference's interval was found). ``rows_first`` and ``rows_second`` are the runs.
    """

    first: str
    second: str
    first_hash: str
    second_hash: str
    replications: int
    seed: int
    engine: str
    table: pd.DataFrame
    rows_first: pd.DataFrame = field(repr=False)
    rows_second: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def stream_key(self) -> str:
        """The key of the shared random streams (the first scenario's hash)."""
        return self.first_hash


def _capped(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, float]:
    """Response days capped at each run's horizon, whether the response came within it, the horizon."""
    from corridors.engines.summary import censored_durations

    durations = censored_durations(rows)
    limit = rows["horizon_days"].astype(float).to_numpy()
    days = durations["duration_days"].to_numpy()
    event = durations["event"].to_numpy() & (days <= limit)
    return np.minimum(days, limit), event, float(limit.max())


def _t_interval(values: np.ndarray) -> tuple[float, float]:
    from statsmodels.stats.weightstats import DescrStatsW

    if len(values) < 2:
        return math.nan, math.nan
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    lower, upper = DescrStatsW(values).tconfint_mean(alpha=0.05)
    return float(lower), float(upper)


def _median_difference(
    first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray], horizon: float, seed: int
) -> tuple[float, float, float]:
    """The KM medians' difference (second - first) in days with its paired bootstrap interval."""
    from scipy import stats

    from corridors.engines.summary import kaplan_meier

    def statistic(days_a: np.ndarray, event_a: np.ndarray, days_b: np.ndarray, event_b: np.ndarray) -> float:
        a = kaplan_meier(days_a, event_a.astype(bool), horizon=horizon).median
        b = kaplan_meier(days_b, event_b.astype(bool), horizon=horizon).median
        return b - a if math.isfinite(a) and math.isfinite(b) else math.nan

    data = (first[0], first[1].astype(float), second[0], second[1].astype(float))
    point = statistic(*data)
    if not math.isfinite(point) or len(first[0]) < 2:
        return point, math.nan, math.nan
    if np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1]):
        return point, point, point  # the same runs: no resample can differ
    generator = np.random.default_rng(seed)
    randomness = (
        {"rng": generator} if "rng" in inspect.signature(stats.bootstrap).parameters else {"random_state": generator}
    )
    with np.errstate(invalid="ignore"):
        result = stats.bootstrap(
            data,
            statistic,
            paired=True,
            vectorized=False,
            n_resamples=BOOTSTRAP_RESAMPLES,
            method="percentile",
            **randomness,
        )
    low, high = result.confidence_interval
    if not (math.isfinite(low) and math.isfinite(high)):
        return point, math.nan, math.nan
    return point, float(low), float(high)


def compare_scenarios(
    first: Scenario,
    second: Scenario,
    *,
    replications: int = 1000,
    seed: int = 0,
    engine: str = "batch",
    workers: int = 0,
    progress: Callable[[str, int], None] | None = None,
) -> Comparison:
    """Run both scenarios on common random numbers and compare their headline figures.

    Parameters
    ----------
    first, second
        The scenarios; the differences are ``second - first``.
    replications
        Replicate pairs (each scenario runs this many).
    seed
        Root seed; the first scenario's rows are those of ``corridors run`` with this seed.
    engine, workers
        As for :func:`corridors.run`.
    progress
        Called with (scenario name, replications finished since the last call).

    Examples
    --------
    >>> from corridors.scenario import load_scenario
    >>> unsc = load_scenario("unsc", ["parameters.burn_in_days=10"])
    >>> same = compare_scenarios(unsc, unsc, replications=20, seed=1, workers=1)
    >>> same.table["difference"].tolist(), same.table["difference_upper"].tolist()
    ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
    """
    from statsmodels.stats.proportion import proportion_confint

    from corridors.engines import run_replications
    from corridors.engines.summary import survival_figures

    if replications < 2:
        raise CorridorsError(f"--reps: a comparison needs at least 2 replications, got {replications}")
    key = first.content_hash()
    runs = []
    for scenario in (first, second):
        name = scenario.name

        def advance(count: int, name: str = name) -> None:
            if progress is not None:
                progress(name, count)

        runs.append(
            run_replications(
                scenario,
                replications=replications,
                seed=seed,
                engine=engine,
                workers=workers,
                progress=advance,
                stream_key=key,
            )
        )
    rows_first, rows_second = (rows.sort_values("replicate", kind="stable").reset_index(drop=True) for rows in runs)
    figures = [survival_figures(rows) for rows in (rows_first, rows_second)]
    capped = [_capped(rows) for rows in (rows_first, rows_second)]
    horizons = {capped[0][2], capped[1][2]}
    notes = []
    horizon = min(horizons)
    if len(horizons) > 1:
        notes.append(
            f"the horizons differ ({' and '.join(f'{h:.0f}' for h in sorted(horizons))} days): the "
            f"differences in KM median and restricted mean are taken up to the shorter, {horizon:.0f} days"
        )

    records: dict[str, dict[str, Any]] = {}
    # decided share
    decided = [rows["decided"].astype(bool).to_numpy() for rows in (rows_first, rows_second)]
    entry: dict[str, Any] = {}
    for label, values in zip(("first", "second"), decided, strict=True):
        low, high = proportion_confint(int(values.sum()), len(values), alpha=0.05, method="wilson")
        # rounded: Wilson's bound of an all-decided sample is 1 less a rounding error
        entry |= {
            label: float(values.mean()),
            f"{label}_lower": round(float(low), 12),
            f"{label}_upper": round(float(high), 12),
        }
    step = decided[1].astype(float) - decided[0].astype(float)
    entry |= dict(zip(("difference_lower", "difference_upper"), _t_interval(step), strict=True))
    entry |= {"difference": float(step.mean()), "interval": "paired t"}
    records[MEASURES[0]] = entry
    # KM median
    entry = {}
    for label, figure in zip(("first", "second"), figures, strict=True):
        entry |= {
            label: figure["km_median_months"],
            f"{label}_lower": figure["km_median_lower_months"],
            f"{label}_upper": figure["km_median_upper_months"],
        }
    pairs = [(np.minimum(days, horizon), event & (days <= horizon)) for days, event, _ in capped]
    point, low, high = _median_difference(pairs[0], pairs[1], horizon, seed)
    entry |= {
        "difference": point / DAYS_PER_MONTH,
        "difference_lower": low / DAYS_PER_MONTH,
        "difference_upper": high / DAYS_PER_MONTH,
        "interval": f"paired bootstrap ({BOOTSTRAP_RESAMPLES} resamples)",
    }
    if not math.isfinite(point):
        notes.append(
            "a KM median is not reached within the horizon (fewer than half the runs respond): its "
            "difference is not defined; compare the decided shares and restricted means"
        )
    records[MEASURES[1]] = entry
    # restricted mean
    entry = {}
    for label, figure, (days, _, _) in zip(("first", "second"), figures, capped, strict=True):
        low, high = _t_interval(days / DAYS_PER_MONTH)
        entry |= {label: figure["restricted_mean_months"], f"{label}_lower": low, f"{label}_upper": high}
    step = (pairs[1][0] - pairs[0][0]) / DAYS_PER_MONTH
    entry |= dict(zip(("difference_lower", "difference_upper"), _t_interval(step), strict=True))
    entry |= {"difference": float(step.mean()), "interval": "paired t"}
    records[MEASURES[2]] = entry

    columns = [
        "first",
        "first_lower",
        "first_upper",
        "second",
        "second_lower",
        "second_upper",
        "difference",
        "difference_lower",
        "difference_upper",
        "interval",
    ]
    table = pd.DataFrame.from_dict(records, orient="index")[columns]
    table.attrs["horizon_months"] = horizon / DAYS_PER_MONTH
    return Comparison(
        first=first.name,
        second=second.name,
        first_hash=key,
        second_hash=second.content_hash(),
        replications=replications,
        seed=seed,
        engine=engine,
        table=table,
        rows_first=rows_first,
        rows_second=rows_second,
        notes=notes,
    )
