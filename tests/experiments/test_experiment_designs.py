"""Designs: grid, Latin hypercube, Sobol and Morris points, seeded and reproducible."""

from __future__ import annotations

import numpy as np
import pytest
from experiment_helpers import tiny_spec
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.experiments import expand_design, load_experiment, plan_chunks
from corridors.experiments.chunks import count_chunks
from corridors.experiments.spec import Distribution

THREE_FACTORS = [
    {"path": "formal_meetings_per_week", "range": [0.5, 3.5]},
    {"path": "parameters.posture", "distribution": {"kind": "triangular", "low": 0.2, "mode": 0.5, "high": 1.0}},
    {"path": "agenda_setter.kind", "values": ["presidency", "secretariat"]},
]


def test_a_grid_is_the_product_of_the_levels() -> None:
    spec = load_experiment(
        tiny_spec(
            factors=[
                {"path": "formal_meetings_per_week", "values": [1, 2]},
                {"path": "parameters.trust_gain", "range": [0.05, 0.2], "steps": 3},
            ]
        )
    )
    points = expand_design(spec).points
    assert [tuple(p.values.values()) for p in points] == [
        (1, 0.05),
        (1, 0.125),
        (1, 0.2),
        (2, 0.05),
        (2, 0.125),
        (2, 0.2),
    ]
    assert all(p.unit is None for p in points)


def test_a_grid_without_factors_is_the_base_scenario() -> None:
    design = expand_design(load_experiment(tiny_spec(factors=[])))
    assert len(design.points) == 1 and design.points[0].overrides == ()


@pytest.mark.parametrize(
    ("design", "count"),
    [
        ({"kind": "latin_hypercube", "points": 10}, 10),
        ({"kind": "sobol", "points": 8}, 8 * 5),
        ({"kind": "sobol", "points": 8, "second_order": True}, 8 * 8),
        ({"kind": "morris", "points": 3}, 3 * 4),
    ],
)
def test_sampled_designs_have_their_size_and_depend_only_on_the_seed(design: dict, count: int) -> None:
    spec = load_experiment(tiny_spec(factors=THREE_FACTORS, design=design))
    first, again = expand_design(spec), expand_design(spec)
    assert len(first.points) == count
    assert [p.values for p in first.points] == [p.values for p in again.points]
    other = expand_design(load_experiment(tiny_spec(factors=THREE_FACTORS, design=design, seed=12)))
    assert [p.values for p in first.points] != [p.values for p in other.points]
    meetings = [p.values["formal_meetings_per_week"] for p in first.points]
    assert min(meetings) >= 0.5 and max(meetings) <= 3.5
    assert {p.values["agenda_setter.kind"] for p in first.points} <= {"presidency", "secretariat"}


def test_sampled_designs_refuse_what_they_cannot_sample() -> None:
    from corridors.errors import CorridorsError

    with pytest.raises(CorridorsError, match="a sobol design needs a power of two"):
        load_experiment(tiny_spec(factors=THREE_FACTORS, design={"kind": "sobol", "points": 10}))
    normal = {"kind": "normal", "mean": 0.5, "sd": 0.1}
    unbounded = [THREE_FACTORS[0], {"path": "parameters.posture", "distribution": normal}]
    with pytest.raises(CorridorsError, match="a morris design needs bounded factors"):
        load_experiment(tiny_spec(factors=unbounded, design={"kind": "morris", "points": 2}))
    with pytest.raises(CorridorsError, match="needs points: N"):
        load_experiment(tiny_spec(factors=THREE_FACTORS, design="latin_hypercube"))


@pytest.mark.parametrize(
    "distribution",
    [
        {"kind": "uniform", "low": 1, "high": 3},
        {"kind": "normal", "mean": 2, "sd": 0.5},
        {"kind": "truncated_normal", "mean": 2, "sd": 1, "low": 1.5, "high": 4},
        {"kind": "lognormal", "mean": 0, "sd": 0.3},
        {"kind": "triangular", "low": 0, "mode": 1, "high": 4},
    ],
)
def test_distributions_map_the_unit_interval_monotonically(distribution: dict) -> None:
    values = Distribution(**distribution).quantile(np.linspace(0, 1, 101))
    assert np.all(np.isfinite(values)) and np.all(np.diff(values) >= 0)
    if "low" in distribution:
        assert values.min() >= distribution["low"] - 1e-9 and values.max() <= distribution["high"] + 1e-9


@settings(max_examples=60, deadline=None)
@given(points=st.integers(1, 6), replications=st.integers(1, 40), size=st.integers(1, 50))
def test_chunks_cover_every_replicate_once(points: int, replications: int, size: int) -> None:
    chunks = list(plan_chunks(points, replications, size))
    assert [c.chunk_id for c in chunks] == list(range(len(chunks)))
    covered = sorted(
        (p, r)
        for c in chunks
        for p in c.point_ids
        for r in range(c.first_replicate, c.first_replicate + c.replications)
    )
    assert covered == [(p, r) for p in range(points) for r in range(replications)]
    assert all(1 <= c.size <= size for c in chunks)
    assert all(c.points == 1 or (c.first_replicate, c.replications) == (0, replications) for c in chunks)
    assert len(chunks) == count_chunks(points, replications, size)
