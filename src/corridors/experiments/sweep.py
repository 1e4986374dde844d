"""Sweeps: run every chunk of an experiment on an executor, streaming rows into the store.

``run_sweep`` is resumable and safe: each finished chunk is committed in one transaction,
so a sweep killed at any moment and started again with the same spec and store skips the
finished chunks and ends with exactly the runs of an uninterrupted sweep. A chunk that
raises is recorded with its traceback and the sweep goes on; ``retry_failed`` reruns only
those chunks. The first Ctrl-C (or SIGTERM) stops after the chunk in hand is committed; a
second one stops at once (committed chunks are still safe).
"""

from __future__ import annotations

import importlib.util
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Any

from corridors._version import __version__
from corridors.engines import run_replications
from corridors.errors import CorridorsError
from corridors.experiments.chunks import Chunk, ChunkResult, ChunkTask, plan_chunks
from corridors.experiments.designs import Design, expand_design
from corridors.experiments.executors import Executor, default_workers, held
from corridors.experiments.spec import ExperimentSpec, load_experiment
from corridors.experiments.store import ExperimentRecord, Store
from corridors.scenario.loading import apply_overrides, scenario_from_dict
from corridors.scenario.schema import Scenario

__all__ = [
    "DEFAULT_STORE_NAME",
    "SweepProgress",
    "SweepReport",
    "choose_chunk_replications",
    "default_store_path",
    "run_sweep",
    "run_sweeps",
]

DEFAULT_STORE_NAME = "corridors.duckdb"
"""Store name when a spec has neither a file name nor a name (see :func:`default_store_path`)."""
TARGET_CHUNK_SECONDS = 2.0
"""Aim of the automatic chunk size: tasks of about two seconds (never under one)."""


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands, passed to the progress callback after each chunk."""

    chunks_total: int
    chunks_done: int
    chunks_failed: int
    chunks_to_run: int
    replications_total: int
    replications_done: int
    replications_this_session: int
    seconds: float

    @property
    def replications_per_second(self) -> float:
        """Replications run in this session per second of it."""
        return self.replications_this_session / self.seconds if self.seconds > 0 else 0.0


@dataclass
class SweepReport:
    """How a sweep ended."""

    store: Path
    experiment_id: int
    status: str
    executor: str
    chunk_replications: int
    chunks_total: int
    chunks_done: int
    chunks_failed: int
    chunks_skipped: int
    replications_this_session: int
    seconds: float
    notes: list[str] = field(default_factory=list)
    replications_done: int = 0
    retried: bool = False

    @property
    def replications_per_second(self) -> float:
        """Replications run in this session per second of it."""
        return self.replications_this_session / self.seconds if self.seconds > 0 else 0.0

    @property
    def nothing_to_do(self) -> bool:
        """True when the store already held every chunk: this call ran nothing."""
        return self.status == "finished" and self.chunks_skipped == self.chunks_total and not self.retried

    def describe(self) -> str:
        """One line for humans."""
        if self.nothing_to_do:
            return (
                f"nothing to do: {self.store} already holds every run of experiment {self.experiment_id} "
                f"({self.chunks_done}/{self.chunks_total} chunks done, {self.replications_done} replications"
                f"{f', {self.chunks_failed} failed: rerun them with --retry-failed' if self.chunks_failed else ''}"
                "); to start afresh add --new (a new experiment in this store) or give another --store"
            )
        state = {"finished": "finished", "interrupted": "interrupted (run the same command again to resume)"}
        line = (
            f"experiment {self.experiment_id} {state.get(self.status, self.status)}: "
            f"{self.chunks_done}/{self.chunks_total} chunks done"
        )
        if self.chunks_failed:
            line += f", {self.chunks_failed} failed (rerun them with --retry-failed)"
        if self.chunks_skipped:
            line += f", {self.chunks_skipped} were already in the store"
        line += (
            f"; {self.replications_this_session} replications in {self.seconds:.1f} s "
            f"({self.replications_per_second:.1f}/s) on {self.executor}; store {self.store}"
        )
        return line


def default_store_path(spec: ExperimentSpec) -> Path:
    """The store named after the spec, in the working directory (never beside the spec).

    ``examples/sweep_meetings.yaml`` gives ``./sweep_meetings.duckdb``; a spec given as a
    mapping gives ``./<name>.duckdb``. Two specs thus never fill one store by accident, and
    running an example leaves nothing in ``examples/``.

    Examples
    --------
    >>> default_store_path(load_experiment({"name": "tiny", "base": "unsc", "replications": 1, "seed": 1})).name
    'tiny.duckdb'
    """
    stem = Path(spec.source).stem if spec.base_dir is not None else spec.name
    return Path(f"{stem or 'corridors'}.duckdb")


def _check_engine(engine: str, source: str) -> None:
    if engine == "batch" and importlib.util.find_spec("corridors.engines.batch") is None:
        raise CorridorsError(
            f"{source}: engine: the batch engine is not available in this installation; use 'engine: reference'"
        )


def choose_chunk_replications(scenario: Scenario, *, seed: int, engine: str, replications: int, points: int) -> int:
    """Replications per chunk so that a task takes about two seconds (at least one).

    Times a few replicates of the first design point after a warm-up (imports, compilation);
    makes chunks smaller when that leaves too few chunks to keep every core busy, but never
    under about a second. A chunk may hold several design points when each has fewer
    replications than that.
    """
    warm = scenario_from_dict(
        apply_overrides(scenario.model_dump(mode="json"), ["parameters.burn_in_days=0", "parameters.max_days=1"])
    )
    run_replications(warm, replications=1, seed=seed, engine=engine)
    count, elapsed = 1, 0.0
    while True:
        start = time.perf_counter()
        run_replications(scenario, replications=count, seed=seed, engine=engine)
        elapsed = time.perf_counter() - start
        if elapsed >= 0.25 or count >= 4096:
            break
        count *= 4
    per_replication = max(elapsed / count, 1e-7)
    target = math.ceil(TARGET_CHUNK_SECONDS / per_replication)
    floor = math.ceil(1.0 / per_replication)
    enough_chunks = math.ceil(replications * points / (4 * default_workers()))
    size = _nice_number(max(floor, min(target, enough_chunks)))
    if size < floor:  # rounded below about a second: take the next nice number up
        size = _nice_number(math.ceil(size * 2.5))
    return max(1, min(replications * points, size))


def _nice_number(value: int) -> int:
    """The nearest of 1, 2, 5, 10, 20, 50, ... (on a log scale), so timings jitter less into chunk sizes.

    Examples
    --------
    >>> [_nice_number(v) for v in (1, 3, 4, 7, 140, 160, 350, 4000)]
    [1, 2, 5, 5, 100, 200, 500, 5000]
    """
    if value <= 1:
        return 1
    exponent = math.floor(math.log10(value))
    candidates = [m * 10**e for e in (exponent, exponent + 1) for m in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log(c / value)))


class _StopRequests:
    """First SIGINT/SIGTERM: ask to stop after the chunk in hand; second: stop at once."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> _StopRequests:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)


def _spec_difference(stored: dict[str, Any], current: dict[str, Any]) -> str:
    changed = [key for key in sorted(set(stored) | set(current)) if stored.get(key) != current.get(key)]
    if not changed:
        return "the base scenario's content changed (an edited scenario file, or another corridors version)"
    shown = []
    for key in changed:
        old, new = stored.get(key), current.get(key)
        if isinstance(old, (int, float, str)) and isinstance(new, (int, float, str)):
            shown.append(f"{key} {old!r} -> {new!r}")
        else:
            shown.append(f"{key} changed")
    return ", ".join(shown)


def world_cache_budget_for_tasks(engine: str) -> float:
    """Megabytes of routine worlds each worker keeps: the driver's own budget (batch engine only)."""
    from corridors.engines.worlds import world_cache_megabytes

    return world_cache_megabytes() if engine == "batch" else 0.0


def _tasks(design: Design, record: ExperimentRecord, chunks: list[Chunk]) -> Iterator[ChunkTask]:
    reuse = world_cache_budget_for_tasks(record.engine)
    cached: tuple[int, Scenario] | None = None  # a point's blocks come one after another
    for chunk in chunks:
        if chunk.points == 1:
            if cached is None or cached[0] != chunk.point_id:
                cached = (chunk.point_id, design.scenario(chunk.point_id))
            scenarios: tuple[Scenario, ...] = (cached[1],)
        else:
            scenarios = tuple(design.scenario(point_id) for point_id in chunk.point_ids)
        yield ChunkTask(chunk, scenarios, record.root_seed, record.engine, design.common_stream_key, reuse)


def _checked(result: ChunkResult, design: Design, record: ExperimentRecord) -> ChunkResult:
    """Refuse rows that do not belong to the chunk (a wrong scenario, seed or replicate)."""
    if not result.ok or result.rows is None:
        return result
    chunk = result.chunk
    rows = result.rows
    expected = list(range(chunk.first_replicate, chunk.first_replicate + chunk.replications)) * chunk.points
    hashes = [design.points[p].scenario_hash for p in chunk.point_ids for _ in range(chunk.replications)]
    problems = []
    if list(rows["replicate"]) != expected:
        problems.append(f"replicates {list(rows['replicate'])[:5]}... are not {expected[:5]}...")
    if list(rows["scenario_hash"]) != hashes:
        problems.append("scenario_hash differs from the design point's")
    if set(rows["seed"]) != {record.root_seed}:
        problems.append("seed differs from the root seed")
    if set(rows["engine"]) != {record.engine}:
        problems.append(f"engine differs from {record.engine}")
    if problems:
        return ChunkResult(
            chunk,
            None,
            "rows do not belong to this chunk: " + "; ".join(problems),
            result.seconds,
            result.worker,
            result.tag,
        )
    return result


def run_sweep(
    spec: ExperimentSpec | str | Path,
    *,
    store: str | Path | Store | None = None,
    executor: Executor | None = None,
    new: bool = False,
    retry_failed: bool = False,
    progress: Callable[[SweepProgress], None] | None = None,
) -> SweepReport:
    """Run (or resume) an experiment, committing each finished chunk to the store.

    Parameters
    ----------
    spec
        An experiment spec, or the path of its YAML file.
    store
        The DuckDB store (default: :func:`default_store_path`, named after the spec, in the
        working directory), or a :class:`Store` the caller holds open (many small sweeps on one
        store, as a calibration's evaluations: it is neither checked again nor closed here).
    executor
        Where chunks run (default: :class:`~corridors.experiments.executors.serial.SerialExecutor`).
        The caller owns it: one the caller has entered (``with make_executor("process") as pool:``)
        is used as it is, neither started nor stopped here, so many sweeps share one pool; one
        not yet entered is entered for this sweep and left after it.
    new
        Start a new experiment in the store even if the spec differs from the one the store
        was started with (without it such a spec is refused).
    retry_failed
        Rerun only the chunks recorded as failed.
    progress
        Called with a :class:`SweepProgress` at the start and after each chunk.

    Returns
    -------
    SweepReport

    Examples
    --------
    >>> import tempfile, pathlib
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 2, "seed": 7, "engine": "reference",
    ...                         "set": ["parameters.burn_in_days=0", "parameters.max_days=10"],
    ...                         "factors": [{"path": "formal_meetings_per_week", "values": [1, 2]}]})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb"
    >>> report = run_sweep(spec, store=path)
    >>> report.status, report.replications_this_session, report.chunks_done == report.chunks_total
    ('finished', 4, True)
    >>> run_sweep(spec, store=path).replications_this_session  # run again: nothing left to do
    0
    """
    from corridors.experiments.outputs import check_store_path

    if not isinstance(spec, ExperimentSpec):
        spec = load_experiment(spec)
    held_store = store if isinstance(store, Store) else None
    if held_store is not None:
        store_path = held_store.path
    else:
        store_path = check_store_path(Path(store) if store is not None else default_store_path(spec))  # type: ignore[arg-type]
    _check_engine(spec.engine, spec.source)
    design = expand_design(spec)
    design_hash = design.content_hash()
    if executor is None:
        from corridors.experiments.executors.serial import SerialExecutor

        executor = SerialExecutor()
    created = held_store is None and not store_path.exists()
    try:
        return _open_and_run(
            store=held_store if held_store is not None else store_path,
            spec=spec,
            design=design,
            design_hash=design_hash,
            new=new,
            executor=executor,
            retry_failed=retry_failed,
            progress=progress,
        )
    except BaseException:
        if created:
            _remove_if_empty(store_path)
        raise


def _remove_if_empty(store_path: Path) -> None:
    """Remove a store this sweep created if no chunk reached it (Dask missing, scheduler away, Ctrl-C)."""
    import duckdb

    if not store_path.is_file():
        return
    try:
        from corridors.experiments.store import connect

        con = connect(store_path, read_only=True)
        try:
            done = con.execute("SELECT count(*) FROM chunks").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return
    if done is not None and done[0] == 0:
        for path in (store_path, store_path.with_name(store_path.name + ".wal")):
            path.unlink(missing_ok=True)


def _open_and_run(
    *,
    store: Path | Store,
    spec: ExperimentSpec,
    design: Design,
    design_hash: str,
    new: bool,
    executor: Executor,
    retry_failed: bool,
    progress: Callable[[SweepProgress], None] | None,
) -> SweepReport:
    store_path = store.path if isinstance(store, Store) else store
    with nullcontext(store) if isinstance(store, Store) else Store(store_path) as st:  # a held store stays open
        record = _record_for(st, spec, design, design_hash, new)
        return _run_many(st, [(design, record)], executor, retry_failed=retry_failed, progress=progress)[0]


def _record_for(st: Store, spec: ExperimentSpec, design: Design, design_hash: str, new: bool) -> ExperimentRecord:
    """The experiment to resume in ``st`` for ``spec``, or a new one (refusing a changed spec or version)."""
    store_path = st.path
    record = None if new else st.find_experiment(design_hash)
    if record is None and not new and not st.experiments().empty:
        latest = st.experiment()
        difference = _spec_difference(latest.spec, spec.canonical())
        raise CorridorsError(
            f"{spec.source}: the spec changed since {store_path} was started "
            f"(experiment {latest.experiment_id} '{latest.name}': {difference}); "
            "use --new to start a new experiment in this store, or give another --store"
        )
    if record is not None and record.code_version != __version__:
        raise CorridorsError(
            f"{store_path}: experiment {record.experiment_id} was run with corridors {record.code_version}, "
            f"this is {__version__}: resuming would mix versions; use --new or another --store"
        )
    if record is not None and spec.chunk_replications not in (None, record.chunk_replications):
        raise CorridorsError(
            f"{spec.source}: chunk_replications: {spec.chunk_replications}, but experiment "
            f"{record.experiment_id} in {store_path} runs in chunks of {record.chunk_replications}; to resume "
            f"it set chunk_replications: {record.chunk_replications} (or remove the field), or use --new"
        )
    if record is None:
        chunk_size = spec.chunk_replications or choose_chunk_replications(
            design.scenario(0),
            seed=spec.seed,
            engine=spec.engine,
            replications=spec.replications,
            points=len(design.points),
        )
        record = st.create_experiment(design, spec_hash=design_hash, chunk_replications=chunk_size)
    return record


def run_sweeps(
    specs: Sequence[ExperimentSpec],
    *,
    store: Store,
    executor: Executor,
    new: Sequence[bool] | bool = False,
    finished: Callable[[int, SweepReport], None] | None = None,
) -> list[SweepReport]:
    """Run (or resume) several experiments side by side on one executor and one open store.

    Every chunk of every spec goes to the executor as one stream, so the workers run the
    next experiment's chunks while this process commits the last one's: many small sweeps
    (a calibration's organizations and design points) keep the workers busy. Each
    experiment's runs, chunks and records are exactly those :func:`run_sweep` writes.

    Parameters
    ----------
    specs
        The experiments, each resumed from ``store`` or started in it.
    store
        A :class:`Store` the caller holds open.
    executor
        Where chunks run (entered here for the call if the caller has not).
    new
        Per spec (or for all): start a new experiment even if the store holds another spec.
    finished
        Called with the spec's index and its report as soon as each experiment ends.

    Returns
    -------
    list[SweepReport]
        One per spec, in the order given.
    """
    news = [new] * len(specs) if isinstance(new, bool) else list(new)
    if len(news) != len(specs):
        raise ValueError(f"run_sweeps: {len(specs)} specs but {len(news)} values of new")
    jobs = []
    for spec, fresh in zip(specs, news, strict=True):
        _check_engine(spec.engine, spec.source)
        design = expand_design(spec)
        jobs.append((design, _record_for(store, spec, design, design.content_hash(), fresh)))
    ids = [record.experiment_id for _, record in jobs]
    if len(set(ids)) != len(ids):
        raise ValueError("run_sweeps: two specs resume the same experiment; give each experiment once")
    return _run_many(store, jobs, executor, retry_failed=False, progress=None, finished=finished)


@dataclass
class _Job:
    """One experiment of a run: its plan and its counts so far."""

    design: Design
    record: ExperimentRecord
    todo: list[Chunk]
    notes: list[str]
    done: int
    failed: int
    skipped: int
    replications_done: int
    session: int = 0
    processed: int = 0
    status: str = "interrupted"
    ended: bool = False

    def progress(self, seconds: float) -> SweepProgress:
        return SweepProgress(
            chunks_total=self.record.n_chunks,
            chunks_done=self.done,
            chunks_failed=self.failed,
            chunks_to_run=len(self.todo),
            replications_total=self.record.n_points * self.record.replications,
            replications_done=self.replications_done,
            replications_this_session=self.session,
            seconds=seconds,
        )

    def count(self, result: ChunkResult, retry_failed: bool) -> None:
        """Count a committed chunk."""
        self.processed += 1
        if result.ok:
            self.done += 1
            self.session += result.chunk.size
            self.replications_done += result.chunk.size
            if retry_failed:
                self.failed -= 1
        elif not retry_failed:
            self.failed += 1

    def end(self, retry_failed: bool) -> None:
        every_chunk_ran = self.done + self.failed == self.record.n_chunks
        self.status = "finished" if self.processed == len(self.todo) and every_chunk_ran else "interrupted"
        if retry_failed and not every_chunk_ran:
            self.notes.append("some chunks have never run: run the sweep without --retry-failed to finish it")
        self.ended = True


def _start_job(st: Store, design: Design, record: ExperimentRecord, retry_failed: bool, alongside: list[int]) -> _Job:
    notes = st.claim(record.experiment_id, alongside)
    orphans = st.remove_orphan_runs(record.experiment_id)
    if orphans:
        notes.append(f"removed {orphans} runs of chunks that were never recorded as done")
    statuses = st.chunk_statuses(record.experiment_id)
    plan = plan_chunks(record.n_points, record.replications, record.chunk_replications)
    if retry_failed:
        todo = [c for c in plan if statuses.get(c.chunk_id) == "failed"]
        if not todo:
            notes.append("no failed chunks to retry")
    else:
        todo = [c for c in plan if c.chunk_id not in statuses]
    done = sum(1 for s in statuses.values() if s == "done")
    replications_done = int(
        st.con.execute(
            "SELECT coalesce(sum(replications * points), 0) FROM chunks WHERE experiment_id = ? AND status = 'done'",
            [record.experiment_id],
        ).fetchone()[0]  # type: ignore[index]
    )
    return _Job(
        design=design,
        record=record,
        todo=todo,
        notes=notes,
        done=done,
        failed=sum(1 for s in statuses.values() if s == "failed"),
        skipped=len(statuses) if not retry_failed else done,
        replications_done=replications_done,
    )


def _job_tasks(jobs: list[_Job]) -> Iterator[ChunkTask]:
    for tag, job in enumerate(jobs):
        for task in _tasks(job.design, job.record, job.todo):
            yield replace(task, tag=tag)


def _run_many(
    st: Store,
    experiments: list[tuple[Design, ExperimentRecord]],
    executor: Executor,
    *,
    retry_failed: bool,
    progress: Callable[[SweepProgress], None] | None,
    finished: Callable[[int, SweepReport], None] | None = None,
) -> list[SweepReport]:
    """Run the chunks left of each experiment as one stream; ``progress`` reports the first experiment."""
    jobs: list[_Job] = []
    start = time.perf_counter()

    def report(job: _Job) -> SweepReport:
        return SweepReport(
            store=st.path,
            experiment_id=job.record.experiment_id,
            status=job.status,
            executor=executor.describe(),
            chunk_replications=job.record.chunk_replications,
            chunks_total=job.record.n_chunks,
            chunks_done=job.done,
            chunks_failed=job.failed,
            chunks_skipped=job.skipped,
            replications_this_session=job.session,
            seconds=time.perf_counter() - start,
            notes=job.notes,
            replications_done=job.replications_done,
            retried=retry_failed,
        )

    def end(index: int) -> None:
        job = jobs[index]
        job.end(retry_failed)
        if finished is not None:
            finished(index, report(job))

    try:
        for design, record in experiments:
            jobs.append(_start_job(st, design, record, retry_failed, [job.record.experiment_id for job in jobs]))
        with _StopRequests() as stop:
            if progress is not None:
                progress(jobs[0].progress(0.0))
            for index in [i for i, job in enumerate(jobs) if not job.todo]:
                end(index)
            if any(job.todo for job in jobs) and not stop.requested:
                with held(executor):
                    for result in executor.evaluate(_job_tasks(jobs)):
                        job = jobs[result.tag]
                        result = _checked(result, job.design, job.record)
                        st.commit_chunk(job.record, result)
                        job.count(result, retry_failed)
                        if progress is not None and result.tag == 0:
                            progress(job.progress(time.perf_counter() - start))
                        if job.processed == len(job.todo):
                            end(result.tag)
                        if stop.requested:
                            break
            for index in [i for i, job in enumerate(jobs) if not job.ended]:
                end(index)
    finally:
        for job in jobs:
            st.release(job.record.experiment_id, job.status)
    return [report(job) for job in jobs]
