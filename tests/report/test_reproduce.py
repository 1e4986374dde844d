"""``corridors reproduce --quick`` end to end: every section, table and figure, and the page's numbers are the CSVs'."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from corridors.report.reproduce import SECTIONS, ReportConfig, reproduce

TABLES = {
    "answer": ["answer", "answer_mechanisms"],
    "theories": ["theories_scorecard", "theories_patterns"],
    "observed": ["table1", "table2", "survey", "ordering"],
    "real-data": ["real_data"],
    "calibration": ["calibration_fit", "calibration_screen", "calibration_readings", "calibration_leave_one_out"],
    "mechanisms": ["mechanisms", "mechanisms_summary"],
    "policy": ["policy_meetings", "policy_experiments"],
    "cases": ["case_atalanta", "case_unsc", "case_unsc_pivotal", "case_oas"],
    "networks": ["networks"],
    "pipeline": ["settings"],
}
FIGURES = {"theories": 1, "observed": 1, "real-data": 2, "calibration": 1, "mechanisms": 1, "policy": 2, "networks": 1}


class _Page(HTMLParser):
    """Sections (id, lead sentence), tables (data-csv, header, cells) and images of the report page."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, Any]] = {}
        self.tables: list[dict[str, Any]] = []
        self.images: list[str] = []
        self._section: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._lead: list[str] | None = None
        self._lead_kind = "lead"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self._section = a["id"]
            self.sections[str(a["id"])] = {"lead": "", "tables": [], "images": 0, "paragraphs": []}
        elif tag == "p" and a.get("class") in ("lead", "answer"):
            self._lead = []
            self._lead_kind = str(a.get("class"))
        elif tag == "table" and "data-csv" in a:
            table = {"csv": a["data-csv"], "header": [], "columns": [], "rows": [], "section": self._section}
            self.tables.append(table)
            assert self._section is not None
            self.sections[self._section]["tables"].append(a["data-csv"])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            if tag == "th":
                self.tables[-1]["columns"].append(a.get("data-column"))
        elif tag == "img":
            self.images.append(str(a.get("src")))
            if self._section is not None:
                self.sections[self._section]["images"] += 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._lead is not None:
            self._lead.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if table["header"]:
                table["rows"].append(self._row)
            else:
                table["header"] = self._row
            self._row = None
        elif tag == "p" and self._lead is not None:
            assert self._section is not None
            text = "".join(self._lead).strip()
            if self._lead_kind == "lead":
                self.sections[self._section]["lead"] = text
            else:
                self.sections[self._section]["paragraphs"].append(text)
            self._lead = None
        elif tag == "section":
            self._section = None


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    done = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "reproduce", "--quick", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "wrote" in done.stdout
    return out


@pytest.fixture(scope="module")
def page(quick_report: Path) -> _Page:
    parser = _Page()
    parser.feed((quick_report / "index.html").read_text(encoding="utf-8"))
    return parser


def test_every_section_table_and_figure_is_there(quick_report: Path, page: _Page) -> None:
    assert list(page.sections) == list(SECTIONS)
    for section, tables in TABLES.items():
        assert page.sections[section]["tables"] == [f"{t}.csv" for t in tables], section
        for table in tables:
            assert (quick_report / f"{table}.csv").is_file()
        assert len(page.sections[section]["lead"]) > 40, section  # its opening sentence
    for section, count in FIGURES.items():
        assert page.sections[section]["images"] == count, section
    assert all(src.startswith("data:image/png;base64,") for src in page.images)  # self-contained
    assert len(list((quick_report / "figures").glob("*.png"))) == sum(FIGURES.values())
    summary = (quick_report / "summary.md").read_text(encoding="utf-8")
    for section in page.sections.values():
        assert section["lead"] in summary


def _close(shown: str, value: Any) -> bool:
    """The page's text shows the CSV's value at the page's precision."""
    if isinstance(value, float) and math.isnan(value):
        return shown == "–"
    if isinstance(value, float) and math.isinf(value):
        return shown == ("n.r." if value > 0 else "-inf")  # a Kaplan-Meier median not reached
    if isinstance(value, (bool,)) or shown in ("yes", "no"):
        return shown == ("yes" if value in (True, "True", "true") else "no")
    try:
        number = float(shown)
    except ValueError:
        return shown == str(value)
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(number - float(value)) <= 0.5 * 10**-decimals + 1e-9


def test_every_number_in_the_page_is_the_csv_number(quick_report: Path, page: _Page) -> None:
    assert len(page.tables) == sum(len(t) for t in TABLES.values())
    for table in page.tables:
        frame = pd.read_csv(quick_report / table["csv"], keep_default_na=True)
        # the page: every column but the hashes (those are under the table; the settings table keeps them),
        # under human headers; the CSV keeps the machine names
        kept = (
            list(frame.columns)
            if table["csv"] == "settings.csv"
            else [c for c in frame.columns if c != "scenario_hash"]
        )
        assert table["columns"] == kept, table["csv"]
        assert not any("_" in h for h in table["header"]), (table["csv"], table["header"])  # words, not names
        assert len(table["rows"]) == len(frame), table["csv"]
        for r, row in enumerate(table["rows"]):
            for column, shown in zip(kept, row, strict=True):
                value = frame.iloc[r][column]
                if isinstance(value, str):
                    assert shown == value, (table["csv"], r, column)
                else:
                    assert _close(shown, value.item() if hasattr(value, "item") else value), (
                        table["csv"],
                        r,
                        column,
                        shown,
                        value,
                    )


def test_each_sentence_is_written_from_the_numbers_of_its_tables(quick_report: Path, page: _Page) -> None:
    assert len(page.sections["answer"]["paragraphs"]) >= 3  # why, how sure, where the data disagree
    for section, tables in TABLES.items():
        values: list[float] = []
        for name in tables:
            frame = pd.read_csv(quick_report / f"{name}.csv")
            values.extend(float(v) for v in frame.select_dtypes("number").to_numpy().ravel() if v == v)
        lead = " ".join([page.sections[section]["lead"], *page.sections[section]["paragraphs"]])
        for match in re.finditer(r"([+-]?\d+\.(\d+))(e[+-]?\d+)?(%?)", lead):
            mantissa, decimals, exponent, percent = match.groups()
            scale = 10 ** int(exponent[1:] if exponent else 0) / (100 if percent else 1)
            number = float(mantissa) * scale
            tolerance = 0.5 * 10 ** -len(decimals) * scale
            token = match.group()
            assert any(
                abs(number - v) <= tolerance + 1e-9 or abs(abs(number) - abs(v)) <= tolerance + 1e-9 for v in values
            ), (section, token, lead)


def test_tables_state_replications_seed_version_and_hashes(quick_report: Path) -> None:
    html = (quick_report / "index.html").read_text(encoding="utf-8")
    captions = re.findall(r'<p class="caption">(.*?)</p>', html, flags=re.S)
    assert len(captions) == sum(len(t) for t in TABLES.values())
    simulated = [c for c in captions if "replicat" in c]
    assert all("seed 2012" in c and "corridors " in c for c in simulated)
    table1 = pd.read_csv(quick_report / "table1.csv")
    assert table1["scenario_hash"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert set(table1["replications"]) == {400}
    settings = pd.read_csv(quick_report / "settings.csv")
    assert settings["setting"].is_unique and settings["scenario_hash"].notna().all()


def test_the_report_says_what_it_finds(quick_report: Path) -> None:
    table1 = pd.read_csv(quick_report / "table1.csv")
    assert set(table1["organization"]) == {"AU", "EU", "OAS", "OSCE"}
    assert set(table1["parameters"]) == {"defaults", "calibrated"}
    assert (table1["p025_months"] <= table1["median_months"]).all()
    mechanisms = pd.read_csv(quick_report / "mechanisms.csv")
    assert len(mechanisms) == 17 * 4  # the realist model and each of 16 mechanisms, four organizations
    assert (mechanisms["change_lower"] <= mechanisms["change_upper"]).all()
    no_review = mechanisms[mechanisms["setting"] == "no_capital_review"]
    assert (no_review["change_lower"] > 0).all()  # capitals that never widen make every organization slower
    summary = pd.read_csv(quick_report / "mechanisms_summary.csv").set_index("setting")
    if not summary.loc["no_capital_review", "decides_within_horizon"]:  # the horizon, not an effect: never ranked
        lead = (quick_report / "summary.md").read_text(encoding="utf-8")
        assert "capital review matters most" not in lead and "capital review off most runs do not decide" in lead
    # the meetings curve's point at today's 3.5 a week is Table 1's calibrated EU scenario (its captions say so)
    meetings = pd.read_csv(quick_report / "policy_meetings.csv").set_index("meetings_per_week")
    calibrated_eu = table1[(table1["organization"] == "EU") & (table1["parameters"] == "calibrated")]
    assert meetings.loc[3.5, "scenario_hash"] == calibrated_eu["scenario_hash"].iloc[0]
    oas = pd.read_csv(quick_report / "case_oas.csv")
    assert ((oas["lower_95"] <= oas["decided_within_4_days"]) & (oas["decided_within_4_days"] <= oas["upper_95"])).all()


TINY = ReportConfig(table_replications=12, replications=6, meetings_per_week=(1.0, 3.5), size="quick")


def test_an_interrupted_report_resumes_where_it_stopped(tmp_path: Path) -> None:
    from corridors.experiments.executors.serial import SerialExecutor

    seen = {"count": 0}

    def interrupt(stage: str, count: int, total: int) -> None:
        seen["count"] += count
        if seen["count"] >= total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reproduce(tmp_path, config=TINY, executor=SerialExecutor(), progress=interrupt)
    assert not (tmp_path / "index.html").exists()  # nothing half written
    resumed = reproduce(tmp_path, config=TINY, executor=SerialExecutor())
    assert resumed.settings_found > 0 and resumed.settings_run > 0
    again = reproduce(tmp_path, config=TINY, executor=SerialExecutor())
    assert again.replications_run == 0 and again.settings_run == 0
    for path in resumed.csv_paths:
        if path.name != "settings.csv":
            assert path.read_bytes() == (tmp_path / path.name).read_bytes(), path.name
    assert again.table("table1").equals(resumed.table("table1"))


def test_without_a_parameter_file_the_report_warns_and_uses_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.calibration.bench.shipped as shipped
    import corridors.calibration.pipeline as pipeline
    from corridors.errors import CorridorsError
    from corridors.report.reproduce import _parameters

    overrides, document, warnings = _parameters(None)
    assert overrides and "theory" in document and not warnings  # the shipped bench's best theory
    with pytest.raises(CorridorsError, match="no such file"):
        _parameters(tmp_path / "missing.yaml")
    monkeypatch.setattr(shipped, "shipped_bench_folder", lambda: tmp_path / "no_bench")
    overrides, document, warnings = _parameters(None)
    assert overrides and document["reading"] == "interpersonal" and not warnings  # today's calibrated.yaml
    monkeypatch.setattr(pipeline, "shipped_parameter_file", lambda: tmp_path / "absent.yaml")
    overrides, document, warnings = _parameters(None)
    assert overrides == () and len(warnings) == 1 and "defaults" in warnings[0]
