"""Benchmark: ``corridors data validate`` and ``describe`` on a large generated peace-operation CSV.

Generates a CSV of realistic rows (about 160 bytes each; 1.5 million rows make 234 MB)
in a temporary folder, runs each command in a child process and prints its peak resident
memory (the child's own ``ru_maxrss``, from ``os.wait4``), the ratio to the file size
(target: below about 4) and the wall time. ``describe`` with its models fits Kaplan-Meier,
log-rank, Cox and the discrete-time logit on about 1.35 million operations (the logit on
person-period counts, never on one row per person-month); its Cox model takes most of the
time. One row in ten has no start date (censored) and one in a hundred a bad date, so the
row lists in the messages are long unless capped.

    python benchmarks/large_dataset.py                   # 1.5 million rows, about 200 MB
    python benchmarks/large_dataset.py --rows 100000     # a quick look

Benchmarks print; they never assert (tests do).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "organization,operation,host,demand_kind,demand_ref,demand_date,decision_date,start_date,start_kind,source\n"
ORGANIZATIONS = ["AU", "EU", "OAS", "OSCE", "UN", "ECOWAS", "NATO"]
KINDS = ["unsc_resolution", "host_request", "org_decision"]


def write_dataset(path: Path, rows: int, seed: int = 1) -> None:
    """Write ``rows`` rows of plausible operations (dates 1990-2020) to ``path``."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(HEADER)
        for i in range(rows):
            year, month, day = rng.randint(1990, 2019), rng.randint(1, 12), rng.randint(1, 28)
            demand = f"{year}-{month:02d}-{day:02d}"
            decision = f"{year}-{month:02d}-{min(day + 3, 28):02d}"
            start = "" if i % 10 == 0 else f"{year + 1}-{month:02d}-{day:02d}"
            if i % 100 == 1:
                start = f"{year + 1}-{month:02d}-31x"
            organization = ORGANIZATIONS[i % len(ORGANIZATIONS)]
            handle.write(
                f"{organization},Operation number {i} in the field,Host country {i % 193},{KINDS[i % 3]},"
                f"Decision {i}/{year},{demand},{decision},{start},launch,https://example.org/ops/{i}\n"
            )


def measure(command: list[str]) -> tuple[float, float, int]:
    """(peak resident MB, seconds, exit status) of a child process: its own peak, not the largest child's so far."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        errors.seek(0)
        lines = errors.read().splitlines()
    if child.returncode != 0:
        print(f"  exit {child.returncode}: {lines[-1:]}")
    else:
        print(f"  stderr: {len(lines)} lines, longest {max((len(line) for line in lines), default=0)} characters")
    return usage.ru_maxrss / 1024, seconds, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_500_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ops.csv"
        write_dataset(path, args.rows)
        size_mb = path.stat().st_size / 1024**2
        print(f"{path.name}: {args.rows:,} rows, {size_mb:.0f} MB")
        corridors = str(Path(sys.executable).with_name("corridors"))
        # each command in its own child process, measured on its own
        for command in (["validate"], ["describe", "--no-models"], ["describe"]):
            peak, seconds, _ = measure([corridors, "data", *command[:1], str(path), *command[1:]])
            print(
                f"data {' '.join(command)}: peak {peak:,.0f} MB, {peak / size_mb:.1f} times the file, {seconds:.0f} s"
            )


if __name__ == "__main__":
    main()
