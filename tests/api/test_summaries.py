"""Survival-ready summaries: censored durations from either row shape, KM against lifelines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from corridors._constants import DAYS_PER_MONTH
from corridors.engines.summary import censored_durations, format_value, kaplan_meier, summarize_runs, survival_figures


def _rows_v1() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "decided": [True, False, True, False],
            "response_day": [12.0, math.nan, 300.0, math.nan],
            "horizon_days": [200, 200, 200, 200],
        }
    )


def test_durations_are_derived_from_decided_response_day_and_horizon() -> None:
    got = censored_durations(_rows_v1())
    assert got["duration_days"].tolist() == [12.0, 200.0, 300.0, 200.0]
    assert got["event"].tolist() == [True, False, True, False]


def test_durations_columns_of_model_v2_rows_are_used_as_they_are() -> None:
    rows = _rows_v1().assign(duration_days=[12.0, 199.0, 300.0, 150.0], event=[True, False, False, False])
    got = censored_durations(rows)
    assert got["duration_days"].tolist() == [12.0, 199.0, 300.0, 150.0]  # not recomputed
    assert got["event"].tolist() == [True, False, False, False]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kaplan_meier_agrees_with_lifelines(seed: int) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times, restricted_mean_survival_time

    rng = np.random.default_rng(seed)
    durations = np.round(rng.exponential(100, size=300))  # ties, as day counts have
    events = durations < 180
    durations = np.minimum(durations, 180)
    km = kaplan_meier(durations, events, horizon=180)
    fitter = KaplanMeierFitter().fit(durations, events)
    interval = median_survival_times(fitter.confidence_interval_)
    assert km.median == pytest.approx(fitter.median_survival_time_)
    assert km.median_lower == pytest.approx(float(interval.iloc[0, 0]))
    assert km.median_upper == pytest.approx(float(interval.iloc[0, 1]))
    assert km.restricted_mean == pytest.approx(restricted_mean_survival_time(fitter, t=180))


def test_a_median_beyond_the_horizon_is_not_reached() -> None:
    km = kaplan_meier(np.array([5.0, 100, 100, 100]), np.array([True, False, False, False]), horizon=100)
    assert math.isinf(km.median) and km.restricted_mean == pytest.approx(5 + 0.75 * 95)
    assert format_value(km.median) == "not reached"


def test_the_run_summary_counts_censored_runs_and_labels_decided_means() -> None:
    rows = _rows_v1().assign(response_months=lambda f: f["response_day"] / DAYS_PER_MONTH)
    figures = survival_figures(rows)
    assert figures["decided_share"] == 0.5
    assert figures["mean_months_decided"] == pytest.approx(156 / DAYS_PER_MONTH)
    table = summarize_runs(rows)
    labels = list(table.index)
    assert labels[:3] == ["replications", "decided share", "response months: KM median"]
    assert labels[3] == "response months: restricted mean"
    assert "response months: mean over decided runs" in labels
    assert format_value(table.loc["replications", "value"]) == "4"
    assert format_value(10000.0) == "10000"
