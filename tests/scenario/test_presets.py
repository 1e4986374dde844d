"""The shipped presets: 2009 memberships, caucuses, big players and the paper's values."""

from __future__ import annotations

import pytest

from corridors.paper import table2
from corridors.scenario import Scenario, list_presets, load_scenario

PRESETS = ["au", "eu", "oas", "osce", "unsc"]
SIZES = {"au": 53, "eu": 27, "oas": 35, "osce": 56, "unsc": 15}
BIG_PLAYERS = {
    "au": {"NGA", "ZAF"},
    "eu": {"GBR", "FRA", "DEU"},
    "oas": {"USA", "CAN", "ARG", "BRA", "CHL", "MEX"},
    "osce": {"USA", "RUS"},
    "unsc": {"CHN", "FRA", "RUS", "GBR", "USA"},
}
P5 = {"CHN", "FRA", "RUS", "GBR", "USA"}


@pytest.fixture(scope="module", params=PRESETS)
def preset(request: pytest.FixtureRequest) -> Scenario:
    return load_scenario(request.param)


def test_all_presets_are_listed() -> None:
    assert set(PRESETS) <= set(list_presets())


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads_with_its_own_name(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.organization
    assert scenario.committee
    assert scenario.description.strip()


@pytest.mark.parametrize(("name", "size"), sorted(SIZES.items()))
def test_member_counts(name: str, size: int) -> None:
    assert load_scenario(name).n_members == size


def test_codes_unique_and_three_uppercase_letters(preset: Scenario) -> None:
    codes = preset.member_codes
    assert len(codes) == len(set(codes))
    for code in codes:
        assert len(code) == 3 and code.isalpha() and code.isupper() and code.isascii(), code


def test_every_member_names_subregion_and_language(preset: Scenario) -> None:
    for member in preset.members:
        assert member.subregion != "none", member.code
        assert member.name.strip(), member.code


def test_caucus_membership_matches_blocs(preset: Scenario) -> None:
    caucuses = {c.name: set(c.members) for c in preset.caucuses}
    for name, codes in caucuses.items():
        for member in preset.members:
            if member.code in codes:
                assert name in member.blocs, f"{member.code} is in caucus {name} but does not list it"
    for member in preset.members:
        for bloc in member.blocs:
            assert bloc in caucuses, f"{member.code} lists unknown bloc {bloc}"
            assert member.code in caucuses[bloc], f"{member.code} lists {bloc} but is not a member of it"


@pytest.mark.parametrize(("name", "expected"), sorted((k, sorted(v)) for k, v in BIG_PLAYERS.items()))
def test_big_players_are_those_the_paper_names(name: str, expected: list[str]) -> None:
    scenario = load_scenario(name)
    assert sorted(m.code for m in scenario.members if m.big_player) == expected


def test_every_preset_has_the_required_sources(preset: Scenario) -> None:
    for key in ("members", "formal_meetings_per_week", "female_share"):
        assert preset.sources.get(key, "").strip(), f"{preset.name}: no source for {key}"


def test_presets_change_only_the_deployment_lag_from_defaults(preset: Scenario) -> None:
    """Model parameters are shared by every organization; only the lag comes from each one's data."""
    defaults = type(preset.parameters)()
    lag_fields = {"deploy_mean_days", "deploy_cv"}
    changed = {
        name for name in type(defaults).model_fields if getattr(preset.parameters, name) != getattr(defaults, name)
    }
    assert changed <= lag_fields
    assert preset.parameters.big_player_salience == defaults.big_player_salience


def test_au_regions_and_sahrawi_republic() -> None:
    au = load_scenario("au")
    codes = set(au.member_codes)
    assert "ESH" in codes
    assert "MAR" not in codes
    assert "SSD" not in codes
    assert {m.subregion for m in au.members} == {"north", "west", "central", "east", "southern"}
    assert len(au.caucuses) == 5
    assert all(c.meets_before_formal for c in au.caucuses)
    north = next(c for c in au.caucuses if "EGY" in c.members)
    assert set(north.members) == {m.code for m in au.members if m.subregion == "north"}
    assert au.agenda_setter.kind == "presidency_with_commission"  # Table 3: "Presidency and Commission"


def test_eu_cyprus_red_line_on_nato_assets() -> None:
    eu = load_scenario("eu")
    cyprus = next(m for m in eu.members if m.code == "CYP")
    assert cyprus.red_lines == ["nato_assets"]
    assert [m.code for m in eu.members if m.red_lines] == ["CYP"]
    nato_assets = next(s for s in eu.subissues if s.name == "nato_assets")
    assert nato_assets.probability == pytest.approx(0.3)


def test_eu_big_three_only_caucus() -> None:
    eu = load_scenario("eu")
    assert [c.name for c in eu.caucuses] == ["big_three"]
    big_three = eu.caucuses[0]
    assert set(big_three.members) == {"GBR", "FRA", "DEU"}
    assert not big_three.meets_before_formal
    assert eu.formal_meetings_per_week == pytest.approx(3.5)
    assert "2" in eu.sources["formal_meetings_per_week"]
    assert eu.agenda_setter.kind == "presidency"


def test_osce_eu_caucus_is_the_eu_preset_and_common_position() -> None:
    osce = load_scenario("osce")
    eu_codes = set(load_scenario("eu").member_codes)
    caucus = next(c for c in osce.caucuses if c.name == "eu")
    assert set(caucus.members) == eu_codes
    assert len(caucus.members) == 27
    assert caucus.common_position
    assert len(caucus.members) / osce.n_members == pytest.approx(0.48, abs=0.005)


def test_osce_nato_and_guam_and_no_ladies_luncheon() -> None:
    osce = load_scenario("osce")
    caucuses = {c.name: set(c.members) for c in osce.caucuses}
    assert len(caucuses["nato"]) == 28
    assert {"ALB", "HRV", "USA", "CAN", "TUR", "NOR", "ISL"} <= caucuses["nato"]
    assert caucuses["guam"] == {"GEO", "UKR", "AZE", "MDA"}
    assert not any("lad" in name or "lunch" in name for name in caucuses)
    codes = set(osce.member_codes)
    assert {"VAT", "AND", "MCO", "SMR", "LIE", "MNE"} <= codes
    assert "MNG" not in codes and "XKX" not in codes
    assert "presidency" in osce.sources["members.big_player"].lower()


def test_oas_includes_cuba_and_subregional_caucuses() -> None:
    oas = load_scenario("oas")
    assert "CUB" in oas.member_codes
    assert "cuba" in oas.sources["members"].lower()
    caucus_names = {c.name for c in oas.caucuses}
    assert caucus_names == {"caricom", "central_america", "andean", "southern_cone", "north_america"}
    assert all(c.meets_before_formal for c in oas.caucuses)
    assert oas.agenda_setter.kind == "chair"


def test_unsc_quota_and_veto() -> None:
    unsc = load_scenario("unsc")
    rule = unsc.decision_rule
    assert rule.kind == "qualified_majority"
    assert rule.quota == 9
    assert set(rule.veto_members) == P5
    assert len(rule.veto_members) == 5
    p5 = next(c for c in unsc.caucuses if c.name == "p5")
    assert set(p5.members) == P5
    assert set(unsc.member_codes) == P5 | {"AUT", "BFA", "CRI", "HRV", "JPN", "LBY", "MEX", "TUR", "UGA", "VNM"}


@pytest.mark.parametrize(
    ("name", "formal", "female"),
    [("au", 24 / 52, 0.07), ("eu", 3.5, 0.26), ("oas", 24 / 52, 0.23), ("osce", 1.0, 0.25)],
)
def test_formal_meetings_and_female_share_from_the_paper(name: str, formal: float, female: float) -> None:
    scenario = load_scenario(name)
    assert scenario.formal_meetings_per_week == pytest.approx(formal, abs=1e-4)
    assert scenario.female_share == pytest.approx(female)


@pytest.mark.parametrize("name", ["au", "eu", "oas", "osce"])
def test_informal_contacts_near_table2_mean(name: str) -> None:
    t2 = table2()
    organization = name.upper()
    row = t2[(t2["organization"] == organization) & (t2["statistic"] == "mean")]
    assert len(row) == 1
    observed = float(row["informal_contacts_per_week"].iloc[0])
    simulated = load_scenario(name).informal_contacts_per_week()
    assert abs(simulated - observed) <= 0.4, f"{name}: {simulated:.2f} contacts/week vs Table 2 mean {observed}"


def test_eu_has_fewest_informal_contacts() -> None:
    contacts = {name: load_scenario(name).informal_contacts_per_week() for name in ["au", "eu", "oas", "osce"]}
    assert min(contacts, key=contacts.__getitem__) == "eu"
