"""Simulated moments at a parameter vector, run through the experiments layer and kept in its store.

Every evaluation of the fit is one experiment per organization in one DuckDB store: a grid
of a single design point whose factors are the shared parameters (``parameters.NAME``),
on the organization's preset with the reading's overrides (``realist=true``). The root
seed is the same at every evaluation (common random numbers), so an evaluation asked for
again is found in the store by its design hash and not rerun: a killed calibration started
again replays its deterministic optimizer path from the store and goes on where it stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from corridors.engines.rows import DAYS_PER_MONTH
from corridors.errors import CorridorsError
from corridors.experiments.chunks import ChunkResult, ChunkTask
from corridors.experiments.executors import Executor

__all__ = ["MOMENT_MEASURES", "HeldExecutor", "MomentSimulator", "org_moments", "pooled_moments"]

MOMENT_MEASURES = (
    "response_months", "contacts_per_week", "friends_mean", "zero_friend_share", "informal_share",
    "decided_within_30d", "decided_within_90d",
)  # fmt: skip
"""Measures computed from the rows of one organization's runs (see :func:`org_moments`)."""
POOLED_MEASURES = ("friends_mean", "zero_friend_share", "informal_share")
"""Measures the survey pools over organizations (target organization ``all``)."""
_COLUMNS = ("decided", "decision_day", "duration_days", "informal_share", "friends_mean", "zero_friend_share",
            "contacts_per_week")  # fmt: skip


def org_moments(rows: pd.DataFrame) -> pd.DataFrame:
    """Moments of one organization's runs and their simulation standard errors.

    ``response_months`` is the restricted mean of ``duration_days`` / 30.44 (an undecided
    run counts at the horizon, a lower bound); ``decided_within_Nd`` is the share of runs
    decided by day N; ``informal_share`` skips runs without a crisis meeting.

    Returns
    -------
    pandas.DataFrame
        Index: the measures; columns ``value`` and ``sim_se`` (SD / sqrt(runs)).
    """
    per_run: dict[str, np.ndarray] = {
        "response_months": rows["duration_days"].to_numpy(float) / DAYS_PER_MONTH,
        "contacts_per_week": rows["contacts_per_week"].to_numpy(float),
        "friends_mean": rows["friends_mean"].to_numpy(float),
        "zero_friend_share": rows["zero_friend_share"].to_numpy(float),
        "informal_share": rows["informal_share"].to_numpy(float),
    }
    decided = rows["decided"].to_numpy(bool)
    day = rows["decision_day"].to_numpy(float)
    for horizon in (30, 90):
        per_run[f"decided_within_{horizon}d"] = (decided & (np.nan_to_num(day, nan=np.inf) <= horizon)).astype(float)
    out = {}
    for name in MOMENT_MEASURES:
        values = per_run[name]
        values = values[np.isfinite(values)]
        if len(values) == 0:
            out[name] = (math.nan, math.nan)
        else:
            n = len(values)
            if name.startswith("decided_within"):  # a share: (x + 1) / (n + 2) keeps the SE of 0 of n positive
                p = (float(values.sum()) + 1.0) / (n + 2.0)
                se = math.sqrt(p * (1.0 - p) / n)
            else:
                se = (float(values.std(ddof=1)) if n > 1 else 0.0) / math.sqrt(n)
            out[name] = (float(values.mean()), se)
    return pd.DataFrame.from_dict(out, orient="index", columns=["value", "sim_se"])


def pooled_moments(by_org: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Moments over organizations (equal weights, as the survey's split is not given)."""
    frames = list(by_org.values())
    value = sum(f.loc[list(POOLED_MEASURES), "value"] for f in frames) / len(frames)
    var = sum(f.loc[list(POOLED_MEASURES), "sim_se"] ** 2 for f in frames) / len(frames) ** 2
    return pd.DataFrame({"value": value, "sim_se": np.sqrt(var)})


class HeldExecutor(Executor):
    """An executor already entered by the caller: sweeps use it without starting or stopping it."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self.name = inner.name
        self.workers = inner.workers

    def evaluate(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        return self.inner.evaluate(tasks)

    def describe(self) -> str:
        return self.inner.describe()


@dataclass
class MomentSimulator:
    """Run the shared parameters on each organization's preset and return its moments.

    Parameters
    ----------
    store
        The DuckDB store of the evaluations (created if missing).
    replications
        Runs per organization and evaluation.
    seed
        Root seed, the same at every evaluation (common random numbers).
    overrides
        ``--set`` overrides applied to every preset (the reading, shortened horizons).
    executor
        Where chunks run (default: serial); entered once by :meth:`__enter__`.
    progress
        Called with the number of replications just run (0 when found in the store).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = pathlib.Path(tempfile.mkdtemp()) / "cal.duckdb"
    >>> sim = MomentSimulator(store, replications=4, seed=1,
    ...                       overrides=["parameters.burn_in_days=20", "parameters.max_days=60"])
    >>> with sim:
    ...     m = sim.moments({"widen_base": 0.3}, ["OSCE"])
    >>> sorted(m)
    ['OSCE']
    >>> sim.evaluations_run, sim.evaluations_found
    (1, 0)
    """

    store: str | Path
    replications: int
    seed: int
    overrides: Sequence[str] = ()
    executor: Executor | None = None
    progress: Callable[[int], None] | None = None
    evaluations_run: int = 0
    evaluations_found: int = 0
    _cache: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict, repr=False)
    _entered: bool = field(default=False, repr=False)
    _bases: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __enter__(self) -> MomentSimulator:
        if self.executor is None:
            from corridors.experiments.executors.serial import SerialExecutor

            self.executor = SerialExecutor()
        self.executor.__enter__()
        self._entered = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        assert self.executor is not None
        self._entered = False
        self.executor.__exit__(exc_type, exc, tb)

    def _spec(self, organization: str, values: Mapping[str, float]) -> Any:
        from corridors.experiments.spec import ExperimentSpec, Factor

        workers = self.executor.workers if self.executor is not None else 1
        chunk = max(1, math.ceil(self.replications / max(1, workers)))
        factors = [Factor(path=f"parameters.{name}", values=[float(v)]) for name, v in sorted(values.items())]
        return ExperimentSpec(
            name=f"calibration_{organization.lower()}", base=organization.lower(), base_overrides=list(self.overrides),
            factors=factors, replications=self.replications, seed=self.seed, engine="batch",
            chunk_replications=chunk, output="response_months",
        )  # fmt: skip

    def _design_hash(self, spec: Any) -> str:
        """The design hash :func:`run_sweep` gives ``spec`` (the preset is read once per organization)."""
        import hashlib
        import json

        from corridors.experiments.designs import override_text, read_base
        from corridors.scenario.loading import apply_overrides, scenario_from_dict

        if spec.base not in self._bases:
            self._bases[spec.base] = read_base(spec)
        overrides = [override_text(f.path, f.values[0]) for f in spec.factors]
        scenario = scenario_from_dict(apply_overrides(self._bases[spec.base], overrides), label="")
        values = {f.label: f.values[0] for f in spec.factors}
        payload = {"points": [[scenario.content_hash(), values]], "replications": spec.replications,
                   "seed": spec.seed, "engine": spec.engine}  # fmt: skip
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _read(self, st: Any, design_hash: str) -> pd.DataFrame | None:
        record = st.find_experiment(design_hash)
        if record is None:
            return None
        statuses = st.chunk_statuses(record.experiment_id)
        if len(statuses) != record.n_chunks or any(s != "done" for s in statuses.values()):
            return None
        frame: pd.DataFrame = st.query(
            f"SELECT {', '.join(_COLUMNS)} FROM runs WHERE experiment_id = ? ORDER BY replicate",
            [record.experiment_id],
        )
        return frame

    def rows(self, organization: str, values: Mapping[str, float]) -> pd.DataFrame:
        """The runs of one organization at ``values`` (from the store, running them if missing)."""
        from corridors.experiments.store import Store
        from corridors.experiments.sweep import run_sweep

        if not self._entered:
            raise RuntimeError("enter the simulator (with MomentSimulator(...) as sim) before evaluating")
        spec = self._spec(organization, values)
        design_hash = self._design_hash(spec)
        path = Path(self.store)
        known = False
        if path.is_file():
            with Store(path) as st:
                frame = self._read(st, design_hash)
                known = st.find_experiment(design_hash) is not None
            if frame is not None:
                self.evaluations_found += 1
                if self.progress is not None:
                    self.progress(0)
                return frame
        assert self.executor is not None
        report = run_sweep(spec, store=path, executor=HeldExecutor(self.executor), new=not known)
        if report.status != "finished" or report.chunks_failed:
            raise CorridorsError(
                f"{path}: evaluation of {organization} at {dict(values)} {report.status} "
                f"({report.chunks_failed} failed chunks); run the same command again to resume"
            )
        self.evaluations_run += 1
        if self.progress is not None:
            self.progress(self.replications)
        with Store(path) as st:
            frame = self._read(st, design_hash)
        if frame is None:  # the hash above must be run_sweep's, or nothing would ever be found again
            raise RuntimeError(f"{path}: the evaluation just run is not found under design hash {design_hash}")
        return frame

    def moments(self, values: Mapping[str, float], organizations: Iterable[str]) -> dict[str, pd.DataFrame]:
        """Moments (:func:`org_moments`) of each organization at ``values``."""
        out = {}
        for org in organizations:
            key = (org, tuple(sorted((k, float(v)) for k, v in values.items())))
            if key not in self._cache:
                self._cache[key] = org_moments(self.rows(org, values))
            out[org] = self._cache[key]
        return out
