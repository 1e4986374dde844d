"""``corridors calibrate``: fit the shared parameters, both readings, leave-one-out (docs/CALIBRATION.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridors.cli._common import StageProgress, console


def calibrate(
    quick: Annotated[bool, typer.Option("--quick", help="Small sizes (1-3 minutes on 2 cores)")] = False,
    size: Annotated[str | None, typer.Option("--size", help="quick, medium or full (default: full)")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the parameter file, CSVs and PNGs")] = Path(
        "calibration"),
    store: Annotated[Path | None, typer.Option("--store", help="DuckDB store of the evaluations "
                                                                "(default: OUT/calibration.duckdb; resumable)")] = None,
    executor: Annotated[str, typer.Option("--executor", help="serial, process or dask")] = "process",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: all cores)")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="Dask scheduler address, or local:N")] = None,
    replications: Annotated[int | None, typer.Option("--replications", min=2, help="Runs per organization "
                                                                                   "and evaluation")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed (common random numbers)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """Fit shared parameters to the paper's targets (both readings, leave-one-out) and write the results.

    Example: corridors calibrate --quick --out calibration-quick
    """
    from corridors._outputs import check_output_folder, check_store_path
    from corridors.calibration.pipeline import run_calibration, with_size, write_outputs
    from corridors.errors import CorridorsError
    from corridors.experiments import make_executor

    chosen = "quick" if quick else (size or "full")
    if quick and size not in (None, "quick"):
        raise CorridorsError(f"--quick and --size {size}: give one")
    changes: dict[str, Any] = {}
    if replications is not None:
        changes["replications"] = replications
    if seed is not None:
        changes["seed"] = seed
    config = with_size(chosen, **changes)
    # every check before anything is made: a refused command leaves no folder behind
    check_output_folder(out, option="--out", stores=() if store is not None else ("calibration.duckdb",))
    store_path = check_store_path(store) if store is not None else out / "calibration.duckdb"
    pool = make_executor(executor, workers=workers, dask_address=dask)
    out.mkdir(parents=True, exist_ok=True)
    with StageProgress("calibrate", unit="evaluations (at most)", quiet=quiet) as progress:
        progress.update(total=config.evaluations_estimate(), stage="starting")

        def advance(stage: str, count: int) -> None:
            progress.update(advance=1, stage=stage)

        with pool:
            result = run_calibration(config, store=store_path, executor=pool, progress=advance)
        progress.update(completed=progress.total or progress.completed, stage="done")
    written = write_outputs(result, out, size=chosen if not changes else f"{chosen} (changed: {', '.join(changes)})")
    if not quiet:
        _print(result)
    console.print(f"wrote {len(written)} files to {out} (parameter file {out / 'calibrated.yaml'})")


def _print(result: Any) -> None:
    for reading, fit in result.fits.items():
        table = Table(title=f"{reading}: objective {fit.objective_:.2f} over {fit.n_targets_} targets")
        for column in ("parameter", "value", "se", "lower_95", "upper_95"):
            table.add_column(column, justify="right")
        for name, row in fit.summary.iterrows():
            table.add_row(str(name), *(f"{row[c]:.4f}" for c in ("value", "se", "lower_95", "upper_95")))
        console.print(table)
    table = Table(title="readings side by side")
    columns = ["reading", "objective", "objective_table1", "table1_rmse_in_sample", "table1_rmse_held_out",
               "slowest_held_out"]
    for column in columns:
        table.add_column(column, justify="right")
    for _, row in result.comparison.iterrows():
        table.add_row(*(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in columns))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(calibrate)
