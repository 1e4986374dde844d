"""Numbers and small helpers shared by every stage of corridors, written once.

A low-level module like :mod:`corridors.errors`: it imports nothing else of corridors,
so any stage may import it (``tests/test_import_layers.py``). The paper's own figures,
including its four organizations, live in :mod:`corridors.paper`.
"""

from __future__ import annotations

import os

__all__ = ["DAYS_PER_MONTH", "Z95", "available_cores"]

DAYS_PER_MONTH = 30.44
"""Days in a month: 365.25 / 12 rounded to two decimals, as the rows and the datasets convert."""

Z95 = 1.959963984540054
"""The two-sided 95% quantile of the standard normal, ``scipy.stats.norm.ppf(0.975)``."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity on Linux, else the machine's count).

    Examples
    --------
    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
