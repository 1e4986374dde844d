"""Calibration: the paper's figures as targets with SEs, and the simulated-moments fit of shared parameters.

``corridors.calibration.paper`` holds the published tables; :mod:`.targets` turns them and
the shipped sample into targets with standard errors; :mod:`.fit` fits parameters shared
by every organization (docs/CALIBRATION.md).
"""

from corridors.calibration.fit import MSMCalibration
from corridors.calibration.paper import (
    female_shares,
    mean_contacts_per_week,
    mean_response_months,
    survey_shares,
    table1,
    table2,
    table3,
    targets,
)
from corridors.calibration.pipeline import (
    parameter_overrides,
    read_parameter_file,
    run_calibration,
    shipped_parameter_file,
    write_outputs,
)
from corridors.calibration.targets import calibration_targets, decision_times

__all__ = [
    "MSMCalibration",
    "calibration_targets",
    "decision_times",
    "female_shares",
    "mean_contacts_per_week",
    "mean_response_months",
    "parameter_overrides",
    "read_parameter_file",
    "run_calibration",
    "shipped_parameter_file",
    "survey_shares",
    "table1",
    "table2",
    "table3",
    "targets",
    "write_outputs",
]
