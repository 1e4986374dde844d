"""Where a crisis day's time goes: the crisis phase from stored worlds with each mechanism off in turn.

Prints; asserts nothing (machines here are shared and noisy). No recompilation: switches are
runtime values of the compiled kernel (a switch the burn-in reads gets worlds of its own).
A mechanism's cost is read from the change in microseconds per simulated crisis day, because
switching a mechanism off also changes how long crises last (capital reviews off: no run
decides, every run goes to the horizon).

    PYTHONPATH=src .venv/bin/python benchmarks/crisis_profile.py                 # OSCE, 500 replications
    PYTHONPATH=src .venv/bin/python benchmarks/crisis_profile.py --org eu --replications 2000

Why it exists: from stored worlds a crisis-only evaluation skips the burn-in, so its speed-up
is bounded by the crisis phase's share of a replicate (issue 24's 4x target); this shows which
mechanisms make crisis days dearer than routine ones.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from corridors.engines.worlds import burn_in, run_crisis
from corridors.scenario import load_scenario


def crisis_days(rows: object) -> float:
    """Mean simulated crisis days a replicate: to its decision, else to the horizon."""
    decided = rows["decided"].to_numpy(bool)  # type: ignore[index]
    day = rows["decision_day"].to_numpy(float)  # type: ignore[index]
    horizon = rows["horizon_days"].to_numpy(float)  # type: ignore[index]
    return float(np.where(decided, day + 1, horizon).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="osce", help="preset (default osce)")
    parser.add_argument("--replications", type=int, default=500)
    args = parser.parse_args()
    print(f"{args.org}, {args.replications} replications, one process [load {os.getloadavg()[0]:.1f}]")
    base_cost = None
    mechanisms = list(load_scenario(args.org).mechanisms.model_dump())  # the schema's switches, every one
    for mechanism in ("(all on)", *mechanisms):
        overrides = [] if mechanism == "(all on)" else [f"mechanisms.{mechanism}=false"]
        scenario = load_scenario(args.org, overrides)
        worlds = burn_in(scenario, replications=args.replications, seed=1)
        rows = run_crisis(scenario, worlds)  # compiles on the first pass
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            rows = run_crisis(scenario, worlds)
            best = min(best, time.perf_counter() - start)
        days = crisis_days(rows)
        per_day = best / args.replications / days * 1e6
        base_cost = per_day if base_cost is None else base_cost
        print(
            f"  {mechanism:22s} {best / args.replications * 1e3:6.3f} ms a crisis, {days:6.1f} days, "
            f"{per_day:6.2f} us a crisis day ({per_day - base_cost:+6.2f})"
        )
    scenario = load_scenario(args.org)
    start = time.perf_counter()
    burn_in(scenario, replications=args.replications, seed=2)
    seconds = time.perf_counter() - start
    burn_days = scenario.parameters.burn_in_days
    print(
        f"  burn-in: {seconds / args.replications * 1e3:.3f} ms a replicate, "
        f"{seconds / args.replications / burn_days * 1e6:.2f} us a routine day ({burn_days} days)"
    )


if __name__ == "__main__":
    main()
