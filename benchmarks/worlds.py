"""Routine worlds (issue 24): what reusing the burn-in saves, and the figures it must keep.

Prints; asserts nothing (machines here are shared and noisy).

    PYTHONPATH=src .venv/bin/python benchmarks/worlds.py            # full sizes
    PYTHONPATH=src .venv/bin/python benchmarks/worlds.py --quick    # small sizes, a smoke run

Targets: an evaluation that changes only crisis parameters (OSCE, 2,000 replications, one
process) at least 4 times faster from stored worlds than from scratch; 10,000 OSCE
replications on 2 cores within 5 s after compilation; ``corridors --help`` under 1 s; a
cold numba cache under 20 s (the plain run; also printed: a burn-in then a crisis in one cold
process, and a crisis from a worlds file as ``corridors run --from-worlds`` runs it); the bytes one OSCE
world takes; a store's second open in a process does not check it again.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from corridors.engines import run_replications
from corridors.engines.batch import run_batch
from corridors.engines.worlds import burn_in, configure_world_cache, run_crisis
from corridors.scenario import load_scenario


def load() -> str:
    """The 1-minute load average, printed beside each timing (the machine is shared)."""
    return f"[load {os.getloadavg()[0]:.1f}]"


def best_of(repeats: int, action: object) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def crisis_only_evaluation(replications: int) -> None:
    """One process: an evaluation changing only crisis parameters, from scratch and from the base's worlds."""
    base = load_scenario("osce")
    crisis = load_scenario("osce", ["parameters.widen_base=0.3", "parameters.posture=0.5"])
    key = base.content_hash()
    run_batch(crisis, replications=4, seed=1, stream_key=key)  # compile
    run_crisis(crisis, burn_in(base, replications=4, seed=1, stream_key=key))
    scratch = best_of(2, lambda: run_batch(crisis, replications=replications, seed=1, stream_key=key))
    start = time.perf_counter()
    worlds = burn_in(base, replications=replications, seed=1, stream_key=key)
    burn_seconds = time.perf_counter() - start
    reuse = best_of(2, lambda: run_crisis(crisis, worlds))
    same = run_crisis(crisis, worlds).equals(run_batch(crisis, replications=replications, seed=1, stream_key=key))
    print(f"OSCE, {replications} replications, one process, an evaluation changing only crisis parameters:")
    print(
        f"  from scratch {scratch:.2f} s; from stored worlds {reuse:.2f} s: {scratch / reuse:.1f}x faster "
        f"(target >= 4x); rows identical: {same} {load()}"
    )
    print(
        f"  the worlds themselves: {burn_seconds:.2f} s to compute once, {worlds.nbytes / 1e6:.1f} MB, "
        f"{worlds.nbytes / replications:,.0f} bytes per OSCE world {load()}"
    )

    configure_world_cache(512)
    try:
        run_batch(base, replications=replications, seed=1)  # the first evaluation fills the cache
        cached = best_of(2, lambda: run_batch(crisis, replications=replications, seed=1, stream_key=key))
    finally:
        configure_world_cache(0)
    print(
        f"  through the engine's cache (what the calibration uses): {cached:.2f} s, "
        f"{scratch / cached:.1f}x faster {load()}"
    )


def two_cores(replications: int) -> None:
    osce = load_scenario("osce")
    run_replications(osce, replications=200, seed=2, workers=2)  # compile and fork once
    seconds = best_of(2, lambda: run_replications(osce, replications=replications, seed=2, workers=2))
    print(
        f"{replications:,} OSCE replications on 2 cores after compilation: {seconds:.2f} s (target < 5 s); "
        f"{replications / seconds:,.0f} replications/s {load()}"
    )


def command_seconds(*args: str) -> float:
    command = [os.path.join(os.path.dirname(sys.executable), "corridors"), *args]
    return best_of(3, lambda: subprocess.run(command, capture_output=True, check=True))


def cold_cache_seconds(code: str) -> float:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


PLAIN = (
    "import time; t=time.perf_counter();"
    "from corridors.engines import run_replications; from corridors.scenario import load_scenario;"
    "run_replications(load_scenario('osce'), replications=1, seed=1, engine='batch');"
    "print(time.perf_counter()-t)"
)
WORLDS = (
    "import time; t=time.perf_counter();"
    "from corridors.engines.worlds import burn_in, run_crisis; from corridors.scenario import load_scenario;"
    "s = load_scenario('osce'); run_crisis(s, burn_in(s, replications=1, seed=1));"
    "print(time.perf_counter()-t)"
)


FROM_FILE = (
    "import time; t=time.perf_counter();"
    "from corridors.engines.worlds import load_worlds, run_crisis; from corridors.scenario import load_scenario;"
    "s = load_scenario('osce', ['parameters.posture=0.5']); run_crisis(s, load_worlds({path!r}));"
    "print(time.perf_counter()-t)"
)


def cold_from_worlds_file() -> float:
    """A cold cache, then a crisis from a worlds file (what ``corridors run --from-worlds`` compiles)."""
    from corridors.engines.worlds import save_worlds

    with tempfile.TemporaryDirectory() as folder:
        path = save_worlds(burn_in(load_scenario("osce"), replications=1, seed=1), Path(folder) / "osce.npz")
        return cold_cache_seconds(FROM_FILE.format(path=str(path)))


def store_opens() -> None:
    from corridors.experiments import store as store_module
    from corridors.experiments.store import Store

    calls = []
    real = Store._verify

    def counted(self: Store, con: object) -> None:
        calls.append(1)
        real(self, con)  # type: ignore[arg-type]

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.duckdb"
        with Store(path) as st:
            st.con.execute("CREATE TABLE filler AS SELECT range AS x FROM range(2000000)")
        store_module._VERIFIED.clear()
        Store._verify = counted  # type: ignore[method-assign]
        try:
            times = []
            for _ in range(3):
                start = time.perf_counter()
                with Store(path):
                    pass
                times.append(time.perf_counter() - start)
        finally:
            Store._verify = real  # type: ignore[method-assign]
    print(
        f"store opens in one process (2 M-row table): {', '.join(f'{t * 1000:.0f} ms' for t in times)}; "
        f"whole-store checks: {len(calls)} (once per process) {load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    pd.set_option("display.width", 120)
    print(f"corridors --help: {command_seconds('--help'):.2f} s (target < 1 s) {load()}")
    print(f"cold numba cache, first OSCE run: {cold_cache_seconds(PLAIN):.1f} s (target < 20 s) {load()}")
    seconds = cold_cache_seconds(WORLDS)
    print(f"cold numba cache, first OSCE run from worlds (burn_in + run_crisis): {seconds:.1f} s {load()}")
    seconds = cold_from_worlds_file()
    print(f"cold numba cache, a crisis from a worlds file (run --from-worlds): {seconds:.1f} s {load()}")
    crisis_only_evaluation(200 if args.quick else 2_000)
    two_cores(1_000 if args.quick else 10_000)
    store_opens()


if __name__ == "__main__":
    main()
