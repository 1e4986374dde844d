"""The report's page: what a section holds, how a table's caption is told, and the writing.

A section (:class:`Section`) is a lead sentence, tables (:class:`ReportTable`, each written
as a CSV), figures (:class:`ReportFigure`, each written as a PNG and embedded in the page)
and notes. A table's caption is data (:class:`Caption`): the replications, seed, version and
where the scenario hashes are, told in one sentence by :meth:`Caption.text`. :func:`write`
renders ``index.html`` and ``summary.md`` from the Jinja2 templates and writes every file
atomically.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from corridors._atomic import atomic_output
from corridors.engines.summary import format_value

__all__ = [
    "HASH_COLUMNS",
    "HEADERS",
    "Caption",
    "ReportFigure",
    "ReportTable",
    "ReproduceResult",
    "Section",
    "Told",
    "cell",
    "header",
    "write",
]

HEADERS: dict[str, str] = {
    # who and which setting
    "organization": "organization",
    "parameters": "parameters",
    "setting": "setting",
    "policy": "policy",
    "measure": "measure",
    "reading": "reading",
    "parameter": "parameter",
    "rule": "decision rule",
    "member": "member",
    "permanent": "permanent member",
    "replications": "replications",
    "points": "points on the curve",
    "overrides": "overrides (--set)",
    # response months
    "observed_months": "observed mean (months)",
    "observed_se": "observed SE",
    "decided_share": "decided share",
    "mean_months": "mean over decided runs (months)",
    "mean_se": "SE of the mean (months)",
    "restricted_mean_months": "restricted mean, all runs (months)",
    "restricted_se": "SE of the restricted mean (months)",
    "median_months": "median (months)",
    "median_lower": "median, 95% low (months)",
    "median_upper": "median, 95% high (months)",
    "p025_months": "2.5% point (months)",
    "p975_months": "97.5% point (months)",
    "z": "z (simulated − observed)",
    # contacts and the survey
    "observed_contacts_per_week": "observed contacts a week",
    "simulated_contacts_per_week": "simulated contacts a week",
    "contacts_per_week": "contacts a week",
    "simulated_se": "simulated SE",
    "observed": "observed",
    "simulated": "simulated",
    "ordering": "slowest to fastest",
    "slowest_to_fastest": "slowest to fastest",
    "eu_slowest": "EU slowest",
    # the real data
    "observed_n": "operations (n)",
    "observed_events": "operations timed to the end",
    "observed_median_months": "sample median (months)",
    "simulated_median_months": "model median (months)",
    "logrank_statistic": "log-rank χ²",
    "logrank_p": "log-rank p",
    "too_few_operations": "too few operations to read (< 5)",
    # calibration
    "value": "value",
    "se": "SE",
    "lower_95": "95% low",
    "upper_95": "95% high",
    "box_low": "search box low",
    "box_high": "search box high",
    "sensitivity_norm": "sensitivity (norm)",
    "noise_norm": "simulation noise (norm)",
    "identified": "identified",
    "fitted": "fitted",
    "objective": "objective",
    "targets": "targets",
    "objective_table1": "objective: Table 1",
    "objective_survey": "objective: survey",
    "objective_decisions": "objective: decisions",
    "table1_rmse_in_sample": "Table 1 RMSE in sample (months)",
    "table1_rmse_held_out": "Table 1 RMSE held out (months)",
    "slowest_in_sample": "slowest in sample",
    "slowest_held_out": "slowest held out",
    "eu_slowest_held_out": "EU slowest held out",
    "held_out": "held out",
    "in_sample": "in sample (months)",
    "held_out_prediction": "held-out prediction (months)",
    "held_out_error": "held-out error (months)",
    "held_out_z": "held-out z",
    "held_out_rank_in_its_fit": "held-out rank in its fit (1 = slowest)",
    # changes against the calibrated model
    "baseline_months": "calibrated restricted mean (months)",
    "months": "restricted mean (months)",
    "change_months": "change (months)",
    "change_lower": "change, 95% low",
    "change_upper": "change, 95% high",
    "ordering_as_calibrated": "order as calibrated",
    "decides_within_horizon": "most runs decide in the horizon",
    "lowest_decided_share": "lowest decided share",
    "mean_abs_change_months": "mean size of the change (months)",
    "organizations_slower": "organizations slower",
    "organizations_faster": "organizations faster",
    # policies and cases
    "meetings_per_week": "formal meetings a week",
    "minus_fastest_months": "minus the fastest point (months)",
    "minus_fastest_lower": "minus the fastest, 95% low",
    "minus_fastest_upper": "minus the fastest, 95% high",
    "bridged": "bridged (share)",
    "redrafted": "redrafted (share)",
    "unresolved": "unresolved (share)",
    "cost_days": "cost (days)",
    "cost_lower_days": "cost, 95% low (days)",
    "cost_upper_days": "cost, 95% high (days)",
    "decision_days_mean": "mean decision day (days)",
    "p5_last_to_accept_share": "P5 last to accept (share)",
    "pivotal_share_veto": "pivotal, Charter rule (share)",
    "pivotal_share_unanimity": "pivotal, unanimity (share)",
    "shapley_shubik": "Shapley-Shubik index",
    "decided_within_4_days": "decided within 4 days (share)",
    "median_decision_days": "median decision day (days)",
    # networks
    "members": "members",
    "friends_per_ambassador": "friends per ambassador",
    "zero_friend_share": "share with no friend",
    "tie_density": "tie density",
    "scenario_hash": "scenario hash",
}
"""The page's header of each machine column name (the CSVs keep the machine names); a table may
override one (:attr:`ReportTable.headers`) where a name means something narrower there."""

HASH_COLUMNS = frozenset({"scenario_hash"})
"""Columns the page moves out of a table into the details line under it (the CSV keeps them)."""


def header(name: str, overrides: dict[str, str] | None = None) -> str:
    """The page's header of a machine column name: the table's own, :data:`HEADERS`, or the name in words.

    Examples
    --------
    >>> header("held_out_rank_in_its_fit"), header("new_thing_days"), header("months", {"months": "x"})
    ('held-out rank in its fit (1 = slowest)', 'new thing (days)', 'x')
    """
    if overrides and name in overrides:
        return overrides[name]
    if name in HEADERS:
        return HEADERS[name]
    for suffix, unit in (("_months", "months"), ("_days", "days"), ("_share", "share")):
        if name.endswith(suffix):
            return f"{name.removesuffix(suffix).replace('_', ' ')} ({unit})"
    return name.replace("_", " ")


class Told(Protocol):
    """A caption: data that tells itself in one sentence."""

    def text(self) -> str: ...


@dataclass(frozen=True)
class Caption:
    """Where a table's numbers come from: replications, seed, code version, engine and scenario hashes.

    Examples
    --------
    >>> Caption(seed=1, version="2.0", replications=50).text()[:61]
    '50 replications per setting, seed 1, corridors 2.0, batch eng'
    >>> Caption(seed=1, version="2.0", replications=None, scenarios="table1").text()
    'replications as in the table, seed 1, corridors 2.0, batch engine; scenarios as in table1.'
    """

    seed: int
    version: str
    replications: int | None
    """Replications per setting (``None``: each row states its own)."""
    per: str = "setting"
    engine: str = "batch"
    scenarios: str | None = None
    """The table whose ``scenario_hash`` column names these scenarios (``None``: this table's own)."""
    note: str = ""

    def text(self) -> str:
        if self.replications is None:
            count = "replications as in the table"
        else:
            count = f"{self.replications} {'replicate' if self.replications == 1 else 'replications'} per {self.per}"
        where = (
            "each row's scenario hash is in the details line under the table (scenario_hash in the CSV)."
            if self.scenarios is None
            else f"scenarios as in {self.scenarios}."
        )
        return f"{count}, seed {self.seed}, corridors {self.version}, {self.engine} engine; {where}" + (
            f" {self.note}" if self.note else ""
        )

    def __str__(self) -> str:
        return self.text()


@dataclass
class ReportTable:
    """A table of the report: written to ``name.csv`` and shown in the page with ``digits``.

    The CSV keeps the machine column names and every column; the page shows human headers
    (:func:`header`, with ``headers`` overriding :data:`HEADERS`) and moves the hash columns
    (:data:`HASH_COLUMNS`) into a details line under the table, unless ``hashes_shown``.
    """

    name: str
    title: str
    frame: pd.DataFrame
    caption: Told | str
    digits: int = 2
    headers: dict[str, str] = field(default_factory=dict)
    hashes_shown: bool = False
    folded: bool = False
    """Shown folded on the page (its title opens it): a table of sources rather than of findings."""

    @property
    def shown(self) -> pd.DataFrame:
        """The columns the page shows (every column but the hashes, unless ``hashes_shown``)."""
        if self.hashes_shown:
            return self.frame
        return self.frame[[c for c in self.frame.columns if c not in HASH_COLUMNS]]

    @property
    def columns(self) -> list[tuple[str, str, bool]]:
        """(machine name, page header, whether a text column) of each shown column."""
        shown = self.shown
        return [
            (str(c), header(str(c), self.headers), bool(shown[c].map(lambda v: isinstance(v, str)).all()))
            for c in shown.columns
        ]

    @property
    def hash_rows(self) -> list[tuple[str, str]]:
        """(row label, hash) of each row whose hash the page moved under the table.

        The label is the row's text columns (``EU / calibrated``), or its first column.
        """
        moved = [c for c in self.frame.columns if c in HASH_COLUMNS and not self.hashes_shown]
        if not moved:
            return []
        text = [c for c in self.shown.columns if self.shown[c].map(lambda v: isinstance(v, str)).all()][:2]
        rows = []
        for i in range(len(self.frame)):
            if text:
                label = " / ".join(str(self.frame.iloc[i][c]) for c in text)
            else:
                first = str(self.shown.columns[0])
                label = f"{header(first, self.headers)} {cell(self.frame.iloc[i][first], self.digits)}"
            rows.append((label, ", ".join(str(self.frame.iloc[i][c]) for c in moved)))
        return rows


@dataclass
class ReportFigure:
    """A figure of the report: written to ``figures/name.png`` and embedded in the page."""

    name: str
    title: str
    image: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.image).decode("ascii")


@dataclass
class Section:
    """One section: an id, a title, the sentence that says what it shows, its tables, figures and notes."""

    id: str
    title: str
    sentence: str
    tables: list[ReportTable] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    """Paragraphs after the lead (the answer section's), each written from the section's tables."""
    figures: list[ReportFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReproduceResult:
    """What ``reproduce`` computed and where it wrote it."""

    sections: list[Section]
    html_path: Path
    summary_path: Path
    csv_paths: list[Path]
    figure_paths: list[Path]
    store: Path
    parameters: dict[str, Any]
    replications_run: int
    settings_run: int
    settings_found: int
    warnings: list[str]

    def table(self, name: str) -> pd.DataFrame:
        for section in self.sections:
            for table in section.tables:
                if table.name == name:
                    return table.frame
        raise KeyError(name)


cell = partial(format_value, missing="–", not_reached="n.r.", shorten=False)
"""How the page shows a table cell: ``digits`` decimals, NaN as a dash, ``inf`` as n.r. (not reached)."""


def _render(sections: list[Section], context: dict[str, Any]) -> tuple[str, str]:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("corridors.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
    environment.filters["cell"] = cell
    html = environment.get_template("report.html.j2").render(sections=sections, **context)
    markdown = environment.get_template("summary.md.j2").render(sections=sections, **context)
    return html, markdown


def write(out: Path, sections: list[Section], context: dict[str, Any]) -> tuple[Path, Path, list[Path], list[Path]]:
    """Write every table's CSV, every figure's PNG, ``index.html`` and ``summary.md`` into ``out``.

    Returns the page, the summary, the CSVs and the figures written.
    """
    csv_paths, figure_paths = [], []
    figures_dir = out / "figures"
    figures_dir.mkdir(exist_ok=True)
    for section in sections:
        for table in section.tables:
            path = out / f"{table.name}.csv"
            with atomic_output(path) as partial_path:
                table.frame.to_csv(partial_path, index=False)
            csv_paths.append(path)
        for figure in section.figures:
            path = figures_dir / f"{figure.name}.png"
            with atomic_output(path) as partial_path:
                partial_path.write_bytes(figure.image)
            figure_paths.append(path)
    html, markdown = _render(sections, context)
    html_path, summary_path = out / "index.html", out / "summary.md"
    with atomic_output(html_path) as partial_path:
        partial_path.write_text(html, encoding="utf-8")
    with atomic_output(summary_path) as partial_path:
        partial_path.write_text(markdown, encoding="utf-8")
    return html_path, summary_path, csv_paths, figure_paths
