"""Survey measures: Table 2 by hand, the synthetic survey against the published aggregates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from corridors.empirical import (
    PAPER_SURVEY,
    PAPER_TABLE_2,
    example_path,
    load_survey,
    survey_shares,
    synthetic_survey,
    table2,
)
from corridors.errors import CorridorsError

HEADER = (
    "organization,respondent,informal_contacts_per_week,friends_count,first_call,friendships_matter,"
    "most_important_negotiation_informal"
)


def test_table2_by_hand() -> None:
    frame = pd.DataFrame(
        {"organization": ["AU"] * 5 + ["EU"] * 4, "informal_contacts_per_week": [7, 7, 3, 10, 8, 5, 4, 4, 9]}
    )
    table = table2(frame)
    assert table.loc["mean", "AU"] == pytest.approx(35 / 5)
    assert table.loc["median", "AU"] == 7
    assert table.loc["mode", "AU"] == 7
    assert table.loc["mean", "EU"] == pytest.approx(22 / 4)
    assert table.loc["median", "EU"] == 4.5
    assert table.loc["mode", "EU"] == 4


@pytest.mark.parametrize("seed", [2012, 1, 99])
def test_synthetic_survey_reproduces_the_published_aggregates(seed: int) -> None:
    survey = synthetic_survey(seed=seed)
    assert len(survey) == PAPER_SURVEY["respondents"]
    assert survey["synthetic"].all()
    table = table2(survey)
    for organization, published in PAPER_TABLE_2.items():
        assert round(table.loc["mean", organization], 2) == published["mean"]
        assert table.loc["median", organization] == published["median"]
        modes = survey.loc[survey.organization == organization, "informal_contacts_per_week"].mode()
        assert modes.tolist() == [published["mode"]]  # a unique mode
    overall = survey_shares(survey).loc["all"]
    assert overall["friends_mean"] == PAPER_SURVEY["friends_mean"]
    assert overall["zero_friends"] == PAPER_SURVEY["zero_friends"]
    assert overall["first_call_friend_share"] == PAPER_SURVEY["first_call_friend_share"]
    assert round(overall["friendships_matter_share"], 2) == PAPER_SURVEY["friendships_matter_share"]
    assert (
        round(overall["most_important_negotiation_informal_share"], 2)
        == (PAPER_SURVEY["most_important_negotiation_informal_share"])
    )


def test_synthetic_survey_is_seeded_without_global_state() -> None:
    np.random.seed(0)
    a = synthetic_survey(seed=5)
    np.random.seed(1)
    b = synthetic_survey(seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(synthetic_survey(seed=6))
    pd.testing.assert_frame_equal(synthetic_survey(seed=np.random.SeedSequence(5)), a)


def test_shipped_survey_is_the_generator_output() -> None:
    shipped = load_survey(example_path("synthetic_survey.csv"))
    assert shipped.synthetic
    fresh = synthetic_survey(seed=2012)
    assert shipped.frame["respondent"].tolist() == fresh["respondent"].tolist()
    assert shipped.frame["informal_contacts_per_week"].tolist() == fresh["informal_contacts_per_week"].tolist()
    assert shipped.frame["friendships_matter"].tolist() == fresh["friendships_matter"].tolist()


def test_cli_labels_the_synthetic_survey(capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli import main

    main(["data", "survey"])
    out = capsys.readouterr().out
    assert out.startswith("SYNTHETIC survey")
    assert "not the real survey" in out


@pytest.mark.parametrize(
    ("row", "phrase", "column"),
    [
        ("EU,R2,seven,3,friend,yes,no", "'seven' is not a number", "informal_contacts_per_week"),
        ("EU,R2,-1,3,friend,yes,no", "-1 is below the minimum 0", "informal_contacts_per_week"),
        ("EU,R2,5,2.5,friend,yes,no", "2.5 is not a whole number", "friends_count"),
        ("EU,R2,5,3,ambassador,yes,no", "'ambassador' is not one of friend, capital", "first_call"),
        ("EU,R2,5,3,friend,maybe,no", "'maybe' is not yes/no", "friendships_matter"),
        ("EUU,R2,5,3,friend,yes,no", "unknown organization 'EUU'", "organization"),
        ("EU,R1,5,3,friend,yes,no", "duplicate of row 2", "respondent"),
    ],
)
def test_malformed_survey_rows(tmp_path: Path, row: str, phrase: str, column: str) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([HEADER, "EU,R1,5,3,capital,no,yes", row]) + "\n", encoding="utf-8")
    survey = load_survey(path)
    assert any(str(p).startswith(f"{path}: row 3, {column}: ") and phrase in str(p) for p in survey.warnings)
    with pytest.raises(CorridorsError, match="--strict"):
        load_survey(path, strict=True)


def test_survey_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("org,person\nEU,R1\n", encoding="utf-8")
    with pytest.raises(CorridorsError, match="required column 'respondent' is missing"):
        load_survey(path)
