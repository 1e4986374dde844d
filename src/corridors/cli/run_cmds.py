"""``corridors run`` and ``corridors trace``: replications of one scenario."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from corridors._atomic import atomic_output
from corridors.cli._common import (
    MAX_SEED,
    OutputAlias,
    ParamsOption,
    SetOption,
    StageProgress,
    chosen_out,
    console,
    parameters_line,
    with_params,
)
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import pandas as pd


def check_out(out: Path, inputs: list[str | Path | None] | tuple[str | Path | None, ...] = ()) -> None:
    """Check ``--out`` before any replication runs: suffix, not an input or a store, folder, permission."""
    from corridors.experiments.outputs import check_output_file  # experiments is heavy: not at --help

    check_output_file(out, option="--out", allowed=(".csv", ".parquet"), inputs=[i for i in inputs if i is not None])


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
    from functools import partial

    from corridors.engines.summary import format_value as plain

    format_value = partial(plain, not_reached="n.r.")

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
    reps: Annotated[
        int | None, typer.Option("--reps", min=1, help="Number of replications [default: 100, or the worlds']")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed [default: 0, or the worlds']")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="batch (fast, default) or reference (Mesa)")] = "batch",
    out: Annotated[Path | None, typer.Option("--out", help="Write the rows to a .csv or .parquet file")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Batch engine processes (0: every core)")] = 0,
    set_: SetOption = None,
    params: ParamsOption = None,
    output: OutputAlias = None,
    save_worlds: Annotated[
        Path | None,
        typer.Option("--save-worlds", help="Also write each replicate's routine world at day 0 to this .npz file"),
    ] = None,
    from_worlds: Annotated[
        Path | None,
        typer.Option(
            "--from-worlds",
            help="Start each crisis from the routine worlds of this .npz file (--save-worlds): "
            "compare crisis-phase policies on the same routine networks",
        ),
    ] = None,
) -> None:
    """Run replications of a scenario and summarize decision and response times.

    Example: corridors run eu --params calibrated --seed 2012 --reps 200 --out eu.parquet

    Example: corridors run osce --reps 500 --save-worlds osce.npz

    Example: corridors run osce --set parameters.posture=0.5 --from-worlds osce.npz
    """
    from corridors.engines import ENGINES, run_replications
    from corridors.engines.summary import summarize_runs
    from corridors.scenario import load_scenario

    out = chosen_out(out, output)
    if engine not in ENGINES:
        raise CorridorsError(f"--engine: unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    resolved = load_scenario(scenario, with_params(params, set_))
    if out is not None:
        check_out(out, (scenario, params))
    if save_worlds is not None or from_worlds is not None:
        _run_with_worlds(resolved, reps, seed, engine, out, save_worlds, from_worlds)
        return
    reps = 100 if reps is None else reps
    seed = 0 if seed is None else seed
    with StageProgress("run", unit="replications", quiet=quiet, transient=True) as progress:
        progress.update(total=reps, stage=f"{resolved.name}, {engine} engine")
        rows = run_replications(
            resolved,
            replications=reps,
            seed=seed,
            engine=engine,
            workers=workers,
            progress=lambda k: progress.update(advance=k),
        )
    summary = summarize_runs(rows)
    print_run_summary(
        summary,
        title=f"{resolved.name}: {reps} replications, seed {seed}, {engine} engine "
        f"(scenario {resolved.content_hash()})",
    )
    line = parameters_line(params, seed, f"corridors run {scenario}")
    console.print(f"[dim]{escape(line)}[/dim]", soft_wrap=True, highlight=False)
    if out is not None:
        write_rows(rows, out)
        console.print(f"wrote {len(rows)} rows to {out}", soft_wrap=True)


def _run_with_worlds(  # noqa: PLR0913 (run's options)
    resolved: Any,
    reps: int | None,
    seed: int | None,
    engine: str,
    out: Path | None,
    save: Path | None,
    load: Path | None,
) -> None:
    """``corridors run`` with --save-worlds or --from-worlds (the batch engine, in this process)."""
    from corridors._atomic import check_output_path
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
        worlds = burn_in(resolved, replications=reps, seed=seed)
        save_worlds(worlds, save)
        console.print(f"wrote {reps} routine worlds to {save}", soft_wrap=True)
    else:
        assert load is not None
        if not load.is_file():
            raise CorridorsError(f"--from-worlds {load}: no such file (write one with --save-worlds)")
        worlds = load_worlds(load)
        if reps not in (None, worlds.replications) or seed not in (None, worlds.seed):
            raise CorridorsError(
                f"--from-worlds {load}: it holds {worlds.replications} replicates of seed "
                f"{worlds.seed}; leave --reps and --seed out or give those"
            )
    rows = run_crisis(resolved, worlds)
    print_run_summary(
        summarize_runs(rows),
        title=f"{resolved.name}: {worlds.replications} replications, seed {worlds.seed}, batch engine "
        f"from routine worlds (scenario {resolved.content_hash()})",
    )
    if out is not None:
        write_rows(rows, out)
        console.print(f"wrote {len(rows)} rows to {out}", soft_wrap=True)


def compare(
    first: Annotated[str, typer.Argument(help="Preset name or scenario YAML file (the baseline)")],
    second: Annotated[str, typer.Argument(help="Preset name or scenario YAML file (the change)")],
    reps: Annotated[int, typer.Option("--reps", min=2, help="Replicate pairs")] = 1000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed")] = 0,
    set_: SetOption = None,
    params: ParamsOption = None,
    engine: Annotated[str, typer.Option("--engine", help="batch (fast, default) or reference (Mesa)")] = "batch",
    workers: Annotated[int, typer.Option("--workers", min=0, help="Batch engine processes (0: every core)")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress")] = False,
) -> None:
    """Does a change matter? Run two scenarios on common random numbers and show the difference.

    Replicate i of both scenarios draws from one random stream, so the difference (second
    minus first) in decided share, KM median and restricted mean of response months comes
    with a paired 95% interval. --set and --params apply to both.

    Example: corridors compare eu examples/eu_fewer_meetings.yaml --reps 1000
    """
    from corridors.api import compare as run_compare

    with StageProgress("compare", unit="replications", quiet=quiet, transient=True) as progress:
        progress.update(total=2 * reps, stage=first)

        def advance(name: str, count: int) -> None:
            progress.update(advance=count, stage=name)

        result = run_compare(
            first,
            second,
            replications=reps,
            seed=seed,
            overrides=set_ or [],
            params=params,
            engine=engine,
            workers=workers,
            progress=advance,
        )
    print_comparison(result)
    line = parameters_line(params, seed, f"corridors compare {first} {second}")
    console.print(f"[dim]{escape(line)}[/dim]", soft_wrap=True, highlight=False)


def print_comparison(result: Any) -> None:
    """Print a :class:`~corridors.experiments.compare.Comparison` as one table and its notes."""
    from corridors.engines.summary import format_value

    def number(value: float, digits: int = 2) -> str:
        return format_value(value, digits).replace("not reached", "n.r.")

    def interval(lower: float, upper: float, digits: int = 2) -> str:
        if lower != lower and upper != upper:
            return "-"
        return f"{number(lower, digits)} to {number(upper, digits)}"

    table = Table(
        title=f"{result.second} minus {result.first}: {result.replications} replicate pairs, seed "
        f"{result.seed}, {result.engine} engine, common random numbers"
    )
    table.add_column("measure", no_wrap=False)
    for column in (result.first, result.second, "difference\n(95% interval)"):
        table.add_column(column, justify="right", no_wrap=True)
    labels = {
        "decided share": "decided share",
        "response months: KM median": "KM median, months",
        "response months: restricted mean": "restricted mean, months",
    }
    for measure, row in result.table.iterrows():
        digits = 3 if measure == "decided share" else 2
        sign = "+" if row["difference"] > 0 else ""
        table.add_row(
            labels.get(str(measure), str(measure)),
            f"{number(row['first'], digits)}\n({interval(row['first_lower'], row['first_upper'], digits)})",
            f"{number(row['second'], digits)}\n({interval(row['second_lower'], row['second_upper'], digits)})",
            f"{sign}{number(row['difference'], digits)}\n"
            f"({interval(row['difference_lower'], row['difference_upper'], digits)})",
        )
    console.print(table)
    horizon = result.table.attrs.get("horizon_months", float("nan"))
    console.print(
        f"[dim]scenarios {result.first_hash} and {result.second_hash}; replicate i of both draws from the stream of "
        f"{result.stream_key} (the first's rows are those of 'corridors run {result.first} --seed {result.seed}'). "
        "Intervals: each scenario's decided share Wilson, KM median Greenwood, restricted mean t; the difference's "
        "paired (t on the per-pair differences; the KM median by a bootstrap over pairs). Undecided runs are "
        f"censored at the horizon ({horizon:.1f} months).[/dim]",
        highlight=False,
    )
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)


def trace(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML file")],
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed")] = 0,
    replicate: Annotated[int, typer.Option("--replicate", min=0, help="Replicate index")] = 0,
    contacts: Annotated[bool, typer.Option("--contacts", help="Also list plain contacts")] = False,
    set_: SetOption = None,
    stream_key: Annotated[
        str | None,
        typer.Option(
            "--stream-key",
            help="Seed the run by this key instead of the scenario hash (a run of a sweep with "
            "common random numbers: 'corridors results replay' prints it)",
        ),
    ] = None,
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
    console.print(
        f"[bold]{resolved.name}[/bold], seed {seed}, replicate {replicate}: routine network at day 0 has "
        f"{row.friends_mean:.1f} friends per ambassador, {row.contacts_per_week:.1f} contacts a week; "
        f"agenda setter {row.setter}"
    )
    for line in narrate(events, include_contacts=contacts):
        typer.echo(line)
    if row.decided:
        console.print(
            f"[bold]decision on day {row.decision_day:.0f}[/bold] after {row.n_formal_meetings} formal "
            f"meetings; deployment {row.deployment_lag_days:.0f} days later: response "
            f"{row.response_months:.2f} months"
        )
    else:
        console.print(f"[bold]no decision within {row.horizon_days} days[/bold] (censored)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(run)
    app.command()(compare)
    app.command()(trace)
