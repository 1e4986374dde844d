"""The section on the calibration's fits, screen, readings and leave-one-out, read from a calibration run's CSVs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from corridors.report.page import ReportFigure, ReportTable, Section
from corridors.report.sections.base import Context, number

ID = "calibration"
TITLE = "Calibration"
STAGE = "calibration"
NEEDED = (
    "fit_interpersonal.csv",
    "fit_realist.csv",
    "readings.csv",
    "leave_one_out.csv",
    "screen_summary_interpersonal.csv",
    "screen_summary_realist.csv",
)


@dataclass(frozen=True)
class CalibrationCaption:
    """Where the calibration's tables come from: the run's folder, sizes, seed, version and scenario hashes."""

    source: str
    replications: Any
    seed: Any
    version: Any
    size: Any
    created: Any
    hashes: str

    @classmethod
    def of(cls, parameters: dict[str, Any], folder: Path | None, base: Path) -> CalibrationCaption:
        run = parameters.get("config", {})
        hashes = "; ".join(
            f"{reading}: " + ", ".join(f"{o} {h}" for o, h in values.get("scenario_hashes", {}).items())
            for reading, values in parameters.get("readings", {}).items()
        )
        return cls(
            source="the package (shipped run)" if folder is None else str(base),
            replications=run.get("replications", "?"),
            seed=run.get("seed", "?"),
            version=parameters.get("code_version", "?"),
            size=parameters.get("size", "?"),
            created=parameters.get("created", "?"),
            hashes=hashes,
        )

    def text(self) -> str:
        return (
            f"From the calibration in {self.source}: {self.replications} replications per organization and "
            f"evaluation, seed {self.seed}, corridors {self.version}, size {self.size}, created {self.created}; "
            f"scenario hashes at the fitted values: {self.hashes or 'not recorded'}."
        )

    def __str__(self) -> str:
        return self.text()


class Tables(NamedTuple):
    fits: pd.DataFrame
    screen: pd.DataFrame
    readings: pd.DataFrame
    leave_one_out: pd.DataFrame
    leave_one_out_all: pd.DataFrame


def folder_of(ctx: Context) -> Path:
    """The calibration run the section reads: the report's own (``--recalibrate``) or the shipped one."""
    from corridors.calibration.pipeline import shipped_run_folder

    return ctx.calibration_folder if ctx.calibration_folder is not None else shipped_run_folder()


def tables(base: Path) -> Tables:
    """The fitted values, the screen, the two readings and the leave-one-out of the run in ``base``."""
    fits = pd.concat(
        [pd.read_csv(base / f"fit_{r}.csv").assign(reading=r) for r in ("interpersonal", "realist")], ignore_index=True
    )[["reading", "parameter", "value", "se", "lower_95", "upper_95", "box_low", "box_high"]]
    screen = pd.concat(
        [pd.read_csv(base / f"screen_summary_{r}.csv").assign(reading=r) for r in ("interpersonal", "realist")],
        ignore_index=True,
    )
    screen = screen[["reading", "parameter", "sensitivity_norm", "noise_norm", "identified", "fitted"]]
    readings = pd.read_csv(base / "readings.csv")[
        [
            "reading",
            "parameters",
            "objective",
            "targets",
            "objective_table1",
            "objective_survey",
            "objective_decisions",
            "table1_rmse_in_sample",
            "table1_rmse_held_out",
            "slowest_in_sample",
            "slowest_held_out",
            "eu_slowest_held_out",
        ]
    ]
    loo_all = pd.read_csv(base / "leave_one_out.csv")
    loo = loo_all[loo_all["measure"] == "response_months"][
        [
            "reading",
            "held_out",
            "observed",
            "se",
            "in_sample",
            "held_out_prediction",
            "held_out_error",
            "held_out_z",
            "held_out_rank_in_its_fit",
        ]
    ].reset_index(drop=True)
    return Tables(fits, screen, readings, loo, loo_all)


def sentence(readings: pd.DataFrame) -> str:
    """The two readings' objectives, held-out errors and slowest held-out organizations."""
    r = readings.set_index("reading")
    return (
        f"With one set of parameters for all four organizations, the paper's reading reaches an objective of "
        f"{number(r.loc['interpersonal', 'objective'])} against {number(r.loc['realist', 'objective'])} for the "
        f"realist reading; held out one at a time, it predicts Table 1 with an error of "
        f"{number(r.loc['interpersonal', 'table1_rmse_held_out'])} months (RMSE) against "
        f"{number(r.loc['realist', 'table1_rmse_held_out'])}, and the slowest held-out organization is the "
        f"{r.loc['interpersonal', 'slowest_held_out']} for the paper's reading and the "
        f"{r.loc['realist', 'slowest_held_out']} for the realist one."
    )


def _calibration_document(ctx: Context) -> dict[str, Any]:
    """The calibration's parameter file: the report's own when it is one, else the shipped ``calibrated.yaml``."""
    if "readings" in ctx.parameters or ctx.calibration_folder is not None:
        return ctx.parameters
    from corridors.calibration.pipeline import read_parameter_file, shipped_parameter_file

    path = shipped_parameter_file()
    return read_parameter_file(path) if path.is_file() else {}


def build(ctx: Context) -> Section:
    from corridors.report.figures import calibration_figure, png

    base = folder_of(ctx)
    missing = [name for name in NEEDED if not (base / name).is_file()]
    if missing:
        return Section(
            ID,
            TITLE,
            f"No calibration tables were found in {base} ({', '.join(missing)} missing); run "
            "corridors reproduce --recalibrate.",
        )
    t = tables(base)
    unidentified = t.screen[(t.screen["reading"] == "interpersonal") & ~t.screen["identified"].astype(bool)]
    caption = CalibrationCaption.of(_calibration_document(ctx), ctx.calibration_folder, base)
    notes = [
        f"Not identified by any moment (the screen): {', '.join(unidentified['parameter'])}."
        if len(unidentified)
        else "Every screened parameter moves some moment beyond the simulation noise.",
        "Profiles and the method are in docs/CALIBRATION.md; the per-preset deployment lags are fixed from "
        "the data, never fitted.",
    ]
    if "readings" not in ctx.parameters:  # the later sections use another fit (the bench's best theory)
        notes.append(
            "This is model v2's calibration of its two readings (calibrated.yaml); the sections that follow use "
            f"{ctx.parameters.get('chosen_by', ctx.parameters.get('source', 'the presets defaults'))}."
        )
    return Section(
        ID,
        TITLE,
        sentence(t.readings),
        tables=[
            ReportTable(
                "calibration_fit", "Fitted values with standard errors (both readings)", t.fits, caption, digits=3
            ),
            ReportTable(
                "calibration_screen", "What the moments can tell apart (identifiability screen)", t.screen, caption
            ),
            ReportTable("calibration_readings", "The two readings side by side", t.readings, caption),
            ReportTable(
                "calibration_leave_one_out",
                "Leave one organization out: Table 1 predicted when held out",
                t.leave_one_out,
                caption,
            ),
        ],
        figures=[
            ReportFigure(
                "calibration",
                "Held-out predictions",
                png(calibration_figure(t.leave_one_out_all)),
                "observed Table 1 means and the two readings' held-out predictions",
            )
        ],
        notes=notes,
    )
