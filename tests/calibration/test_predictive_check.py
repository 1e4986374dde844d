"""The bench's predictive check: a Monte Carlo p where the sample has few operations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridors.calibration.bench import fit
from corridors.calibration.bench.fit import MONTE_CARLO_DRAWS, predictive_check


def _rows(days: np.ndarray, horizon: float = 365.0) -> pd.DataFrame:
    decided = days < horizon
    return pd.DataFrame(
        {
            "horizon_days": horizon,
            "decided": decided,
            "decision_day": np.where(decided, days, np.nan),
            "response_day": np.where(decided, days + 20.0, np.nan),
        }
    )


def test_two_operations_get_a_monte_carlo_p_not_an_asymptotic_one() -> None:
    rng = np.random.default_rng(3)
    late = _rows(np.floor(rng.exponential(60.0, 300)) + 40.0)  # the OSCE's two operations decided in days
    table = predictive_check({"OSCE": late})
    decision = table.set_index("quantity").loc["decision_days"]
    assert decision["n_observed"] < fit.MONTE_CARLO_BELOW
    assert "Monte Carlo" in decision["test"]
    assert decision["p_value"] >= 1 / (1 + MONTE_CARLO_DRAWS)  # the chi-square p of this statistic (400) is 0.0
    assert decision["p_value"] < 0.05 and not decision["passed"]  # both far earlier than every run: rejected
    again = predictive_check({"OSCE": late})
    pd.testing.assert_frame_equal(table, again)  # seeded by organization and quantity


def test_a_model_that_makes_such_times_passes() -> None:
    rng = np.random.default_rng(4)
    table = predictive_check({"OSCE": _rows(np.floor(rng.uniform(1.0, 30.0, 300)))})
    decision = table.set_index("quantity").loc["decision_days"]
    assert decision["p_value"] > 0.05 and decision["passed"]
