"""``corridors run`` and ``corridors trace``: replications of one scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from corridors.cli._common import SetOption, console, err_console
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario


def write_rows(rows: pd.DataFrame, out: Path) -> None:
    """Write rows to CSV or Parquet by the file's suffix; never leave a half-written file."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise CorridorsError(f"--out {out}: use a .csv or .parquet file name")
    if not out.parent.exists():
        raise CorridorsError(f"--out {out}: folder {out.parent} does not exist")
    partial = out.with_name(out.name + ".partial")
    if suffix == ".csv":
        rows.to_csv(partial, index=False)
    else:
        rows.to_parquet(partial, index=False)
    partial.replace(out)


def run(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML file")],
    reps: Annotated[int, typer.Option("--reps", min=1, help="Number of replications")] = 100,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Root seed")] = 0,
    engine: Annotated[str, typer.Option("--engine", help="batch (fast, default) or reference (Mesa)")] = "batch",
    out: Annotated[Path | None, typer.Option("--out", help="Write the rows to a .csv or .parquet file")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    set_: SetOption = None,
    params: Annotated[Path | None, typer.Option("--params", help="Fitted parameter file (corridors calibrate), "
                                                                 "applied before --set")] = None,
) -> None:
    """Run replications of a scenario and summarize decision and response times.

    Example: corridors run eu --reps 200 --engine reference --out eu.parquet
    """
    from corridors.engines import ENGINES, run_replications
    from corridors.engines.summary import summarize_runs

    if engine not in ENGINES:
        raise CorridorsError(f"--engine: unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    if params is not None:
        from corridors.calibration import parameter_overrides

        set_ = [*parameter_overrides(params), *(set_ or [])]
    resolved = load_scenario(scenario, set_ or [])
    with Progress(
        TextColumn(f"{resolved.name} [{engine}]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err_console, disable=quiet, transient=True,
    ) as progress:
        task = progress.add_task("replications", total=reps)
        rows = run_replications(resolved, replications=reps, seed=seed, engine=engine,
                                progress=lambda k: progress.advance(task, k))
    summary = summarize_runs(rows)
    table = Table(title=f"{resolved.name}: {reps} replications, seed {seed}, {engine} engine "
                        f"(scenario {resolved.content_hash()})")
    table.add_column("measure")
    for column in summary.columns:
        table.add_column(column, justify="right")
    for measure, values in summary.iterrows():
        table.add_row(str(measure), *("" if v != v else f"{v:.3f}" for v in values))
    console.print(table)
    if out is not None:
        write_rows(rows, out)
        console.print(f"wrote {len(rows)} rows to {out}")


def trace(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML file")],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Root seed")] = 0,
    replicate: Annotated[int, typer.Option("--replicate", min=0, help="Replicate index")] = 0,
    contacts: Annotated[bool, typer.Option("--contacts", help="Also list plain contacts")] = False,
    set_: SetOption = None,
) -> None:
    """Tell one run as a day-by-day narrative of the crisis (reference engine).

    Example: corridors trace osce --seed 1
    """
    from corridors.engines.reference import run_reference
    from corridors.engines.summary import narrate

    resolved = load_scenario(scenario, set_ or [])
    row, events = run_reference(resolved, seed=seed, replicate=replicate, trace=True)
    console.print(f"[bold]{resolved.name}[/bold], seed {seed}, replicate {replicate}: routine network at day 0 has "
                  f"{row.friends_mean:.1f} friends per ambassador, {row.contacts_per_week:.1f} contacts a week; "
                  f"agenda setter {row.setter}")
    for line in narrate(events, include_contacts=contacts):
        typer.echo(line)
    if row.decided:
        console.print(f"[bold]decision on day {row.decision_day:.0f}[/bold] after {row.n_formal_meetings} formal "
                      f"meetings; deployment {row.deployment_lag_days:.0f} days later: response "
                      f"{row.response_months:.2f} months")
    else:
        console.print(f"[bold]no decision within {row.horizon_days} days[/bold] (censored)")


def register(app: typer.Typer) -> None:
    app.command()(run)
    app.command()(trace)
