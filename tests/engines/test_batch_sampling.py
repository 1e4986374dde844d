"""The batch engine's samplers draw the distributions of the model (docs/ODD.md) by their cheaper routes.

Each test draws from one compiled helper with a fixed seed and compares with the exact
distribution (chi-square), so a wrong sampler fails; the tie bookkeeping is compared with
a fresh recount after random changes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from corridors.engines import sampling
from corridors.engines.batch import informal
from corridors.engines.batch import ties as batch_ties
from corridors.engines.batch.state import BLOCK_SHIFT, Ties
from corridors.engines.rng import new_state
from corridors.engines.rules import derived_parameters
from corridors.scenario import Scenario, load_scenario

ALPHA = 0.001


def _state(seed: int) -> np.ndarray:
    return new_state(np.random.SeedSequence(seed))


def _chi_square_p(observed: np.ndarray, expected_share: np.ndarray) -> float:
    """p-value of observed counts against expected shares (cells with < 5 expected pooled)."""
    expected = expected_share / expected_share.sum() * observed.sum()
    keep = expected >= 5
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    return float(stats.chisquare(obs, exp).pvalue)


def test_poisson_table_matches_the_distribution_function() -> None:
    cdf = sampling.poisson_cdf(0.45)
    np.testing.assert_allclose(cdf[:-1], stats.poisson.cdf(np.arange(cdf.size - 1), 0.45), rtol=1e-12)
    assert cdf[-1] == 2.0  # the tail beyond 63 contacts a day is negligible
    assert sampling.poisson_cdf(40.0)[-1] < 1.0  # too short a table: the kernel falls back to Knuth


@pytest.mark.parametrize("rate", [0.45, 0.68, 3.0, 35.0])
def test_poisson_draws_follow_poisson(rate: float) -> None:
    cdf = sampling.poisson_cdf(rate)
    state = _state(1)
    draws = np.array([sampling.poisson_by_inversion(state, cdf, rate) for _ in range(20_000)])
    top = int(draws.max()) + 1
    observed = np.bincount(draws, minlength=top + 1).astype(float)
    expected = np.append(stats.poisson.pmf(np.arange(top), rate), stats.poisson.sf(top - 1, rate))
    assert _chi_square_p(observed, expected) > ALPHA


def test_geometric_gaps_give_one_departure_per_tenure() -> None:
    """Gaps between departures over member-days: failures before a success with p = 1/tenure."""
    p = 1.0 / 60.0
    state = _state(2)
    draws = np.array([sampling.geometric_gap(state, math.log1p(-p)) for _ in range(20_000)])
    assert draws.min() >= 0
    edges = np.append(np.arange(0, 400, 10), np.inf)
    observed = np.histogram(draws, bins=edges)[0].astype(float)
    expected = np.diff(1.0 - (1.0 - p) ** edges)  # P(G < x) = 1 - (1 - p)^x
    assert _chi_square_p(observed, expected) > ALPHA
    assert np.isinf(sampling.geometric_gap(state, 0.0))  # no departures at all


def _ties(n: int, seed: int, scale: float = 1.0) -> Ties:
    """A tie matrix with strong, weak, absent and hostile ties, and its bookkeeping arrays."""
    rng = np.random.default_rng(seed)
    n_blocks = (n + (1 << BLOCK_SHIFT) - 1) >> BLOCK_SHIFT
    u = np.zeros((n, n_blocks << BLOCK_SHIFT))
    kind = rng.random((n, n))
    w = np.where(kind < 0.5, rng.uniform(0.01, 1.0, (n, n)), np.where(kind < 0.9, 0.0, -rng.uniform(0.3, 0.8, (n, n))))
    w = np.triu(w, 1)
    u[:, :n] = w + w.T
    ties = Ties(
        stored=u,
        block_sum=np.zeros((n, n_blocks)),
        block_count=np.zeros((n, n_blocks)),
        positive_sum=np.zeros(n),
        degree=np.zeros(n, dtype=np.int64),
        dislikes=np.zeros(n, dtype=np.int64),
        scale=np.array([scale]),
    )
    batch_ties.rebuild_ties(ties)
    return ties


@pytest.mark.parametrize("n", [7, 56, 193])
def test_partner_in_proportion_to_trust(n: int) -> None:
    ties = _ties(n, seed=n)
    params = derived_parameters(batch_scenario())._replace(friend_choice=1.0)
    state = _state(3)
    member = int(np.argmax(ties.degree))
    draws = np.array([informal.choose_partner(state, params, ties, member) for _ in range(30_000)])
    trust = np.maximum(ties.stored[member, :n], 0.0)
    assert trust[draws].min() > 0.0  # never a colleague without trust
    observed = np.bincount(draws, minlength=n).astype(float)
    assert _chi_square_p(observed[trust > 0], trust[trust > 0]) > ALPHA


def test_stranger_contacts_avoid_disliked_colleagues() -> None:
    n = 30
    ties = _ties(n, seed=5)
    params = derived_parameters(batch_scenario())._replace(friend_choice=0.0)
    state = _state(4)
    member = int(np.argmax(ties.dislikes))
    draws = np.array([informal.choose_partner(state, params, ties, member) for _ in range(20_000)])
    allowed = (ties.stored[member, :n] >= 0) & (np.arange(n) != member)
    assert allowed[draws].all()
    observed = np.bincount(draws, minlength=n).astype(float)
    assert _chi_square_p(observed[allowed], np.ones(allowed.sum())) > ALPHA


@settings(max_examples=25, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.integers(0, 18), st.integers(0, 18), st.sampled_from([-0.6, 0.0, 0.05, 0.3, 0.9])),
        min_size=1,
        max_size=40,
    ),
    scale=st.sampled_from([1.0, 0.37]),
)
def test_tie_bookkeeping_matches_a_recount(changes: list[tuple[int, int, float]], scale: float) -> None:
    """Sums and counts kept by set_trust equal those of a fresh rebuild after any changes."""
    n = 19
    ties = _ties(n, seed=7, scale=scale)
    for i, j, value in changes:
        if i != j:
            batch_ties.set_trust(ties, i, j, value)
    recount = Ties(ties.stored, *(np.zeros_like(a) for a in ties[1:-1]), ties.scale)
    batch_ties.rebuild_ties(recount)
    np.testing.assert_allclose(ties.block_sum, recount.block_sum, atol=1e-12)
    np.testing.assert_allclose(ties.block_count, recount.block_count, atol=1e-12)
    np.testing.assert_allclose(ties.positive_sum, recount.positive_sum, atol=1e-12)
    np.testing.assert_array_equal(ties.degree, recount.degree)
    np.testing.assert_array_equal(ties.dislikes, recount.dislikes)
    np.testing.assert_array_equal(ties.stored[:, :n], ties.stored[:, :n].T)
    assert not ties.stored[:, n:].any()  # the padding columns stay empty


def batch_scenario() -> Scenario:
    """A small scenario for the kernel's parameter array."""
    return load_scenario("unsc")
