"""The explorer's pictures as matplotlib figures (no pyplot: safe in a server's threads)."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from corridors.engines.reference import Committee

__all__ = ["EVENT_KINDS", "intervals_figure", "km_figure", "network_layout", "network_figure", "timeline_figure"]

EVENT_KINDS = ("contact", "first call", "disclosure", "gossip", "lobbying", "caucus", "widening", "proposal",
               "rejection", "red line", "belief", "bridge", "redraft", "demand", "decision")
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4",
           "#b2df8a", "#fb9a99", "#cab2d6", "#999999")


def _subregion_colors(committee: Committee) -> tuple[list[str], dict[str, str]]:
    regions = [m.subregion for m in committee.scenario.members]
    colors = {r: PALETTE[k % len(PALETTE)] for k, r in enumerate(dict.fromkeys(regions))}
    return [colors[r] for r in regions], colors


def network_layout(committee: Committee, *, seed: int = 1) -> np.ndarray:
    """Positions (n x 2) from the positive ties of the routine network (networkx spring layout)."""
    graph = nx.Graph()
    graph.add_nodes_from(range(committee.n))
    i, j = np.nonzero(np.triu(committee.trust, 1) > 0)
    graph.add_weighted_edges_from((int(a), int(b), float(committee.trust[a, b])) for a, b in zip(i, j, strict=True))
    pos = nx.spring_layout(graph, seed=seed, k=1.5 / np.sqrt(committee.n))
    return np.array([pos[k] for k in range(committee.n)])


def network_figure(committee: Committee, positions: np.ndarray) -> Figure:
    """Ambassadors by sub-region, ties by trust, friends (trust >= friend_threshold) in black."""
    fig = Figure(figsize=(5.6, 4.6), dpi=80)
    ax = fig.add_subplot()
    w = np.triu(committee.trust, 1)
    friend = committee.p.friend_threshold
    for mask, color, alpha in (((w > 0) & (w < friend), "#9aa7b5", 0.6), (w >= friend, "#111111", 0.9)):
        i, j = np.nonzero(mask)
        if i.size:
            segments = np.stack([positions[i], positions[j]], axis=1)
            ax.add_collection(LineCollection(list(segments), linewidths=0.4 + 3.0 * w[i, j], colors=color, alpha=alpha))
    node_colors, legend = _subregion_colors(committee)
    ax.scatter(positions[:, 0], positions[:, 1], s=90, c=node_colors, edgecolors="white", linewidths=0.8, zorder=3)
    for k, code in enumerate(committee.arrays.codes):
        ax.annotate(code, positions[k], fontsize=6, ha="center", va="center", zorder=4)
    setter = committee.setter.member
    if setter >= 0:
        ax.scatter(positions[setter, 0], positions[setter, 1], s=420, marker="*", facecolors="none",
                   edgecolors="#c00000", linewidths=1.6,
                   zorder=5)
    for region, color in legend.items():
        ax.scatter([], [], c=color, s=30, label=region)
    ax.plot([], [], color="#111111", lw=2, label=f"friends (w >= {friend:g})")
    ax.scatter([], [], marker="*", s=80, facecolors="none", edgecolors="#c00000",
               label=f"agenda setter: {committee.setter.name}")
    ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_title(f"Ambassadors' network, day {committee.day - 1}", fontsize=9)
    ax.set_axis_off()
    ax.autoscale_view()
    fig.subplots_adjust(left=0.01, right=0.72, top=0.93, bottom=0.01)
    return fig


def intervals_figure(committee: Committee) -> Figure:
    """Each member's true interval, its public one and the setter's belief, with the proposal."""
    n = committee.n
    fig = Figure(figsize=(5.6, max(3.2, 0.11 * n + 1.2)), dpi=80)
    ax = fig.add_subplot()
    amb = committee.ambassadors
    y = np.arange(n)
    lo = np.array([a.lo for a in amb])
    hi = np.array([a.hi for a in amb])
    ax.hlines(y, lo, hi, colors="#7fb3d5", linewidth=5, label="true (instruction)")
    stated = np.array([a.public_version >= 0 for a in amb])
    if stated.any():
        ax.hlines(y[stated] + 0.28, [a.public_lo for a in amb if a.public_version >= 0],
                  [a.public_hi for a in amb if a.public_version >= 0], colors="#e67e22", linewidth=1.6,
                  label="public")
    if committee.n_formal_meetings:
        ax.hlines(y - 0.28, committee.setter.belief_lo, committee.setter.belief_hi, colors="#333333",
                  linewidth=1.0, linestyles="dashed", label="setter's belief")
    if committee.proposals:
        ax.axvline(committee.proposals[-1], color="#c00000", lw=1.4, label=f"proposal {committee.proposals[-1]:.2f}")
    ax.set_yticks(y, committee.arrays.codes, fontsize=5 if n > 30 else 7)
    ax.set_xlim(0, 1)
    ax.set_ylim(-1, n)
    ax.invert_yaxis()
    ax.set_xlabel("scope of the operation (0 = none, 1 = widest)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.92, bottom=0.08)
    return fig


def timeline_figure(committee: Committee) -> Figure:
    """The trace so far: one row per kind of event, one dot per event, by day."""
    fig = Figure(figsize=(5.6, 3.2), dpi=80)
    ax = fig.add_subplot()
    kinds = [k for k in EVENT_KINDS if k != "contact"]
    rows = {k: i for i, k in enumerate(kinds)}
    days = [e.day for e in committee.events if e.kind in rows]
    ys = [rows[e.kind] for e in committee.events if e.kind in rows]
    ax.scatter(days, ys, s=12, c=[PALETTE[y % len(PALETTE)] for y in ys], alpha=0.7)
    ax.set_yticks(range(len(kinds)), kinds, fontsize=6)
    ax.set_xlim(-1, max(10, committee.day))
    ax.set_xlabel("day of the crisis", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="y", lw=0.3, alpha=0.5)
    fig.subplots_adjust(left=0.18, right=0.98, top=0.97, bottom=0.14)
    return fig


def km_figure(ensembles: Mapping[str, pd.DataFrame], paper_days: float | None, organization: str) -> Figure:
    """Kaplan-Meier curves of response time (demand to deployment) with Table 1's mean."""
    from lifelines import KaplanMeierFitter

    fig = Figure(figsize=(6.4, 3.8), dpi=80)
    ax = fig.add_subplot()
    for k, (label, rows) in enumerate(ensembles.items()):
        kmf = KaplanMeierFitter().fit(rows["duration_days"], rows["event"].astype(bool), label=label)
        sf = kmf.survival_function_
        ax.step(sf.index, sf.iloc[:, 0], where="post", color=PALETTE[k % len(PALETTE)],
                label=f"{label} (n = {len(rows)})")
    if paper_days is not None:
        ax.axvline(paper_days, color="#444444", ls="--", lw=1.2,
                   label=f"{organization} Table 1 mean: {paper_days / 30.44:.2f} months")
    ax.set_xlabel("days from demand to deployment", fontsize=8)
    ax.set_ylabel("share not yet deployed", fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.96, bottom=0.13)
    return fig
