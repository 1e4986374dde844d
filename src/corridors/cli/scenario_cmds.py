"""``corridors presets``, ``show`` and ``validate``: the scenario language at the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from corridors.cli._common import SetOption, console


def presets() -> None:
    """List the shipped presets with the paper's figures (Tables 1, 2 and 3).

    Example: corridors presets
    """
    from corridors import paper
    from corridors.scenario import list_presets, load_scenario

    means = paper.table_means()
    observed = {org: figures.get("contacts_per_week") for org, figures in means.items()}
    response = {org: figures.get("response_months") for org, figures in means.items()}
    # Headers break between words and the numbers never wrap, so the table fits 80 columns
    # (the committee's name wraps between words; the paper's figures are never cut).
    table = Table(title="corridors presets", box=box.SIMPLE_HEAD, pad_edge=False, padding=0)
    columns = (
        ("name", "left"),
        ("committee", "left"),
        ("members", "right"),
        ("formal\nmeetings\n/week", "right"),
        ("informal\ncontacts\n/week\n(model)", "right"),
        ("Table 2\ncontacts\n/week", "right"),
        ("Table 1\nresponse\nmonths", "right"),
        ("decision\nrule", "left"),
        ("agenda\nsetter", "left"),
    )
    for column, justify in columns:
        wraps = column == "committee" or "\nrule" in column or "\nsetter" in column
        longest_word = {"committee": len("Committee"), "agenda\nsetter": len("presidency")}.get(column)
        table.add_column(column, justify=justify, no_wrap=not wraps, min_width=longest_word)  # type: ignore[arg-type]
    for name in list_presets():
        scenario = load_scenario(name)
        rule = scenario.decision_rule
        rule_text = (
            "unanimity"
            if rule.kind == "unanimity"
            else f"{rule.quota} of {scenario.n_members}, {len(rule.veto_members)} vetoes"
        )
        table_two = observed.get(name.upper())
        table_one = response.get(name.upper())
        table.add_row(
            name,
            scenario.committee,
            str(scenario.n_members),
            f"{scenario.formal_meetings_per_week:.2f}",
            f"{scenario.informal_contacts_per_week():.2f}",
            f"{table_two:.2f}" if table_two is not None else "-",
            f"{table_one:.2f}" if table_one is not None else "-",
            rule_text,
            scenario.agenda_setter.kind.replace("_", " "),
        )
    console.print(table)


def show(
    scenario: Annotated[str, typer.Argument(help="Preset name (see 'corridors presets') or a scenario YAML file")],
    set_: SetOption = None,
) -> None:
    """Print the fully resolved scenario as YAML (extends and --set applied).

    Example: corridors show eu --set formal_meetings_per_week=0.5
    """
    from corridors.scenario import load_scenario, scenario_to_yaml

    resolved = load_scenario(scenario, set_ or [])
    typer.echo(f"# scenario hash: {resolved.content_hash()}")
    typer.echo(scenario_to_yaml(resolved), nl=False)


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check")],
    set_: SetOption = None,
) -> None:
    """Check scenario files; print one line per problem (exit status 2 if any).

    Example: corridors validate examples/eu_fewer_meetings.yaml
    """
    from corridors.errors import CorridorsError
    from corridors.scenario import load_scenario

    problems: list[str] = []
    for file in files:
        try:
            resolved = load_scenario(file, set_ or [])
        except CorridorsError as exc:
            problems.extend(exc.problems)
            continue
        console.print(f"{file}: ok ({resolved.n_members} members, hash {resolved.content_hash()})")
    if problems:
        raise CorridorsError(problems)


def fields(
    contains: Annotated[str | None, typer.Argument(help="Only fields whose path contains this text")] = None,
) -> None:
    """List every scenario field with its type, default and meaning.

    Example: corridors fields trust
    """
    from corridors.scenario.reference import field_reference

    table = Table(title="scenario fields (use the path with --set)")
    for column in ("field", "type", "default", "meaning"):
        table.add_column(column)
    for row in field_reference():
        if contains is None or contains in row["path"]:
            table.add_row(row["path"], row["type"], row["default"], row["description"])
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(presets)
    app.command()(fields)
    app.command()(show)
    app.command()(validate)
