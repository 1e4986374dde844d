"""Helpers of the experiments tests: tiny specs on the reference engine, store readers."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from corridors.engines import ROW_SCHEMA
from corridors.experiments import Store

TINY_BASE = ["parameters.burn_in_days=30", "parameters.max_days=90"]
BATCH_AVAILABLE = importlib.util.find_spec("corridors.engines.batch") is not None


def tiny_spec(**changes: Any) -> dict[str, Any]:
    """A spec of the UN Security Council with a short burn-in and horizon (about 0.03 s a run)."""
    spec: dict[str, Any] = {
        "name": "tiny",
        "base": "unsc",
        "set": list(TINY_BASE),
        "factors": [{"path": "formal_meetings_per_week", "values": [0.5, 2.0, 3.5]}],
        "replications": 6,
        "seed": 11,
        "engine": "reference",
        "chunk_replications": 2,
    }
    spec.update(changes)
    return spec


def write_spec(folder: Path, spec: dict[str, Any], name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def runs_of(store: Path, experiment: int | None = None) -> pd.DataFrame:
    """The runs of a store, ordered by (point, replicate), with the row schema's columns."""
    with Store(store, read_only=True) as st:
        return st.runs(experiment)


def row_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["point_id", *ROW_SCHEMA.names]].reset_index(drop=True)
