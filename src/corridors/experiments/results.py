"""Reading a store: per-point summaries, exports, SQL, and exact replay of one run.

Undecided runs are right-censored at ``horizon_days``: their response months are NaN
(NULL in the store). The summary reports, per design point, the decided share over all
runs, the Kaplan-Meier median of response months with its 95% interval and the
restricted mean up to the horizon (both count the censored runs), and the mean and
quantiles over the decided runs only, labelled so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from corridors._atomic import atomic_output
from corridors._version import __version__
from corridors.engines import ROW_SCHEMA, run_replications
from corridors.errors import CorridorsError
from corridors.experiments.store import ExperimentRecord, Store
from corridors.scenario.loading import apply_overrides, scenario_from_dict

__all__ = ["Replay", "Summary", "export_results", "query_store", "replay_run", "summarize"]

QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Summary:
    """Per design point: runs, decided share, response months over decided runs."""

    experiment: ExperimentRecord
    points: pd.DataFrame
    factor_labels: list[str]
    chunks_total: int
    chunks_done: int
    chunks_failed: int
    replications_failed: int

    @property
    def horizon_text(self) -> str:
        """The horizons of the design points, in days, as text."""
        horizons = sorted(set(self.points["horizon_days"].dropna().astype(int)))
        return ", ".join(str(h) for h in horizons) or "?"

    @property
    def note(self) -> str:
        """What the columns mean, and how censored runs are handled."""
        horizon = self.horizon_text
        return (
            "decided_share: share of all runs that decided within the horizon; km_median_months (95% interval "
            "km_median_lower/upper_months) and restricted_mean_months (area under the Kaplan-Meier curve up to "
            "the horizon) count the undecided runs as censored; response_months_mean and _q*: mean and quantiles "
            f"over decided runs only (undecided runs are censored at horizon_days = {horizon})"
        )

    @property
    def failures(self) -> str | None:
        """What failed and how to rerun it, or None if no chunk failed."""
        if not self.chunks_failed:
            return None
        return (
            f"{self.chunks_failed} chunks failed ({self.replications_failed} replications missing); their tracebacks "
            "are in the chunks table (status = 'failed'); rerun them with 'corridors sweep SPEC --retry-failed'"
        )


def summarize(store: str | Path, *, experiment: int | None = None) -> Summary:
    """Summarize an experiment per design point.

    Parameters
    ----------
    store
        The store file.
    experiment
        Experiment id (default: the latest).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from corridors.experiments import load_experiment, run_sweep
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 3, "seed": 7, "engine": "reference",
    ...                         "set": ["parameters.burn_in_days=0", "parameters.max_days=10"]})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb"
    >>> _ = run_sweep(spec, store=path)
    >>> summary = summarize(path)
    >>> list(summary.points.columns[:3]), int(summary.points["runs"].sum())
    (['point_id', 'runs', 'decided_share'], 3)
    """
    with Store(store, read_only=True) as st:
        record = st.experiment(experiment)
        factors = list(st.factors(record.experiment_id)["factor"])
        quantile_columns = "".join(
            f", quantile_cont(response_months, {q}) FILTER (WHERE decided) AS response_months_q{round(q * 100):02d}"
            for q in QUANTILES
        )
        sql = f"""
            WITH p AS ({st.points_sql(record.experiment_id)}),
            r AS (
                SELECT point_id, count(*) AS runs, avg(CAST(decided AS DOUBLE)) AS decided_share,
                       avg(response_months) FILTER (WHERE decided) AS response_months_mean{quantile_columns},
                       max(horizon_days) AS horizon_days
                FROM runs WHERE experiment_id = $experiment GROUP BY point_id),
            c AS (
                SELECT point_id, sum(replications) AS replications_failed
                FROM (SELECT unnest(range(point_id, point_id + points)) AS point_id, replications
                      FROM chunks WHERE experiment_id = $experiment AND status = 'failed')
                GROUP BY point_id)
            SELECT p.* EXCLUDE (scenario_hash), coalesce(r.runs, 0) AS runs, r.decided_share,
                   r.response_months_mean, r.* EXCLUDE (point_id, runs, decided_share, response_months_mean),
                   coalesce(c.replications_failed, 0) AS replications_failed
            FROM p LEFT JOIN r USING (point_id) LEFT JOIN c USING (point_id)
            ORDER BY point_id"""
        points = st.con.execute(sql, {"experiment": record.experiment_id}).df()
        counts = st.con.execute(
            "SELECT count(*) FILTER (WHERE status = 'done'), count(*) FILTER (WHERE status = 'failed'), "
            "coalesce(sum(replications * points) FILTER (WHERE status = 'failed'), 0) FROM chunks "
            "WHERE experiment_id = ?",
            [record.experiment_id],
        ).fetchone()
        assert counts is not None
        survival = _survival_per_point(st, record.experiment_id)
    points = points.merge(survival, on="point_id", how="left")
    metrics = ["runs", "decided_share", *_SURVIVAL_COLUMNS, "response_months_mean"]
    metrics += [f"response_months_q{round(q * 100):02d}" for q in QUANTILES]
    points = points[["point_id", *factors, *metrics, "horizon_days", "replications_failed"]]
    return Summary(
        experiment=record,
        points=points.reset_index(drop=True),
        factor_labels=factors,
        chunks_total=record.n_chunks,
        chunks_done=int(counts[0]),
        chunks_failed=int(counts[1]),
        replications_failed=int(counts[2]),
    )


_SURVIVAL_COLUMNS = ["km_median_months", "km_median_lower_months", "km_median_upper_months", "restricted_mean_months"]


def _survival_per_point(st: Store, experiment_id: int) -> pd.DataFrame:
    """Kaplan-Meier figures of each design point, from the runs' censored durations."""
    from corridors.engines.summary import survival_figures

    columns = set(st.query("SELECT * FROM runs LIMIT 0").columns)
    wanted = ["point_id", "decided", "response_day", "horizon_days"]
    wanted += [c for c in ("duration_days", "event") if c in columns]
    runs = st.query(f"SELECT {', '.join(wanted)} FROM runs WHERE experiment_id = ?", [experiment_id])
    rows = []
    for point_id, part in runs.groupby("point_id", sort=True):
        figures = survival_figures(part)
        rows.append({"point_id": point_id, **{c: figures[c] for c in _SURVIVAL_COLUMNS}})
    return pd.DataFrame(rows, columns=["point_id", *_SURVIVAL_COLUMNS]).astype({"point_id": "int64"})


def export_results(
    store: str | Path,
    *,
    format: Literal["parquet", "csv"] | None = None,
    output: str | Path | None = None,
    experiment: int | None = None,
) -> Path:
    """Write an experiment's runs, joined with their factor values, to Parquet or CSV.

    DuckDB streams the rows to the file, so memory stays flat however large the store.
    The output's suffix says its format (``.csv`` or ``.parquet``); the file is never the
    store itself, another database, or a file of another kind.

    Parameters
    ----------
    store
        The store file.
    format
        ``parquet`` or ``csv`` (default: the output's suffix; Parquet without an output).
        A format other than the output's suffix is refused.
    output
        The file to write (default: beside the store, named after it and the experiment).
    experiment
        Experiment id (default: the latest).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from corridors.experiments import load_experiment, run_sweep
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 2, "seed": 7, "engine": "reference",
    ...                         "set": ["parameters.burn_in_days=0", "parameters.max_days=10"],
    ...                         "factors": [{"path": "formal_meetings_per_week", "values": [1, 2]}]})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb"
    >>> _ = run_sweep(spec, store=path)
    >>> written = export_results(path, format="csv")
    >>> written.name, len(pd.read_csv(written))
    ('tiny_experiment1.csv', 4)
    """
    import duckdb

    from corridors.experiments.outputs import check_output_file, output_kind

    if format not in (None, "parquet", "csv"):
        raise CorridorsError(f"--format: unknown format '{format}' (choose parquet or csv)")
    suffixes = (".csv", ".parquet")
    if output is not None:
        kind = output_kind(output, option="--out", allowed=suffixes)
        if format is not None and format != kind:
            raise CorridorsError(
                f"--format {format} and --out {output}: the suffix says {kind}; give a "
                f".{format} file name, or leave out --format"
            )
        format = kind  # type: ignore[assignment]
    chosen = format or "parquet"
    store = Path(store)
    if output is not None:
        check_output_file(output, option="--out", allowed=suffixes, inputs=[store])
    with Store(store, read_only=True) as st:
        record = st.experiment(experiment)
        default = store.with_name(f"{store.stem}_experiment{record.experiment_id}.{chosen}")
        target = Path(output) if output is not None else default
        check_output_file(target, option="--out", allowed=suffixes, inputs=[store])
        # DuckDB writes straight into the atomic temporary file (its own temporary file would
        # be a sibling name that a kill leaves behind)
        options = ("FORMAT parquet" if chosen == "parquet" else "FORMAT csv, HEADER true") + ", USE_TMP_FILE false"
        try:
            with atomic_output(target) as partial:
                literal = "'" + str(partial).replace("'", "''") + "'"
                st.con.execute(f"COPY ({st.joined_runs_sql(record.experiment_id)}) TO {literal} ({options})")
        except duckdb.IOException as exc:
            raise CorridorsError(
                f"--out {target}: cannot write ({str(exc).splitlines()[0]}); nothing was written"
            ) from None
    return target


def query_store(store: str | Path, sql: str) -> pd.DataFrame:
    """Run read-only SQL on a store (tables: experiments, factors, design_points, factor_values, chunks, runs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from corridors.experiments.store import Store
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.duckdb"
    >>> Store(path).close()
    >>> query_store(path, "SELECT count(*) AS n FROM runs")["n"].tolist()
    [0]
    """
    import duckdb

    with Store(store, read_only=True) as st:
        try:
            # the query reads this store only: no other file, no URL, no extension, and it cannot undo that
            st.con.execute("SET enable_external_access = false")
            st.con.execute("SET lock_configuration = true")
            return st.con.execute(sql).df()
        except duckdb.Error as exc:
            lines = [line for line in str(exc).splitlines() if line.strip()]
            raise CorridorsError(f"{store}: SQL: {lines[0] if lines else exc}") from None


@dataclass
class Replay:
    """A stored run rerun: both rows, the columns that differ, and the trace if asked for."""

    run_id: int
    stored: pd.Series
    replayed: pd.Series
    differences: list[str]
    events: list = field(default_factory=list)  # list[TraceEvent]
    trace_engine: str | None = None
    notes: list[str] = field(default_factory=list)
    stream_key: str = ""
    """The key the run's streams were seeded by (its scenario hash unless common random numbers)."""

    @property
    def identical(self) -> bool:
        """Whether the replay gave the stored row exactly."""
        return not self.differences


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _close(a: object, b: object) -> bool:
    """Equal, or floats equal up to rounding (the engines sum trust in different orders)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return _same(a, b)


def replay_run(store: str | Path, run_id: int, *, trace: bool = False) -> Replay:
    """Rerun one stored replication exactly and compare its row with the stored one.

    The run's scenario is rebuilt from the experiment's base scenario and the design
    point's overrides, checked against the stored scenario hash, and run with the stored
    seed, replicate, engine and stream key (``design_points.stream_key``: the base's hash
    under common random numbers). With ``trace``, the event trace comes from the reference
    engine (the batch engine keeps none).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from corridors.experiments import load_experiment, run_sweep
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 2, "seed": 7, "engine": "reference",
    ...                         "set": ["parameters.burn_in_days=0", "parameters.max_days=10"]})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb"
    >>> _ = run_sweep(spec, store=path)
    >>> replay_run(path, 1).identical
    True
    """
    with Store(store, read_only=True) as st:
        found = st.query("SELECT * FROM runs WHERE run_id = ?", [int(run_id)])
        if found.empty:
            bounds = st.con.execute("SELECT min(run_id), max(run_id) FROM runs").fetchone()
            known = f" (run ids {bounds[0]}..{bounds[1]})" if bounds and bounds[0] is not None else " (no runs yet)"
            raise CorridorsError(f"{store}: RUN_ID: no run {run_id}{known}")
        stored = found.iloc[0]
        record = st.experiment(int(stored["experiment_id"]))
        overrides, point_hash, stream_key = st.point_stream(record.experiment_id, int(stored["point_id"]))
    scenario = scenario_from_dict(apply_overrides(record.base_raw, overrides), label=f"{store}: run {run_id}")
    if scenario.content_hash() != stored["scenario_hash"] or point_hash != stored["scenario_hash"]:
        raise CorridorsError(
            f"{store}: run {run_id}: its scenario no longer hashes to {stored['scenario_hash']} "
            f"(got {scenario.content_hash()}): the scenario schema changed since the run; use corridors "
            f"{stored['code_version']} to replay it"
        )
    notes = []
    if stored["code_version"] != __version__:
        notes.append(f"the run was made by corridors {stored['code_version']}; this is {__version__}")
    engine, seed, replicate = str(stored["engine"]), int(stored["seed"]), int(stored["replicate"])
    events: list = []
    trace_engine = None
    if engine == "reference":
        from corridors.engines.reference import run_reference
        from corridors.engines.rows import rows_to_frame

        row, events = run_reference(scenario, seed=seed, replicate=replicate, trace=trace, stream_key=stream_key)
        replayed = rows_to_frame([row]).iloc[0]
        trace_engine = "reference" if trace else None
    else:
        frame = run_replications(
            scenario, replications=1, seed=seed, engine=engine, first_replicate=replicate, stream_key=stream_key
        )
        replayed = frame.iloc[0]
        if trace:
            from corridors.engines.reference import run_reference
            from corridors.engines.rows import rows_to_frame

            traced_row, events = run_reference(
                scenario, seed=seed, replicate=replicate, trace=True, stream_key=stream_key
            )
            trace_engine = "reference"
            traced = rows_to_frame([traced_row]).iloc[0]
            mismatched = [
                name
                for name in ROW_SCHEMA.names
                if name != "engine" and not _close(_plain(traced[name]), _plain(replayed[name]))
            ]
            if mismatched:
                notes.append(
                    "the trace (reference engine) does not follow this run: it differs in " + ", ".join(mismatched)
                )
            else:
                notes.append("the trace is the reference engine's replay of this very run (same stream, same row)")
    differences = [
        f"{name}: stored {stored[name]!r}, replayed {replayed[name]!r}"
        for name in ROW_SCHEMA.names
        if not _same(_plain(stored[name]), _plain(replayed[name]))
    ]
    return Replay(
        int(run_id), stored[list(ROW_SCHEMA.names)], replayed, differences, events, trace_engine, notes, stream_key
    )


def _plain(value: object) -> object:
    """A plain Python value for a numpy scalar or pandas NA (NaN for missing numbers)."""
    if value is None or value is pd.NA:
        return math.nan
    item = getattr(value, "item", None)
    return item() if callable(item) else value
