"""What the report shows of the bench: the scorecard table, one sentence built from it, its figure, the best fit.

The report (``corridors reproduce``) calls these; they read a bench's output folder
(``scorecard.csv``, ``best.yaml``), a :class:`~.run.BenchResult` or a scorecard frame.

* :func:`scorecard_table` - the scorecard with machine column names, or human ones (``human=True``);
  :data:`SCORECARD_LABELS` and :func:`column_label` map one to the other.
* :func:`summary_sentence` - "Of N theories, M reproduce every one of the L patterns; the best ... ".
* :func:`scorecard_figure` - pattern z-scores per theory (matplotlib object API, never pyplot).
* :func:`best_theory` / :func:`best_parameter_file` - the best surviving theory and its parameter file
  (``corridors run --params``, the report's later sections).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SCORECARD_LABELS",
    "best_parameter_file",
    "best_theory",
    "column_label",
    "scorecard_figure",
    "scorecard_table",
    "summary_sentence",
]

SCORECARD_LABELS: dict[str, str] = {
    "theory": "theory",
    "label": "theory (name)",
    "reading": "reading",
    "structure": "structural choices",
    "status": "status",
    "patterns": "patterns scored",
    "patterns_passed": "patterns passed (|z| < 2)",
    "patterns_failed": "patterns failed",
    "objective": "objective (weighted SSE)",
    "fitted_parameters_count": "fitted parameters (k)",
    "aic_like": "AIC-like criterion (objective + 2k)",
    "held_out_rmse_months": "held-out RMSE of Table 1 (months)",
    "fitted_parameters": "fitted values",
    "at_box_edge": "at a box edge (within 1%)",
    "not_identified": "pinned down by no pattern",
    "identified_not_fitted": "identified, not fitted (limit or collinear)",
    "inactive_candidates": "candidates not active",
    "mechanisms_with_effect": "mechanisms with an effect at the fit",
    "mechanisms_without_effect": "mechanisms without an effect at the fit",
    "predictive_checks": "predictive checks run",
    "predictive_checks_failed": "predictive checks failed (p < 0.05)",
    "predictive_min_p": "smallest predictive p",
    "simulated_order": "simulated order (slowest first)",
    "survives": "survives (passes every pattern)",
    "seconds": "seconds",
}
"""Human names of the scorecard's machine columns; pattern columns are ``TARGET|observed`` (etc.)."""


def column_label(column: str) -> str:
    """The human name of a scorecard column.

    Examples
    --------
    >>> column_label("decided_within_30d:EU|z"), column_label("aic_like")
    ('decided within 30 days, EU: z', 'AIC-like criterion (objective + 2k)')
    """
    if "|" in column:
        target, part = column.split("|", 1)
        measure, org = target.split(":", 1)
        words = (
            f"decided within {measure.removeprefix('decided_within_').removesuffix('d')} days"
            if measure.startswith("decided_within_")
            else measure.replace("_", " ")
        )
        return f"{words}, {org}: {part}"
    return SCORECARD_LABELS.get(column, column.replace("_", " "))


def _frame(source: Any) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source
    if hasattr(source, "scorecard"):
        frame: pd.DataFrame = source.scorecard
        return frame
    path = Path(source)
    file = path / "scorecard.csv" if path.is_dir() else path
    if not file.is_file():
        raise CorridorsError(f"{path}: no scorecard.csv (run corridors calibrate --bench first)")
    table = pd.read_csv(file)
    if "survives" in table:
        table["survives"] = table["survives"].eq(True)
    return table


def scorecard_table(source: Any, *, human: bool = False) -> pd.DataFrame:
    """The scorecard (one row per theory) from a bench folder, a result or a frame.

    ``human=True`` renames the columns with :func:`column_label`; the machine names stay in
    ``frame.attrs["machine_columns"]`` either way.
    """
    table = _frame(source).copy()
    table.attrs["machine_columns"] = list(table.columns)
    if human:
        table = table.rename(columns=column_label)
        table.attrs["machine_columns"] = list(_frame(source).columns)
    return table


def _fitted(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"] == "fitted"]


def best_theory(source: Any) -> str | None:
    """The best surviving theory (lowest AIC-like criterion among those passing every pattern), else the lowest
    AIC-like criterion of all fitted theories; None when none was fitted.
    """
    table = _fitted(_frame(source))
    if not len(table):
        return None
    survivors = table[table["survives"].astype(bool)]
    pool = survivors if len(survivors) else table
    return str(pool.sort_values(["aic_like", "theory"]).iloc[0]["theory"])


def summary_sentence(source: Any) -> str:
    """One sentence from the scorecard: how many theories reproduce how many patterns, and the best.

    Examples
    --------
    >>> t = pd.DataFrame({"theory": ["a", "b", "c"], "label": ["A", "B", "C"],
    ...                   "status": ["fitted", "fitted", "unavailable: x"], "patterns": [3, 3, 0],
    ...                   "patterns_passed": [3, 1, 0], "patterns_failed": ["", "p, q", ""],
    ...                   "aic_like": [4.0, 9.0, float("nan")], "survives": [True, False, False],
    ...                   "at_box_edge": ["", "", ""]})
    >>> print(summary_sentence(t))  # doctest: +NORMALIZE_WHITESPACE
    Of 3 theories (2 fitted; 1 not built on this model), 1 reproduces all 3 patterns (|z| < 2);
    the best surviving is A (AIC-like 4.0); B fails p, q.
    """
    table = _frame(source)
    n = len(table)
    fitted = _fitted(table)
    statuses = [str(s) for s in table["status"] if s != "fitted"]
    not_built = sum(s.startswith("unavailable") for s in statuses)
    not_run = len(statuses) - not_built
    unfitted = "; ".join(
        part
        for part in (
            f"{not_built} not built on this model" if not_built else "",
            f"{not_run} not run at this size" if not_run else "",
        )
        if part
    )
    head = f"Of {n} theories" + (f" ({len(fitted)} fitted; {unfitted})" if unfitted else "")
    if not len(fitted):
        return head + ", none could be fitted."
    total = int(fitted["patterns"].max())
    survivors = fitted[fitted["survives"].astype(bool)]
    m = len(survivors)
    best = best_theory(table)
    row = fitted.set_index("theory").loc[best]
    edge = (
        f"; its {row['at_box_edge']} sits at a box edge"
        if isinstance(row.get("at_box_edge"), str) and row.get("at_box_edge")
        else ""
    )
    if m:
        body = (
            f", {m} {'reproduces' if m == 1 else 'reproduce'} all {total} patterns (|z| < 2); the best surviving "
            f"is {row['label']} (AIC-like {row['aic_like']:.1f}){edge}"
        )
    else:
        body = (
            f", none reproduces all {total} patterns (|z| < 2); the best is {row['label']}, reproducing "
            f"{int(row['patterns_passed'])} of {total} (AIC-like {row['aic_like']:.1f}; fails "
            f"{row['patterns_failed']}){edge}"
        )
    rejected = fitted[~fitted["survives"].astype(bool) & (fitted["theory"] != best)]
    tail = "".join(f"; {r['label']} fails {r['patterns_failed']}" for _, r in rejected.iterrows())
    return head + body + tail + "."


def scorecard_figure(source: Any) -> Figure:
    """Heat map of every pattern's z per fitted theory (clipped at +-5; failures outlined), AIC-like beside."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    table = _fitted(_frame(source))
    zcols = [c for c in _frame(source).columns if c.endswith("|z")]
    figure = Figure(figsize=(max(7.0, 0.55 * len(zcols) + 4), 3.0 + 0.45 * max(1, len(table))), layout="constrained")
    ax = figure.add_subplot()
    if not len(table) or not zcols:
        ax.text(0.5, 0.5, "no theory fitted", ha="center", va="center")
        ax.set_axis_off()
        return figure
    z = table[zcols].to_numpy(float)
    image = ax.imshow(np.clip(z, -5, 5), cmap="RdBu_r", vmin=-5, vmax=5, aspect="auto")
    for i in range(z.shape[0]):
        for j in range(z.shape[1]):
            if math.isfinite(z[i, j]) and abs(z[i, j]) >= 2:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.2))
            if math.isfinite(z[i, j]):
                ax.text(j, i, f"{z[i, j]:.1f}", ha="center", va="center", fontsize="x-small")
    ax.set_xticks(range(len(zcols)), [c.removesuffix("|z") for c in zcols], rotation=60, ha="right", fontsize="x-small")
    labels = [
        f"{r['label']}  (passes {int(r['patterns_passed'])}/{int(r['patterns'])}, AIC-like {r['aic_like']:.1f})"
        for _, r in table.iterrows()
    ]
    ax.set_yticks(range(len(table)), labels, fontsize="small")
    figure.colorbar(image, ax=ax, label="z (clipped at 5)", shrink=0.9)
    ax.set_title("Theory bench: each pattern's z at each theory's fit (outlined: |z| >= 2, failed)")
    return figure


def best_parameter_file(folder: str | Path) -> Path:
    """The parameter file of the best surviving theory of a bench's output folder (``best.yaml``).

    It is a ``corridors-calibration/1`` file: ``corridors run --params`` and the report apply
    its reading, structural choices and fitted values (:func:`~corridors.calibration.parameter_overrides`).
    """
    path = Path(folder) / "best.yaml"
    if not path.is_file():
        raise CorridorsError(f"{folder}: no best.yaml (no theory was fitted, or the bench has not run)")
    return path
