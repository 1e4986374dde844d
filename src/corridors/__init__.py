"""corridors: how fast international organizations agree to send a peace operation, and why.

Implements the argument of Hardt (2012), "Keep Friends Close but Colleagues Closer:
Efficiency in the Establishment of Peace Operations", as a scenario language, two
engines of one negotiation model, experiments at scale and an empirical toolkit.

From Python (see ``docs/PYTHON.md``)::

    import corridors
    eu = corridors.load("eu", formal_meetings_per_week=0.5)
    rows = corridors.run(eu, replications=200, seed=1)
    corridors.summarize(rows)

The names below are imported on first use, so ``import corridors`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from corridors._version import __version__

if TYPE_CHECKING:
    from corridors.api import compare, load, load_operations, routine_worlds, run, summarize, sweep
    from corridors.empirical.networks import RoutineNetwork
    from corridors.empirical.power import VotingPower
    from corridors.empirical.survival import ObservedVsSimulated, ResponseSurvival, durations_from_runs
    from corridors.engines.summary import censored_durations
    from corridors.errors import CorridorsError

_LAZY = {
    "compare": "corridors.api",
    "load": "corridors.api",
    "run": "corridors.api",
    "summarize": "corridors.api",
    "sweep": "corridors.api",
    "load_operations": "corridors.api",
    "routine_worlds": "corridors.api",
    "censored_durations": "corridors.engines.summary",
    "durations_from_runs": "corridors.empirical.survival",
    "ResponseSurvival": "corridors.empirical.survival",
    "ObservedVsSimulated": "corridors.empirical.survival",
    "RoutineNetwork": "corridors.empirical.networks",
    "VotingPower": "corridors.empirical.power",
    "CorridorsError": "corridors.errors",
}

__all__ = [
    "CorridorsError",
    "ObservedVsSimulated",
    "ResponseSurvival",
    "RoutineNetwork",
    "VotingPower",
    "__version__",
    "censored_durations",
    "compare",
    "durations_from_runs",
    "load",
    "load_operations",
    "routine_worlds",
    "run",
    "summarize",
    "sweep",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridors' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
