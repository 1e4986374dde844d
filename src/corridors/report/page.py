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

__all__ = ["Caption", "ReportFigure", "ReportTable", "ReproduceResult", "Section", "Told", "cell", "write"]


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
            "each row's scenario is named by its scenario_hash column."
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
    """A table of the report: written to ``name.csv`` and shown in the page with ``digits``."""

    name: str
    title: str
    frame: pd.DataFrame
    caption: Told | str
    digits: int = 2


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
