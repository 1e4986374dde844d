"""The whole calibration: both readings, four leave-one-out fits, tables, figures, the parameter file.

:func:`run_calibration` fits each reading (:data:`~corridors.calibration.fit.READINGS`)
on all four organizations, then once per organization on the other three, predicting the
held-out organization's Table 1 mean and decision-time shares at the three-organization
fit. :func:`write_outputs` writes every table as CSV, the figures as PNG and the fitted
parameter set as a versioned YAML file, which :func:`parameter_overrides` turns back into
``--set`` overrides (``corridors run --params FILE``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import yaml

from corridors._atomic import atomic_output
from corridors._version import __version__
from corridors.calibration.fit import READINGS, MSMCalibration
from corridors.calibration.targets import calibration_targets, decision_times
from corridors.errors import CorridorsError
from corridors.paper import ORGANIZATIONS

if TYPE_CHECKING:
    from corridors.experiments.executors import Executor
    from corridors.experiments.spec import ExperimentSpec

__all__ = [
    "PARAMETER_FILE_FORMAT",
    "PARAMETER_SETS",
    "SHIPPED_RUN_TABLES",
    "SIZES",
    "CalibrationConfig",
    "CalibrationResult",
    "parameter_overrides",
    "parameter_set_overrides",
    "read_parameter_file",
    "run_calibration",
    "shipped_parameter_file",
    "shipped_run_folder",
    "with_parameter_set",
    "write_outputs",
]

PARAMETER_FILE_FORMAT = "corridors-calibration/1"


@dataclass(frozen=True)
class CalibrationConfig:
    """Sizes of a calibration run (see :data:`SIZES`)."""

    replications: int = 1000
    max_evaluations: int = 36
    loo_max_evaluations: int = 24
    profile_points: int = 7
    max_parameters: int = 3
    seed: int = 2012
    readings: tuple[str, ...] = tuple(READINGS)
    organizations: tuple[str, ...] = ORGANIZATIONS
    n_operations: int = 70
    overrides: tuple[str, ...] = ()
    parameters: tuple[str, ...] | None = None
    """Parameters to fit (default: chosen by the identifiability screen)."""

    def evaluations_estimate(self) -> int:
        """Organization-evaluations a run takes at most (for a progress bar's total)."""
        k = self.max_parameters
        orgs = len(self.organizations)
        full = (1 + 12 + self.max_evaluations + 2 * k + k * (self.profile_points + 1)) * orgs
        loo = orgs * ((1 + self.loo_max_evaluations) * (orgs - 1) + 1)
        return len(self.readings) * (full + loo)


SIZES: dict[str, CalibrationConfig] = {
    "quick": CalibrationConfig(
        replications=100, max_evaluations=9, loo_max_evaluations=5, profile_points=3, max_parameters=2
    ),
    "medium": CalibrationConfig(replications=800, max_evaluations=30, loo_max_evaluations=18, profile_points=5),
    "full": CalibrationConfig(replications=2000, max_evaluations=40, loo_max_evaluations=24, profile_points=7),
}
"""Named sizes, as measured on 2 cores (docs/CALIBRATION.md): ``quick`` (1 min 16 s with a warm numba cache,
2 min 44 s on a cold one), ``medium`` (12.9 minutes), ``full`` (30.9 minutes: the run reported there)."""


@dataclass
class CalibrationResult:
    """Fits of each reading, the leave-one-out table and the comparison of readings."""

    config: CalibrationConfig
    fits: dict[str, MSMCalibration]
    loo_fits: dict[str, dict[str, MSMCalibration]]
    loo: pd.DataFrame
    comparison: pd.DataFrame
    targets: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)


def _fitter(
    config: CalibrationConfig,
    reading: str,
    store: Path,
    executor: Executor | None,
    progress: Callable[[str, int], None] | None,
    **options: Any,
) -> MSMCalibration:
    def tagged(stage: str, count: int) -> None:
        if progress is not None:
            progress(f"{reading}: {stage}", count)

    return MSMCalibration(
        reading=reading,
        replications=config.replications,
        seed=config.seed,
        store=store,
        executor=executor,
        targets=calibration_targets(n_operations=config.n_operations),
        overrides=config.overrides,
        max_parameters=config.max_parameters,
        progress=tagged,
        **options,
    )


def run_calibration(
    config: CalibrationConfig,
    *,
    store: str | Path,
    executor: Executor | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> CalibrationResult:
    """Fit every reading on all organizations and leave each organization out once.

    Parameters
    ----------
    config
        Sizes (:data:`SIZES`).
    store
        DuckDB store of every evaluation; a killed run started again resumes from it.
    executor
        Executor of the sweeps. The caller owns it: enter it around this call and one pool serves
        every fit; one not entered is entered (and its pool started) once per fit.
    progress
        Called with (stage, replications just run) after each organization's evaluation.
    """
    import time

    store = Path(store)
    targets = calibration_targets(n_operations=config.n_operations)
    fits: dict[str, MSMCalibration] = {}
    loo_fits: dict[str, dict[str, MSMCalibration]] = {}
    seconds: dict[str, float] = {}
    rows: list[dict[str, Any]] = []
    observed_decisions = decision_times()
    for reading in config.readings:
        start = time.perf_counter()
        full = _fitter(
            config,
            reading,
            store,
            executor,
            progress,
            organizations=config.organizations,
            parameters=list(config.parameters) if config.parameters else None,
            max_evaluations=config.max_evaluations,
            profile_points=config.profile_points,
        ).fit()
        fits[reading] = full
        seconds[f"{reading}: fit"] = time.perf_counter() - start
        start = time.perf_counter()
        loo_fits[reading] = {}
        for held in config.organizations:
            others = [o for o in config.organizations if o != held]
            loo = _fitter(
                config,
                reading,
                store,
                executor,
                _relabel(progress, f"leave out {held}"),
                parameters=full.parameters,
                organizations=others,
                max_evaluations=config.loo_max_evaluations,
                profile_points=0,
                standard_errors=False,
            ).fit()
            loo_fits[reading][held] = loo
            predicted = loo.predict(held)
            rows.extend(_loo_rows(reading, held, targets, full, loo, predicted, observed_decisions))
        seconds[f"{reading}: leave-one-out"] = time.perf_counter() - start
    loo_table = pd.DataFrame(rows)
    comparison = _comparison(fits, loo_table)
    return CalibrationResult(config, fits, loo_fits, loo_table, comparison, targets, seconds)


def _relabel(progress: Callable[[str, int], None] | None, label: str) -> Callable[[str, int], None] | None:
    if progress is None:
        return None

    def relabelled(stage: str, count: int) -> None:
        assert progress is not None
        progress(f"{stage.split(': ', 1)[0]}: {label}", count)

    return relabelled


def _loo_rows(
    reading: str,
    held: str,
    targets: pd.DataFrame,
    full: MSMCalibration,
    loo: MSMCalibration,
    predicted: pd.DataFrame,
    observed_decisions: pd.DataFrame,
) -> list[dict[str, Any]]:
    t = targets.set_index("target")
    in_sample = full.moments_["simulated"]
    days = observed_decisions.loc[observed_decisions["organization"] == held, "decision_days"]
    out = []
    for measure in ("response_months", "decided_within_30d", "decided_within_90d"):
        key = f"{measure}:{held}"
        if key in t.index:
            observed, se, n = float(t.loc[key, "value"]), float(t.loc[key, "se"]), float(t.loc[key, "n"])
            kind = "target"
        elif measure.startswith("decided_within") and len(days):
            horizon = int(measure.removeprefix("decided_within_").removesuffix("d"))
            observed, se, n, kind = float((days <= horizon).mean()), math.nan, float(len(days)), "descriptive"
        else:
            observed, se, n, kind = math.nan, math.nan, 0.0, "no data"
        inside = float(in_sample.get(key, math.nan))
        held_value = float(predicted.loc[key, "value"])
        # rank of the held-out prediction among all organizations under the same (three-organization) fit
        trained = loo.moments_.loc[loo.moments_["measure"] == measure, "simulated"]
        rank = 1 + int((trained > held_value).sum()) if measure == "response_months" else math.nan
        out.append(
            {
                "reading": reading,
                "held_out": held,
                "measure": measure,
                "kind": kind,
                "observed": observed,
                "se": se,
                "n_observed": n,
                "in_sample": inside,
                "in_sample_error": inside - observed,
                "held_out_prediction": held_value,
                "held_out_error": held_value - observed,
                "held_out_z": (held_value - observed) / se if se == se else math.nan,
                "held_out_rank_in_its_fit": rank,
            }
        )
    return out


def _comparison(fits: dict[str, MSMCalibration], loo: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for reading, fit in fits.items():
        m = fit.moments_
        table1 = m[m["measure"] == "response_months"]
        part = loo[(loo["reading"] == reading) & (loo["measure"] == "response_months")].set_index("held_out")
        in_sample = table1["simulated"].rename(index=lambda k: k.split(":")[1])
        rows.append(
            {
                "reading": reading,
                "parameters": ", ".join(fit.params_.index),
                "objective": fit.objective_,
                "targets": fit.n_targets_,
                "objective_table1": float(table1["contribution"].sum()),
                "objective_survey": float(m.loc[m["organization"] == "all", "contribution"].sum()),
                "objective_decisions": float(m.loc[m["measure"].str.startswith("decided"), "contribution"].sum()),
                "table1_rmse_in_sample": float((part["in_sample_error"] ** 2).mean() ** 0.5),
                "table1_rmse_held_out": float((part["held_out_error"] ** 2).mean() ** 0.5),
                "table1_mean_abs_z_held_out": float(part["held_out_z"].abs().mean()),
                "slowest_in_sample": str(in_sample.idxmax()),
                "slowest_held_out": str(part["held_out_prediction"].idxmax()),
                "eu_slowest_held_out": bool(part["held_out_prediction"].idxmax() == "EU"),
                "eu_rank_in_eu_held_out_fit": float(part["held_out_rank_in_its_fit"].get("EU", math.nan)),
                "profile_improvement": float(fit.objective_ - fit.profiles_["objective"].min())
                if len(fit.profiles_)
                else math.nan,
            }
        )
    return pd.DataFrame(rows)


# -- outputs ------------------------------------------------------------------------------


def _scenario_hashes(overrides: Sequence[str], organizations: Sequence[str]) -> dict[str, str]:
    from corridors.scenario import load_scenario

    return {org: load_scenario(org.lower(), list(overrides)).content_hash() for org in organizations}


def parameter_document(
    result: CalibrationResult, *, primary: str = "interpersonal", size: str | None = None
) -> dict[str, Any]:
    """The versioned parameter file's content (see :func:`write_outputs`)."""
    readings: dict[str, dict[str, Any]] = {}
    for reading, fit in result.fits.items():
        overrides = [*READINGS[reading], *(f"parameters.{k}={v}" for k, v in fit.params_.items())]
        readings[reading] = {
            "parameters": {
                str(k): {"value": float(v), "se": float(fit.standard_errors_[k])} for k, v in fit.params_.items()
            },
            "objective": float(fit.objective_),
            "targets": int(fit.n_targets_),
            "evaluations": int(fit.optimizer_["evaluations"]),
            "scenario_hashes": _scenario_hashes(overrides, result.config.organizations),
        }
    if primary not in readings:
        primary = next(iter(readings))
    return {
        "format": PARAMETER_FILE_FORMAT,
        "reading": primary,
        "parameters": {k: v["value"] for k, v in readings[primary]["parameters"].items()},
        "readings": readings,
        "code_version": __version__,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "size": size or "custom",
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(result.config).items()},
        "method": "method of simulated moments, diagonal inverse-variance weights, LHS + Nelder-Mead, "
        "sandwich SEs (docs/CALIBRATION.md)",
    }


def write_outputs(result: CalibrationResult, out: str | Path, *, size: str | None = None) -> list[Path]:
    """Write the parameter file (``calibrated.yaml``), every table (CSV) and the figures (PNG) to ``out``.

    ``size`` names the run's size (:data:`SIZES`) in the parameter file. Each file is
    written through :func:`~corridors._atomic.atomic_output`: a killed run leaves every
    file whole or absent (a previous version stays until its replacement is complete).
    """
    from matplotlib.figure import Figure

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def csv(frame: pd.DataFrame, name: str, index: bool = False) -> None:
        path = out / name
        with atomic_output(path) as partial:
            frame.to_csv(partial, index=index)
        written.append(path)

    csv(result.targets, "targets.csv")
    csv(result.loo, "leave_one_out.csv")
    csv(result.comparison, "readings.csv")
    csv(pd.DataFrame([{"stage": k, "seconds": v} for k, v in result.seconds.items()]), "timings.csv")
    for reading, fit in result.fits.items():
        csv(fit.summary, f"fit_{reading}.csv", index=True)
        csv(fit.moments_.reset_index(), f"moments_{reading}.csv")
        csv(fit.trace_, f"trace_{reading}.csv")
        csv(fit.profiles_, f"profiles_{reading}.csv")
        if hasattr(fit, "screen_"):
            csv(fit.screen_, f"screen_{reading}.csv", index=True)
            csv(fit.screen_summary_, f"screen_summary_{reading}.csv")
            csv(fit.collinearity_.rename_axis("pair").reset_index(), f"collinearity_{reading}.csv")
        loo_moments = [f.moments_.reset_index().assign(held_out=held) for held, f in result.loo_fits[reading].items()]
        csv(pd.concat(loo_moments, ignore_index=True), f"leave_one_out_moments_{reading}.csv")
        loo_params = pd.DataFrame({held: f.params_ for held, f in result.loo_fits[reading].items()}).T
        loo_params["objective"] = [f.objective_ for f in result.loo_fits[reading].values()]
        csv(loo_params.rename_axis("held_out").reset_index(), f"leave_one_out_parameters_{reading}.csv")
        for kind, draw in (
            ("profiles", fit.plot_profiles),
            ("moments", fit.plot_moments),
            ("screen", getattr(fit, "plot_screen", None)),
        ):
            if draw is None or (kind == "screen" and not hasattr(fit, "screen_")):
                continue
            figure = Figure(figsize=(8, 5), layout="constrained")
            draw(figure.add_subplot())
            path = out / f"{kind}_{reading}.png"
            with atomic_output(path) as partial:
                figure.savefig(partial, dpi=110, format="png")
            written.append(path)
    path = out / "calibrated.yaml"
    document = parameter_document(result, size=size)
    with atomic_output(path) as partial:
        partial.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    written.append(path)
    return written


def read_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read and check a parameter file written by :func:`write_outputs`, whole, before anything runs.

    Every problem names the file and the field: a reading other than interpersonal or
    realist, an unknown parameter, a value that is not a number (``true``, ``null``, a list,
    ``010``) or out of its range. Duplicate keys, non-UTF-8 bytes, a FIFO or a huge file
    are refused in one line.
    """
    from corridors import _yaml as strict_yaml

    label = f"--params {path}"
    text = strict_yaml.read_text(path, label=label)
    try:
        document = strict_yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CorridorsError(f"{label}: {where}{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise CorridorsError(f"{label}: cannot read the parameter file: {strict_yaml.one_line(exc)}") from None
    if not isinstance(document, dict) or document.get("format") != PARAMETER_FILE_FORMAT:
        raise CorridorsError(f"{label}: not a corridors parameter file (format: {PARAMETER_FILE_FORMAT})")
    problems: list[str] = []
    reading = document.get("reading", "interpersonal")
    if not isinstance(reading, str) or reading not in READINGS:
        problems.append(f"{label}: reading: unknown reading {reading!r} (choose from {', '.join(READINGS)})")
    if not ("theory" in document and document.get("parameters") == {}):  # a bench theory that fitted nothing
        problems += _parameter_problems(document.get("parameters"), f"{label}: parameters")
    readings = document.get("readings")
    if readings is not None:
        if not isinstance(readings, dict):
            problems.append(f"{label}: readings: must be a mapping of reading to its parameters")
        else:
            for name, entry in readings.items():
                where = f"{label}: readings.{name}"
                if name not in READINGS:
                    problems.append(f"{where}: unknown reading (choose from {', '.join(READINGS)})")
                    continue
                given = entry.get("parameters") if isinstance(entry, dict) else None
                if not isinstance(given, dict):
                    problems.append(f"{where}.parameters: missing, or not a mapping")
                    continue
                values: dict[Any, Any] = {}
                for key, item in given.items():
                    if not isinstance(item, dict) or "value" not in item:
                        problems.append(f"{where}.parameters.{key}: must be a mapping with a value")
                    else:
                        values[key] = item["value"]
                problems += _parameter_problems(values, f"{where}.parameters", suffix=".value")
    if problems:
        raise CorridorsError(problems)
    return document


def _parameter_problems(values: Any, where: str, *, suffix: str = "") -> list[str]:
    """Why a mapping of parameter name to value is not a valid set of scenario parameters (one line each)."""
    import difflib

    from pydantic import TypeAdapter, ValidationError

    from corridors._numbers import not_a_number
    from corridors.scenario.schema import Parameters

    if not isinstance(values, dict) or not values:
        return [f"{where}: missing or empty (a mapping of parameter name to number)"]
    problems = []
    for name, value in values.items():
        field_info = Parameters.model_fields.get(name) if isinstance(name, str) else None
        if field_info is None:
            close = difflib.get_close_matches(str(name), list(Parameters.model_fields), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"{where}.{name}: unknown parameter{hint}")
            continue
        shown = f"{where}.{name}{suffix}"
        reason = not_a_number(value)
        if reason is None and not isinstance(value, (int, float)):
            reason = "must be a number" + (", not empty (null)" if value is None else f", not {type(value).__name__}")
        if reason is None and not math.isfinite(value):
            reason = f"must be a finite number (got {value})"
        if reason is None:
            adapter: TypeAdapter[Any] = TypeAdapter(Annotated[field_info.annotation, *field_info.metadata])  # type: ignore[arg-type]
            try:
                adapter.validate_python(value)
            except ValidationError as exc:
                reason = f"{exc.errors()[0]['msg']} (got {value!r})"
        if reason is not None:
            problems.append(f"{shown}: {reason}")
    return problems


def parameter_overrides(path: str | Path, *, reading: str | None = None) -> list[str]:
    """A parameter file as ``--set`` overrides (its primary reading, or ``reading``).

    A file written by the theory bench also carries its theory's structural choices
    (``overrides``), applied after the reading and before the parameters.

    Examples
    --------
    >>> overrides = parameter_overrides(shipped_parameter_file())
    >>> all(o.startswith("parameters.") for o in overrides)
    True
    >>> parameter_overrides(shipped_parameter_file(), reading="realist")[0]
    'realist=true'
    """
    from corridors.calibration.simulate import parameter_path

    document = read_parameter_file(path)
    chosen = reading or document.get("reading", "interpersonal")
    structure: list[str] = []
    if reading is None:
        values = document["parameters"]
        structure = [str(o) for o in document.get("overrides") or []]
    else:
        readings = document.get("readings") or {}
        if chosen not in readings:
            raise CorridorsError(f"--params {path}: no reading '{chosen}' (readings: {', '.join(readings)})")
        values = {k: v["value"] for k, v in readings[chosen]["parameters"].items()}
    return [*READINGS.get(chosen, ()), *structure, *(f"{parameter_path(k)}={float(v)!r}" for k, v in values.items())]


PARAMETER_SETS: dict[str, tuple[str | None, str]] = {
    "calibrated": (None, "the shipped calibration's fit of the paper's reading (the report's 'calibrated' settings)"),
    "calibrated-realist": (
        "realist",
        "the shipped calibration's fit of the realist reading (interpersonal mechanisms off)",
    ),
}
"""Named parameter sets (``--params NAME``): the reading of the shipped parameter file each takes
(None: its primary reading) and what it is."""


def parameter_set_overrides(name_or_path: str | Path, *, label: str = "--params") -> list[str]:
    """A named parameter set (:data:`PARAMETER_SETS`) or a parameter file as ``--set`` overrides.

    A name wins over a file of the same name (write ``./calibrated`` for the file). An
    unknown name that is no file either is an error listing the names.

    Examples
    --------
    >>> parameter_set_overrides("calibrated") == parameter_overrides(shipped_parameter_file())
    True
    >>> parameter_set_overrides("calibrated-realist")[0]
    'realist=true'
    >>> try:
    ...     parameter_set_overrides("calibratd")
    ... except CorridorsError as exc:
    ...     print(exc.problems[0][:79])
    --params calibratd: no parameter set of that name and no such file (named sets:
    """
    text = str(name_or_path)
    if not isinstance(name_or_path, Path) and text in PARAMETER_SETS:
        reading, _ = PARAMETER_SETS[text]
        return parameter_overrides(shipped_parameter_file(), reading=reading)
    path = Path(name_or_path)
    if not path.is_file():
        raise CorridorsError(
            f"{label} {text}: no parameter set of that name and no such file (named sets: "
            f"{', '.join(PARAMETER_SETS)}; or a parameter file written by 'corridors calibrate')"
        )
    try:
        return parameter_overrides(path)
    except CorridorsError as exc:
        raise CorridorsError([line.replace("--params", label, 1) for line in exc.problems]) from None


def shipped_parameter_file() -> Path:
    """The parameter file shipped in the package (from the run reported in docs/CALIBRATION.md)."""
    return Path(__file__).resolve().parent / "data" / "calibrated.yaml"


SHIPPED_RUN_TABLES = (
    "readings.csv",
    "leave_one_out.csv",
    "fit_interpersonal.csv",
    "fit_realist.csv",
    "screen_summary_interpersonal.csv",
    "screen_summary_realist.csv",
    "profiles_interpersonal.csv",
    "profiles_realist.csv",
)
"""Tables of the reported run shipped beside its parameter file (:func:`shipped_run_folder`)."""


def shipped_run_folder() -> Path:
    """The folder of :data:`SHIPPED_RUN_TABLES`, the tables of the run that made the shipped parameter file.

    A report can so show the fit, the screen and the held-out predictions without rerunning it.
    """
    return Path(__file__).resolve().parent / "data" / "run"


def with_size(name: str, **changes: Any) -> CalibrationConfig:
    """A named size (:data:`SIZES`) with some fields changed."""
    if name not in SIZES:
        raise CorridorsError(f"size: unknown size '{name}' (choose from {', '.join(SIZES)})")
    return replace(SIZES[name], **changes)


def with_parameter_set(spec: ExperimentSpec, params: str | Path | None) -> ExperimentSpec:
    """The spec with a parameter set's overrides in front of its ``set`` (``--params`` of a sweep).

    ``params`` is a named set (``calibrated``, ``calibrated-realist``) or a parameter file
    (:func:`parameter_set_overrides`); the spec's own ``set`` wins. The
    overrides become part of the spec, so the store records them and the experiment's hash
    differs from the spec's without them.

    Examples
    --------
    >>> from corridors.experiments import load_experiment
    >>> spec = load_experiment({"name": "tiny", "base": "unsc", "replications": 2, "seed": 1,
    ...                         "set": ["parameters.trust_gain=0.3"]})
    >>> with_parameter_set(spec, "calibrated").base_overrides[-1]
    'parameters.trust_gain=0.3'
    """
    if params is None:
        return spec
    overrides = [*parameter_set_overrides(params), *spec.base_overrides]
    return spec.model_copy(update={"base_overrides": overrides})
