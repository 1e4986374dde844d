"""The whole bench: every theory fitted the same way, the scorecard, and the outputs written atomically.

:func:`run_bench` fits every theory of a :class:`~.spec.BenchSpec` at one of its sizes
(:func:`~.fit.fit_theory`; an unavailable theory is kept as a row saying why);
:func:`build_scorecard` makes one row per theory; :func:`write_bench_outputs` writes
``scorecard.csv``, ``scorecard.png``, the patterns, each theory's tables and the parameter
file of the best surviving theory (``best.yaml``), each file whole or absent.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from corridors._atomic import atomic_output
from corridors._version import __version__
from corridors.calibration.bench.fit import TheoryResult, fit_theory
from corridors.calibration.bench.patterns import bench_patterns, pattern_z
from corridors.calibration.bench.spec import BenchSize, BenchSpec
from corridors.calibration.simulate import holding_store
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from corridors.experiments.executors import Executor

__all__ = [
    "BENCH_WORLDS_MB",
    "BenchResult",
    "build_scorecard",
    "evaluations_estimate",
    "run_bench",
    "write_bench_outputs",
]

BENCH_WORLDS_MB = 2048.0
"""Megabytes of routine worlds each process keeps during one theory's fits (corridors.engines.worlds).

About 8 routine points of the four organizations at the full size (an OSCE world is 35 kB, so
2,000 replications of the four take about 250 MB): the screen's centre, the fit and the
leave-one-out fits that start from it stay cached while routine candidates move."""


@dataclass
class BenchResult:
    """The bench's theories, patterns and scorecard."""

    spec: BenchSpec
    size_name: str
    size: BenchSize
    patterns: pd.DataFrame
    theories: dict[str, TheoryResult]
    scorecard: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def evaluations_estimate(spec: BenchSpec, size: BenchSize) -> int:
    """Organization-evaluations the bench takes at most (a progress bar's total)."""
    from corridors.calibration.bench.spec import theory_status

    orgs = len(spec.organizations)
    total = 0
    for theory in spec.theories:
        status = theory_status(spec, theory)
        if not status.available:
            continue
        c, k = len(status.active), min(size.max_parameters, len(status.active))
        screen = 2 * c if size.screen else 0
        fit = 1 + screen + size.max_evaluations + (2 * k if size.standard_errors else 0) + 1
        loo = orgs * (orgs - 1) * (size.loo_max_evaluations + 1) + orgs if size.leave_one_out else 0
        mechanisms = spec.mechanisms if size.mechanisms is None else size.mechanisms
        ablations = (len(mechanisms) + len(theory.overrides)) if size.ablations else 0
        total += fit * orgs + loo + ablations * orgs
    return max(total, 1)


def run_bench(
    spec: BenchSpec,
    *,
    size: str = "full",
    store: str | Path,
    executor: Executor | None = None,
    progress: Callable[[str, int], None] | None = None,
    theories: Sequence[str] | None = None,
) -> BenchResult:
    """Fit every theory (or those named) at ``size`` ('quick', 'medium' or 'full') and score them.

    Every evaluation is kept in ``store``: a killed bench started again replays each
    theory's deterministic path from it and goes on where it stopped.
    """
    if size not in spec.sizes:
        raise CorridorsError(f"size: the bench has sizes {', '.join(spec.sizes)}, not '{size}'")
    from corridors.calibration.bench.spec import candidate_box, theory_status
    from corridors.engines.worlds import reusing_worlds

    chosen = [spec.theory(name) for name in theories] if theories else list(spec.theories)
    for theory in chosen:  # every box checked before anything runs
        for name in theory_status(spec, theory).active:
            candidate_box(spec, name)
    patterns = bench_patterns(spec)
    results: dict[str, TheoryResult] = {}
    seconds: dict[str, float] = {}
    with holding_store(store):  # one open (and one check) of the store for the whole bench
        for theory in chosen:
            start = time.perf_counter()
            with reusing_worlds(BENCH_WORLDS_MB):  # the fit, leave-one-out and ablations of a theory share worlds
                results[theory.name] = fit_theory(
                    spec,
                    theory,
                    spec.sizes[size],  # type: ignore[index]
                    patterns,
                    store=store,
                    executor=executor,
                    progress=progress,
                )
            seconds[theory.name] = time.perf_counter() - start
    scorecard = build_scorecard(results, patterns)
    return BenchResult(spec, size, spec.sizes[size], patterns, results, scorecard, seconds)  # type: ignore[index]


def _edge_note(row: pd.Series) -> str:
    return f" [{row['at_box_edge']} edge of {row['box_low']:g}-{row['box_high']:g}]" if row["at_box_edge"] else ""


def build_scorecard(results: dict[str, TheoryResult], patterns: pd.DataFrame) -> pd.DataFrame:
    """One row per theory: each pattern's observed, simulated, z and pass; the objective, held-out RMSE,
    fitted parameters (box edges flagged), an AIC-like criterion, mechanisms with an effect, predictive checks.
    """
    scored = patterns[~patterns["is_input"]].set_index("target")
    records = []
    for name, result in results.items():
        theory = result.theory
        record: dict[str, Any] = {
            "theory": name,
            "label": theory.title,
            "reading": theory.reading,
            "structure": "; ".join(theory.overrides) or "(v2)",
            "status": "fitted" if result.fit is not None else f"unavailable: {result.status.reason}",
        }
        fit = result.fit
        passed: list[str] = []
        failed: list[str] = []
        for target, p in scored.iterrows():
            simulated, sim_se = math.nan, math.nan
            if fit is not None and target in fit.moments_.index:
                simulated = float(fit.moments_.loc[target, "simulated"])
                sim_se = float(fit.moments_.loc[target, "sim_se"])
            z = pattern_z(
                float(p["value"]), float(p["se"]), float(p["pass_se"]), bool(p["one_sided"]), simulated, sim_se
            )
            ok = bool(abs(z) < 2) if math.isfinite(z) else None
            record[f"{target}|observed"] = float(p["value"])
            record[f"{target}|simulated"] = simulated
            record[f"{target}|z"] = z
            record[f"{target}|pass"] = ok
            if ok is True:
                passed.append(str(target))
            elif ok is False:
                failed.append(str(target))
        record["patterns"] = len(passed) + len(failed) if fit is not None else 0
        record["patterns_passed"] = len(passed)
        record["patterns_failed"] = ", ".join(failed)
        if fit is None:
            records.append(record)
            continue
        params = result.parameters
        k = len(params)
        record["objective"] = float(fit.objective_)
        record["fitted_parameters_count"] = k
        record["aic_like"] = float(fit.objective_) + 2.0 * k
        record["held_out_rmse_months"] = (
            float(np.sqrt(np.mean(result.loo["held_out_error"] ** 2))) if len(result.loo) else math.nan
        )
        record["fitted_parameters"] = "; ".join(
            f"{row['parameter']}={row['value']:.4g}"
            + (f" (SE {row['se']:.2g})" if math.isfinite(row["se"]) else "")
            + _edge_note(row)
            for _, row in params.iterrows()
        )
        record["at_box_edge"] = ", ".join(
            f"{row['parameter']} ({row['at_box_edge']})" for _, row in params.iterrows() if row["at_box_edge"]
        )
        if hasattr(fit, "screen_summary_"):
            summary = fit.screen_summary_
            record["not_identified"] = ", ".join(summary.loc[~summary["identified"], "parameter"].astype(str))
            record["identified_not_fitted"] = ", ".join(
                summary.loc[summary["identified"] & ~summary["fitted"], "parameter"].astype(str)
            )
        else:
            record["not_identified"] = record["identified_not_fitted"] = "(not screened at this size)"
        record["inactive_candidates"] = ", ".join(f"{n} ({why})" for n, why in result.status.inactive.items())
        if len(result.ablations):
            effect = result.ablations.groupby("switch", sort=False)["effect"].any()
            record["mechanisms_with_effect"] = ", ".join(s.removeprefix("no_") for s in effect.index[effect])
            record["mechanisms_without_effect"] = ", ".join(s.removeprefix("no_") for s in effect.index[~effect])
        else:
            record["mechanisms_with_effect"] = record["mechanisms_without_effect"] = ""
        tested = result.ppc.dropna(subset=["p_value"]) if len(result.ppc) else result.ppc
        record["predictive_checks"] = len(tested)
        record["predictive_checks_failed"] = ", ".join(
            f"{r['organization']} {r['quantity'].removesuffix('_days')} (p {r['p_value']:.2g})"
            for _, r in tested.iterrows()
            if not r["passed"]
        )
        record["predictive_min_p"] = float(tested["p_value"].min()) if len(tested) else math.nan
        table1 = fit.moments_[fit.moments_["measure"] == "response_months"]["simulated"]
        record["simulated_order"] = " > ".join(t.split(":")[1] for t in table1.sort_values(ascending=False).index)
        record["survives"] = not failed
        record["seconds"] = result.seconds
        records.append(record)
    table = pd.DataFrame(records)
    for column in ("survives",):
        if column not in table:
            table[column] = False
    table["survives"] = table["survives"].eq(True)
    return table


def _theory_document(result: TheoryResult, spec: BenchSpec, size_name: str) -> dict[str, Any]:
    fit = result.fit
    assert fit is not None
    params = result.parameters
    return {
        "format": "corridors-calibration/1",
        "theory": result.theory.name,
        "label": result.theory.title,
        "reading": result.theory.reading,
        "overrides": list(result.theory.overrides),
        "parameters": {str(r["parameter"]): float(r["value"]) for _, r in params.iterrows()},
        "standard_errors": {str(r["parameter"]): float(r["se"]) for _, r in params.iterrows()},
        "at_box_edge": {str(r["parameter"]): str(r["at_box_edge"]) for _, r in params.iterrows() if r["at_box_edge"]},
        "objective": float(fit.objective_),
        "bench": spec.name,
        "size": size_name,
        "seed": spec.seed,
        "bench_overrides": list(spec.overrides),
        "code_version": __version__,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "method": "theory bench: method of simulated moments on the bench's patterns (docs/CALIBRATION.md)",
    }


def write_bench_outputs(result: BenchResult, out: str | Path) -> list[Path]:
    """Write the scorecard (CSV, PNG), patterns, each theory's tables and ``best.yaml`` to ``out``, atomically."""
    from matplotlib.figure import Figure

    from corridors.calibration.bench.report import best_theory, scorecard_figure

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def csv(frame: pd.DataFrame, name: str) -> None:
        path = out / name
        with atomic_output(path) as partial:
            frame.to_csv(partial, index=False)
        written.append(path)

    def figure(fig: Figure, name: str) -> None:
        path = out / name
        with atomic_output(path) as partial:
            fig.savefig(partial, dpi=110, format="png")
        written.append(path)

    csv(result.scorecard, "scorecard.csv")
    csv(result.patterns, "patterns.csv")
    csv(pd.DataFrame([{"theory": k, "seconds": v} for k, v in result.seconds.items()]), "timings.csv")
    for name, theory in result.theories.items():
        if theory.fit is None:
            continue
        fit = theory.fit
        csv(theory.parameters, f"parameters_{name}.csv")
        csv(fit.moments_.reset_index(), f"moments_{name}.csv")
        csv(fit.trace_, f"trace_{name}.csv")
        if hasattr(fit, "screen_summary_"):
            csv(fit.screen_summary_, f"screen_summary_{name}.csv")
            csv(fit.collinearity_.rename_axis("pair").reset_index(), f"collinearity_{name}.csv")
        for label, frame in (
            ("leave_one_out", theory.loo),
            ("ablations", theory.ablations),
            ("predictive_check", theory.ppc),
        ):
            if len(frame):
                csv(frame, f"{label}_{name}.csv")
        path = out / f"fit_{name}.yaml"
        with atomic_output(path) as partial:
            partial.write_text(
                yaml.safe_dump(_theory_document(theory, result.spec, result.size_name), sort_keys=False),
                encoding="utf-8",
            )
        written.append(path)
    figure(scorecard_figure(result.scorecard), "scorecard.png")
    best = best_theory(result.scorecard)
    if best is not None:
        document = _theory_document(result.theories[best], result.spec, result.size_name)
        document["chosen_as"] = (
            "the best surviving theory (lowest AIC-like criterion among those passing every pattern)"
            if bool(result.scorecard.set_index("theory").loc[best, "survives"])
            else "no theory passes every pattern: the lowest AIC-like criterion of all fitted theories"
        )
        path = out / "best.yaml"
        with atomic_output(path) as partial:
            partial.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written
