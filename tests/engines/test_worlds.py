"""Routine worlds: a crisis started from a stored world gives exactly the full run's row (issue 24)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridors.engines import worlds as W
from corridors.engines.batch import run_batch
from corridors.engines.rules import ModelParameters
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario

PRESETS = ["au", "eu", "oas", "osce", "unsc"]
CHOICES = [
    [],
    ["theory.agency=peers"],
    ["theory.convening=consensus"],
    ["theory.capitals=informed"],
    ["theory.convening=consensus", "theory.agency=peers", "theory.capitals=informed"],
]


@pytest.mark.parametrize("choice", CHOICES, ids=["v2", "peers", "consensus", "informed", "all_three"])
@pytest.mark.parametrize("preset", PRESETS)
def test_a_crisis_from_stored_worlds_is_the_full_run(preset: str, choice: list[str]) -> None:
    scenario = load_scenario(preset, choice)
    worlds = W.burn_in(scenario, replications=5, seed=4, first_replicate=3)
    pd.testing.assert_frame_equal(
        W.run_crisis(scenario, worlds), run_batch(scenario, replications=5, seed=4, first_replicate=3)
    )
    # a crisis-phase policy on the same routine networks: exactly the full run of that scenario
    policy = load_scenario(
        preset, [*choice, "parameters.posture=0.3", "parameters.widen_base=0.4", "mechanisms.gossip=false"]
    )
    assert W.routine_key(policy) == W.routine_key(scenario)
    pd.testing.assert_frame_equal(
        W.run_crisis(policy, worlds),
        run_batch(policy, replications=5, seed=4, first_replicate=3, stream_key=scenario.content_hash()),
    )


def test_common_stream_key_worlds_serve_every_crisis_field() -> None:
    base = load_scenario("unsc", ["parameters.burn_in_days=40"])
    key = base.content_hash()
    worlds = W.burn_in(base, replications=4, seed=1, stream_key=key)
    changed = load_scenario("unsc", ["parameters.burn_in_days=40", "parameters.agency_max=0.2"])
    pd.testing.assert_frame_equal(
        W.run_crisis(changed, worlds), run_batch(changed, replications=4, seed=1, stream_key=key)
    )


def test_the_theory_choices_are_crisis_fields_by_the_derivation() -> None:
    routine = W.routine_fields(load_scenario("osce"))
    assert "parameters.trust_decay" in routine and "formal_meetings_per_week" in routine
    assert "parameters.theta_alpha" in routine  # the world draw's (WorldParams)
    assert not [path for path in routine if path.startswith("theory.")]
    assert "parameters.posture" not in routine and "mechanisms.gossip" not in routine
    p, s, w = W.routine_parameters()
    assert {"peer_agency", "consensus_convening", "informed_capitals"}.isdisjoint(s)


def test_no_field_outside_the_routine_set_changes_a_world() -> None:
    """Move every scenario field the key leaves out: the burn-in's worlds stay bit for bit the same."""
    from corridors.scenario.loading import apply_overrides, scenario_from_dict

    base = load_scenario("eu", ["parameters.burn_in_days=30"])
    key = base.content_hash()
    reference = W.burn_in(base, replications=3, seed=2, stream_key=key).worlds
    routine = set(W.routine_fields(base))
    assert routine  # the burn-in reads something
    raw = base.model_dump(mode="json")
    moved_any = 0
    for path in W._leaf_fields(base):
        if path in routine:
            continue
        group, _, name = path.rpartition(".")
        value = getattr(getattr(base, group) if group else base, name)
        if isinstance(value, str):
            moved: object = W._moves(base, path)[0]
        elif isinstance(value, bool):
            moved = str(not value).lower()
        else:
            moved = value + 1 if isinstance(value, int) else value * 0.8 + 0.01
        try:
            other = scenario_from_dict(apply_overrides(raw, [f"{path}={moved}"]), label="")
        except CorridorsError:
            continue
        moved_any += 1
        worlds = W.burn_in(other, replications=3, seed=2, stream_key=key).worlds
        for field, a, b in zip(reference._fields, reference, worlds, strict=True):
            assert np.array_equal(a, b), f"{path} changed the world's {field} but is not in the routine key"
    assert moved_any > 10


def test_a_routine_change_never_reuses_a_world() -> None:
    base = load_scenario("unsc", ["parameters.burn_in_days=40"])
    worlds = W.burn_in(base, replications=3, seed=1)
    for override in (
        "parameters.trust_decay=0.01",
        "parameters.tenure_days=500",
        "formal_meetings_per_week=2",
        "mechanisms.trust_growth=false",
        "parameters.initial_mean_degree=2",
    ):
        other = load_scenario("unsc", ["parameters.burn_in_days=40", override])
        assert W.routine_key(other) != W.routine_key(base), override
        with pytest.raises(CorridorsError, match="another routine"):
            W.run_crisis(other, worlds)
    with pytest.raises(CorridorsError, match="seed"):
        W.run_crisis(base, worlds, seed=2)


def test_the_cache_serves_crisis_changes_and_misses_routine_changes() -> None:
    cache = W.configure_world_cache(50)
    assert cache is not None
    try:
        base = load_scenario("unsc", ["parameters.burn_in_days=40"])
        first = run_batch(base, replications=6, seed=3)
        crisis = load_scenario("unsc", ["parameters.burn_in_days=40", "parameters.redraft_prob=0.9"])
        rows = run_batch(crisis, replications=6, seed=3, stream_key=base.content_hash())
        assert cache.hits == 1  # the base's stream key: the base's worlds
        rows_same_key = run_batch(crisis, replications=6, seed=3, stream_key=base.content_hash())
        assert cache.hits == 2
        run_batch(crisis, replications=6, seed=3)  # its own stream key: other worlds
        assert cache.hits == 2
        routine = load_scenario("unsc", ["parameters.burn_in_days=40", "parameters.trust_gain=0.3"])
        run_batch(routine, replications=6, seed=3, stream_key=base.content_hash())
        assert cache.hits == 2
        assert cache.nbytes > 0
    finally:
        W.configure_world_cache(0)
    pd.testing.assert_frame_equal(first, run_batch(base, replications=6, seed=3))
    pd.testing.assert_frame_equal(rows_same_key, rows)
    pd.testing.assert_frame_equal(rows, run_batch(crisis, replications=6, seed=3, stream_key=base.content_hash()))


def test_worlds_round_trip_through_a_file(tmp_path: Path) -> None:
    scenario = load_scenario("unsc", ["parameters.burn_in_days=20"])
    worlds = W.burn_in(scenario, replications=3, seed=5)
    path = W.save_worlds(worlds, tmp_path / "w.npz")
    again = W.load_worlds(path)
    pd.testing.assert_frame_equal(W.run_crisis(scenario, again), W.run_crisis(scenario, worlds))
    (tmp_path / "bad.npz").write_bytes(b"not a file of worlds")
    with pytest.raises(CorridorsError, match="not a corridors worlds file"):
        W.load_worlds(tmp_path / "bad.npz")


def test_the_reading_refuses_what_it_cannot_follow() -> None:
    def hides(p: ModelParameters) -> float:
        q = p
        return float(q.trust_decay)

    with pytest.raises(W.AnalysisError, match="other than by reading a field"):
        W._read(hides, {"p": "p"}, {}, set(), set())
    found: set[tuple[str, str]] = set()

    def guarded(p: ModelParameters, in_crisis: bool) -> float:
        if in_crisis and p.posture > 0:
            return float(p.disclosure)
        return float(p.trust_decay)

    W._read(guarded, {"p": "p"}, {"in_crisis": False}, found, set())
    assert found == {("p", "trust_decay")}


def _same_row(a: object, b: object) -> bool:
    from dataclasses import astuple

    return all(x == y or (x != x and y != y) for x, y in zip(astuple(a), astuple(b), strict=True))  # type: ignore[arg-type]


@pytest.mark.parametrize(("preset", "choice"), [(p, []) for p in PRESETS] + [("osce", CHOICES[1]), ("oas", CHOICES[4])])
def test_the_reference_engine_starts_from_its_worlds_too(preset: str, choice: list[str]) -> None:
    from corridors.engines.reference import Committee, run_reference

    short = ["parameters.burn_in_days=60", "parameters.max_days=150", *choice]
    scenario = load_scenario(preset, short)
    key = scenario.content_hash()
    committee = Committee(scenario, seed=3, replicate=1)
    while committee.day < 0:
        committee.step()
    world = W.reference_world(committee)
    policy = load_scenario(preset, [*short, "parameters.posture=0.2", "parameters.redraft_prob=0.9"])
    for target in (scenario, policy):
        started = Committee(target, seed=3, replicate=1, stream_key=key)
        W.restore_reference_world(started, world)
        expected, _ = run_reference(target, seed=3, replicate=1, stream_key=key)
        assert _same_row(started.run(), expected)
    other = Committee(
        load_scenario(preset, [*short, "parameters.trust_decay=0.02"]), seed=3, replicate=1, stream_key=key
    )
    with pytest.raises(CorridorsError, match="another routine"):
        W.restore_reference_world(other, world)


def test_a_kept_reference_world_starts_the_same_negotiation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors.engines.reference import Committee, run_reference

    monkeypatch.setenv(W.REFERENCE_WORLDS_ENV, str(tmp_path))
    W._REFERENCE_WORLDS.clear()
    scenario = load_scenario("unsc", ["parameters.burn_in_days=50"])
    first = Committee(scenario, seed=1)
    W.start_at_day_zero(first)
    assert first.steps == 50 and len(list(tmp_path.glob("*.npz"))) == 1
    W._REFERENCE_WORLDS.clear()  # as in a new process: from the folder
    again = Committee(scenario, seed=1)
    W.start_at_day_zero(again)
    assert again.steps == 0 and again.day == 0
    assert _same_row(again.run(), run_reference(scenario, seed=1, replicate=0)[0])
