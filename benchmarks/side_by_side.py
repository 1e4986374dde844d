"""Calibration evaluations one at a time against side by side (``MomentSimulator.prefetch``).

Prints wall times and their ratio; asserts nothing (tests check that the rows are the same).

    PYTHONPATH=src .venv/bin/python benchmarks/side_by_side.py [--replications 2000] [--workers 2]

Why it exists: issue 24 wants the full bench within an hour on 2 cores. Evaluated one at a
time, each organization's sweep leaves the workers idle while the driver writes its rows
(about 10% of the full bench's wall time in the run of session 3); side by side, the workers
run the next evaluation's chunks meanwhile.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from corridors.calibration.simulate import MomentSimulator
from corridors.experiments import make_executor

ORGANIZATIONS = ["AU", "EU", "OAS", "OSCE"]


def load() -> str:
    """The 1-minute load average, printed beside each timing (the machine is shared)."""
    return f"[load {os.getloadavg()[0]:.1f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--points", type=int, default=3, help="points of each kind timed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        executor = make_executor("process", workers=args.workers)
        sim = MomentSimulator(Path(folder) / "side.duckdb", replications=args.replications, seed=3, executor=executor)
        with sim:
            sim.moments({"trust_gain": 0.1}, ORGANIZATIONS)  # workers started and warm
            routine = [{"trust_gain": 0.1 + 0.001 * (k + 1)} for k in range(2 * args.points)]
            crisis = [{"trust_gain": 0.1, "widen_step": 0.3 + 0.01 * (k + 1)} for k in range(2 * args.points)]
            cases = (
                ("a routine point", routine, "side by side", lambda ps: [sim.moments(v, ORGANIZATIONS) for v in ps]),
                (
                    "a crisis-only point (routine worlds reused)",
                    crisis,
                    f"a design of {args.points} prefetched",
                    lambda ps: sim.prefetch(ps, ORGANIZATIONS),
                ),
            )
            for label, points, together, side_by_side in cases:
                first, rest = points[: args.points], points[args.points :]
                alone = _seconds(lambda ps: [sim.rows(o, v) for v in ps for o in ORGANIZATIONS], first) / args.points
                side = _seconds(side_by_side, rest) / args.points
                print(
                    f"{label} of the four organizations, {args.replications} replications, {args.workers} workers: "
                    f"one after another {alone:.2f} s, {together} {side:.2f} s a point: {alone / side:.2f}x {load()}"
                )


def _seconds(action: Callable[[list[dict[str, float]]], object], points: list[dict[str, float]]) -> float:
    start = time.perf_counter()
    action(points)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
