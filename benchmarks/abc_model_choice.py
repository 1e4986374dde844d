"""Benchmark: what posterior model probabilities by ABC-SMC over model indices (pyabc) would cost on the bench.

Issue 21 item 5 (optional). pyabc is NOT a dependency of corridors: install it to run this
(``pip install pyabc``). The models are the shipped bench's theories available on this model,
each with uniform priors on its boxes for the parameters the bench's quick size fits where
active; the summaries are the bench's scored patterns, simulated with ``--replications``
runs per organization; the distance is the root sum of squared pattern z-scores
(:func:`corridors.calibration.bench.patterns.pattern_z`). It prints the time per simulation,
the simulations run, the wall time, the model probabilities of this tiny run (noise at these
sizes: not a finding) and the cost extrapolated to a usual run (1,000 particles, 6
generations) at the bench's replications.

    python benchmarks/abc_model_choice.py                       # 12 particles, 2 generations, 20 runs
    python benchmarks/abc_model_choice.py --particles 50 --generations 3 --replications 40

Benchmarks print; they never assert (tests do).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--particles", type=int, default=12)
    parser.add_argument("--generations", type=int, default=2)
    parser.add_argument("--replications", type=int, default=20, help="runs per organization and simulation")
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args()
    try:
        import pyabc
    except ImportError:
        raise SystemExit("pyabc is not installed (pip install pyabc); it is not a corridors dependency") from None

    from corridors.calibration.bench.patterns import bench_patterns, pattern_moments, pattern_z
    from corridors.calibration.bench.spec import candidate_box, load_bench, shipped_bench, theory_status
    from corridors.calibration.simulate import org_moments, parameter_path
    from corridors.engines import run_replications
    from corridors.scenario import load_scenario

    spec = load_bench(shipped_bench())
    patterns = bench_patterns(spec)
    scored = patterns[~patterns["is_input"]].reset_index(drop=True)
    observed = {str(r["target"]): float(r["value"]) for _, r in scored.iterrows()}
    wanted = spec.sizes["quick"].parameters
    theories, priors, fitted = [], [], []
    for theory in spec.theories:
        status = theory_status(spec, theory)
        if not status.available:
            continue
        names = [p for p in wanted if p in status.active][: spec.sizes["quick"].max_parameters]
        boxes = {n: candidate_box(spec, n) for n in names}
        theories.append(theory)
        fitted.append(names)
        priors.append(pyabc.Distribution(**{n: pyabc.RV("uniform", lo, hi - lo) for n, (lo, hi) in boxes.items()}))
    described = [f"{t.name} ({', '.join(f) or 'no parameter'})" for t, f in zip(theories, fitted, strict=True)]
    print(f"models: {'; '.join(described)}")
    print(f"summaries: {len(observed)} scored patterns; {args.replications} runs per organization and simulation")
    counter = {"simulations": 0, "seconds": 0.0}
    rng = np.random.default_rng(args.seed)

    def simulator(index: int) -> Any:
        theory, names = theories[index], fitted[index]

        def simulate(parameters: dict[str, float]) -> dict[str, float]:
            start = time.perf_counter()
            values = [f"{parameter_path(n)}={float(parameters[n])!r}" for n in names]
            by_org = {}
            for org in spec.organizations:
                scenario = load_scenario(org.lower(), [*spec.overrides, *theory.all_overrides, *values])
                rows = run_replications(
                    scenario, replications=args.replications, seed=int(rng.integers(2**31)), engine="batch"
                )
                by_org[org] = org_moments(rows)
            moments = pattern_moments(patterns, by_org)
            counter["simulations"] += 1
            counter["seconds"] += time.perf_counter() - start
            return {t: float(moments.loc[t, "value"]) if t in moments.index else math.nan for t in observed} | {
                f"{t}|se": float(moments.loc[t, "sim_se"]) if t in moments.index else math.nan for t in observed
            }

        return simulate

    rows = {str(r["target"]): r for _, r in scored.iterrows()}
    # the cost of one simulation against its runs: overhead + runs x slope, from two sizes
    middle = {n: float(np.mean(candidate_box(spec, n))) for n in fitted[0]}
    timed = []
    for reps in (args.replications, 10 * args.replications):
        saved, args.replications = args.replications, reps
        start = time.perf_counter()
        simulator(0)(middle)
        timed.append(time.perf_counter() - start)
        args.replications = saved
    slope = max(0.0, (timed[1] - timed[0]) / (9 * args.replications))
    overhead = max(0.0, timed[0] - slope * args.replications)
    print(
        f"one simulation (4 organizations): {timed[0]:.2f} s at {args.replications} runs, {timed[1]:.2f} s at "
        f"{10 * args.replications}: {overhead:.2f} s + {1000 * slope:.2f} ms per run"
    )
    counter["simulations"], counter["seconds"] = 0, 0.0

    def distance(x: dict[str, float], x0: dict[str, float]) -> float:
        total = 0.0
        for target, row in rows.items():
            z = pattern_z(
                float(row["value"]),
                float(row["se"]),
                float(row["pass_se"]),
                bool(row["one_sided"]),
                float(x[target]),
                float(x[f"{target}|se"]),
            )
            total += (z if math.isfinite(z) else 10.0) ** 2
        return math.sqrt(total)

    abc = pyabc.ABCSMC(
        [simulator(i) for i in range(len(theories))],
        priors,
        distance,
        population_size=args.particles,
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    database = Path(tempfile.mkdtemp()) / "abc.db"
    abc.new(f"sqlite:///{database}", observed | {f"{t}|se": 0.0 for t in observed})
    start = time.perf_counter()
    history = abc.run(max_nr_populations=args.generations)
    wall = time.perf_counter() - start
    per = counter["seconds"] / max(1, counter["simulations"])
    print(f"{counter['simulations']} simulations in {wall:.0f} s wall ({per:.2f} s per simulation of 4 organizations)")
    probabilities = history.get_model_probabilities()
    last = probabilities.iloc[-1]
    print(
        "model probabilities (last generation; noise at this size): "
        + ", ".join(f"{theories[int(i)].name} {p:.2f}" for i, p in last.items())
    )
    per_sim = counter["simulations"] / max(1, args.particles * args.generations)
    for reps in (spec.sizes["quick"].replications, 300, spec.sizes["full"].replications):
        cost = (overhead + slope * reps) * 1000 * 6 * per_sim
        print(
            f"1,000 particles x 6 generations at {reps} runs ({per_sim:.1f} simulations per accepted particle as "
            f"here): about {cost / 3600:.1f} hours on one core"
        )


if __name__ == "__main__":
    main()
