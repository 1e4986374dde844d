"""The published figures of Hardt (2012) as tidy tables: the calibration targets.

Hardt, H. (2012), "Keep Friends Close but Colleagues Closer: Efficiency in the
Establishment of Peace Operations" (working paper). Every table carries a ``source``
column that names the table or passage of the paper a value comes from. The values live
in CSV files under ``corridors/paper/data`` (shipped in the wheel) and are read with
:mod:`importlib.resources` when a function is first called, never at import, so the
numbers are data, not code.

This package is the lowest leaf of corridors: it imports nothing else of corridors, and
the calibration, the empirical toolkit, the explorer and the report all read the paper
through it (``tests/test_import_layers.py`` checks this). docs/ODD.md section 1 says which
patterns the model is checked against.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import pandas as pd

__all__ = [
    "ORGANIZATIONS",
    "female_shares",
    "mean_contacts_per_week",
    "mean_response_months",
    "survey_figures",
    "survey_shares",
    "table1",
    "table2",
    "table2_by_statistic",
    "table3",
    "table_means",
    "table1_months",
    "targets",
]

ORGANIZATIONS: tuple[str, ...] = ("AU", "EU", "OAS", "OSCE")
"""The four organizations the paper compares, in its column order."""

_TARGET_COLUMNS = ["organization", "measure", "value", "source"]


def _data() -> Traversable:
    """The folder of the packaged CSV files."""
    return resources.files(__name__) / "data"


def table_means() -> dict[str, dict[str, float]]:
    """Table 1's mean response months and Table 2's mean contacts per week, by organization.

    Plain numbers read without pandas, for a command line that must start quickly.

    Examples
    --------
    >>> table_means()["EU"]
    {'response_months': 6.17, 'contacts_per_week': 5.38}
    """
    import csv

    folder = _data()
    means: dict[str, dict[str, float]] = {}
    with (folder / "table1.csv").open("r", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            means.setdefault(row["organization"], {})["response_months"] = float(row["mean_response_months"])
    with (folder / "table2.csv").open("r", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["statistic"] == "mean":
                means.setdefault(row["organization"], {})["contacts_per_week"] = float(
                    row["informal_contacts_per_week"]
                )
    return means


def _read(name: str) -> pd.DataFrame:
    """Read one of the packaged CSV files by its file name."""
    import pandas as pd

    with (_data() / name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def table1() -> pd.DataFrame:
    """Table 1: mean response time from demand to deployment, in months.

    Returns
    -------
    pandas.DataFrame
        One row per organization with columns ``organization``, ``mean_response_months``
        (mean over the 70 operations of 1991-2009) and ``source``.

    Examples
    --------
    >>> t = table1()
    >>> list(t["organization"])
    ['AU', 'EU', 'OAS', 'OSCE']
    >>> float(t.set_index("organization").loc["EU", "mean_response_months"])
    6.17
    """
    return _read("table1.csv")


def table2() -> pd.DataFrame:
    """Table 2: informal communication among ambassadors per week, outside formal meetings.

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``organization``, ``statistic`` (``mean``, ``median`` or
        ``mode`` of the survey answers), ``informal_contacts_per_week`` and ``source``.

    Examples
    --------
    >>> t = table2()
    >>> means = t[t["statistic"] == "mean"].set_index("organization")["informal_contacts_per_week"]
    >>> means.round(2).to_dict()
    {'AU': 6.6, 'EU': 5.38, 'OAS': 6.2, 'OSCE': 6.22}
    """
    return _read("table2.csv")


def mean_response_months() -> pd.Series:
    """Table 1 as a Series: mean months from demand to deployment, indexed by organization.

    Examples
    --------
    >>> float(mean_response_months()["EU"])
    6.17
    """
    return table1().set_index("organization")["mean_response_months"]


def mean_contacts_per_week() -> pd.Series:
    """Table 2's means as a Series: informal contacts per week, indexed by organization.

    Examples
    --------
    >>> float(mean_contacts_per_week()["EU"])
    5.38
    """
    t = table2()
    return t[t["statistic"] == "mean"].set_index("organization")["informal_contacts_per_week"]


@functools.cache
def _table1_months() -> dict[str, float]:
    import csv

    with (_data() / "table1.csv").open("r", encoding="utf-8") as handle:
        return {row["organization"]: float(row["mean_response_months"]) for row in csv.DictReader(handle)}


def table1_months() -> dict[str, float]:
    """Table 1 as a plain dict: mean months from demand to deployment, by organization.

    The file is read once (on the first call) and a fresh dict is returned each time.

    Examples
    --------
    >>> table1_months()
    {'AU': 3.84, 'EU': 6.17, 'OAS': 4.28, 'OSCE': 4.49}
    """
    return dict(_table1_months())


@functools.cache
def _table2_by_statistic() -> dict[str, dict[str, float]]:
    import csv

    result: dict[str, dict[str, float]] = {}
    with (_data() / "table2.csv").open("r", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            result.setdefault(row["organization"], {})[row["statistic"]] = float(row["informal_contacts_per_week"])
    return result


def table2_by_statistic() -> dict[str, dict[str, float]]:
    """Table 2 as plain dicts: informal contacts per week by organization, then by statistic.

    The file is read once (on the first call) and fresh dicts are returned each time.

    Examples
    --------
    >>> table2_by_statistic()["EU"]
    {'mean': 5.38, 'median': 5.0, 'mode': 5.0}
    """
    return {org: dict(stats) for org, stats in _table2_by_statistic().items()}


@functools.cache
def _survey_values() -> dict[str, float]:
    import csv

    with (_data() / "survey_shares.csv").open("r", encoding="utf-8") as handle:
        return {row["name"]: float(row["value"]) for row in csv.DictReader(handle)}


def survey_figures() -> dict[str, float]:
    """The survey's figures as a plain dict: each :func:`survey_shares` name and its value.

    A range the paper gives is represented by its midpoint. The file is read once (on the
    first call) and a fresh dict is returned each time.

    Examples
    --------
    >>> figures = survey_figures()
    >>> figures["respondents"], figures["friendships_matter_share"]
    (50.0, 0.91)
    """
    return dict(_survey_values())


def table3() -> pd.DataFrame:
    """Table 3: organizational characteristics of the peace decision-making committees.

    Returns
    -------
    pandas.DataFrame
        One row per organization with columns ``organization``, ``members`` (size),
        ``committee``, ``agenda_setting``, ``expertise_support`` and
        ``formal_meetings_text`` as printed in the paper, ``formal_meetings_per_week``
        (the printed frequency per week: 2x/month = 24/52; the EU's 2x/week is the
        minimum, the text says every other day) and ``source``.

    Examples
    --------
    >>> t = table3().set_index("organization")
    >>> t["members"].to_dict()
    {'AU': 53, 'EU': 27, 'OAS': 35, 'OSCE': 56}
    >>> t.loc["AU", "formal_meetings_text"], round(float(t.loc["AU", "formal_meetings_per_week"]), 4)
    ('2x/month', 0.4615)
    """
    return _read("table3.csv")


def female_shares() -> pd.DataFrame:
    """Share of female ambassadors on each committee in late 2011.

    Returns
    -------
    pandas.DataFrame
        One row per organization with columns ``organization``, ``committee``,
        ``female_share`` (a proportion), ``year`` and ``source``.

    Examples
    --------
    >>> female_shares().set_index("organization")["female_share"].to_dict()
    {'AU': 0.07, 'EU': 0.26, 'OAS': 0.23, 'OSCE': 0.25}
    """
    return _read("female_shares.csv")


def survey_shares() -> pd.DataFrame:
    """Figures from the survey of 50 ambassadors and the case passages (ODD section 1).

    Returns
    -------
    pandas.DataFrame
        One row per figure with columns ``name``, ``organization`` (``all`` for the
        pooled survey), ``value``, ``low`` and ``high`` (bounds of a range the paper gives,
        else missing; ``value`` is then the midpoint), ``unit`` and ``source``.

    Examples
    --------
    >>> s = survey_shares().set_index("name")
    >>> float(s.loc["friendships_matter_share", "value"])
    0.91
    >>> s.loc["oas_informal_group_share", ["low", "high"]].astype(float).tolist()
    [0.7, 0.75]
    """
    return _read("survey_shares.csv")


def targets() -> pd.DataFrame:
    """All published figures as one long table of calibration targets.

    Measures: ``mean_response_months`` (Table 1); ``informal_contacts_per_week_mean``,
    ``_median`` and ``_mode`` (Table 2); ``members`` and ``formal_meetings_per_week``
    (Table 3, the EU's 2-a-week minimum) plus ``formal_meetings_per_week_observed`` for the
    EU's "every other day" (3.5); ``female_share``; and every survey figure under its
    :func:`survey_shares` name (a range by its midpoint).

    Returns
    -------
    pandas.DataFrame
        Columns ``organization``, ``measure``, ``value`` (float) and ``source``.

    Examples
    --------
    >>> t = targets()
    >>> list(t.columns)
    ['organization', 'measure', 'value', 'source']
    >>> row = t[(t["organization"] == "EU") & (t["measure"] == "mean_response_months")]
    >>> float(row["value"].iloc[0])
    6.17
    """
    import pandas as pd

    frames: list[pd.DataFrame] = []

    t1 = table1()
    frames.append(t1.assign(measure="mean_response_months", value=t1["mean_response_months"]))

    t2 = table2()
    measure = "informal_contacts_per_week_" + t2["statistic"]
    frames.append(t2.assign(measure=measure, value=t2["informal_contacts_per_week"]))

    t3 = table3()
    frames.append(t3.assign(measure="members", value=t3["members"]))
    frames.append(t3.assign(measure="formal_meetings_per_week", value=t3["formal_meetings_per_week"]))
    frames.append(
        pd.DataFrame(
            {
                "organization": ["EU"],
                "measure": ["formal_meetings_per_week_observed"],
                "value": [3.5],
                "source": ["Hardt 2012, text on the EU PSC: meetings occur on average every other day (7/2 per week)"],
            }
        )
    )

    fs = female_shares()
    frames.append(fs.assign(measure="female_share", value=fs["female_share"]))

    ss = survey_shares()
    frames.append(ss.assign(measure=ss["name"]))

    out = pd.concat([frame[_TARGET_COLUMNS] for frame in frames], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return out
