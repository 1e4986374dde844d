"""The output row schema shared by every engine, and the one row builder (ODD section 7, outputs).

One row per replication. Undecided runs are right-censored at ``horizon_days``: their
``decision_day``, ``response_day`` and ``response_months`` are NaN, their ``duration_days``
is the horizon and ``event`` is false, so survival analysis needs no extra step.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from corridors._constants import DAYS_PER_MONTH
from corridors._version import __version__
from corridors.scenario.schema import Scenario

__all__ = [
    "DAYS_PER_MONTH",
    "RED_LINE_OUTCOMES",
    "ROW_SCHEMA",
    "Outcomes",
    "RunRow",
    "new_outcomes",
    "outcome_rows",
    "rows_to_frame",
]

"""Days per month, as the paper's Table 1 counts months."""

RED_LINE_OUTCOMES = ("none", "bridged", "redrafted", "unresolved", "outvoted")
RED_LINE_NONE, RED_LINE_BRIDGED, RED_LINE_REDRAFTED, RED_LINE_UNRESOLVED, RED_LINE_OUTVOTED = range(5)


@dataclass
class RunRow:
    """One replication's outcome."""

    scenario: str
    scenario_hash: str
    engine: str
    code_version: str
    seed: int
    replicate: int
    decided: bool
    decision_day: float
    deployment_lag_days: float
    response_day: float
    response_months: float
    horizon_days: int
    duration_days: float
    event: bool
    first_meeting_day: int
    n_formal_meetings: int
    n_failed_proposals: int
    n_informal_contacts: int
    n_capital_widenings: int
    formal_updates: int
    red_line: str
    pivotal_member: str
    setter: str
    setter_known_share: float
    informal_share: float
    friends_mean: float
    zero_friend_share: float
    contacts_per_week: float
    density: float
    mean_trust: float
    first_call_share: float
    convened_meetings: int
    cascade_rounds: int
    informed_widenings: int


ROW_SCHEMA = pa.schema(
    [
        ("scenario", pa.string()),
        ("scenario_hash", pa.string()),
        ("engine", pa.string()),
        ("code_version", pa.string()),
        ("seed", pa.int64()),
        ("replicate", pa.int64()),
        ("decided", pa.bool_()),
        ("decision_day", pa.float64()),
        ("deployment_lag_days", pa.float64()),
        ("response_day", pa.float64()),
        ("response_months", pa.float64()),
        ("horizon_days", pa.int64()),
        ("duration_days", pa.float64()),
        ("event", pa.bool_()),
        ("first_meeting_day", pa.int64()),
        ("n_formal_meetings", pa.int64()),
        ("n_failed_proposals", pa.int64()),
        ("n_informal_contacts", pa.int64()),
        ("n_capital_widenings", pa.int64()),
        ("formal_updates", pa.int64()),
        ("red_line", pa.string()),
        ("pivotal_member", pa.string()),
        ("setter", pa.string()),
        ("setter_known_share", pa.float64()),
        ("informal_share", pa.float64()),
        ("friends_mean", pa.float64()),
        ("zero_friend_share", pa.float64()),
        ("contacts_per_week", pa.float64()),
        ("density", pa.float64()),
        ("mean_trust", pa.float64()),
        ("first_call_share", pa.float64()),
        ("convened_meetings", pa.int64()),
        ("cascade_rounds", pa.int64()),
        ("informed_widenings", pa.int64()),
    ]
)
"""Arrow schema of the rows: the columns, in order, of every engine's output and the store."""

assert [f.name for f in fields(RunRow)] == ROW_SCHEMA.names

_DTYPES = {
    "int64": "int64",
    "double": "float64",
    "bool": "bool",
    "string": "object",
}


def rows_to_frame(rows: list[RunRow]) -> pd.DataFrame:
    """Rows as a DataFrame with the schema's columns and dtypes (also when empty)."""
    if rows:
        frame = pd.DataFrame([asdict(r) for r in rows], columns=ROW_SCHEMA.names)
    else:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in ROW_SCHEMA.names})
    for field in ROW_SCHEMA:
        frame[field.name] = frame[field.name].astype(_DTYPES[str(field.type)])
    return frame


class Outcomes(NamedTuple):
    """What an engine records per replicate, before the row builder names and derives columns.

    Integer members are indices (``pivotal``, ``setter``: member index, -1 for none or a
    non-member setter; ``red_line``: index into :data:`RED_LINE_OUTCOMES`).
    """

    decided: np.ndarray
    decision_day: np.ndarray
    deploy_normal: np.ndarray
    first_meeting_day: np.ndarray
    n_formal_meetings: np.ndarray
    n_failed_proposals: np.ndarray
    n_informal_contacts: np.ndarray
    n_capital_widenings: np.ndarray
    formal_updates: np.ndarray
    red_line: np.ndarray
    pivotal: np.ndarray
    setter: np.ndarray
    setter_known_share: np.ndarray
    informal_share: np.ndarray
    friends_mean: np.ndarray
    zero_friend_share: np.ndarray
    contacts_per_week: np.ndarray
    density: np.ndarray
    mean_trust: np.ndarray
    first_call_share: np.ndarray
    convened_meetings: np.ndarray
    cascade_rounds: np.ndarray
    informed_widenings: np.ndarray


_INTEGER_OUTCOMES = frozenset(
    {
        "first_meeting_day",
        "n_formal_meetings",
        "n_failed_proposals",
        "n_informal_contacts",
        "n_capital_widenings",
        "formal_updates",
        "red_line",
        "pivotal",
        "setter",
        "convened_meetings",
        "cascade_rounds",
        "informed_widenings",
    }
)


def new_outcomes(count: int) -> Outcomes:
    """Empty outcome arrays for ``count`` replicates."""
    return Outcomes(
        **{
            name: np.zeros(
                count, dtype=np.bool_ if name == "decided" else np.int64 if name in _INTEGER_OUTCOMES else np.float64
            )
            for name in Outcomes._fields
        }
    )


def outcome_rows(
    scenario: Scenario, outcomes: Outcomes, *, engine: str, seed: int, first_replicate: int
) -> pd.DataFrame:
    """The rows of consecutive replicates from their outcomes: the one row builder of both engines."""
    from corridors.engines.draws import scenario_arrays
    from corridors.engines.rules import deployment_lag

    arrays = scenario_arrays(scenario)
    p = scenario.parameters
    count = outcomes.decided.size
    decided = outcomes.decided.astype(bool)
    lag = np.where(
        decided,
        deployment_lag.py_func(p.deploy_mean_days * scenario.deploy_factor, p.deploy_cv, outcomes.deploy_normal),
        np.nan,
    )
    response = outcomes.decision_day + lag
    codes = np.array([*arrays.codes, ""], dtype=object)  # index -1: none
    setters = np.array([*arrays.codes, scenario.agenda_setter.kind], dtype=object)
    frame = pd.DataFrame(
        {
            "scenario": scenario.name,
            "scenario_hash": scenario.content_hash(),
            "engine": engine,
            "code_version": __version__,
            "seed": np.full(count, seed, dtype=np.int64),
            "replicate": np.arange(first_replicate, first_replicate + count, dtype=np.int64),
            "decided": decided,
            "decision_day": outcomes.decision_day,
            "deployment_lag_days": lag,
            "response_day": response,
            "response_months": response / DAYS_PER_MONTH,
            "horizon_days": np.full(count, p.max_days, dtype=np.int64),
            "duration_days": np.where(decided, response, float(p.max_days)),
            "event": decided,
            "first_meeting_day": outcomes.first_meeting_day,
            "n_formal_meetings": outcomes.n_formal_meetings,
            "n_failed_proposals": outcomes.n_failed_proposals,
            "n_informal_contacts": outcomes.n_informal_contacts,
            "n_capital_widenings": outcomes.n_capital_widenings,
            "formal_updates": outcomes.formal_updates,
            "red_line": np.array(RED_LINE_OUTCOMES, dtype=object)[outcomes.red_line],
            "pivotal_member": codes[outcomes.pivotal],
            "setter": setters[outcomes.setter],
            "setter_known_share": outcomes.setter_known_share,
            "informal_share": outcomes.informal_share,
            "friends_mean": outcomes.friends_mean,
            "zero_friend_share": outcomes.zero_friend_share,
            "contacts_per_week": outcomes.contacts_per_week,
            "density": outcomes.density,
            "mean_trust": outcomes.mean_trust,
            "first_call_share": outcomes.first_call_share,
            "convened_meetings": outcomes.convened_meetings,
            "cascade_rounds": outcomes.cascade_rounds,
            "informed_widenings": outcomes.informed_widenings,
        },
        columns=ROW_SCHEMA.names,
    )
    for field in ROW_SCHEMA:
        frame[field.name] = frame[field.name].astype(_DTYPES[str(field.type)])
    return frame
