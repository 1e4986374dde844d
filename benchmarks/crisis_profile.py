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
mechanisms make crisis days dearer than routine ones, and the bound if a crisis day cost no
more than its informal contacts (the crisis raises their rate by crisis_boost).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from corridors.engines.worlds import burn_in, run_crisis
from corridors.scenario import Scenario, load_scenario

CONTACTS = ("trust_growth", "crowding_out", "posturing", "emergency_meeting", "meeting_fatigue", "first_call")
"""The switches a crisis day of contacts only keeps at the preset's values (the contact rate and the day's rhythm)."""


def crisis_days(rows: object) -> float:
    """Mean simulated crisis days a replicate: to its decision, else to the horizon."""
    decided = rows["decided"].to_numpy(bool)  # type: ignore[index]
    day = rows["decision_day"].to_numpy(float)  # type: ignore[index]
    horizon = rows["horizon_days"].to_numpy(float)  # type: ignore[index]
    return float(np.where(decided, day + 1, horizon).mean())


def crisis_cost(scenario: Scenario, replications: int) -> tuple[float, float]:
    """(mean crisis days, microseconds a crisis day) of ``scenario``'s crisis from its own worlds, best of three.

    A crisis day of contacts only (every switch off but :data:`CONTACTS`) has no capital
    reviews, so no run decides and every run goes to the horizon: still a per-day cost.
    """
    worlds = burn_in(scenario, replications=replications, seed=1)
    rows = run_crisis(scenario, worlds)  # compiles on the first pass
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        rows = run_crisis(scenario, worlds)
        best = min(best, time.perf_counter() - start)
    days = crisis_days(rows)
    return days, best / replications / days * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", default="osce", help="preset (default osce)")
    parser.add_argument("--replications", type=int, default=500)
    args = parser.parse_args()
    print(f"{args.org}, {args.replications} replications, one process [load {os.getloadavg()[0]:.1f}]")
    mechanisms = list(load_scenario(args.org).mechanisms.model_dump())  # the schema's switches, every one
    all_on_days, base_cost = crisis_cost(load_scenario(args.org), args.replications)
    for mechanism in ("(all on)", *mechanisms):
        if mechanism == "(all on)":
            days, per_day = all_on_days, base_cost
        else:
            days, per_day = crisis_cost(load_scenario(args.org, [f"mechanisms.{mechanism}=false"]), args.replications)
        print(
            f"  {mechanism:22s} {days * per_day / 1e3:6.3f} ms a crisis, {days:6.1f} days, "
            f"{per_day:6.2f} us a crisis day ({per_day - base_cost:+6.2f})"
        )
    scenario = load_scenario(args.org)
    start = time.perf_counter()
    burn_in(scenario, replications=args.replications, seed=2)
    seconds = time.perf_counter() - start
    burn_days = scenario.parameters.burn_in_days
    burn_ms = seconds / args.replications * 1e3
    per_day = burn_ms / burn_days * 1e3
    print(f"  burn-in: {burn_ms:.3f} ms a replicate, {per_day:.2f} us a routine day ({burn_days} days)")
    overrides = [f"mechanisms.{m}=false" for m in mechanisms if m not in CONTACTS]
    _, floor = crisis_cost(load_scenario(args.org, overrides), args.replications)
    crisis_ms = all_on_days * base_cost / 1e3
    floor_ms = all_on_days * floor / 1e3
    print(
        f"  a crisis day of contacts only (every switch off but {', '.join(CONTACTS)}): {floor:.2f} us; "
        f"{all_on_days:.1f} such days {floor_ms:.3f} ms a crisis"
    )
    print(
        f"  crisis-only speed-up from stored worlds, (burn-in + crisis) / crisis: "
        f"{(burn_ms + crisis_ms) / crisis_ms:.1f}x today; "
        f"at most {(burn_ms + floor_ms) / floor_ms:.1f}x if a crisis day cost only its contacts"
    )


if __name__ == "__main__":
    main()
