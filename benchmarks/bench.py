"""Benchmark: the theory bench (``corridors calibrate --bench``) at one of its sizes; ``--ship`` ships its outputs.

Prints each theory's wall time, the total, the organization-evaluations run and found in
the store (against the progress bar's estimate), the replications per second, and the
scorecard's summary sentence. Targets (issue 21): the quick bench within 3 minutes, the
full bench within 60 minutes on 2 cores. The full size runs only when asked
(``--size full``): it is long (estimate it first with ``--estimate``). A fresh store is used
unless ``--store`` names one (a finished bench is then read back: the resume path).

    python benchmarks/bench.py                       # the shipped bench, quick
    python benchmarks/bench.py --estimate            # organization-evaluations of quick and full, no run
    python benchmarks/bench.py --size full --workers 2 --out bench-full
    python benchmarks/bench.py --spec my_bench.yaml --size quick
    python benchmarks/bench.py --size medium --workers 1 --ship   # regenerate the shipped bench outputs

``--ship`` replaces the package's ``corridors/calibration/data/bench/`` with this run's outputs
and a manifest (size, replications, seed, theories, version, date, this command, wall times);
see docs/CALIBRATION.md, "Shipping the bench".

Benchmarks print; they never assert (tests do).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from corridors.calibration.bench.report import summary_sentence
from corridors.calibration.bench.run import evaluations_estimate, run_bench, write_bench_outputs
from corridors.calibration.bench.shipped import ship_bench_outputs, shipped_bench_folder
from corridors.calibration.bench.spec import load_bench, shipped_bench, theory_status
from corridors.experiments import make_executor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=None, help="bench spec (default: the shipped one)")
    parser.add_argument("--size", choices=("quick", "medium", "full"), default="quick")
    parser.add_argument("--executor", default="process")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the outputs here")
    parser.add_argument("--estimate", action="store_true", help="print the sizes' evaluation counts and stop")
    parser.add_argument("--ship", action="store_true", help="replace the package's bench outputs with this run's")
    args = parser.parse_args()
    spec = load_bench(args.spec or shipped_bench())
    available = [t.name for t in spec.theories if theory_status(spec, t).available]
    print(f"bench {spec.name}: {len(spec.theories)} theories, available on this model: {', '.join(available)}")
    for name, size in spec.sizes.items():
        print(
            f"  {name}: {size.replications} replications, at most {evaluations_estimate(spec, size)} "
            f"organization-evaluations ({evaluations_estimate(spec, size) * size.replications:,} replications)"
        )
    if args.estimate:
        return
    if args.size not in spec.sizes:
        parser.error(f"--size {args.size}: the bench has sizes {', '.join(spec.sizes)}")
    size = spec.sizes[args.size]
    store = args.store or Path(tempfile.mkdtemp()) / "bench.duckdb"
    counts = {"run": 0, "found": 0, "replications": 0}
    estimate = evaluations_estimate(spec, size)
    start = time.perf_counter()
    last_stage = [""]

    def progress(stage: str, replications: int) -> None:
        counts["run" if replications else "found"] += 1
        counts["replications"] += replications
        done = counts["run"] + counts["found"]
        if stage != last_stage[0] or done % 25 == 0:
            last_stage[0] = stage
            print(
                f"[{(time.perf_counter() - start) / 60:5.1f} min] {stage}: {done} of at most {estimate} "
                f"organization-evaluations ({counts['found']} found in the store)",
                file=sys.stderr,
                flush=True,
            )

    pool = make_executor(args.executor, workers=args.workers)
    with pool:
        result = run_bench(spec, size=args.size, store=store, executor=pool, progress=progress)
    total = time.perf_counter() - start
    print(f"size {args.size}: {size}")
    print(f"executor {pool.describe()}, store {store}")
    for theory, seconds in result.seconds.items():
        print(f"  {theory:<24} {seconds:8.1f} s")
    print(f"  {'total':<24} {total:8.1f} s ({total / 60:.1f} min)")
    print(
        f"organization-evaluations run {counts['run']}, found in the store {counts['found']} (estimate {estimate}); "
        f"{counts['replications']} replications ({counts['replications'] / total:.0f}/s overall)"
    )
    print(summary_sentence(result.scorecard))
    if args.out is not None:
        written = write_bench_outputs(result, args.out)
        print(f"wrote {len(written)} files to {args.out}")
    if args.ship:
        command = "python benchmarks/bench.py " + " ".join(sys.argv[1:])
        shipped = ship_bench_outputs(result, command=command)
        print(f"shipped {len(shipped)} files to {shipped_bench_folder()}")


if __name__ == "__main__":
    main()
