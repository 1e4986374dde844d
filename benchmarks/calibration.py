"""Benchmark: a whole calibration (both readings, four leave-one-out fits) at a named size.

Prints the wall time of each stage and in all, the organization-evaluations run and found
in the store, and the replications per second. Targets (issue 11): ``quick`` within 3
minutes, ``full`` within 60 minutes on 2 cores. A fresh store is used unless ``--store``
names one (then a finished calibration is read back, which times the resume path).

    python benchmarks/calibration.py --size quick
    python benchmarks/calibration.py --size medium --out calibration-medium
    python benchmarks/calibration.py --size full --workers 2

Benchmarks print; they never assert (tests do).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from corridors.calibration.pipeline import SIZES, run_calibration, write_outputs
from corridors.experiments import make_executor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--executor", default="process")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the outputs here")
    args = parser.parse_args()
    config = SIZES[args.size]
    store = args.store or Path(tempfile.mkdtemp()) / "calibration.duckdb"
    counts = {"run": 0, "found": 0, "replications": 0}
    estimate = config.evaluations_estimate()
    start = time.perf_counter()
    last_stage = [""]

    def progress(stage: str, replications: int) -> None:
        counts["run" if replications else "found"] += 1
        counts["replications"] += replications
        done = counts["run"] + counts["found"]
        if stage != last_stage[0] or done % 25 == 0:  # a line on stderr per stage and every 25 evaluations
            last_stage[0] = stage
            print(
                f"[{(time.perf_counter() - start) / 60:5.1f} min] {stage}: {done} of at most {estimate} "
                f"organization-evaluations ({counts['found']} found in the store)",
                file=sys.stderr,
                flush=True,
            )

    pool = make_executor(args.executor, workers=args.workers)
    with pool:
        result = run_calibration(config, store=store, executor=pool, progress=progress)
    total = time.perf_counter() - start
    print(f"size {args.size}: {config}")
    print(f"executor {pool.describe()}, store {store}")
    for stage, seconds in result.seconds.items():
        print(f"  {stage:<32} {seconds:8.1f} s")
    print(f"  {'total':<32} {total:8.1f} s ({total / 60:.1f} min)")
    print(
        f"organization-evaluations run {counts['run']}, found in the store {counts['found']}; "
        f"{counts['replications']} replications ({counts['replications'] / total:.0f}/s overall)"
    )
    print(result.comparison.to_string(index=False))
    if args.out is not None:
        written = write_outputs(result, args.out, size=args.size)
        print(f"wrote {len(written)} files to {args.out}")


if __name__ == "__main__":
    main()
