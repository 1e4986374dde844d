"""The bench's patterns, each with its uncertainty, and the simulated value of each from per-organization moments.

Patterns (docs/CALIBRATION.md, "The bench's patterns"), one row each:

* **Table 1** means (``response_months:ORG``), as :func:`~corridors.calibration.targets.calibration_targets`;
* **the order of organizations**: the paper's finding that the EU is slowest, as the gap
  ``eu_gap_months:EU`` = EU mean - mean of the other three, its SE propagated from Table 1's;
* **the decision phase** of the shipped sample (demand to decision, UNSC/host demands): the
  shares decided within 7, 30 and 90 days, per organization with at least ``min_decisions``
  timed decisions, the others pooled (weights = their numbers of timed decisions);
* **the survey**: friends, the zero-friend share, the informal share, and first calls when the
  rows record them (``first_call_share``, model v3; otherwise an input, as before);
* **the OAS 2008 case**: the share of OAS runs deciding within 4 days, one-sided: at least 5%.

Table 2 (contacts per week) stays an input: reported, never fitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from corridors.calibration.bench.spec import BenchSpec
from corridors.calibration.targets import _agresti_coull_se, calibration_targets, decision_times

__all__ = ["PATTERN_GROUPS", "bench_patterns", "pattern_difference_se", "pattern_moments", "pattern_z"]

PATTERN_GROUPS = ("table1", "order", "decisions", "survey", "case", "input")

_COLUMNS = [
    "target",
    "group",
    "measure",
    "moment",
    "organization",
    "members",
    "weights",
    "kind",
    "value",
    "se",
    "pass_se",
    "one_sided",
    "n",
    "is_input",
    "source",
    "se_source",
]


def _rows_record_first_calls() -> bool:
    from corridors.engines.rows import ROW_SCHEMA

    return "first_call_share" in ROW_SCHEMA.names


def bench_patterns(spec: BenchSpec, *, sample: str | None = None) -> pd.DataFrame:
    """Every pattern of the bench with its value, SE, source, and how to simulate it.

    ``moment``/``members``/``weights``/``kind`` say how the simulated value is built from the
    organizations' moments (``moment``, per organization): ``mean`` (a weighted mean; ``all``
    = the fitted organizations, equal weights) or ``gap`` (the first member minus the mean of the others).
    ``pass_se`` is the SE the pass rule uses when it differs from ``se`` (the OAS bound:
    0, the simulation's own SE alone); ``one_sided`` patterns are bounds from below.

    Examples
    --------
    >>> from corridors.calibration.bench.spec import load_bench, shipped_bench
    >>> p = bench_patterns(load_bench(shipped_bench())).set_index("target")
    >>> sorted(p.loc[p["group"] == "decisions"].index)[:3]
    ['decided_within_30d:AU+OSCE', 'decided_within_30d:EU', 'decided_within_7d:AU+OSCE']
    >>> bool(p.loc["decided_within_4d:OAS", "one_sided"]), float(p.loc["decided_within_4d:OAS", "value"])
    (True, 0.05)
    """
    orgs: list[str] = list(spec.organizations)
    base = calibration_targets(n_operations=spec.n_operations, sample=sample)
    base = base[~base["measure"].str.startswith("decided_within")]
    base = base[base["organization"].isin([*orgs, "all"])]
    rows: list[dict[str, object]] = []
    first_calls = _rows_record_first_calls()
    for record in base.to_dict("records"):
        measure = str(record["measure"])
        is_input = bool(record["is_input"])
        group = "table1" if measure == "response_months" else "input" if is_input else "survey"
        if measure == "first_call_share" and first_calls:
            is_input, group = False, "survey"
            record["se_source"] = "binomial, Agresti-Coull, n=50 (simulated: the rows' first_call_share)"
        rows.append(
            {
                **record,
                "group": group,
                "is_input": is_input,
                "members": str(record["organization"]),
                "weights": "1",
                "kind": "mean",
                "pass_se": math.nan,
                "one_sided": False,
            }
        )
    table1 = base[base["measure"] == "response_months"].set_index("organization")
    if "EU" in orgs and len(orgs) >= 2:
        others = [o for o in orgs if o != "EU"]
        gap = float(table1.loc["EU", "value"] - table1.loc[others, "value"].mean())
        others_var = float((table1.loc[others, "se"] ** 2).sum()) / len(others) ** 2
        se = math.sqrt(float(table1.loc["EU", "se"]) ** 2 + others_var)
        rows.append(
            {
                "target": "eu_gap_months:EU",
                "group": "order",
                "measure": "eu_gap_months",
                "organization": "EU",
                "moment": "response_months",
                "members": ",".join(["EU", *others]),
                "weights": "1",
                "kind": "gap",
                "value": gap,
                "se": se,
                "pass_se": math.nan,
                "one_sided": False,
                "n": float(len(orgs)),
                "is_input": False,
                "source": "Hardt 2012, Table 1: the EU slowest (its mean minus the mean of the others, months)",
                "se_source": "propagated from Table 1's SEs (independent means)",
            }
        )
    decisions = decision_times(sample)
    decisions = decisions[decisions["organization"].isin(orgs)]
    counts = decisions.groupby("organization").size()
    own = [o for o in orgs if counts.get(o, 0) >= spec.patterns.min_decisions]
    pooled = [o for o in orgs if 0 < counts.get(o, 0) < spec.patterns.min_decisions]
    groups: list[tuple[str, list[str]]] = [(o, [o]) for o in own]
    if pooled:
        groups.append(("+".join(pooled), pooled))
    for label, members in groups:
        days = decisions.loc[decisions["organization"].isin(members), "decision_days"]
        weights = [float(counts[m]) / len(days) for m in members]
        pooling = (
            ""
            if len(members) == 1
            else (
                f"; pooled: {', '.join(f'{m} {int(counts[m])}' for m in members)} timed decisions, each organization's "
                f"simulated share weighted by its number"
            )
        )
        for horizon in spec.patterns.decision_horizons_days:
            x = float((days <= horizon).sum())
            rows.append(
                {
                    "target": f"decided_within_{horizon}d:{label}",
                    "group": "decisions",
                    "measure": f"decided_within_{horizon}d",
                    "organization": label,
                    "members": ",".join(members),
                    "weights": ",".join(f"{w:.6g}" for w in weights),
                    "kind": "mean",
                    "value": x / len(days),
                    "se": _agresti_coull_se(x, len(days)),
                    "pass_se": math.nan,
                    "one_sided": False,
                    "n": float(len(days)),
                    "is_input": False,
                    "source": f"peace_ops_sample.csv: demand-to-decision days, UNSC/host demands ({len(days)} "
                    f"operations{pooling})",
                    "se_source": f"binomial, Agresti-Coull, n={len(days)}",
                }
            )
    if "OAS" in orgs:
        p = spec.patterns
        rows.append(
            {
                "target": f"decided_within_{p.oas_case_days}d:OAS",
                "group": "case",
                "measure": f"decided_within_{p.oas_case_days}d",
                "organization": "OAS",
                "members": "OAS",
                "weights": "1",
                "kind": "mean",
                "value": p.oas_case_at_least,
                "se": p.oas_case_objective_se,
                "pass_se": 0.0,
                "one_sided": True,
                "n": 1.0,
                "is_input": False,
                "source": "Hardt 2012: the OAS Permanent Council's resolution of 5 March 2008, four days after the "
                f"raid; 'possible, not rare': at least {p.oas_case_at_least:g} of runs",
                "se_source": (
                    f"a bound (one observed case; {p.oas_case_at_least:g} is the one-sided 95% lower "
                    f"Clopper-Pearson bound of 1 of 1): passes unless the simulated share is 2 simulation "
                    f"SEs below it; weight in the objective as an SE of {p.oas_case_objective_se:g}"
                ),
            }
        )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["moment"] = out["moment"].fillna(out["measure"])
    for column in ("value", "se", "pass_se", "n"):
        out[column] = out[column].astype(float)
    out["one_sided"] = out["one_sided"].astype(bool)
    out["is_input"] = out["is_input"].astype(bool)
    return out


def _members(row: Mapping[str, object], organizations: Sequence[str]) -> tuple[list[str], np.ndarray] | None:
    """The organizations a pattern is built from and their weights, or None when one is not simulated."""
    members = str(row["members"])
    if members == "all":
        if not organizations:
            return None
        return list(organizations), np.full(len(organizations), 1.0 / len(organizations))
    names = members.split(",")
    if any(name not in organizations for name in names):
        return None
    if row["kind"] == "gap":
        return names, np.array([1.0, *([-1.0 / (len(names) - 1)] * (len(names) - 1))])
    return names, np.array([float(w) for w in str(row["weights"]).split(",")])


def pattern_moments(patterns: pd.DataFrame, by_org: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Simulated value and simulation SE of every pattern computable from ``by_org`` (moments per organization).

    Organizations are simulated on separate streams, so their SEs combine as independent.
    """
    orgs = list(by_org)
    out: dict[str, tuple[float, float]] = {}
    for row in patterns.to_dict("records"):
        chosen = _members(row, orgs)
        if chosen is None:
            continue
        names, weights = chosen
        measure = str(row["moment"])
        if any(measure not in by_org[n].index for n in names):
            continue
        values = np.array([float(by_org[n].loc[measure, "value"]) for n in names])
        ses = np.array([float(by_org[n].loc[measure, "sim_se"]) for n in names])
        if not np.all(np.isfinite(values)):
            continue
        out[str(row["target"])] = (float(weights @ values), float(math.sqrt(float((weights**2) @ (ses**2)))))
    return pd.DataFrame.from_dict(out, orient="index", columns=["value", "sim_se"])


def pattern_difference_se(patterns: pd.DataFrame, by_org: Mapping[str, pd.Series]) -> pd.Series:
    """Replicate-paired SE of each pattern's difference between two evaluations, from each organization's."""
    orgs = list(by_org)
    out: dict[str, float] = {}
    for row in patterns.to_dict("records"):
        chosen = _members(row, orgs)
        if chosen is None:
            continue
        names, weights = chosen
        measure = str(row["moment"])
        if any(measure not in by_org[n].index for n in names):
            continue
        ses = np.array([float(by_org[n][measure]) for n in names])
        out[str(row["target"])] = float(math.sqrt(float((weights**2) @ (ses**2))))
    return pd.Series(out, name="difference_se", dtype=float)


def pattern_z(value: float, se: float, pass_se: float, one_sided: bool, simulated: float, sim_se: float) -> float:
    """The scorecard's z of a pattern: (simulated - observed) / SE, the SE combining the pattern's and the
    simulation's; a one-sided bound is 0 when met and uses ``pass_se`` (the bound's own, 0) with the simulation SE.

    Examples
    --------
    >>> pattern_z(5.0, 1.0, math.nan, False, 7.0, 0.0)
    2.0
    >>> pattern_z(0.05, 0.025, 0.0, True, 0.10, 0.01), round(pattern_z(0.05, 0.025, 0.0, True, 0.03, 0.01), 6)
    (0.0, -2.0)
    """
    if not (math.isfinite(simulated) and math.isfinite(value)):
        return math.nan
    base = pass_se if math.isfinite(pass_se) else se
    scale = math.sqrt(base**2 + (sim_se if math.isfinite(sim_se) else 0.0) ** 2)
    residual = simulated - value
    if one_sided:
        residual = min(0.0, residual)
        if residual == 0.0:
            return 0.0
    return residual / scale if scale > 0 else math.copysign(math.inf, residual)
