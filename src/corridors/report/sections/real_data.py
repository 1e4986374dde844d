"""The section on the shipped sample of real operations against the calibrated model (log-rank, Kaplan-Meier)."""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.report.page import ReportFigure, ReportTable, Section
from corridors.report.plan import ORGANIZATIONS
from corridors.report.sections.base import Context

MIN_OPERATIONS = 5
"""A log-rank p from fewer operations of the sample than this is shown with its n and not read."""

ID = "real-data"
TITLE = "The real data"
STAGE = "the real data"

Curves = dict[str, pd.DataFrame]


class Tables(NamedTuple):
    real_data: pd.DataFrame
    observed_decision: Curves
    simulated_decision: Curves
    observed_response: Curves
    simulated_response: Curves


def tables(ctx: Context) -> Tables:
    """Per organization and measure (decision, response): the sample's and the model's medians, and a log-rank test."""
    from lifelines.statistics import logrank_test

    from corridors.calibration.targets import DEMAND_KINDS, decision_times
    from corridors.empirical import load_peace_operations
    from corridors.empirical.datasets import example_path

    ops = load_peace_operations(example_path())
    response = ops.durations(demand_kinds=DEMAND_KINDS)
    decisions = decision_times()
    observed_response = {
        o: g.assign(months=g["response_months"].astype(float), event=g["started"].astype(bool))
        for o, g in response.groupby("organization")
    }
    observed_decision = {
        o: g.assign(months=g["decision_days"] / DAYS_PER_MONTH, event=True)
        for o, g in decisions.groupby("organization")
    }
    simulated_response, simulated_decision = {}, {}
    for org in ORGANIZATIONS:
        rows = ctx.rows[f"table/calibrated/{org}"]
        decided = rows["decided"].to_numpy(bool)
        simulated_response[org.upper()] = pd.DataFrame(
            {"months": rows["duration_days"].to_numpy(float) / DAYS_PER_MONTH, "event": decided}
        )
        simulated_decision[org.upper()] = pd.DataFrame(
            {
                "months": np.where(decided, rows["decision_day"].to_numpy(float), rows["horizon_days"].to_numpy(float))
                / DAYS_PER_MONTH,
                "event": decided,
            }
        )
    records = []
    for measure, observed, simulated in (
        ("decision (demand to decision)", observed_decision, simulated_decision),
        ("response (demand to deployment)", observed_response, simulated_response),
    ):
        for org in (o.upper() for o in ORGANIZATIONS):
            obs, sim = observed.get(org), simulated[org]
            key = f"table/calibrated/{org.lower()}"
            if obs is None or len(obs) == 0:
                records.append(
                    {
                        "measure": measure,
                        "organization": org,
                        "observed_n": 0,
                        "observed_events": 0,
                        "observed_median_months": math.nan,
                        "simulated_median_months": float(ctx.stats(key)["median_months"])
                        if measure.startswith("response")
                        else float(np.median(sim["months"])),
                        "logrank_statistic": math.nan,
                        "logrank_p": math.nan,
                        "too_few_operations": True,
                        "scenario_hash": ctx.hash(key),
                    }
                )
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                test = logrank_test(obs["months"], sim["months"], obs["event"], sim["event"])
            records.append(
                {
                    "measure": measure,
                    "organization": org,
                    "observed_n": len(obs),
                    "observed_events": int(obs["event"].sum()),
                    "observed_median_months": float(np.median(obs.loc[obs["event"], "months"]))
                    if obs["event"].any()
                    else math.nan,
                    "simulated_median_months": float(np.median(sim.loc[sim["event"], "months"]))
                    if sim["event"].any()
                    else math.nan,
                    "logrank_statistic": float(test.test_statistic),
                    "logrank_p": float(test.p_value),
                    "too_few_operations": len(obs) < MIN_OPERATIONS,
                    "scenario_hash": ctx.hash(key),
                }
            )
    return Tables(pd.DataFrame(records), observed_decision, simulated_decision, observed_response, simulated_response)


def _which(row: pd.Series) -> str:
    """``the EU's response``: whose comparison a row is."""
    return f"the {row['organization']}'s {str(row['measure']).split(' ')[0]}"


def p_value(row: pd.Series) -> str:
    """A log-rank p with its n; from fewer than :data:`MIN_OPERATIONS` operations, said to be too few to read.

    Examples
    --------
    >>> p_value(pd.Series({"logrank_p": 7.8e-132, "observed_n": 2}))
    'p = 7.8e-132, n = 2 operations; too few to read'
    >>> p_value(pd.Series({"logrank_p": 0.0312, "observed_n": 9}))
    'p = 0.031, n = 9 operations'
    """
    n = int(row["observed_n"])
    text = f"p = {float(row['logrank_p']):.2g}, n = {n} operation{'' if n == 1 else 's'}"
    return text + ("; too few to read" if n < MIN_OPERATIONS else "")


def sentence(table: pd.DataFrame) -> str:
    """How many decisions and responses the sample times, and how many log-rank tests reject equal curves.

    Only comparisons resting on at least :data:`MIN_OPERATIONS` operations are read; the smallest p
    of the others is given with its n and said to be too few to read.
    """
    tested = table[table["logrank_p"].notna()]
    readable = tested[tested["observed_n"] >= MIN_OPERATIONS]
    few = tested[tested["observed_n"] < MIN_OPERATIONS]
    rejected = readable[readable["logrank_p"] < 0.05]
    text = (
        f"The shipped sample times {int(table.loc[table['measure'].str.startswith('decision'), 'observed_n'].sum())} "
        f"decisions and {int(table.loc[table['measure'].str.startswith('response'), 'observed_n'].sum())} "
        f"responses demanded by a UN resolution or a host's request; of the {len(tested)} log-rank comparisons "
        f"with the calibrated model, {len(readable)} rest on at least {MIN_OPERATIONS} operations"
    )
    if len(readable):
        smallest = readable.loc[readable["logrank_p"].idxmin()]
        text += (
            f", and {len(rejected)} of those reject equal curves at the 5% level (smallest: {_which(smallest)}, "
            f"{p_value(smallest)})"
        )
    if len(few):
        smallest = few.loc[few["logrank_p"].idxmin()]
        text += f"; {len(few)} rest on fewer and are not read (smallest: {_which(smallest)}, {p_value(smallest)})"
    return text + "."


def build(ctx: Context) -> Section:
    from corridors.report.figures import km_figure, png

    t = tables(ctx)
    figures = [
        ReportFigure(
            "km_decision",
            "Decision time",
            png(
                km_figure(
                    t.observed_decision,
                    t.simulated_decision,
                    column="months",
                    event="event",
                    title="Demand to decision: observed (solid) and simulated (dashed)",
                    xlabel="months since the demand",
                    max_months=12,
                )
            ),
            "Kaplan-Meier curves of decision time per organization",
        ),
        ReportFigure(
            "km_response",
            "Deployment time",
            png(
                km_figure(
                    t.observed_response,
                    t.simulated_response,
                    column="months",
                    event="event",
                    title="Demand to deployment: observed (solid) and simulated (dashed)",
                    xlabel="months since the demand",
                    max_months=24,
                )
            ),
            "Kaplan-Meier curves of response time per organization",
        ),
    ]
    notes = [
        "The sample is real and sourced but partial (27 timed operations, not the paper's 70); OAS coverage is thin, "
        "and some UN resolutions postdate the organization's own decision (those decisions are dropped).",
        "Only operations demanded by a UN Security Council resolution or the host's request are compared: an "
        "organization's own first decision is not a demand.",
        "The model's deployment lags are estimated from the same sample (corridors.calibration.deployment), so the "
        "deployment part of the response is fitted to these data, not predicted.",
    ]
    return Section(
        ID,
        TITLE,
        sentence(t.real_data),
        tables=[
            ReportTable(
                "real_data",
                "The sample's operations against the calibrated model "
                "(log-rank, censored operations and undecided runs included)",
                t.real_data,
                ctx.caption(
                    ctx.config.table_replications,
                    note=f"A p from fewer than {MIN_OPERATIONS} operations is not read. The medians are over the "
                    "operations and runs that ended (the sample's way), so the model's response median here differs "
                    "from Table 1's median_months for the same scenario, the Kaplan-Meier median over every run.",
                ),
                digits=3,
                headers={
                    "observed_median_months": "sample median of ended operations (months)",
                    "simulated_median_months": "model median of decided runs (months)",
                },
            )
        ],
        figures=figures,
        notes=notes,
    )
