"""One summary of a run: the report, the explorer and ``corridors run`` read the same figures off the same rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from corridors._constants import DAYS_PER_MONTH
from corridors.engines.summary import kaplan_meier, summarize_runs, survival_figures
from corridors.explore.ensemble import median_difference
from corridors.report.stats import response_stats

HORIZON = 365


def _rows(seed: int, n: int = 300, decided_share: float = 0.8) -> pd.DataFrame:
    """Model rows: decisions within the horizon, some responses (decision + deployment) ending after it."""
    rng = np.random.default_rng(seed)
    decided = rng.random(n) < decided_share
    decision = np.where(decided, np.round(rng.uniform(5, HORIZON - 5, n)), np.nan)
    response = decision + np.round(rng.exponential(60.0, n))
    return pd.DataFrame(
        {
            "decided": decided,
            "decision_day": decision,
            "response_day": response,
            "response_months": response / DAYS_PER_MONTH,
            "horizon_days": np.full(n, HORIZON),
            "duration_days": np.where(decided, response, float(HORIZON)),
            "event": decided,
        }
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_report_explorer_and_cli_show_one_summary(seed: int) -> None:
    rows = _rows(seed)
    assert (rows["duration_days"] > HORIZON).any()  # the case that told the report's mean apart
    figures = survival_figures(rows)
    cli = summarize_runs(rows)
    report = response_stats(rows)
    explorer = median_difference(rows, rows, resamples=20)
    assert cli.loc["decided share", "value"] == figures["decided_share"] == report["decided_share"]
    median = cli.loc["response months: KM median"]
    assert median["value"] == figures["km_median_months"] == report["median_months"]
    assert median["lower"] == figures["km_median_lower_months"] == report["median_lower"]
    assert median["upper"] == figures["km_median_upper_months"] == report["median_upper"]
    assert explorer.median_a == explorer.median_b == figures["km_median_months"] * DAYS_PER_MONTH
    restricted = cli.loc["response months: restricted mean", "value"]
    assert restricted == figures["restricted_mean_months"] == report["restricted_mean_months"]


def test_the_restricted_mean_is_one() -> None:
    rows = _rows(3)
    report = response_stats(rows)
    # every run is followed to the horizon: the area under the curve is the mean of min(duration, horizon)
    capped = np.minimum(rows["duration_days"], HORIZON) / DAYS_PER_MONTH
    assert report["restricted_mean_months"] == pytest.approx(capped.mean(), rel=1e-12)
    assert report["restricted_mean_months"] < (rows["duration_days"] / DAYS_PER_MONTH).mean()  # not the plain mean
    assert report["restricted_mean_months"] <= HORIZON / DAYS_PER_MONTH


@pytest.mark.parametrize("seed", [4, 5])
def test_the_restricted_mean_se_is_lifelines_and_klein_moeschberger(seed: int) -> None:
    from lifelines import KaplanMeierFitter

    from corridors.empirical.survival._common import _restricted_mean_se

    rng = np.random.default_rng(seed)
    durations = np.round(rng.exponential(100.0, 200))
    events = rng.random(200) < 0.7  # censored before the horizon too
    km = kaplan_meier(durations, events, horizon=150.0)
    fitter = KaplanMeierFitter().fit(durations, events)
    assert km.restricted_mean_se == pytest.approx(_restricted_mean_se(fitter, 150.0), rel=1e-10)


def test_an_unreached_median_is_counted_in_the_bootstrap_not_dropped() -> None:
    a = _rows(6, n=80, decided_share=0.9)
    b = _rows(7, n=80, decided_share=0.52)  # about half decide: some resamples never reach one half
    diff = median_difference(a, b, resamples=200)
    assert 0 < diff.unreached < diff.resamples == 200
    assert math.isinf(diff.high) and math.isfinite(diff.low)  # unbounded above, and said so
    never = median_difference(a, b.assign(event=False, decided=False, duration_days=float(HORIZON)), resamples=50)
    assert math.isinf(never.median_b) and never.unreached == 50 and math.isinf(never.low)
