"""The batch engine: the model compiled with numba, many replicates per call.

The same day order, submodels and rules as :mod:`corridors.engines.reference`, on named
arrays (:mod:`.state`): the tie matrix (:mod:`.ties`), informal life (:mod:`.informal`),
the crisis (:mod:`.crisis`) and the day loop (:mod:`.kernel`). Functions are named like the
reference engine's methods and draw the same uniforms in the same order, so the two
engines give the same row for the same seed and replicate (ODD section 7).
"""

from corridors.engines.batch.kernel import BLOCK_REPLICATES, iter_batch, run_batch

__all__ = ["BLOCK_REPLICATES", "iter_batch", "run_batch"]
