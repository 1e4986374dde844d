"""A small random number generator that compiled code can carry: xoshiro256**.

State is four uint64 words, seeded from a :class:`numpy.random.SeedSequence`, so every
stream still starts from SeedSequence as the house rule asks; the generator itself lives
in a plain array that numba functions update in place (no Python objects in the loops).
"""

from __future__ import annotations

import math

import numpy as np
from numba import uint64

from corridors.engines.jit_options import fast

__all__ = ["new_state", "next_beta", "next_double", "next_gamma", "next_normal", "next_poisson", "next_poisson_small"]


def new_state(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """Four uint64 words from a seed sequence (never all zero).

    Examples
    --------
    >>> state = new_state(np.random.SeedSequence(1))
    >>> state.dtype, state.shape
    (dtype('uint64'), (4,))
    """
    state = seed_sequence.generate_state(4, dtype=np.uint64)
    if not state.any():
        state[0] = np.uint64(0x9E3779B97F4A7C15)
    return state


@fast
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << uint64(k)) | (x >> uint64(64 - k))


@fast
def next_uint64(state: np.ndarray) -> np.uint64:
    """The next 64 random bits (xoshiro256**, Blackman and Vigna 2018)."""
    result = _rotl(state[1] * uint64(5), 7) * uint64(9)
    t = state[1] << uint64(17)
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= t
    state[3] = _rotl(state[3], 45)
    return result


@fast
def next_double(state: np.ndarray) -> float:
    """Uniform on [0, 1) with 53 random bits."""
    return float(next_uint64(state) >> uint64(11)) * (1.0 / 9007199254740992.0)


@fast
def next_normal(state: np.ndarray) -> float:
    """Standard normal by the Box-Muller transform (one of the pair)."""
    u1 = next_double(state)
    u2 = next_double(state)
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


@fast
def next_gamma(state: np.ndarray, shape: float) -> float:
    """Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 by the boost u^(1/shape)."""
    if shape < 1.0:
        u = next_double(state)
        return next_gamma(state, shape + 1.0) * (1.0 - u) ** (1.0 / shape)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = next_normal(state)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = next_double(state)
        if u < 1.0 - 0.0331 * x * x * x * x:
            return d * v
        if math.log(1.0 - u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return d * v


@fast
def next_beta(state: np.ndarray, alpha: float, beta: float) -> float:
    """Beta(alpha, beta) as a ratio of gammas."""
    x = next_gamma(state, alpha)
    y = next_gamma(state, beta)
    return x / (x + y)


@fast
def next_poisson_small(state: np.ndarray, limit: float) -> int:
    """Poisson with mean m <= 20 given ``limit = exp(-m)`` (Knuth), for a mean used many times."""
    total = 0
    product = next_double(state)
    while product > limit:
        total += 1
        product *= next_double(state)
    return total


@fast
def next_poisson(state: np.ndarray, mean: float) -> int:
    """Poisson(mean) by multiplying uniforms (Knuth), in pieces of at most 20 for large means."""
    total = 0
    remaining = mean
    while remaining > 0.0:
        piece = min(remaining, 20.0)
        remaining -= piece
        limit = math.exp(-piece)
        product = next_double(state)
        while product > limit:
            total += 1
            product *= next_double(state)
    return total
