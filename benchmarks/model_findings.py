"""What the model gives at the defaults: decision times, learning, informal share, ablations.

Prints the tables of the model-v2 note and CHANGELOG (not a test: a finding, whatever it is).

    python benchmarks/model_findings.py [--replications 2000] [--traced 150]

Batch engine for the row statistics; the reference engine (same stream, so the same runs)
on the first ``--traced`` replicates for the share of failed votes followed by the same
proposal.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from corridors.engines import run_replications
from corridors.engines.reference import Committee
from corridors.scenario import load_scenario
from corridors.scenario.schema import INTERPERSONAL_MECHANISMS

PRESETS = ("au", "eu", "oas", "osce")
ABLATIONS = ("realist", *INTERPERSONAL_MECHANISMS, "posturing", "capital_review", "entrenchment", "emergency_meeting")


def overrides(ablation: str | None) -> list[str]:
    if ablation is None:
        return []
    if ablation == "realist":
        return ["realist=true"]
    return [f"mechanisms.{ablation}=false"]


def repeat_share(preset: str, replicates: int, seed: int) -> float:
    """Share of failed votes after which the setter proposed the same x again."""
    scenario = load_scenario(preset)
    same = total = 0
    for r in range(replicates):
        committee = Committee(scenario, seed=seed, replicate=r)
        committee.run()
        xs = np.array(committee.proposals)
        if xs.size > 1:
            same += int((np.abs(np.diff(xs)) < 1e-12).sum())
            total += xs.size - 1
    return same / total if total else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=2000)
    parser.add_argument("--traced", type=int, default=150)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    summary = []
    ablation_rows = []
    for preset in PRESETS:
        scenario = load_scenario(preset)
        big = {m.code for m in scenario.members if m.big_player}
        rows = run_replications(scenario, replications=args.replications, seed=args.seed)
        decided = rows[rows["decided"]]
        summary.append(
            {
                "preset": preset,
                "decided": rows["decided"].mean(),
                "mean decision day": decided["decision_day"].mean(),
                "median decision day": decided["decision_day"].median(),
                "mean response months": decided["response_months"].mean(),
                "median response months": decided["response_months"].median(),
                "same x after failed vote": repeat_share(preset, args.traced, args.seed),
                "informal share": rows["informal_share"].mean(),
                "formal updates": rows["formal_updates"].mean(),
                "runs with formal updates": (rows["formal_updates"] > 0).mean(),
                "big player pivotal": rows["pivotal_member"].isin(big).mean(),
            }
        )
        base = decided["decision_day"].mean()
        for ablation in ABLATIONS:
            variant = run_replications(
                load_scenario(preset, overrides(ablation)), replications=args.replications, seed=args.seed
            )
            got = variant[variant["decided"]]["decision_day"]
            se = np.sqrt(got.var(ddof=1) / max(len(got), 1) + decided["decision_day"].var(ddof=1) / len(decided))
            ablation_rows.append(
                {
                    "preset": preset,
                    "off": ablation,
                    "decided": variant["decided"].mean(),
                    "mean decision day": got.mean(),
                    "change (days)": got.mean() - base,
                    "2 SE": 2 * se,
                }
            )
        print(f"done {preset}", flush=True)
    pd.set_option("display.width", 200)
    print(pd.DataFrame(summary).round(3).to_string(index=False))
    table = pd.DataFrame(ablation_rows).round(2)
    wide = table.pivot(index="off", columns="preset", values="change (days)").reindex(ABLATIONS)
    print()
    print(wide.to_string())
    print()
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
