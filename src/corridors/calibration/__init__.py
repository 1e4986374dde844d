"""The paper's published figures as calibration targets (Hardt 2012, Tables 1-3, survey)."""

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

__all__ = [
    "female_shares",
    "mean_contacts_per_week",
    "mean_response_months",
    "survey_shares",
    "table1",
    "table2",
    "table3",
    "targets",
]
