"""``corridors explore``: the browser explorer (needs the ``explore`` extra)."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from corridors.errors import CorridorsError


def explore(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (this machine only by default)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on")] = 8765,
    worlds: Annotated[
        Path | None,
        typer.Option(
            "--worlds",
            help="Keep each negotiation's routine world at day 0 in this folder: the next start of the "
            "same negotiation begins at day 0 without replaying the burn-in",
        ),
    ] = None,
) -> None:
    """Watch and steer a negotiation, and compare many, in the browser (then open http://127.0.0.1:8765).

    Example: corridors explore --port 8765
    """
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise CorridorsError(f"--host: '{host}' is not an IP address (e.g. 127.0.0.1, the default)") from None
    missing = [name for name in ("solara", "mesa.visualization") if importlib.util.find_spec(name) is None]
    if missing:  # found without importing: Solara reads its settings on import, before serve() sets them
        raise CorridorsError(
            f"explore: needs the 'explore' extra ({missing[0]} is missing): pip install 'corridors[explore]'"
        )
    if worlds is not None:
        if not worlds.is_dir():
            raise CorridorsError(f"--worlds {worlds}: no such folder (make it first)")
        from corridors.engines.worlds import REFERENCE_WORLDS_ENV

        os.environ[REFERENCE_WORLDS_ENV] = str(worlds.resolve())
    from corridors.explore.server import serve

    print(f"corridors explore: http://{host}:{port} (Ctrl-C to stop)")
    serve(host, port)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(explore)
