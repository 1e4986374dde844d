"""Bounds from meaning: every numeric field is bounded, inf and NaN refused, absurd work refused."""

from __future__ import annotations

import textwrap
import typing
from pathlib import Path

import pytest

from cli_support import invoke_cli
from corridors.engines import run_replications
from corridors.errors import CorridorsError
from corridors.experiments.spec import load_experiment
from corridors.scenario import Scenario, load_scenario
from corridors.scenario.limits import MAX_CONTACTS_PER_REPLICATE, check_workload, expected_contacts
from corridors.scenario.loading import core_type
from corridors.scenario.reference import field_reference
from corridors.scenario.schema import MAX_MEMBERS


def _numeric_fields() -> list[tuple[str, typing.Any]]:
    """(path, FieldInfo) of every int or float field of the scenario and its sub-models."""
    from pydantic import BaseModel

    found: list[tuple[str, typing.Any]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            core = core_type(info.annotation)
            item = core_type(typing.get_args(core)[0]) if typing.get_origin(core) is list else None
            if core in (int, float):
                found.append((prefix + name, info))
            for sub in (core, item):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    walk(sub, f"{prefix}{name}.")

    walk(Scenario, "")
    return found


FULL = {
    "name": "full",
    "members": [{"code": "AAA", "name": "A", "red_lines": ["x"]}, {"code": "BBB", "name": "B"}],
    "caucuses": [{"name": "c", "members": ["AAA", "BBB"]}],
    "subissues": [{"name": "x", "probability": 0.5}],
    "ties": [{"members": ["AAA", "BBB"], "strength": 0.5}],
    "decision_rule": {"kind": "qualified_majority", "quota": 2},
}
"""A scenario with one entry in every list, so every numeric field can be set."""


def _set(path: str, value: float) -> dict[str, typing.Any]:
    import copy

    data = copy.deepcopy(FULL)
    node: typing.Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if isinstance(node, list):
            node = node[0]
    node[parts[-1]] = value
    return data


@pytest.mark.parametrize("path", [path for path, _ in _numeric_fields()])
def test_every_numeric_field_has_both_bounds_and_says_why(path: str) -> None:
    assert len(_numeric_fields()) > 50
    Scenario.model_validate(FULL)
    for value in (1e12, -1e12):
        with pytest.raises(ValueError, match=path.split(".")[-1]):
            Scenario.model_validate(_set(path, value))
    descriptions = {row["path"].replace("[]", ""): row["description"] for row in field_reference()}
    assert " to " in descriptions[path], f"{path}: the description does not say its range"


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
@pytest.mark.parametrize(
    "path",
    [
        "parameters.beta_gender",
        "deploy_factor",
        "parameters.crisis_boost",
        "parameters.initial_mean_degree",
        "parameters.informal_base_per_week",
    ],
)
def test_inf_and_nan_are_refused_from_set(path: str, value: str) -> None:
    with pytest.raises(CorridorsError, match=path.replace(".", r"\.")):
        load_scenario("unsc", [f"{path}={value}"])


def test_inf_is_refused_from_a_file(tmp_path: Path) -> None:
    file = tmp_path / "inf.yaml"
    file.write_text("extends: unsc\nparameters: {beta_bloc: .inf}\n", encoding="utf-8")
    with pytest.raises(CorridorsError, match=r"parameters\.beta_bloc: Input should be a finite number"):
        load_scenario(file)


@pytest.mark.parametrize("levels", ["values: [1.0, .inf]", "range: [0.5, .nan], steps: 3"])
def test_inf_and_nan_are_refused_as_sweep_factors(tmp_path: Path, levels: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        textwrap.dedent(f"""\
        name: s
        base: unsc
        replications: 1
        seed: 1
        factors:
          - {{path: formal_meetings_per_week, {levels}}}
        """),
        encoding="utf-8",
    )
    with pytest.raises(CorridorsError, match="finite number"):
        load_experiment(spec)


def test_a_rate_of_1e300_is_refused_not_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = invoke_cli(
        ["run", "unsc", "--reps", "1", "--set", "parameters.informal_base_per_week=1.0e+300"], capsys
    )
    assert code == 2
    assert err.count("\n") == 1 and "less than or equal to 70" in err


def _huge() -> Scenario:
    members = [{"code": "A" + chr(65 + i // 26) + chr(65 + i % 26), "name": f"m{i}"} for i in range(MAX_MEMBERS)]
    return Scenario.model_validate(
        {
            "name": "huge",
            "members": members,
            "parameters": {
                "informal_base_per_week": 70,
                "crowding_out": 0,
                "crisis_boost": 10,
                "burn_in_days": 3650,
                "max_days": 3650,
            },
        }
    )


def test_the_engines_refuse_a_replicate_beyond_the_work_limit() -> None:
    scenario = _huge()
    assert expected_contacts(scenario) > MAX_CONTACTS_PER_REPLICATE
    with pytest.raises(CorridorsError, match="above the limit") as info:
        run_replications(scenario, replications=1, engine="batch")
    assert len(info.value.problems) == 1


def test_too_many_replications_in_one_call_are_refused() -> None:
    with pytest.raises(CorridorsError, match="corridors sweep"):
        check_workload(load_scenario("unsc"), replications=10_000_000)
    with pytest.raises(CorridorsError, match="reference engine"):
        check_workload(load_scenario("osce"), replications=100_000, engine="reference")
    check_workload(load_scenario("osce"), replications=100_000, engine="batch")  # a real run


def test_strict_booleans(tmp_path: Path) -> None:
    file = tmp_path / "yes.yaml"
    file.write_text('extends: unsc\nmechanisms: {gossip: "yes"}\n', encoding="utf-8")
    with pytest.raises(CorridorsError, match=r"mechanisms\.gossip: Input should be a valid boolean"):
        load_scenario(file)
    with pytest.raises(CorridorsError, match="realist"):
        load_scenario("unsc", ["realist=1"])
    assert load_scenario("unsc", ["mechanisms.gossip=false"]).mechanisms.gossip is False


def test_sources_refuse_unknown_field_paths(tmp_path: Path) -> None:
    file = tmp_path / "sources.yaml"
    file.write_text("extends: unsc\nsources: {parameters.trust_gian: me, members.FRA.ideal: me}\n", encoding="utf-8")
    with pytest.raises(CorridorsError) as info:
        load_scenario(file)
    assert info.value.problems == [
        f"{file}: sources.parameters.trust_gian: not a scenario field path (see 'corridors fields')"
    ]
    ok = load_scenario("unsc", ["members.FRA.ideal=0.2"])
    assert ok.sources["members.FRA.ideal"] == "set by the user"


def test_three_errors_are_reported_at_once(tmp_path: Path) -> None:
    file = tmp_path / "three.yaml"
    file.write_text(
        textwrap.dedent("""\
        extends: eu
        parameters: {trust_gain: -0.1}
        mechanisms: {gosip: false}
        caucuses:
          - {name: nordic, members: [DNK, XXX]}
        """),
        encoding="utf-8",
    )
    with pytest.raises(CorridorsError) as info:
        load_scenario(file)
    problems = info.value.problems
    assert len(problems) == 3, problems
    assert any("parameters.trust_gain" in p for p in problems)
    assert any("mechanisms.gosip: unknown field (did you mean 'gossip'?)" in p for p in problems)
    assert any("caucuses[0].members[1]: unknown member code 'XXX'" in p for p in problems)


def test_set_marks_the_source_as_set_by_the_user(capsys: pytest.CaptureFixture[str]) -> None:
    assert "3.5" in load_scenario("eu").sources["formal_meetings_per_week"]
    code, out, _ = invoke_cli(["show", "eu", "--set", "formal_meetings_per_week=0.5"], capsys)
    assert code == 0
    assert "  formal_meetings_per_week: set by the user" in out.splitlines()


def test_duplicate_keys_name_file_key_and_line(tmp_path: Path) -> None:
    file = tmp_path / "dup.yaml"
    file.write_text("extends: unsc\nparameters:\n  trust_gain: 0.2\n  trust_gain: 0.3\n", encoding="utf-8")
    with pytest.raises(CorridorsError) as info:
        load_scenario(file)
    assert info.value.problems == [
        f"{file}: line 4, column 3: duplicate key 'trust_gain' (a key may appear once in a mapping)"
    ]


def test_deep_nesting_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "deep.yaml"
    file.write_text("name: " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    code, _, err = invoke_cli(["validate", str(file)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "nested more than" in err


def test_trace_refuses_a_replicate_beyond_the_work_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    file = tmp_path / "huge.yaml"
    file.write_text(yaml.safe_dump(_huge().model_dump(mode="json")), encoding="utf-8")
    code, _, err = invoke_cli(["trace", str(file)], capsys)
    assert code == 2 and err.count("\n") == 1 and "above the limit" in err
