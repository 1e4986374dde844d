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
        "calibration"
    ),
    store: Annotated[
        Path | None,
        typer.Option("--store", help="DuckDB store of the evaluations (default: OUT/calibration.duckdb; resumable)"),
    ] = None,
    executor: Annotated[str, typer.Option("--executor", help="serial, process or dask")] = "process",
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default: all cores)")] = None,
    dask: Annotated[str | None, typer.Option("--dask", help="Dask scheduler address, or local:N")] = None,
    replications: Annotated[
        int | None, typer.Option("--replications", min=2, help="Runs per organization and evaluation")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed (common random numbers)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
    bench: Annotated[
        bool,
        typer.Option(
            "--bench", help="Run the theory bench of SPEC (default: the shipped bench) and write its scorecard"
        ),
    ] = False,
    spec: Annotated[
        Path | None,
        typer.Argument(
            metavar="SPEC", show_default=False, help="With --bench: a bench spec YAML (default: the shipped one)"
        ),
    ] = None,
    theory: Annotated[
        list[str] | None, typer.Option("--theory", help="With --bench: only this theory (repeatable)")
    ] = None,
    ship: Annotated[
        bool,
        typer.Option(
            "--ship",
            help="With --bench: also replace the package's bench outputs (the report's scorecard) with this run's",
        ),
    ] = False,
) -> None:
    """Fit shared parameters to the paper's targets (both readings, leave-one-out) and write the results.

    With --bench, fit every theory of a bench spec on the same patterns and write the scorecard.

    Example: corridors calibrate --quick --out calibration-quick
    Example: corridors calibrate --bench examples/bench_small.yaml --quick --out bench-small
    With --ship (and --bench), the run's outputs also replace the package's shipped bench outputs
    (docs/CALIBRATION.md, "Shipping the bench"): corridors calibrate --bench --size medium --ship.
    """
    from corridors.calibration.pipeline import run_calibration, with_size, write_outputs
    from corridors.errors import CorridorsError
    from corridors.experiments import make_executor
    from corridors.experiments.outputs import check_output_folder, check_store_path

    chosen = "quick" if quick else (size or "full")
    if quick and size not in (None, "quick"):
        raise CorridorsError(f"--quick and --size {size}: give one")
    if (theory or spec is not None or ship) and not bench:
        what = "--theory" if theory else ("--ship" if ship else str(spec))
        raise CorridorsError(f"{what}: goes with --bench (corridors calibrate --bench [SPEC])")
    if bench:
        _bench(
            spec,
            chosen,
            out=out,
            store=store,
            executor=executor,
            workers=workers,
            dask=dask,
            replications=replications,
            seed=seed,
            quiet=quiet,
            theories=theory or None,
            ship=ship,
        )
        return
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


def _bench(
    source: Path | None,
    size: str,
    *,
    out: Path,
    store: Path | None,
    executor: str,
    workers: int | None,
    dask: str | None,
    replications: int | None,
    seed: int | None,
    quiet: bool,
    theories: list[str] | None,
    ship: bool = False,
) -> None:
    from corridors.calibration.bench.report import summary_sentence
    from corridors.calibration.bench.run import evaluations_estimate, run_bench, write_bench_outputs
    from corridors.calibration.bench.spec import load_bench, shipped_bench
    from corridors.errors import CorridorsError
    from corridors.experiments import make_executor

    spec = load_bench(shipped_bench() if source is None else source)
    if size not in spec.sizes:
        raise CorridorsError(f"--size {size}: the bench has sizes {', '.join(spec.sizes)}")
    for name in theories or []:
        spec.theory(name)
    changes: dict[str, Any] = {}
    if replications is not None:
        changes["replications"] = replications
    if changes or seed is not None:
        sizes = {**spec.sizes, size: spec.sizes[size].model_copy(update=changes)}  # type: ignore[index]
        spec = spec.model_copy(update={"sizes": sizes, **({"seed": seed} if seed is not None else {})})
    if out.exists() and not out.is_dir():
        raise CorridorsError(f"--out {out}: is a file, not a folder")
    out.mkdir(parents=True, exist_ok=True)
    store_path = store or out / "bench.duckdb"
    pool = make_executor(executor, workers=workers, dask_address=dask)
    total = evaluations_estimate(spec, spec.sizes[size])  # type: ignore[index]
    with StageProgress("bench", unit="evaluations (at most)", quiet=quiet) as progress:
        progress.update(total=total, stage="starting")

        def advance(stage: str, count: int) -> None:
            progress.update(advance=1, stage=stage)

        with pool:
            result = run_bench(spec, size=size, store=store_path, executor=pool, progress=advance, theories=theories)
        progress.update(completed=total, stage="done")
    written = write_bench_outputs(result, out)
    if not quiet:
        table = Table(title=f"bench {spec.name} ({size}): scorecard")
        columns = [
            "theory",
            "status",
            "patterns_passed",
            "patterns",
            "objective",
            "aic_like",
            "held_out_rmse_months",
            "at_box_edge",
        ]
        for column in columns:
            table.add_column(column, justify="right")
        for _, row in result.scorecard.iterrows():
            cells = []
            for c in columns:
                value = row.get(c)
                if c == "status":
                    value = str(value).split(":", 1)[0]
                cells.append(
                    ""
                    if value is None or value != value
                    else f"{value:.2f}"
                    if isinstance(value, float)
                    else str(value)
                )
            table.add_row(*cells)
        console.print(table)
        unavailable = result.scorecard[result.scorecard["status"] != "fitted"]
        for _, row in unavailable.iterrows():
            console.print(f"{row['theory']}: {row['status']}")
    console.print(summary_sentence(result.scorecard))
    console.print(f"wrote {len(written)} files to {out} (scorecard {out / 'scorecard.csv'})")
    if ship:
        import sys

        from corridors.calibration.bench.shipped import ship_bench_outputs, shipped_bench_folder

        shipped = ship_bench_outputs(result, command="corridors " + " ".join(sys.argv[1:]))
        console.print(f"shipped {len(shipped)} files to {shipped_bench_folder()} (the report's scorecard)")


def _print(result: Any) -> None:
    for reading, fit in result.fits.items():
        table = Table(title=f"{reading}: objective {fit.objective_:.2f} over {fit.n_targets_} targets")
        for column in ("parameter", "value", "se", "lower_95", "upper_95"):
            table.add_column(column, justify="right")
        for name, row in fit.summary.iterrows():
            table.add_row(str(name), *(f"{row[c]:.4f}" for c in ("value", "se", "lower_95", "upper_95")))
        console.print(table)
    table = Table(title="readings side by side")
    columns = [
        "reading",
        "objective",
        "objective_table1",
        "table1_rmse_in_sample",
        "table1_rmse_held_out",
        "slowest_held_out",
    ]
    for column in columns:
        table.add_column(column, justify="right")
    for _, row in result.comparison.iterrows():
        table.add_row(*(f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c]) for c in columns))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(calibrate)
