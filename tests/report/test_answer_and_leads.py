"""Issue 22 in the report, on constructed tables (no simulation): the answer, the leads, the page's headers."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from corridors.report.page import ReportTable, Section, header, write
from corridors.report.plan import ORGANIZATIONS
from corridors.report.sections import SECTION_MODULES, answer, mechanisms, real_data

ORGS = [o.upper() for o in ORGANIZATIONS]


def decimals(text: str) -> list[float]:
    """Every decimal number written in a text (1.77, -0.52, 7.8e-132)."""
    return [float(m.group()) for m in re.finditer(r"[+-]?\d+\.\d+(e[+-]?\d+)?", text)]


def in_tables(value: float, frames: list[pd.DataFrame]) -> bool:
    """A number written with its decimals is one of the tables' numbers (or its negation), at that precision."""
    numbers = [float(v) for f in frames for v in f.select_dtypes("number").to_numpy(float).ravel() if v == v]
    text = repr(value)
    places = len(text.split("e")[0].split(".")[1]) if "." in text else 0
    scale = 10 ** int(text.split("e")[1]) if "e" in text else 1
    return any(abs(abs(value) - abs(v)) <= 0.5 * 10**-places * scale + 1e-12 for v in numbers)


def mechanism_rows(changes: dict[str, dict[str, float]], shares: dict[str, float] | None = None) -> pd.DataFrame:
    """A constructed ``mechanisms`` table: per setting, each organization's change (SE 0.05 each) and order."""
    records = []
    for setting, by_org in changes.items():
        baseline = {"AU": 2.0, "EU": 3.7, "OAS": 2.5, "OSCE": 3.0}
        months = {o: baseline[o] + by_org[o] for o in ORGS}
        order = " > ".join(sorted(months, key=lambda o: -months[o]))
        for org in ORGS:
            change = by_org[org]
            records.append(
                {
                    "setting": setting,
                    "organization": org,
                    "baseline_months": baseline[org],
                    "months": months[org],
                    "change_months": change,
                    "change_lower": change - 0.098,
                    "change_upper": change + 0.098,
                    "decided_share": (shares or {}).get(setting, 0.97),
                    "ordering": order,
                    "ordering_as_calibrated": order == "EU > OSCE > OAS > AU",
                    "eu_slowest": order.startswith("EU"),
                    "scenario_hash": "0123456789abcdef",
                }
            )
    return pd.DataFrame(records)


def test_a_censored_switch_is_said_not_to_decide_not_read_as_an_effect() -> None:
    table = mechanism_rows(
        {
            "realist": {"AU": 0.9, "EU": -0.4, "OAS": 0.6, "OSCE": 0.7},
            "no_capital_review": {"AU": 18.1, "EU": 16.6, "OAS": 17.8, "OSCE": 17.3},  # the horizon, not an effect
            "no_crowding_out": {"AU": 0.0, "EU": -0.83, "OAS": 0.02, "OSCE": -0.1},
            "no_gossip": {"AU": 0.21, "EU": 0.05, "OAS": 0.11, "OSCE": 0.09},
        },
        shares={"no_capital_review": 0.04},
    )
    summary = mechanisms.summarize(table)
    assert summary.set_index("setting").loc["no_capital_review", "decides_within_horizon"] == False  # noqa: E712
    lead = mechanisms.sentence(mechanisms.Tables(table, summary, "EU > OSCE > OAS > AU", "EU > OSCE > OAS > AU"))
    assert "with capital review off most runs do not decide within the horizon (decided share down to 0.04)" in lead
    assert "capital review matters most" not in lead
    assert "crowding out matters most (on average 0.24 months either way)" in lead
    assert "17.45" not in lead  # the censored switch's mean size is not quoted as an effect


def test_a_p_value_from_fewer_than_five_operations_carries_its_n() -> None:
    rows = []
    for measure in ("decision (demand to decision)", "response (demand to deployment)"):
        for org, n, p in (("AU", 6, 0.21), ("EU", 9, 0.0312), ("OAS", 2, 7.8e-132), ("OSCE", 5, 0.47)):
            rows.append(
                {
                    "measure": measure,
                    "organization": org,
                    "observed_n": n,
                    "observed_events": n,
                    "observed_median_months": 1.5,
                    "simulated_median_months": 2.5,
                    "logrank_statistic": 4.0,
                    "logrank_p": p,
                    "too_few_operations": n < real_data.MIN_OPERATIONS,
                    "scenario_hash": "0123456789abcdef",
                }
            )
    lead = real_data.sentence(pd.DataFrame(rows))
    assert "7.8e-132, n = 2 operations; too few to read" in lead
    assert "the OAS's decision" in lead
    assert "6 rest on at least 5 operations, and 2 of those reject equal curves" in lead
    assert "smallest: the EU's decision, p = 0.031, n = 9 operations)" in lead


def constructed_answer() -> answer.Tables:
    figures = []
    for org, paper, model, sample, n, contacts in (
        ("AU", 2.4, 2.1, 2.6, 6, 6.58),
        ("EU", 4.6, 3.73, 1.77, 7, 5.36),
        ("OAS", 2.9, 2.6, math.nan, 0, 6.55),
        ("OSCE", 3.5, 3.1, 2.2, 5, 6.35),
    ):
        figures += [
            answer._figure("model informal contacts a week", org, contacts, "table2", "simulated_contacts_per_week"),
            answer._figure("Table 1 mean response (months)", org, paper, "table1", "observed_months"),
            answer._figure(
                "model mean response over decided runs (months)",
                org,
                model,
                "table1",
                "mean_months",
                model - 0.05,
                model + 0.05,
                400,
            ),
            answer._figure("z, model against Table 1", org, (model - paper) / 0.4, "table1", "z"),
            answer._figure("sample median response (months)", org, sample, "real_data", "observed_median_months", n=n),
            answer._figure(
                "model median response of decided runs (months)",
                org,
                model - 0.8,
                "real_data",
                "simulated_median_months",
            ),
            answer._figure("log-rank p, response", org, 0.012, "real_data", "logrank_p", n=n),
        ]
    frame = pd.DataFrame(figures)
    frame["n"] = frame["n"].astype("Int64")
    table = mechanism_rows(
        {
            "realist": {"AU": 1.9, "EU": -0.4, "OAS": 1.6, "OSCE": 1.7},  # the EU becomes the fastest
            "no_capital_review": {"AU": 18.1, "EU": 16.6, "OAS": 17.8, "OSCE": 17.3},
            "no_crowding_out": {"AU": 0.0, "EU": -0.83, "OAS": 0.02, "OSCE": -0.1},
            "no_gossip": {"AU": 0.21, "EU": 0.05, "OAS": 0.11, "OSCE": 0.09},
        },
        shares={"no_capital_review": 0.04},
    )
    return answer.Tables(frame, answer.eu_against_others(table))


def test_the_answer_comes_first_and_says_why_in_words_from_its_tables(tmp_path: Path) -> None:
    assert SECTION_MODULES[0] is answer
    t = constructed_answer()
    m = t.mechanisms.set_index("setting")
    assert m.loc["no_crowding_out", "eu_relative_months"] == pytest.approx(-0.83 - (0.0 + 0.02 - 0.1) / 3)
    assert m.loc["realist", "eu_rank"] == 4

    from corridors.report.plan import QUICK

    class Ctx:
        config = QUICK
        bench_folder = tmp_path / "no-bench"  # no bench outputs: the answer says so

    lead = answer.sentence(t)
    paragraphs = answer.paragraphs(Ctx(), t)  # type: ignore[arg-type]
    text = " ".join([lead, *paragraphs])
    assert "makes the EU the slowest of the four (3.73 months over decided runs, order EU > OSCE > OAS > AU" in lead
    assert "In the model the EU is slowest because informal relations help it least: its ambassadors have the " in lead
    assert "fewest informal contacts (5.36 a week against 6.35 to 6.58 elsewhere)" in lead
    assert "the others' by +1.60 to +1.90, and the EU becomes the fastest (order OSCE > OAS > AU > EU)" in lead
    assert "crowding out (formal meetings crowd out informal contacts, so ambassadors" in paragraphs[0]
    assert paragraphs[0].startswith("Why: ") and "the EU is no longer the slowest but the fastest" in paragraphs[0]
    assert "capital review" in paragraphs[1] and "do not decide within the horizon" in paragraphs[1]
    assert "The shipped sample's EU median response is 1.77 months (n = 7 operations) beside" in paragraphs[2]
    assert "n = 7 operations" in paragraphs[2] and "too few to read" not in paragraphs[2]
    assert paragraphs[3].startswith("No theory bench was run for this report")  # the bench's sentence, last
    for value in decimals(text):
        assert in_tables(value, [t.answer, t.mechanisms]), (value, text)


def test_a_further_answer_paragraph_joins_through_the_named_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from corridors.report.plan import QUICK

    class Ctx:
        config = QUICK

    monkeypatch.setattr(answer, "MORE_PARAGRAPHS", [lambda ctx: "The theory bench says so too.", lambda ctx: None])
    assert answer.paragraphs(Ctx(), constructed_answer())[-1] == "The theory bench says so too."  # type: ignore[arg-type]


def test_the_page_shows_human_headers_and_moves_hashes_while_the_csv_keeps_machine_names(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "organization": ["EU", "AU"],
            "held_out_rank_in_its_fit": [1, 4],
            "median_months": [2.93, float("inf")],
            "scenario_hash": ["fdb5c23bfd70dab3", "e6932b5230affc6e"],
        }
    )
    section = Section("s", "1. S", "A lead.", tables=[ReportTable("t", "T", frame, "caption.")], paragraphs=["More."])
    write(tmp_path, [section], {"version": "0", "config": SECTION_CONFIG, "warnings": [], "source": "none"})
    assert list(pd.read_csv(tmp_path / "t.csv").columns) == list(frame.columns)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    head = re.search(r"<thead>(.*?)</thead>", html, flags=re.S)
    assert head is not None
    headers = re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))
    assert headers == ["organization", header("held_out_rank_in_its_fit"), "median (months)"]
    assert "held_out_rank_in_its_fit" not in headers and "scenario hash" not in headers
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "fdb5c23bfd70dab3" not in body and "n.r." in body
    assert re.search(r"<details class=\"hashes\">.*EU: <code>fdb5c23bfd70dab3</code>", html, flags=re.S)
    assert '<p class="answer">More.</p>' in html
    assert 'name="viewport"' in html and "max-width" in html and 'class="scroll"' in html
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "| organization | held-out rank in its fit (1 = slowest) | median (months) |" in summary


class SECTION_CONFIG:  # noqa: N801 - what the page's header reads of a ReportConfig
    size = "quick"
    table_replications = 12
    replications = 6
    seed = 1


def test_reproduce_takes_the_named_parameter_sets() -> None:
    from corridors.calibration.pipeline import parameter_overrides, shipped_parameter_file
    from corridors.errors import CorridorsError
    from corridors.report.plan import read_parameters

    calibrated, document, warnings = read_parameters("calibrated")
    assert list(calibrated) == parameter_overrides(shipped_parameter_file()) and not warnings
    assert document["source"].startswith("calibrated: ")
    realist, document, _ = read_parameters("calibrated-realist")
    assert realist[0] == "realist=true" and document["reading"] == "realist"
    assert set(document["parameters"]) == set(document["readings"]["realist"]["parameters"])
    with pytest.raises(CorridorsError, match="named sets: calibrated, calibrated-realist"):
        read_parameters("calibratd")
