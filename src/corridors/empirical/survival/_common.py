"""Shared pieces of the survival analyses: column names, checks, colours, figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors import paper
from corridors._atomic import atomic_output
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter
    from matplotlib.axes import Axes


if TYPE_CHECKING:
    PAPER_TABLE_1_MONTHS: dict[str, float]
    """Hardt (2012) Table 1: mean months from demand to start, 70 operations 1991-2009."""


def __getattr__(name: str) -> Any:
    """``PAPER_TABLE_1_MONTHS``, read from :mod:`corridors.paper` on first use (PEP 562)."""
    if name == "PAPER_TABLE_1_MONTHS":
        return paper.table1_months()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_DURATION = "response_months"
_EVENT = "started"
_GROUP = "organization"


def _new_axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    return Figure(figsize=(7.5, 4.8), layout="constrained").subplots()


def _check_durations(df: pd.DataFrame, duration_col: str, event_col: str, group_col: str | None) -> pd.DataFrame:
    needed = [duration_col, event_col] + ([group_col] if group_col else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise CorridorsError(
            f"durations need columns {', '.join(needed)}; missing {', '.join(missing)} "
            "(use PeaceOperations.durations() or durations_from_runs())"
        )
    out = df.copy()
    durations = pd.to_numeric(out[duration_col], errors="coerce")
    bad = out.index[durations.isna() | (durations < 0)]
    if len(bad):
        raise CorridorsError(
            f"{duration_col}: {len(bad)} row(s) are empty or negative (first at index {bad[0]}); "
            "drop them or fix the data"
        )
    out[duration_col] = durations.astype(float)
    out[event_col] = out[event_col].astype(bool)
    if group_col:
        labels = out[group_col]
        # through a categorical, the labels of a million rows are a few strings, not one Python string
        # a row (each allocated from Arrow text, and kept by Python's allocator once freed)
        out[group_col] = labels.astype("category").astype(str) if labels.notna().all() else labels.astype(str)
    if len(out) == 0:
        raise CorridorsError("no durations to analyse (every row was left out or filtered away)")
    return out


def _default_limit(data: pd.DataFrame, duration_col: str, event_col: str) -> float | None:
    started = data.loc[data[event_col], duration_col]
    if started.empty:
        return None
    return float(1.5 * started.max())


# Kept by hand: lifelines' restricted_mean_survival_time(return_variance=True) is the variance of min(T, t), not the SE
def _restricted_mean_se(kmf: KaplanMeierFitter, horizon: float) -> float:
    """Standard error of the KM restricted mean (Klein and Moeschberger 2003, eq. 4.5.1).

    ``Var = sum_{t_i <= tau} A_i^2 d_i / (Y_i (Y_i - d_i))`` with ``A_i`` the area under the
    KM curve from ``t_i`` to ``tau``; a time where every subject at risk starts adds no term.
    """
    table = kmf.event_table
    times = table.index.to_numpy(dtype=float)
    survival = kmf.survival_function_.iloc[:, 0].reindex(times).to_numpy(dtype=float)
    variance = 0.0
    for k, t in enumerate(times):
        d = float(table["observed"].iloc[k])
        y = float(table["at_risk"].iloc[k])
        if t > horizon or d == 0 or y <= d:
            continue
        grid = np.append(times[(times >= t) & (times < horizon)], horizon)
        steps = survival[(times >= t) & (times < horizon)]
        area = float(np.sum(steps * np.diff(grid)))
        variance += area**2 * d / (y * (y - d))
    return math.sqrt(variance)


def _group_colors(groups: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {g: cmap(i % 10) for i, g in enumerate(groups)}


def save_figure(ax: Axes, path: str | Path) -> Path:
    """Write the figure of ``ax`` to ``path`` (.png, .pdf or .svg) and return the path.

    Examples
    --------
    >>> import tempfile, os
    >>> from corridors.empirical.survival import ResponseSurvival
    >>> frame = pd.DataFrame({"organization": ["A"], "response_months": [1.0], "started": [True]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     save_figure(ResponseSurvival().fit(frame).plot_survival(), os.path.join(folder, "km.png")).name
    'km.png'
    """
    file = Path(path)
    if file.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise CorridorsError(f"{path}: figures are written as .png, .pdf or .svg")
    if not file.parent.exists():
        raise CorridorsError(f"{path}: folder {file.parent} does not exist")
    from matplotlib.figure import Figure

    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    with atomic_output(file) as partial:
        figure.savefig(partial, dpi=150, format=file.suffix.lower().lstrip("."))
    return file
