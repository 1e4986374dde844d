"""The report's figures, drawn with matplotlib's object API (no pyplot, no backend switch).

Every function returns a :class:`matplotlib.figure.Figure`; :func:`png` turns one into
bytes for embedding. Legends sit outside the data or in an empty corner, and every
simulated estimate carries its 95% interval.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from corridors._constants import Z95

__all__ = [
    "ORG_COLORS",
    "ablation_figure",
    "calibration_figure",
    "km_figure",
    "meetings_figure",
    "network_figure",
    "png",
    "policy_figure",
    "table1_figure",
]

ORG_COLORS = {"AU": "#1b9e77", "EU": "#3b5bdb", "OAS": "#d95f02", "OSCE": "#7570b3", "UNSC": "#666666"}
SUBREGION_PALETTE = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
)


def png(fig: Figure, *, dpi: int = 110) -> bytes:
    """A figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def table1_figure(table: pd.DataFrame) -> Figure:
    """Table 1 observed (with the target's 95% interval) beside the simulated means at defaults and calibrated."""
    fig = Figure(figsize=(7.5, 3.8), layout="constrained")
    ax = fig.add_subplot()
    orgs = list(dict.fromkeys(table["organization"]))
    x = np.arange(len(orgs))
    width = 0.26
    observed = table.drop_duplicates("organization").set_index("organization").loc[orgs]
    ax.bar(
        x - width,
        observed["observed_months"],
        width,
        yerr=Z95 * observed["observed_se"],
        capsize=3,
        color="#555555",
        label="Table 1 (observed, ±1.96 SE)",
    )
    for k, (parameters, color) in enumerate((("defaults", "#9ab8e8"), ("calibrated", "#2f6fd0"))):
        part = table[table["parameters"] == parameters].set_index("organization").reindex(orgs)
        ax.bar(
            x + k * width,
            part["mean_months"],
            width,
            yerr=Z95 * part["mean_se"],
            capsize=3,
            color=color,
            label=f"simulated, {parameters}",
        )
    ax.set_xticks(x, orgs)
    ax.set_ylabel("months from demand to deployment")
    ax.set_title("Response time: the paper's Table 1 and the model")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def km_figure(
    observed: Mapping[str, pd.DataFrame],
    simulated: Mapping[str, pd.DataFrame],
    *,
    column: str,
    event: str,
    title: str,
    xlabel: str,
    max_months: float = 18.0,
) -> Figure:
    """Kaplan-Meier curves per organization: observed (solid, censoring ticks) over simulated (dashed)."""
    from lifelines import KaplanMeierFitter

    orgs = list(simulated)
    fig = Figure(figsize=(8.5, 6.0), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    for ax, org in zip(axes, orgs, strict=False):
        color = ORG_COLORS.get(org, "#333333")
        sim = simulated[org]
        kmf = KaplanMeierFitter(label="simulated")
        kmf.fit(np.minimum(sim[column], max_months * 4), sim[event])
        kmf.plot_survival_function(ax=ax, ci_show=False, color=color, linestyle="--")
        obs = observed.get(org)
        if obs is not None and len(obs):
            kmf_o = KaplanMeierFitter(label=f"observed (n={len(obs)})")
            kmf_o.fit(obs[column], obs[event])
            kmf_o.plot_survival_function(
                ax=ax, ci_show=True, color="#222222", show_censors=True, censor_styles={"ms": 6, "marker": "|"}
            )
        else:
            ax.text(
                0.5, 0.5, "no observed operations", transform=ax.transAxes, ha="center", fontsize=8, color="#777777"
            )
        ax.set_title(org, fontsize=10)
        ax.set_xlim(0, max_months)
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=7, frameon=False, loc="upper right")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("share still waiting")
    fig.suptitle(title, fontsize=11)
    return fig


def calibration_figure(loo: pd.DataFrame) -> Figure:
    """Held-out predictions of Table 1 against the observed means, both readings, with the targets' intervals."""
    fig = Figure(figsize=(7.0, 3.8), layout="constrained")
    ax = fig.add_subplot()
    part = loo[loo["measure"] == "response_months"]
    orgs = list(dict.fromkeys(part["held_out"]))
    x = np.arange(len(orgs))
    first = part.drop_duplicates("held_out").set_index("held_out").loc[orgs]
    ax.errorbar(
        x,
        first["observed"],
        yerr=Z95 * first["se"],
        fmt="s",
        color="#222222",
        capsize=4,
        label="Table 1 (observed, ±1.96 SE)",
    )
    for k, (reading, color) in enumerate((("interpersonal", "#2f6fd0"), ("realist", "#d9480f"))):
        r = part[part["reading"] == reading].set_index("held_out").reindex(orgs)
        ax.scatter(
            x + 0.15 * (k + 1),
            r["held_out_prediction"],
            color=color,
            marker="o",
            zorder=3,
            label=f"{reading}: predicted when held out",
        )
        ax.scatter(
            x + 0.15 * (k + 1),
            r["in_sample"],
            color=color,
            marker="x",
            zorder=3,
            label=f"{reading}: fitted on all four",
        )
    ax.set_xticks(x + 0.15, orgs)
    ax.set_ylabel("months from demand to deployment")
    ax.set_title("Leave one organization out: fit on three, predict the fourth")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def ablation_figure(table: pd.DataFrame) -> Figure:
    """Change of each organization's mean response when one mechanism is switched off (95% intervals)."""
    settings = list(dict.fromkeys(table["setting"]))
    orgs = list(dict.fromkeys(table["organization"]))
    fig = Figure(figsize=(8.0, 0.32 * len(settings) * 1.15 + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(settings))
    step = 0.8 / max(1, len(orgs))
    # a switch that dwarfs the rest (e.g. capitals that never widen) is drawn at the edge, labelled
    bounds = table.assign(b=np.abs(table[["change_lower", "change_upper"]].to_numpy(float)).max(axis=1))
    per_setting = bounds.groupby("setting", sort=False)["b"].max()
    outlying = per_setting > 3.0 * float(np.quantile(bounds["b"], 0.9))
    clipped = bool(outlying.any() and (~outlying).any())
    cap = 1.1 * float(per_setting[~outlying].max()) if clipped else float(per_setting.max())
    for k, org in enumerate(orgs):
        part = table[table["organization"] == org].set_index("setting").reindex(settings)
        offset = (k - (len(orgs) - 1) / 2) * step
        change = part["change_months"].to_numpy(float)
        lower, upper = part["change_lower"].to_numpy(float), part["change_upper"].to_numpy(float)
        color = ORG_COLORS.get(org, "#333333")
        off = outlying.reindex(settings).to_numpy(bool) if clipped else np.zeros(len(change), bool)
        ax.errorbar(
            change[~off],
            (y + offset)[~off],
            xerr=[(change - lower)[~off], (upper - change)[~off]],
            fmt="o",
            ms=3.5,
            capsize=2,
            color=color,
            label=org,
        )
        for row in np.nonzero(off)[0]:
            edge = cap if change[row] > 0 else -cap
            ax.plot(edge, y[row] + offset, marker=">" if edge > 0 else "<", color=color, ms=5)
            ax.annotate(
                f"{change[row]:+.1f}",
                (edge, y[row] + offset),
                xytext=(-4 if edge > 0 else 4, 0),
                textcoords="offset points",
                ha="right" if edge > 0 else "left",
                va="center",
                fontsize=6,
                color=color,
            )
    if clipped:
        ax.set_xlim(-cap * 1.05, cap * 1.05)
    ax.axvline(0.0, color="#888888", lw=0.8)
    ax.set_yticks(y, settings, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("change in mean response months (undecided at the horizon) against the calibrated model")
    ax.set_title("What each mechanism does: switched off alone, or all interpersonal ones (realist)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def meetings_figure(curve: pd.DataFrame, *, current: float, optimum: float | None) -> Figure:
    """The EU's mean response against formal meetings per week, with 95% intervals and the current rate."""
    fig = Figure(figsize=(7.0, 3.8), layout="constrained")
    ax = fig.add_subplot()
    x = curve["meetings_per_week"].to_numpy(float)
    y = curve["mean_months"].to_numpy(float)
    ax.fill_between(x, curve["lower_95"], curve["upper_95"], color="#2f6fd0", alpha=0.2, label="95% interval")
    ax.plot(x, y, "o-", color="#2f6fd0", label="simulated mean (undecided at the horizon)")
    ax.axvline(current, color="#555555", ls=":", label=f"today's EU PSC: {current:g} a week")
    if optimum is not None:
        ax.axvline(optimum, color="#d9480f", ls="--", label=f"fastest: {optimum:g} a week")
    ax.set_xlabel("formal meetings per week")
    ax.set_ylabel("months from demand to deployment")
    ax.set_title("The EU: more formal meetings, fewer informal contacts")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def policy_figure(table: pd.DataFrame) -> Figure:
    """Change of each organization's mean response under each policy (95% intervals)."""
    policies = list(dict.fromkeys(table["policy"]))
    orgs = list(dict.fromkeys(table["organization"]))
    fig = Figure(figsize=(7.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(policies))
    width = 0.8 / max(1, len(orgs))
    for k, org in enumerate(orgs):
        part = table[table["organization"] == org].set_index("policy").reindex(policies)
        change = part["change_months"].to_numpy(float)
        ax.bar(
            x + (k - (len(orgs) - 1) / 2) * width,
            change,
            width,
            yerr=[change - part["change_lower"], part["change_upper"] - change],
            capsize=2,
            color=ORG_COLORS.get(org, "#333333"),
            label=org,
        )
    ax.axhline(0.0, color="#888888", lw=0.8)
    ax.set_xticks(x, [p.replace("_", " ") for p in policies], fontsize=8)
    ax.set_ylabel("change in mean response months")
    ax.set_title("Policies from the paper's conclusion")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def network_figure(networks: Sequence[tuple[str, np.ndarray, Sequence[str], Sequence[str], float]]) -> Figure:
    """The routine network of each organization after its burn-in: sub-regions coloured, friends in black.

    Each entry is (organization, trust matrix, member codes, sub-regions, friend threshold).
    """
    import networkx as nx
    from matplotlib.collections import LineCollection

    fig = Figure(figsize=(10.0, 9.0), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, (org, trust, codes, regions, friend) in zip(axes, networks, strict=False):
        n = len(codes)
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        w = np.triu(trust, 1)
        i, j = np.nonzero(w > 0)
        graph.add_weighted_edges_from((int(a), int(b), float(w[a, b])) for a, b in zip(i, j, strict=True))
        pos = nx.spring_layout(graph, seed=1, k=1.5 / np.sqrt(max(n, 1)))
        xy = np.array([pos[k] for k in range(n)])
        for mask, color, alpha in (((w > 0) & (w < friend), "#b8c2cc", 0.5), (w >= friend, "#111111", 0.85)):
            a, b = np.nonzero(mask)
            if a.size:
                ax.add_collection(
                    LineCollection(
                        list(np.stack([xy[a], xy[b]], axis=1)),
                        linewidths=0.3 + 2.0 * w[a, b],
                        colors=color,
                        alpha=alpha,
                    )
                )
        palette = {r: SUBREGION_PALETTE[k % len(SUBREGION_PALETTE)] for k, r in enumerate(dict.fromkeys(regions))}
        ax.scatter(
            xy[:, 0], xy[:, 1], s=55, c=[palette[r] for r in regions], edgecolors="white", linewidths=0.6, zorder=3
        )
        for k, code in enumerate(codes):
            ax.annotate(code, xy[k], fontsize=5, ha="center", va="center", zorder=4)
        for region, color in palette.items():
            ax.scatter([], [], c=color, s=20, label=region.replace("_", " "))
        ax.plot([], [], color="#111111", lw=1.5, label=f"friends (trust >= {friend:g})")
        friends = (np.maximum(trust, trust.T) >= friend).sum(axis=1)
        ax.set_title(f"{org}: {friends.mean():.1f} friends per ambassador", fontsize=9)
        ax.set_axis_off()
        ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("Routine networks after the burn-in (one replicate each, calibrated parameters)", fontsize=11)
    return fig
