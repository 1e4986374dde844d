"""What model v3's built choices do, at the shipped calibrated values (issue 20, item 6).

For the four presets (au, eu, oas, osce) under v2, under each theory choice alone and under
all three together (a choice this schema refuses is reported as "not built"):
mean and median decision day, the shares decided within 4 and within 30 days, mean
response months, the decision-day order of the organizations, and the effect on the mean
decision day of six mechanisms each switched off (paired: every variant shares the base
scenario's random streams, so the difference is per replicate; 95% normal interval).
Undecided runs count at the horizon (``max_days``) in the decision-day means and
differences. Nothing here is tuned: it prints what the model does.

    python benchmarks/model_v3.py [--reps 2000] [--seed 20] [--workers 0]
"""

from __future__ import annotations

import argparse
from importlib.resources import files

import numpy as np
import pandas as pd

from corridors.calibration import parameter_overrides
from corridors.engines import run_replications
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario

PRESETS = ("au", "eu", "oas", "osce")
CHOICES = {
    "consensus": ["theory.convening=consensus"],
    "peers": ["theory.agency=peers"],
    "informed": ["theory.capitals=informed"],
}
THEORIES = {"v2": [], **CHOICES, "all three": [o for overrides in CHOICES.values() for o in overrides]}
"""v2, each choice of issue 20 alone, and the three together (the paper's full chain)."""
SWITCHES = ("info_sharing", "gossip", "posturing", "meeting_fatigue", "crowding_out", "caucus_reporting")


def decision_days(rows: pd.DataFrame) -> np.ndarray:
    """Decision day, undecided runs at the horizon."""
    return np.where(rows["decided"], rows["decision_day"], rows["horizon_days"]).astype(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", "--replications", dest="replications", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    calibrated = parameter_overrides(str(files("corridors.calibration") / "data" / "calibrated.yaml"))
    print(f"{args.replications} replications a cell, seed {args.seed}, calibrated: {' '.join(calibrated)}")
    for theory, choice in THEORIES.items():
        print(f"\n== {theory}" + (f" ({' '.join(choice)})" if choice else ""))
        try:
            load_scenario(PRESETS[0], [*calibrated, *choice])
        except CorridorsError as exc:
            print(f"not built: {exc}")
            continue
        print("org   mean  median  <=4d   <=30d  resp.months  " + "  ".join(f"-{s} (95% CI)" for s in SWITCHES))
        means = {}
        for preset in PRESETS:
            base = load_scenario(preset, [*calibrated, *choice])
            key = base.content_hash()
            rows = run_replications(
                base,
                replications=args.replications,
                seed=args.seed,
                engine="batch",
                workers=args.workers,
                stream_key=key,
            )
            days = decision_days(rows)
            decided = rows["decision_day"].dropna()
            means[preset] = days.mean()
            effects = []
            for switch in SWITCHES:
                off = load_scenario(preset, [*calibrated, *choice, f"mechanisms.{switch}=false"])
                other = run_replications(
                    off,
                    replications=args.replications,
                    seed=args.seed,
                    engine="batch",
                    workers=args.workers,
                    stream_key=key,
                )
                diff = decision_days(other) - days
                half = 1.96 * diff.std(ddof=1) / np.sqrt(diff.size)
                effects.append(f"{diff.mean():+6.1f} [{diff.mean() - half:+.1f}, {diff.mean() + half:+.1f}]")
            print(
                f"{preset:4s} {days.mean():6.1f} {np.median(days):6.1f} {(decided <= 4).sum() / len(rows):6.3f} "
                f"{(decided <= 30).sum() / len(rows):6.3f} {rows['response_months'].mean():8.2f}     "
                + "  ".join(effects)
            )
        order = " > ".join(p.upper() for p in sorted(means, key=means.get, reverse=True))
        print(f"decision-day order (slowest first): {order}")


if __name__ == "__main__":
    main()
