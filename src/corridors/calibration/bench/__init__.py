"""The theory bench: rival theories calibrated on the same patterns, and which survive (docs/CALIBRATION.md).

* :mod:`.spec` - theories as data (a YAML bench spec; the shipped one is :func:`shipped_bench`);
* :mod:`.patterns` - the patterns with their uncertainty;
* :mod:`.fit` - the same fit for every theory (screen, fit, leave one out, ablations, predictive check);
* :mod:`.run` - the whole bench, the scorecard, the outputs;
* :mod:`.report` - what the report shows: the scorecard, its sentence, its figure, the best parameter file;
* :mod:`.shipped` - the outputs shipped in the package (and any output folder) read back, with their manifest.

Names are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_SOURCES = {
    "BenchSpec": "spec",
    "Theory": "spec",
    "load_bench": "spec",
    "shipped_bench": "spec",
    "theory_status": "spec",
    "bench_patterns": "patterns",
    "BenchCalibration": "fit",
    "fit_theory": "fit",
    "predictive_check": "fit",
    "BenchResult": "run",
    "build_scorecard": "run",
    "run_bench": "run",
    "write_bench_outputs": "run",
    "best_parameter_file": "report",
    "best_theory": "report",
    "scorecard_figure": "report",
    "scorecard_table": "report",
    "summary_sentence": "report",
    "BenchOutputs": "shipped",
    "bench_manifest": "shipped",
    "has_bench_outputs": "shipped",
    "load_bench_outputs": "shipped",
    "ship_bench_outputs": "shipped",
    "shipped_bench_folder": "shipped",
}

__all__ = sorted(_SOURCES)


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module 'corridors.calibration.bench' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"corridors.calibration.bench.{_SOURCES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_SOURCES])
