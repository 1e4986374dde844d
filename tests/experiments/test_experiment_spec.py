"""Experiment specs: validation with one line per problem, factors, examples."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from experiment_helpers import tiny_spec, write_spec
from hypothesis import given
from hypothesis import strategies as st

from corridors.errors import CorridorsError
from corridors.experiments import expand_design, load_experiment
from corridors.experiments.designs import override_text
from corridors.scenario.loading import parse_override

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_valid_spec_loads_with_its_defaults(tmp_path: Path) -> None:
    spec = load_experiment(write_spec(tmp_path, {"name": "m", "base": "eu", "replications": 3, "seed": 1}))
    assert spec.engine == "batch"
    assert spec.design.kind == "grid"
    assert spec.output == "response_months"
    assert spec.base_dir == str(tmp_path.resolve())


def test_every_problem_is_one_line_naming_the_file_and_field(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        {
            "name": "bad",
            "base": "unsc",
            "replications": 0,
            "seed": -1,
            "factors": [
                {"path": "parameters.posture", "values": [1], "colour": "red"},
                {"path": "parameters.trust_gain", "range": [0.3, 0.1]},
            ],
            "design": {"kind": "grid", "points": 4},
        },
    )
    with pytest.raises(CorridorsError) as caught:
        load_experiment(path)
    problems = caught.value.problems
    assert all(line.startswith(f"{path}: ") for line in problems)
    text = "\n".join(problems)
    assert "replications:" in text and "seed:" in text
    assert "factors[0].colour: unknown field" in text
    assert "factors[1]: range: low (0.3) must be below high (0.1)" in text
    assert "design: a grid design takes no points" in text


def test_a_mistyped_factor_path_is_named_with_a_suggestion(tmp_path: Path) -> None:
    spec = tiny_spec(factors=[{"path": "formal_meetings_per_wek", "values": [1, 2]}], set=["parameters.burn_in_dayz=3"])
    with pytest.raises(CorridorsError) as caught:
        load_experiment(write_spec(tmp_path, spec))
    text = "\n".join(caught.value.problems)
    assert "factors[0].path: unknown field 'formal_meetings_per_wek'" in text
    assert "did you mean 'formal_meetings_per_week'" in text
    assert "set[0]: unknown field 'burn_in_dayz'" in text


def test_an_invalid_design_point_names_the_point_and_field(tmp_path: Path) -> None:
    spec = tiny_spec(factors=[{"path": "parameters.posture", "values": [0.5, 1.5]}])
    with pytest.raises(CorridorsError) as caught:
        expand_design(load_experiment(write_spec(tmp_path, spec)))
    (line,) = caught.value.problems
    assert "design point 1 (parameters.posture=1.5)" in line
    assert "parameters.posture: Input should be less than or equal to 1" in line


def test_a_missing_base_file_is_reported_against_the_spec(tmp_path: Path) -> None:
    spec = load_experiment(write_spec(tmp_path, tiny_spec(base="nowhere.yaml")))
    with pytest.raises(CorridorsError, match=r"spec.yaml: base: nowhere.yaml: no such scenario file"):
        expand_design(spec)


def test_a_base_file_is_read_relative_to_the_spec(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "small.yaml").write_text("extends: unsc\nformal_meetings_per_week: 4\n")
    spec = load_experiment(write_spec(tmp_path, tiny_spec(base="scenarios/small.yaml", factors=[])))
    assert expand_design(spec).scenario(0).formal_meetings_per_week == 4


def test_integer_fields_are_detected_and_rounded(tmp_path: Path) -> None:
    spec = load_experiment(
        write_spec(tmp_path, tiny_spec(factors=[{"path": "parameters.review_days", "range": [3, 10], "steps": 4}]))
    )
    assert spec.factors[0].integer
    design = expand_design(spec)
    assert [p.values["parameters.review_days"] for p in design.points] == [3, 5, 8, 10]
    assert design.scenario(1).parameters.review_days == 5


def test_factors_reach_lists_by_code_and_mechanism_switches(tmp_path: Path) -> None:
    spec = load_experiment(
        write_spec(
            tmp_path,
            tiny_spec(
                factors=[
                    {"path": "members.FRA.ideal", "values": [0.2, 0.8]},
                    {"path": "mechanisms.gossip", "values": [True, False]},
                    {"path": "agenda_setter.kind", "values": ["presidency", "secretariat"]},
                ]
            ),
        )
    )
    design = expand_design(spec)
    assert len(design.points) == 8
    last = design.scenario(7)
    assert next(m for m in last.members if m.code == "FRA").ideal == 0.8
    assert last.mechanisms.gossip is False
    assert last.agenda_setter.kind == "secretariat"
    assert len({p.scenario_hash for p in design.points}) == 8


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.booleans(),
        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    )
)
def test_factor_values_round_trip_exactly_through_overrides(value: object) -> None:
    _, parsed = parse_override(override_text("description", value))
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("name", ["sweep_meetings.yaml", "sensitivity.yaml"])
def test_the_shipped_examples_are_valid(name: str) -> None:
    spec = load_experiment(EXAMPLES / name)
    design = expand_design(spec)
    assert design.points
    raw = yaml.safe_load((EXAMPLES / name).read_text())
    assert raw["engine"] == "batch"
