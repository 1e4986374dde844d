"""The answer section (first): what the model says about why the EU is slowest, built from this run's tables.

The paper asks why the EU answers a crisis more slowly than the AU, the OAS and the OSCE, and
answers: its ambassadors meet formally so often that they have few informal relations. This
section says in words what this run of the model says to that: whether the calibrated model
makes the EU the slowest (Table 1), which mechanisms carry it (the mechanisms section's
switch-offs, with intervals), how sure that is, and where the data disagree (Table 1 and the
shipped sample). Every number it quotes is in its two tables, ``answer`` (each figure with the
table and column it is copied from) and ``answer_mechanisms`` (the EU's change beside the
others' for each switch, from ``mechanisms``).

The answer is a list of paragraphs (:func:`paragraphs`); another section's sentence joins it
through :data:`MORE_PARAGRAPHS`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import pandas as pd

from corridors.report.page import ReportTable, Section
from corridors.report.plan import ORGANIZATIONS
from corridors.report.sections.base import Context, decides, number, signed, words
from corridors.report.sections.theories import bench_answer_sentence
from corridors.report.stats import Z95

ID = "answer"
TITLE = "The answer"
STAGE = "the answer"

MECHANISM_WORDS = {
    "crowding_out": "formal meetings crowd out informal contacts, so ambassadors who meet formally more often call "
    "each other less",
    "trust_growth": "trust between ambassadors grows with each contact",
    "info_sharing": "friends tell each other their capitals' instructions",
    "gossip": "friends pass on what they have heard of others' instructions",
    "lobbying": "friends press each other's capitals to widen their instructions",
    "capital_review": "capitals widen their instructions at their weekly reviews",
    "entrenchment": "a capital whose ambassador has just rejected a proposal widens less",
    "caucuses": "sub-regional caucuses meet before the formal meetings",
    "caucus_reporting": "caucuses report their members' positions to the agenda setter",
    "caucus_harmonization": "caucus members pull their positions together",
    "meeting_fatigue": "frequent formal meetings slow the growth of trust",
    "posturing": "ambassadors state narrower public positions than their instructions",
    "emergency_meeting": "an emergency meeting opens the crisis soon after the demand, before the next regular one",
    "agency": "trusted ambassadors bend their instructions a little",
    "bridges": "a red line's holders and their friends find a workaround that takes the sub-issue off the draft",
    "first_call": "about half the ambassadors call a friend before their capital",
}
"""What each mechanism does, in a few words (docs/ODD.md, section 4)."""

MORE_PARAGRAPHS: list[Callable[[Context], str | None]] = [bench_answer_sentence]
"""Further answer paragraphs, each written by another section from its own tables and appended
after :func:`paragraphs`' own (``None``: nothing to add). The theory bench's scorecard sentence
(``bench_answer_sentence(ctx)``) goes here."""


class Tables(NamedTuple):
    answer: pd.DataFrame
    """Each figure the answer quotes: what it is, whose, its value and interval, its table and column."""
    mechanisms: pd.DataFrame
    """Per switch: the EU's change beside the other organizations' and what it does to the EU's place."""


def _figure(
    figure: str,
    organization: str,
    value: float,
    source: str,
    column: str,
    lower: float = math.nan,
    upper: float = math.nan,
    n: float = math.nan,
) -> dict[str, object]:
    return {
        "figure": figure,
        "organization": organization,
        "value": float(value),
        "lower_95": float(lower),
        "upper_95": float(upper),
        "n": n,
        "source_table": source,
        "source_column": column,
    }


def eu_against_others(mechanisms: pd.DataFrame) -> pd.DataFrame:
    """Per switch: the EU's change, the others' range, and the EU's change less the others' mean change.

    The standard errors are read back from each change's 95% interval (independent runs per
    organization), so the relative change's interval is that of a difference of independent estimates.
    """
    records = []
    for setting, part in mechanisms.groupby("setting", sort=False):
        by = part.set_index("organization")
        se = (by["change_upper"] - by["change_lower"]) / (2 * Z95)
        others = [o.upper() for o in ORGANIZATIONS if o != "eu"]
        relative = float(by.loc["EU", "change_months"] - by.loc[others, "change_months"].mean())
        relative_se = math.sqrt(float(se["EU"]) ** 2 + float((se[others] ** 2).sum()) / len(others) ** 2)
        order = str(by["ordering"].iloc[0])
        records.append(
            {
                "setting": setting,
                "eu_change_months": float(by.loc["EU", "change_months"]),
                "eu_change_lower": float(by.loc["EU", "change_lower"]),
                "eu_change_upper": float(by.loc["EU", "change_upper"]),
                "others_change_min": float(by.loc[others, "change_months"].min()),
                "others_change_max": float(by.loc[others, "change_months"].max()),
                "eu_relative_months": relative,
                "eu_relative_lower": relative - Z95 * relative_se,
                "eu_relative_upper": relative + Z95 * relative_se,
                "eu_rank": order.split(" > ").index("EU") + 1,
                "ordering": order,
                "lowest_decided_share": float(by["decided_share"].min()),
                "decides_within_horizon": decides(float(by["decided_share"].min())),
            }
        )
    return pd.DataFrame(records)


def tables(ctx: Context) -> Tables:
    """The figures of Table 1, the sample and the mechanisms that the answer quotes."""
    from corridors.report.sections import mechanisms, observed, real_data

    observed_tables = observed.tables(ctx)
    t1 = observed_tables.table1
    cal = t1[t1["parameters"] == "calibrated"].set_index("organization")
    figures = []
    for org in (o.upper() for o in ORGANIZATIONS):
        row = cal.loc[org]
        figures.append(
            _figure("Table 1 mean response (months)", org, row["observed_months"], "table1", "observed_months")
        )
        figures.append(
            _figure(
                "model mean response over decided runs (months)",
                org,
                row["mean_months"],
                "table1",
                "mean_months",
                row["mean_months"] - Z95 * row["mean_se"],
                row["mean_months"] + Z95 * row["mean_se"],
                row["replications"],
            )
        )
        figures.append(
            _figure(
                "model restricted mean, every run (months)",
                org,
                row["restricted_mean_months"],
                "table1",
                "restricted_mean_months",
                row["restricted_mean_months"] - Z95 * row["restricted_se"],
                row["restricted_mean_months"] + Z95 * row["restricted_se"],
                row["replications"],
            )
        )
        figures.append(_figure("z, model against Table 1", org, row["z"], "table1", "z"))
    contacts = observed_tables.table2
    for _, row in contacts[contacts["parameters"] == "calibrated"].iterrows():
        figures.append(
            _figure(
                "model informal contacts a week",
                str(row["organization"]),
                row["simulated_contacts_per_week"],
                "table2",
                "simulated_contacts_per_week",
                row["simulated_contacts_per_week"] - Z95 * row["simulated_se"],
                row["simulated_contacts_per_week"] + Z95 * row["simulated_se"],
            )
        )
    real = real_data.tables(ctx).real_data
    response = real[real["measure"].str.startswith("response")].set_index("organization")
    for org in (o.upper() for o in ORGANIZATIONS):
        row = response.loc[org]
        n = float(row["observed_n"])
        figures.append(
            _figure(
                "sample median response (months)",
                org,
                row["observed_median_months"],
                "real_data",
                "observed_median_months",
                n=n,
            )
        )
        figures.append(
            _figure(
                "model median response of decided runs (months)",
                org,
                row["simulated_median_months"],
                "real_data",
                "simulated_median_months",
            )
        )
        figures.append(_figure("log-rank p, response", org, row["logrank_p"], "real_data", "logrank_p", n=n))
    answer = pd.DataFrame(figures)
    answer["n"] = answer["n"].astype("Int64")
    return Tables(answer, eu_against_others(mechanisms.tables(ctx).mechanisms))


def does(setting: str) -> str:
    """What a switched-off mechanism does, in words (``no_crowding_out`` -> formal meetings crowd out ...)."""
    name = setting.removeprefix("no_")
    return MECHANISM_WORDS.get(name, words(name))


def _value(t: Tables, figure: str, organization: str) -> pd.Series:
    a = t.answer
    return a[(a["figure"] == figure) & (a["organization"] == organization)].iloc[0]


def _order(t: Tables, figure: str) -> list[str]:
    part = t.answer[t.answer["figure"] == figure].dropna(subset=["value"])
    return list(part.sort_values("value", ascending=False)["organization"])


def _interval(row: pd.Series, prefix: str) -> str:
    return f"95% interval {number(row[f'{prefix}_lower'])} to {number(row[f'{prefix}_upper'])}"


def _gain(row: pd.Series) -> str:
    """What the EU gains on the others when a mechanism is off (the relative change, negated), with its interval."""
    return (
        f"a gain of {number(-row['eu_relative_months'])} months on them, 95% interval "
        f"{number(-row['eu_relative_upper'])} to {number(-row['eu_relative_lower'])}"
    )


def sentence(t: Tables) -> str:
    """The short answer: is the EU the slowest in the model, as in Table 1, and why, in words."""
    model = _order(t, "model mean response over decided runs (months)")
    paper = _order(t, "Table 1 mean response (months)")
    eu = _value(t, "model mean response over decided runs (months)", "EU")
    eu_paper = _value(t, "Table 1 mean response (months)", "EU")
    calibrated_rank = model.index("EU") + 1
    text = (
        f"At the calibrated values the model {'makes' if calibrated_rank == 1 else 'does not make'} the EU the "
        f"slowest of the four ({number(eu['value'])} months over decided runs, order {' > '.join(model)}; Table 1: "
        f"EU {number(eu_paper['value'])} months, order {' > '.join(paper)})."
    )
    realist = t.mechanisms.set_index("setting").loc["realist"]
    if not bool(realist["decides_within_horizon"]):
        return text + " Without its interpersonal mechanisms most runs do not decide, so the model cannot say why."
    realist_rank = int(realist["eu_rank"])
    if realist_rank == calibrated_rank:
        return text + (
            f" In the model the EU's place does not come from informal relations: with every interpersonal "
            f"mechanism off it stays {place(realist_rank)} (order {realist['ordering']})."
        )
    contacts = t.answer[t.answer["figure"] == "model informal contacts a week"].set_index("organization")["value"]
    others = contacts.drop("EU")
    fewest = bool(contacts.idxmin() == "EU")
    helps_least = bool(realist["eu_relative_upper"] < 0)
    reason = (
        "informal relations help it least"
        + (
            f": its ambassadors have the fewest informal contacts ({number(contacts['EU'])} a week against "
            f"{number(others.min())} to {number(others.max())} elsewhere)"
            if fewest
            else ""
        )
        if helps_least
        else "of its informal relations"
    )
    return text + (
        f" In the model {'the EU is slowest' if calibrated_rank == 1 else 'the EU is where it is'} because {reason}; "
        f"with every interpersonal mechanism off, the EU's response changes by {signed(realist['eu_change_months'])} "
        f"months and the others' by {signed(realist['others_change_min'])} to {signed(realist['others_change_max'])}, "
        f"and the EU becomes {place(realist_rank)} (order {realist['ordering']})."
    )


def _carriers(t: Tables) -> pd.DataFrame:
    """Switches (not the realist set) that decide within the horizon and speed the EU up relative to the others.

    Sorted from the largest catch-up; only those whose relative interval lies below zero.
    """
    m = t.mechanisms
    single = m[(m["setting"] != "realist") & m["decides_within_horizon"].astype(bool)]
    return single[single["eu_relative_upper"] < 0].sort_values("eu_relative_months")


def paragraphs(ctx: Context, t: Tables) -> list[str]:
    """The answer in words after its lead: why, how sure, where the data disagree; then :data:`MORE_PARAGRAPHS`."""
    return [p for p in (why(t), how_sure(ctx, t), disagreement(t), *(more(ctx) for more in MORE_PARAGRAPHS)) if p]


def place(rank: int) -> str:
    """An organization's place from the slowest (1): ``the slowest``, ``the fastest``, ``the 2nd slowest``."""
    if rank == 1:
        return "the slowest"
    if rank == len(ORGANIZATIONS):
        return "the fastest"
    return f"the {rank}{'nd' if rank == 2 else 'rd' if rank == 3 else 'th'} slowest"


def why(t: Tables) -> str:
    """Why the EU is (or is not) slowest in the model: the realist set and the switches that carry it."""
    m = t.mechanisms.set_index("setting")
    realist = m.loc["realist"]
    calibrated_rank = _order(t, "model mean response over decided runs (months)").index("EU") + 1
    realist_rank = int(realist["eu_rank"])
    opening = "Why: with every interpersonal mechanism off at the calibrated values (realist=true, not refitted)"
    if not bool(realist["decides_within_horizon"]):
        realist_text = (
            f"{opening} most runs of some organization do not decide within the horizon (decided share down to "
            f"{number(realist['lowest_decided_share'])}), so that reading says nothing about the order."
        )
    elif realist_rank == calibrated_rank:
        realist_text = (
            f"{opening} the EU stays {place(realist_rank)} (order {realist['ordering']}): in the model its place "
            "does not come from informal relations alone."
        )
    else:
        realist_text = (
            f"{opening} the EU is no longer {place(calibrated_rank)} but {place(realist_rank)} (order "
            f"{realist['ordering']}; the EU changes by {signed(realist['eu_change_months'])} months, "
            f"{_interval(realist, 'eu_change')}, the others by {signed(realist['others_change_min'])} to "
            f"{signed(realist['others_change_max'])}). So in the model the EU's place comes from how ambassadors "
            "relate, not from the formal rules that remain"
            + (
                ": the informal channels help the others more than the EU (with them off the EU makes "
                f"{_gain(realist)})."
                if realist["eu_relative_upper"] < 0
                else "."
            )
        )
    carriers = _carriers(t)
    if carriers.empty:
        return realist_text + (
            " No single mechanism switched off brings the EU closer to the others beyond its 95% interval: "
            "the effect is spread over several."
        )
    parts = []
    for _, row in carriers.head(3).iterrows():
        effect = "slows the EU down" if row["eu_change_months"] < 0 else "speeds the others up more than the EU"
        parts.append(
            f"{words(row['setting'])} ({does(row['setting'])}) {effect}: off, the EU's response changes by "
            f"{signed(row['eu_change_months'])} months and the others' by {signed(row['others_change_min'])} to "
            f"{signed(row['others_change_max'])}, {_gain(row)}"
        )
    return realist_text + (
        f" One switched off at a time, {len(carriers)} of the mechanisms bring the EU closer to the others beyond "
        "their 95% interval. The largest: " + "; ".join(parts) + "."
    )


def how_sure(ctx: Context, t: Tables) -> str:
    """How sure: the replications, the EU's interval, how many switches move the EU, and what is censored."""
    eu = _value(t, "model mean response over decided runs (months)", "EU")
    m = t.mechanisms
    single = m[m["setting"] != "realist"]
    deciding = single[single["decides_within_horizon"].astype(bool)]
    moved = deciding[(deciding["eu_change_upper"] < 0) | (deciding["eu_change_lower"] > 0)]
    undecided = single[~single["decides_within_horizon"].astype(bool)]
    text = (
        f"How sure: the EU's figure rests on {int(eu['n'])} replications ({number(eu['lower_95'])} to "
        f"{number(eu['upper_95'])} months, 95%), each switch on {ctx.config.replications} per organization; "
        f"of the {len(deciding)} switches that leave most runs deciding, {len(moved)} move the EU's response beyond "
        "its 95% interval."
    )
    if len(undecided):
        text += (
            f" With {', '.join(words(s) for s in undecided['setting'])} off most runs do not decide within the "
            f"horizon (decided share down to {number(undecided['lowest_decided_share'].min())}): their restricted "
            "mean is the horizon, not an effect, and the answer does not read it."
        )
    return text + (
        " These are the model's answers at one calibration (the calibration section shows the fit): they say "
        "what the mechanisms do in the model, not that they are what happens in Brussels."
    )


def disagreement(t: Tables) -> str:
    """Where the data disagree: Table 1's largest gap, and the shipped sample's EU beside the model."""
    z = t.answer[t.answer["figure"] == "z, model against Table 1"].set_index("organization")["value"]
    worst = str(z.abs().idxmax())
    sample = _value(t, "sample median response (months)", "EU")
    model = _value(t, "model median response of decided runs (months)", "EU")
    paper = _value(t, "Table 1 mean response (months)", "EU")
    p = _value(t, "log-rank p, response", "EU")
    text = f"Where the data disagree: against Table 1 the largest gap is the {worst}'s (z = {number(z[worst])}). "
    if math.isnan(float(sample["value"])):
        return text + "The shipped sample times no EU response to set beside the model."
    n = int(sample["n"])
    few = n < 5
    text += (
        f"The shipped sample's EU median response is {number(sample['value'])} months "
        f"(n = {n} operation{'' if n == 1 else 's'}) beside the model's {number(model['value'])} and Table 1's "
        f"mean of {number(paper['value'])}: "
    )
    text += (
        "the sample's EU deploys faster than the model says. "
        if sample["value"] < model["value"]
        else "the sample's EU is no faster than the model says. "
    )
    sample_order = _order(t, "sample median response (months)")
    if sample_order:
        sizes = t.answer[(t.answer["figure"] == "sample median response (months)") & t.answer["value"].notna()]["n"]
        text += (
            f"In the sample the slowest by median response is the {sample_order[0]}"
            + (", as in Table 1" if sample_order[0] == "EU" else ", not the EU")
            + f" (medians of {int(sizes.min())} to {int(sizes.max())} operations). "
        )
    pvalue = f"p = {float(p['value']):.2g}, n = {n} operation{'' if n == 1 else 's'}" + (
        "; too few to read" if few else ""
    )
    return text + (
        f"The log-rank test of the EU's curves gives {pvalue}. The model is calibrated to Table 1's means, not to the "
        "sample (only its deployment lags come from the sample), and the sample is a small, recent, partial list: "
        "a median of a few operations against a mean over the paper's; where they part, the model follows Table 1."
    )


def build(ctx: Context) -> Section:
    t = tables(ctx)
    return Section(
        ID,
        TITLE,
        sentence(t),
        tables=[
            ReportTable(
                "answer",
                "The figures the answer quotes, each with the table and column it comes from",
                t.answer,
                ctx.caption(None, scenarios="table1 and real_data", note="n: replications or operations."),
                headers={
                    "value": "value",
                    "n": "n (runs or operations)",
                    "source_table": "table (CSV)",
                    "source_column": "column",
                },
                folded=True,
            ),
            ReportTable(
                "answer_mechanisms",
                "Each switch for the EU beside the others: the EU's change, the others' range and the EU's "
                "change less the others' mean (negative: the EU catches up)",
                t.mechanisms,
                ctx.caption(
                    ctx.config.replications,
                    scenarios="mechanisms",
                    note="From mechanisms.csv; the relative change's interval treats the organizations' runs as "
                    "independent (its SEs read back from each change's 95% interval).",
                ),
                folded=True,
            ),
        ],
        paragraphs=paragraphs(ctx, t),
    )
