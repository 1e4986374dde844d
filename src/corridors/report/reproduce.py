"""``corridors reproduce``: the report that answers the paper's question.

Do informal relations explain why some organizations answer faster, and what would make
them faster? The report sets the model beside Hardt (2012) and the shipped sample of real
operations, section by section (:data:`SECTIONS`, one module each under
:mod:`corridors.report.sections`). Every simulation is a :class:`~corridors.report.runs.Setting`
of the plan (:mod:`corridors.report.plan`) run through the experiments layer into
``reproduce.duckdb`` in the output folder (an interrupted report resumes); the page
(:mod:`corridors.report.page`) is rendered from Jinja2 templates with its figures embedded.
Each section opens with a sentence written from this run's numbers, and each table is
written as a CSV whose numbers the page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from corridors._version import __version__
from corridors.errors import CorridorsError
from corridors.report.page import ReportTable, ReproduceResult, Section, write
from corridors.report.plan import (
    FULL,
    ORGANIZATIONS,
    QUICK,
    ReportConfig,
    plan_settings,
    read_parameters,
    recalibrate_into,
    sized,
)
from corridors.report.runs import StoredRuns, total_replications
from corridors.report.sections import SECTION_MODULES
from corridors.report.sections.base import Context

__all__ = [
    "FULL",
    "ORGANIZATIONS",
    "QUICK",
    "SECTIONS",
    "ReportConfig",
    "ReportTable",
    "ReproduceResult",
    "Section",
    "reproduce",
    "sized",
]

SECTIONS = tuple(module.ID for module in SECTION_MODULES)
_parameters = read_parameters  # the name the tests and older callers use


def reproduce(
    out_dir: str | Path,
    *,
    config: ReportConfig = FULL,
    executor: Any = None,
    parameter_file: str | Path | None = None,
    recalibrate: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReproduceResult:
    """Run every setting (resuming from ``OUT/reproduce.duckdb``) and write the report to ``out_dir``.

    Parameters
    ----------
    config
        :data:`FULL` (README gives the measured time) or :data:`QUICK` (the small sizes).
    executor
        Where the runs go (default: a process pool on every core). One the caller has entered is
        used as it is; otherwise it is entered here, once for the calibration and the runs.
    parameter_file
        Parameters of the sections after the scorecard: a named set (``calibrated``,
        ``calibrated-realist``, as ``run`` takes them) or a parameter file (default: the best
        surviving theory's fit of the bench outputs the package ships; without them, the shipped
        ``calibrated.yaml``).
    recalibrate
        Rerun the theory bench (quick size with :data:`QUICK`, medium otherwise) into ``OUT/bench``
        and use its scorecard and its best theory's fit.
    progress
        Called with (stage, replications just done, replications in all).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CorridorsError(f"--out {out}: is a file, not a folder")
    if not recalibrate:
        calibrated, document, notes = read_parameters(parameter_file)  # a bad file is refused before any writing
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorridorsError(f"--out {out}: cannot create the folder: {exc}") from None
    from corridors.experiments.executors import held, make_executor

    with held(executor if executor is not None else make_executor("process")) as pool:  # one pool for it all
        bench_folder: Path | None = None
        if recalibrate:
            _, bench_folder = recalibrate_into(out, config, pool, progress)
            calibrated, document, notes = read_parameters(None, bench_folder)
        settings = plan_settings(config, calibrated)
        total = total_replications(list(settings.values()))

        def advance(count: int) -> None:
            if progress is not None:
                progress("simulating", count, total)

        store = out / "reproduce.duckdb"
        with StoredRuns(store, seed=config.seed, executor=pool, progress=advance) as runs:
            rows: dict[str, pd.DataFrame] = {key: runs.rows(setting) for key, setting in settings.items()}
    ctx = Context(
        config,
        rows,
        settings,
        runs.hashes,
        document,
        calibrated=calibrated,
        bench_folder=bench_folder,
        store=store,
        replications_run=runs.replications_run,
    )
    sections = []
    for number, module in enumerate(SECTION_MODULES, start=1):
        if progress is not None:
            progress(module.STAGE, 0, total)
        section = module.build(ctx)
        sections.append(replace(section, title=f"{number}. {section.title}"))
    context = {
        "version": __version__,
        "config": config,
        "warnings": notes,
        "document": document,
        "source": document.get("source", "none"),
    }
    html_path, summary_path, csv_paths, figure_paths = write(out, sections, context)
    return ReproduceResult(
        sections=sections,
        html_path=html_path,
        summary_path=summary_path,
        csv_paths=csv_paths,
        figure_paths=figure_paths,
        store=store,
        parameters=document,
        replications_run=runs.replications_run,
        settings_run=runs.settings_run,
        settings_found=runs.settings_found,
        warnings=notes,
    )
