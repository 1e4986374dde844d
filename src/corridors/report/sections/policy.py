"""The section on the EU's formal meetings per week along a curve, and three policies against the calibrated model."""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.engines.summary import censored_at_horizon
from corridors.report.page import ReportFigure, ReportTable, Section
from corridors.report.plan import EU_MEETINGS_TODAY, ORGANIZATIONS, POLICIES
from corridors.report.sections.base import BASELINE_NOTE, RESTRICTED, Context, changes, number, signed
from corridors.report.stats import Z95, response_stats

ID = "policy"
TITLE = "Policy experiments"
STAGE = "policy experiments"


class Tables(NamedTuple):
    meetings: pd.DataFrame
    policies: pd.DataFrame
    optimum: float | None
    """The fastest meetings a week when it is inside the range and both ends are slower (paired 95%), else None."""


def _curve(rows: pd.DataFrame) -> tuple[pd.DataFrame, float | None]:
    curve = []
    for value, part in rows.groupby("formal_meetings_per_week", sort=True):
        s = response_stats(part)
        curve.append(
            {
                "meetings_per_week": float(value),
                "mean_months": s["restricted_mean_months"],
                "se": s["restricted_se"],
                "lower_95": s["restricted_mean_months"] - Z95 * s["restricted_se"],
                "upper_95": s["restricted_mean_months"] + Z95 * s["restricted_se"],
                "decided_share": s["decided_share"],
                "contacts_per_week": float(part["contacts_per_week"].mean()),
                "scenario_hash": str(part["scenario_hash"].iloc[0]),
            }
        )
    curve_frame = pd.DataFrame(curve)
    best = int(curve_frame["mean_months"].idxmin())
    # common random numbers: replicate i shares its stream across the curve, so compare point by point; each
    # run's duration stops at the horizon, as in the restricted mean the curve shows
    days, _, _ = censored_at_horizon(rows)
    months = rows.assign(months=days / DAYS_PER_MONTH).pivot(
        index="replicate", columns="formal_meetings_per_week", values="months"
    )
    best_value = float(curve_frame.loc[best, "meetings_per_week"])
    paired = []
    for value in curve_frame["meetings_per_week"]:
        d = (months[value] - months[best_value]).to_numpy(float)
        se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
        paired.append((float(d.mean()), se))
    curve_frame["minus_fastest_months"] = [m for m, _ in paired]
    curve_frame["minus_fastest_lower"] = [m - Z95 * se for m, se in paired]
    curve_frame["minus_fastest_upper"] = [m + Z95 * se for m, se in paired]
    interior = 0 < best < len(curve_frame) - 1
    lower = curve_frame["minus_fastest_lower"]
    ends_higher = bool(lower.iloc[0] > 0 and lower.iloc[-1] > 0)
    return curve_frame, best_value if interior and ends_higher else None


def tables(ctx: Context) -> Tables:
    """The meetings curve (with paired differences from its fastest point) and each policy's change."""
    curve_frame, optimum = _curve(ctx.rows["policy/meetings/eu"])
    records = []
    for policy in POLICIES:
        for org in ORGANIZATIONS:
            key = f"policy/{policy}/{org}"
            records.append(
                {
                    "policy": policy,
                    "organization": org.upper(),
                    **changes(ctx, f"table/calibrated/{org}", key),
                    "scenario_hash": ctx.hash(key),
                }
            )
    return Tables(curve_frame, pd.DataFrame(records), optimum)


def sentence(t: Tables) -> str:
    """The EU's response at few, today's and many meetings, the curve's shape and the policy that helps it most."""
    curve_frame, optimum = t.meetings, t.optimum
    best = int(curve_frame["mean_months"].idxmin())
    today = curve_frame.iloc[(curve_frame["meetings_per_week"] - EU_MEETINGS_TODAY).abs().argmin()]
    eu = t.policies[t.policies["organization"] == "EU"].set_index("policy")
    best_policy = eu["change_months"].idxmin()
    lowest, highest = curve_frame.iloc[0], curve_frame.iloc[-1]
    shape = (
        f"the fastest, {optimum:g} a week, is an optimum inside the range (both ends slower by "
        f"{signed(curve_frame['minus_fastest_months'].iloc[0])} and "
        f"{signed(curve_frame['minus_fastest_months'].iloc[-1])} months, paired 95% intervals above 0)"
        if optimum is not None
        else f"the fastest point is {curve_frame.loc[best, 'meetings_per_week']:g} a week "
        f"({number(curve_frame.loc[best, 'mean_months'])} months), but the paired intervals do not separate an "
        "optimum inside the range from both ends"
    )
    return (
        f"For the EU, the mean response is {number(lowest['mean_months'])} months at "
        f"{lowest['meetings_per_week']:g} formal meetings a week, {number(today['mean_months'])} at today's "
        f"{today['meetings_per_week']:g} and {number(highest['mean_months'])} at {highest['meetings_per_week']:g}; "
        f"{shape}; of the other policies, {best_policy.replace('_', ' ')} helps the EU most "
        f"({number(eu.loc[best_policy, 'change_months'])} months, 95% interval "
        f"{number(eu.loc[best_policy, 'change_lower'])} to {number(eu.loc[best_policy, 'change_upper'])})."
    )


def build(ctx: Context) -> Section:
    from corridors.report.figures import meetings_figure, png, policy_figure

    t = tables(ctx)
    return Section(
        ID,
        TITLE,
        sentence(t),
        tables=[
            ReportTable(
                "policy_meetings",
                "The EU's formal meetings per week (mean response, undecided at the horizon; "
                "minus_fastest: the paired difference from the fastest point, common random numbers)",
                t.meetings,
                ctx.caption(
                    ctx.config.replications,
                    note=f"mean_months here is the restricted mean (every run, censored at the horizon). At today's "
                    f"{EU_MEETINGS_TODAY:g} a week the point is table1's calibrated EU scenario (the same scenario "
                    f"hash); common random numbers key every point's streams by that scenario, so the point is the "
                    f"first {ctx.config.replications} of table1's {ctx.config.table_replications} EU runs and its "
                    "figure differs from table1's restricted_mean_months by those replications alone.",
                ),
                headers=RESTRICTED,
            ),
            ReportTable(
                "policy_experiments",
                "Policies against the calibrated model",
                t.policies,
                ctx.caption(
                    ctx.config.replications,
                    note=BASELINE_NOTE.format(replications=ctx.config.table_replications),
                ),
            ),
        ],
        figures=[
            ReportFigure(
                "policy_meetings",
                "Meetings per week",
                png(meetings_figure(t.meetings, current=EU_MEETINGS_TODAY, optimum=t.optimum)),
                "EU response months against meetings per week",
            ),
            ReportFigure(
                "policy_experiments",
                "Policies",
                png(policy_figure(t.policies)),
                "change of mean response per policy and organization",
            ),
        ],
        notes=[f"{name.replace('_', ' ')}: {text}." for name, text in POLICIES.items()],
    )
