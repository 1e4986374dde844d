"""``corridors sweep``, ``sensitivity`` and ``results ...``: experiments at the command line.

Each command calls one library function of :mod:`corridors.experiments`; this module only
parses options, shows progress and prints tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.table import Table

from corridors.cli._common import OutputAlias, ParamsOption, StageProgress, chosen_out, console, err_console
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import pandas as pd

results_app = typer.Typer(
    name="results",
    help="Read a sweep's store: summary, export, SQL, replay of one run.",
    no_args_is_help=True,
)

SpecArgument = Annotated[Path, typer.Argument(help="Experiment spec (YAML); see examples/sweep_meetings.yaml")]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="DuckDB store (default: named after the spec, in the current directory, e.g. sweep_meetings.duckdb)",
    ),
]
ExecutorOption = Annotated[
    str | None, typer.Option("--executor", help="serial, process (default: a local pool on all cores) or dask")
]
WorkersOption = Annotated[int | None, typer.Option("--workers", help="Worker processes (default: all cores)")]
DaskOption = Annotated[
    str | None,
    typer.Option("--dask", help="Dask scheduler address (tcp://host:8786), or local:N for a LocalCluster"),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no tables (for scripts)")]
StoreArgument = Annotated[Path, typer.Argument(help="DuckDB store written by 'corridors sweep'")]
ExperimentOption = Annotated[int | None, typer.Option("--experiment", help="Experiment id (default: the latest)")]


def _executor(kind: str | None, workers: int | None, dask: str | None) -> Any:
    from corridors.experiments import make_executor

    chosen = kind or ("dask" if dask else "process")
    return make_executor(chosen, workers=workers, dask_address=dask)


class _ProgressBar:
    """The sweep's progress callback fed to :class:`~corridors.cli._common.StageProgress` (chunks done)."""

    def __init__(self, quiet: bool, label: str = "sweep") -> None:
        self.progress = StageProgress(label, unit="chunks", quiet=quiet)

    def __enter__(self) -> _ProgressBar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, state: Any) -> None:
        rate = f"{state.replications_per_second:,.1f} rep/s" if state.replications_this_session else ""
        failed = f"{state.chunks_failed} failed" if state.chunks_failed else ""
        self.progress.update(
            completed=state.chunks_done + state.chunks_failed,
            total=state.chunks_total,
            detail=", ".join(part for part in (rate, failed) if part),
        )


def _format(value: Any, digits: int = 3) -> str:
    import numpy as np

    from corridors.engines.summary import format_value

    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    return format_value(value, digits, not_reached="n.r.")


def _header(label: str) -> tuple[str, int]:
    r"""A column header broken into lines between words, never inside one, and its width.

    Words are split at spaces, and a name's after each ``_`` and ``.`` (a factor's dotted
    path), so ``formal_meetings_per_week`` reads ``formal_`` / ``meetings_`` / ``per_week``,
    never ``forma`` / ``l_mee``; the lines are packed up to 10 characters (or the longest word).

    Examples
    --------
    >>> _header("formal_meetings_per_week")
    ('formal_\nmeetings_\nper_week', 9)
    >>> _header("mean over decided runs")[0].splitlines()
    ['mean over', 'decided', 'runs']
    """
    import re

    if " " in label:
        words = [(word, " ") for word in label.split()]
    else:
        words = [(piece, "") for piece in re.split(r"(?<=[_.])", label) if piece]
    width = max(max(len(piece) for piece, _ in words), 10)
    lines: list[str] = []
    for piece, joint in words:
        if lines and len(lines[-1]) + len(joint) + len(piece) <= width:
            lines[-1] += joint + piece
        else:
            lines.append(piece)
    return "\n".join(lines), max(len(line) for line in lines)


def _print_frame(frame: pd.DataFrame, *, title: str | None = None, limit: int | None = None) -> None:
    import pandas as pd

    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=0)
    headers = [_header(str(column)) for column in frame.columns]
    # Headers keep their words whole when every column fits; a very wide table (SQL) folds instead of being cut
    whole_words = sum(width for _, width in headers) + len(headers) <= console.width
    for column, (header, width) in zip(frame.columns, headers, strict=True):
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        table.add_column(
            header,
            justify="right" if numeric else "left",
            overflow="fold",
            min_width=width if whole_words else None,
            no_wrap=str(column) == "95% interval",
        )
    shown = frame if limit is None else frame.head(limit)
    for row in shown.itertuples(index=False):
        table.add_row(*(_format(v) for v in row))
    console.print(table)
    if limit is not None and len(frame) > limit:
        console.print(f"... {len(frame) - limit} more rows (use --limit or --csv)")


_SUMMARY_HEADERS = {
    "point_id": "point",
    "decided_share": "decided",
    "km_median_months": "KM median",
    "restricted_mean_months": "restr. mean",
    "response_months_mean": "mean over decided runs",
    "replications_failed": "failed reps",
}


def _print_summary(store: Path, experiment: int | None = None) -> int:
    from corridors.experiments import summarize

    summary = summarize(store, experiment=experiment)
    record = summary.experiment
    title = (
        f"experiment {record.experiment_id} '{record.name}' ({record.design_kind}, {record.n_points} points x "
        f"{record.replications} replications, engine {record.engine}, seed {record.root_seed}): {record.status}"
    )
    points = summary.points
    frame = points[["point_id", *summary.factor_labels, "runs", "decided_share", "km_median_months"]].copy()
    frame["95% interval"] = [
        "-" if lower != lower and upper != upper else f"{_format(lower, 2)}-{_format(upper, 2)}"
        for lower, upper in zip(points["km_median_lower_months"], points["km_median_upper_months"], strict=True)
    ]
    frame["restricted_mean_months"] = points["restricted_mean_months"]
    frame["response_months_mean"] = points["response_months_mean"]
    if summary.chunks_failed:
        frame["replications_failed"] = points["replications_failed"]
    frame = frame.rename(columns=_SUMMARY_HEADERS)
    _print_frame(frame, title=title, limit=200)
    console.print(
        "[dim]response months per point. decided: share of all runs that decided within the horizon; KM median "
        "(95% interval) and restr. mean (restricted mean: area under the Kaplan-Meier curve up to the horizon) "
        "count undecided runs as censored at horizon_days = "
        f"{summary.horizon_text}; mean over decided runs leaves them out; n.r.: not reached within the "
        "horizon[/dim]"
    )
    console.print(f"chunks: {summary.chunks_done} done, {summary.chunks_failed} failed, {summary.chunks_total} in all")
    if summary.failures:
        console.print(f"[red]{summary.failures}[/red]")
    return summary.chunks_failed


def sweep(
    spec: SpecArgument,
    store: StoreOption = None,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    new: Annotated[
        bool, typer.Option("--new", help="Start afresh: a new experiment in the store (earlier ones are kept)")
    ] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Rerun only the chunks that failed")] = False,
    quiet: QuietOption = False,
    params: ParamsOption = None,
) -> None:
    """Run an experiment spec, or resume it: finished chunks in the store are skipped.

    Exit status: 0 done, 1 chunks failed, 2 a problem with the spec or options, 130 interrupted.

    Example: corridors sweep examples/sweep_meetings.yaml --executor process --workers 2
    """
    from corridors.calibration.pipeline import with_parameter_set
    from corridors.experiments import load_experiment, run_sweep

    loaded = with_parameter_set(load_experiment(spec), params)
    chosen = _executor(executor, workers, dask)
    with _ProgressBar(quiet) as bar:
        report = run_sweep(loaded, store=store, executor=chosen, new=new, retry_failed=retry_failed, progress=bar)
    if not quiet:
        for note in report.notes:
            err_console.print(f"note: {note}")
        console.print(report.describe(), soft_wrap=True)
        _print_summary(report.store, report.experiment_id)
    elif report.nothing_to_do:
        err_console.print(report.describe(), soft_wrap=True)
    if report.status == "interrupted":
        if quiet:
            err_console.print(report.describe())
        raise SystemExit(130)
    if report.chunks_failed:
        raise SystemExit(1)


def sensitivity(
    spec: SpecArgument,
    store: StoreOption = None,
    executor: ExecutorOption = None,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    measure: Annotated[
        str | None,
        typer.Option(
            "--measure",
            help="Measure per design point (default: the spec's output, mean response months "
            "over decided runs); also response_months_censored, decided_share or any numeric run column",
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Bar chart PNG (default: <name>_sensitivity.png in the current directory)"),
    ] = None,
    quiet: QuietOption = False,
    params: ParamsOption = None,
    output: Annotated[str | None, typer.Option("--output", hidden=True, help="Old name of --measure")] = None,
) -> None:
    """Run a Sobol or Morris design and print each factor's sensitivity indices.

    Sobol: first-order (S1) and total (ST) indices; Morris: mu* and sigma; with confidence half-widths (_conf).

    Example: corridors sensitivity examples/sensitivity.yaml --executor process
    """
    import warnings

    from corridors.calibration.pipeline import with_parameter_set
    from corridors.experiments import load_experiment, run_sensitivity
    from corridors.experiments.sensitivity import SensitivityWarning

    loaded = with_parameter_set(load_experiment(spec), params)
    chosen = _executor(executor, workers, dask)
    with _ProgressBar(quiet, label="sensitivity") as bar, warnings.catch_warnings():
        warnings.simplefilter("ignore", SensitivityWarning)  # printed below, one line each
        result = run_sensitivity(
            loaded, store=store, executor=chosen, output=measure or output, chart=chart, progress=bar
        )
    indices = result.indices
    attrs = indices.attrs
    title = (
        f"{attrs['method']} indices of {attrs['output']} ({attrs['design_points']} design points x "
        f"{attrs['replications']} replications; {round(100 * attrs['confidence'])}% confidence half-widths)"
    )
    if not quiet:
        console.print(result.sweep.describe())
    _print_frame(indices, title=title)
    for line in attrs.get("warnings", []):
        err_console.print(f"[yellow]warning:[/yellow] {line}", soft_wrap=True, highlight=False)
    console.print(f"wrote the chart to {result.chart}; runs in {result.sweep.store}", soft_wrap=True)


def summary(store: StoreArgument, experiment: ExperimentOption = None) -> None:
    """Per design point: runs, decided share, mean and quantiles of response months (decided runs).

    Example: corridors results summary sweep_meetings.duckdb
    """
    _print_summary(store, experiment)


def export(
    store: StoreArgument,
    format_: Annotated[
        str | None,
        typer.Option("--format", help="parquet or csv (default: the --out file's suffix; parquet without --out)"),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write (default: beside the store)")] = None,
    experiment: ExperimentOption = None,
    output: OutputAlias = None,
) -> None:
    """Write the runs joined with their factor values to Parquet or CSV.

    Example: corridors results export sweep_meetings.duckdb --format csv --out meetings.csv
    """
    from corridors.experiments import export_results

    if format_ not in (None, "parquet", "csv"):
        raise CorridorsError(f"--format: unknown format '{format_}' (choose parquet or csv)")
    written = export_results(
        store,
        format=format_,  # type: ignore[arg-type]
        output=chosen_out(out, output),  # type: ignore[arg-type]
        experiment=experiment,
    )
    console.print(f"wrote {written}", soft_wrap=True)


def sql(
    store: StoreArgument,
    query: Annotated[
        str, typer.Argument(help="SQL on tables experiments, factors, design_points, factor_values, chunks, runs")
    ],
    limit: Annotated[int, typer.Option("--limit", help="Rows shown in the table")] = 100,
    csv: Annotated[bool, typer.Option("--csv", help="Print every row as CSV instead of a table")] = False,
) -> None:
    """Run read-only SQL on a store.

    Example: corridors results sql sweep_meetings.duckdb "SELECT point_id, avg(decision_day) FROM runs GROUP BY 1"
    """
    from corridors.experiments import query_store

    frame = query_store(store, query)
    if csv:
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        _print_frame(frame, limit=limit)


def replay(
    store: StoreArgument,
    run_id: Annotated[int, typer.Argument(help="run_id of the run (see 'corridors results sql STORE \"SELECT ...\"')")],
    trace: Annotated[bool, typer.Option("--trace", help="After the verdict, print the run's event trace")] = False,
    events: Annotated[
        int,
        typer.Option(
            "--events", min=0, help="With --trace: the first N events (0: every one; a run can have thousands)"
        ),
    ] = 40,
) -> None:
    """Rerun one stored replication exactly and check it gives the stored row.

    The verdict comes first; --trace then prints the first --events events of the run.
    Exit status 1 if the replayed row differs from the stored one.

    Example: corridors results replay sweep_meetings.duckdb 17 --trace --events 100
    """
    from corridors.experiments import replay_run

    result = replay_run(store, run_id, trace=trace)
    stored = result.stored
    for note in result.notes:
        err_console.print(f"note: {note}")
    streams = "" if result.stream_key == stored["scenario_hash"] else f", stream key {result.stream_key}"
    console.print(
        f"run {run_id}: scenario {stored['scenario']} ({stored['scenario_hash']}), engine {stored['engine']}, "
        f"seed {stored['seed']}, replicate {stored['replicate']}{streams}: decided {bool(stored['decided'])}, "
        f"decision day {_format(stored['decision_day'])}, response months {_format(stored['response_months'])}"
    )
    if result.identical:
        console.print("replayed: identical to the stored row")
    else:
        console.print("[red]replayed: differs from the stored row[/red]")
        for line in result.differences:
            console.print(f"  {line}")
    if trace:
        shown = result.events if events == 0 else result.events[:events]
        table = Table(
            title=f"trace of run {run_id} ({result.trace_engine} engine): {len(shown)} of {len(result.events)} events"
        )
        for column in ("day", "kind", "actors", "detail"):
            table.add_column(column, justify="right" if column == "day" else "left")
        for event in shown:
            table.add_row(str(event.day), event.kind, " ".join(event.actors), event.detail)
        console.print(table)
        if len(shown) < len(result.events):
            console.print(
                f"... {len(result.events) - len(shown)} more events (--events 0 prints every one; "
                f"corridors trace tells the run day by day)",
                highlight=False,
            )
    if not result.identical:
        raise SystemExit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(sweep)
    app.command()(sensitivity)
    results_app.command()(summary)
    results_app.command()(export)
    results_app.command()(sql)
    results_app.command()(replay)
    app.add_typer(results_app, name="results")
