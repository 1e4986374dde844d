"""Benchmark: one sweep on the serial, process and Dask executors.

Prints replications per second, the speed-up over serial (target >= 1.7x on 2 cores for
both parallel executors), the peak resident memory of the driver (target < 1 GB), the
store size, and whether the three runs tables are identical. Each executor's sweep runs
in a fresh child process, so each driver's peak memory is its own.

    python benchmarks/sweep.py                           # 200,000 replications, batch engine
    python benchmarks/sweep.py --replications 2000       # a quick look
    python benchmarks/sweep.py --engine reference --replications 400

Benchmarks print; they never assert (tests do).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

POINTS = [0.5, 1.0, 2.0, 3.5]  # formal meetings per week: four design points


def spec_dict(scenario: str, replications: int, engine: str) -> dict:
    per_point = -(-replications // len(POINTS))
    return {
        "name": "benchmark",
        "base": scenario,
        "factors": [{"path": "formal_meetings_per_week", "values": POINTS}],
        "replications": per_point,
        "seed": 2012,
        "engine": engine,
    }


def child(spec_path: str, store: str, executor: str, workers: int) -> None:
    """Run one sweep and print its figures as JSON (in a fresh process)."""
    from corridors.experiments import load_experiment, make_executor, run_sweep

    chosen = make_executor(
        executor,
        workers=workers if executor != "serial" else None,
        dask_address=f"local:{workers}" if executor == "dask" else None,
    )
    started = time.perf_counter()
    report = run_sweep(load_experiment(spec_path), store=store, executor=chosen)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    size = sum(p.stat().st_size for p in Path(store).parent.glob(Path(store).name + "*"))
    print(
        json.dumps(
            {
                "executor": report.executor,
                "replications": report.replications_this_session,
                "seconds": report.seconds,
                "wall_seconds": wall,
                "chunk_replications": report.chunk_replications,
                "chunks": report.chunks_total,
                "failed": report.chunks_failed,
                "peak_rss_mib": peak_kib / 1024,
                "store_mib": size / 2**20,
            }
        )
    )


def identical(stores: list[Path]) -> bool:
    import pandas as pd

    from corridors.engines import ROW_SCHEMA
    from corridors.experiments import Store

    frames = []
    for store in stores:
        with Store(store, read_only=True) as st:
            columns = ", ".join(ROW_SCHEMA.names)
            frames.append(st.query(f"SELECT point_id, {columns} FROM runs ORDER BY point_id, replicate"))
    try:
        for frame in frames[1:]:
            pd.testing.assert_frame_equal(frames[0], frame)
    except AssertionError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200_000, help="in all, over four design points")
    parser.add_argument("--scenario", default="eu", help="preset or scenario file (default: eu)")
    parser.add_argument("--engine", default="batch", choices=["batch", "reference"])
    parser.add_argument("--workers", type=int, default=2, help="workers of the parallel executors")
    parser.add_argument("--executors", default="serial,process,dask", help="comma-separated")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the stores in")
    parser.add_argument("--_child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        spec_path, store, executor, workers = args._child
        child(spec_path, store, executor, int(workers))
        return

    import yaml

    folder = args.keep or Path(tempfile.mkdtemp(prefix="corridors-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    spec = spec_dict(args.scenario, args.replications, args.engine)
    spec_path = folder / "benchmark.yaml"
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False))
    total = spec["replications"] * len(POINTS)
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: the machine is busy (load average {load:.2f}); speed-ups will be understated")
    print(
        f"sweep: {args.scenario}, {len(POINTS)} design points x {spec['replications']:,} = {total:,} replications, "
        f"engine {args.engine}; {args.workers} workers for process and dask"
    )
    results: dict[str, dict] = {}
    stores = []
    for executor in args.executors.split(","):
        store = folder / f"{executor}.duckdb"
        for stale in folder.glob(f"{executor}.duckdb*"):
            stale.unlink()
        stores.append(store)
        done = subprocess.run(
            [sys.executable, __file__, "--_child", str(spec_path), str(store), executor, str(args.workers)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{executor}: failed\n{done.stderr}")
            continue
        results[executor] = json.loads(done.stdout.strip().splitlines()[-1])
        figures = results[executor]
        print(f"  {executor:8s} done in {figures['wall_seconds']:.1f} s", flush=True)

    serial_rate = None
    if "serial" in results:
        serial_rate = results["serial"]["replications"] / results["serial"]["seconds"]
    print()
    print(
        f"{'executor':24s} {'rep/s':>10s} {'speed-up':>9s} {'chunk':>7s} {'chunks':>7s} {'failed':>6s} "
        f"{'driver peak RSS':>16s} {'store':>9s}"
    )
    for figures in results.values():
        rate = figures["replications"] / figures["seconds"]
        speedup = f"{rate / serial_rate:.2f}x" if serial_rate else "-"
        print(
            f"{figures['executor']:24s} {rate:10,.1f} {speedup:>9s} {figures['chunk_replications']:7d} "
            f"{figures['chunks']:7d} {figures['failed']:6d} {figures['peak_rss_mib']:12.0f} MiB "
            f"{figures['store_mib']:5.1f} MiB"
        )
    print("targets: speed-up >= 1.7x on 2 cores for process and dask; driver peak RSS < 1024 MiB")
    print(f"load average over the last 15 minutes: {os.getloadavg()[2]:.2f} (cores: {os.cpu_count()})")
    if len(stores) > 1 and len(results) == len(stores):
        print(f"identical runs tables on {', '.join(results)}: {'yes' if identical(stores) else 'NO'}")
    print(f"stores in {folder}")


if __name__ == "__main__":
    main()
