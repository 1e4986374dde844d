"""The section on each mechanism switched off alone, and all interpersonal ones (the realist reading)."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from corridors.report.page import ReportFigure, ReportTable, Section
from corridors.report.plan import MECHANISM_ORDER, ORGANIZATIONS
from corridors.report.sections.base import BASELINE_NOTE, Context, changes, decides, number, ordering, signed, words

ID = "mechanisms"
TITLE = "Mechanisms"
STAGE = "mechanisms"


class Tables(NamedTuple):
    mechanisms: pd.DataFrame
    summary: pd.DataFrame
    baseline_order: str
    observed_order: str


def tables(ctx: Context) -> Tables:
    """Per switch and organization the change of the restricted mean; per switch its size and the order it leaves."""
    from corridors import paper

    observed_order = ordering(paper.mean_response_months().loc[[o.upper() for o in ORGANIZATIONS]].to_dict())
    baseline_order = ordering(
        {o.upper(): ctx.stats(f"table/calibrated/{o}")["restricted_mean_months"] for o in ORGANIZATIONS}
    )
    records = []
    for label in ("realist", *(f"no_{m}" for m in MECHANISM_ORDER)):
        means = {o.upper(): ctx.stats(f"mechanisms/{label}/{o}")["restricted_mean_months"] for o in ORGANIZATIONS}
        order = ordering(means)
        for org in ORGANIZATIONS:
            key = f"mechanisms/{label}/{org}"
            records.append(
                {
                    "setting": label,
                    "organization": org.upper(),
                    **changes(ctx, f"table/calibrated/{org}", key),
                    "ordering": order,
                    "ordering_as_calibrated": order == baseline_order,
                    "eu_slowest": order.startswith("EU"),
                    "scenario_hash": ctx.hash(key),
                }
            )
    table = pd.DataFrame(records)
    return Tables(table, summarize(table), baseline_order, observed_order)


def summarize(table: pd.DataFrame) -> pd.DataFrame:
    """Per switch over the organizations: the mean size of the change, how many slower or faster (95%), the
    order it leaves, the lowest decided share and whether most runs of every organization decide in the horizon."""
    return pd.DataFrame(
        [
            {
                "setting": label,
                "mean_abs_change_months": float(part["change_months"].abs().mean()),
                "organizations_slower": int((part["change_lower"] > 0).sum()),
                "organizations_faster": int((part["change_upper"] < 0).sum()),
                "ordering": part["ordering"].iloc[0],
                "ordering_as_calibrated": bool(part["ordering_as_calibrated"].iloc[0]),
                "lowest_decided_share": float(part["decided_share"].min()),
                "decides_within_horizon": decides(float(part["decided_share"].min())),
            }
            for label, part in table.groupby("setting", sort=False)
        ]
    )


def sentence(t: Tables) -> str:
    """The realist reading's range of changes, the two switches that matter most and how often the order survives.

    A switch under which most runs of some organization do not decide within the horizon is not
    ranked by its change (its restricted mean is mostly the horizon): the lead says that its runs
    do not decide, with the lowest decided share.
    """
    table, summary = t.mechanisms, t.summary
    switches = summary[summary["setting"] != "realist"].set_index("setting")
    deciding = switches[switches["decides_within_horizon"].astype(bool)]
    undecided = switches[~switches["decides_within_horizon"].astype(bool)]
    effect = deciding["mean_abs_change_months"].sort_values()
    kept = table.drop_duplicates("setting")
    realist = table[table["setting"] == "realist"].set_index("organization")
    realist_order = str(realist["ordering"].iloc[0])
    if decides(float(realist["decided_share"].min())):
        realist_text = (
            f"changes the mean response by {signed(realist['change_months'].min())} to "
            f"{signed(realist['change_months'].max())} months across the four organizations and leaves the order "
            f"{realist_order}"
        )
    else:
        realist_text = (
            f"leaves most runs of some organization undecided within the horizon (decided share down to "
            f"{number(realist['decided_share'].min())})"
        )
    text = f"Switching off every interpersonal mechanism (realist) {realist_text}; alone, "
    if len(effect):
        biggest = effect.index[-1]
        text += f"{words(biggest)} matters most (on average {number(effect.iloc[-1])} months either way)"
        if len(effect) > 1:
            second = effect.index[-2]
            text += f", then {words(second)} ({number(effect.loc[second])})"
    else:
        text += "no switch leaves most runs deciding within the horizon"
    if len(undecided):
        names = ", ".join(words(s) for s in undecided.index)
        text += (
            f"; with {names} off most runs do not decide within the horizon (decided share down to "
            f"{number(undecided['lowest_decided_share'].min())}), so that restricted mean is the horizon, not an "
            "effect"
        )
    return text + (
        f"; the calibrated order {t.baseline_order} survives {int(kept['ordering_as_calibrated'].sum())} of the "
        f"{len(kept)} switches (the paper's: {t.observed_order})."
    )


def build(ctx: Context) -> Section:
    from corridors.report.figures import ablation_figure, png

    t = tables(ctx)
    return Section(
        ID,
        TITLE,
        sentence(t),
        tables=[
            ReportTable(
                "mechanisms",
                "Each mechanism switched off alone, and all interpersonal ones (realist), at the "
                "calibrated values: mean response months (undecided runs at the horizon)",
                t.mechanisms,
                ctx.caption(
                    ctx.config.replications,
                    note=BASELINE_NOTE.format(replications=ctx.config.table_replications),
                ),
            ),
            ReportTable(
                "mechanisms_summary",
                "Each switch over the four organizations: mean size of the change, "
                "organizations significantly slower or faster (95%), and the order it leaves",
                t.summary,
                ctx.caption(ctx.config.replications, scenarios="mechanisms"),
            ),
        ],
        figures=[
            ReportFigure(
                "mechanisms",
                "Ablation",
                png(ablation_figure(t.mechanisms)),
                "change of mean response per mechanism switched off, per organization",
            )
        ],
        notes=[
            "The change is against the calibrated model, with the 95% interval of two independent estimates. "
            "Where fewer than half the runs of an organization decide within the horizon (with capital_review off "
            "capitals never widen their instructions), the restricted mean is mostly the horizon: the lead says so "
            "instead of reading it as an effect (decides_within_horizon in mechanisms_summary)."
        ],
    )
