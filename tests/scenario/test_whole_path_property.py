"""The whole path, file to rows: any scenario text and any arguments either run or are refused cleanly.

Hypothesis writes scenario YAML (a small valid committee, then mutated: numbers at the
edges, inf and NaN, any Unicode, nesting, wrong types, unknown and duplicate keys, raw
junk) and draws ``corridors run`` arguments. Every case must either finish a small run
(exit 0, the summary printed) or be refused with exit status 2 and only ``error:`` lines
on stderr, one per problem, no traceback. A single out-of-range number must give exactly
one line. Any other exception fails the test: it is a bug.

The CLI runs in-process (``corridors.cli.main``), 100 examples in ``make test`` (the CI
profile makes them the same every run) and 2,000 with ``--full``.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from corridors.cli import main
from corridors.scenario import Parameters

VALID: dict[str, Any] = {
    "name": "tiny",
    "members": [
        {"code": "AAA", "name": "Alpha", "subregion": "north"},
        {"code": "BBB", "name": "Beta", "subregion": "north", "blocs": ["north"]},
        {"code": "CCC", "name": "Gamma", "subregion": "south"},
    ],
    "caucuses": [{"name": "north", "members": ["AAA", "BBB"]}],
    "subissues": [{"name": "assets", "probability": 0.3}],
    "parameters": {"burn_in_days": 5, "max_days": 15},
}
SHORT = ["--set", "parameters.burn_in_days=5", "--set", "parameters.max_days=15"]

EDGE_NUMBERS = st.sampled_from(
    [
        0,
        -0.0,
        1,
        -1,
        0.5,
        1.0000001,
        5e-324,
        1e-300,
        1e300,
        -1e300,
        2**31,
        2**63 - 1,
        2**63,
        2**64,
        -(2**63),
        10**30,
        math.inf,
        -math.inf,
        math.nan,
        7,
        70,
        250,
        3650,
        3651,
    ]
)
TEXT = st.text(max_size=12)
LEAF = st.one_of(
    EDGE_NUMBERS, st.floats(allow_nan=True, allow_infinity=True), st.integers(), TEXT, st.booleans(), st.none()
)
ANY = st.recursive(
    LEAF, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=8
)

PARAMETERS = sorted(Parameters.model_fields)
PATHS = st.one_of(
    st.sampled_from([("parameters", name) for name in PARAMETERS]),
    st.sampled_from(
        [
            ("name",),
            ("members",),
            ("caucuses",),
            ("formal_meetings_per_week",),
            ("female_share",),
            ("deploy_factor",),
            ("realist",),
            ("observed_network",),
            ("sources",),
            ("ties",),
            ("decision_rule",),
            ("agenda_setter",),
            ("mechanisms",),
            ("mechanisms", "gossip"),
            ("members", 0, "code"),
            ("members", 1, "ideal"),
            ("members", 2, "name"),
            ("members", 0, "blocs"),
            ("caucuses", 0, "members"),
            ("subissues", 0, "probability"),
            ("decision_rule", "quota"),
            ("parameters",),
        ]
    ),
    st.tuples(TEXT),
    st.tuples(st.just("parameters"), TEXT),
)


def _bounds(name: str) -> tuple[float, float, bool]:
    """(low, high, integer) of a parameter, read from the schema."""
    info = Parameters.model_fields[name]
    low = next(m.ge for m in info.metadata if hasattr(m, "ge"))
    high = next(m.le for m in info.metadata if hasattr(m, "le"))
    return low, high, info.annotation is int


@st.composite
def valid_parameter(draw: st.DrawFn) -> tuple[str, float]:
    """A parameter at its bound or anywhere inside (horizon fields kept short, so a run stays small)."""
    name = draw(st.sampled_from([n for n in PARAMETERS if n not in ("burn_in_days", "max_days")]))
    low, high, integer = _bounds(name)
    if integer:
        return name, draw(st.one_of(st.sampled_from([int(low), int(high)]), st.integers(int(low), int(high))))
    return name, draw(st.one_of(st.sampled_from([low, high]), st.floats(low, high)))


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part] if isinstance(node, list) else node.setdefault(part, {})
        if not isinstance(node, (dict, list)):
            return
    if isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node)):
        node[path[-1]] = value


@st.composite
def scenario_text(draw: st.DrawFn) -> tuple[str, bool]:
    """A scenario file's text, and whether it is a single out-of-range number (exactly one line)."""
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "valid edges",
                "valid edges",
                "valid edges",
                "mutated",
                "mutated",
                "edge number",
                "duplicate key",
                "nested",
                "junk",
            ]
        )
    )
    import copy

    data = copy.deepcopy(VALID)
    single = False
    if kind == "mutated":
        for _ in range(draw(st.integers(1, 3))):
            _set(data, draw(PATHS), draw(ANY))
    elif kind == "valid edges":
        for _ in range(draw(st.integers(1, 6))):
            name, value = draw(valid_parameter())
            data["parameters"][name] = value
        if draw(st.booleans()):
            data["formal_meetings_per_week"] = draw(st.sampled_from([7.0, 1e-9, 0.5]))
            data["deploy_factor"] = draw(st.sampled_from([0.01, 100.0]))
    elif kind == "edge number":
        name = draw(st.sampled_from([n for n in PARAMETERS if n not in ("burn_in_days", "max_days")]))
        value = draw(st.sampled_from([-1e300, 1e300, math.inf, -math.inf, math.nan, 10**30, -(2**63)]))
        data["parameters"][name] = value
        single = True
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if kind == "duplicate key":
        text += draw(st.sampled_from(["name: again\n", "parameters: {max_days: 9}\n"]))
    elif kind == "nested":
        depth = draw(st.sampled_from([5, 150, 20_000]))
        text += "description: " + "[" * depth + "]" * depth + "\n"
    elif kind == "junk":
        text = draw(st.text(max_size=200))
    return text, single


CLEAN_ARGS = st.fixed_dictionaries(
    {
        "reps": st.just("2"),
        "seed": st.sampled_from(["0", "7", str(2**63 - 1)]),
        "engine": st.sampled_from(["reference", "batch"]),
        "set": st.just([]),
    }
)
ANY_ARGS = st.fixed_dictionaries(
    {
        "reps": st.sampled_from(["2", "2", "2", "1", "0", "-1", "x", "2000000", str(10**20)]),
        "seed": st.sampled_from(["0", "7", str(2**63 - 1), str(2**63), str(2**64), "-1", "seed"]),
        "engine": st.sampled_from(["reference", "reference", "batch", "mesa"]),
        "set": st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "parameters.trust_gain=.nan",
                        "deploy_factor=.inf",
                        "parameters.beta_bloc=1e400",
                        "mechanisms.gossip=yes",
                        "members.AAA.ideal=0.2",
                        "nosuch=1",
                        "parameters=3",
                        "=",
                        "members[9].ideal=1",
                        "formal_meetings_per_week=7",
                    ]
                ),
                st.builds(lambda v: f"parameters.posture={v}", TEXT),
            ),
            max_size=2,
        ),
    }
)
ARGS = st.one_of(CLEAN_ARGS, ANY_ARGS)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
            code = 0
        except SystemExit as exit_info:
            code = int(exit_info.code or 0)
    return code, out.getvalue(), err.getvalue()


def _check(case: tuple[str, bool], args: dict[str, Any]) -> None:
    text, single = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(text, encoding="utf-8")
        argv = ["run", str(path), "--reps", args["reps"], "--seed", args["seed"], "--engine", args["engine"], "--quiet"]
        for item in args["set"]:
            argv += ["--set", item]
        code, out, err = _run([*argv, *SHORT])
    event(f"exit status {code}")
    assert "Traceback" not in err, err
    if code == 0:
        assert "replications" in out and err == "", (out, err)
        return
    assert code == 2, (code, out, err)
    lines = err.splitlines()
    assert lines and all(line.startswith("error: ") and len(line) > len("error: ") for line in lines), err
    if single and args["reps"] == "2" and args["seed"] in ("0", "7") and args["engine"] != "mesa" and not args["set"]:
        assert len(lines) == 1, err


def test_any_scenario_and_arguments_run_or_are_refused_in_lines(full_size: bool) -> None:
    run = settings(
        max_examples=2000 if full_size else 100,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )(given(scenario_text(), ARGS)(_check))
    run()


def test_the_valid_committee_runs() -> None:
    """The base of the mutations is valid and fast, so mutated cases test what they change."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.yaml"
        path.write_text(yaml.safe_dump(VALID), encoding="utf-8")
        code, out, err = _run(["run", str(path), "--reps", "2", "--engine", "reference", "--quiet", *SHORT])
    assert code == 0 and "replications" in out, err
