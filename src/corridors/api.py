"""The Python API: load a scenario, run it, summarize, sweep, read observed data.

These are the functions ``import corridors`` offers (``corridors.load``, ``corridors.run``
...); each wraps the library function that the command line calls too, so a notebook and
``corridors run`` give the same rows for the same seed. See ``docs/PYTHON.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import pandas as pd

    from corridors.empirical.datasets import PeaceOperations
    from corridors.engines.worlds import WorldSet
    from corridors.experiments.compare import Comparison
    from corridors.experiments.spec import ExperimentSpec
    from corridors.experiments.sweep import SweepReport
    from corridors.scenario.schema import Scenario

__all__ = ["compare", "load", "load_operations", "routine_worlds", "run", "summarize", "sweep"]


def _override_text(path: str, value: Any) -> str:
    """``path=value`` as ``--set`` reads it (the value written as JSON, which is YAML)."""
    try:
        text = json.dumps(value)
    except TypeError:
        raise CorridorsError(
            f"{path}: cannot use a value of type {type(value).__name__} (numbers, text, "
            "booleans, lists and mappings only)"
        ) from None
    return f"{path}={text}"


def load(
    name_or_path: str | Path, *, overrides: Iterable[str] = (), params: str | Path | None = None, **fields: Any
) -> Scenario:
    """Load a preset or a scenario YAML file, with fields changed by dotted path.

    Parameters
    ----------
    name_or_path
        A preset (``au``, ``eu``, ``oas``, ``osce``, ``unsc``) or a YAML file.
    overrides
        ``--set`` style texts, e.g. ``["members.FRA.trust_propensity=0.7"]``.
    params
        A parameter set applied first (``overrides`` and ``fields`` win over it):
        ``"calibrated"`` (the shipped calibration, which the report uses),
        ``"calibrated-realist"``, or a parameter file written by ``corridors calibrate``.
    **fields
        Field values by dotted path: ``formal_meetings_per_week=0.5``, or
        ``**{"parameters.trust_gain": 0.2}`` for nested fields, ``realist=True``.

    Returns
    -------
    corridors.scenario.Scenario
        The validated scenario; bad fields raise :class:`~corridors.errors.CorridorsError`
        with one line per problem.

    Examples
    --------
    >>> import corridors
    >>> eu = corridors.load("eu", formal_meetings_per_week=0.5, **{"parameters.trust_gain": 0.2})
    >>> eu.formal_meetings_per_week, eu.parameters.trust_gain
    (0.5, 0.2)
    >>> corridors.load("eu", params="calibrated").parameters.trust_gain  # the report's parameters
    0.099366
    """
    from corridors.scenario import load_scenario

    texts = [*_params_overrides(params), *overrides, *(_override_text(path, value) for path, value in fields.items())]
    return load_scenario(name_or_path, texts)


def _params_overrides(params: str | Path | None) -> list[str]:
    if params is None:
        return []
    from corridors.calibration.pipeline import parameter_set_overrides

    return parameter_set_overrides(params, label="params")


def run(
    scenario: Scenario | str | Path,
    *,
    replications: int = 100,
    seed: int = 0,
    engine: str = "batch",
    first_replicate: int = 0,
    progress: Callable[[int], None] | None = None,
    workers: int = 0,
    worlds: WorldSet | str | Path | None = None,
) -> pd.DataFrame:
    """Run replications of a scenario: one row per replication (the engines' row schema).

    Parameters
    ----------
    scenario
        A scenario from :func:`load`, or a preset name or YAML file.
    replications
        Number of replications.
    seed
        Root seed; a replicate's random numbers depend only on (seed, scenario, replicate).
    engine
        ``batch`` (compiled, fast) or ``reference`` (Mesa, readable, traceable).
    first_replicate
        Index of the first replicate (to extend an earlier run with new replicates).
    progress
        Called with the number of replications finished since the last call.
    workers
        Processes for the batch engine (0: every available core); the rows are the same
        for any number.
    worlds
        Routine worlds from :func:`routine_worlds` (or their ``.npz`` file): the crisis of
        ``scenario`` starts from each world at day 0 instead of living through the burn-in
        again. ``scenario`` may differ from the worlds' own in anything the burn-in does not
        read (a crisis-phase policy); the replicates, seed and stream are the worlds' (leave
        ``replications``, ``seed`` and ``first_replicate`` at their defaults or give those),
        and the rows are exactly those of a full run of ``scenario`` on the worlds' stream.

    Returns
    -------
    pandas.DataFrame
        Columns ``decided``, ``response_day``, ``response_months`` (NaN when undecided),
        ``horizon_days``, ... (see ``corridors.engines.ROW_SCHEMA``). Undecided runs are
        right-censored at ``horizon_days``: summarize them with :func:`summarize`.

    Examples
    --------
    >>> import corridors
    >>> rows = corridors.run("unsc", replications=10, seed=1)
    >>> len(rows), rows["replicate"].tolist()[:3], set(rows["engine"])
    (10, [0, 1, 2], {'batch'})
    """
    from corridors.engines import ENGINES, run_replications
    from corridors.scenario import load_scenario
    from corridors.scenario.schema import Scenario

    if engine not in ENGINES:
        raise CorridorsError(f"engine: unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    resolved = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if worlds is not None:
        return _run_from_worlds(resolved, worlds, engine, replications, seed, first_replicate, progress)
    return run_replications(
        resolved,
        replications=replications,
        seed=seed,
        engine=engine,
        first_replicate=first_replicate,
        progress=progress,
        workers=workers,
    )


def _run_from_worlds(  # noqa: PLR0913 (run's own options, checked against the worlds)
    scenario: Scenario,
    worlds: WorldSet | str | Path,
    engine: str,
    replications: int,
    seed: int,
    first_replicate: int,
    progress: Callable[[int], None] | None,
) -> pd.DataFrame:
    from corridors.engines.worlds import load_worlds, run_crisis

    if engine != "batch":
        raise CorridorsError("worlds: runs from routine worlds use the batch engine")
    world_set = load_worlds(worlds) if isinstance(worlds, str | Path) else worlds
    last = world_set.first_replicate + world_set.replications - 1
    if (
        replications not in (100, world_set.replications)
        or seed not in (0, world_set.seed)
        or first_replicate not in (0, world_set.first_replicate)
    ):
        raise CorridorsError(
            f"worlds: they hold replicates {world_set.first_replicate}..{last} of seed {world_set.seed}; "
            "leave replications, seed and first_replicate out or give those"
        )
    rows = run_crisis(scenario, world_set)
    if progress is not None:
        progress(len(rows))
    return rows


def routine_worlds(
    scenario: Scenario | str | Path,
    *,
    replications: int = 100,
    seed: int = 0,
    first_replicate: int = 0,
    path: str | Path | None = None,
) -> WorldSet:
    """The routine worlds of a scenario at day 0: its replicates after their burn-in.

    Compare crisis-phase policies on the same routine networks: compute the worlds once,
    then :func:`run` each policy from them (``run(policy, worlds=w)``). Each world holds a
    replicate's ties, members, schedules and the positions of its random streams at the
    start of day 0, so a run from it is exactly the full run on the worlds' stream. A
    policy that changes a field the burn-in reads (``corridors.engines.worlds.routine_fields``)
    is refused: it needs worlds of its own. ``path``: also write them to an ``.npz`` file.

    Examples
    --------
    >>> import corridors
    >>> w = corridors.routine_worlds("unsc", replications=4, seed=1)
    >>> base = corridors.run("unsc", worlds=w)
    >>> honest = corridors.run(corridors.load("unsc", **{"parameters.posture": 1.0}), worlds=w)
    >>> list(base["friends_mean"]) == list(honest["friends_mean"])  # the same routine networks
    True
    """
    from corridors.engines.worlds import burn_in, save_worlds
    from corridors.scenario import load_scenario
    from corridors.scenario.limits import check_workload
    from corridors.scenario.schema import Scenario

    resolved = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if replications < 1:
        raise CorridorsError(f"replications: must be >= 1, got {replications}")
    if seed < 0:
        raise CorridorsError(f"seed: must be a non-negative integer, got {seed}")
    check_workload(resolved, replications=replications, engine="batch")
    worlds = burn_in(resolved, replications=replications, seed=seed, first_replicate=first_replicate)
    if path is not None:
        save_worlds(worlds, path)
    return worlds


def compare(  # noqa: PLR0913 (keyword-only options, the same as run's)
    first: Scenario | str | Path,
    second: Scenario | str | Path,
    *,
    replications: int = 1000,
    seed: int = 0,
    overrides: Iterable[str] = (),
    params: str | Path | None = None,
    engine: str = "batch",
    workers: int = 0,
    progress: Callable[[str, int], None] | None = None,
) -> Comparison:
    """Does a change matter? Two scenarios on common random numbers, their difference with intervals.

    Replicate i of both scenarios draws from the same random stream (keyed by the first
    scenario's hash), so the first's rows are those :func:`run` gives with this seed and the
    pairs differ mostly by the change. See :mod:`corridors.experiments.compare` for the
    intervals (paired where the measure allows).

    Parameters
    ----------
    first, second
        Presets or scenario YAML files (or scenarios from :func:`load`); differences are
        ``second - first``.
    replications
        Replicate pairs.
    seed
        Root seed.
    overrides, params
        ``--set`` texts and a parameter set (see :func:`load`) applied to both scenarios when
        they are given by name or file (a scenario from :func:`load` is used as it is).
    engine, workers
        As for :func:`run`.
    progress
        Called with (scenario name, replications finished since the last call).

    Returns
    -------
    corridors.experiments.compare.Comparison
        ``table``: decided share, KM median and restricted mean of response months, each
        scenario's and the difference, with 95% intervals; ``rows_first``, ``rows_second``.

    Examples
    --------
    >>> import corridors
    >>> result = corridors.compare("unsc", "unsc", overrides=["parameters.burn_in_days=10"], replications=20,
    ...                            seed=1, workers=1)
    >>> result.table["difference"].tolist()  # a scenario against itself: nothing differs
    [0.0, 0.0, 0.0]
    """
    from corridors.engines import ENGINES
    from corridors.experiments.compare import compare_scenarios
    from corridors.scenario.schema import Scenario

    if engine not in ENGINES:
        raise CorridorsError(f"engine: unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    texts = list(overrides)
    given = [s for s in (first, second) if isinstance(s, Scenario)]
    if given and (texts or params is not None):
        raise CorridorsError(
            "overrides and params apply to scenarios given by name or file; load a scenario "
            "with them instead (corridors.load(name, overrides=..., params=...))"
        )
    a, b = (s if isinstance(s, Scenario) else load(s, overrides=texts, params=params) for s in (first, second))
    return compare_scenarios(
        a, b, replications=replications, seed=seed, engine=engine, workers=workers, progress=progress
    )


def summarize(rows: pd.DataFrame) -> pd.DataFrame:
    """The headline figures of runs: decided share, Kaplan-Meier median, restricted mean.

    Undecided runs count as right-censored at the horizon; means over decided runs are
    labelled so. The same table ``corridors run`` prints.

    Parameters
    ----------
    rows
        Rows of :func:`run` (or read back from a file or a store).

    Returns
    -------
    pandas.DataFrame
        One row per measure; columns ``value``, ``lower``, ``upper`` (95% interval),
        ``median``, ``q25``, ``q75``.

    Examples
    --------
    >>> import corridors
    >>> table = corridors.summarize(corridors.run("unsc", replications=10, seed=1))
    >>> table.index[:3].tolist()
    ['replications', 'decided share', 'response months: KM median']
    """
    from corridors.engines.summary import summarize_runs

    return summarize_runs(rows)


def sweep(
    spec: ExperimentSpec | Mapping[str, Any] | str | Path,
    *,
    store: str | Path | None = None,
    executor: str = "serial",
    workers: int | None = None,
    dask_address: str | None = None,
    new: bool = False,
    params: str | Path | None = None,
) -> SweepReport:
    """Run (or resume) an experiment spec into a DuckDB store.

    Parameters
    ----------
    spec
        A spec YAML file, a mapping with the same keys, or a loaded spec.
    store
        The store (default: named after the spec file, or the spec's ``name``, in the
        working directory: ``sweep_meetings.yaml`` gives ``sweep_meetings.duckdb``).
    executor
        ``serial`` (default here), ``process`` or ``dask``.
    workers
        Worker processes of the ``process`` executor.
    dask_address
        With ``executor="dask"``: a scheduler address (``tcp://host:8786``, see
        docs/CLUSTER.md) or ``local:N`` for a LocalCluster of N processes.
    new
        Start afresh: a new experiment in the store (earlier experiments are kept).
    params
        A parameter set put in front of the spec's ``set`` (see :func:`load`):
        ``"calibrated"``, ``"calibrated-realist"`` or a parameter file.

    Returns
    -------
    corridors.experiments.SweepReport
        ``store``, ``status``, chunks done and failed; read the runs back with
        ``corridors.experiments.summarize(report.store)`` or ``query_store``.

    Examples
    --------
    >>> import corridors, tempfile, pathlib
    >>> spec = {"name": "tiny", "base": "unsc", "replications": 5, "seed": 7,
    ...         "set": ["parameters.burn_in_days=10"],
    ...         "factors": [{"path": "formal_meetings_per_week", "values": [1, 2]}]}
    >>> report = corridors.sweep(spec, store=pathlib.Path(tempfile.mkdtemp()) / "tiny.duckdb")
    >>> report.status, report.replications_this_session
    ('finished', 10)
    """
    from corridors.calibration.pipeline import with_parameter_set
    from corridors.experiments import load_experiment, make_executor, run_sweep
    from corridors.experiments.spec import ExperimentSpec

    loaded = spec if isinstance(spec, ExperimentSpec) else load_experiment(spec)  # type: ignore[arg-type]
    loaded = with_parameter_set(loaded, params)
    return run_sweep(
        loaded, store=store, executor=make_executor(executor, workers=workers, dask_address=dask_address), new=new
    )


def load_operations(
    path: str | Path,
    *,
    column_map: Mapping[str, str] | None = None,
    as_of: str | None = None,
    strict: bool = False,
    organizations: Iterable[str] | None = None,
) -> PeaceOperations:
    """Load and check an observed peace-operation dataset (CSV, Excel, Parquet, Stata, SPSS).

    Parameters
    ----------
    path
        The data file, or a Frictionless ``datapackage.json`` (its peace-operations
        resource).
    column_map
        Schema field -> file column, e.g. ``{"start_date": "launch"}``.
    as_of
        Censoring date (YYYY-MM-DD) of operations not yet started (default: the file's
        latest date).
    strict
        Raise on any warning instead of listing it in ``problems``.
    organizations
        Organization acronyms to accept besides the known ones.

    Returns
    -------
    corridors.empirical.PeaceOperations
        ``frame`` (every row with its problems), ``problems``, and ``durations()`` for the
        survival fitters (:class:`~corridors.empirical.survival.ResponseSurvival` ...).

    Examples
    --------
    >>> import corridors
    >>> from corridors.empirical import example_path
    >>> ops = corridors.load_operations(example_path("peace_ops_sample.csv"))
    >>> len(ops.frame), len(ops.usable)
    (32, 27)
    >>> km = corridors.ResponseSurvival().fit(ops.durations())
    >>> km.summary.index.tolist()
    ['AU', 'EU', 'OAS', 'OSCE']
    """
    from corridors.empirical.datasets import load_peace_operations

    return load_peace_operations(path, column_map=column_map, as_of=as_of, strict=strict, organizations=organizations)
