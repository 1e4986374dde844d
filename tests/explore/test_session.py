"""The explorer's library half: levers, uploads with the CLI's errors, ensembles, the CLI command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

from corridors.errors import CorridorsError
from corridors.explore.ensemble import km_median, median_difference, paper_mean_days, run_ensemble
from corridors.explore.session import ExplorerCommittee, lever_overrides, scenario_from_upload
from corridors.scenario import load_scenario

BROKEN = {
    "negative.yaml": "extends: eu\nformal_meetings_per_week: -1\n",
    "syntax.yaml": "name: x\nmembers: [\n",
    "unknown.yaml": "extends: eu\nparameters:\n  postur: 0.3\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_upload_fails_with_the_cli_line(name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_text(BROKEN[name], encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "validate", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 2
    with pytest.raises(CorridorsError) as caught:
        scenario_from_upload(name, BROKEN[name].encode())
    assert [f"error: {line}" for line in caught.value.problems] == cli.stderr.strip().splitlines()


def test_an_upload_loads_like_the_file(tmp_path: Path) -> None:
    text = "extends: au\nformal_meetings_per_week: 0.5\nmechanisms:\n  gossip: false\n"
    (tmp_path / "mine.yaml").write_text(text, encoding="utf-8")
    uploaded = scenario_from_upload("mine.yaml", text.encode(), ["parameters.posture=0.3"])
    assert uploaded.content_hash() == load_scenario(tmp_path / "mine.yaml", ["parameters.posture=0.3"]).content_hash()
    with pytest.raises(CorridorsError, match="cannot read"):
        scenario_from_upload("binary.yaml", b"\xff\xfe\x00")
    with pytest.raises(CorridorsError, match="extend a preset only"):
        scenario_from_upload("rel.yaml", b"extends: other.yaml\n")


def test_levers_become_overrides_and_the_committee_starts_at_the_demand() -> None:
    overrides = lever_overrides(
        {"formal_meetings_per_week": 0.5, "posture": None}, {"gossip": False}, ["parameters.burn_in_days=30"]
    )
    assert overrides == ["formal_meetings_per_week=0.5", "mechanisms.gossip=false", "parameters.burn_in_days=30"]
    c = ExplorerCommittee(
        "eu", seed=3, formal_meetings_per_week=0.5, mechanisms={"gossip": False}, extra=("parameters.burn_in_days=30",)
    )
    assert c.day == 0 and c.tracing and not c.events
    assert c.scenario.formal_meetings_per_week == 0.5 and not c.scenario.mechanisms.gossip
    c.step()
    assert c.events[0].kind == "demand"


def test_km_median_matches_lifelines() -> None:
    rng = np.random.default_rng(5)
    durations = np.round(rng.exponential(100.0, 300))
    events = rng.random(300) < 0.7
    kmf = KaplanMeierFitter().fit(durations, events)
    assert km_median(durations, events) == kmf.median_survival_time_
    assert km_median(durations, np.zeros(300, dtype=bool)) == np.inf


def test_ensemble_and_median_difference() -> None:
    eu = load_scenario("eu", ["parameters.burn_in_days=30"])
    ticks: list[int] = []
    rows = run_ensemble(eu, replications=40, seed=1, progress=ticks.append)
    assert len(rows) == 40 and sum(ticks) == 40
    same = median_difference(rows, rows, resamples=200)
    assert same.difference == 0.0 and same.low <= 0.0 <= same.high
    later = rows.assign(duration_days=rows["duration_days"] + 50.0)
    shifted = median_difference(rows, later, resamples=200)
    assert shifted.difference == pytest.approx(50.0) and shifted.low < 50.0 < shifted.high
    assert shifted.low > same.low and shifted.high > same.high
    assert paper_mean_days(eu) == pytest.approx(6.17 * 30.44)
    assert paper_mean_days(load_scenario("unsc")) is None


def test_help_does_not_load_solara() -> None:
    code = (
        "import sys; from corridors.cli import main; main(['--help']); "
        "assert 'solara' not in sys.modules and 'corridors.explore' not in sys.modules, 'loaded'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "explore" in done.stdout


def test_explore_rejects_a_host_that_is_no_address() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "explore", "--host", "my laptop"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: --host: 'my laptop' is not an IP address (e.g. 127.0.0.1, the default)"
    ]


def test_rows_have_the_survival_columns() -> None:
    rows = run_ensemble(load_scenario("unsc", ["parameters.burn_in_days=30"]), replications=5, seed=0)
    assert isinstance(rows, pd.DataFrame)
    assert {"duration_days", "event"} <= set(rows.columns)


def test_the_status_line_never_says_day_minus_one() -> None:
    from corridors.explore.app import status_line

    committee = ExplorerCommittee("unsc", seed=1, extra=("parameters.burn_in_days=10",))
    assert "before the demand" in status_line(committee) and "day **-1**" not in status_line(committee)
    committee.step()
    assert "UNSC** · day **0**" in status_line(committee)


def test_each_slider_label_shows_its_value() -> None:
    from corridors.explore.app import _labelled, _lever_params

    labels = [options["label"] for options in _labelled(_lever_params(load_scenario("eu"))).values()]
    assert labels[0] == "Meetings/week: 3.5"
    assert all(label.split(": ")[-1][0].isdigit() for label in labels), labels


@pytest.mark.parametrize("preset", ["unsc", "osce"])
def test_the_intervals_axis_label_lies_inside_the_figure(preset: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from corridors.explore.figures import IntervalsView

    view = IntervalsView(ExplorerCommittee(preset, seed=1, extra=("parameters.burn_in_days=10",)))
    fig, ax = view._new()
    view.draw_static(fig, ax)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    label = ax.xaxis.label.get_window_extent(canvas.get_renderer())
    ticks = ax.xaxis.get_tightbbox(canvas.get_renderer())
    assert label.y0 >= 0 and ticks is not None and ticks.y0 >= 0, (label, ticks)


def test_the_explorer_hides_solara_and_mesa_warnings_only() -> None:
    import warnings

    from corridors.explore.server import quiet_third_party_warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet_third_party_warnings()
        warnings.warn("ComponentsView: `use_state` found despite early return on line 376", UserWarning, stacklevel=1)
        warnings.warn("Cookies with samesite=none require https, but ...", UserWarning, stacklevel=1)
        warnings.warn("something of ours", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["something of ours"]
