"""Summaries of run rows and narratives of traced runs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from corridors.engines.reference import TraceEvent

__all__ = ["narrate", "summarize_runs"]


def summarize_runs(rows: pd.DataFrame) -> pd.DataFrame:
    """One table of the headline figures of a set of replications.

    Durations are over decided runs only; ``decision share`` says how many those are
    (the rest are right-censored at the horizon).

    Examples
    --------
    >>> frame = pd.DataFrame({"decided": [True, False], "decision_day": [10.0, float("nan")],
    ...     "response_months": [2.5, float("nan")], "n_formal_meetings": [3, 9], "n_failed_proposals": [2, 9],
    ...     "informal_share": [1.0, 0.5], "friends_mean": [4.0, 5.0], "contacts_per_week": [6.0, 6.2]})
    >>> float(summarize_runs(frame).loc["decision share", "mean"])
    0.5
    """
    def describe(values: pd.Series) -> dict[str, float]:
        clean = values.dropna().astype(float)
        if clean.empty:
            return {"mean": math.nan, "median": math.nan, "q25": math.nan, "q75": math.nan}
        return {
            "mean": float(clean.mean()),
            "median": float(clean.median()),
            "q25": float(np.quantile(clean, 0.25)),
            "q75": float(np.quantile(clean, 0.75)),
        }

    table = {
        "replications": {"mean": float(len(rows)), "median": math.nan, "q25": math.nan, "q75": math.nan},
        "decision share": {"mean": float(rows["decided"].mean()) if len(rows) else math.nan,
                           "median": math.nan, "q25": math.nan, "q75": math.nan},
        "decision day (decided)": describe(rows["decision_day"]),
        "response months (decided)": describe(rows["response_months"]),
        "formal meetings": describe(rows["n_formal_meetings"]),
        "failed proposals": describe(rows["n_failed_proposals"]),
        "informal share of setter's knowledge": describe(rows["informal_share"]),
        "friends per ambassador (day 0)": describe(rows["friends_mean"]),
        "informal contacts per week (routine)": describe(rows["contacts_per_week"]),
    }
    return pd.DataFrame.from_dict(table, orient="index")


_VERBS = {
    "contact": "{0} called {1} ({detail})",
    "first call": "{0} called {1} first, before its capital",
    "disclosure": "{1} learned {0}'s limits and {0} learned {1}'s ({detail})",
    "gossip": "{0} and {1} swapped what they had heard: {detail}",
    "lobbying": "{0} and {1} asked each other to talk to their capitals",
}


def narrate(events: list[TraceEvent], *, include_contacts: bool = False) -> list[str]:
    """Readable lines, one per event: ``day 3: FRA called DEU (trust 0.62)``."""
    lines: list[str] = []
    for event in events:
        if event.kind == "contact" and not include_contacts:
            continue
        template = _VERBS.get(event.kind)
        if template is not None and len(event.actors) == 2:
            text = template.format(*event.actors, detail=event.detail)
        else:
            text = event.detail
        lines.append(f"day {event.day}: {text}")
    return lines
