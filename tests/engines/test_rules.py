"""The model's formulas (corridors.engines.rules) on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.engines import rules
from corridors.engines.rules import NO_SIDE, TOO_HIGH, TOO_LOW


def test_proposal_is_the_midpoint_of_a_shared_point() -> None:
    x = rules.proposal(np.array([0.1, 0.3, 0.35]), np.array([0.5, 0.7, 0.65]), np.array([0.9, 0.1, 0.5]))
    assert x == pytest.approx((0.35 + 0.5) / 2)


def test_proposal_favours_the_slowest_capital() -> None:
    """Two members without a common point: A [0.0, 0.2] with pace 0.1, B [0.6, 1.0] with pace 0.4.

    max((x - 0.2) / 0.1, (0.6 - x) / 0.4) is smallest where they are equal: x = 0.28.
    """
    x = rules.proposal(np.array([0.0, 0.6]), np.array([0.2, 1.0]), np.array([0.9, 0.6]))
    assert x == pytest.approx(0.28, abs=1e-12)
    equal = rules.proposal(np.array([0.0, 0.6]), np.array([0.2, 1.0]), np.array([0.5, 0.5]))
    assert equal == pytest.approx(0.4, abs=1e-12)  # equal saliences: v1's midpoint of the gap


def test_proposal_floors_the_pace_and_clips() -> None:
    x = rules.proposal(np.array([0.0, 0.6]), np.array([0.2, 1.0]), np.array([1.0, 1.0]))
    assert x == pytest.approx(0.4, abs=1e-12)  # both paces floored at 0.01: equal
    assert rules.proposal(np.array([1.2, 1.1]), np.array([1.5, 1.4]), np.array([0.5, 0.5])) == 1.0


@pytest.mark.parametrize(
    ("belief", "x", "accepted", "side", "expected"),
    [
        ((0.3, 0.5), 0.6, True, NO_SIDE, (0.3, 0.6, True)),  # accepted beyond the belief: extended
        ((0.3, 0.5), 0.2, True, NO_SIDE, (0.2, 0.5, True)),
        ((0.3, 0.5), 0.4, True, NO_SIDE, (0.3, 0.5, False)),  # inside: nothing new
        ((0.3, 0.5), 0.4, False, TOO_LOW, (0.41, 0.5, True)),  # rejected inside, too low: cut past x
        ((0.3, 0.5), 0.4, False, TOO_HIGH, (0.3, 0.39, True)),
        ((0.3, 0.5), 0.6, False, TOO_HIGH, (0.3, 0.5, False)),  # rejected outside: nothing learned
        ((0.3, 0.5), 0.4, False, NO_SIDE, (0.3, 0.5, False)),  # a red line or bloc discipline
        ((0.3, 0.405), 0.4, False, TOO_LOW, (0.41, 0.41, True)),  # the cut would invert: collapse
        ((0.9, 1.0), 0.995, False, TOO_LOW, (1.0, 1.0, True)),  # clipped at 1
    ],
)
def test_update_belief(
    belief: tuple[float, float], x: float, accepted: bool, side: int, expected: tuple[float, float, bool]
) -> None:
    lo, hi, changed = rules.update_belief(belief[0], belief[1], x, accepted, side, 0.01)
    assert (lo, hi) == pytest.approx(expected[:2]) and changed == expected[2]


def test_rejection_side_and_acceptance_with_slack() -> None:
    assert rules.rejection_side(0.3, 0.5, 0.02, 0.27) == TOO_LOW
    assert rules.rejection_side(0.3, 0.5, 0.02, 0.29) == NO_SIDE
    assert rules.rejection_side(0.3, 0.5, 0.0, 0.51) == TOO_HIGH
    assert rules.accepts(0.3, 0.5, 0.02, 0.515, False) and not rules.accepts(0.3, 0.5, 0.02, 0.4, True)


def test_widened_instruction_moves_the_violated_bound() -> None:
    assert rules.widened_instruction(0.3, 0.5, 0.1, True, 0.6) == pytest.approx((0.3, 0.6))
    assert rules.widened_instruction(0.3, 0.5, 0.1, True, 0.1) == pytest.approx((0.2, 0.5))
    assert rules.widened_instruction(0.3, 0.5, 0.1, False, 0.0) == pytest.approx((0.25, 0.55))
    assert rules.widened_instruction(0.02, 0.5, 0.1, True, 0.0) == pytest.approx((0.0, 0.5))


def test_deployment_lag_has_the_stated_mean_and_cv() -> None:
    normals = np.random.default_rng(1).standard_normal(400_000)
    lags = rules.deployment_lag.py_func(73.5, 1.19, normals)
    assert lags.mean() == pytest.approx(73.5, rel=0.02)
    assert lags.std() / lags.mean() == pytest.approx(1.19, rel=0.05)


def test_widening_chance_and_entrenchment() -> None:
    assert rules.widening_chance(0.15, 0.5, 3.0, False, 0.3) == pytest.approx(0.65)
    assert rules.widening_chance(0.15, 0.5, 0.2, True, 0.3) == pytest.approx(0.25 * 0.7)


@settings(max_examples=150, deadline=None)
@given(
    centres=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12),
    widths=st.lists(st.floats(0.0, 0.4), min_size=12, max_size=12),
    saliences=st.lists(st.sampled_from([0.0, 0.3, 0.55, 0.9, 0.995, 1.0]), min_size=12, max_size=12),
)
def test_proposal_minimizes_the_slowest_delay(
    centres: list[float], widths: list[float], saliences: list[float]
) -> None:
    """No point of a fine grid makes the slowest capital's delay smaller than the proposal does."""
    n = len(centres)
    lo = np.clip(np.array(centres) - widths[:n], 0.0, 1.0)
    hi = np.clip(np.array(centres) + widths[:n], 0.0, 1.0)
    salience = np.array(saliences[:n])
    pace = np.maximum(1.0 - salience, 0.01)

    def delay(x: np.ndarray) -> np.ndarray:
        return np.max(np.maximum(0.0, np.maximum(lo[:, None] - x, x - hi[:, None])) / pace[:, None], axis=0)

    x = rules.proposal(lo, hi, salience)
    assert 0.0 <= x <= 1.0
    grid = np.linspace(0.0, 1.0, 20_001)
    assert delay(np.array([x]))[0] <= delay(grid).min() + 1e-9
