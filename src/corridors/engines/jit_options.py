"""The numba options every compiled function of the engines uses, in one place.

``FAST``: cached on disk, no reference counting (the kernels never allocate), numpy's error
model (a division by zero gives inf or NaN, never an exception). ``INLINE``: the same,
inlined into the caller at numba's IR level (the small rules and samplers).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FAST", "INLINE"]

FAST: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}
INLINE: dict[str, Any] = {**FAST, "inline": "always"}
