"""Survival analysis of response times, observed or simulated (lifelines, statsmodels).

Every analysis takes a *durations frame*: one row per operation (or simulated run) with
``organization`` (the group), ``response_months`` (demand to start, or to censoring) and
``started`` (False = right-censored). Observed data give it through
:meth:`PeaceOperations.durations <corridors.empirical.datasets.PeaceOperations.durations>`,
simulated runs through :func:`durations_from_runs`, so both are analysed by the same code.

The estimators follow lifelines' grammar: options in the constructor, ``fit(df)``
returns the estimator, fitted attributes end in ``_``, ``summary`` is a DataFrame and
``plot_*`` methods return a matplotlib Axes.
"""

from typing import TYPE_CHECKING, Any

from corridors.empirical.survival._common import save_figure
from corridors.empirical.survival.compare import ObservedVsSimulated
from corridors.empirical.survival.cox import ResponseCox
from corridors.empirical.survival.discrete_time import (
    DiscreteTimeLogit,
    person_period_counts,
    person_periods,
)
from corridors.empirical.survival.durations import add_organization_covariates, durations_from_runs, load_runs
from corridors.empirical.survival.kaplan_meier import ResponseSurvival
from corridors.empirical.survival.report import SurvivalReport, describe_durations

__all__ = [
    "PAPER_TABLE_1_MONTHS",
    "DiscreteTimeLogit",
    "ObservedVsSimulated",
    "ResponseCox",
    "ResponseSurvival",
    "SurvivalReport",
    "add_organization_covariates",
    "describe_durations",
    "durations_from_runs",
    "load_runs",
    "person_period_counts",
    "person_periods",
    "save_figure",
]

if TYPE_CHECKING:
    from corridors.empirical.survival._common import PAPER_TABLE_1_MONTHS


def __getattr__(name: str) -> Any:
    """``PAPER_TABLE_1_MONTHS``, read from :mod:`corridors.paper` on first use (nothing is read at import)."""
    if name == "PAPER_TABLE_1_MONTHS":
        from corridors.empirical.survival import _common

        return _common.PAPER_TABLE_1_MONTHS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
