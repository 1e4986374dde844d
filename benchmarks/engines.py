"""Throughput of the engines, their ratio, scaling on cores, compile time, memory, start-up.

Prints; asserts nothing (machines here are shared and noisy):

    .venv/bin/python benchmarks/engines.py                  # the issue's sizes
    .venv/bin/python benchmarks/engines.py --quick          # a smoke run

Targets (issue 16): 10,000 osce replications within 5 s of wall time on 2 cores after
compilation; speed-up of at least 1.8 on 2 workers over 1; batch over reference at least
150 times per replication on osce and unsc (one core each); 100,000 replications under
350 MB peak; the first run on a cold cache under 20 s; ``corridors --help`` and
``corridors presets`` under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from corridors.engines import run_replications  # noqa: E402
from corridors.scenario import Member, Scenario, load_scenario  # noqa: E402


def agent_days(scenario: Scenario, rows) -> float:  # noqa: ANN001
    """Ambassador-days simulated: members x (burn-in + crisis days actually run)."""
    crisis_days = np.where(rows["decided"], rows["decision_day"] + 1, rows["horizon_days"])
    return float(scenario.n_members * (scenario.parameters.burn_in_days + crisis_days).sum())


def throughput(scenario: Scenario, engine: str, replications: int, workers: int = 1) -> tuple[float, float]:
    start = time.perf_counter()
    rows = run_replications(scenario, replications=replications, seed=1, engine=engine, workers=workers)
    seconds = time.perf_counter() - start
    return replications / seconds, agent_days(scenario, rows) / seconds


def generated_organization(n_members: int) -> Scenario:
    """A UN-General-Assembly-sized committee: generated members in 6 sub-regions."""
    members = [
        Member(
            code=f"{chr(65 + i // 676)}{chr(65 + (i // 26) % 26)}{chr(65 + i % 26)}",
            name=f"member {i}",
            subregion=f"region_{i % 6}",
            language=("en", "fr", "es", "ar", "ru", "zh")[i % 6],
        )
        for i in range(n_members)
    ]
    return Scenario(name=f"generated_{n_members}", members=members, formal_meetings_per_week=1.0)


def compile_seconds() -> float:
    """First-call time in a fresh process with an empty numba cache."""
    code = (
        "import time; t=time.perf_counter();"
        "from corridors.engines import run_replications; from corridors.scenario import load_scenario;"
        "run_replications(load_scenario('osce'), replications=1, seed=1, engine='batch');"
        "print(time.perf_counter()-t)"
    )
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def peak_memory_mb(replications: int, workers: int) -> tuple[float, float]:
    """Peak resident memory (driver, largest worker) of a run of ``replications`` osce replicates.

    The driver's peak is its own ``VmHWM``: Linux carries ``ru_maxrss`` across ``exec``, so a
    child started by this (large) benchmark process would report at least the parent's size.
    """
    code = (
        "import resource, json;"
        "from corridors.engines import run_replications; from corridors.scenario import load_scenario;"
        f"rows = run_replications(load_scenario('osce'), replications={replications}, seed=2, engine='batch',"
        f" workers={workers});"
        "hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')];"
        "print(json.dumps([len(rows), (hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, peak, children = json.loads(out.stdout.strip().splitlines()[-1])
    if count != replications:
        raise SystemExit(f"expected {replications} rows, got {count}")
    return float(peak), float(children)


def command_seconds(*args: str) -> float:
    """Wall time of one CLI command in a fresh process (the best of three)."""
    command = [os.path.join(os.path.dirname(sys.executable), "corridors"), *args]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def import_seconds(module: str) -> float:
    """Import time of one module in a fresh process (``python -X importtime``: cumulative)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True
    )
    for line in reversed(out.stderr.splitlines()):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--reference-replications", type=int, default=None)
    parser.add_argument("--batch-replications", type=int, default=None)
    parser.add_argument("--memory-replications", type=int, default=None)
    args = parser.parse_args()
    n_reference = args.reference_replications or (5 if args.quick else 40)
    n_batch = args.batch_replications or (500 if args.quick else 10_000)
    n_memory = args.memory_replications or (2_000 if args.quick else 100_000)

    print("start-up:")
    for module in (
        "corridors",
        "corridors.cli",
        "corridors.scenario",
        "corridors.engines",
        "corridors.engines.batch",
        "corridors.engines.reference",
        "corridors.experiments",
        "corridors.empirical",
    ):
        print(f"  import {module}: {import_seconds(module):.2f} s")
    print(f"  corridors --help: {command_seconds('--help'):.2f} s (target < 1 s)")
    print(f"  corridors presets: {command_seconds('presets'):.2f} s (target < 1 s)")
    print(f"first-call compile time (empty numba cache): {compile_seconds():.1f} s (target < 20 s)")
    run_replications(load_scenario("unsc"), replications=2, seed=0, engine="batch")  # warm the cache

    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cores[0]})
    print("one core:")
    one_core = {}
    for name in ("osce", "unsc"):
        scenario = load_scenario(name)
        ref_rate, ref_days = throughput(scenario, "reference", n_reference)
        batch_rate, batch_days = throughput(scenario, "batch", n_batch)
        one_core[name] = batch_rate
        print(f"  {name}: reference {ref_rate:9.2f} reps/s ({ref_days:12.0f} agent-days/s, {n_reference} reps)")
        print(f"  {name}: batch     {batch_rate:9.1f} reps/s ({batch_days:12.0f} agent-days/s, {n_batch} reps)")
        print(f"  {name}: batch / reference = {batch_rate / ref_rate:.0f}x (target >= 150x)")
    big = generated_organization(193)
    rate, days = throughput(big, "batch", 50 if args.quick else 300)
    print(f"  193 members: batch {rate:.1f} reps/s ({days:.0f} agent-days/s)")
    os.sched_setaffinity(0, set(cores))
    workers = len(cores)
    osce = load_scenario("osce")
    start = time.perf_counter()
    run_replications(osce, replications=10_000, seed=1, engine="batch", workers=workers)
    wall = time.perf_counter() - start
    print(
        f"{workers} cores: 10,000 osce replications in {wall:.2f} s of wall time (target < 5 s); "
        f"speed-up over one core {10_000 / wall / one_core['osce']:.2f} (target >= 1.8)"
    )

    peak, children = peak_memory_mb(n_memory, workers)
    print(
        f"peak resident memory, {n_memory} osce replications on {workers} workers: driver {peak:.0f} MB, "
        f"largest worker {children:.0f} MB (target < 350 MB)"
    )


if __name__ == "__main__":
    main()
