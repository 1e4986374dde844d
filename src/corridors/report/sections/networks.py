"""The section on the routine networks on the day of the demand.

Measured by :class:`~corridors.empirical.networks.RoutineNetwork`, as the empirical toolkit measures real ties.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from corridors._version import __version__
from corridors.report.page import Caption, ReportFigure, ReportTable, Section
from corridors.report.plan import ORGANIZATIONS
from corridors.report.sections.base import Context, number

ID = "networks"
TITLE = "The routine networks"
STAGE = "networks"


class Tables(NamedTuple):
    networks: pd.DataFrame
    drawn: list[tuple[str, np.ndarray, list[str], list[str], float]]
    """Per organization: code, trust matrix, member codes, sub-regions, friend threshold (for the figure)."""


def tables(ctx: Context) -> Tables:
    """Replicate 0 of each organization at the calibrated values, run through its routine years to the demand."""
    from corridors.empirical.networks import RoutineNetwork, ties_from_weights
    from corridors.engines.reference import Committee
    from corridors.scenario import load_scenario

    drawn, records = [], []
    for org in ORGANIZATIONS:
        scenario = load_scenario(org, list(ctx.calibrated))
        committee = Committee(scenario, seed=ctx.config.seed)
        while committee.day < 0:
            committee.step()
        trust = np.array(committee.trust, dtype=float)
        friend = float(committee.p.friend_threshold)
        codes = [m.code for m in scenario.members]
        drawn.append((org.upper(), trust, codes, [m.subregion for m in scenario.members], friend))
        network = RoutineNetwork(friend_threshold=friend).fit(ties_from_weights(codes, trust), scenario)
        measures = network.summary["value"]
        records.append(
            {
                "organization": org.upper(),
                "members": int(measures["members"]),
                "friends_per_ambassador": float(measures["friends_mean"]),
                "zero_friend_share": float(measures["zero_friend_share"]),
                "tie_density": float(measures["positive_tie_density"]),
                "scenario_hash": scenario.content_hash(),
            }
        )
    return Tables(pd.DataFrame(records), drawn)


def sentence(table: pd.DataFrame) -> str:
    """Friends per ambassador in the sparsest and the densest network."""
    dense = table.loc[table["friends_per_ambassador"].idxmax()]
    sparse = table.loc[table["friends_per_ambassador"].idxmin()]
    return (
        f"After the routine years, ambassadors have {number(sparse['friends_per_ambassador'], 1)} friends each "
        f"at the {sparse['organization']} and {number(dense['friends_per_ambassador'], 1)} at the "
        f"{dense['organization']}, in one replicate each at the calibrated values."
    )


def build(ctx: Context) -> Section:
    from corridors.report.figures import network_figure, png

    t = tables(ctx)
    caption = Caption(seed=ctx.config.seed, version=__version__, replications=1, per="organization", engine="reference")
    return Section(
        ID,
        TITLE,
        sentence(t.networks),
        tables=[
            ReportTable("networks", "The routine networks on the day of the demand (replicate 0)", t.networks, caption),
        ],
        figures=[
            ReportFigure(
                "networks",
                "Routine networks",
                png(network_figure(t.drawn), dpi=100),
                "each organization's ambassadors' network, coloured by sub-region",
            )
        ],
    )
