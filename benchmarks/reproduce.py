"""Benchmark: wall time and peak memory of ``corridors reproduce`` (quick and full) from an empty store.

Targets (issue 12): the full report within 15 minutes on a 2-core machine, ``--quick``
within 2 minutes. Each size runs in a child process into a fresh temporary folder; the
numba cache is left as it is (warm after the first run on a machine), and the cold start
is reported by ``benchmarks/engines.py``.

    python benchmarks/reproduce.py                # quick, then full
    python benchmarks/reproduce.py --only quick

Benchmarks print; they never assert (tests do).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"quick": 120.0, "full": 900.0}


def measure(size: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report"
        command = [sys.executable, "-m", "corridors.cli", "reproduce", "--quiet", "--out", str(out)]
        if size == "quick":
            command.append("--quick")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            print(f"{size}: failed ({done.returncode}): {done.stderr[-500:]}")
            return
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        peak_mb = after.ru_maxrss / 1024
        replications = next((line for line in done.stdout.splitlines() if line.startswith("wrote")), "")
        size_mb = (out / "index.html").stat().st_size / 1e6
        print(
            f"{size:5s}: {seconds:7.1f} s wall (target {TARGETS[size]:.0f} s: ratio {seconds / TARGETS[size]:.2f}), "
            f"{cpu:7.1f} s CPU, peak {peak_mb:6.0f} MB (largest process), index.html {size_mb:.2f} MB"
        )
        print(f"       {replications}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(TARGETS), help="measure one size")
    args = parser.parse_args()
    print(f"corridors reproduce on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for size in [args.only] if args.only else ["quick", "full"]:
        measure(size)


if __name__ == "__main__":
    main()
