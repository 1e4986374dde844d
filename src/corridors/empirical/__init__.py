"""The empirical toolkit: observed and simulated response times, surveys, networks, power.

One module per family of methods:

- :mod:`~corridors.empirical.datasets`: the peace-operation schema, loaders (CSV, Excel,
  Parquet, Stata, SPSS) and row checks;
- :mod:`~corridors.empirical.survival`: Kaplan-Meier, log-rank, Cox and discrete-time
  logit models (lifelines, statsmodels) on observed or simulated durations;
- :mod:`~corridors.empirical.survey`: the ambassador survey schema, the paper's Table 2,
  and a clearly labelled synthetic survey;
- :mod:`~corridors.empirical.networks`: friends, density, centrality and brokers of the
  routine network;
- :mod:`~corridors.empirical.power`: exact Shapley-Shubik and Banzhaf indices beside
  informal power.

The example files and their provenance are in ``corridors/empirical/data``
(:func:`example_path`).
"""

from typing import TYPE_CHECKING, Any

from corridors.empirical._io import DataProblem
from corridors.empirical.datasets import (
    DAYS_PER_MONTH,
    KNOWN_ORGANIZATIONS,
    PeaceOperations,
    example_path,
    load_peace_operations,
    peace_operations_schema,
)
from corridors.empirical.networks import RoutineNetwork, load_ties, members_table, ties_from_weights
from corridors.empirical.power import VotingGame, VotingPower, banzhaf, shapley_shubik, swing_counts
from corridors.empirical.survey import (
    Survey,
    load_survey,
    survey_shares,
    synthetic_survey,
    table2,
)
from corridors.empirical.survival import (
    DiscreteTimeLogit,
    ObservedVsSimulated,
    ResponseCox,
    ResponseSurvival,
    SurvivalReport,
    add_organization_covariates,
    describe_durations,
    durations_from_runs,
    load_runs,
    person_period_counts,
    person_periods,
    save_figure,
)

__all__ = [
    "DAYS_PER_MONTH",
    "KNOWN_ORGANIZATIONS",
    "PAPER_SURVEY",
    "PAPER_TABLE_1_MONTHS",
    "PAPER_TABLE_2",
    "DataProblem",
    "DiscreteTimeLogit",
    "ObservedVsSimulated",
    "PeaceOperations",
    "ResponseCox",
    "ResponseSurvival",
    "RoutineNetwork",
    "Survey",
    "SurvivalReport",
    "VotingGame",
    "VotingPower",
    "add_organization_covariates",
    "banzhaf",
    "describe_durations",
    "durations_from_runs",
    "example_path",
    "load_peace_operations",
    "load_runs",
    "load_survey",
    "load_ties",
    "members_table",
    "peace_operations_schema",
    "person_period_counts",
    "person_periods",
    "save_figure",
    "shapley_shubik",
    "survey_shares",
    "swing_counts",
    "synthetic_survey",
    "table2",
    "ties_from_weights",
]

if TYPE_CHECKING:
    from corridors.empirical.survey import PAPER_SURVEY, PAPER_TABLE_2
    from corridors.empirical.survival._common import PAPER_TABLE_1_MONTHS

_PAPER_CONSTANTS = {
    "PAPER_SURVEY": "corridors.empirical.survey",
    "PAPER_TABLE_2": "corridors.empirical.survey",
    "PAPER_TABLE_1_MONTHS": "corridors.empirical.survival._common",
}


def __getattr__(name: str) -> Any:
    """The paper's figures as dicts, read from :mod:`corridors.paper` on first use (nothing is read at import)."""
    if name in _PAPER_CONSTANTS:
        import importlib

        return getattr(importlib.import_module(_PAPER_CONSTANTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
