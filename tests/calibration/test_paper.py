"""The paper's published figures (Hardt 2012), checked against the numbers printed in it."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

import pandas as pd
import pytest

from corridors import paper
from corridors.scenario import load_scenario

ORGS = ["AU", "EU", "OAS", "OSCE"]


def _by_org(frame: pd.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(frame["organization"].astype(str), frame[column].astype(float), strict=True))


def _survey(column: str) -> dict[str, float]:
    ss = paper.survey_shares()
    return dict(zip(ss["name"].astype(str), ss[column].astype(float), strict=True))


TABLES = [paper.table1, paper.table2, paper.table3, paper.female_shares, paper.survey_shares]


@pytest.mark.parametrize("function", TABLES)
def test_every_table_has_a_source_for_every_row(function: Callable[[], pd.DataFrame]) -> None:
    frame = function()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0
    assert "source" in frame.columns
    assert frame["source"].notna().all()
    assert (frame["source"].str.strip().str.len() > 0).all()
    assert frame["source"].str.contains("Hardt 2012").all()


def test_table1_mean_response_months() -> None:
    t1 = paper.table1()
    assert list(t1.columns) == ["organization", "mean_response_months", "source"]
    assert _by_org(t1, "mean_response_months") == pytest.approx({"AU": 3.84, "EU": 6.17, "OAS": 4.28, "OSCE": 4.49})
    assert t1.set_index("organization")["mean_response_months"].idxmax() == "EU"


def test_table2_informal_contacts() -> None:
    t2 = paper.table2()
    assert set(t2.columns) == {"organization", "statistic", "informal_contacts_per_week", "source"}
    assert len(t2) == 12
    wide = t2.pivot(index="organization", columns="statistic", values="informal_contacts_per_week")
    expected = {
        "AU": (6.60, 7.0, 7.0),
        "EU": (5.38, 5.0, 5.0),
        "OAS": (6.20, 7.0, 7.0),
        "OSCE": (6.22, 7.0, 7.0),
    }
    for org, (mean, median, mode) in expected.items():
        assert wide.loc[org, "mean"] == pytest.approx(mean)
        assert wide.loc[org, "median"] == pytest.approx(median)
        assert wide.loc[org, "mode"] == pytest.approx(mode)


def test_table3_characteristics() -> None:
    t3 = paper.table3().set_index("organization")
    assert t3["members"].to_dict() == {"AU": 53, "EU": 27, "OAS": 35, "OSCE": 56}
    assert t3.loc["AU", "agenda_setting"] == "Presidency and Commission"
    assert t3.loc["EU", "agenda_setting"] == "EU Presidency"
    assert t3.loc["OAS", "agenda_setting"] == "PC Chairmanship"
    assert t3.loc["OSCE", "agenda_setting"] == "PC Chairmanship"
    assert t3.loc["AU", "expertise_support"] == "Commission"
    assert t3.loc["EU", "expertise_support"] == "European Council Secretariat"
    assert t3.loc["OAS", "committee"] == "Permanent Council (PC)"
    assert t3["formal_meetings_text"].to_dict() == {
        "AU": "2x/month",
        "EU": "2x/week",
        "OAS": "2x/month",
        "OSCE": "1x/week",
    }
    assert _by_org(t3.reset_index(), "formal_meetings_per_week") == pytest.approx(
        {"AU": 24 / 52, "EU": 2.0, "OAS": 24 / 52, "OSCE": 1.0}
    )


def test_female_shares_late_2011() -> None:
    fs = paper.female_shares()
    assert _by_org(fs, "female_share") == pytest.approx({"AU": 0.07, "EU": 0.26, "OAS": 0.23, "OSCE": 0.25})
    assert (fs["year"] == 2011).all()


def test_survey_shares() -> None:
    ss = paper.survey_shares()
    values, lows, highs = _survey("value"), _survey("low"), _survey("high")
    expected = {
        "friends_mean": 5,
        "zero_friend_respondents": 1,
        "first_call_friend_share": 0.5,
        "friendships_matter_share": 0.91,
        "informal_most_important_share": 0.85,
        "osce_lunches_per_year": 150,
        "eu_share_of_osce": 0.48,
        "respondents": 50,
    }
    for name, value in expected.items():
        assert values[name] == pytest.approx(value), name
    name = "oas_informal_group_share"
    assert (lows[name], highs[name]) == pytest.approx((0.70, 0.75))
    assert lows[name] <= values[name] <= highs[name]
    assert ss["unit"].notna().all()


def test_targets_long_table() -> None:
    t = paper.targets()
    assert list(t.columns) == ["organization", "measure", "value", "source"]
    assert t["value"].dtype == float
    assert not t.duplicated(["organization", "measure"]).any()
    assert t["source"].notna().all()

    def value(org: str, measure: str) -> float:
        rows = t[(t["organization"] == org) & (t["measure"] == measure)]
        assert len(rows) == 1, (org, measure)
        return float(rows["value"].iloc[0])

    assert value("EU", "mean_response_months") == pytest.approx(6.17)
    assert value("AU", "informal_contacts_per_week_mean") == pytest.approx(6.60)
    assert value("OSCE", "informal_contacts_per_week_median") == pytest.approx(7.0)
    assert value("OAS", "members") == 35
    assert value("EU", "formal_meetings_per_week") == pytest.approx(2.0)
    assert value("EU", "formal_meetings_per_week_observed") == pytest.approx(3.5)
    assert value("OSCE", "female_share") == pytest.approx(0.25)
    assert value("all", "friendships_matter_share") == pytest.approx(0.91)
    for org in ORGS:
        assert {"mean_response_months", "members", "female_share"} <= set(t.loc[t["organization"] == org, "measure"])


def test_preset_sizes_equal_table3_sizes() -> None:
    t3 = paper.table3()[["organization", "members"]]
    presets = pd.DataFrame(
        {"organization": ORGS, "preset_members": [load_scenario(org.lower()).n_members for org in ORGS]}
    )
    joined = t3.merge(presets, on="organization", how="outer", validate="one_to_one")
    assert len(joined) == 4
    assert (joined["members"] == joined["preset_members"]).all(), joined


def test_presets_use_paper_female_shares() -> None:
    fs = paper.female_shares()[["organization", "female_share"]]
    for org, share in fs.itertuples(index=False):
        assert load_scenario(org.lower()).female_share == pytest.approx(share)


def test_eu_share_of_osce_matches_presets() -> None:
    share = _survey("value")["eu_share_of_osce"]
    eu, osce = load_scenario("eu"), load_scenario("osce")
    assert eu.n_members / osce.n_members == pytest.approx(share, abs=0.005)


def test_data_files_are_package_resources() -> None:
    folder = resources.files("corridors.paper") / "data"
    names = {entry.name for entry in folder.iterdir()}
    assert {"table1.csv", "table2.csv", "table3.csv", "female_shares.csv", "survey_shares.csv"} <= names
