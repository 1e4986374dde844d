"""The report's plan: its sizes (:class:`ReportConfig`) and every setting it simulates (:func:`plan_settings`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from corridors.errors import CorridorsError
from corridors.report.runs import Setting

__all__ = [
    "EU_MEETINGS_TODAY",
    "FULL",
    "MECHANISM_ORDER",
    "OAS_SETTINGS",
    "ORGANIZATIONS",
    "POLICIES",
    "QUICK",
    "ReportConfig",
    "plan_settings",
    "read_parameters",
    "recalibrate_into",
    "sized",
]

ORGANIZATIONS = ("au", "eu", "oas", "osce")
MECHANISM_ORDER = (
    "crowding_out",
    "trust_growth",
    "info_sharing",
    "gossip",
    "lobbying",
    "capital_review",
    "entrenchment",
    "caucuses",
    "caucus_reporting",
    "caucus_harmonization",
    "meeting_fatigue",
    "posturing",
    "emergency_meeting",
    "agency",
    "bridges",
    "first_call",
)
EU_MEETINGS_TODAY = 3.5
"""Hardt 2012, text on the EU PSC: it meets on average every other day."""


@dataclass(frozen=True)
class ReportConfig:
    """Sizes of a report: replications of the Table 1 settings and of every other setting."""

    table_replications: int = 20_000
    replications: int = 4_000
    seed: int = 2012
    meetings_per_week: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0)
    size: str = "full"


FULL = ReportConfig()
QUICK = ReportConfig(
    table_replications=400, replications=120, meetings_per_week=(0.5, 1.0, 2.0, 3.5, 5.0), size="quick"
)


def sized(name: str, **changes: Any) -> ReportConfig:
    """A named size (``quick`` or ``full``) with some fields changed."""
    sizes = {"quick": QUICK, "full": FULL}
    if name not in sizes:
        raise CorridorsError(f"size: unknown report size '{name}' (choose from quick, full)")
    return replace(sizes[name], **changes)


def _luncheon_override(base: str) -> str:
    """A caucus across sub-regions (two members of each, file order) meeting every 14 days, added to the preset's."""
    import yaml

    from corridors.scenario import load_scenario

    scenario = load_scenario(base)
    by_region: dict[str, list[str]] = {}
    for member in scenario.members:
        by_region.setdefault(member.subregion, []).append(member.code)
    members = [code for codes in by_region.values() for code in codes[:2]]
    caucuses = [c.model_dump(mode="json", exclude_none=True) for c in scenario.caucuses]
    caucuses.append(
        {
            "name": "luncheon",
            "members": members,
            "meets_before_formal": False,
            "meets_every_days": 14,
            "source": "report policy: a luncheon across sub-regions (Hardt 2012, conclusion)",
        }
    )
    return "caucuses=" + yaml.safe_dump(caucuses, default_flow_style=True, width=10**9).strip()


def _memory_overrides(base: str, calibrated: tuple[str, ...]) -> tuple[str, ...]:
    from corridors.scenario import load_scenario

    p = load_scenario(base, list(calibrated)).parameters
    longer = min(7300.0, p.tenure_days * 2)  # the schema's upper bound on a posting
    return (f"parameters.trust_decay={p.trust_decay / 2!r}", f"parameters.tenure_days={longer!r}")


POLICIES = {
    "luncheon_caucus": "a luncheon caucus across sub-regions (two ambassadors of each) every 14 days",
    "institutional_memory": "trust decays half as fast and ambassadors stay twice as long",
    "shorter_deployment": "deployment after the decision takes half as long (deploy_factor 0.5)",
}
OAS_SETTINGS = {
    "defaults": (),
    "calibrated": None,  # filled with the calibrated overrides
    "realist": ("realist=true",),
    "no_emergency_meeting": ("mechanisms.emergency_meeting=false",),
    "daily_meetings": ("formal_meetings_per_week=7",),
}


def plan_settings(config: ReportConfig, calibrated: tuple[str, ...]) -> dict[str, Setting]:
    """Every setting the report simulates, keyed by ``section/label/organization``."""
    t, r = config.table_replications, config.replications
    s: dict[str, Setting] = {}

    def add(key: str, base: str, overrides: Iterable[str], replications: int, **factor: Any) -> None:
        s[key] = Setting(key=key, base=base, overrides=tuple(overrides), replications=replications, **factor)

    for org in ORGANIZATIONS:
        add(f"table/defaults/{org}", org, (), t)
        add(f"table/calibrated/{org}", org, calibrated, t)
        add(f"mechanisms/realist/{org}", org, (*calibrated, "realist=true"), r)
        for mech in MECHANISM_ORDER:
            add(f"mechanisms/no_{mech}/{org}", org, (*calibrated, f"mechanisms.{mech}=false"), r)
        add(f"policy/luncheon_caucus/{org}", org, (*calibrated, _luncheon_override(org)), r)
        add(f"policy/institutional_memory/{org}", org, (*calibrated, *_memory_overrides(org, calibrated)), r)
        add(f"policy/shorter_deployment/{org}", org, (*calibrated, "deploy_factor=0.5"), r)
    add(
        "policy/meetings/eu",
        "eu",
        calibrated,
        r,
        factor_path="formal_meetings_per_week",
        factor_values=tuple(config.meetings_per_week),
        common_random_numbers=True,
    )
    for label, forced in (
        ("none", "subissues.nato_assets.probability=0"),
        ("bridges", "subissues.nato_assets.probability=1"),
    ):
        add(f"case/atalanta_{label}/eu", "eu", (*calibrated, forced), r)
    add(
        "case/atalanta_no_bridges/eu",
        "eu",
        (*calibrated, "subissues.nato_assets.probability=1", "mechanisms.bridges=false"),
        r,
    )
    add("case/unsc_veto/unsc", "unsc", calibrated, r)
    add("case/unsc_unanimity/unsc", "unsc", (*calibrated, "decision_rule={kind: unanimity}"), r)
    for label, extra in OAS_SETTINGS.items():
        if label in ("defaults", "calibrated"):
            continue
        assert extra is not None
        add(f"case/oas_{label}/oas", "oas", (*calibrated, *extra), r)
    return s


def read_parameters(
    parameter_file: str | Path | None, bench_folder: Path | None = None
) -> tuple[tuple[str, ...], dict[str, Any], list[str]]:
    """The overrides the report's later sections use, the parameter file's document and warnings.

    The plan decides the parameter file: ``parameter_file`` when given (``--params``: a named
    set of :data:`~corridors.calibration.pipeline.PARAMETER_SETS`, ``calibrated`` or
    ``calibrated-realist``, as ``run``, ``compare`` and ``sweep`` take it, or a parameter
    file); else the best surviving theory's fit (``best.yaml``) of the bench in
    ``bench_folder`` (default: the bench outputs shipped in the package); else, when no bench
    outputs are there, today's calibration (``calibrated.yaml``); else the presets' defaults,
    with a warning. The document's ``chosen_by`` says in one sentence which it is and why.
    """
    from corridors.calibration.bench import shipped
    from corridors.calibration.pipeline import (
        PARAMETER_SETS,
        parameter_overrides,
        parameter_set_overrides,
        read_parameter_file,
        shipped_parameter_file,
    )

    if isinstance(parameter_file, str) and parameter_file in PARAMETER_SETS:
        shipped_file = shipped_parameter_file()
        if not shipped_file.is_file():
            raise CorridorsError(f"--params {parameter_file}: the shipped parameter file is missing ({shipped_file})")
        named = read_parameter_file(shipped_file)
        reading, what = PARAMETER_SETS[parameter_file]
        if reading is not None:  # the document says the reading and values the settings use
            values = (named.get("readings") or {}).get(reading, {}).get("parameters", {})
            named = {**named, "reading": reading, "parameters": {k: v["value"] for k, v in values.items()}}
        source = f"{parameter_file}: {what} (corridors/calibration/data/calibrated.yaml)"
        named = {**named, "source": source, "chosen_by": f"the named parameter set given with --params ({source})"}
        return tuple(parameter_set_overrides(parameter_file)), named, []
    if isinstance(parameter_file, str):
        if not Path(parameter_file).is_file():  # neither a name nor a file: the names, as run and sweep say
            parameter_set_overrides(parameter_file)
        parameter_file = Path(parameter_file)
    if parameter_file is not None:
        if not parameter_file.is_file():
            raise CorridorsError(f"--params {parameter_file}: no such file")
        document = {
            **read_parameter_file(parameter_file),
            "source": str(parameter_file),
            "chosen_by": f"the parameter file given with --params ({parameter_file})",
        }
        return tuple(parameter_overrides(parameter_file)), document, []
    folder = bench_folder if bench_folder is not None else shipped.shipped_bench_folder()
    best = folder / "best.yaml"
    if shipped.has_bench_outputs(folder) and best.is_file():
        document = read_parameter_file(best)
        where = "the shipped bench" if bench_folder is None else f"the bench run in {folder}"
        label = document.get("label") or document.get("theory", "?")
        document = {
            **document,
            "source": f"{where}: the fit of {label} (best.yaml)",
            "chosen_by": f"the fit of {label} ({document.get('chosen_as', 'the best theory of the scorecard')}) "
            f"from {where} (best.yaml)",
        }
        return tuple(parameter_overrides(best)), document, []
    path = shipped_parameter_file()
    if not path.is_file():
        return (
            (),
            {"source": "none", "chosen_by": "the presets' defaults (no bench outputs and no calibrated parameters)"},
            [f"no calibrated parameter file ({path}): the 'calibrated' settings use the presets' defaults"],
        )
    document = {
        **read_parameter_file(path),
        "source": "the shipped file corridors/calibration/data/calibrated.yaml",
        "chosen_by": "today's calibration (calibrated.yaml, model v2's fitted parameters): no bench outputs are "
        f"{'shipped' if bench_folder is None else 'in ' + str(folder)}, so no theory's fit could be chosen",
    }
    return tuple(parameter_overrides(path)), document, []


def recalibrate_into(
    out: Path, config: ReportConfig, executor: Any, progress: Callable[[str, int, int], None] | None
) -> tuple[Path | None, Path]:
    """Rerun the shipped bench (quick size with a quick report, else medium) into ``OUT/bench``.

    Returns the best surviving theory's parameter file (``None`` when no theory could be
    fitted) and the bench's output folder (with its manifest, as the package ships it).
    """
    from corridors.calibration.bench.run import evaluations_estimate, run_bench
    from corridors.calibration.bench.shipped import ship_bench_outputs
    from corridors.calibration.bench.spec import load_bench, shipped_bench

    spec = load_bench(shipped_bench())
    size = "quick" if config.size == "quick" else ("medium" if "medium" in spec.sizes else "full")
    total = evaluations_estimate(spec, spec.sizes[size])  # type: ignore[index]

    def advanced(stage: str, count: int) -> None:
        if progress is not None:
            progress(f"bench ({stage})", 1, total)

    result = run_bench(spec, size=size, store=out / "bench.duckdb", executor=executor, progress=advanced)
    folder = out / "bench"
    ship_bench_outputs(result, folder, command=f"corridors reproduce --recalibrate ({size} bench)")
    best = folder / "best.yaml"
    return (best if best.is_file() else None), folder
