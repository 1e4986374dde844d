"""Simulated moments at a parameter vector, run through the experiments layer and kept in its store.

Every evaluation of the fit is one experiment per organization in one DuckDB store: a grid
of a single design point whose factors are the shared parameters (``parameters.NAME``),
on the organization's preset with the reading's overrides (``realist=true``). Every
evaluation runs with common random numbers: one root seed, and the experiment's
``common_random_numbers`` option keys replicate i by the organization's base scenario (preset
and reading, without the fitted values), so replicate i of every evaluation of one
organization draws the same random numbers whatever the parameter values; the objective's
differences between nearby parameter values are then mostly the parameters' effect, not
noise. An evaluation asked for again is found in the store by its design hash and not
rerun: a killed calibration started again replays its deterministic optimizer path from the
store and goes on where it stopped.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from corridors._constants import DAYS_PER_MONTH
from corridors.errors import CorridorsError
from corridors.experiments.executors import Executor

__all__ = [
    "DECISION_HORIZONS_DAYS",
    "MOMENT_MEASURES",
    "OPTIONAL_COLUMNS",
    "MomentSimulator",
    "org_moments",
    "paired_difference_se",
    "parameter_path",
    "pooled_moments",
]

MOMENT_MEASURES = (
    "response_months",
    "contacts_per_week",
    "friends_mean",
    "zero_friend_share",
    "informal_share",
    "decided_within_4d",
    "decided_within_7d",
    "decided_within_30d",
    "decided_within_90d",
)
"""Measures computed from the rows of one organization's runs (see :func:`org_moments`); ``first_call_share``
joins them when the engines write that column (model v3)."""
DECISION_HORIZONS_DAYS = (4, 7, 30, 90)
"""Days at which the share of runs decided is a moment (the OAS 2008 case's 4; the sample's 7, 30 and 90)."""
OPTIONAL_COLUMNS = ("first_call_share",)
"""Row columns read when the store's runs table has them (model v3's outputs)."""
POOLED_MEASURES = ("friends_mean", "zero_friend_share", "informal_share")
"""Measures the survey pools over organizations (target organization ``all``)."""
_COLUMNS = (
    "replicate",
    "decided",
    "decision_day",
    "duration_days",
    "informal_share",
    "friends_mean",
    "zero_friend_share",
    "contacts_per_week",
    "response_day",
    "horizon_days",
)


def _per_run(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each measure of :data:`MOMENT_MEASURES` per run, in the rows' (replicate) order."""
    per_run: dict[str, np.ndarray] = {
        "response_months": rows["duration_days"].to_numpy(float) / DAYS_PER_MONTH,
        "contacts_per_week": rows["contacts_per_week"].to_numpy(float),
        "friends_mean": rows["friends_mean"].to_numpy(float),
        "zero_friend_share": rows["zero_friend_share"].to_numpy(float),
        "informal_share": rows["informal_share"].to_numpy(float),
    }
    decided = rows["decided"].to_numpy(bool)
    day = rows["decision_day"].to_numpy(float)
    for horizon in DECISION_HORIZONS_DAYS:
        per_run[f"decided_within_{horizon}d"] = (decided & (np.nan_to_num(day, nan=np.inf) <= horizon)).astype(float)
    for name in OPTIONAL_COLUMNS:
        if name in rows:
            per_run[name] = rows[name].to_numpy(float)
    return per_run


def _measures(per_run: Mapping[str, np.ndarray]) -> list[str]:
    return [*MOMENT_MEASURES, *(name for name in OPTIONAL_COLUMNS if name in per_run)]


def paired_difference_se(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    """SE of each moment's difference between two evaluations, from replicate-by-replicate differences.

    Under common random numbers replicate i of both evaluations shares its streams, so the
    SE of the difference is sd(a_i - b_i) / sqrt(n), not sqrt(se_a^2 + se_b^2): it is the
    noise a null effect shows. Runs where either value is missing (``informal_share``
    without a crisis meeting) are left out.

    Examples
    --------
    >>> rows = pd.DataFrame({"duration_days": [30.44, 60.88], "decided": [True, True], "decision_day": [10.0, 100.0],
    ...                      "contacts_per_week": [1.0, 2.0], "friends_mean": [1.0, 1.0],
    ...                      "zero_friend_share": [0.0, 0.0], "informal_share": [0.5, float("nan")]})
    >>> float(paired_difference_se(rows, rows)["response_months"])
    0.0
    """
    same = len(a) == len(b) and (
        "replicate" not in a
        or "replicate" not in b
        or np.array_equal(a["replicate"].to_numpy(), b["replicate"].to_numpy())
    )
    if not same:
        raise ValueError("paired differences need the same replicates in the same order")
    runs_a, runs_b = _per_run(a), _per_run(b)
    out = {}
    for name in _measures(runs_a):
        d = runs_a[name] - runs_b[name]
        d = d[np.isfinite(d)]
        out[name] = float(d.std(ddof=1)) / math.sqrt(len(d)) if len(d) > 1 else math.nan
    return pd.Series(out, name="paired_se")


def org_moments(rows: pd.DataFrame) -> pd.DataFrame:
    """Moments of one organization's runs and their simulation standard errors.

    ``response_months`` is the mean of ``duration_days`` / 30.44 (an undecided run counts at
    the horizon, a lower bound; a decided run's response may end after the horizon, so this is
    not the restricted mean of :func:`corridors.engines.summary.survival_figures`, which stops
    every run there); ``decided_within_Nd`` is the share of runs
    decided by day N; ``informal_share`` skips runs without a crisis meeting.

    Returns
    -------
    pandas.DataFrame
        Index: the measures; columns ``value`` and ``sim_se`` (SD / sqrt(runs)).
    """
    per_run = _per_run(rows)
    out = {}
    for name in _measures(per_run):
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


def parameter_path(name: str) -> str:
    """The scenario path of a fitted quantity: ``parameters.NAME``, or ``NAME`` itself when it is a dotted path
    (``theory.inform_effect``, ``mechanisms.agency`` for an ablation).

    Examples
    --------
    >>> parameter_path("widen_base"), parameter_path("theory.inform_effect")
    ('parameters.widen_base', 'theory.inform_effect')
    """
    return name if "." in name else f"parameters.{name}"


def _level(value: Any) -> Any:
    """A factor level: a switch stays a bool, a number becomes a float."""
    return value if isinstance(value, (bool, str)) else float(value)


ROWS_KEPT = 64
"""Evaluations whose rows a :class:`MomentSimulator` keeps in memory (a few MB at 2,000 runs each)."""


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
        Root seed, the same at every evaluation; with the per-organization stream key this
        gives common random numbers across parameter values.
    overrides
        ``--set`` overrides applied to every preset (the reading, shortened horizons).
    executor
        Where chunks run (default: serial). One the caller has entered is used as it is (the
        caller owns it, so one pool serves every fit); otherwise :meth:`__enter__` enters it.
    progress
        Called with the number of replications just run (0 when found in the store).
    reuse_worlds_mb
        Megabytes of routine worlds (:mod:`corridors.engines.worlds`) each process keeps while
        the simulator is entered (0: none). Under common random numbers an evaluation that
        changes only parameters the burn-in does not read runs its crises from the worlds
        of an earlier evaluation: the same rows, without the burn-in.

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
    reuse_worlds_mb: float = 512.0
    evaluations_run: int = 0
    evaluations_found: int = 0
    _cache: dict[tuple[Any, ...], pd.DataFrame] = field(default_factory=dict, repr=False)
    _entered: bool = field(default=False, repr=False)
    _hold: AbstractContextManager[Any] | None = field(default=None, repr=False)
    _bases: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict, repr=False)
    _rows: OrderedDict[str, pd.DataFrame] = field(default_factory=OrderedDict, repr=False)
    _worlds: AbstractContextManager[Any] | None = field(default=None, repr=False)
    _open: Any = field(default=None, repr=False)
    _hashes: dict[tuple[Any, ...], str] = field(default_factory=dict, repr=False)
    _fresh: set[str] = field(default_factory=set, repr=False)  # run by prefetch, not yet read

    def __enter__(self) -> MomentSimulator:
        from corridors.experiments.executors import held

        if self.executor is None:
            from corridors.experiments.executors.serial import SerialExecutor

            self.executor = SerialExecutor()
        from corridors.engines.worlds import reusing_worlds

        self._worlds = reusing_worlds(self.reuse_worlds_mb)  # nested simulators share one cache
        self._worlds.__enter__()
        self._hold = held(self.executor)  # the caller's pool stays the caller's: not restarted per fit
        self._hold.__enter__()
        self._entered = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._entered = False
        try:
            if self._open is not None:
                opened, self._open = self._open, None
                _release_store(opened)
            if self._hold is not None:
                hold, self._hold = self._hold, None
                hold.__exit__(exc_type, exc, tb)
        finally:
            if self._worlds is not None:
                worlds, self._worlds = self._worlds, None
                worlds.__exit__(exc_type, exc, tb)

    def _spec(self, organization: str, values: Mapping[str, float]) -> Any:
        from corridors.experiments.spec import ExperimentSpec, Factor

        workers = self.executor.workers if self.executor is not None else 1
        chunk = max(1, math.ceil(self.replications / max(1, workers)))
        factors = [Factor(path=parameter_path(name), values=[_level(v)]) for name, v in sorted(values.items())]
        return ExperimentSpec(
            name=f"calibration_{organization.lower()}",
            base=organization.lower(),
            base_overrides=list(self.overrides),
            factors=factors,
            replications=self.replications,
            seed=self.seed,
            engine="batch",
            chunk_replications=chunk,
            output="response_months",
            common_random_numbers=True,
        )

    def _design_hash(self, spec: Any) -> str:
        """The design hash :func:`run_sweep` gives ``spec`` (the preset is read and hashed once per organization)."""
        from corridors.experiments.designs import design_hash, override_text, read_base
        from corridors.scenario.loading import apply_overrides, scenario_from_dict

        memo = (spec.base, tuple((f.path, repr(f.values[0])) for f in spec.factors))
        if memo in self._hashes:
            return self._hashes[memo]
        if spec.base not in self._bases:
            raw = read_base(spec)
            self._bases[spec.base] = (raw, scenario_from_dict(raw, label="").content_hash())
        raw, base_hash = self._bases[spec.base]
        overrides = [override_text(f.path, f.values[0]) for f in spec.factors]
        scenario = scenario_from_dict(apply_overrides(raw, overrides), label="")
        values = {f.label: f.values[0] for f in spec.factors}
        self._hashes[memo] = design_hash(
            [(scenario.content_hash(), values)],
            replications=spec.replications,
            seed=spec.seed,
            engine=spec.engine,
            common_stream_key=base_hash if spec.common_random_numbers else None,
        )
        return self._hashes[memo]

    def _finished_id(self, st: Any, design_hash: str) -> int | None:
        """The experiment id of the finished evaluation ``design_hash`` in the held store, or None."""
        finished = _finished_map(st)
        experiment_id = finished.get(design_hash)
        if experiment_id is None:
            record = st.finished_experiment(design_hash)
            if record is None:
                return None
            experiment_id = finished[design_hash] = record.experiment_id
        return experiment_id

    def _read(self, st: Any, design_hash: str) -> pd.DataFrame | None:
        experiment_id = self._finished_id(st, design_hash)
        if experiment_id is None:
            return None
        present = set(st.query("SELECT * FROM runs LIMIT 0").columns)
        columns = [*_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in present)]
        frame: pd.DataFrame = st.query(
            f"SELECT {', '.join(columns)} FROM runs WHERE experiment_id = ? ORDER BY replicate",
            [experiment_id],
        )
        return frame

    def rows(self, organization: str, values: Mapping[str, float], *, counted: bool = True) -> pd.DataFrame:
        """The runs of one organization at ``values`` (from the store, running them if missing).

        ``counted=False``: a read of runs already evaluated (not counted as found, no progress call).
        The last :data:`ROWS_KEPT` evaluations' rows are kept in memory, so the paired differences of the
        screen and the ablations do not open the store again.
        """
        if not self._entered:
            raise RuntimeError("enter the simulator (with MomentSimulator(...) as sim) before evaluating")
        spec = self._spec(organization, values)
        design_hash = self._design_hash(spec)
        if design_hash in self._rows:  # read before in this session: no store to open
            self._rows.move_to_end(design_hash)
            if counted:
                self._count_found(design_hash)
            return self._rows[design_hash]
        frame = self._stored_or_run(organization, values, spec, design_hash, counted=counted)
        self._rows[design_hash] = frame
        while len(self._rows) > ROWS_KEPT:
            self._rows.popitem(last=False)
        return frame

    def _store(self) -> Any:
        """The store, opened once per session (opening one checks it: about 80 ms an evaluation before)."""
        if self._open is None:
            self._open = _acquire_store(Path(self.store))
        return self._open

    def _stored_or_run(
        self, organization: str, values: Mapping[str, Any], spec: Any, design_hash: str, *, counted: bool
    ) -> pd.DataFrame:
        st = self._store()
        frame = self._read(st, design_hash)
        if frame is not None:
            if counted:
                self._count_found(design_hash)
            return frame
        self._run_missing([(organization, dict(values), spec, design_hash)])
        frame = self._read(st, design_hash)
        if frame is None:  # the hash above must be run_sweep's, or nothing would ever be found again
            raise RuntimeError(f"{st.path}: the evaluation just run is not found under design hash {design_hash}")
        return frame

    def _count_found(self, design_hash: str) -> None:
        """Count a read of an evaluation found, unless :meth:`prefetch` ran it for this very read."""
        if design_hash in self._fresh:
            self._fresh.discard(design_hash)
            return
        self.evaluations_found += 1
        if self.progress is not None:
            self.progress(0)

    def prefetch(self, points: Iterable[Mapping[str, float]], organizations: Iterable[str]) -> int:
        """Run every evaluation of ``points`` x ``organizations`` the store lacks, side by side; returns how many.

        Their chunks go to the executor as one stream (:func:`~corridors.experiments.sweep.run_sweeps`),
        so the workers run the next evaluation's chunks while this process writes the last
        one's: the organizations of one point, or a design known in advance (the screen, the
        standard errors, the ablations). The rows are those of evaluating one at a time; the
        reads that follow find them and count them as run, not found.
        """
        if not self._entered:
            raise RuntimeError("enter the simulator (with MomentSimulator(...) as sim) before evaluating")
        st = self._store()
        wanted, seen = [], set()
        orgs = list(organizations)
        for values in points:
            for org in orgs:
                spec = self._spec(org, values)
                design_hash = self._design_hash(spec)
                if design_hash in seen or design_hash in self._rows or design_hash in self._fresh:
                    continue
                seen.add(design_hash)
                if self._finished_id(st, design_hash) is None:
                    wanted.append((org, dict(values), spec, design_hash))
        self._run_missing(wanted)
        self._fresh.update(design_hash for *_, design_hash in wanted)
        return len(wanted)

    def _run_missing(self, wanted: Sequence[tuple[str, dict[str, Any], Any, str]]) -> None:
        """Run the evaluations ``wanted`` (organization, values, spec, design hash) as one stream of chunks."""
        from corridors.experiments.sweep import SweepReport, run_sweeps

        if not wanted:
            return
        st = self._store()
        assert self.executor is not None

        def finished(index: int, report: SweepReport) -> None:
            if report.status == "finished" and not report.chunks_failed:
                self.evaluations_run += 1
                if self.progress is not None:
                    self.progress(self.replications)

        reports = run_sweeps(
            [spec for _, _, spec, _ in wanted],
            store=st,
            executor=self.executor,
            new=[st.find_experiment(design_hash) is None for *_, design_hash in wanted],
            finished=finished,
        )
        for (organization, values, _, _), report in zip(wanted, reports, strict=True):
            if report.status != "finished" or report.chunks_failed:
                raise CorridorsError(
                    f"{st.path}: evaluation of {organization} at {values} {report.status} "
                    f"({report.chunks_failed} failed chunks); run the same command again to resume"
                )

    def difference_se(
        self, a: Mapping[str, float], b: Mapping[str, float], organizations: Iterable[str]
    ) -> dict[str, pd.Series]:
        """Per organization, the SE of each moment's difference between ``a`` and ``b`` (paired by replicate)."""
        return {
            org: paired_difference_se(self.rows(org, a, counted=False), self.rows(org, b, counted=False))
            for org in organizations
        }

    def moments(self, values: Mapping[str, float], organizations: Iterable[str]) -> dict[str, pd.DataFrame]:
        """Moments (:func:`org_moments`) of each organization at ``values``."""
        out = {}
        point = tuple(sorted((k, _level(v)) for k, v in values.items()))
        organizations = list(organizations)
        self.prefetch([values], [org for org in organizations if (org, point) not in self._cache])  # side by side
        for org in organizations:
            key = (org, point)
            if key not in self._cache:
                self._cache[key] = org_moments(self.rows(org, values))
            out[org] = self._cache[key]
        return out


_OPEN_STORES: dict[Path, list[Any]] = {}
"""Stores the simulators of this process hold open, by resolved path: [Store, holders, finished experiments].

Nested simulators on one store (a fit's session inside a bench) share one connection: DuckDB
refuses a second, differently configured one in the same process."""


def _acquire_store(path: Path) -> Any:
    from corridors.experiments.outputs import check_store_path
    from corridors.experiments.store import Store

    key = path.resolve()
    if key not in _OPEN_STORES:
        st = Store(check_store_path(path))
        # Many small commits and reads: DuckDB's thread pool only costs the driver CPU the
        # workers need (driver CPU per evaluation about 73 -> 62 ms; CHANGELOG, issue 24 session 6).
        st.con.execute("SET threads = 1")
        _OPEN_STORES[key] = [st, 0, None]
    _OPEN_STORES[key][1] += 1
    return _OPEN_STORES[key][0]


def _release_store(st: Any) -> None:
    key = Path(st.path).resolve()
    entry = _OPEN_STORES.get(key)
    if entry is None or entry[0] is not st:
        return
    entry[1] -= 1
    if entry[1] <= 0:
        del _OPEN_STORES[key]
        st.close()


def _finished_map(st: Any) -> dict[str, int]:
    """Design hash -> experiment id of the finished evaluations of a held store, read once (then kept current)."""
    entry = _OPEN_STORES.get(Path(st.path).resolve())
    if entry is None or entry[0] is not st:
        return dict(st.finished_experiments())
    if entry[2] is None:
        entry[2] = st.finished_experiments()
    return entry[2]  # type: ignore[no-any-return]


@contextmanager
def holding_store(path: str | Path) -> Iterator[None]:
    """Keep ``path`` open for every simulator entered inside (a bench: one open and one check in all)."""
    st = _acquire_store(Path(path))
    try:
        yield
    finally:
        _release_store(st)
