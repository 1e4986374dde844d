"""``corridors reproduce``: the report that answers the paper's question."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridors.cli._common import MAX_SEED, OutputAlias, StageProgress, chosen_out, console, err_console


def reproduce(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for index.html, summary.md, the CSVs, figures/ and the "
            "store of runs (resumable) [default: reports]",
        ),
    ] = None,
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes (under 2 minutes on 2 cores)")] = False,
    recalibrate: Annotated[
        bool,
        typer.Option(
            "--recalibrate",
            help="Redo the calibration (quick size with --quick, medium otherwise) instead of reading the shipped one",
        ),
    ] = False,
    params: Annotated[
        str | None,
        typer.Option(
            "--params",
            help="Calibrated parameters: 'calibrated' (the shipped calibration), 'calibrated-realist', or a file "
            "written by 'corridors calibrate' [default: the shipped calibration]",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed")] = 2012,
    executor: Annotated[str, typer.Option("--executor", help="serial, process or dask")] = "process",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: all cores)")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="Dask scheduler address, or local:N")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    output: OutputAlias = None,
) -> None:
    """Write the report: the paper's tables beside the model's, the real data, calibration, mechanisms, policies, cases.

    Example: corridors reproduce --quick --out reports-quick
    """
    from corridors.errors import CorridorsError
    from corridors.experiments import make_executor
    from corridors.report.reproduce import reproduce as run_reproduce
    from corridors.report.reproduce import sized

    out = chosen_out(out, output) or Path("reports")
    if recalibrate and params is not None:
        raise CorridorsError("--recalibrate and --params: give one (recalibrating writes its own parameter file)")
    config = sized("quick" if quick else "full", seed=seed)
    from corridors.experiments.outputs import check_output_folder

    # before any work: the folder takes files, figures/ is a folder, a store there is a DuckDB file
    check_output_folder(out, option="--out", subfolders=("figures",), stores=("reproduce.duckdb",))
    if params is not None:
        from corridors.report.plan import read_parameters

        read_parameters(params)  # a bad parameter file is refused before the progress lines start
    pool = make_executor(executor, workers=workers, dask_address=dask)
    with StageProgress("reproduce", unit="replications", quiet=quiet, transient=True) as progress:
        progress.update(stage="starting")

        def advance(stage: str, count: int, total: int) -> None:
            progress.update(advance=count, total=total, stage=stage)

        result = run_reproduce(
            out, config=config, executor=pool, parameter_file=params, recalibrate=recalibrate, progress=advance
        )
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", soft_wrap=True)
    if not quiet:
        for section in result.sections:
            console.print(f"[bold]{section.title}[/bold]: {section.sentence}", soft_wrap=True, highlight=False)
    console.print(
        f"wrote {result.html_path}, {result.summary_path}, {len(result.csv_paths)} CSVs and "
        f"{len(result.figure_paths)} figures; {result.replications_run} replications run, "
        f"{result.settings_found} settings read from {result.store}",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(reproduce)
