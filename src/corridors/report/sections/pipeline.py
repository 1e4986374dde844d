"""The section on how the report was made: every simulated setting, the store, the parameters."""

from __future__ import annotations

import pandas as pd

from corridors.report.page import ReportTable, Section
from corridors.report.runs import total_replications
from corridors.report.sections.base import Context

ID = "pipeline"
TITLE = "How this report was made"
STAGE = "pipeline"


def tables(ctx: Context) -> pd.DataFrame:
    """Every setting: organization, replications, points, overrides and scenario hashes."""
    records = [
        {
            "setting": key,
            "organization": s.organization,
            "replications": s.replications,
            "points": s.points,
            "scenario_hash": ctx.hash(key),
            "overrides": " ; ".join(o if len(o) < 120 else o[:117] + "..." for o in s.overrides) or "(none)",
        }
        for key, s in ctx.settings.items()
    ]
    return pd.DataFrame(records)


def sentence(ctx: Context) -> str:
    """How many settings and replications, how many run now, at which size and seed."""
    return (
        f"This report simulated {len(ctx.settings)} settings ({total_replications(list(ctx.settings.values()))} "
        f"replications: {ctx.replications_run} run now, the rest read from {ctx.store.name}), at the "
        f"{ctx.config.size} size with root seed {ctx.config.seed}."
    )


def build(ctx: Context) -> Section:
    document = ctx.parameters
    source = document.get("source", "none")
    return Section(
        ID,
        TITLE,
        sentence(ctx),
        tables=[
            ReportTable(
                "settings",
                "Every simulated setting (the scenario hashes the other tables name)",
                tables(ctx),
                ctx.caption(None, scenarios="its own scenario hash column"),
                hashes_shown=True,
            ),
        ],
        notes=[
            f"Calibrated parameters: {source}"
            + (
                f" (reading {document.get('reading')}: "
                + ", ".join(f"{k} = {v:g}" for k, v in document.get("parameters", {}).items())
                + ")"
                if source != "none"
                else ""
            ),
            f"Runs are stored in {ctx.store.name} by the experiments layer: run the same command again to resume an "
            "interrupted report; a finished one reruns nothing.",
            "Analyses: corridors.empirical (sample, survival, voting power) and corridors.calibration.",
        ],
    )
