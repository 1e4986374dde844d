"""``corridors run`` and ``corridors trace``: replications of one scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from corridors._atomic import atomic_output, check_output_path
from corridors.cli._common import MAX_SEED, OutputAlias, SetOption, chosen_out, console, err_console
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import pandas as pd

    from corridors.scenario.schema import Scenario


def check_out(out: Path) -> None:
    """Check ``--out`` before any replication runs: suffix, folder, permission to write."""
    check_output_path(out, option="--out", suffixes=(".csv", ".parquet"))


def write_rows(rows: pd.DataFrame, out: Path) -> None:
    """Write rows to CSV or Parquet by the file's suffix; never leave a half-written file."""
    check_out(out)
    with atomic_output(out) as partial:
        if out.suffix.lower() == ".csv":
            rows.to_csv(partial, index=False)
        else:
            rows.to_parquet(partial, index=False)


def print_run_summary(summary: pd.DataFrame, *, title: str) -> None:
    """Print :func:`~corridors.engines.summary.summarize_runs`' table and its note on censoring."""
    from corridors.engines.summary import format_value as plain

    def format_value(value: object, digits: int = 3) -> str:
        return plain(value, digits).replace("not reached", "n.r.")

    table = Table(title=title)
    for column in ("measure", "value", "95% interval", "median"):
        table.add_column(column, justify="left" if column == "measure" else "right", no_wrap=True)
    for measure, values in summary.iterrows():
        lower, upper = values["lower"], values["upper"]
        interval = "" if lower != lower and upper != upper else f"{format_value(lower, 2)}-{format_value(upper, 2)}"
        median = format_value(values["median"], 2)
        table.add_row(str(measure), format_value(values["value"], 2), interval, "" if median == "-" else median)
    console.print(table)
    console.print(f"[dim]{summary.attrs.get('note', '')}[/dim]")


def run(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML file")],
    reps: Annotated[int | None, typer.Option("--reps", min=1, help="Number of replications [default: 100, or "
                                                                   "the worlds' with --from-worlds]")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", min=0, max=MAX_SEED, help="Root seed [default: 0, or the worlds' with --from-worlds]")] = None,
    engine: Annotated[str, typer.Option("--engine", help="batch (fast, default) or reference (Mesa)")] = "batch",
    out: Annotated[Path | None, typer.Option("--out", help="Write the rows to a .csv or .parquet file")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Batch engine processes (0: every core)")] = 0,
    set_: SetOption = None,
    params: Annotated[Path | None, typer.Option("--params", help="Fitted parameter file (corridors calibrate), "
                                                                 "applied before --set")] = None,
    output: OutputAlias = None,
    save_worlds: Annotated[Path | None, typer.Option(
        "--save-worlds", help="Also write each replicate's routine world at day 0 to this .npz file")] = None,
    from_worlds: Annotated[Path | None, typer.Option(
        "--from-worlds", help="Start each crisis from the routine worlds of this .npz file (--save-worlds): "
                              "compare crisis-phase policies on the same routine networks")] = None,
) -> None:
    """Run replications of a scenario and summarize decision and response times.

    Example: corridors run eu --reps 200 --engine reference --out eu.parquet

    Example: corridors run osce --reps 500 --save-worlds osce.npz

    Example: corridors run osce --set parameters.posture=0.5 --from-worlds osce.npz
    """
    from corridors.engines import ENGINES, run_replications
    from corridors.engines.summary import summarize_runs
    from corridors.scenario import load_scenario

    out = chosen_out(out, output)
    if engine not in ENGINES:
        raise CorridorsError(f"--engine: unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    if params is not None:
        from corridors.calibration import parameter_overrides

        set_ = [*parameter_overrides(params), *(set_ or [])]
    resolved = load_scenario(scenario, set_ or [])
    if out is not None:
        check_out(out)
    if save_worlds is not None or from_worlds is not None:
        _run_with_worlds(resolved, reps, seed, engine, out, save_worlds, from_worlds)
        return
    reps = 100 if reps is None else reps
    seed = 0 if seed is None else seed
    with Progress(
        TextColumn(f"{resolved.name} [{engine}]"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err_console, disable=quiet, transient=True,
    ) as progress:
        task = progress.add_task("replications", total=reps)
        rows = run_replications(resolved, replications=reps, seed=seed, engine=engine, workers=workers,
                                progress=lambda k: progress.advance(task, k))
    summary = summarize_runs(rows)
    print_run_summary(summary, title=f"{resolved.name}: {reps} replications, seed {seed}, {engine} engine "
                                     f"(scenario {resolved.content_hash()})")
    if out is not None:
        write_rows(rows, out)
        console.print(f"wrote {len(rows)} rows to {out}", soft_wrap=True)


def _run_with_worlds(resolved: Scenario, reps: int | None, seed: int | None, engine: str, out: Path | None,
                     save: Path | None, load: Path | None) -> None:
    """``corridors run`` with --save-worlds or --from-worlds (the batch engine, in this process)."""
    from corridors.engines.summary import summarize_runs
    from corridors.engines.worlds import burn_in, load_worlds, run_crisis, save_worlds
    from corridors.scenario.limits import check_workload

    if engine != "batch":
        raise CorridorsError("--save-worlds/--from-worlds: routine worlds are the batch engine's; leave --engine out")
    if save is not None and load is not None:
        raise CorridorsError("--save-worlds and --from-worlds: give one of them")
    if save is not None:
        check_output_path(save, option="--save-worlds", suffixes=(".npz",))
        reps = 100 if reps is None else reps
        seed = 0 if seed is None else seed
        check_workload(resolved, replications=reps, engine="batch")
        with err_console.status(f"{resolved.name}: routine worlds of {reps} replicates"):
            worlds = burn_in(resolved, replications=reps, seed=seed)
        save_worlds(worlds, save)
        err_console.print(f"wrote {reps} routine worlds to {save}", soft_wrap=True)
    else:
        assert load is not None
        if not load.is_file():
            raise CorridorsError(f"--from-worlds {load}: no such file (write one with --save-worlds)")
        worlds = load_worlds(load)
        if reps not in (None, worlds.replications) or seed not in (None, worlds.seed):
            raise CorridorsError(f"--from-worlds {load}: it holds {worlds.replications} replicates of seed "
                                 f"{worlds.seed}; leave --reps and --seed out or give those")
    rows = run_crisis(resolved, worlds)
    summary = summarize_runs(rows)
    print_run_summary(summary, title=f"{resolved.name}: {worlds.replications} replications, seed {worlds.seed}, "
                                     f"batch engine from routine worlds (scenario {resolved.content_hash()})")
    if out is not None:
        write_rows(rows, out)
        console.print(f"wrote {len(rows)} rows to {out}", soft_wrap=True)


def trace(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML file")],
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed")] = 0,
    replicate: Annotated[int, typer.Option("--replicate", min=0, help="Replicate index")] = 0,
    contacts: Annotated[bool, typer.Option("--contacts", help="Also list plain contacts")] = False,
    set_: SetOption = None,
    stream_key: Annotated[str | None, typer.Option(
        "--stream-key", help="Seed the run by this key instead of the scenario hash (a run of a sweep with "
                             "common random numbers: 'corridors results replay' prints it)")] = None,
) -> None:
    """Tell one run as a day-by-day narrative of the crisis.

    The reference engine replays the batch engine's stream, so this is the very run that
    ``corridors run`` computes for that seed and replicate.

    Example: corridors trace osce --seed 1
    """
    from corridors.engines.draws import check_stream_key
    from corridors.engines.reference import run_reference
    from corridors.engines.summary import narrate
    from corridors.scenario import load_scenario
    from corridors.scenario.limits import check_workload

    if stream_key is not None:
        check_stream_key(stream_key, label="--stream-key")
    resolved = load_scenario(scenario, set_ or [])
    check_workload(resolved, engine="reference")  # trace runs the reference engine directly
    row, events = run_reference(resolved, seed=seed, replicate=replicate, trace=True, stream_key=stream_key)
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
