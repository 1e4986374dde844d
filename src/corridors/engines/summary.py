"""Summaries of run rows (survival-ready) and narratives of traced runs.

An undecided run is right-censored at its horizon: its response time is not "missing",
it is "longer than ``horizon_days``". So the headline figures of a set of runs are the
decided share, the Kaplan-Meier median of the response time with its 95% interval and
the restricted mean up to the horizon; a plain mean can only be taken over the decided
runs and is labelled so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH, Z95

if TYPE_CHECKING:
    from corridors.engines.reference import TraceEvent

__all__ = [
    "KaplanMeier",
    "censored_at_horizon",
    "censored_durations",
    "format_value",
    "kaplan_meier",
    "narrate",
    "summarize_runs",
    "survival_figures",
]


def censored_durations(rows: pd.DataFrame) -> pd.DataFrame:
    """``duration_days`` and ``event`` of each run, ready for survival analysis.

    Uses the rows' own ``duration_days``/``event`` columns when present (model v2 rows);
    otherwise derives them: the response day if the run decided, else its horizon
    (right-censored there), and ``event = decided``.

    Examples
    --------
    >>> old = pd.DataFrame({"decided": [True, False], "response_day": [40.0, float("nan")],
    ...                     "horizon_days": [365, 365]})
    >>> censored_durations(old).to_dict("list")
    {'duration_days': [40.0, 365.0], 'event': [True, False]}
    """
    if "duration_days" in rows.columns and "event" in rows.columns:
        duration = rows["duration_days"].astype(float)
        event = rows["event"].astype(bool)
    else:
        event = rows["decided"].astype(bool)
        duration = rows["response_day"].astype(float).where(event, rows["horizon_days"].astype(float))
    return pd.DataFrame({"duration_days": duration.to_numpy(), "event": event.to_numpy()}, index=rows.index)


@dataclass(frozen=True)
class KaplanMeier:
    """The Kaplan-Meier figures of one set of durations (in the durations' unit).

    ``median`` is ``inf`` when the curve never falls to one half (fewer than half the runs
    decided); ``median_upper`` likewise when the upper band does not. ``restricted_mean``
    is the area under the curve up to ``horizon``: the mean duration if every run were
    stopped at the horizon; ``restricted_mean_se`` its standard error (Klein and
    Moeschberger 2003, eq. 4.5.1). :meth:`quantile` reads any other quantile off the curve.
    """

    n: int
    events: int
    median: float
    median_lower: float
    median_upper: float
    restricted_mean: float
    horizon: float
    restricted_mean_se: float = math.nan
    times: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)
    survival: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    def quantile(self, q: float) -> float:
        """The first time the curve is at or below ``1 - q`` (``inf`` if it never is).

        Examples
        --------
        >>> km = kaplan_meier(np.array([1.0, 2, 3, 4, 10]), np.array([1, 1, 1, 1, 0], bool), horizon=10)
        >>> km.quantile(0.5) == km.median, km.quantile(0.2), km.quantile(0.9)
        (True, 1.0, inf)
        """
        return _crossing(self.times, self.survival, 1.0 - q)


def _crossing(times: np.ndarray, curve: np.ndarray, level: float) -> float:
    below = np.nonzero(curve <= level + 1e-12)[0]  # exactly at the level counts, whatever the rounding
    return float(times[below[0]]) if len(below) else math.inf


def kaplan_meier(durations: np.ndarray, events: np.ndarray, *, horizon: float, alpha: float = 0.05) -> KaplanMeier:
    """Kaplan-Meier median with its interval, and restricted mean (with its SE) up to ``horizon``.

    The interval is lifelines' (exponential Greenwood: a band on log(-log S), read where
    it crosses one half), computed here in numpy so a summary needs no heavy import.

    Examples
    --------
    >>> km = kaplan_meier(np.array([1.0, 2, 3, 4, 10]), np.array([1, 1, 1, 1, 0], bool), horizon=10)
    >>> km.median, round(km.restricted_mean, 6)
    (3.0, 4.0)
    """
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=bool)
    n = len(durations)
    if n == 0:
        return KaplanMeier(0, 0, math.nan, math.nan, math.nan, math.nan, float(horizon))
    times, inverse = np.unique(durations, return_inverse=True)
    deaths = np.bincount(inverse, weights=events.astype(float), minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times)).astype(float)
    at_risk = n - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.exp(np.cumsum(np.log(1.0 - deaths / at_risk)))  # as lifelines: ties at 1/2 fall alike
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), 0.0)
        greenwood = np.cumsum(terms)
        log_s = np.log(survival)
        z = _z(alpha)
        spread = z * np.sqrt(greenwood) / log_s  # negative where defined
        upper = np.exp(-np.exp(np.log(-log_s) + spread))
        lower = np.exp(-np.exp(np.log(-log_s) - spread))
    upper = np.where(np.isfinite(upper), upper, np.where(survival >= 1.0, 1.0, 0.0))
    lower = np.where(np.isfinite(lower), lower, np.where(survival >= 1.0, 1.0, 0.0))

    edges = np.concatenate([[0.0], times])
    levels = np.concatenate([[1.0], survival])
    stops = np.minimum(np.concatenate([times, [math.inf]]), horizon)
    widths = np.clip(stops - np.minimum(edges, horizon), 0.0, None)
    restricted = float(np.sum(widths * levels))
    # the area under the curve from each time to the horizon, and Klein and Moeschberger's variance
    after = np.cumsum((widths[1:] * survival)[::-1])[::-1]
    counted = (times <= horizon) & (deaths > 0)
    variance = float(np.sum(np.where(counted, after**2 * terms, 0.0)))
    return KaplanMeier(
        n=n,
        events=int(events.sum()),
        median=_crossing(times, survival, 0.5),
        median_lower=_crossing(times, lower, 0.5),
        median_upper=_crossing(times, upper, 0.5),
        restricted_mean=restricted,
        horizon=float(horizon),
        restricted_mean_se=math.sqrt(variance),
        times=times,
        survival=survival,
    )


def _z(alpha: float) -> float:
    if alpha == 0.05:
        return Z95
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - alpha / 2)


def censored_at_horizon(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, float]:
    """Durations and events of each run censored at its horizon, and the horizon (days).

    A decided run's response (decision + deployment) may end after the horizon, where the
    undecided runs are no longer followed: the curve is only known up to the horizon, so
    every run is censored there (otherwise the late responders alone would set the median).

    Examples
    --------
    >>> rows = pd.DataFrame({"duration_days": [40.0, 400.0, 365.0], "event": [True, True, False],
    ...                      "horizon_days": [365, 365, 365]})
    >>> days, events, horizon = censored_at_horizon(rows)
    >>> days.tolist(), events.tolist(), horizon
    ([40.0, 365.0, 365.0], [True, False, False], 365.0)
    """
    durations = censored_durations(rows)
    horizon_days = float(rows["horizon_days"].max()) if len(rows) else math.nan
    limit = rows["horizon_days"].astype(float).to_numpy()
    days = durations["duration_days"].to_numpy()
    return np.minimum(days, limit), durations["event"].to_numpy() & (days <= limit), horizon_days


def survival_figures(rows: pd.DataFrame) -> dict[str, float]:
    """The survival-ready headline of a set of runs, in months (see the module's note).

    The one summary of a run of every surface: ``corridors run`` and ``corridors summary``,
    the explorer and the report take these figures from here.

    Keys: ``replications``, ``decided_share``, ``km_median_months``,
    ``km_median_lower_months``, ``km_median_upper_months``, ``restricted_mean_months``
    with ``restricted_mean_se_months``, ``km_p025_months`` and ``km_p975_months`` (the
    central 95% of response times read off the curve), ``horizon_months``,
    ``mean_months_decided`` (mean over decided runs). The Kaplan-Meier figures censor every
    run at its horizon (:func:`censored_at_horizon`): a quantile beyond it is ``inf`` (not reached).

    Examples
    --------
    >>> rows = pd.DataFrame({"decided": [True, True, False], "response_day": [30.44, 60.88, float("nan")],
    ...                      "horizon_days": [304, 304, 304]})
    >>> figures = survival_figures(rows)
    >>> figures["replications"], round(figures["km_median_months"], 2), round(figures["mean_months_decided"], 2)
    (3, 2.0, 1.5)
    """
    durations = censored_durations(rows)
    decided = durations.loc[durations["event"], "duration_days"]
    days, events, horizon_days = censored_at_horizon(rows)
    km = kaplan_meier(days, events, horizon=horizon_days)
    return {
        "replications": len(rows),
        "decided_share": float(durations["event"].mean()) if len(rows) else math.nan,
        "km_median_months": km.median / DAYS_PER_MONTH,
        "km_median_lower_months": km.median_lower / DAYS_PER_MONTH,
        "km_median_upper_months": km.median_upper / DAYS_PER_MONTH,
        "restricted_mean_months": km.restricted_mean / DAYS_PER_MONTH,
        "restricted_mean_se_months": km.restricted_mean_se / DAYS_PER_MONTH,
        "km_p025_months": km.quantile(0.025) / DAYS_PER_MONTH if len(rows) else math.nan,
        "km_p975_months": km.quantile(0.975) / DAYS_PER_MONTH if len(rows) else math.nan,
        "horizon_months": horizon_days / DAYS_PER_MONTH,
        "mean_months_decided": float(decided.mean()) / DAYS_PER_MONTH if len(decided) else math.nan,
    }


def format_value(
    value: object, digits: int = 3, *, missing: str = "-", not_reached: str = "not reached", shorten: bool = True
) -> str:
    """A number for a table: integers as integers, ``inf`` as 'not reached', NaN as '-'.

    The one cell formatter of every surface (``corridors run``, ``corridors summary``, the
    report's page): ``missing`` shows NaN and None, ``not_reached`` a median that is never
    reached (``inf``); ``shorten`` writes whole floats of 1000 and more as integers and
    floats of a million and more with four significant digits (the report keeps ``digits``).

    Examples
    --------
    >>> [format_value(v) for v in (10000, 10000.0, 0.5, float("inf"), float("nan"), True)]
    ['10000', '10000', '0.500', 'not reached', '-', 'yes']
    >>> [format_value(v, 2, missing="–", not_reached="n.r.", shorten=False) for v in (10000.0, float("inf"))]
    ['10000.00', 'n.r.']
    """
    if value is None or value is pd.NA:
        return missing
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return missing
        if math.isinf(number):
            return not_reached if number > 0 else "-inf"
        if shorten and number.is_integer() and abs(number) >= 1000:
            return str(int(number))
        return f"{number:.{digits}f}" if abs(number) < 1e6 or not shorten else f"{number:.4g}"
    return str(value)


def summarize_runs(rows: pd.DataFrame) -> pd.DataFrame:
    """One table of the headline figures of a set of replications.

    Rows of the table, in order: replications, decided share, the Kaplan-Meier median of
    response months with its 95% interval, the restricted mean up to the horizon, then
    means over decided runs (labelled so) and the other outcomes. Columns: ``value``,
    ``lower`` and ``upper`` (the 95% interval where there is one), ``median``, ``q25``,
    ``q75`` (over the runs where the measure is defined).

    Examples
    --------
    >>> frame = pd.DataFrame({"decided": [True, False], "decision_day": [10.0, float("nan")],
    ...     "response_day": [76.1, float("nan")], "horizon_days": [365, 365],
    ...     "response_months": [2.5, float("nan")], "n_formal_meetings": [3, 9], "n_failed_proposals": [2, 9],
    ...     "informal_share": [1.0, 0.5], "friends_mean": [4.0, 5.0], "contacts_per_week": [6.0, 6.2]})
    >>> table = summarize_runs(frame)
    >>> table.loc["replications", "value"], float(table.loc["decided share", "value"])
    (2, 0.5)
    >>> round(table.loc["response months: KM median", "value"], 2)  # the curve reaches 1/2 at 2.5
    2.5
    """
    figures = survival_figures(rows)
    nan = math.nan

    def describe(values: pd.Series) -> dict[str, object]:
        clean = values.dropna().astype(float)
        if clean.empty:
            return {"value": nan, "lower": nan, "upper": nan, "median": nan, "q25": nan, "q75": nan}
        return {
            "value": float(clean.mean()),
            "lower": nan,
            "upper": nan,
            "median": float(clean.median()),
            "q25": float(np.quantile(clean, 0.25)),
            "q75": float(np.quantile(clean, 0.75)),
        }

    def single(value: object, lower: float = nan, upper: float = nan) -> dict[str, object]:
        return {"value": value, "lower": lower, "upper": upper, "median": nan, "q25": nan, "q75": nan}

    horizon = figures["horizon_months"]
    table: dict[str, dict[str, object]] = {
        "replications": single(int(figures["replications"])),
        "decided share": single(figures["decided_share"]),
        "response months: KM median": single(
            figures["km_median_months"], figures["km_median_lower_months"], figures["km_median_upper_months"]
        ),
        "response months: restricted mean": single(figures["restricted_mean_months"]),
    }
    measures = [
        ("response months: mean over decided runs", "response_months"),
        ("decision day: mean over decided runs", "decision_day"),
        ("formal meetings", "n_formal_meetings"),
        ("failed proposals", "n_failed_proposals"),
        ("informal share of setter's beliefs", "informal_share"),
        ("formal updates (votes)", "formal_updates"),
        ("friends per ambassador (day 0)", "friends_mean"),
        ("informal contacts per week (routine)", "contacts_per_week"),
        ("first calls to a colleague (share)", "first_call_share"),
        ("meetings convened by the setter", "convened_meetings"),
        ("peers cascade rounds at the last vote", "cascade_rounds"),
    ]
    for label, column in measures:
        if column in rows.columns:
            values = rows[column]
            if column in ("response_months", "decision_day"):
                values = values[rows["decided"].astype(bool)]
            table[label] = describe(values)
    if "formal_updates" in rows.columns:
        table["runs with formal updates"] = single(float((rows["formal_updates"] > 0).mean()))
    frame = pd.DataFrame.from_dict(table, orient="index")
    frame["value"] = pd.Series([entry["value"] for entry in table.values()], index=frame.index, dtype=object)
    frame.attrs["note"] = (
        f"undecided runs are right-censored at the horizon ({horizon:.1f} months): the Kaplan-Meier (KM) median "
        "(95% interval) and the restricted mean (area under the KM curve up to the horizon) count them; means over "
        "decided runs do not. n.r. (not reached): the curve or its band does not fall to one half within the horizon"
    )
    return frame


_VERBS = {
    "contact": "{0} called {1} ({detail})",
    "first call": "{0} called {1} first, before its capital",
    "disclosure": "{1} learned {0}'s limits and {0} learned {1}'s ({detail})",
    "gossip": "{0} and {1} swapped what they had heard: {detail}",
    "lobbying": "{0} and {1} asked each other to talk to their capitals",
}


def narrate(events: list[TraceEvent], *, include_contacts: bool = False) -> list[str]:
    """Readable lines, one per event: ``day 3: FRA called DEU (trust 0.62)``."""
    lines: list[str] = []
    for event in events:
        if event.kind == "contact" and not include_contacts:
            continue
        template = _VERBS.get(event.kind)
        if template is not None and len(event.actors) == 2:
            text = template.format(*event.actors, detail=event.detail)
        else:
            text = event.detail
        lines.append(f"day {event.day}: {text}")
    return lines
