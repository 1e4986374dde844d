"""The presets' deployment lags are the estimates from the shipped sample (ODD 7.11)."""

from __future__ import annotations

import pytest

from corridors.calibration.deployment import MIN_OPERATIONS, deployment_lag_estimates
from corridors.scenario import load_scenario


@pytest.mark.parametrize(
    ("preset", "organization"), [("au", "AU"), ("eu", "EU"), ("oas", "OAS"), ("osce", "OSCE"), ("unsc", "UNSC")]
)
def test_preset_lag_is_the_sample_estimate(preset: str, organization: str) -> None:
    estimate = deployment_lag_estimates().set_index("organization").loc[organization]
    parameters = load_scenario(preset).parameters
    assert parameters.deploy_mean_days == pytest.approx(float(estimate["mean_days"]), abs=0.05)
    assert parameters.deploy_cv == pytest.approx(float(estimate["cv"]), abs=0.0005)
    note = load_scenario(preset).sources["parameters.deploy_mean_days"]
    assert f"{int(estimate['n'])} " in note and ("pooled" in note) == bool(estimate["pooled"])


def test_small_samples_take_the_pooled_estimate() -> None:
    table = deployment_lag_estimates()
    assert (table["pooled"] == (table["n"] < MIN_OPERATIONS)).all()
    pooled = table[table["pooled"]]
    assert pooled["mean_days"].nunique() == 1
    assert table.set_index("organization").loc["EU", "n"] == 12
