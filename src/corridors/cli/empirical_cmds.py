"""``corridors data ...``, ``corridors network`` and ``corridors power``: the empirical toolkit.

Thin: each command calls :mod:`corridors.empirical`; heavy libraries (lifelines,
statsmodels, networkx, matplotlib) are imported inside the commands so that
``corridors --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridors._atomic import atomic_output
from corridors.cli._common import MAX_SEED
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import pandas as pd

    from corridors.empirical._io import DataProblem

data_app = typer.Typer(
    name="data",
    help="Observed peace-operation datasets and ambassador surveys: check, describe, compare with simulations.",
    no_args_is_help=True,
)

MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="Schema field = file column, e.g. --map start_date=launch (repeatable)"),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Censoring date of operations without a start date (default: latest date in the file)"
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Turn every warning into an error (exit 2)")]
OrganizationOption = Annotated[
    list[str] | None, typer.Option("--organization", help="Accept another organization acronym (repeatable)")
]
DemandKindOption = Annotated[
    list[str] | None,
    typer.Option("--demand-kind", help="Keep only this demand kind: unsc_resolution, host_request, org_decision"),
]
DatasetArgument = Annotated[
    Path, typer.Argument(help="Dataset: .csv .tsv .xlsx .parquet .dta .sav, or a Frictionless datapackage.json")
]


def _checked_plot(value: Path | None) -> Path | None:
    """``--plot`` checked as it is parsed, before any work: its suffix, not a store or a file of another kind."""
    if value is not None:
        from corridors.experiments.outputs import check_output_file

        check_output_file(value, option="--plot", allowed=(".png", ".pdf", ".svg"))
    return value


PlotOption = Annotated[
    Path | None, typer.Option("--plot", callback=_checked_plot, help="Write the figure to this .png/.pdf/.svg file")
]


def _echo_problems(problems: list[DataProblem]) -> None:
    """Print problems on stderr: the first 20 of each level, then a count (a large file may have 100,000)."""
    from corridors.empirical._io import MAX_LISTED_ROWS

    shown: dict[str, int] = {}
    for problem in problems:
        shown[problem.level] = shown.get(problem.level, 0) + 1
        if shown[problem.level] <= MAX_LISTED_ROWS:
            typer.echo(f"{problem.level}: {problem}", err=True)
    for level, count in shown.items():
        if count > MAX_LISTED_ROWS:
            typer.echo(
                f"{level}: ... and {count - MAX_LISTED_ROWS} more {level}(s) not shown "
                "(load the file in Python for the full list)",
                err=True,
            )


def _load_operations(
    file: Path, map_: list[str] | None, as_of: str | None, strict: bool, organization: list[str] | None
):  # noqa: ANN202
    from corridors.empirical._io import parse_column_map
    from corridors.empirical.datasets import load_peace_operations

    ops = load_peace_operations(
        file, column_map=parse_column_map(map_), as_of=as_of, strict=strict, organizations=organization
    )
    _echo_problems(ops.problems)
    return ops


def _headline(ops) -> str:  # noqa: ANN001
    counts = ops.counts()
    timed, started = int(counts["timed"].sum()), int(counts["started"].sum())
    return (
        f"{ops.source}: {len(ops.frame)} rows; {timed} timed ({started} started, {timed - started} censored at "
        f"{ops.as_of.date()}); {_left_out_count(ops)} left out"
    )


def _left_out_count(ops) -> int:  # noqa: ANN001
    """len(ops.left_out) without copying the left-out rows."""
    return int((~ops.frame["usable"].to_numpy(dtype=bool)).sum())


@data_app.command("describe")
def describe(
    file: DatasetArgument,
    map_: MapOption = None,
    as_of: AsOfOption = None,
    strict: StrictOption = False,
    organization: OrganizationOption = None,
    demand_kind: DemandKindOption = None,
    covariate: Annotated[
        list[str] | None,
        typer.Option("--covariate", help="Cox/logit covariate (default: formal_meetings_per_week, committee_members)"),
    ] = None,
    no_models: Annotated[bool, typer.Option("--no-models", help="Only Kaplan-Meier and log-rank")] = False,
    time_terms: Annotated[str, typer.Option("--time-terms", help="Logit time terms: log, cubic or dummies")] = "log",
    penalizer: Annotated[float, typer.Option("--penalizer", min=0.0, help="L2 penalty of the Cox model")] = 0.0,
    horizon_months: Annotated[
        float | None,
        typer.Option(
            "--horizon-months", min=0.0, help="Restricted means up to this time (default: shortest follow-up)"
        ),
    ] = None,
    plot: PlotOption = None,
) -> None:
    """Check a peace-operation dataset and print its survival analysis (Table 1 in months).

    Kaplan-Meier per organization (median, restricted mean, 95% bands), log-rank tests,
    a Cox model and a discrete-time logit on covariates. Bad rows are listed on stderr.

    Example: corridors data describe "$(corridors data examples --name peace_ops_sample.csv)" --plot km.png
    """
    from corridors.empirical.survival import describe_durations
    from corridors.empirical.survival.kaplan_meier import MAX_HORIZON_MONTHS

    if horizon_months is not None and not horizon_months <= MAX_HORIZON_MONTHS:
        raise CorridorsError(f"--horizon-months {horizon_months:g}: at most {MAX_HORIZON_MONTHS:g} (a century)")
    if time_terms not in ("log", "cubic", "dummies"):
        raise CorridorsError(f"--time-terms: '{time_terms}' is not one of log, cubic, dummies")
    if plot is not None:
        from corridors.experiments.outputs import check_output_file

        check_output_file(plot, option="--plot", allowed=(".png", ".pdf", ".svg"), inputs=[file])
    ops = _load_operations(file, map_, as_of, strict, organization)
    typer.echo(_headline(ops))
    if _left_out_count(ops):
        import numpy as np

        from corridors.empirical._io import MAX_LISTED_ROWS

        # only the rows and columns shown are copied (ops.left_out would copy every left-out row first)
        positions = np.flatnonzero(~ops.frame["usable"].to_numpy(dtype=bool))
        left = ops.frame.iloc[positions[:MAX_LISTED_ROWS]][["row", "organization", "operation", "problem"]]
        more = len(positions) - MAX_LISTED_ROWS
        typer.echo(
            "Left out of the analysis:\n"
            + left.to_string(index=False)
            + (f"\n... and {more} more rows (see 'corridors data validate')" if more > 0 else "")
        )
        del left, positions
    if time_terms not in ("log", "cubic", "dummies"):
        raise CorridorsError(f"--time-terms: '{time_terms}' is not one of log, cubic, dummies")
    covariates = [] if no_models else (covariate or ["formal_meetings_per_week", "committee_members"])
    # only the columns the models read (a large file's operation names would double the memory here)
    durations = ops.durations(demand_kinds=demand_kind, columns=["organization", "response_months", "started"])
    if demand_kind:
        typer.echo(f"Demand kinds kept: {', '.join(demand_kind)} ({len(durations)} operations)")
    if durations.empty:
        raise CorridorsError(f"{ops.source}: no operation can be timed ({_left_out_count(ops)} left out, see above)")
    # the checked rows (every text column of the file) are not needed by the models: free them first
    del ops
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    report = describe_durations(
        durations,
        covariates=covariates,
        time_terms=time_terms,  # type: ignore[arg-type]
        penalizer=penalizer,
        horizon_months=horizon_months or None,
        models=not no_models,
    )
    typer.echo("")
    typer.echo(report.text())
    if plot is not None:
        typer.echo(f"\nwrote {report.plot(plot)}")


@data_app.command("validate")
def validate(
    file: DatasetArgument,
    map_: MapOption = None,
    as_of: AsOfOption = None,
    strict: StrictOption = False,
    organization: OrganizationOption = None,
) -> None:
    """Check a peace-operation dataset row by row and list every problem with its row.

    Exit status 0 if the file can be used (warnings are printed), 2 if not (or, with
    --strict, if there is any warning).

    Example: corridors data validate "$(corridors data examples --name peace_ops_sample.csv)" --as-of 2009-12-31
    Example: corridors data validate "$(corridors data examples --name datapackage.json)"
    """
    ops = _load_operations(file, map_, as_of, strict, organization)
    typer.echo(_headline(ops))
    typer.echo(ops.counts().to_string())
    typer.echo(f"{len(ops.warnings)} warning(s), {len(ops.notes)} note(s)")


@data_app.command("compare")
def compare(
    file: DatasetArgument,
    runs: Annotated[Path, typer.Argument(help="Simulated runs: a DuckDB store (table runs), .csv or .parquet")],
    map_: MapOption = None,
    as_of: AsOfOption = None,
    organization: OrganizationOption = None,
    demand_kind: DemandKindOption = None,
    match: Annotated[
        list[str] | None, typer.Option("--match", help="Pair ORGANIZATION=SCENARIO (default: same name, any case)")
    ] = None,
    plot: PlotOption = None,
    point: Annotated[
        int | None, typer.Option("--point", help="Keep only this design point of a sweep store (its point_id)")
    ] = None,
    pool_variants: Annotated[
        bool, typer.Option("--pool-variants", help="Pool runs of different scenario variants of the same name")
    ] = False,
) -> None:
    """Compare observed and simulated response times: KM medians, log-rank and KS tests.

    Simulated duration: response_months of decided runs; undecided runs are censored at
    their horizon. KM curves are overlaid with --plot.

    Example: corridors data compare "$(corridors data examples --name peace_ops_sample.csv)" eu.parquet --plot c.png

    (eu.parquet from 'corridors run eu --out eu.parquet'; a sweep's store works too, with --point)
    """
    from corridors.empirical._io import parse_column_map
    from corridors.empirical.survival import ObservedVsSimulated, durations_from_runs, load_runs

    ops = _load_operations(file, map_, as_of, False, organization)
    run_rows = load_runs(runs)
    if point is not None:
        if "point_id" not in run_rows.columns:
            raise CorridorsError(f"--point: {runs} has no point_id column (it is not a sweep store)")
        run_rows = run_rows[run_rows["point_id"] == point]
        if run_rows.empty:
            raise CorridorsError(f"--point: {runs} has no runs of design point {point}")
    simulated = durations_from_runs(run_rows, label=str(runs), pool_variants=pool_variants)
    pairs = parse_column_map(match) if match else None
    comparison = ObservedVsSimulated(match=pairs).fit(ops.durations(demand_kinds=demand_kind), simulated)
    typer.echo(_headline(ops))
    typer.echo(f"{runs}: {len(simulated)} runs")
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        typer.echo(
            "\nObserved against simulated (months; one column per organization)\n" + comparison.summary.T.to_string()
        )
    typer.echo(
        "Shares: operations started / runs decided. Medians: Kaplan-Meier, with 95% intervals (inf: not reached); "
        "restricted means: area under each curve up to restricted_mean_window_months (the shorter follow-up); "
        "all count censored operations and undecided runs. KS compares started/decided durations only."
    )
    if plot is not None:
        from corridors.empirical.survival import save_figure

        typer.echo(f"\nwrote {save_figure(comparison.plot_survival(), plot)}")


@data_app.command("survey")
def survey(
    file: Annotated[
        Path | None, typer.Argument(help="Survey responses (default: the shipped SYNTHETIC survey)")
    ] = None,
    map_: MapOption = None,
    strict: StrictOption = False,
    organization: OrganizationOption = None,
    generate: Annotated[
        Path | None, typer.Option("--generate", help="Write a new SYNTHETIC survey (.csv) instead of reading one")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Seed of the synthetic survey")] = 2012,
) -> None:
    """Print the paper's Table 2 (informal contacts per week) and the survey shares.

    Without FILE, reads the shipped synthetic survey, which reproduces the published
    aggregates and is labelled SYNTHETIC: it is not the real survey.

    Example: corridors data survey
    Example: corridors data survey --generate my_survey.csv --seed 7
    """
    import pandas as pd

    from corridors.empirical._io import parse_column_map
    from corridors.empirical.datasets import example_path
    from corridors.empirical.survey import PAPER_TABLE_2, load_survey, survey_shares, synthetic_survey, table2

    if generate is not None:
        from corridors.experiments.outputs import check_output_file

        check_output_file(generate, option="--generate", allowed=(".csv",), inputs=[file] if file else [])
        frame = synthetic_survey(seed=seed)
        _write_survey_csv(frame, generate)
        typer.echo(f"wrote a SYNTHETIC survey of {len(frame)} ambassadors (seed {seed}) to {generate}")
        return
    source = file if file is not None else example_path("synthetic_survey.csv")
    loaded = load_survey(source, column_map=parse_column_map(map_), strict=strict, organizations=organization)
    _echo_problems(loaded.problems)
    if loaded.synthetic:
        typer.echo("SYNTHETIC survey: made-up answers that reproduce the paper's aggregates; not the real survey.")
    typer.echo(f"{loaded.source}: {len(loaded.frame)} respondents")
    table = table2(loaded)
    paper = pd.DataFrame(PAPER_TABLE_2).reindex(columns=table.columns)
    paper.index = [f"paper {i}" for i in paper.index]
    with pd.option_context("display.width", 160, "display.float_format", "{:.2f}".format):
        typer.echo(
            "\nTable 2: informal contacts per week outside formal meetings\n" + pd.concat([table, paper]).to_string()
        )
        typer.echo("\nShares (over respondents who answered)\n" + survey_shares(loaded).T.to_string())


def _write_survey_csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for column in ("friendships_matter", "most_important_negotiation_informal", "synthetic"):
        out[column] = out[column].map({True: "yes", False: "no"}).fillna("")
    with atomic_output(path) as partial:
        out.to_csv(partial, index=False)


@data_app.command("examples")
def examples(
    name: Annotated[str | None, typer.Option("--name", help="Print only the path of this file")] = None,
) -> None:
    """List the example files shipped with corridors and where they are installed.

    Example: corridors data describe "$(corridors data examples --name peace_ops_sample.csv)"
    """
    from corridors.empirical.datasets import example_path

    if name is not None:
        typer.echo(str(example_path(name)))
        return
    for file, what in (
        ("peace_ops_sample.csv", "real, sourced sample of 32 peace operations (partial; see PROVENANCE.md)"),
        ("synthetic_survey.csv", "SYNTHETIC ambassador survey reproducing the paper's aggregates"),
        ("example_edges.csv", "simulated routine ties of the EU committee (reference engine, not observed)"),
        ("PROVENANCE.md", "where each file comes from and its caveats"),
        ("datapackage.json", "Frictionless data package describing the files"),
    ):
        typer.echo(f"{example_path(file)}\t{what}")


_TABLE_SUFFIXES = (
    ".csv",
    ".tsv",
    ".txt",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".parquet",
    ".pq",
    ".dta",
    ".sav",
    ".zsav",
    ".json",
)


def network(
    source: Annotated[
        str, typer.Argument(help="Scenario (preset or YAML: simulated at day 0) or a tie list file (i, j, w)")
    ],
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Scenario giving members' sub-regions and blocs for a tie list")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed of the simulated run (and of the layout)")
    ] = 0,
    map_: MapOption = None,
    friend_threshold: Annotated[
        float | None, typer.Option("--friend-threshold", help="Tie strength of a friend (default: the scenario's, 0.5)")
    ] = None,
    plot: PlotOption = None,
) -> None:
    """Measure the ambassadors' routine network: friends, density, clustering, centrality, brokers.

    SOURCE is a scenario (its routine network at day 0 of a simulated run, reference
    engine) or a tie list with columns i, j, w. --plot draws the network coloured by
    sub-region with tie strength as width.

    Example: corridors network eu --seed 3 --plot net.png
    Example: corridors network "$(corridors data examples --name example_edges.csv)" --scenario eu
    """
    import pandas as pd

    from corridors.empirical._io import parse_column_map
    from corridors.empirical.networks import RoutineNetwork, load_ties, ties_from_weights
    from corridors.scenario import load_scenario

    is_file = Path(source).suffix.lower() in _TABLE_SUFFIXES
    if is_file:
        resolved = load_scenario(scenario) if scenario else _scenario_of_ties(source)
        ties, problems = load_ties(
            source, column_map=parse_column_map(map_), members=resolved.member_codes if resolved else None
        )
        _echo_problems(problems)
        label = f"{source}: tie list ({len(ties)} ties)"
    else:
        if scenario is not None:
            raise CorridorsError("--scenario is for tie lists; for a simulated network give the scenario as SOURCE")
        resolved = load_scenario(source)
        codes, weights = _simulated_network(resolved, seed)
        ties = ties_from_weights(codes, weights)
        label = f"scenario {resolved.name}: simulated routine network at day 0 (seed {seed})"
    threshold = (
        friend_threshold
        if friend_threshold is not None
        else (resolved.parameters.friend_threshold if resolved is not None else 0.5)
    )
    result = RoutineNetwork(friend_threshold=threshold).fit(ties, resolved)
    typer.echo(label)
    with pd.option_context("display.width", 160, "display.max_rows", 100, "display.float_format", "{:.3f}".format):
        typer.echo("\n" + result.summary.to_string())
        shown = result.members_.drop(columns=[c for c in ("name",) if c in result.members_.columns])
        typer.echo(
            "\nMembers by eigenvector centrality\n"
            + shown.sort_values("eigenvector_centrality", ascending=False).to_string()
        )
    if plot is not None:
        from corridors.empirical.survival import save_figure

        typer.echo(f"\nwrote {save_figure(result.plot_network(seed=seed), plot)}")


def _scenario_of_ties(path: str):  # noqa: ANN202
    """The one preset whose members are exactly the codes of a tie list, else None (noted)."""
    from corridors.empirical._io import TableSchema, read_source
    from corridors.scenario import list_presets, load_scenario

    frame = read_source(path, TableSchema.load("edges")).frame
    if not {"i", "j"} <= set(frame.columns):
        return None
    codes = {str(c).strip().upper() for c in [*frame["i"].dropna(), *frame["j"].dropna()]}
    matches = [p for p in list_presets() if set(load_scenario(p).member_codes) == codes]
    if len(matches) == 1:
        typer.echo(
            f"note: {path}: its members are those of preset '{matches[0]}'; using its sub-regions "
            "(choose with --scenario)",
            err=True,
        )
        return load_scenario(matches[0])
    typer.echo(f"note: {path}: no --scenario, so sub-regions and blocs are unknown", err=True)
    return None


def _simulated_network(scenario, seed: int):  # noqa: ANN001, ANN202
    try:
        from corridors.engines import routine_network
    except ImportError:
        raise CorridorsError("simulated networks need the reference engine, not available yet") from None
    from corridors.scenario.limits import check_workload

    check_workload(scenario, engine="reference")
    return routine_network(scenario, seed=seed)


def power(
    scenario: Annotated[str, typer.Argument(help="Preset name or scenario YAML file")],
    runs: Annotated[
        Path | None, typer.Option("--runs", help="Simulated runs (store .duckdb, .csv, .parquet): pivotal members")
    ] = None,
    edges: Annotated[Path | None, typer.Option("--edges", help="Tie list (i, j, w) for centrality")] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, max=MAX_SEED, help="Simulate the routine network with this seed for centrality"),
    ] = None,
    simulate: Annotated[
        int, typer.Option("--simulate", min=0, help="Run this many replications to count pivotal members")
    ] = 0,
    plot: PlotOption = None,
) -> None:
    """Formal voting power (exact Shapley-Shubik, Banzhaf) beside informal power.

    Informal power: how often each member was pivotal in simulated runs (--runs, or
    --simulate N) and its centrality in the routine network (--edges, or --seed to
    simulate it). Under unanimity formal power is equal; informal power is not.

    Example: corridors power eu --seed 1 --simulate 200
    Example: corridors power unsc
    """
    from corridors.empirical.networks import load_ties, ties_from_weights
    from corridors.empirical.power import VotingPower
    from corridors.empirical.survival import load_runs
    from corridors.scenario import load_scenario

    resolved = load_scenario(scenario)
    if edges is not None and seed is not None and simulate == 0:
        raise CorridorsError("--edges and --seed both give a network; choose one")
    ties = None
    if edges is not None:
        ties, problems = load_ties(edges, members=resolved.member_codes)
        _echo_problems(problems)
    elif seed is not None:
        ties = ties_from_weights(*_simulated_network(resolved, seed))
    run_rows = load_runs(runs) if runs is not None else None
    if simulate:
        if run_rows is not None:
            raise CorridorsError("--runs and --simulate both give runs; choose one")
        try:
            from corridors.engines import run_replications
        except ImportError:
            raise CorridorsError("--simulate needs the engines, not available yet") from None
        run_rows = run_replications(resolved, replications=simulate, seed=seed or 0)
    result = VotingPower(friend_threshold=resolved.parameters.friend_threshold).fit(resolved, runs=run_rows, ties=ties)
    typer.echo(result.text())
    if plot is not None:
        from corridors.empirical.survival import save_figure

        typer.echo(f"\nwrote {save_figure(result.plot_power(), plot)}")


def register(app: typer.Typer) -> None:
    """Add the ``data`` sub-app and the ``network`` and ``power`` commands."""
    app.add_typer(data_app, name="data")
    app.command("network")(network)
    app.command("power")(power)
