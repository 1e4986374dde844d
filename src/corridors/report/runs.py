"""The report's simulations: one experiment per setting, run and kept by the experiments layer.

A :class:`Setting` is a preset with ``--set`` overrides and, for a curve, one factor. Each
setting becomes an :class:`~corridors.experiments.spec.ExperimentSpec` run by
:func:`~corridors.experiments.sweep.run_sweep` into one DuckDB store; a setting already in
the store (by its design hash) is read, not rerun, so an interrupted ``reproduce`` started
again goes on where it stopped, and a finished one reruns nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from corridors.errors import CorridorsError

__all__ = ["COLUMNS", "Setting", "StoredRuns", "total_replications"]

COLUMNS = (
    "scenario_hash",
    "replicate",
    "decided",
    "decision_day",
    "response_months",
    "duration_days",
    "event",
    "horizon_days",
    "deployment_lag_days",
    "contacts_per_week",
    "friends_mean",
    "zero_friend_share",
    "informal_share",
    "red_line",
    "pivotal_member",
)
"""The run columns the report reads back (the store keeps every column)."""


@dataclass(frozen=True)
class Setting:
    """One simulated setting of the report: a preset, its overrides and at most one factor.

    ``key`` names it in the report's tables and in the store (``section/label/organization``).
    """

    key: str
    base: str
    overrides: tuple[str, ...] = ()
    factor_path: str | None = None
    factor_values: tuple[float, ...] = ()
    replications: int = 0
    common_random_numbers: bool = False
    """Replicate i of every factor value shares one random stream (paired comparisons along a curve)."""

    @property
    def points(self) -> int:
        return max(1, len(self.factor_values))

    @property
    def organization(self) -> str:
        return self.base.upper()

    def experiment_name(self) -> str:
        """A store name for the experiment (lower case, digits and underscores)."""
        name = re.sub(r"[^a-z0-9_]+", "_", self.key.lower()).strip("_")
        return ("r_" + name)[:60]


@dataclass
class StoredRuns:
    """Run settings through the experiments layer into one store, reading back what it holds.

    Parameters
    ----------
    store
        The DuckDB store (created if missing).
    seed
        Root seed of every setting.
    executor
        Where chunks run (default serial). One the caller has entered is used as it is (the
        caller owns it); otherwise :meth:`__enter__` enters it and :meth:`__exit__` leaves it.
    progress
        Called with the number of replications just finished (or found in the store).
    """

    store: str | Path
    seed: int
    executor: Any = None
    progress: Callable[[int], None] | None = None
    replications_run: int = 0
    settings_run: int = 0
    settings_found: int = 0
    hashes: dict[str, list[str]] = field(default_factory=dict)
    _entered: bool = field(default=False, repr=False)
    _hold: AbstractContextManager[Any] | None = field(default=None, repr=False)

    def __enter__(self) -> StoredRuns:
        from corridors.experiments.executors import held

        if self.executor is None:
            from corridors.experiments.executors.serial import SerialExecutor

            self.executor = SerialExecutor()
        self._hold = held(self.executor)  # the caller's pool stays the caller's
        self._hold.__enter__()
        self._entered = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._entered = False
        if self._hold is not None:
            hold, self._hold = self._hold, None
            hold.__exit__(exc_type, exc, tb)

    def spec(self, setting: Setting) -> Any:
        """The experiment spec of a setting (chunks sized to keep every worker busy)."""
        from corridors.experiments.spec import ExperimentSpec, Factor

        if setting.replications < 1:
            raise CorridorsError(f"{setting.key}: replications must be at least 1, got {setting.replications}")
        workers = max(1, int(getattr(self.executor, "workers", 1) or 1))
        chunk = max(1, min(setting.replications, math.ceil(setting.replications * setting.points / (2 * workers))))
        factors = [Factor(path=setting.factor_path, values=list(setting.factor_values))] if setting.factor_path else []
        return ExperimentSpec(
            name=setting.experiment_name(),
            description=setting.key,
            base=setting.base,
            base_overrides=list(setting.overrides),
            factors=factors,
            replications=setting.replications,
            seed=self.seed,
            engine="batch",
            chunk_replications=chunk,
            source=f"reproduce: {setting.key}",
            common_random_numbers=setting.common_random_numbers,
        )

    def rows(self, setting: Setting) -> pd.DataFrame:
        """The runs of a setting, with its factor's column when it has one (run if not stored)."""
        from corridors.experiments.designs import expand_design
        from corridors.experiments.store import Store
        from corridors.experiments.sweep import run_sweep

        if not self._entered:
            raise RuntimeError("enter StoredRuns (with StoredRuns(...) as runs) before running settings")
        spec = self.spec(setting)
        design = expand_design(spec)
        design_hash = design.content_hash()
        self.hashes[setting.key] = [p.scenario_hash for p in design.points]
        path = Path(self.store)
        known = False
        if path.is_file():
            with Store(path) as st:
                frame = _finished_rows(st, design_hash)
                known = st.find_experiment(design_hash) is not None
            if frame is not None:
                self.settings_found += 1
                self._advance(len(frame))
                return frame
        before = self.replications_run

        def advanced(p: Any) -> None:
            step = p.replications_this_session - (self.replications_run - before)
            if step > 0:
                self.replications_run += step
                self._advance(step)

        report = run_sweep(spec, store=path, executor=self.executor, new=not known, progress=advanced)
        if report.status != "finished" or report.chunks_failed:
            raise CorridorsError(
                f"{path}: the runs of {setting.key} {report.status} ({report.chunks_failed} failed chunks); "
                "run the same command again to resume"
            )
        self.settings_run += 1
        with Store(path) as st:
            frame = _finished_rows(st, design_hash)
        if frame is None:
            raise RuntimeError(f"{path}: the runs of {setting.key} just made are not found under {design_hash}")
        return frame

    def _advance(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(count)


def _finished_rows(st: Any, design_hash: str) -> pd.DataFrame | None:
    record = st.finished_experiment(design_hash)
    if record is None:
        return None
    factors = [f'"{name}"' for name in st.factors(record.experiment_id)["factor"]]
    columns = ", ".join([*factors, *COLUMNS])
    frame: pd.DataFrame = st.query(f"SELECT {columns} FROM ({st.joined_runs_sql(record.experiment_id)}) AS runs")
    return frame


def total_replications(settings: Sequence[Setting]) -> int:
    """Replications the settings take in all (for a progress bar's total)."""
    return sum(s.replications * s.points for s in settings)
