"""``corridors reproduce``: the report that answers the paper's question.

Do informal relations explain why some organizations answer faster, and what would make
them faster? The report sets the model beside Hardt (2012) and the shipped sample of real
operations, section by section (:data:`SECTIONS`): observed against simulated, the real
data, the calibration, the mechanisms, the policy experiments and three cases. Every
simulation is a :class:`~corridors.report.runs.Setting` run through the experiments layer
into ``reproduce.duckdb`` in the output folder (an interrupted report resumes); the
analyses use the empirical toolkit; the page is rendered from a Jinja2 template with its
figures embedded. Each section opens with a sentence written from this run's numbers, and
each table is written as a CSV whose numbers the page shows.
"""

from __future__ import annotations

import base64
import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from corridors._atomic import atomic_output
from corridors._constants import DAYS_PER_MONTH
from corridors._version import __version__
from corridors.errors import CorridorsError
from corridors.report.runs import Setting, StoredRuns, total_replications
from corridors.report.stats import difference, response_stats, share_interval

__all__ = [
    "FULL", "ORGANIZATIONS", "QUICK", "SECTIONS", "ReportConfig", "ReportTable", "ReproduceResult", "Section",
    "format_value", "reproduce",
]  # fmt: skip

ORGANIZATIONS = ("au", "eu", "oas", "osce")
SECTIONS = ("observed", "real-data", "calibration", "mechanisms", "policy", "cases", "networks", "pipeline")
MECHANISM_ORDER = (
    "crowding_out", "trust_growth", "info_sharing", "gossip", "lobbying", "capital_review", "entrenchment",
    "caucuses", "caucus_reporting", "caucus_harmonization", "meeting_fatigue", "posturing", "emergency_meeting",
    "agency", "bridges", "first_call",
)  # fmt: skip
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
QUICK = ReportConfig(table_replications=400, replications=120, meetings_per_week=(0.5, 1.0, 2.0, 3.5, 5.0),
                     size="quick")  # fmt: skip


@dataclass
class ReportTable:
    """A table of the report: written to ``name.csv`` and shown in the page with ``digits``."""

    name: str
    title: str
    frame: pd.DataFrame
    caption: str
    digits: int = 2


@dataclass
class ReportFigure:
    name: str
    title: str
    image: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.image).decode("ascii")


@dataclass
class Section:
    """One section: an id, a title, the sentence that says what it shows, its tables, figures and notes."""

    id: str
    title: str
    sentence: str
    tables: list[ReportTable] = field(default_factory=list)
    figures: list[ReportFigure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ReproduceResult:
    """What ``reproduce`` computed and where it wrote it."""

    sections: list[Section]
    html_path: Path
    summary_path: Path
    csv_paths: list[Path]
    figure_paths: list[Path]
    store: Path
    parameters: dict[str, Any]
    replications_run: int
    settings_run: int
    settings_found: int
    warnings: list[str]

    def table(self, name: str) -> pd.DataFrame:
        for section in self.sections:
            for table in section.tables:
                if table.name == name:
                    return table.frame
        raise KeyError(name)


def format_value(value: Any, digits: int = 2) -> str:
    """How a table cell is shown: floats with ``digits`` decimals, NaN as a dash.

    Examples
    --------
    >>> format_value(3.14159), format_value(float("nan")), format_value(True), format_value(12)
    ('3.14', '–', 'yes', '12')
    """
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            return "–"
        return f"{float(value):.{digits}f}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return str(value)


def _f(value: float, digits: int = 2) -> str:
    return format_value(float(value), digits)


def _signed(value: float, digits: int = 2) -> str:
    """A change with its sign (+0.40, -1.25)."""
    text = _f(value, digits)
    return text if text.startswith("-") or text == "–" else "+" + text


# -- settings ------------------------------------------------------------------------------------


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
    caucuses.append({"name": "luncheon", "members": members, "meets_before_formal": False, "meets_every_days": 14,
                     "source": "report policy: a luncheon across sub-regions (Hardt 2012, conclusion)"})
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
    add("policy/meetings/eu", "eu", calibrated, r, factor_path="formal_meetings_per_week",
        factor_values=tuple(config.meetings_per_week), common_random_numbers=True)
    for label, forced in (("none", "subissues.nato_assets.probability=0"),
                          ("bridges", "subissues.nato_assets.probability=1")):  # fmt: skip
        add(f"case/atalanta_{label}/eu", "eu", (*calibrated, forced), r)
    add("case/atalanta_no_bridges/eu", "eu", (*calibrated, "subissues.nato_assets.probability=1",
                                              "mechanisms.bridges=false"), r)  # fmt: skip
    add("case/unsc_veto/unsc", "unsc", calibrated, r)
    add("case/unsc_unanimity/unsc", "unsc", (*calibrated, "decision_rule={kind: unanimity}"), r)
    for label, extra in OAS_SETTINGS.items():
        if label in ("defaults", "calibrated"):
            continue
        assert extra is not None
        add(f"case/oas_{label}/oas", "oas", (*calibrated, *extra), r)
    return s


# -- sections ------------------------------------------------------------------------------------


class _Context:
    """What every section needs: the runs, the config, captions."""

    def __init__(self, config: ReportConfig, rows: dict[str, pd.DataFrame], settings: dict[str, Setting],
                 hashes: dict[str, list[str]], parameters: dict[str, Any]) -> None:  # fmt: skip
        self.config = config
        self.rows = rows
        self.settings = settings
        self.hashes = hashes
        self.parameters = parameters
        self._stats: dict[str, dict[str, float]] = {}

    def stats(self, key: str) -> dict[str, float]:
        if key not in self._stats:
            self._stats[key] = response_stats(self.rows[key])
        return self._stats[key]

    def hash(self, key: str) -> str:
        return ",".join(self.hashes.get(key, []))

    def caption(self, replications: int | str) -> str:
        return (f"{replications} replications per setting, seed {self.config.seed}, corridors {__version__}, "
                "batch engine; each row's scenario is named by its scenario_hash column.")  # fmt: skip


def _ordering(values: dict[str, float]) -> str:
    """Slowest to fastest, e.g. ``EU > OSCE > OAS > AU``."""
    return " > ".join(k for k, _ in sorted(values.items(), key=lambda kv: -kv[1]))


def section_observed(ctx: _Context) -> Section:
    from corridors import paper
    from corridors.calibration.targets import calibration_targets
    from corridors.report.figures import png, table1_figure

    targets = calibration_targets().set_index("target")
    table1 = paper.mean_response_months()
    table2 = paper.mean_contacts_per_week()
    records, contacts, survey = [], [], []
    for parameters in ("defaults", "calibrated"):
        for org in ORGANIZATIONS:
            key = f"table/{parameters}/{org}"
            s = ctx.stats(key)
            o = org.upper()
            records.append({
                "organization": o, "parameters": parameters, "observed_months": float(table1[o]),
                "observed_se": float(targets.loc[f"response_months:{o}", "se"]), "replications": s["replications"],
                "decided_share": s["decided_share"], "mean_months": s["mean_months"], "mean_se": s["mean_se"],
                "median_months": s["median_months"], "median_lower": s["median_lower"],
                "median_upper": s["median_upper"], "p025_months": s["p025_months"], "p975_months": s["p975_months"],
                "z": (s["mean_months"] - float(table1[o])) / math.hypot(
                    float(targets.loc[f"response_months:{o}", "se"]), s["mean_se"]),
                "scenario_hash": ctx.hash(key),
            })  # fmt: skip
            rows = ctx.rows[key]
            contacts.append({
                "organization": o, "parameters": parameters, "observed_contacts_per_week": float(table2[o]),
                "simulated_contacts_per_week": float(rows["contacts_per_week"].mean()),
                "simulated_se": float(rows["contacts_per_week"].std(ddof=1) / math.sqrt(len(rows))),
                "scenario_hash": ctx.hash(key),
            })  # fmt: skip
        frames = [ctx.rows[f"table/{parameters}/{org}"] for org in ORGANIZATIONS]
        for measure, observed_key, label in (("friends_mean", "friends_mean:all", "friends per ambassador"),
                                             ("zero_friend_share", "zero_friend_share:all", "share with no friend"),
                                             ("informal_share", "informal_share:all",
                                              "share of negotiation done informally")):  # fmt: skip
            per_org = [f[measure].to_numpy(float) for f in frames]
            per_org = [v[np.isfinite(v)] for v in per_org]
            value = float(np.mean([v.mean() for v in per_org]))
            se = float(math.sqrt(sum(v.var(ddof=1) / len(v) for v in per_org)) / len(per_org))
            survey.append({"measure": label, "parameters": parameters,
                           "observed": float(targets.loc[observed_key, "value"]),
                           "observed_se": float(targets.loc[observed_key, "se"]), "simulated": value,
                           "simulated_se": se})  # fmt: skip
    t1 = pd.DataFrame(records)
    cal = t1[t1["parameters"] == "calibrated"].set_index("organization")
    observed_order = _ordering({o: float(table1[o]) for o in cal.index})
    orders = pd.DataFrame([
        {"ordering": "observed (Table 1)", "slowest_to_fastest": observed_order, "eu_slowest": True},
        *({"ordering": f"simulated, {p}",
           "slowest_to_fastest": _ordering(t1[t1["parameters"] == p].set_index("organization")["mean_months"]
                                           .to_dict()),
           "eu_slowest": bool(t1[t1["parameters"] == p].set_index("organization")["mean_months"].idxmax() == "EU")}
          for p in ("defaults", "calibrated")),
    ])  # fmt: skip
    worst = cal["z"].abs().idxmax()
    sentence = (
        f"At the calibrated values the model's mean response runs from {_f(cal['mean_months'].min())} to "
        f"{_f(cal['mean_months'].max())} months against Table 1's {_f(cal['observed_months'].min())} to "
        f"{_f(cal['observed_months'].max())}; the largest gap is the {worst}'s ({_f(cal.loc[worst, 'mean_months'])} "
        f"against {_f(cal.loc[worst, 'observed_months'])} months), and the simulated order is "
        f"{orders.iloc[2]['slowest_to_fastest']} against the paper's {observed_order}."
    )
    caption = ctx.caption(ctx.config.table_replications)
    figure = ReportFigure("table1", "Table 1, observed and simulated", png(table1_figure(t1)),
                          "bars of mean response months per organization: observed, defaults, calibrated")
    return Section(
        "observed", "1. Observed against simulated", sentence,
        tables=[
            ReportTable("table1", "Table 1: months from demand to deployment (simulated mean over decided runs)",
                        t1, caption + " Observed SE: the calibration's assumption (docs/CALIBRATION.md)."),
            ReportTable("table2", "Table 2: informal contacts per week (an input of the model: the crowding-out "
                        "formula sets it)", pd.DataFrame(contacts), caption),
            ReportTable("survey", "The survey beside the model (pooled over the four organizations, equal weights)",
                        pd.DataFrame(survey), caption.replace(" each row's scenario is named by its scenario_hash "
                                                              "column.", " scenarios as in table1.")),
            ReportTable("ordering", "Slowest to fastest", orders, caption.replace(
                " each row's scenario is named by its scenario_hash column.", " scenarios as in table1.")),
        ],
        figures=[figure],
        notes=["Table 1's standard errors are not in the paper: they come from the sample's spread and the paper's "
               "count of operations (70; the book version of the study reports 61), see docs/CALIBRATION.md.",
               "The survey asked about first calls to a colleague (about half); the model's rows do not record "
               "first calls, so that figure is not compared here."],
    )  # fmt: skip


def section_real_data(ctx: _Context) -> Section:
    from lifelines.statistics import logrank_test

    from corridors.calibration.targets import DEMAND_KINDS, decision_times
    from corridors.empirical import load_peace_operations
    from corridors.empirical.datasets import example_path
    from corridors.report.figures import km_figure, png

    ops = load_peace_operations(example_path())
    response = ops.durations(demand_kinds=DEMAND_KINDS)
    decisions = decision_times()
    observed_response = {o: g.assign(months=g["response_months"].astype(float), event=g["started"].astype(bool))
                         for o, g in response.groupby("organization")}  # fmt: skip
    observed_decision = {o: g.assign(months=g["decision_days"] / DAYS_PER_MONTH, event=True)
                         for o, g in decisions.groupby("organization")}  # fmt: skip
    simulated_response, simulated_decision = {}, {}
    for org in ORGANIZATIONS:
        rows = ctx.rows[f"table/calibrated/{org}"]
        decided = rows["decided"].to_numpy(bool)
        simulated_response[org.upper()] = pd.DataFrame(
            {"months": rows["duration_days"].to_numpy(float) / DAYS_PER_MONTH, "event": decided})
        simulated_decision[org.upper()] = pd.DataFrame(
            {"months": np.where(decided, rows["decision_day"].to_numpy(float),
                                rows["horizon_days"].to_numpy(float)) / DAYS_PER_MONTH, "event": decided})
    records = []
    for measure, observed, simulated in (("decision (demand to decision)", observed_decision, simulated_decision),
                                         ("response (demand to deployment)", observed_response,
                                          simulated_response)):  # fmt: skip
        for org in (o.upper() for o in ORGANIZATIONS):
            obs, sim = observed.get(org), simulated[org]
            key = f"table/calibrated/{org.lower()}"
            if obs is None or len(obs) == 0:
                records.append({"measure": measure, "organization": org, "observed_n": 0,
                                "observed_events": 0, "observed_median_months": math.nan,
                                "simulated_median_months": float(ctx.stats(key)["median_months"]) if
                                measure.startswith("response") else float(np.median(sim["months"])),
                                "logrank_statistic": math.nan, "logrank_p": math.nan,
                                "scenario_hash": ctx.hash(key)})  # fmt: skip
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                test = logrank_test(obs["months"], sim["months"], obs["event"], sim["event"])
            records.append({
                "measure": measure, "organization": org, "observed_n": len(obs),
                "observed_events": int(obs["event"].sum()),
                "observed_median_months": float(np.median(obs.loc[obs["event"], "months"])) if obs["event"].any()
                else math.nan,
                "simulated_median_months": float(np.median(sim.loc[sim["event"], "months"])) if sim["event"].any()
                else math.nan,
                "logrank_statistic": float(test.test_statistic), "logrank_p": float(test.p_value),
                "scenario_hash": ctx.hash(key),
            })  # fmt: skip
    table = pd.DataFrame(records)
    tested = table[table["logrank_p"].notna()]
    rejected = tested[tested["logrank_p"] < 0.05]
    sentence = (
        f"The shipped sample times {int(table.loc[table['measure'].str.startswith('decision'), 'observed_n'].sum())} "
        f"decisions and {int(table.loc[table['measure'].str.startswith('response'), 'observed_n'].sum())} "
        f"responses demanded by a UN resolution or a host's request; of the {len(tested)} log-rank comparisons "
        f"with the calibrated model, {len(rejected)} reject equal curves at the 5% level"
        + (f" (smallest p = {tested['logrank_p'].min():.2g})." if len(tested) else ".")
    )
    figures = [
        ReportFigure("km_decision", "Decision time", png(km_figure(observed_decision, simulated_decision,
                     column="months", event="event", title="Demand to decision: observed (solid) and simulated "
                     "(dashed)", xlabel="months since the demand", max_months=12)),
                     "Kaplan-Meier curves of decision time per organization"),
        ReportFigure("km_response", "Deployment time", png(km_figure(observed_response, simulated_response,
                     column="months", event="event", title="Demand to deployment: observed (solid) and simulated "
                     "(dashed)", xlabel="months since the demand", max_months=24)),
                     "Kaplan-Meier curves of response time per organization"),
    ]  # fmt: skip
    notes = [
        "The sample is real and sourced but partial (27 timed operations, not the paper's 70); OAS coverage is thin, "
        "and some UN resolutions postdate the organization's own decision (those decisions are dropped).",
        "Only operations demanded by a UN Security Council resolution or the host's request are compared: an "
        "organization's own first decision is not a demand.",
        "The model's deployment lags are estimated from the same sample (corridors.calibration.deployment), so the "
        "deployment part of the response is fitted to these data, not predicted.",
    ]
    return Section("real-data", "2. The real data", sentence,
                   tables=[ReportTable("real_data", "The sample's operations against the calibrated model "
                                       "(log-rank, censored operations and undecided runs included)", table,
                                       ctx.caption(ctx.config.table_replications), digits=3)],
                   figures=figures, notes=notes)  # fmt: skip


def _calibration_folder(folder: Path | None) -> Path:
    from corridors.calibration.pipeline import shipped_run_folder

    return folder if folder is not None else shipped_run_folder()


def section_calibration(ctx: _Context, folder: Path | None) -> Section:
    from corridors.report.figures import calibration_figure, png

    base = _calibration_folder(folder)
    needed = ["fit_interpersonal.csv", "fit_realist.csv", "readings.csv", "leave_one_out.csv",
              "screen_summary_interpersonal.csv", "screen_summary_realist.csv"]  # fmt: skip
    missing = [name for name in needed if not (base / name).is_file()]
    if missing:
        return Section("calibration", "3. Calibration",
                       f"No calibration tables were found in {base} ({', '.join(missing)} missing); run "
                       "corridors reproduce --recalibrate.")  # fmt: skip
    fits = pd.concat([pd.read_csv(base / f"fit_{r}.csv").assign(reading=r) for r in ("interpersonal", "realist")],
                     ignore_index=True)[["reading", "parameter", "value", "se", "lower_95", "upper_95", "box_low",
                                         "box_high"]]  # fmt: skip
    screen = pd.concat([pd.read_csv(base / f"screen_summary_{r}.csv").assign(reading=r)
                        for r in ("interpersonal", "realist")], ignore_index=True)  # fmt: skip
    screen = screen[["reading", "parameter", "sensitivity_norm", "noise_norm", "identified", "fitted"]]
    readings = pd.read_csv(base / "readings.csv")[[
        "reading", "parameters", "objective", "targets", "objective_table1", "objective_survey", "objective_decisions",
        "table1_rmse_in_sample", "table1_rmse_held_out", "slowest_in_sample", "slowest_held_out",
        "eu_slowest_held_out"]]  # fmt: skip
    loo_all = pd.read_csv(base / "leave_one_out.csv")
    loo = loo_all[loo_all["measure"] == "response_months"][[
        "reading", "held_out", "observed", "se", "in_sample", "held_out_prediction", "held_out_error", "held_out_z",
        "held_out_rank_in_its_fit"]].reset_index(drop=True)  # fmt: skip
    r = readings.set_index("reading")
    unidentified = screen[(screen["reading"] == "interpersonal") & ~screen["identified"].astype(bool)]["parameter"]
    sentence = (
        f"With one set of parameters for all four organizations, the paper's reading reaches an objective of "
        f"{_f(r.loc['interpersonal', 'objective'])} against {_f(r.loc['realist', 'objective'])} for the realist "
        f"reading; held out one at a time, it predicts Table 1 with an error of "
        f"{_f(r.loc['interpersonal', 'table1_rmse_held_out'])} months (RMSE) against "
        f"{_f(r.loc['realist', 'table1_rmse_held_out'])}, and the slowest held-out organization is the "
        f"{r.loc['interpersonal', 'slowest_held_out']} for the paper's reading and the "
        f"{r.loc['realist', 'slowest_held_out']} for the realist one."
    )
    run = ctx.parameters.get("config", {})
    hashes = "; ".join(f"{reading}: " + ", ".join(f"{o} {h}" for o, h in values.get("scenario_hashes", {}).items())
                       for reading, values in ctx.parameters.get("readings", {}).items())  # fmt: skip
    caption = (f"From the calibration in {'the package (shipped run)' if folder is None else base}: "
               f"{run.get('replications', '?')} replications per organization and evaluation, seed "
               f"{run.get('seed', '?')}, corridors {ctx.parameters.get('code_version', '?')}, size "
               f"{ctx.parameters.get('size', '?')}, created {ctx.parameters.get('created', '?')}; scenario hashes "
               f"at the fitted values: {hashes or 'not recorded'}.")  # fmt: skip
    notes = [f"Not identified by any moment (the screen): {', '.join(unidentified)}." if len(unidentified) else
             "Every screened parameter moves some moment beyond the simulation noise.",
             "Profiles and the method are in docs/CALIBRATION.md; the per-preset deployment lags are fixed from "
             "the data, never fitted."]  # fmt: skip
    return Section("calibration", "3. Calibration", sentence, tables=[
        ReportTable("calibration_fit", "Fitted values with standard errors (both readings)", fits, caption, digits=3),
        ReportTable("calibration_screen", "What the moments can tell apart (identifiability screen)", screen, caption),
        ReportTable("calibration_readings", "The two readings side by side", readings, caption),
        ReportTable("calibration_leave_one_out", "Leave one organization out: Table 1 predicted when held out", loo,
                    caption),
    ], figures=[ReportFigure("calibration", "Held-out predictions", png(calibration_figure(loo_all)),
                             "observed Table 1 means and the two readings' held-out predictions")],
       notes=notes)  # fmt: skip


def _changes(ctx: _Context, baseline: str, key: str) -> dict[str, float]:
    b, s = ctx.stats(baseline), ctx.stats(key)
    change, lower, upper = difference(b["restricted_mean_months"], b["restricted_se"], s["restricted_mean_months"],
                                      s["restricted_se"])  # fmt: skip
    return {"baseline_months": b["restricted_mean_months"], "months": s["restricted_mean_months"],
            "change_months": change, "change_lower": lower, "change_upper": upper,
            "decided_share": s["decided_share"]}  # fmt: skip


def section_mechanisms(ctx: _Context) -> Section:
    from corridors import paper
    from corridors.report.figures import ablation_figure, png

    observed_order = _ordering(paper.mean_response_months().loc[[o.upper() for o in ORGANIZATIONS]].to_dict())
    baseline_order = _ordering({o.upper(): ctx.stats(f"table/calibrated/{o}")["restricted_mean_months"]
                                for o in ORGANIZATIONS})  # fmt: skip
    records = []
    for label in ("realist", *(f"no_{m}" for m in MECHANISM_ORDER)):
        means = {o.upper(): ctx.stats(f"mechanisms/{label}/{o}")["restricted_mean_months"] for o in ORGANIZATIONS}
        order = _ordering(means)
        for org in ORGANIZATIONS:
            key = f"mechanisms/{label}/{org}"
            records.append({"setting": label, "organization": org.upper(),
                            **_changes(ctx, f"table/calibrated/{org}", key), "ordering": order,
                            "ordering_as_calibrated": order == baseline_order,
                            "eu_slowest": order.startswith("EU"), "scenario_hash": ctx.hash(key)})  # fmt: skip
    table = pd.DataFrame(records)
    summary = pd.DataFrame([{
        "setting": label, "mean_abs_change_months": float(part["change_months"].abs().mean()),
        "organizations_slower": int((part["change_lower"] > 0).sum()),
        "organizations_faster": int((part["change_upper"] < 0).sum()),
        "ordering": part["ordering"].iloc[0], "ordering_as_calibrated": bool(part["ordering_as_calibrated"].iloc[0]),
    } for label, part in table.groupby("setting", sort=False)])  # fmt: skip
    effect = summary[summary["setting"] != "realist"].set_index("setting")["mean_abs_change_months"].sort_values()
    biggest = effect.index[-1]
    kept = table.drop_duplicates("setting")
    realist = table[table["setting"] == "realist"].set_index("organization")
    second = effect.index[-2] if len(effect) > 1 else biggest
    sentence = (
        f"Switching off every interpersonal mechanism (realist) changes the mean response by "
        f"{_signed(realist['change_months'].min())} to {_signed(realist['change_months'].max())} months across the "
        f"four organizations; alone, {biggest.removeprefix('no_').replace('_', ' ')} matters most (on average "
        f"{_f(effect.iloc[-1])} months either way), then {second.removeprefix('no_').replace('_', ' ')} "
        f"({_f(effect.loc[second])}), and the calibrated order {baseline_order} survives "
        f"{int(kept['ordering_as_calibrated'].sum())} of the {len(kept)} switches (the paper's: {observed_order})."
    )
    return Section("mechanisms", "4. Mechanisms", sentence, tables=[
        ReportTable("mechanisms", "Each mechanism switched off alone, and all interpersonal ones (realist), at the "
                    "calibrated values: mean response months (undecided runs at the horizon)", table,
                    ctx.caption(ctx.config.replications) + f" Baselines: the calibrated runs of table1 "
                    f"({ctx.config.table_replications} replications)."),
        ReportTable("mechanisms_summary", "Each switch over the four organizations: mean size of the change, "
                    "organizations significantly slower or faster (95%), and the order it leaves", summary,
                    ctx.caption(ctx.config.replications).replace(" each row's scenario is named by its scenario_hash "
                                                                 "column.", " scenarios as in mechanisms.")),
    ], figures=[ReportFigure("mechanisms", "Ablation", png(ablation_figure(table)),
                             "change of mean response per mechanism switched off, per organization")],
       notes=["The change is against the calibrated model, with the 95% interval of two independent estimates; "
              "with capital_review off capitals never widen their instructions and few runs decide, so the "
              "restricted mean there is close to the horizon."])  # fmt: skip


def section_policy(ctx: _Context) -> Section:
    from corridors.report.figures import meetings_figure, png, policy_figure

    rows = ctx.rows["policy/meetings/eu"]
    curve = []
    for value, part in rows.groupby("formal_meetings_per_week", sort=True):
        s = response_stats(part)
        curve.append({"meetings_per_week": float(value), "mean_months": s["restricted_mean_months"],
                      "se": s["restricted_se"], "lower_95": s["restricted_mean_months"] - 1.96 * s["restricted_se"],
                      "upper_95": s["restricted_mean_months"] + 1.96 * s["restricted_se"],
                      "decided_share": s["decided_share"], "contacts_per_week": float(part["contacts_per_week"].mean()),
                      "scenario_hash": str(part["scenario_hash"].iloc[0])})  # fmt: skip
    curve_frame = pd.DataFrame(curve)
    best = int(curve_frame["mean_months"].idxmin())
    # common random numbers: replicate i shares its stream across the curve, so compare point by point
    months = rows.pivot(index="replicate", columns="formal_meetings_per_week", values="duration_days") / DAYS_PER_MONTH
    best_value = float(curve_frame.loc[best, "meetings_per_week"])
    paired = []
    for value in curve_frame["meetings_per_week"]:
        d = (months[value] - months[best_value]).to_numpy(float)
        se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
        paired.append((float(d.mean()), se))
    curve_frame["minus_fastest_months"] = [m for m, _ in paired]
    curve_frame["minus_fastest_lower"] = [m - 1.96 * se for m, se in paired]
    curve_frame["minus_fastest_upper"] = [m + 1.96 * se for m, se in paired]
    interior = 0 < best < len(curve_frame) - 1
    lower = curve_frame["minus_fastest_lower"]
    ends_higher = bool(lower.iloc[0] > 0 and lower.iloc[-1] > 0)
    optimum = best_value if interior and ends_higher else None
    today = curve_frame.iloc[(curve_frame["meetings_per_week"] - EU_MEETINGS_TODAY).abs().argmin()]
    records = []
    for policy in POLICIES:
        for org in ORGANIZATIONS:
            key = f"policy/{policy}/{org}"
            records.append({"policy": policy, "organization": org.upper(),
                            **_changes(ctx, f"table/calibrated/{org}", key), "scenario_hash": ctx.hash(key)})
    policies = pd.DataFrame(records)
    eu = policies[policies["organization"] == "EU"].set_index("policy")
    best_policy = eu["change_months"].idxmin()
    lowest, highest = curve_frame.iloc[0], curve_frame.iloc[-1]
    shape = (f"the fastest, {optimum:g} a week, is an optimum inside the range (both ends slower by "
             f"{_signed(curve_frame['minus_fastest_months'].iloc[0])} and "
             f"{_signed(curve_frame['minus_fastest_months'].iloc[-1])} months, paired 95% intervals above 0)"
             if optimum is not None else
             f"the fastest point is {curve_frame.loc[best, 'meetings_per_week']:g} a week "
             f"({_f(curve_frame.loc[best, 'mean_months'])} months), but the paired intervals do not separate an "
             "optimum inside the range from both ends")  # fmt: skip
    sentence = (
        f"For the EU, the mean response is {_f(lowest['mean_months'])} months at {lowest['meetings_per_week']:g} "
        f"formal meetings a week, {_f(today['mean_months'])} at today's {today['meetings_per_week']:g} and "
        f"{_f(highest['mean_months'])} at {highest['meetings_per_week']:g}; {shape}"
        + f"; of the other policies, {best_policy.replace('_', ' ')} helps the EU most "
        f"({_f(eu.loc[best_policy, 'change_months'])} months, 95% interval {_f(eu.loc[best_policy, 'change_lower'])} "
        f"to {_f(eu.loc[best_policy, 'change_upper'])})."
    )
    caption = ctx.caption(ctx.config.replications)
    return Section("policy", "5. Policy experiments", sentence, tables=[
        ReportTable("policy_meetings", "The EU's formal meetings per week (mean response, undecided at the horizon; "
                    "minus_fastest: the paired difference from the fastest point, common random numbers)",
                    curve_frame, caption),
        ReportTable("policy_experiments", "Policies against the calibrated model", policies, caption + " Baselines: "
                    f"the calibrated runs of table1 ({ctx.config.table_replications} replications)."),
    ], figures=[
        ReportFigure("policy_meetings", "Meetings per week", png(meetings_figure(
            curve_frame, current=EU_MEETINGS_TODAY, optimum=optimum)), "EU response months against meetings per week"),
        ReportFigure("policy_experiments", "Policies", png(policy_figure(policies)),
                     "change of mean response per policy and organization"),
    ], notes=[f"{name.replace('_', ' ')}: {text}." for name, text in POLICIES.items()])  # fmt: skip


def section_cases(ctx: _Context) -> Section:
    from corridors.empirical.power import VotingGame, shapley_shubik
    from corridors.scenario import load_scenario

    caption = ctx.caption(ctx.config.replications)
    # Atalanta
    atalanta = []
    none = ctx.stats("case/atalanta_none/eu")
    for label, text in (("none", "no NATO-assets sub-issue"), ("bridges", "NATO assets in the draft, bridges on"),
                        ("no_bridges", "NATO assets in the draft, bridges off")):  # fmt: skip
        key = f"case/atalanta_{label}/eu"
        rows, s = ctx.rows[key], ctx.stats(key)
        shares = rows["red_line"].value_counts(normalize=True)
        change, lower, upper = difference(none["restricted_mean_months"], none["restricted_se"],
                                          s["restricted_mean_months"], s["restricted_se"])  # fmt: skip
        atalanta.append({"setting": text, "bridged": float(shares.get("bridged", 0.0)),
                         "redrafted": float(shares.get("redrafted", 0.0)),
                         "unresolved": float(shares.get("unresolved", 0.0)),
                         "mean_months": s["restricted_mean_months"],
                         **({"cost_days": math.nan, "cost_lower_days": math.nan, "cost_upper_days": math.nan}
                            if label == "none" else  # the reference itself
                            {"cost_days": change * DAYS_PER_MONTH, "cost_lower_days": lower * DAYS_PER_MONTH,
                             "cost_upper_days": upper * DAYS_PER_MONTH}),
                         "decided_share": s["decided_share"], "scenario_hash": ctx.hash(key)})  # fmt: skip
    atalanta_frame = pd.DataFrame(atalanta)
    # UNSC
    unsc = load_scenario("unsc")
    rule = unsc.decision_rule
    codes = [m.code for m in unsc.members]
    game = VotingGame(players=tuple(codes), weights=tuple(1 for _ in codes), quota=int(rule.quota or len(codes)),
                      veto=tuple(rule.veto_members))  # fmt: skip
    power = shapley_shubik(game)
    unsc_rows = []
    pivotal = {}
    for label, text in (("veto", "9 of 15 with a P5 veto (the Charter)"), ("unanimity", "unanimity")):
        key = f"case/unsc_{label}/unsc"
        s = ctx.stats(key)
        pivotal[label] = ctx.rows[key]["pivotal_member"].value_counts(normalize=True)
        unsc_rows.append({"rule": text, "mean_months": s["restricted_mean_months"], "se": s["restricted_se"],
                          "decided_share": s["decided_share"], "decision_days_mean": s["decision_days_mean"],
                          "scenario_hash": ctx.hash(key)})  # fmt: skip
    p5 = set(rule.veto_members)
    for row, label in zip(unsc_rows, ("veto", "unanimity"), strict=True):
        row["p5_last_to_accept_share"] = float(sum(pivotal[label].get(c, 0.0) for c in p5))
    unsc_frame = pd.DataFrame(unsc_rows)
    pivotal_frame = pd.DataFrame({
        "member": codes, "permanent": [c in p5 for c in codes],
        "pivotal_share_veto": [float(pivotal["veto"].get(c, 0.0)) for c in codes],
        "pivotal_share_unanimity": [float(pivotal["unanimity"].get(c, 0.0)) for c in codes],
        "shapley_shubik": [float(power.get(c, 0.0)) for c in codes],
    }).sort_values("pivotal_share_veto", ascending=False).reset_index(drop=True)  # fmt: skip
    # OAS 2008
    oas_rows = []
    for label in OAS_SETTINGS:
        key = (f"table/{label}/oas" if label in ("defaults", "calibrated") else f"case/oas_{label}/oas")
        rows = ctx.rows[key]
        fast = int((rows["decided"] & (rows["decision_day"] <= 4)).sum())
        lower, upper = share_interval(fast, len(rows))
        oas_rows.append({"setting": label, "decided_within_4_days": fast / len(rows), "lower_95": lower,
                         "upper_95": upper, "median_decision_days": float(rows.loc[rows["decided"], "decision_day"]
                                                                          .median()),
                         "replications": len(rows), "scenario_hash": ctx.hash(key)})  # fmt: skip
    oas_frame = pd.DataFrame(oas_rows)
    bridged = atalanta_frame.iloc[1]
    no_bridge = atalanta_frame.iloc[2]
    veto, unanimity = unsc_frame.iloc[0], unsc_frame.iloc[1]
    p5_share = float(veto["p5_last_to_accept_share"])
    fastest = oas_frame.loc[oas_frame["decided_within_4_days"].idxmax()]
    sentence = (
        f"Forced into the EU's draft, the NATO-assets sub-issue costs {_signed(bridged['cost_days'], 1)} days with "
        f"bridges (95% interval {_f(bridged['cost_lower_days'], 1)} to {_f(bridged['cost_upper_days'], 1)}; "
        f"{_f(100 * bridged['bridged'], 1)}% bridged) and {_signed(no_bridge['cost_days'], 1)} without "
        f"({_f(no_bridge['cost_lower_days'], 1)} to {_f(no_bridge['cost_upper_days'], 1)}); "
        f"in the Security Council unanimity takes "
        f"{_f(unanimity['mean_months'])} months against {_f(veto['mean_months'])} under the Charter's rule, where the "
        f"P5 are the last to accept in {_f(100 * p5_share, 1)}% of runs; and the OAS decides within 4 days, as in the "
        f"2008 Colombia-Ecuador crisis, "
        + (f"in at most {_f(100 * fastest['decided_within_4_days'], 1)}% of runs "
           f"({str(fastest['setting']).replace('_', ' ')})." if fastest["decided_within_4_days"] > 0 else
           f"in none of the {int(oas_frame['replications'].sum())} runs of the {len(oas_frame)} settings tried.")
    )
    return Section("cases", "6. Cases", sentence, tables=[
        ReportTable("case_atalanta", "Atalanta: the EU with the NATO-assets sub-issue in the draft (Cyprus's red "
                    "line); red-line outcomes and the cost in days against no sub-issue", atalanta_frame, caption),
        ReportTable("case_unsc", "The UN Security Council: the Charter's rule against unanimity", unsc_frame, caption),
        ReportTable("case_unsc_pivotal", "Who is pivotal (the last to accept) in the model, beside the "
                    "Shapley-Shubik index of the voting rule", pivotal_frame, caption.replace(
                        " each row's scenario is named by its scenario_hash column.", " scenarios as in case_unsc."),
                    digits=3),
        ReportTable("case_oas", "The OAS in the 2008 Colombia-Ecuador crisis: how often the model decides within 4 "
                    "days", oas_frame, caption.replace(f"{ctx.config.replications} replications per setting",
                                                       "replications as in the table")),
    ], notes=["In the model the pivotal member is the capital that accepts last; the Shapley-Shubik index is the "
              "voting rule's a priori power (corridors.empirical.power), a different notion, shown for context.",
              "The OAS Permanent Council's resolution of 5 March 2008 came four days after the Colombian raid "
              "of 1 March."])  # fmt: skip


def section_networks(ctx: _Context, calibrated: tuple[str, ...]) -> Section:
    from corridors.engines.reference import Committee
    from corridors.report.figures import network_figure, png
    from corridors.scenario import load_scenario

    networks, records = [], []
    for org in ORGANIZATIONS:
        scenario = load_scenario(org, list(calibrated))
        committee = Committee(scenario, seed=ctx.config.seed)
        while committee.day < 0:
            committee.step()
        trust = np.array(committee.trust, dtype=float)
        friend = float(committee.p.friend_threshold)
        networks.append((org.upper(), trust, [m.code for m in scenario.members],
                         [m.subregion for m in scenario.members], friend))  # fmt: skip
        friends = (np.maximum(trust, trust.T) >= friend).sum(axis=1)
        positive = np.triu(trust, 1) > 0
        n = len(friends)
        records.append({"organization": org.upper(), "members": n, "friends_per_ambassador": float(friends.mean()),
                        "zero_friend_share": float((friends == 0).mean()),
                        "tie_density": float(positive.sum() / (n * (n - 1) / 2)),
                        "scenario_hash": scenario.content_hash()})  # fmt: skip
    table = pd.DataFrame(records)
    dense = table.loc[table["friends_per_ambassador"].idxmax()]
    sparse = table.loc[table["friends_per_ambassador"].idxmin()]
    sentence = (f"After the routine years, ambassadors have {_f(sparse['friends_per_ambassador'], 1)} friends each "
                f"at the {sparse['organization']} and {_f(dense['friends_per_ambassador'], 1)} at the "
                f"{dense['organization']}, in one replicate each at the calibrated values.")  # fmt: skip
    return Section("networks", "7. The routine networks", sentence, tables=[
        ReportTable("networks", "The routine networks on the day of the demand (replicate 0)", table,
                    f"1 replicate per organization (reference engine), seed {ctx.config.seed}, corridors "
                    f"{__version__}; scenario_hash names each scenario."),
    ], figures=[ReportFigure("networks", "Routine networks", png(network_figure(networks), dpi=100),
                             "each organization's ambassadors' network, coloured by sub-region")])  # fmt: skip


# -- the whole report ----------------------------------------------------------------------------


def _parameters(parameter_file: Path | None) -> tuple[tuple[str, ...], dict[str, Any], list[str]]:
    """The calibrated overrides, the parameter file's document and warnings (none found: defaults)."""
    from corridors.calibration.pipeline import parameter_overrides, read_parameter_file, shipped_parameter_file

    path = parameter_file or shipped_parameter_file()
    if not path.is_file():
        if parameter_file is not None:
            raise CorridorsError(f"--params {parameter_file}: no such file")
        return (), {"source": "none"}, [f"no calibrated parameter file ({path}): the 'calibrated' settings use the "
                                        "presets' defaults"]  # fmt: skip
    document = read_parameter_file(path)
    shown = ("the shipped file corridors/calibration/data/calibrated.yaml" if parameter_file is None
             else str(parameter_file))  # fmt: skip
    document = {**document, "source": shown}
    return tuple(parameter_overrides(path)), document, []


def _render(sections: list[Section], context: dict[str, Any]) -> tuple[str, str]:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.PackageLoader("corridors.report", "templates"),
                                     autoescape=jinja2.select_autoescape(["html"]), keep_trailing_newline=True)
    environment.filters["cell"] = format_value
    html = environment.get_template("report.html.j2").render(sections=sections, **context)
    markdown = environment.get_template("summary.md.j2").render(sections=sections, **context)
    return html, markdown


def reproduce(
    out_dir: str | Path,
    *,
    config: ReportConfig = FULL,
    executor: Any = None,
    parameter_file: Path | None = None,
    recalibrate: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReproduceResult:
    """Run every setting (resuming from ``OUT/reproduce.duckdb``) and write the report to ``out_dir``.

    Parameters
    ----------
    config
        :data:`FULL` (about 12 minutes on 2 cores) or :data:`QUICK` (under 2 minutes).
    executor
        Where the runs go (default: a process pool on every core).
    parameter_file
        Calibrated parameters (default: the file the package ships).
    recalibrate
        Run the calibration (quick size with :data:`QUICK`, medium otherwise) into ``OUT/calibration``
        and use its results.
    progress
        Called with (stage, replications just done, replications in all).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise CorridorsError(f"--out {out}: is a file, not a folder")
    if not recalibrate:
        calibrated, document, notes = _parameters(parameter_file)  # a bad file is refused before anything is written
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CorridorsError(f"--out {out}: cannot create the folder: {exc}") from None
    if executor is None:
        from corridors.experiments.executors import make_executor

        executor = make_executor("process")
    calibration_folder: Path | None = None
    if recalibrate:
        parameter_file, calibration_folder = _recalibrate(out, config, executor, progress)
        calibrated, document, notes = _parameters(parameter_file)
    settings = plan_settings(config, calibrated)
    total = total_replications(list(settings.values()))
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress("simulating", count, total)

    store = out / "reproduce.duckdb"
    rows: dict[str, pd.DataFrame] = {}
    with StoredRuns(store, seed=config.seed, executor=executor, progress=advance) as runs:
        for key, setting in settings.items():
            rows[key] = runs.rows(setting)
    ctx = _Context(config, rows, settings, runs.hashes, document)
    builders: list[tuple[str, Callable[[], Section]]] = [
        ("observed against simulated", lambda: section_observed(ctx)),
        ("the real data", lambda: section_real_data(ctx)),
        ("calibration", lambda: section_calibration(ctx, calibration_folder)),
        ("mechanisms", lambda: section_mechanisms(ctx)),
        ("policy experiments", lambda: section_policy(ctx)),
        ("cases", lambda: section_cases(ctx)),
        ("networks", lambda: section_networks(ctx, calibrated)),
    ]
    sections = []
    for stage, build in builders:
        if progress is not None:
            progress(stage, 0, total)
        sections.append(build())
    sections.append(_pipeline_section(ctx, runs, store, settings, document, config))
    return _write(out, sections, config, document, notes, runs, store)


def _pipeline_section(ctx: _Context, runs: StoredRuns, store: Path, settings: dict[str, Setting],
                      document: dict[str, Any], config: ReportConfig) -> Section:  # fmt: skip
    records = [{"setting": key, "organization": s.organization, "replications": s.replications, "points": s.points,
                "overrides": " ; ".join(o if len(o) < 120 else o[:117] + "..." for o in s.overrides) or "(none)",
                "scenario_hash": ctx.hash(key)} for key, s in settings.items()]  # fmt: skip
    table = pd.DataFrame(records)
    sentence = (f"This report simulated {len(settings)} settings ({total_replications(list(settings.values()))} "
                f"replications: {runs.replications_run} run now, the rest read from {store.name}), at the "
                f"{config.size} size with root seed {config.seed}.")  # fmt: skip
    source = document.get("source", "none")
    return Section("pipeline", "8. How this report was made", sentence, tables=[
        ReportTable("settings", "Every simulated setting", table, ctx.caption("see the replications column")),
    ], notes=[f"Calibrated parameters: {source}" + (f" (reading {document.get('reading')}: " + ", ".join(
        f"{k} = {v:g}" for k, v in document.get("parameters", {}).items()) + ")" if source != "none" else ""),
        f"Runs are stored in {store.name} by the experiments layer: run the same command again to resume an "
        "interrupted report; a finished one reruns nothing.",
        "Analyses: corridors.empirical (sample, survival, voting power) and corridors.calibration."])  # fmt: skip


def _recalibrate(out: Path, config: ReportConfig, executor: Any,
                 progress: Callable[[str, int, int], None] | None) -> tuple[Path, Path]:  # fmt: skip
    from corridors.calibration.pipeline import run_calibration, with_size, write_outputs
    from corridors.calibration.simulate import HeldExecutor

    size = "quick" if config.size == "quick" else "medium"
    calibration = with_size(size, seed=config.seed)
    folder = out / "calibration"
    total = calibration.evaluations_estimate()

    def advanced(stage: str, count: int) -> None:
        if progress is not None:
            progress(f"calibrating ({stage})", 1, total)

    with executor:
        result = run_calibration(calibration, store=folder / "calibration.duckdb", executor=HeldExecutor(executor),
                                 progress=advanced)  # fmt: skip
    write_outputs(result, folder, size=size)
    return folder / "calibrated.yaml", folder


def _write(out: Path, sections: list[Section], config: ReportConfig, document: dict[str, Any], notes: list[str],
           runs: StoredRuns, store: Path) -> ReproduceResult:  # fmt: skip
    csv_paths, figure_paths = [], []
    figures_dir = out / "figures"
    figures_dir.mkdir(exist_ok=True)
    for section in sections:
        for table in section.tables:
            path = out / f"{table.name}.csv"
            with atomic_output(path) as partial:
                table.frame.to_csv(partial, index=False)
            csv_paths.append(path)
        for figure in section.figures:
            path = figures_dir / f"{figure.name}.png"
            with atomic_output(path) as partial:
                partial.write_bytes(figure.image)
            figure_paths.append(path)
    context = {"version": __version__, "config": config, "warnings": notes, "document": document,
               "source": document.get("source", "none")}  # fmt: skip
    html, markdown = _render(sections, context)
    html_path, summary_path = out / "index.html", out / "summary.md"
    with atomic_output(html_path) as partial:
        partial.write_text(html, encoding="utf-8")
    with atomic_output(summary_path) as partial:
        partial.write_text(markdown, encoding="utf-8")
    return ReproduceResult(sections=sections, html_path=html_path, summary_path=summary_path, csv_paths=csv_paths,
                           figure_paths=figure_paths, store=store, parameters=document,
                           replications_run=runs.replications_run, settings_run=runs.settings_run,
                           settings_found=runs.settings_found, warnings=notes)  # fmt: skip


def sized(name: str, **changes: Any) -> ReportConfig:
    """A named size (``quick`` or ``full``) with some fields changed."""
    sizes = {"quick": QUICK, "full": FULL}
    if name not in sizes:
        raise CorridorsError(f"size: unknown report size '{name}' (choose from quick, full)")
    return replace(sizes[name], **changes)
