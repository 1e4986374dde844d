"""Options and helpers shared by the command modules."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario field by dotted path, e.g. --set formal_meetings_per_week=0.5"),
]

MAX_SEED = 2**63 - 1
"""Largest root seed: rows keep the seed as a 64-bit signed integer (SeedSequence takes more)."""
