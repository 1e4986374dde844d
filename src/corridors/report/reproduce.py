"""``corridors reproduce``, first version: the paper's Tables 1 and 2, observed against simulated.

Runs the four organizations' presets on the batch engine and sets the simulated mean
response time (Table 1) and routine informal contacts (Table 2) beside the paper's. It
writes a CSV, a figure and an HTML page, and says plainly what this version does not yet
cover (mechanism ablations, policy experiments, calibration).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from corridors._atomic import atomic_output
from corridors.calibration import paper
from corridors.engines import run_replications
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario

__all__ = ["ReproduceResult", "comparison_table", "reproduce"]

ORGANIZATIONS = ("au", "eu", "oas", "osce")

NOT_YET = (
    "mechanism ablations (which mechanisms matter, realist vs. the paper's reading)",
    "policy experiments (e.g. fewer formal meetings at the EU, as the paper's conclusion proposes)",
    "calibration of the model's parameters to Tables 1 and 2",
)


@dataclass
class ReproduceResult:
    """What ``reproduce`` computed and where it wrote it."""

    table: pd.DataFrame
    csv_path: Path
    html_path: Path
    figure_path: Path


def comparison_table(runs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Observed (paper) against simulated, one row per organization.

    Simulated response months are the mean over decided runs; ``decided_share`` says how
    many those are (the others are censored at the horizon).

    Examples
    --------
    >>> rows = pd.DataFrame({"decided": [True, True], "response_months": [3.0, 5.0],
    ...                      "contacts_per_week": [6.0, 7.0], "friends_mean": [4.0, 6.0]})
    >>> float(comparison_table({"au": rows}).loc["AU", "simulated_response_months"])
    4.0
    """
    table1 = paper.mean_response_months()
    table2 = paper.mean_contacts_per_week()
    records = []
    for name, rows in runs.items():
        org = name.upper()
        decided = rows[rows["decided"]]
        responses = decided["response_months"].to_numpy(dtype=float)
        se = float(responses.std(ddof=1) / np.sqrt(len(responses))) if len(responses) > 1 else float("nan")
        records.append({
            "organization": org,
            "replications": len(rows),
            "decided_share": float(rows["decided"].mean()),
            "observed_response_months": float(table1.get(org, np.nan)),
            "simulated_response_months": float(responses.mean()) if len(responses) else float("nan"),
            "simulated_response_se": se,
            "observed_contacts_per_week": float(table2.get(org, np.nan)),
            "simulated_contacts_per_week": float(rows["contacts_per_week"].mean()),
            "simulated_friends_mean": float(rows["friends_mean"].mean()),
        })
    table = pd.DataFrame.from_records(records).set_index("organization")
    table["simulated_rank"] = table["simulated_response_months"].rank(ascending=False).astype(int)
    table["observed_rank"] = table["observed_response_months"].rank(ascending=False).astype(int)
    return table


def _figure(table: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    x = np.arange(len(table))
    for ax, (observed, simulated, title, unit) in zip(axes, [
        ("observed_response_months", "simulated_response_months", "Table 1: demand to deployment", "months"),
        ("observed_contacts_per_week", "simulated_contacts_per_week", "Table 2: informal contacts", "per week"),
    ], strict=True):
        ax.bar(x - 0.2, table[observed], width=0.4, label="paper (observed)", color="#555555")
        ax.bar(x + 0.2, table[simulated], width=0.4, label="corridors (simulated)", color="#3b7dd8")
        ax.set_xticks(x, table.index)
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.legend(frameon=False, fontsize=8, loc="lower center")
    fig.tight_layout()
    with atomic_output(path) as partial:
        fig.savefig(partial, dpi=120, format=path.suffix.lstrip("."))
    plt.close(fig)


def _html(table: pd.DataFrame, figure_name: str, replications: int, seed: int) -> str:
    rows = "".join(
        "<tr><th>{}</th>{}</tr>".format(
            html.escape(str(org)), "".join(f"<td>{value:.2f}</td>" if isinstance(value, float) else f"<td>{value}</td>"
                                           for value in record)
        )
        for org, record in zip(table.index, table.itertuples(index=False), strict=True)
    )
    header = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in table.columns)
    order_observed = " > ".join(table.sort_values("observed_response_months", ascending=False).index)
    order_simulated = " > ".join(table.sort_values("simulated_response_months", ascending=False).index)
    missing = "".join(f"<li>{html.escape(item)}</li>" for item in NOT_YET)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>corridors reproduce</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{padding:.2em .6em;text-align:right}}</style>
</head><body><h1>Hardt (2012), observed against simulated</h1>
<p>{replications} replications per organization, seed {seed}, batch engine, presets at their defaults.</p>
<table><tr><th>org</th>{header}</tr>{rows}</table>
<p>Slowest to fastest, observed (Table 1): {order_observed}. Simulated: {order_simulated}.</p>
<img src="{figure_name}" alt="observed and simulated response times and contacts" width="100%">
<h2>Not in this version of the report</h2><ul>{missing}</ul>
</body></html>
"""


def reproduce(
    out_dir: Path,
    *,
    replications: int = 2000,
    seed: int = 2012,
    progress: Callable[[int], None] | None = None,
) -> ReproduceResult:
    """Run the four organizations and write ``reproduce.csv``, ``reproduce.png``, ``index.html``."""
    if replications < 2:
        raise CorridorsError(f"--reps: need at least 2 replications, got {replications}")
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorridorsError(f"--out {out_dir}: cannot create the folder: {exc}") from None
    runs = {}
    for name in ORGANIZATIONS:
        runs[name] = run_replications(load_scenario(name), replications=replications, seed=seed, engine="batch",
                                      progress=progress)
    table = comparison_table(runs)
    csv_path = out_dir / "reproduce.csv"
    figure_path = out_dir / "reproduce.png"
    html_path = out_dir / "index.html"
    with atomic_output(csv_path) as partial:
        table.to_csv(partial)
    _figure(table, figure_path)
    with atomic_output(html_path) as partial:
        partial.write_text(_html(table, figure_path.name, replications, seed), encoding="utf-8")
    return ReproduceResult(table=table, csv_path=csv_path, html_path=html_path, figure_path=figure_path)
