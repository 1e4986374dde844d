"""The explorer's pictures as matplotlib figures (no pyplot: safe in a server's threads)."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from corridors._constants import DAYS_PER_MONTH
from corridors.engines.reference import Committee

__all__ = [
    "EVENT_KINDS",
    "IntervalsView",
    "LayeredView",
    "NetworkView",
    "TimelineView",
    "km_figure",
    "network_layout",
    "png",
]

DPI = 80

EVENT_KINDS = (
    "contact",
    "first call",
    "disclosure",
    "gossip",
    "lobbying",
    "caucus",
    "widening",
    "proposal",
    "rejection",
    "red line",
    "belief",
    "bridge",
    "redraft",
    "demand",
    "decision",
)
PALETTE = (
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
    "#cab2d6",
    "#999999",
)


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


def png(fig: Figure, *, transparent: bool = False) -> bytes:
    """A figure as PNG bytes (fast compression: these are redrawn every day)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", transparent=transparent, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class LayeredView:
    """A view drawn as two PNGs of one geometry: what stays (drawn once) and what moves (daily).

    Redrawing only the moving layer keeps a day of the OSCE well under 200 ms; the page
    lays the two images over each other.
    """

    size = (5.6, 4.6)
    rect = (0.02, 0.02, 0.70, 0.90)
    dynamic_on_top = True

    def __init__(self, committee: Committee) -> None:
        self.committee = committee
        self._static_key: object = None
        self._static = b""
        self._dynamic_key: object = None
        self._dynamic = b""

    def _axes(self, fig: Figure) -> Axes:
        ax = fig.add_axes(self.rect)
        self.limits(ax)
        return ax

    def _new(self) -> tuple[Figure, Axes]:
        fig = Figure(figsize=self.size, dpi=DPI)
        return fig, self._axes(fig)

    def limits(self, ax: Axes) -> None:
        """Set the axes' limits (the same on both layers)."""
        raise NotImplementedError

    def static_key(self) -> object:
        """What the bottom layer shows: it is redrawn when this changes."""
        return None

    def dynamic_key(self) -> object:
        """What the top layer shows: it is redrawn when this changes."""
        return self.committee.steps

    def draw_static(self, fig: Figure, ax: Axes) -> None:
        """Draw the layer that changes rarely."""
        raise NotImplementedError

    def draw_dynamic(self, ax: Axes) -> None:
        """Draw the layer that changes as the negotiation runs."""
        raise NotImplementedError

    def layers(self) -> tuple[bytes, bytes]:
        """(bottom, top) PNGs, each redrawn only when what it shows has changed."""
        key = self.static_key()
        if key != self._static_key or not self._static:
            fig, ax = self._new()
            self.draw_static(fig, ax)
            self._static, self._static_key = png(fig, transparent=not self.dynamic_on_top), key
            self._dynamic_key = None  # the limits may have moved
        key = (self.dynamic_key(), self._static_key)
        if key != self._dynamic_key:
            fig, ax = self._new()
            ax.set_axis_off()
            self.draw_dynamic(ax)
            self._dynamic, self._dynamic_key = png(fig, transparent=self.dynamic_on_top), key
        return (self._static, self._dynamic) if self.dynamic_on_top else (self._dynamic, self._static)


class NetworkView(LayeredView):
    """Ambassadors by sub-region, ties by trust, friends (trust >= friend_threshold) in black."""

    dynamic_on_top = False  # the ties run under the ambassadors

    def __init__(self, committee: Committee) -> None:
        super().__init__(committee)
        self.positions = network_layout(committee)

    def limits(self, ax: Axes) -> None:
        """The layout's extent with a margin."""
        lo, hi = self.positions.min(axis=0), self.positions.max(axis=0)
        pad = 0.06 * (hi - lo + 1e-9)
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])

    def draw_static(self, fig: Figure, ax: Axes) -> None:
        """The ambassadors coloured by sub-region, with their codes, the agenda setter and the legend."""
        c, positions = self.committee, self.positions
        ax.set_axis_off()
        node_colors, legend = _subregion_colors(c)
        ax.scatter(positions[:, 0], positions[:, 1], s=90, c=node_colors, edgecolors="white", linewidths=0.8, zorder=3)
        for k, code in enumerate(c.arrays.codes):
            ax.annotate(code, positions[k], fontsize=6, ha="center", va="center", zorder=4)
        setter = c.setter.member
        if setter >= 0:
            ax.scatter(
                positions[setter, 0],
                positions[setter, 1],
                s=420,
                marker="*",
                facecolors="none",
                edgecolors="#c00000",
                linewidths=1.6,
                zorder=5,
            )
        for region, color in legend.items():
            ax.scatter([], [], c=color, s=30, label=region)
        ax.plot([], [], color="#9aa7b5", lw=1, label="tie (width: trust)")
        ax.plot([], [], color="#111111", lw=2, label=f"friends (w >= {c.p.friend_threshold:g})")
        ax.scatter(
            [], [], marker="*", s=80, facecolors="none", edgecolors="#c00000", label=f"agenda setter: {c.setter.name}"
        )
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        fig.suptitle(f"Ambassadors' network ({c.scenario.name.upper()})", fontsize=9, x=0.4, y=0.99)

    def draw_dynamic(self, ax: Axes) -> None:
        """The ties by trust, friends in black."""
        c, positions = self.committee, self.positions
        w = np.triu(c.trust, 1)
        friend = c.p.friend_threshold
        for mask, color, alpha in (((w > 0) & (w < friend), "#9aa7b5", 0.6), (w >= friend, "#111111", 0.9)):
            i, j = np.nonzero(mask)
            if i.size:
                segments = np.stack([positions[i], positions[j]], axis=1)
                ax.add_collection(
                    LineCollection(list(segments), linewidths=0.4 + 3.0 * w[i, j], colors=color, alpha=alpha)
                )


class IntervalsView(LayeredView):
    """Each member's true interval, its public one and the setter's belief, with the proposal."""

    def __init__(self, committee: Committee) -> None:
        self.size = (5.6, max(3.2, 0.11 * committee.n + 1.2))
        # Margins in inches, whatever the height: 0.5 below for the tick labels and the axis label
        # (a fixed share clipped the label of a tall committee), 0.3 above for the legend.
        bottom, top = 0.5 / self.size[1], 0.3 / self.size[1]
        self.rect = (0.12, bottom, 0.86, 1.0 - bottom - top)
        super().__init__(committee)

    def limits(self, ax: Axes) -> None:
        """The unit interval across, one row per ambassador down."""
        ax.set_xlim(0, 1)
        ax.set_ylim(self.committee.n, -1)

    def dynamic_key(self) -> object:
        """The ambassadors' versions, the meetings and the proposals so far."""
        c = self.committee
        return (tuple(a.version for a in c.ambassadors), c.n_formal_meetings, len(c.proposals), c.setter.formal_updates)

    def draw_static(self, fig: Figure, ax: Axes) -> None:
        """The ambassadors' codes, the axis and the legend."""
        c = self.committee
        ax.set_yticks(range(c.n), c.arrays.codes, fontsize=5 if c.n > 30 else 7)
        ax.set_xlabel("scope of the operation (0 = none, 1 = widest)", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", lw=0.3, alpha=0.5)
        ax.hlines([], [], [], colors="#7fb3d5", linewidth=5, label="true (instruction)")
        ax.hlines([], [], [], colors="#e67e22", linewidth=1.6, label="public")
        ax.hlines([], [], [], colors="#333333", linewidth=1.0, linestyles="dashed", label="setter's belief")
        ax.plot([], [], color="#c00000", lw=1.4, label="proposal")
        ax.legend(fontsize=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)

    def draw_dynamic(self, ax: Axes) -> None:
        """Each member's true and public interval, the setter's belief and the last proposal."""
        c = self.committee
        amb = c.ambassadors
        y = np.arange(c.n)
        ax.hlines(y, [a.lo for a in amb], [a.hi for a in amb], colors="#7fb3d5", linewidth=5)
        stated = [a for a in amb if a.public_version >= 0]
        if stated:
            ax.hlines(
                [a.index + 0.28 for a in stated],
                [a.public_lo for a in stated],
                [a.public_hi for a in stated],
                colors="#e67e22",
                linewidth=1.6,
            )
        if c.n_formal_meetings:
            ax.hlines(
                y - 0.28, c.setter.belief_lo, c.setter.belief_hi, colors="#333333", linewidth=1.0, linestyles="dashed"
            )
        if c.proposals:
            ax.axvline(c.proposals[-1], color="#c00000", lw=1.4)


class TimelineView(LayeredView):
    """The trace so far: one row per kind of event, a dot for each day it happened."""

    size = (5.6, 3.2)
    rect = (0.18, 0.14, 0.80, 0.83)
    kinds = tuple(k for k in EVENT_KINDS if k != "contact")

    def span(self) -> int:
        """Days shown: 10, 20, 40, ... so that the axis moves rarely."""
        days = max(10, self.committee.day)
        return int(10 * 2 ** math.ceil(math.log2(days / 10)))  # 10, 20, 40, ...: the axis moves rarely

    def limits(self, ax: Axes) -> None:
        """The days shown across, one row per kind of event."""
        ax.set_xlim(-1, self.span())
        ax.set_ylim(-0.5, len(self.kinds) - 0.5)

    def static_key(self) -> object:
        """The days shown."""
        return self.span()

    def draw_static(self, fig: Figure, ax: Axes) -> None:
        """The kinds of event and the axis."""
        ax.set_yticks(range(len(self.kinds)), self.kinds, fontsize=6)
        ax.set_xlabel("day of the crisis", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="y", lw=0.3, alpha=0.5)

    def draw_dynamic(self, ax: Axes) -> None:
        """A mark for each event on its day."""
        rows = {k: i for i, k in enumerate(self.kinds)}
        points = sorted({(e.day, rows[e.kind]) for e in self.committee.events if e.kind in rows})
        if points:
            days, ys = zip(*points, strict=True)
            ax.scatter(days, ys, s=12, c=[PALETTE[y % len(PALETTE)] for y in ys], alpha=0.8)


def km_figure(ensembles: Mapping[str, pd.DataFrame], paper_days: float | None, organization: str) -> Figure:
    """Kaplan-Meier curves of response time (demand to deployment) with Table 1's mean."""
    from lifelines import KaplanMeierFitter

    fig = Figure(figsize=(6.4, 3.8), dpi=80)
    ax = fig.add_subplot()
    for k, (label, rows) in enumerate(ensembles.items()):
        kmf = KaplanMeierFitter().fit(rows["duration_days"], rows["event"].astype(bool), label=label)
        sf = kmf.survival_function_
        ax.step(
            sf.index, sf.iloc[:, 0], where="post", color=PALETTE[k % len(PALETTE)], label=f"{label} (n = {len(rows)})"
        )
    if paper_days is not None:
        ax.axvline(
            paper_days,
            color="#444444",
            ls="--",
            lw=1.2,
            label=f"{organization} Table 1 mean: {paper_days / DAYS_PER_MONTH:.2f} months",
        )
    ax.set_xlabel("days from demand to deployment", fontsize=8)
    ax.set_ylabel("share not yet deployed", fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, frameon=False)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.96, bottom=0.13)
    return fig
