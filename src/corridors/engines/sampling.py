"""Samplers shared by both engines: the same draws, in the same order, from one stream.

Each takes a xoshiro256** state (:mod:`corridors.engines.rng`) and consumes uniforms in a
documented order, so the reference engine, calling these from Python, and the batch
kernels, inlining them, replay the same run from the same seed.
"""

from __future__ import annotations

import math

import numpy as np

from corridors.engines.jit_options import fast
from corridors.engines.rng import next_double, next_poisson

__all__ = [
    "departures",
    "geometric_gap",
    "pick_stranger",
    "poisson_by_inversion",
    "poisson_cdf",
    "poisson_counts",
    "shuffle_prefix",
]


def poisson_cdf(rate: float, size: int = 64) -> np.ndarray:
    """Distribution function of Poisson(rate) at 0 .. size - 2, and a sentinel last entry.

    The sentinel is 2.0 when the tail beyond the table is negligible (it ends the inversion
    loop); otherwise 0.5, and :func:`poisson_by_inversion` multiplies uniforms instead.

    Examples
    --------
    >>> cdf = poisson_cdf(0.5)
    >>> round(float(cdf[0]), 6), float(cdf[-1])
    (0.606531, 2.0)
    """
    k = np.arange(size, dtype=np.float64)
    if rate <= 0.0:
        cdf = np.ones(size)
    else:
        log_pmf = -rate + k * math.log(rate) - np.array([math.lgamma(x + 1.0) for x in k])
        cdf = np.cumsum(np.exp(log_pmf))
    cdf[-1] = 2.0 if 1.0 - cdf[-2] < 1e-16 else 0.5
    return cdf


@fast
def poisson_by_inversion(state: np.ndarray, cdf: np.ndarray, rate: float) -> int:
    """Poisson(rate) by inverting its tabulated distribution function (one uniform)."""
    if cdf[-1] < 1.0:
        return next_poisson(state, rate)
    draw = next_double(state)
    k = 0
    for m in range(4):  # branch-free for the usual small counts
        k += draw >= cdf[m]
    if k == 4:
        while draw >= cdf[k]:
            k += 1
    return k


@fast
def shuffle_prefix(state: np.ndarray, order: np.ndarray, m: int) -> None:
    """Put order[:m] in a uniformly random order (Fisher-Yates, m - 1 uniforms)."""
    for i in range(m - 1, 0, -1):
        j = min(int(next_double(state) * (i + 1)), i)
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


@fast
def geometric_gap(state: np.ndarray, log_stay: float) -> float:
    """Failures before the first success of Bernoulli trials with log(1 - p) = log_stay."""
    if log_stay >= 0.0:
        return np.inf
    return math.floor(math.log1p(-next_double(state)) / log_stay)


@fast
def pick_stranger(state: np.ndarray, row: np.ndarray, i: int, n: int) -> int:
    """A colleague of i drawn uniformly among those i does not dislike (row[j] >= 0).

    The caller makes sure one exists. Rejection sampling: one uniform per try.
    """
    while True:
        j = min(int(next_double(state) * (n - 1)), n - 2)
        if j >= i:
            j += 1
        if row[j] >= 0.0:
            return j


@fast
def poisson_counts(state: np.ndarray, cdf: np.ndarray, rate: float, counts: np.ndarray, order: np.ndarray) -> int:
    """Each member's contacts today (Poisson, in member order), then the starters in random order.

    Fills ``counts`` and ``order[:m]`` with the m members who start at least one contact,
    shuffled; returns m. Uses n + m - 1 uniforms.
    """
    active = 0
    for i in range(counts.size):
        calls = poisson_by_inversion(state, cdf, rate)
        counts[i] = calls
        order[active] = i
        active += calls > 0
    shuffle_prefix(state, order, active)
    return active


@fast
def departures(state: np.ndarray, log_stay: float, skip: float, leavers: np.ndarray) -> tuple[int, float]:
    """Today's departures among n members, from the member-days ``skip`` left until the next one.

    Fills ``leavers[:m]`` in member order; returns (m, the skip carried into tomorrow).
    """
    n = leavers.size
    position = 0
    m = 0
    while skip < n - position:
        i = position + int(skip)
        leavers[m] = i
        m += 1
        position = i + 1
        skip = geometric_gap(state, log_stay)
    return m, skip - (n - position)
