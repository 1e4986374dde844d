"""Seeds of an experiment, all derived from its one root seed by ``SeedSequence``.

- A replicate's random streams depend only on (root seed, stream key, replicate index):
  :func:`corridors.engines.draws.replicate_seed_sequence`. So the rows of a sweep never
  depend on the executor, the chunk size or the order chunks finish in. The stream key is
  the design point's scenario hash, or, with the spec's ``common_random_numbers``, the
  base scenario's hash for every point (replicate i of every point then shares its
  streams: common random numbers). The store keeps each point's key
  (``design_points.stream_key``), and replay uses it.
- The design's sample (Latin hypercube, Sobol, Morris) and the bootstrap of the
  sensitivity analysis take their own integer seeds from :func:`derived_seed`, so they
  draw nothing from the replicates' streams and nothing from global state.
"""

from __future__ import annotations

import numpy as np

from corridors.engines.draws import replicate_seed_sequence

__all__ = ["PURPOSES", "derived_seed", "replicate_seed_sequence"]

PURPOSES = {"design": 0x44455349, "analysis": 0x414E4C59}
"""Tags that keep the derived streams apart ('DESI', 'ANLY')."""


def derived_seed(root_seed: int, purpose: str) -> int:
    """A positive 63-bit integer seed for one purpose, derived from the root seed.

    Parameters
    ----------
    root_seed
        The experiment's root seed (non-negative).
    purpose
        ``"design"`` (the sampler) or ``"analysis"`` (bootstrap confidence intervals).

    Examples
    --------
    >>> derived_seed(2012, "design") == derived_seed(2012, "design")
    True
    >>> derived_seed(2012, "design") != derived_seed(2012, "analysis")
    True
    """
    if root_seed < 0:
        raise ValueError("seed must be a non-negative integer")
    state = np.random.SeedSequence([int(root_seed), PURPOSES[purpose]]).generate_state(2, dtype=np.uint32)
    value = (int(state[0]) << 31) | (int(state[1]) >> 1)
    return value or 1  # never 0: SALib's sobol.analyze treats a zero seed as "no seed"
