"""Experiments at scale: specs, designs, seeding, chunks, executors, the DuckDB store, sensitivity.

The pipeline is SALib's, one verb per stage::

    spec = load_experiment("examples/sweep_meetings.yaml")      # what to vary
    design = expand_design(spec)                                  # which points
    report = run_sweep(spec, store="results.duckdb",              # run, resumably
                       executor=make_executor("process"))
    summary = summarize("results.duckdb")                         # read the joined table

A replicate's random stream depends only on (root seed, scenario hash, replicate index),
so the runs table is the same on every executor and for every chunk size.
"""

from corridors.experiments.chunks import Chunk, ChunkResult, ChunkTask, plan_chunks, run_chunk
from corridors.experiments.designs import Design, DesignPoint, design_problem, expand_design, sample_unit_design
from corridors.experiments.executors import EXECUTORS, Executor, make_executor
from corridors.experiments.results import Replay, Summary, export_results, query_store, replay_run, summarize
from corridors.experiments.seeding import derived_seed
from corridors.experiments.sensitivity import (
    SensitivityResult,
    analyze_sensitivity,
    plot_sensitivity,
    read_sensitivity,
    run_sensitivity,
)
from corridors.experiments.spec import (
    DesignSpec,
    Distribution,
    ExperimentSpec,
    Factor,
    load_experiment,
)
from corridors.experiments.store import Store
from corridors.experiments.sweep import SweepProgress, SweepReport, default_store_path, run_sweep, run_sweeps

__all__ = [
    "EXECUTORS",
    "Chunk",
    "ChunkResult",
    "ChunkTask",
    "Design",
    "DesignPoint",
    "DesignSpec",
    "Distribution",
    "Executor",
    "ExperimentSpec",
    "Factor",
    "Replay",
    "SensitivityResult",
    "Store",
    "Summary",
    "SweepProgress",
    "SweepReport",
    "analyze_sensitivity",
    "default_store_path",
    "derived_seed",
    "design_problem",
    "expand_design",
    "export_results",
    "load_experiment",
    "make_executor",
    "plan_chunks",
    "plot_sensitivity",
    "read_sensitivity",
    "query_store",
    "replay_run",
    "run_chunk",
    "run_sensitivity",
    "run_sweep",
    "run_sweeps",
    "sample_unit_design",
    "summarize",
]
