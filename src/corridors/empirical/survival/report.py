"""A Table-1-style description of response times: every analysis in one report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    pass

from corridors.empirical.survival._common import _DURATION, _EVENT, _GROUP, save_figure
from corridors.empirical.survival.cox import ResponseCox
from corridors.empirical.survival.discrete_time import DiscreteTimeLogit, TimeTerms
from corridors.empirical.survival.durations import add_organization_covariates
from corridors.empirical.survival.kaplan_meier import ResponseSurvival


@dataclass
class SurvivalReport:
    """Everything ``corridors data describe`` prints: Table 1, log-rank, Cox, logit.

    Attributes
    ----------
    survival : ResponseSurvival
    cox : ResponseCox or None
    logit : DiscreteTimeLogit or None
    skipped : list[str]
        Analyses that could not run, with the reason.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["A", "A", "B", "B"], "response_months": [1.0, 2, 3, 4],
    ...                       "started": [True] * 4})
    >>> report = describe_durations(frame, covariates=())
    >>> report.text().splitlines()[0]
    'Response times, demand to start (Table 1 style)'
    """

    survival: ResponseSurvival
    cox: ResponseCox | None = None
    logit: DiscreteTimeLogit | None = None
    skipped: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The report as plain text."""
        blocks = []
        with pd.option_context(
            "display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format
        ):
            blocks.append("Response times, demand to start (Table 1 style)\n" + self.survival.table1().to_string())
            if self.survival.logrank_overall_ is not None:
                lr = self.survival.logrank_overall_.iloc[0]
                blocks.append(
                    f"Log-rank test, all groups: chi2 = {lr['test_statistic']:.3f}, "
                    f"df = {int(lr['degrees_of_freedom'])}, p = {lr['p']:.4f}"
                )
            if self.survival.logrank_pairwise_ is not None:
                blocks.append("Pairwise log-rank tests\n" + self.survival.logrank_pairwise_.to_string())
            if self.cox is not None:
                cols = ["coef", "exp(coef)", "exp(coef) lower 95%", "exp(coef) upper 95%", "p"]
                shown = self.cox.summary[[c for c in cols if c in self.cox.summary.columns]]
                extra = (
                    f", {self.cox.dropped_rows_} row(s) without covariates left out" if self.cox.dropped_rows_ else ""
                )
                blocks.append(
                    f"Cox proportional hazards of starting (n = {len(self.cox.data_)}{extra}; "
                    f"concordance {self.cox.concordance_:.3f})\n"
                    + shown.to_string()
                    + "\nProportional-hazards check (Schoenfeld residuals, rank time)\n"
                    + self.cox.assumptions_.to_string()
                )
            if self.logit is not None:
                blocks.append(
                    f"Discrete-time logit (Beck, Katz and Tucker 1998; {self.logit.period_months:g}-month periods, "
                    f"time terms: {self.logit.time_terms}; {self.logit.n_person_periods_} person-periods)\n"
                    + self.logit.summary[["coef", "std_err", "p", "odds_ratio"]].to_string()
                )
        blocks.extend(f"skipped: {reason}" for reason in self.skipped)
        return "\n\n".join(blocks)

    def plot(self, path: str | Path) -> Path:
        """Write the Kaplan-Meier figure to ``path`` (PNG, PDF or SVG by extension)."""
        return save_figure(self.survival.plot_survival(), path)


def describe_durations(
    durations: pd.DataFrame,
    *,
    covariates: Sequence[str] = ("formal_meetings_per_week", "committee_members"),
    alpha: float = 0.05,
    horizon_months: float | None = None,
    period_months: float = 1.0,
    time_terms: TimeTerms = "log",
    penalizer: float = 0.0,
    models: bool = True,
) -> SurvivalReport:
    """Kaplan-Meier, log-rank, Cox and discrete-time logit on one durations frame.

    ``models=False`` fits only Kaplan-Meier and the log-rank tests.

    Organization-level covariates (:func:`add_organization_covariates`) are added when
    named. A model that cannot be fitted on the data (too few events, a constant
    covariate) is skipped with its reason rather than stopping the report.

    Examples
    --------
    >>> from corridors.empirical.datasets import load_peace_operations, example_path
    >>> report = describe_durations(load_peace_operations(example_path()).durations())
    >>> report.survival.summary.loc["EU", "operations"]
    np.int64(10)
    """
    survival = ResponseSurvival(alpha=alpha, horizon_months=horizon_months).fit(durations)
    report = SurvivalReport(survival=survival)
    if not models:
        return report
    # the models see only their columns: a copy of a large file's text columns would double its memory
    used = [c for c in dict.fromkeys([_GROUP, _DURATION, _EVENT, *covariates]) if c in durations.columns]
    data = add_organization_covariates(durations[used], covariates=covariates) if covariates else durations[used]
    if covariates:
        try:
            report.cox = ResponseCox(covariates=covariates, penalizer=penalizer, alpha=alpha).fit(data)
        except CorridorsError as exc:
            report.skipped.append("Cox model: " + "; ".join(exc.problems))
    try:
        report.logit = DiscreteTimeLogit(covariates=covariates, period_months=period_months, time_terms=time_terms).fit(
            data
        )
    except CorridorsError as exc:
        report.skipped.append("discrete-time logit: " + "; ".join(exc.problems))
    return report
