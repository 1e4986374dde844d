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
    typer.Option(
        "--params",
        help="Parameter set applied before --set: 'calibrated' (the shipped calibration, as "
        "the report uses), 'calibrated-realist', or a file written by 'corridors calibrate'",
    ),
]


def with_params(params: str | None, set_: list[str] | None) -> list[str]:
    """``--set`` overrides with a ``--params`` set's overrides in front (so ``--set`` wins)."""
    if params is None:
        return list(set_ or [])
    from corridors.calibration.pipeline import parameter_set_overrides

    return [*parameter_set_overrides(params), *(set_ or [])]


def parameters_line(params: str | None, seed: int, command: str) -> str:
    """Which parameters and seed a run used, and how to get the report's (finding 7 of issue 22).

    ``command`` is the command as typed without its options, e.g. ``corridors run eu``.
    """
    if params is None:
        return (
            f"parameters: the scenario's own (defaults), seed {seed}; the report (corridors reproduce) runs the "
            f"shipped calibration with seed 2012: {command} --params calibrated --seed 2012"
        )
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


class StageProgress:
    """Progress on stderr that a terminal shows as a bar and a log keeps as lines.

    On a terminal: a rich progress bar (description, bar, done/total, ``unit``, elapsed, ETA).
    Otherwise (output redirected to a file or a pipe): one line when a stage starts and one
    each time another tenth of the total is done, e.g. ``reproduce: 30% (4,330/14,360
    replications, 74 s)``, so ``make reproduce > log 2>&1`` shows where it stands. ``quiet``:
    nothing. One helper for ``run``, ``compare``, ``sweep``, ``sensitivity``, ``reproduce``
    and ``calibrate``.

    Examples
    --------
    >>> import io
    >>> log = io.StringIO()
    >>> with StageProgress("run", unit="replications", stream=Console(file=log, width=200)) as progress:
    ...     progress.update(total=4, stage="eu")
    ...     for _ in range(4):
    ...         progress.update(advance=1)
    >>> [line.split(" (")[0] for line in log.getvalue().splitlines()]
    ['run: eu', 'run: 0%', 'run: 20%', 'run: 50%', 'run: 70%', 'run: 100%']
    """

    def __init__(
        self, label: str, *, unit: str, quiet: bool = False, stream: Console | None = None, transient: bool = False
    ) -> None:
        self.label = label
        self.unit = unit
        self.quiet = quiet
        self.stream = stream if stream is not None else err_console
        self.transient = transient
        self.completed = 0
        self.total: int | None = None
        self.stage: str | None = None
        self._bar: Any = None
        self._task: Any = None
        self._tenth = -1
        self._started = 0.0

    @property
    def on_terminal(self) -> bool:
        return bool(self.stream.is_terminal)

    def __enter__(self) -> StageProgress:
        import time

        self._started = time.monotonic()
        if not self.quiet and self.on_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(self.unit),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.stream,
                transient=self.transient,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=None, detail="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(
        self,
        *,
        advance: int = 0,
        completed: int | None = None,
        total: int | None = None,
        stage: str | None = None,
        detail: str = "",
    ) -> None:
        """Record progress: ``advance`` more done (or ``completed`` in all), of ``total``, in ``stage``."""
        self.completed = completed if completed is not None else self.completed + advance
        if total is not None:
            self.total = total
        new_stage = stage is not None and stage != self.stage
        if stage is not None:
            self.stage = stage
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(
                self._task,
                completed=self.completed,
                total=self.total,
                detail=detail,
                description=f"{self.label}: {self.stage}" if self.stage else self.label,
            )
            return
        if new_stage:
            self._line(f"{self.label}: {self.stage}")
        if self.total:
            tenth = min(10, self.completed * 10 // self.total)
            if tenth > self._tenth:
                self._tenth = tenth
                self._line(
                    f"{self.label}: {tenth * 10}% ({self.completed:,}/{self.total:,} {self.unit}, "
                    f"{self._elapsed()}{', ' + detail if detail else ''})"
                )

    def _elapsed(self) -> str:
        import time

        seconds = time.monotonic() - self._started
        return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"

    def _line(self, text: str) -> None:
        self.stream.print(text, markup=False, highlight=False, soft_wrap=True)
