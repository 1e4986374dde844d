"""The section on three cases: Atalanta's NATO-assets sub-issue, the Security Council's rule, the OAS in 2008."""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.report.page import ReportTable, Section
from corridors.report.plan import OAS_SETTINGS
from corridors.report.sections.base import RESTRICTED, Context, decides, number, signed
from corridors.report.stats import difference, share_interval

ID = "cases"
TITLE = "Cases"
STAGE = "cases"


class Tables(NamedTuple):
    atalanta: pd.DataFrame
    unsc: pd.DataFrame
    pivotal: pd.DataFrame
    oas: pd.DataFrame


def _atalanta(ctx: Context) -> pd.DataFrame:
    atalanta = []
    none = ctx.stats("case/atalanta_none/eu")
    for label, text in (
        ("none", "no NATO-assets sub-issue"),
        ("bridges", "NATO assets in the draft, bridges on"),
        ("no_bridges", "NATO assets in the draft, bridges off"),
    ):
        key = f"case/atalanta_{label}/eu"
        rows, s = ctx.rows[key], ctx.stats(key)
        shares = rows["red_line"].value_counts(normalize=True)
        change, lower, upper = difference(
            none["restricted_mean_months"], none["restricted_se"], s["restricted_mean_months"], s["restricted_se"]
        )
        atalanta.append(
            {
                "setting": text,
                "bridged": float(shares.get("bridged", 0.0)),
                "redrafted": float(shares.get("redrafted", 0.0)),
                "unresolved": float(shares.get("unresolved", 0.0)),
                "mean_months": s["restricted_mean_months"],
                **(
                    {"cost_days": math.nan, "cost_lower_days": math.nan, "cost_upper_days": math.nan}
                    if label == "none"
                    # the reference itself
                    else {
                        "cost_days": change * DAYS_PER_MONTH,
                        "cost_lower_days": lower * DAYS_PER_MONTH,
                        "cost_upper_days": upper * DAYS_PER_MONTH,
                    }
                ),
                "decided_share": s["decided_share"],
                "scenario_hash": ctx.hash(key),
            }
        )
    return pd.DataFrame(atalanta)


def _unsc(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    from corridors.empirical.power import VotingGame, shapley_shubik
    from corridors.scenario import load_scenario

    unsc = load_scenario("unsc")
    rule = unsc.decision_rule
    codes = [m.code for m in unsc.members]
    game = VotingGame(
        players=tuple(codes),
        weights=tuple(1 for _ in codes),
        quota=int(rule.quota or len(codes)),
        veto=tuple(rule.veto_members),
    )
    power = shapley_shubik(game)
    unsc_rows = []
    pivotal = {}
    for label, text in (("veto", "9 of 15 with a P5 veto (the Charter)"), ("unanimity", "unanimity")):
        key = f"case/unsc_{label}/unsc"
        s = ctx.stats(key)
        pivotal[label] = ctx.rows[key]["pivotal_member"].value_counts(normalize=True)
        unsc_rows.append(
            {
                "rule": text,
                "mean_months": s["restricted_mean_months"],
                "se": s["restricted_se"],
                "decided_share": s["decided_share"],
                "decision_days_mean": s["decision_days_mean"],
                "scenario_hash": ctx.hash(key),
            }
        )
    p5 = set(rule.veto_members)
    for row, label in zip(unsc_rows, ("veto", "unanimity"), strict=True):
        # summed in member order: a set's order follows string hashing, so the sum's last bit changed between runs
        row["p5_last_to_accept_share"] = float(sum(pivotal[label].get(c, 0.0) for c in codes if c in p5))
    pivotal_frame = (
        pd.DataFrame(
            {
                "member": codes,
                "permanent": [c in p5 for c in codes],
                "pivotal_share_veto": [float(pivotal["veto"].get(c, 0.0)) for c in codes],
                "pivotal_share_unanimity": [float(pivotal["unanimity"].get(c, 0.0)) for c in codes],
                "shapley_shubik": [float(power.get(c, 0.0)) for c in codes],
            }
        )
        .sort_values("pivotal_share_veto", ascending=False)
        .reset_index(drop=True)
    )
    return pd.DataFrame(unsc_rows), pivotal_frame


def _oas(ctx: Context) -> pd.DataFrame:
    oas_rows = []
    for label in OAS_SETTINGS:
        key = f"table/{label}/oas" if label in ("defaults", "calibrated") else f"case/oas_{label}/oas"
        rows = ctx.rows[key]
        fast = int((rows["decided"] & (rows["decision_day"] <= 4)).sum())
        lower, upper = share_interval(fast, len(rows))
        oas_rows.append(
            {
                "setting": label,
                "decided_within_4_days": fast / len(rows),
                "lower_95": lower,
                "upper_95": upper,
                "median_decision_days": float(rows.loc[rows["decided"], "decision_day"].median()),
                "replications": len(rows),
                "scenario_hash": ctx.hash(key),
            }
        )
    return pd.DataFrame(oas_rows)


def tables(ctx: Context) -> Tables:
    """Atalanta's red-line outcomes and cost, the UNSC's two rules and who is pivotal, the OAS within 4 days."""
    return Tables(_atalanta(ctx), *_unsc(ctx), _oas(ctx))


def sentence(t: Tables) -> str:
    """The sub-issue's cost with and without bridges, unanimity against the Charter, the OAS's fastest share."""
    bridged, no_bridge = t.atalanta.iloc[1], t.atalanta.iloc[2]
    veto, unanimity = t.unsc.iloc[0], t.unsc.iloc[1]
    p5_share = float(veto["p5_last_to_accept_share"])
    fastest = t.oas.loc[t.oas["decided_within_4_days"].idxmax()]
    undecided = [
        r for r, row in (("unanimity", unanimity), ("the Charter's rule", veto)) if not decides(row["decided_share"])
    ]
    unsc_text = (  # a restricted mean that is mostly the horizon is not read as a time
        f"in the Security Council unanimity takes {number(unanimity['mean_months'])} months against "
        f"{number(veto['mean_months'])} under the Charter's rule, "
        if not undecided
        else f"in the Security Council most runs under {' and '.join(undecided)} do not decide within the horizon "
        f"(decided share {number(min(unanimity['decided_share'], veto['decided_share']))}), "
    )
    return (
        f"Forced into the EU's draft, the NATO-assets sub-issue costs {signed(bridged['cost_days'], 1)} days with "
        f"bridges (95% interval {number(bridged['cost_lower_days'], 1)} to {number(bridged['cost_upper_days'], 1)}; "
        f"{number(100 * bridged['bridged'], 1)}% bridged) and {signed(no_bridge['cost_days'], 1)} without "
        f"({number(no_bridge['cost_lower_days'], 1)} to {number(no_bridge['cost_upper_days'], 1)}); "
        + unsc_text
        + f"where the P5 are the last to accept in {number(100 * p5_share, 1)}% of runs; and the OAS decides within 4 "
        f"days, as in the 2008 Colombia-Ecuador crisis, "
        + (
            f"in at most {number(100 * fastest['decided_within_4_days'], 1)}% of runs "
            f"({str(fastest['setting']).replace('_', ' ')})."
            if fastest["decided_within_4_days"] > 0
            else f"in none of the {int(t.oas['replications'].sum())} runs of the {len(t.oas)} settings tried."
        )
    )


def build(ctx: Context) -> Section:
    t = tables(ctx)
    caption = ctx.caption(ctx.config.replications)
    return Section(
        ID,
        TITLE,
        sentence(t),
        tables=[
            ReportTable(
                "case_atalanta",
                "Atalanta: the EU with the NATO-assets sub-issue in the draft (Cyprus's red "
                "line); red-line outcomes and the cost in days against no sub-issue",
                t.atalanta,
                caption,
                headers=RESTRICTED,
            ),
            ReportTable(
                "case_unsc",
                "The UN Security Council: the Charter's rule against unanimity",
                t.unsc,
                caption,
                headers=RESTRICTED,
            ),
            ReportTable(
                "case_unsc_pivotal",
                "Who is pivotal (the last to accept) in the model, beside the Shapley-Shubik index of the voting rule",
                t.pivotal,
                ctx.caption(ctx.config.replications, scenarios="case_unsc"),
                digits=3,
            ),
            ReportTable(
                "case_oas",
                "The OAS in the 2008 Colombia-Ecuador crisis: how often the model decides within 4 days",
                t.oas,
                ctx.caption(None),
            ),
        ],
        notes=[
            "In the model the pivotal member is the capital that accepts last; the Shapley-Shubik index is the "
            "voting rule's a priori power (corridors.empirical.power), a different notion, shown for context.",
            "The OAS Permanent Council's resolution of 5 March 2008 came four days after the Colombian raid "
            "of 1 March.",
        ],
    )
