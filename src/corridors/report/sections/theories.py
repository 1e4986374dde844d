"""Section 1: which theories survive, the theory bench's scorecard, and whose fit the report uses after it.

It reads a bench's outputs (:func:`~corridors.calibration.bench.shipped.load_bench_outputs`):
the report's own bench (``--recalibrate``) or the outputs shipped in the package. One row per
theory of the bench spec (fitted, not built on this model, or not run at this size), the
patterns that rejected each, fitted values with every value within 1% of a box edge flagged
(recomputed here from each theory's parameter table), one row per pattern with each theory's
z and verdict, and the scorecard figure. Without bench outputs it says so, and that the later
sections use today's calibration (``calibrated.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from corridors.calibration.bench.shipped import NOT_BUILT, NOT_RUN, BenchOutputs, theory_state
from corridors.report.page import ReportFigure, ReportTable, Section
from corridors.report.sections.base import Context

ID = "theories"
TITLE = "Which theories survive: the theory bench"
STAGE = "theories"

__all__ = ["ID", "STAGE", "TITLE", "Tables", "bench_answer_sentence", "build", "outputs_of", "sentence", "tables"]


@dataclass(frozen=True)
class BenchCaption:
    """Where the scorecard comes from: the bench outputs' folder, size, replications, seed, version, date."""

    where: str

    def text(self) -> str:
        return f"From {self.where}; pass at |z| < 2 (docs/CALIBRATION.md, 'The theory bench')."

    def __str__(self) -> str:
        return self.text()


class Tables(NamedTuple):
    scorecard: pd.DataFrame
    """One row per theory of the bench (fitted or not)."""
    patterns: pd.DataFrame
    """One row per scored pattern: observed, SE, each fitted theory's z and verdict."""
    full: pd.DataFrame
    """The scorecard with a row for every theory of the bench, those not run included."""


def outputs_of(ctx: Context) -> BenchOutputs | None:
    """The bench outputs the section reads: the report's own (``--recalibrate``), else the shipped ones, else None."""
    from corridors.calibration.bench.shipped import has_bench_outputs, load_bench_outputs

    folder = ctx.bench_folder
    if not has_bench_outputs(folder):
        return None
    return load_bench_outputs(folder)


def _text(value: Any) -> str | None:
    """A text cell: None (shown as a dash) for an empty or missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _fitted_values(parameters: pd.DataFrame) -> tuple[str | None, str | None]:
    """The fitted values (each at a box edge flagged) and the list of those at an edge, from a parameter table."""
    from corridors.calibration.bench.fit import at_box_edge

    if not len(parameters):
        return "(nothing to fit)", None
    values, edges = [], []
    for _, row in parameters.iterrows():
        value, low, high = float(row["value"]), float(row["box_low"]), float(row["box_high"])
        edge = at_box_edge(value, low, high)
        values.append(
            f"{row['parameter']}={value:.4g}" + (f" [AT {edge.upper()} EDGE of {low:g}-{high:g}]" if edge else "")
        )
        if edge:
            edges.append(f"{row['parameter']} ({edge} edge)")
    return "; ".join(values), ("; ".join(edges) or None)


def full_scorecard(outputs: BenchOutputs) -> pd.DataFrame:
    """The scorecard with a row ``not run at this size`` for each theory of the bench the run left out."""
    card = outputs.scorecard.copy()
    known = set(card["theory"])
    extra = [
        {"theory": row["theory"], "label": row["label"], "status": NOT_RUN, "survives": False}
        for _, row in outputs.theories().iterrows()
        if row["theory"] not in known
    ]
    if extra:
        card = pd.concat([card, pd.DataFrame(extra)], ignore_index=True)
        card["survives"] = card["survives"].eq(True)
    return card


def tables(outputs: BenchOutputs) -> Tables:
    """The scorecard (one row per theory) and the patterns (one row per pattern) of a bench's outputs."""
    from corridors.calibration.bench.report import column_label

    card = full_scorecard(outputs)
    records = []
    for _, row in card.iterrows():
        state = theory_state(str(row["status"]))
        fitted = state == "fitted"
        values, edges = _fitted_values(outputs.table("parameters", str(row["theory"]))) if fitted else (None, None)

        def number(column: str, fitted: bool = fitted, row: pd.Series = row) -> float | None:
            return float(row[column]) if fitted and column in row and row[column] == row[column] else None

        records.append(
            {
                "theory": row["theory"],
                "label": row["label"],
                "state": state,
                "survives": ("yes" if bool(row["survives"]) else "no") if fitted else None,
                "patterns_passed": int(row["patterns_passed"]) if fitted else None,
                "patterns_scored": int(row["patterns"]) if fitted else None,
                "rejected_by": _text(row.get("patterns_failed")) if fitted else None,
                "aic_like": number("aic_like"),
                "objective": number("objective"),
                "held_out_rmse_months": number("held_out_rmse_months"),
                "fitted_values": values,
                "at_box_edge": edges,
                "mechanisms_with_effect": _text(row.get("mechanisms_with_effect")) if fitted else None,
                "predictive_checks_failed": _text(row.get("predictive_checks_failed")) if fitted else None,
                "why_not_fitted": None
                if fitted
                else (str(row["status"]).split(": ", 1)[-1] if state == NOT_BUILT else "left out of this run"),
            }
        )
    scorecard = pd.DataFrame(records)
    for column in ("patterns_passed", "patterns_scored"):
        scorecard[column] = scorecard[column].astype("Int64")
    fitted_names = [str(t) for t, s in zip(card["theory"], card["status"], strict=True) if s == "fitted"]
    zcols = [c.removesuffix("|z") for c in card.columns if c.endswith("|z")]
    by_theory = card.set_index("theory")
    observed = outputs.patterns.set_index("target") if len(outputs.patterns) else pd.DataFrame()
    rows = []
    for target in zcols:
        record: dict[str, Any] = {
            "pattern": target,
            "what": column_label(f"{target}|x").removesuffix(": x"),
            "observed": float(by_theory[f"{target}|observed"].dropna().iloc[0])
            if by_theory[f"{target}|observed"].notna().any()
            else None,
            "se": float(observed.loc[target, "se"]) if target in observed.index else None,
        }
        for name in fitted_names:
            z = by_theory.loc[name, f"{target}|z"]
            ok = by_theory.loc[name, f"{target}|pass"]
            record[f"{name}: z"] = float(z) if z == z else None
            record[f"{name}: verdict"] = (
                None if ok is None or ok != ok else ("pass" if ok in (True, "True") else "FAIL")
            )
        rows.append(record)
    return Tables(scorecard, pd.DataFrame(rows), card)


def sentence(full: pd.DataFrame, chosen_by: str) -> str:
    """The scorecard's sentence (:func:`~corridors.calibration.bench.report.summary_sentence`) and whose fit follows."""
    from corridors.calibration.bench.report import summary_sentence

    return f"{summary_sentence(full)} The sections that follow use {chosen_by}."


def bench_answer_sentence(ctx: Context) -> str:
    """One sentence for the report's answer: which theories survive the bench, and the best; or that none was run."""
    from corridors.calibration.bench.report import best_theory

    outputs = outputs_of(ctx)
    if outputs is None:
        return (
            "No theory bench was run for this report, so it cannot say which rival theory survives the patterns; "
            "its simulations use today's calibration of model v2."
        )
    card = full_scorecard(outputs)
    fitted = card[card["status"] == "fitted"]
    if not len(fitted):
        return f"None of the bench's {len(card)} theories could be fitted on this model."
    best = best_theory(card)
    row = fitted.set_index("theory").loc[best]
    total = int(fitted["patterns"].max())
    survivors = fitted[fitted["survives"]]
    not_fitted = len(card) - len(fitted)
    unfitted = f" ({not_fitted} of the {len(card)} not fitted here)" if not_fitted else ""
    if len(survivors):
        names = ", ".join(str(x) for x in survivors["label"])
        return (
            f"Of the {len(fitted)} theories fitted on the bench{unfitted}, {len(survivors)} reproduce all {total} "
            f"patterns ({names}); the best is {row['label']}, whose fit the simulations below use."
        )
    return (
        f"None of the {len(fitted)} theories fitted on the bench{unfitted} reproduces all {total} patterns; the "
        f"closest is {row['label']} ({int(row['patterns_passed'])} of {total}), whose fit the simulations below use."
    )


def build(ctx: Context) -> Section:
    from corridors.calibration.bench.report import scorecard_figure
    from corridors.report.figures import png

    chosen_by = str(ctx.parameters.get("chosen_by", ctx.parameters.get("source", "the presets' defaults")))
    outputs = outputs_of(ctx)
    if outputs is None:
        return Section(
            ID,
            TITLE,
            "No theory bench outputs are shipped with this package or were run for this report, so no rival "
            f"theory is scored here; the sections that follow use {chosen_by}.",
            notes=[
                "Run the bench with corridors calibrate --bench (docs/CALIBRATION.md) or this report with "
                "--recalibrate."
            ],
        )
    t = tables(outputs)
    caption = BenchCaption(outputs.describe())
    m = outputs.manifest
    notes = [
        "A theory survives when every pattern's |z| < 2 (z of the observed against the simulated value, with "
        "both uncertainties); a fitted value within 1% of its box's width from an edge is flagged AT ... EDGE "
        "(its standard error means nothing there).",
    ]
    if m:
        seconds = ", ".join(
            f"{x['name']} {x['seconds']:.0f} s"
            for x in m.get("theories", [])
            if "seconds" in x and x["state"] == "fitted"
        )
        notes.append(
            f"Bench run: {m.get('command') or 'corridors calibrate --bench'}; theories fitted: "
            f"{', '.join(m.get('theories_available', [])) or 'none'}; "
            f"wall time per theory: {seconds or 'not recorded'}."
        )
    for state, why in ((NOT_BUILT, "this model's schema refuses their structural choices"), (NOT_RUN, "")):
        names = t.scorecard.loc[t.scorecard["state"] == state, "label"]
        if len(names):
            notes.append(f"{state.capitalize()}: {', '.join(names)}" + (f" ({why})." if why else "."))
    return Section(
        ID,
        TITLE,
        sentence(t.full, chosen_by),
        tables=[
            ReportTable("theories_scorecard", "The scorecard: one row per theory", t.scorecard, caption),
            ReportTable(
                "theories_patterns", "Each pattern: observed, and each theory's z and verdict", t.patterns, caption
            ),
        ],
        figures=[
            ReportFigure(
                "theories_scorecard",
                "Each pattern's z at each theory's fit",
                png(scorecard_figure(t.full)),
                "heat map of each pattern's z per fitted theory; failures outlined",
            )
        ],
        notes=notes,
    )
