"""Durations frames from simulated runs, and organization covariates."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    pass

from corridors.empirical.survival._common import (
    _DURATION,
    _EVENT,
    _GROUP,
)


def load_runs(path: str | Path) -> pd.DataFrame:
    """Read simulated runs from a DuckDB store (table ``runs``), a CSV or a Parquet file.

    Parameters
    ----------
    path
        ``.duckdb``/``.db`` (opened read-only), ``.csv`` or ``.parquet``.

    Examples
    --------
    >>> import tempfile, os
    >>> runs = pd.DataFrame({"scenario": ["eu"], "replicate": [0], "decided": [True],
    ...                      "response_months": [5.0], "horizon_days": [730]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     file = os.path.join(folder, "runs.csv")
    ...     runs.to_csv(file, index=False)
    ...     load_runs(file)["response_months"].tolist()
    [5.0]
    """
    label = str(path)
    file = Path(path)
    if not file.exists():
        raise CorridorsError(f"{label}: no such runs file or store")
    suffix = file.suffix.lower()
    try:
        if suffix in (".duckdb", ".db", ".ddb"):
            from corridors.experiments.store import connect

            with connect(file, read_only=True) as con:
                tables = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
                if "runs" not in tables:
                    shown = ", ".join(sorted(tables)) or "none"
                    raise CorridorsError(f"{label}: the store has no table 'runs' (tables: {shown})")
                return con.execute("select * from runs").df()
        if suffix == ".csv":
            return pd.read_csv(file)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(file)
    except CorridorsError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CorridorsError(f"{label}: cannot read runs: {reason}") from None
    raise CorridorsError(f"{label}: unknown runs file type '{suffix}' (readable: .duckdb .db .csv .parquet)")


def durations_from_runs(runs: pd.DataFrame, *, label: str = "runs", pool_variants: bool = False) -> pd.DataFrame:
    """Durations frame of simulated runs: decided runs start, undecided ones are censored.

    Duration is ``response_months`` if the run decided, else ``horizon_days / 30.44``
    (right-censored at the crisis horizon); a decided run whose response ends after the
    horizon is censored at the horizon as well (the undecided runs are not followed
    beyond it). The group is the run's ``scenario``.

    Parameters
    ----------
    runs
        One row per replication with ``scenario``, ``decided``, ``response_months`` and
        ``horizon_days`` (the engines' row schema).
    label
        Name of the source, for messages.
    pool_variants
        Allow runs of one scenario name with different ``scenario_hash`` values (e.g. the
        design points of a sweep) to be pooled. By default that is an error, since pooling
        different parameters silently would mix different models.

    Examples
    --------
    >>> runs = pd.DataFrame({"scenario": ["eu", "eu"], "replicate": [0, 1],
    ...                      "decided": [True, False], "response_months": [5.0, float("nan")],
    ...                      "horizon_days": [730, 730]})
    >>> durations_from_runs(runs)[["organization", "response_months", "started"]].round(2).values.tolist()
    [['eu', 5.0, True], ['eu', 23.98, False]]
    """
    needed = ["scenario", "decided", "response_months", "horizon_days"]
    missing = [c for c in needed if c not in runs.columns]
    if missing:
        raise CorridorsError(f"{label}: runs need columns {', '.join(needed)}; missing {', '.join(missing)}")
    if "scenario_hash" in runs.columns and not pool_variants:
        variants = runs.groupby(runs["scenario"].astype(str))["scenario_hash"].nunique()
        mixed = variants[variants > 1]
        if len(mixed):
            raise CorridorsError(
                [
                    f"{label}: scenario '{name}' has {count} different scenario_hash values (design points of a "
                    "sweep?); keep the runs of one variant (--point ID), or pool them explicitly (--pool-variants, "
                    "pool_variants=True)"
                    for name, count in mixed.items()
                ]
            )
    decided = runs["decided"]
    if decided.dtype == object:
        decided = (
            decided.astype(str)
            .str.strip()
            .str.lower()
            .map({"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False})
        )
    if decided.isna().any():
        first = int(np.flatnonzero(decided.isna().to_numpy())[0])
        raise CorridorsError(f"{label}: row {first + 2}: decided must be true or false")
    decided = decided.astype(bool)
    response = pd.to_numeric(runs["response_months"], errors="coerce")
    horizon = pd.to_numeric(runs["horizon_days"], errors="coerce")
    problems = []
    for i in np.flatnonzero((decided & response.isna()).to_numpy())[:5]:
        problems.append(f"{label}: row {i + 2}: decided but response_months is empty")
    for i in np.flatnonzero((~decided & horizon.isna()).to_numpy())[:5]:
        problems.append(f"{label}: row {i + 2}: undecided but horizon_days is empty")
    if problems:
        raise CorridorsError(problems)
    limit = horizon / DAYS_PER_MONTH
    # Undecided runs are followed only up to the horizon, so a decided run whose response
    # (decision + deployment) ends after it is censored there too: beyond the horizon the
    # late responders alone would shape the curve.
    late = decided & (response > limit)
    months = response.where(decided & ~late, limit)
    out = pd.DataFrame(
        {
            _GROUP: runs["scenario"].astype(str).to_numpy(),
            _DURATION: months.astype(float).to_numpy(),
            _EVENT: (decided & ~late).to_numpy(),
        }
    )
    if "replicate" in runs.columns:
        out["replicate"] = runs["replicate"].to_numpy()
    return out


def add_organization_covariates(
    durations: pd.DataFrame,
    *,
    covariates: Sequence[str] = ("formal_meetings_per_week", "committee_members"),
) -> pd.DataFrame:
    """Add organization-level covariates from the scenario presets (Table 3 of the paper).

    ``formal_meetings_per_week`` and ``committee_members`` (size) come from the preset of
    the same name (``EU`` -> ``load_scenario("eu")``); a column already in ``durations``
    is kept as it is. Organizations without a preset get NaN.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["EU", "AU"], "response_months": [6.0, 3.0],
    ...                       "started": [True, True]})
    >>> add_organization_covariates(frame)[["formal_meetings_per_week", "committee_members"]].values.tolist()
    [[3.5, 27.0], [0.4615, 53.0]]
    """
    from corridors.scenario import list_presets, load_scenario

    known = {"formal_meetings_per_week", "committee_members"}
    unknown = [c for c in covariates if c not in known and c not in durations.columns]
    if unknown:
        raise CorridorsError(
            [
                f"covariate '{c}': not a column of the data and not an organization covariate "
                f"({', '.join(sorted(known))})"
                for c in unknown
            ]
        )
    out = durations.copy()
    wanted = [c for c in covariates if c in known and c not in out.columns]
    if not wanted:
        return out
    presets = set(list_presets())
    values: dict[str, dict[str, float]] = {}
    for organization in out[_GROUP].astype(str).unique():
        name = organization.lower()
        if name in presets:
            scenario = load_scenario(name)
            values[organization] = {
                "formal_meetings_per_week": float(scenario.formal_meetings_per_week),
                "committee_members": float(scenario.n_members),
            }
        else:
            values[organization] = {c: float("nan") for c in known}
    for column in wanted:
        out[column] = [values[str(o)][column] for o in out[_GROUP]]
    return out
