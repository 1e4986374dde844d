"""The ``corridors`` command line: thin; every command calls a library function.

Each command module has ``register(app)``; user errors (:class:`CorridorsError`) are
printed one line per problem on stderr with exit status 2, never as a traceback.
"""

from __future__ import annotations

import sys

import typer

from corridors.errors import CorridorsError

app = typer.Typer(
    name="corridors",
    help="Simulate and measure how fast international organizations agree to send a peace operation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register_all() -> None:
    from corridors.cli import scenario_cmds

    scenario_cmds.register(app)
    for module_name in ("run_cmds", "experiment_cmds", "empirical_cmds", "report_cmds", "explore_cmds"):
        try:
            module = __import__(f"corridors.cli.{module_name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name == f"corridors.cli.{module_name}":
                continue
            raise
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script.

    Click handles usage errors (one message, exit status 2) and ``typer.Exit``; a
    :class:`CorridorsError` from a command is printed one line per problem, exit status 2.
    Success returns normally, so the function can be called from Python and tests.
    """
    try:
        app(args=argv, standalone_mode=True)
    except SystemExit as exc:
        if exc.code in (0, None):
            return
        raise
    except CorridorsError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(2)
