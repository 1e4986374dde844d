"""Reference (Mesa) and batch (numba) engines agree: exactly on the shared stream, in distribution otherwise.

With ``sampling="shared"`` (the default) the reference engine draws the batch engine's
uniforms through the same samplers, so both must give the same row for the same seed and
replicate: whole runs, through failed votes, widenings, belief updates and bridges, are
compared value by value. With ``sampling="numpy"`` the reference engine draws from numpy's
own samplers (Poisson, permutations, Bernoulli departures, uniform strangers): the same
model by other routes, compared with the batch engine in distribution on every numeric
column and on ``red_line``.

Quick sizes by default; ``pytest --full`` runs the full sizes. If they disagree, one engine
is wrong: never loosen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corridors.engines import run_replications
from corridors.engines.reference import run_reference
from corridors.engines.rows import ROW_SCHEMA, rows_to_frame
from corridors.scenario import Member, Scenario, load_scenario

CASES = [
    ("au", []),
    ("eu", []),
    ("oas", []),
    ("osce", []),
    ("unsc", []),
    ("eu", ["realist=true"]),
    ("osce", ["mechanisms.posturing=false"]),
    ("oas", ["mechanisms.caucuses=false"]),
    ("au", ["mechanisms.emergency_meeting=false", "mechanisms.bridges=false"]),
    ("osce", ["mechanisms.gossip=false", "mechanisms.agency=false"]),
    ("eu", ["mechanisms.capital_review=false"]),
]
IDS = [f"{p}{'+' + ','.join(o) if o else ''}" for p, o in CASES]
NUMERIC = [
    f.name
    for f in ROW_SCHEMA
    if str(f.type) in ("int64", "double") and f.name not in ("seed", "replicate", "horizon_days")
]
FAMILY_ALPHA = 0.001
"""Chance that a correct pair of engines fails one case (Bonferroni over its comparisons)."""


def _exact_frame(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.drop(columns=["engine"]).reset_index(drop=True)


def _reference_rows(scenario: Scenario, replications: int, seed: int, sampling: str) -> pd.DataFrame:
    return rows_to_frame(
        [run_reference(scenario, seed=seed, replicate=r, sampling=sampling)[0] for r in range(replications)]
    )


@pytest.mark.parametrize(("preset", "overrides"), CASES, ids=IDS)
def test_whole_runs_are_identical_on_the_shared_stream(full_size: bool, preset: str, overrides: list[str]) -> None:
    """Every column of every row, reference against batch, from the same seed (rounding only in floats)."""
    scenario = load_scenario(preset, overrides)
    replications = 20 if full_size else 3
    reference = _reference_rows(scenario, replications, 5, "shared")
    batch = run_replications(scenario, replications=replications, seed=5, engine="batch")
    pd.testing.assert_frame_equal(_exact_frame(reference), _exact_frame(batch), check_exact=False, rtol=1e-9)


def test_identical_through_failed_votes_widenings_and_a_bridge() -> None:
    """The EU with Cyprus' NATO red line always in the draft: the path of votes, widenings and a bridge."""
    scenario = load_scenario("eu", ["subissues.nato_assets.probability=1.0", "parameters.redraft_prob=0.0"])
    reference = _reference_rows(scenario, 4, 12, "shared")
    batch = run_replications(scenario, replications=4, seed=12, engine="batch")
    assert (reference["n_failed_proposals"] >= 3).all()
    assert (reference["n_capital_widenings"] > 0).all() and (reference["formal_updates"] > 0).all()
    assert (reference["red_line"] == "bridged").any()
    pd.testing.assert_frame_equal(_exact_frame(reference), _exact_frame(batch), check_exact=False, rtol=1e-9)


def _sizes(full: bool) -> tuple[int, int]:
    """(reference, batch) replications.

    A difference in means of d standard deviations is detected with 80% power at the
    per-column level below when d > (z + 0.84) * sqrt(1/n_ref + 1/n_batch), z = 4.1:
    about 0.9 SD at the quick sizes (30, 400), 0.16 SD at the full ones (1000, 5000).
    """
    return (1000, 5000) if full else (30, 400)


def _censored(values: pd.Series) -> np.ndarray:
    """Values with NaN (undecided runs) placed beyond every other one (KS is rank-based)."""
    array = values.to_numpy(dtype=float)
    return np.where(np.isnan(array), 1e12, array)


@pytest.mark.slow
@pytest.mark.parametrize(("preset", "overrides"), CASES, ids=IDS)
def test_engines_agree_in_distribution(full_size: bool, preset: str, overrides: list[str]) -> None:
    """numpy's samplers in the reference engine against the batch engine's: every numeric column, red_line."""
    scenario = load_scenario(preset, overrides)
    n_reference, n_batch = _sizes(full_size)
    reference = _reference_rows(scenario, n_reference, 11, "numpy")
    batch = run_replications(scenario, replications=n_batch, seed=29, engine="batch")
    alpha = FAMILY_ALPHA / (2 * len(NUMERIC) + 2)
    z = stats.norm.isf(alpha / 2)
    for column in NUMERIC:
        a, b = _censored(reference[column]), _censored(batch[column])
        if np.unique(np.concatenate([a, b])).size > 1:
            ks = stats.ks_2samp(a, b)
            assert ks.pvalue > alpha, f"{column}: KS p = {ks.pvalue:.2e}"
        a_obs = reference[column].dropna().to_numpy(dtype=float)
        b_obs = batch[column].dropna().to_numpy(dtype=float)
        if len(a_obs) > 1 and len(b_obs) > 1:
            standard_error = np.sqrt(a_obs.var(ddof=1) / len(a_obs) + b_obs.var(ddof=1) / len(b_obs))
            assert abs(a_obs.mean() - b_obs.mean()) <= z * standard_error + 1e-12, (
                f"{column}: means {a_obs.mean():.3f} vs {b_obs.mean():.3f}, {z:.1f} SE = {z * standard_error:.3f}"
            )
    table = pd.crosstab(
        pd.concat([reference["red_line"], batch["red_line"]]),
        np.repeat(["reference", "batch"], [len(reference), len(batch)]),
    )
    if table.shape[0] > 1:
        assert stats.chi2_contingency(table.to_numpy()).pvalue > alpha, f"red_line: {table.to_dict()}"
    share_a, share_b = reference["decided"].mean(), batch["decided"].mean()
    pooled = (share_a * n_reference + share_b * n_batch) / (n_reference + n_batch)
    share_se = np.sqrt(pooled * (1 - pooled) * (1 / n_reference + 1 / n_batch))
    assert abs(share_a - share_b) <= z * share_se + 1e-12


def _shared_point_scenario() -> Scenario:
    """Every interval contains 0.5, honest public positions, no red lines: one proposal decides."""
    ideals = [0.42, 0.5, 0.58, 0.47, 0.55, 0.51]
    members = [Member(code=f"Q{chr(65 + i)}{chr(65 + i)}", name=f"member {i}", ideal=x) for i, x in enumerate(ideals)]
    return Scenario.model_validate(
        {
            "name": "shared_point",
            "members": [m.model_dump() for m in members],
            "parameters": {"width_base": 0.2, "width_spread": 0.0, "burn_in_days": 60},
            "mechanisms": {"posturing": False},
        }
    )


DETERMINISTIC_COLUMNS = [
    "decided",
    "decision_day",
    "deployment_lag_days",
    "response_day",
    "response_months",
    "first_meeting_day",
    "n_formal_meetings",
    "n_failed_proposals",
    "red_line",
    "setter",
    "pivotal_member",
    "scenario_hash",
]


def test_deterministic_case_gives_identical_rows() -> None:
    """The decision columns coincide; contacts and the network follow each engine's own stream."""
    scenario = _shared_point_scenario()
    reference = run_replications(scenario, replications=12, seed=4, engine="reference")
    batch = run_replications(scenario, replications=12, seed=4, engine="batch")
    assert reference["n_failed_proposals"].eq(0).all()
    pd.testing.assert_frame_equal(reference[DETERMINISTIC_COLUMNS], batch[DETERMINISTIC_COLUMNS])


def test_batch_rows_do_not_depend_on_chunking() -> None:
    scenario = load_scenario("unsc")
    whole = run_replications(scenario, replications=20, seed=8, engine="batch")
    parts = pd.concat(
        [
            run_replications(scenario, replications=7, seed=8, engine="batch", first_replicate=0),
            run_replications(scenario, replications=13, seed=8, engine="batch", first_replicate=7),
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(whole, parts)


def test_both_engines_emit_the_same_schema() -> None:
    scenario = load_scenario("unsc", ["parameters.burn_in_days=10", "parameters.max_days=40"])
    reference = run_replications(scenario, replications=2, seed=1, engine="reference")
    batch = run_replications(scenario, replications=2, seed=1, engine="batch")
    assert list(reference.columns) == list(batch.columns)
    assert list(reference.dtypes) == list(batch.dtypes)
