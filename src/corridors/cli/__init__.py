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
    for module_name in ("run_cmds", "experiment_cmds", "empirical_cmds", "report_cmds"):
        try:
            module = __import__(f"corridors.cli.{module_name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name == f"corridors.cli.{module_name}":
                continue
            raise
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except CorridorsError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click's usage errors arrive here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show(file=sys.stderr)
            sys.exit(exc.exit_code)
        raise
