"""The explorer's page: Solara, with Mesa's SolaraViz controller and inputs.

Mesa's ``ModelController`` (SolaraViz's play, pause, step and reset) drives an
:class:`~corridors.explore.session.ExplorerCommittee`; Mesa's ``UserInputs`` draws the
levers from SolaraViz's ``model_params`` format. The page is Solara's own rather than
``SolaraViz`` itself because it needs what SolaraViz's fixed frame has no place for: an
uploaded scenario feeding Reset, one-line errors in the page, and the ensemble tab.
"""

from __future__ import annotations

import base64
import math
import threading
from collections import Counter
from typing import Any

import ipywidgets
import solara
import solara.lab
from mesa.visualization.solara_viz import ModelController, UserInputs
from mesa.visualization.utils import update_counter

from corridors.errors import CorridorsError
from corridors.explore import figures
from corridors.explore.ensemble import median_difference, paper_mean_days, run_ensemble
from corridors.explore.session import (
    LEVERS,
    MECHANISMS,
    ExplorerCommittee,
    lever_overrides,
    load_source,
    scenario_from_upload,
)
from corridors.scenario import list_presets
from corridors.scenario.schema import Scenario

UPLOADED = "uploaded file"
EVENTS_SHOWN = 14


def _extra_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def _lever_params(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The levers in SolaraViz's ``model_params`` format, starting at the scenario's values."""
    values = {
        "formal_meetings_per_week": scenario.formal_meetings_per_week,
        "posture": scenario.parameters.posture,
        "trust_gain": scenario.parameters.trust_gain,
        "big_player_salience": scenario.parameters.big_player_salience,
    }
    return {
        name: {"type": "SliderFloat", "label": label, "value": values[name], "min": lo, "max": hi, "step": step}
        for name, (_, label, lo, hi, step) in LEVERS.items()
    }


def _labelled(lever_params: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each slider's label with its value (a Solara slider shows its value only while dragged)."""
    return {
        name: {**options, "label": f"{options['label']}: {options['value']:g}"}
        for name, options in lever_params.items()
    }


def status_line(model: ExplorerCommittee) -> str:
    """The status line: the organization, the day last played (none before the demand), the votes."""
    last = model.proposals[-1] if model.proposals else math.nan
    state = (
        f"decided on day {int(model.decision_day)}"
        if model.decided
        else "horizon reached, no decision"
        if not model.running
        else "negotiating"
    )
    day = "before the demand (Step plays day 0)" if model.day <= 0 else f"day **{model.day - 1}**"
    return (
        f"**{model.scenario.name.upper()}** · {day} · formal meetings {model.n_formal_meetings} · last proposal "
        f"{'-' if math.isnan(last) else f'{last:.2f}'} · rejecters {model.last_vote_rejecters} · "
        f"<span id='run-state'>{state}</span>"
    )


@solara.component
def Layers(view: figures.LayeredView, name: str) -> None:
    """A view's two layers, one over the other, redrawn at every step of the model."""
    update_counter.get()
    bottom, top = view.layers()
    images = "".join(
        f'<img alt="{name}" src="data:image/png;base64,{base64.b64encode(layer).decode()}" '
        f'style="{"position:absolute;left:0;top:0;" if k else ""}width:100%;display:block">'
        for k, layer in enumerate((bottom, top))
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=images,
        style={"position": "relative", "width": "448px"},
        classes=[f"corridors-{name}"],
    )


@solara.component
def Status(model: ExplorerCommittee) -> None:
    """The day, the formal meetings, the last proposal, the rejecters and the state of the negotiation."""
    update_counter.get()
    solara.Markdown(status_line(model))


@solara.component
def Events(model: ExplorerCommittee) -> None:
    """The latest events of the negotiation (contacts aside)."""
    update_counter.get()
    shown = [e for e in model.events if e.kind != "contact"][-EVENTS_SHOWN:]
    counts = Counter(e.kind for e in model.events)
    solara.Text(
        "so far: " + ", ".join(f"{kind} {counts[kind]}" for kind in figures.EVENT_KINDS if counts[kind])
        if counts
        else "so far: nothing"
    )
    lines = [f"- day {e.day} · **{e.kind}** · {', '.join(e.actors)} {e.detail}" for e in reversed(shown)]
    solara.Markdown("\n".join(lines) or "_no events yet: step or play_")


@solara.component
def Negotiation(model: solara.Reactive[ExplorerCommittee], params: solara.Reactive[dict[str, Any]]) -> None:
    """The three views of one negotiation and its events, side by side."""
    committee = model.value
    views = solara.use_memo(
        lambda: (figures.NetworkView(committee), figures.IntervalsView(committee), figures.TimelineView(committee)),
        [committee],
    )
    with solara.Row(style={"flex-wrap": "wrap"}):
        with solara.Column(style={"width": "460px"}):
            Layers(views[0], "network")
            Layers(views[2], "timeline")
        with solara.Column(style={"width": "460px"}):
            Layers(views[1], "intervals")
        with solara.Column(style={"width": "420px"}):
            solara.Markdown("#### Events")
            Events(committee)


@solara.component
def Controls(
    model: solara.Reactive[ExplorerCommittee],
    params: solara.Reactive[dict[str, Any]],
    uploaded: solara.Reactive[Scenario | None],
    error: solara.Reactive[str | None],
) -> None:
    """Scenario, levers, mechanisms and seed; they take effect at Reset, as in SolaraViz."""
    base = solara.use_memo(lambda: load_source(params.value["source"]), [params.value["source"]])

    def change(name: str, value: Any) -> None:
        new = {**params.value, name: value}
        if name == "source":  # a new scenario starts from its own values
            new = {"source": value, "seed": new["seed"], "mechanisms": {}, "extra": new["extra"]}
        try:
            load_source(
                new["source"], lever_overrides({k: new.get(k) for k in LEVERS}, new["mechanisms"], new["extra"])
            )
        except CorridorsError as exc:
            error.set(str(exc.problems[0]))
            return
        error.set(None)
        params.set(new)

    def load_upload(name: str, content: bytes) -> None:
        try:
            scenario = scenario_from_upload(name, content)
        except CorridorsError as exc:
            error.set(exc.problems[0])
            return
        uploaded.set(scenario)
        change("source", scenario)

    def on_drop(file: dict[str, Any]) -> None:
        load_upload(file["name"], file["file_obj"].read())

    def on_upload(files: Any) -> None:
        for file in files:  # ipywidgets 8: a tuple of {name, content, ...}
            load_upload(str(file["name"]), bytes(file["content"]))

    names = list_presets() + ([UPLOADED] if uploaded.value is not None else [])
    current = params.value["source"]
    shown = current if isinstance(current, str) else UPLOADED
    with solara.Card("Scenario"):
        solara.Select(
            "Organization (preset)",
            values=names,
            value=shown,
            on_value=lambda v: change("source", uploaded.value if v == UPLOADED else v),
        )
        ipywidgets.FileUpload.element(
            accept=".yaml,.yml", multiple=False, description="Upload scenario", on_value=on_upload
        )
        solara.FileDrop(label="...or drop a scenario YAML here", on_file=on_drop, lazy=False)
        if error.value:
            solara.Error(error.value, icon=False, classes=["corridors-error"])
        solara.InputInt("Seed", value=params.value["seed"], on_value=lambda v: change("seed", max(0, int(v))))
    with solara.Card("Levers (applied at Reset)"):
        lever_params = _lever_params(base)
        for name in LEVERS:
            if params.value.get(name) is not None:
                lever_params[name]["value"] = params.value[name]
        UserInputs(_labelled(lever_params), on_change=change)
        with solara.Details("Mechanisms"):
            for mech in MECHANISMS:
                on = params.value["mechanisms"].get(mech, getattr(base.mechanisms, mech))
                solara.Checkbox(
                    label=mech.replace("_", " "),
                    value=on,
                    on_value=lambda v, m=mech: change("mechanisms", {**params.value["mechanisms"], m: v}),
                )
        solara.InputTextArea(
            "Other settings (--set path=value, one a line)",
            value="\n".join(params.value["extra"]),
            on_value=lambda v: change("extra", _extra_lines(v)),
            continuous_update=False,
        )


@solara.component
def Ensembles(params: solara.Reactive[dict[str, Any]]) -> None:
    """N runs of the batch engine for one setting, or two side by side."""
    replications = solara.use_reactive(500)
    seed = solara.use_reactive(0)
    setting_b = solara.use_reactive("formal_meetings_per_week=0.5")
    compare = solara.use_reactive(True)
    done = solara.use_reactive(0)
    total = solara.use_reactive(1)
    message = solara.use_reactive("")
    result = solara.use_reactive(None)
    lock = solara.use_memo(threading.Lock, [])

    def run() -> None:
        p = params.value
        levers = {k: p.get(k) for k in LEVERS}
        try:
            a = load_source(p["source"], lever_overrides(levers, p["mechanisms"], p["extra"]))
            b = (
                load_source(
                    p["source"], lever_overrides(levers, p["mechanisms"], (*p["extra"], *_extra_lines(setting_b.value)))
                )
                if compare.value
                else None
            )
        except CorridorsError as exc:
            message.set(exc.problems[0])
            return
        n = int(replications.value)
        if not 1 <= n <= 100_000:
            message.set(f"replications: choose 1 to 100000, got {n}")
            return
        total.set(n * (2 if b is not None else 1))
        done.set(0)
        message.set("running...")

        def progress(k: int) -> None:
            with lock:
                done.set(done.value + k)

        runs = {"A: as set": run_ensemble(a, replications=n, seed=int(seed.value), progress=progress)}
        if b is not None:
            runs["B: " + "; ".join(_extra_lines(setting_b.value))] = run_ensemble(
                b, replications=n, seed=int(seed.value), progress=progress
            )
        diff = median_difference(*runs.values()) if b is not None else None
        result.set((a, runs, diff))
        message.set("")

    task = solara.lab.use_task(run, dependencies=None)
    with solara.Card("Many negotiations (batch engine)"):
        with solara.Row():
            solara.InputInt("Replications", value=replications)
            solara.InputInt("Seed ", value=seed)
        solara.Checkbox(label="compare with setting B", value=compare)
        solara.InputText(
            "Setting B: the same plus (--set path=value; ...)",
            value=setting_b,
            on_value=lambda v: setting_b.set(v.replace(";", "\n")),
        )
        solara.Button("Run ensemble", color="primary", on_click=lambda: task(), disabled=task.pending)
        solara.ProgressLinear(value=100 * done.value / max(total.value, 1) if task.pending else False)
        if task.pending:
            solara.Text(f"{done.value} of {total.value} runs")
        if message.value and message.value != "running...":
            solara.Error(message.value, icon=False, classes=["corridors-error"])
    if result.value is not None:
        scenario, runs, diff = result.value
        solara.FigureMatplotlib(figures.km_figure(runs, paper_mean_days(scenario), scenario.name.upper()), format="png")
        lines = []
        for label, rows in runs.items():
            lines.append(f"- {label}: {int(rows['event'].sum())} of {len(rows)} deployed within the horizon")
        if diff is not None:
            lines.append(
                f"- <span id='median-difference'>median response B - A: **{diff.difference:+.1f} days** "
                f"({diff.level:.0%} bootstrap interval {diff.low:+.1f} to {diff.high:+.1f}); "
                f"A {diff.median_a:.1f}, B {diff.median_b:.1f} days</span>"
            )
            if diff.unreached:
                lines.append(
                    f"- in {diff.unreached} of {diff.resamples} resamples a median is not reached within "
                    "the horizon: the interval is unbounded on that side (nan: neither median reached)"
                )
        solara.Markdown("\n".join(lines))


@solara.component
def Page() -> None:
    """The explorer's page: the scenario's settings and the negotiation."""
    solara.Title("corridors explore")
    params = solara.use_reactive({"source": "eu", "seed": 0, "mechanisms": {}, "extra": ()})
    model = solara.use_reactive(solara.use_memo(lambda: ExplorerCommittee("eu"), []))
    uploaded = solara.use_reactive(None)
    error = solara.use_reactive(None)
    with solara.AppBar():
        solara.AppBarTitle("corridors explore: how fast does a committee agree to send a peace operation?")
    with solara.Sidebar():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=params,
                play_interval=solara.use_reactive(60),
                render_interval=solara.use_reactive(1),
                use_threads=solara.use_reactive(False),
            )
        Controls(model, params, uploaded, error)
    with solara.lab.Tabs():
        with solara.lab.Tab("One negotiation"):
            Status(model.value)
            Negotiation(model, params)
        with solara.lab.Tab("Many negotiations"):
            Ensembles(params)
