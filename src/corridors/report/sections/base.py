"""What every section reads: the runs of the report's settings, its configuration and captions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from corridors._version import __version__
from corridors.report.page import Caption, cell
from corridors.report.plan import ReportConfig
from corridors.report.runs import Setting
from corridors.report.stats import difference, response_stats

__all__ = [
    "BASELINE_NOTE",
    "MOST_DECIDE",
    "RESTRICTED",
    "Context",
    "changes",
    "decides",
    "number",
    "ordering",
    "signed",
    "words",
]

MOST_DECIDE = 0.5
"""A setting whose decided share is below this does not decide within the horizon: its Kaplan-Meier
median is not reached and its restricted mean is mostly the horizon, so a lead says that runs do
not decide instead of reading the restricted mean as an effect."""


BASELINE_NOTE = (
    "Baselines: the calibrated runs of table1 ({replications} replications); baseline_months is table1's "
    "restricted_mean_months (every run, censored at the horizon), not its mean_months (decided runs only), "
    "hence a slightly different figure for the same scenario."
)
"""The caption note of a table of changes against Table 1's calibrated runs (format with ``replications``)."""

RESTRICTED = {"mean_months": "restricted mean (months)", "se": "SE (months)"}
"""Page headers of a table whose ``mean_months`` is the restricted mean (policies, cases)."""


def decides(decided_share: float) -> bool:
    """Whether most runs decide within the horizon (:data:`MOST_DECIDE`).

    Examples
    --------
    >>> decides(0.93), decides(0.04)
    (True, False)
    """
    return bool(decided_share >= MOST_DECIDE)


def words(label: str) -> str:
    """A setting's machine label in words: ``no_capital_review`` -> ``capital review``."""
    return label.removeprefix("no_").replace("_", " ")


@dataclass
class Context:
    """The runs of every setting (keyed ``section/label/organization``) and what the sections need beside.

    ``parameters`` is the calibrated parameter file's document; ``calibrated`` its overrides;
    ``calibration_folder`` the calibration run the calibration section reads (``None``: the shipped one);
    ``bench_folder`` the bench outputs the scorecard section reads (``None``: the shipped ones, if any).
    """

    config: ReportConfig
    rows: dict[str, pd.DataFrame]
    settings: dict[str, Setting]
    hashes: dict[str, list[str]]
    parameters: dict[str, Any]
    calibrated: tuple[str, ...] = ()
    calibration_folder: Path | None = None
    bench_folder: Path | None = None
    store: Path = Path("reproduce.duckdb")
    replications_run: int = 0
    _stats: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    def stats(self, key: str) -> dict[str, float]:
        """The response statistics of one setting's runs (:func:`~corridors.report.stats.response_stats`)."""
        if key not in self._stats:
            self._stats[key] = response_stats(self.rows[key])
        return self._stats[key]

    def hash(self, key: str) -> str:
        """The scenario hashes of a setting, comma-separated (one per point of its curve)."""
        return ",".join(self.hashes.get(key, []))

    def caption(self, replications: int | None, **fields: Any) -> Caption:
        """The caption of a table of simulated settings (see :class:`~corridors.report.page.Caption`)."""
        return Caption(seed=self.config.seed, version=__version__, replications=replications, **fields)


def number(value: float, digits: int = 2) -> str:
    """A number in a sentence, as its table cell shows it."""
    return cell(float(value), digits)


def signed(value: float, digits: int = 2) -> str:
    """A change with its sign (+0.40, -1.25)."""
    text = number(value, digits)
    return text if text.startswith("-") or text == "–" else "+" + text


def ordering(values: dict[str, float]) -> str:
    """Slowest to fastest, e.g. ``EU > OSCE > OAS > AU``."""
    return " > ".join(k for k, _ in sorted(values.items(), key=lambda kv: -kv[1]))


def changes(ctx: Context, baseline: str, key: str) -> dict[str, float]:
    """Setting ``key``'s restricted mean against ``baseline``'s: the change, its 95% interval (independent runs)."""
    b, s = ctx.stats(baseline), ctx.stats(key)
    change, lower, upper = difference(
        b["restricted_mean_months"], b["restricted_se"], s["restricted_mean_months"], s["restricted_se"]
    )
    return {
        "baseline_months": b["restricted_mean_months"],
        "months": s["restricted_mean_months"],
        "change_months": change,
        "change_lower": lower,
        "change_upper": upper,
        "decided_share": s["decided_share"],
    }
