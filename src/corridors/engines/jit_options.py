"""The numba options every compiled function of the engines uses, in one place.

``FAST``: cached on disk, no reference counting (the kernels never allocate), numpy's error
model (a division by zero gives inf or NaN, never an exception). ``INLINE``: the same,
inlined into the caller at numba's IR level: the small rules and samplers, and the crisis
day's steps called from one place (capital reviews, caucuses, convening, the formal
meeting, first calls, bridges). numba gives each ``FAST`` function its own LLVM module and
links and re-optimizes it inside every caller's, so a deep call tree is optimized again at
each level; inlining the one-caller steps cut a cold compile from about 80 s to 59 s with
the same rows and speed (benchmarks/worlds.py).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FAST", "INLINE"]

FAST: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}
INLINE: dict[str, Any] = {**FAST, "inline": "always"}
