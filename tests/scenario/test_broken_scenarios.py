"""Broken scenarios: each gets one actionable line naming file and field, exit 2, no traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridors.cli import main
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario

GOOD = textwrap.dedent(
    """\
    name: tiny
    members:
      - {code: AAA, name: Alpha, subregion: north}
      - {code: BBB, name: Beta, subregion: north}
      - {code: CCC, name: Gamma, subregion: south}
    caucuses:
      - {name: northern, members: [AAA, BBB]}
    subissues:
      - {name: nato_assets, probability: 0.3}
    """
)


def _with(patch: str) -> str:
    """GOOD with extra top-level YAML appended (later keys override earlier ones)."""
    return GOOD + textwrap.dedent(patch)


BROKEN: list[tuple[str, str, str]] = [
    ("yaml syntax", "name: [unclosed\nmembers: []\n", "line 2, column 8: YAML syntax error"),
    ("yaml tab", "name: x\n\tmembers: []\n", "YAML syntax error"),
    ("top level list", "- a\n- b\n", "top level must be a mapping"),
    ("empty file", "", "the file is empty"),
    (
        "unknown top field",
        _with("formal_meetings_per_wek: 2\n"),
        "formal_meetings_per_wek: unknown field (did you mean 'formal_meetings_per_week'?)",
    ),
    (
        "unknown parameter",
        _with("parameters: {trust_gian: 0.2}\n"),
        "parameters.trust_gian: unknown field (did you mean 'trust_gain'?)",
    ),
    (
        "unknown mechanism",
        _with("mechanisms: {gosip: false}\n"),
        "mechanisms.gosip: unknown field (did you mean 'gossip'?)",
    ),
    (
        "unknown member field",
        GOOD.replace("subregion: south}", "subregon: south}"),
        "members[2].subregon: unknown field",
    ),
    (
        "wrong type",
        _with("formal_meetings_per_week: often\n"),
        "formal_meetings_per_week: must be a number, not the text 'often'",
    ),
    (
        "negative rate",
        _with("formal_meetings_per_week: -1\n"),
        "formal_meetings_per_week: Input should be greater than 0",
    ),
    (
        "probability above 1",
        _with("parameters: {disclosure: 0.5, friend_choice: 1.5}\n"),
        "parameters.friend_choice: Input should be less than or equal to 1",
    ),
    ("probability below 0", _with("female_share: -0.1\n"), "female_share: Input should be greater than or equal to 0"),
    ("subissue probability", GOOD.replace("probability: 0.3", "probability: 3"), "subissues[0].probability"),
    ("bad member code", GOOD.replace("code: CCC", "code: cc1"), "members[2].code: String should match pattern"),
    ("duplicate member", GOOD.replace("code: CCC", "code: BBB"), "members[2].code: duplicate member code 'BBB'"),
    (
        "unknown caucus member",
        GOOD.replace("[AAA, BBB]", "[AAA, XXX]"),
        "caucuses[0].members[1]: unknown member code 'XXX'",
    ),
    ("caucus member twice", GOOD.replace("[AAA, BBB]", "[AAA, AAA]"), "caucuses[0].members: a member is listed twice"),
    (
        "quota above members",
        _with("decision_rule: {kind: qualified_majority, quota: 9}\n"),
        "decision_rule.quota: 9 is above the member count 3",
    ),
    (
        "quota missing",
        _with("decision_rule: {kind: qualified_majority}\n"),
        "decision_rule: qualified_majority needs a quota",
    ),
    (
        "unknown veto member",
        _with("decision_rule: {kind: qualified_majority, quota: 2, veto_members: [ZZZ]}\n"),
        "decision_rule.veto_members[0]: unknown member code 'ZZZ'",
    ),
    ("unanimity with quota", _with("decision_rule: {kind: unanimity, quota: 2}\n"), "unanimity takes no quota"),
    (
        "unknown rule",
        _with("decision_rule: {kind: majority}\n"),
        "decision_rule.kind: Input should be 'unanimity' or 'qualified_majority'",
    ),
    ("unknown setter", _with("agenda_setter: {kind: king}\n"), "agenda_setter.kind"),
    (
        "unknown red line",
        GOOD.replace("subregion: south}", "subregion: south, red_lines: [nuclear]}"),
        "members[2].red_lines[0]: unknown sub-issue 'nuclear'",
    ),
    ("unknown extends", "extends: atlantis\nname: x\n", "extends: unknown preset 'atlantis'"),
    ("missing extends file", "extends: nowhere.yaml\nname: x\n", "extends: no such file 'nowhere.yaml'"),
    (
        "too few members",
        "name: lonely\nmembers:\n  - {code: AAA, name: A}\n",
        "members: List should have at least 2 items",
    ),
    (
        "missing name",
        "members:\n  - {code: AAA, name: A}\n  - {code: BBB, name: B}\n",
        "name: required field is missing",
    ),
    (
        "reversed salience range",
        _with("parameters: {salience_low: 0.9, salience_high: 0.2}\n"),
        "salience_low (0.9) is above salience_high (0.2)",
    ),
    (
        "bad gender",
        GOOD.replace("subregion: south}", "subregion: south, ambassador_gender: other}"),
        "members[2].ambassador_gender",
    ),
    (
        "horizon zero",
        _with("parameters: {max_days: 0}\n"),
        "parameters.max_days: Input should be greater than or equal to 1",
    ),
    ("empty source note", _with("sources: {female_share: '  '}\n"), "source note for 'female_share' is empty"),
]


@pytest.mark.parametrize(("label", "text", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_scenario_gets_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], label: str, text: str, expected: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(path)])
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines, f"{label}: no error printed"
    assert all(line.startswith("error: ") and str(path) in line for line in lines), lines
    assert any(expected in line for line in lines), f"{label}: {expected!r} not in {lines}"


def test_there_are_at_least_25_broken_scenarios() -> None:
    assert len(BROKEN) >= 25


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(GOOD.replace("[AAA, BBB]", "[AAA, XXX]").replace("code: CCC", "code: BBB"))
    with pytest.raises(CorridorsError) as info:
        load_scenario(path)
    assert len(info.value.problems) == 2


def test_missing_file_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["show", "no_such_file.yaml"])
    assert exit_info.value.code == 2
    assert "no_such_file.yaml: no such scenario file or preset" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("formal_meetings_per_wek=2", "unknown field 'formal_meetings_per_wek' in the scenario (did you mean"),
        ("parameters.nope=1", "unknown field 'nope' in parameters"),
        ("formal_meetings_per_week", "expected KEY=VALUE"),
        ("formal_meetings_per_week=-3", "formal_meetings_per_week: Input should be greater than 0"),
        ("members.XXX.ideal=0.5", "no list entry with code or name 'XXX'"),
        ("members[99].ideal=0.5", "index 99 is past the end"),
        ("female_share.x=1", "'female_share' has no sub-fields"),
    ],
)
def test_bad_set_paths(capsys: pytest.CaptureFixture[str], override: str, expected: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["show", "eu", "--set", override])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Traceback" not in err


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
_FIELDS = [
    "formal_meetings_per_week",
    "female_share",
    "realist",
    "parameters.trust_gain",
    "parameters.max_days",
    "parameters.review_days",
    "mechanisms.gossip",
    "decision_rule.kind",
    "decision_rule.quota",
    "agenda_setter.kind",
    "caucuses",
    "members",
    "subissues",
    "sources",
    "name",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_FIELDS), value=_VALUES)
def test_fuzzed_field_values_never_give_a_traceback(tmp_path: Path, field: str, value: object) -> None:
    """Any value in any field either loads or raises CorridorsError naming the file."""
    data = yaml.safe_load(GOOD)
    node = data
    *parents, leaf = field.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        load_scenario(path)
    except CorridorsError as exc:
        assert exc.problems
        assert all(problem.startswith(str(path)) for problem in exc.problems)


def test_ties_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "ties.yaml"
    path.write_text(
        _with(
            "ties:\n  - {members: [AAA, ZZZ], strength: 0.8}\n  - {members: [AAA, AAA], strength: 0.5}\n"
            "  - {members: [BBB, CCC], strength: 1.5}\n"
        )
    )
    with pytest.raises(CorridorsError) as info:
        load_scenario(path)
    text = "\n".join(info.value.problems)
    assert "ties[2].strength" in text


def test_replacing_members_of_a_preset_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text("extends: au\nname: au_small\nmembers:\n  - {code: AAA, name: A}\n  - {code: BBB, name: B}\n")
    with pytest.raises(CorridorsError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert len(problems) <= 8  # one line per caucus, not one per missing code
    assert any("replaces the whole list" in p for p in problems)
