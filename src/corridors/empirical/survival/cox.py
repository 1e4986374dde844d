"""A Cox proportional-hazards model of response times, with its assumption check."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from lifelines import CoxPHFitter
    from matplotlib.axes import Axes

from corridors.empirical.survival._common import (
    _DURATION,
    _EVENT,
    _check_durations,
    _new_axes,
)


class ResponseCox:
    """Cox proportional-hazards model of the start hazard on covariates, with its PH check.

    A hazard ratio above 1 means a faster start. With organization-level covariates (formal
    meetings per week, committee size) the model compares few organizations: read it as
    descriptive.

    Parameters
    ----------
    covariates
        Covariate columns of the durations frame (see :func:`add_organization_covariates`).
    penalizer
        L2 penalty passed to lifelines (0: the plain partial likelihood).
    alpha
        1 - confidence level of the intervals.

    Attributes
    ----------
    model_ : lifelines.CoxPHFitter
    assumptions_ : pandas.DataFrame
        Proportional-hazards test per covariate (Schoenfeld residuals, rank time transform):
        test_statistic, p.
    dropped_rows_ : int
        Rows left out because a covariate is missing.

    Examples
    --------
    >>> frame = pd.DataFrame({"response_months": [1, 2, 3, 4, 5, 6, 7, 8.0],
    ...                       "started": [True, True, False, True, True, True, False, True],
    ...                       "meetings_per_week": [0.5, 0.5, 1, 0.5, 2, 2, 1, 2]})
    >>> cox = ResponseCox(covariates=["meetings_per_week"]).fit(frame)
    >>> list(cox.summary.index)
    ['meetings_per_week']
    """

    def __init__(
        self,
        *,
        covariates: Sequence[str] = ("formal_meetings_per_week", "committee_members"),
        penalizer: float = 0.0,
        alpha: float = 0.05,
        duration_col: str = _DURATION,
        event_col: str = _EVENT,
    ) -> None:
        if not covariates:
            raise CorridorsError("the Cox model needs at least one covariate")
        if penalizer < 0:
            raise CorridorsError(f"penalizer must be >= 0, got {penalizer}")
        self.covariates = list(covariates)
        self.penalizer = penalizer
        self.alpha = alpha
        self.duration_col = duration_col
        self.event_col = event_col

    def fit(self, durations: pd.DataFrame) -> ResponseCox:
        """Fit the model and test the proportional-hazards assumption."""
        from lifelines import CoxPHFitter
        from lifelines.exceptions import ConvergenceError
        from lifelines.statistics import proportional_hazard_test

        missing = [c for c in self.covariates if c not in durations.columns]
        if missing:
            raise CorridorsError(
                [
                    f"Cox covariate '{c}' is not a column of the data (add_organization_covariates adds "
                    "formal_meetings_per_week and committee_members)"
                    for c in missing
                ]
            )
        columns = [self.duration_col, self.event_col, *self.covariates]
        data = _check_durations(
            durations[[c for c in columns if c in durations.columns]], self.duration_col, self.event_col, None
        )  # a copy of the model's columns only
        for c in self.covariates:
            data[c] = pd.to_numeric(data[c], errors="coerce")
        complete = data.dropna()
        self.dropped_rows_ = len(data) - len(complete)
        constant = [c for c in self.covariates if complete[c].nunique() < 2]
        if constant:
            raise CorridorsError([f"Cox covariate '{c}' does not vary across the rows used; drop it" for c in constant])
        if int(complete[self.event_col].sum()) < 2:
            raise CorridorsError("the Cox model needs at least two started operations")
        model = CoxPHFitter(penalizer=self.penalizer, alpha=self.alpha)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(complete, duration_col=self.duration_col, event_col=self.event_col)
        except ConvergenceError as exc:
            first = str(exc).strip().splitlines()[0]
            raise CorridorsError(
                f"the Cox model did not converge ({first}); try a penalizer such as 0.1 or fewer covariates"
            ) from None
        self.model_: CoxPHFitter = model
        self.data_ = complete
        self.summary = model.summary
        self.concordance_ = float(model.concordance_index_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = proportional_hazard_test(model, complete, time_transform="rank")
        table = test.summary[["test_statistic", "p"]].copy()
        table.index = [str(i[0]) if isinstance(i, tuple) else str(i) for i in table.index]
        table.index.name = "covariate"
        self.assumptions_ = table
        return self

    def plot_coefficients(self, ax: Axes | None = None) -> Axes:
        """Log hazard ratios with confidence intervals.

        Examples
        --------
        >>> frame = pd.DataFrame({"response_months": [1, 2, 3, 4, 5, 6.0], "started": [True] * 6,
        ...                       "x": [0, 1, 0, 1, 0, 2]})
        >>> ResponseCox(covariates=["x"]).fit(frame).plot_coefficients().get_xlabel()
        'log hazard ratio of starting (95% CI)'
        """
        if not hasattr(self, "model_"):
            raise CorridorsError("call fit(durations) first")
        ax = _new_axes(ax)
        self.model_.plot(ax=ax)
        ax.set_xlabel(f"log hazard ratio of starting ({100 * (1 - self.alpha):.0f}% CI)")
        return ax
