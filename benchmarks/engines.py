"""Throughput of the reference and batch engines, their ratio, compile time and peak memory.

Prints; asserts nothing (machines here are shared and noisy). Run on one core:

    .venv/bin/python benchmarks/engines.py                  # the issue's sizes
    .venv/bin/python benchmarks/engines.py --quick          # a smoke run

Targets (issue 4): batch >= 100x reference; 10,000 osce replications within 5 s on one
core after compilation; peak memory of 100,000 osce replications below 500 MB.
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


def throughput(scenario: Scenario, engine: str, replications: int) -> tuple[float, float]:
    start = time.perf_counter()
    rows = run_replications(scenario, replications=replications, seed=1, engine=engine)
    seconds = time.perf_counter() - start
    return replications / seconds, agent_days(scenario, rows) / seconds


def generated_organization(n_members: int) -> Scenario:
    """A UN-General-Assembly-sized committee: generated members in 6 sub-regions."""
    members = [
        Member(code=f"{chr(65 + i // 676)}{chr(65 + (i // 26) % 26)}{chr(65 + i % 26)}", name=f"member {i}",
               subregion=f"region_{i % 6}", language=("en", "fr", "es", "ar", "ru", "zh")[i % 6])
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


def peak_memory_mb(replications: int) -> float:
    """Peak resident memory of a process that runs ``replications`` osce replicates (batch)."""
    code = (
        "import resource, json;"
        "from corridors.engines import run_replications; from corridors.scenario import load_scenario;"
        f"rows = run_replications(load_scenario('osce'), replications={replications}, seed=2, engine='batch');"
        "print(json.dumps([len(rows), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, peak = json.loads(out.stdout.strip().splitlines()[-1])
    assert count == replications
    return float(peak)


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

    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        print("pinned to one core")
    except (AttributeError, OSError):
        print("could not pin to one core; NUMBA_NUM_THREADS=1")
    print(f"first-call compile time (empty numba cache): {compile_seconds():.1f} s")
    run_replications(load_scenario("unsc"), replications=2, seed=0, engine="batch")  # warm the cache

    for name in ("osce", "unsc"):
        scenario = load_scenario(name)
        ref_rate, ref_days = throughput(scenario, "reference", n_reference)
        batch_rate, batch_days = throughput(scenario, "batch", n_batch)
        print(f"{name}: reference {ref_rate:9.2f} reps/s ({ref_days:12.0f} agent-days/s, {n_reference} reps)")
        print(f"{name}: batch     {batch_rate:9.1f} reps/s ({batch_days:12.0f} agent-days/s, {n_batch} reps)")
        print(f"{name}: batch / reference = {batch_rate / ref_rate:.0f}x (target >= 100x)")
        if name == "osce":
            print(f"osce: {n_batch} replications in {n_batch / batch_rate:.2f} s "
                  f"(target: 10,000 within 5 s -> {10_000 / batch_rate:.2f} s at this rate)")

    big = generated_organization(193)
    rate, days = throughput(big, "batch", 50 if args.quick else 300)
    print(f"193 members: batch {rate:.1f} reps/s ({days:.0f} agent-days/s)")

    peak = peak_memory_mb(n_memory)
    print(f"peak resident memory, {n_memory} osce replications: {peak:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
