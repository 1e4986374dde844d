"""Calibration: the paper's figures as targets with SEs, and the simulated-moments fit of shared parameters.

:mod:`corridors.paper` holds the published tables (re-exported here); :mod:`.targets` turns them and
the shipped sample into targets with standard errors; :mod:`.fit` fits parameters shared
by every organization (docs/CALIBRATION.md). Names are imported on first use, so reading
the paper's tables does not load the fitting machinery.
"""

from __future__ import annotations

import importlib
from typing import Any

_SOURCES = {
    "MSMCalibration": "fit",
    "female_shares": "paper",
    "mean_contacts_per_week": "paper",
    "mean_response_months": "paper",
    "survey_shares": "paper",
    "table1": "paper",
    "table2": "paper",
    "table3": "paper",
    "PARAMETER_SETS": "pipeline",
    "parameter_overrides": "pipeline",
    "parameter_set_overrides": "pipeline",
    "read_parameter_file": "pipeline",
    "run_calibration": "pipeline",
    "shipped_parameter_file": "pipeline",
    "shipped_run_folder": "pipeline",
    "write_outputs": "pipeline",
    "calibration_targets": "targets",
    "decision_times": "targets",
}

__all__ = sorted(_SOURCES)


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module 'corridors.calibration' has no attribute {name!r}")
    source = _SOURCES[name]
    module = "corridors.paper" if source == "paper" else f"corridors.calibration.{source}"
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_SOURCES])
