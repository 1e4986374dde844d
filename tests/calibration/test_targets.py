"""Calibration targets: sources, standard errors, input flags."""

from __future__ import annotations

import math

import pytest

from corridors.calibration.targets import calibration_targets, decision_times
from corridors.paper import mean_response_months


def test_every_target_has_a_source_a_positive_se_and_an_input_flag() -> None:
    t = calibration_targets()
    assert t["target"].is_unique
    assert (t["se"] > 0).all() and t["source"].str.len().gt(0).all() and t["se_source"].str.len().gt(0).all()
    inputs = set(t.loc[t["is_input"], "measure"])
    assert inputs == {"contacts_per_week", "first_call_share"}


def test_table1_targets_are_the_paper_means_and_the_book_count_widens_their_se() -> None:
    paper = calibration_targets().set_index("target")
    book = calibration_targets(n_operations=61).set_index("target")
    for org, mean in mean_response_months().items():
        key = f"response_months:{org}"
        assert paper.loc[key, "value"] == pytest.approx(mean)
        if paper.loc[key, "n"] > 3 and book.loc[key, "n"] > 3:
            assert book.loc[key, "se"] / paper.loc[key, "se"] == pytest.approx(math.sqrt(70 / 61))
    assert paper.loc[paper["measure"] == "response_months", "n"].sum() == pytest.approx(70, abs=3)


def test_survey_targets_use_binomial_ses_on_fifty_ambassadors() -> None:
    t = calibration_targets().set_index("target")
    p = (0.85 * 50 + 2) / 54
    assert t.loc["informal_share:all", "se"] == pytest.approx(math.sqrt(p * (1 - p) / 50))
    assert t.loc["zero_friend_share:all", "value"] == pytest.approx(1 / 50)
    assert t.loc["friends_mean:all", "se"] == pytest.approx(math.sqrt(5 / 50))


def test_decision_time_targets_only_where_enough_timed_decisions() -> None:
    d = decision_times()
    assert set(d["demand_kind"]) <= {"unsc_resolution", "host_request"} and (d["decision_days"] >= 0).all()
    t = calibration_targets()
    decision = t[t["measure"].str.startswith("decided_within")]
    assert set(decision["organization"]) == {"EU"}
    eu = d.loc[d["organization"] == "EU", "decision_days"]
    row = decision.set_index("measure").loc["decided_within_30d"]
    assert row["value"] == pytest.approx((eu <= 30).mean())
