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


def _version(value: bool) -> None:
    if value:
        from corridors._version import __version__

        typer.echo(f"corridors {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit", callback=_version, is_eager=True
    ),
) -> None:
    """Simulate and measure how fast international organizations agree to send a peace operation."""


def _register_all() -> None:
    from corridors.cli import scenario_cmds
    from corridors.cli._common import show_flags_as_flags

    show_flags_as_flags()
    scenario_cmds.register(app)
    for module_name in (
        "run_cmds",
        "experiment_cmds",
        "empirical_cmds",
        "report_cmds",
        "calibrate_cmds",
        "explore_cmds",
    ):
        try:
            module = __import__(f"corridors.cli.{module_name}", fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name == f"corridors.cli.{module_name}":
                continue
            raise
        module.register(app)


_register_all()


def _printable(line: str) -> str:
    """A problem with control characters escaped, so it stays one line (user text may hold any)."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in line)


MAX_INTEGER = 2**63 - 1
"""Largest integer any option or argument takes (a 64-bit count, seed or id): larger ones overflow NumPy and DuckDB."""


def check_integers(argv: list[str]) -> None:
    """Refuse an integer beyond :data:`MAX_INTEGER` anywhere on the command line, in one line, before any work.

    ``trace --replicate 99999999999999999999999`` would otherwise reach NumPy as an
    OverflowError traceback; an option's own range (``--seed``) still applies below it.
    """
    for index, token in enumerate(argv):
        value = token.partition("=")[2] if token.startswith("--") and "=" in token else token
        if len(value) > 18 and value.lstrip("+-").isdigit() and abs(int(value)) > MAX_INTEGER:
            before = argv[index - 1] if index and argv[index - 1].startswith("-") else ""
            where = token.partition("=")[0] if value is not token else before
            shown = f"Invalid value for '{where}'" if where else f"Invalid value {value}"
            raise CorridorsError(
                f"{shown}: Input should be less than or equal to {MAX_INTEGER} (got {value}, too "
                "large for any count, seed or id)"
            )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script.

    A usage error (an option out of range, a missing argument, an unknown command) and a
    :class:`CorridorsError` from a command are printed one line per problem on stderr, exit
    status 2, never a usage box or a traceback. Success returns normally, so the function
    can be called from Python and tests.
    """
    try:  # typer >= 0.25 vendors click; older typer uses click itself
        from typer._click import exceptions as click_exceptions
    except ImportError:  # pragma: no cover
        from click import exceptions as click_exceptions  # type: ignore[no-redef]

    try:
        check_integers(sys.argv[1:] if argv is None else list(argv))
        result = app(args=argv, prog_name="corridors", standalone_mode=False)
    except SystemExit as exc:
        if exc.code in (0, None):
            return
        raise
    except CorridorsError as exc:
        for line in exc.problems:
            print(f"error: {_printable(line)}", file=sys.stderr)
        sys.exit(2)
    except click_exceptions.NoArgsIsHelpError:
        sys.exit(2)  # the help was printed; as before, no command is a usage error
    except click_exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "corridors"
        message = " ".join(exc.format_message().split())
        print(f"error: {_printable(where)}: {_printable(message)} (see '{where} --help')", file=sys.stderr)
        sys.exit(2)
    except click_exceptions.ClickException as exc:
        print(f"error: {_printable(' '.join(exc.format_message().split()))}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(130)
    if isinstance(result, int) and result not in (0,):
        sys.exit(result)
