"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from corridors.errors import CorridorsError

console = Console()
err_console = Console(stderr=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a scenario field by dotted path, e.g. --set formal_meetings_per_week=0.5"),
]

ParamsOption = Annotated[
    str | None,
    typer.Option("--params", help="Parameter set applied before --set: 'calibrated' (the shipped calibration, as "
                                  "the report uses), 'calibrated-realist', or a file written by 'corridors calibrate'"),
]


def with_params(params: str | None, set_: list[str] | None) -> list[str]:
    """``--set`` overrides with a ``--params`` set's overrides in front (so ``--set`` wins)."""
    if params is None:
        return list(set_ or [])
    from corridors.calibration.pipeline import parameter_set_overrides

    return [*parameter_set_overrides(params), *(set_ or [])]


def parameters_line(params: str | None, seed: int, scenario: str) -> str:
    """Which parameters and seed a run used, and how to get the report's (finding 7 of issue 22)."""
    report = f"corridors run {scenario} --params calibrated --seed 2012"
    if params is None:
        return (f"parameters: the scenario's own (defaults), seed {seed}; the report (corridors reproduce) runs the "
                f"shipped calibration with seed 2012: {report}")
    return f"parameters: {params} (applied before --set), seed {seed}"


OutputAlias = Annotated[Path | None, typer.Option("--output", hidden=True, help="Old name of --out")]
"""The old name of ``--out`` on commands that had it, kept hidden so scripts still work."""


def chosen_out(out: Path | None, output: Path | None) -> Path | None:
    """``--out``, or its hidden alias ``--output``; both with different values is an error."""
    if out is not None and output is not None and out != output:
        raise CorridorsError(f"--out {out} and --output {output}: give one (--output is the old name of --out)")
    return out if out is not None else output


def show_flags_as_flags() -> None:
    """Show boolean flags in ``--help`` as ``--quiet``, not ``--quiet <bool>``.

    typer's rich help prints every option's type, flags included, which reads as if
    ``--quiet true`` were expected; a flag takes no value.
    """
    from typer import core

    option = getattr(core, "TyperOption", None)
    original = getattr(option, "display_type_rich", None)
    if option is None or original is None or getattr(original, "_flags_as_flags", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return None
        return original(self, ctx)

    display_type_rich._flags_as_flags = True  # type: ignore[attr-defined]
    option.display_type_rich = display_type_rich
MAX_SEED = 2**63 - 1
"""Largest root seed: rows keep the seed as a 64-bit signed integer (SeedSequence takes more)."""
