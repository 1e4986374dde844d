"""The output row schema shared by every engine (MODEL.md section 5).

One row per replication. Undecided runs are right-censored at ``horizon_days``: their
``decision_day``, ``response_day`` and ``response_months`` are NaN.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import pandas as pd
import pyarrow as pa

__all__ = ["DAYS_PER_MONTH", "RED_LINE_OUTCOMES", "ROW_SCHEMA", "RunRow", "rows_to_frame"]

DAYS_PER_MONTH = 30.44
"""Days per month, as the paper's Table 1 counts months."""

RED_LINE_OUTCOMES = ("none", "bridged", "redrafted", "unresolved", "outvoted")


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
    first_meeting_day: int
    n_formal_meetings: int
    n_failed_proposals: int
    n_informal_contacts: int
    n_capital_widenings: int
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
        ("first_meeting_day", pa.int64()),
        ("n_formal_meetings", pa.int64()),
        ("n_failed_proposals", pa.int64()),
        ("n_informal_contacts", pa.int64()),
        ("n_capital_widenings", pa.int64()),
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
