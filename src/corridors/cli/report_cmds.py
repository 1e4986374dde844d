"""``corridors reproduce``: the paper's tables, observed against simulated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from corridors.cli._common import MAX_SEED, OutputAlias, chosen_out, console, err_console


def reproduce(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for index.html, reproduce.csv and reproduce.png "
                                  "[default: reports]")
    ] = None,
    reps: Annotated[int, typer.Option("--reps", min=2, help="Replications per organization")] = 2000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED, help="Root seed")] = 2012,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    output: OutputAlias = None,
) -> None:
    """Run the AU, EU, OAS and OSCE presets and compare them with the paper's Tables 1 and 2.

    Example: corridors reproduce --out reports --reps 2000
    """
    from corridors.report.reproduce import NOT_YET, ORGANIZATIONS
    from corridors.report.reproduce import reproduce as run_reproduce

    out = chosen_out(out, output) or Path("reports")

    with Progress(TextColumn("replications"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, disable=quiet, transient=True) as progress:
        task = progress.add_task("reproduce", total=reps * len(ORGANIZATIONS))
        result = run_reproduce(out, replications=reps, seed=seed, progress=lambda k: progress.advance(task, k))
    table = Table(title="Hardt (2012): observed (paper) against simulated (corridors)")
    columns = ("org", "decided", "Table 1 months", "simulated months", "Table 2 contacts/wk",
               "simulated contacts/wk", "friends (day 0)")
    for column in columns:
        table.add_column(column, justify="right")
    for org, row in result.table.iterrows():
        table.add_row(str(org), f"{row.decided_share:.3f}", f"{row.observed_response_months:.2f}",
                      f"{row.simulated_response_months:.2f} ± {row.simulated_response_se:.2f}",
                      f"{row.observed_contacts_per_week:.2f}", f"{row.simulated_contacts_per_week:.2f}",
                      f"{row.simulated_friends_mean:.1f}")
    console.print(table)
    console.print(f"wrote {result.html_path}, {result.csv_path}, {result.figure_path}", soft_wrap=True)
    console.print("not in this version yet: " + "; ".join(NOT_YET))


def register(app: typer.Typer) -> None:
    app.command()(reproduce)
