"""Ambassador survey measures: the schema, the paper's Table 2, shares, a synthetic survey.

The survey schema (``data/survey.schema.json``) has one row per ambassador:
organization, respondent, informal_contacts_per_week, friends_count, first_call
(friend / capital), friendships_matter (yes/no), most_important_negotiation_informal
(yes/no) and an optional ``synthetic`` flag.

The real survey of Hardt (2012) is not public. :func:`synthetic_survey` makes a clearly
labelled synthetic one whose aggregates equal the published figures, for demos and
tests: every row says ``synthetic = true`` and every report built from it says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors import paper
from corridors.empirical._io import (
    DataProblem,
    RowChecks,
    TableSchema,
    cell_text,
    distinct_cells,
    map_columns,
    read_cell,
    read_source,
    suggest,
)
from corridors.empirical.datasets import KNOWN_ORGANIZATIONS
from corridors.errors import CorridorsError

__all__ = [
    "PAPER_SURVEY",
    "PAPER_TABLE_2",
    "SYNTHETIC_SAMPLE_SIZES",
    "Survey",
    "load_survey",
    "survey_schema",
    "survey_shares",
    "synthetic_survey",
    "table2",
]


def _paper_survey() -> dict[str, float]:
    shares = paper.survey_figures()
    return {
        "respondents": shares["respondents"],
        "friends_mean": shares["friends_mean"],
        "zero_friends": shares["zero_friend_respondents"],
        "first_call_friend_share": shares["first_call_friend_share"],
        "friendships_matter_share": shares["friendships_matter_share"],
        "most_important_negotiation_informal_share": shares["informal_most_important_share"],
    }


_PAPER_CONSTANTS: dict[str, Callable[[], dict[str, Any]]] = {
    "PAPER_TABLE_2": paper.table2_by_statistic,
    "PAPER_SURVEY": _paper_survey,
}

if TYPE_CHECKING:
    PAPER_TABLE_2: dict[str, dict[str, float]]
    """Hardt (2012) Table 2 (from :mod:`corridors.paper`): informal communications per week."""

    PAPER_SURVEY: dict[str, float]
    """Hardt (2012), text (from :mod:`corridors.paper`): 50 ambassadors, about 5 friends each
    and one with none, about half of first calls to a friend, 91% say friendships matter, 85% negotiate
    what matters most informally."""


def __getattr__(name: str) -> Any:
    """``PAPER_TABLE_2`` and ``PAPER_SURVEY``, read from :mod:`corridors.paper` on first use (PEP 562).

    Nothing is read when the module is imported; each access returns a fresh dict.
    """
    if name in _PAPER_CONSTANTS:
        return _PAPER_CONSTANTS[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SYNTHETIC_SAMPLE_SIZES: dict[str, int] = {"AU": 10, "EU": 21, "OAS": 10, "OSCE": 9}
"""Respondents per organization in the synthetic survey. The paper gives 50 in all and 10 at
the OAS; the rest is an assumption chosen so that Table 2's means are exact at two decimals."""

_SYNTHETIC_ANSWERED = {"friendships_matter": (45, 41), "most_important_negotiation_informal": (40, 34)}
"""(answered, yes) in the synthetic survey: 41/45 = 91.1%, 34/40 = 85.0%."""


def survey_schema() -> TableSchema:
    """The Frictionless Table Schema of survey responses.

    Examples
    --------
    >>> survey_schema().names[:3]
    ['organization', 'respondent', 'informal_contacts_per_week']
    """
    return TableSchema.load("survey")


@dataclass
class Survey:
    """Loaded, checked survey responses.

    Attributes
    ----------
    frame
        One row per respondent kept: schema fields (numbers as floats, yes/no as nullable
        booleans, bad cells emptied) plus ``row`` (spreadsheet row) and extra columns.
    problems
        Warnings and notes with row numbers.
    source
        The file as named by the user.

    Examples
    --------
    >>> from corridors.empirical.datasets import example_path
    >>> survey = load_survey(example_path("synthetic_survey.csv"))
    >>> survey.synthetic, survey.warnings
    (True, [])
    """

    frame: pd.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    source: str = ""

    @property
    def synthetic(self) -> bool:
        """True if any row is flagged synthetic."""
        return bool("synthetic" in self.frame and self.frame["synthetic"].fillna(False).astype(bool).any())

    @property
    def warnings(self) -> list[DataProblem]:
        """The problems of level ``warning`` (``--strict`` makes them an error)."""
        return [p for p in self.problems if p.level == "warning"]


def load_survey(
    path: str | Path,
    *,
    column_map: Mapping[str, str] | None = None,
    strict: bool = False,
    organizations: Iterable[str] | None = None,
) -> Survey:
    """Load and check survey responses (CSV, Excel, Parquet, Stata, SPSS).

    A bad cell (not a number, negative, not yes/no, an unknown first call) is reported
    with its row and emptied; a duplicate respondent or an unknown organization is
    reported and the row left out. ``strict=True`` turns warnings into an error.

    Examples
    --------
    >>> from corridors.empirical.datasets import example_path
    >>> survey = load_survey(example_path("synthetic_survey.csv"))
    >>> len(survey.frame), survey.synthetic
    (50, True)
    """
    schema = survey_schema()
    source = read_source(path, schema)
    table, label = source.frame, source.label
    frame, problems = map_columns(table, schema, column_map, label)
    problems = [*source.problems, *problems]
    if len(frame) == 0:
        raise CorridorsError(f"{label}: the file has a header but no rows")
    known = {o.upper() for o in KNOWN_ORGANIZATIONS} | {str(o).strip().upper() for o in organizations or ()}
    every = np.arange(len(frame))
    checks = RowChecks(label, every + 2, source.checked)  # spreadsheet_row of each row
    columns = _check_answers(frame, schema, checks, every)
    organization = [text.upper() for text in columns["organization"]]
    columns["organization"] = organization
    options = sorted(known)
    unknown = np.array([bool(o) and o not in known for o in organization], dtype=bool)
    positions = np.flatnonzero(unknown)
    checks.add(
        positions,
        "organization",
        [
            f"unknown organization '{organization[k]}'{suggest(organization[k], options)}; the row is left out "
            "(add one with --organization NAME)"
            for k in positions.tolist()
        ],
        leave_out="unknown organization",
    )
    first_row: dict[str, int] = {}
    duplicates: list[int] = []
    for position, respondent in enumerate(columns["respondent"]):
        if respondent and first_row.setdefault(respondent, position + 2) != position + 2:
            duplicates.append(position)
    checks.add(
        np.asarray(duplicates, dtype=np.int64),
        "respondent",
        [
            f"duplicate of row {first_row[columns['respondent'][k]]} (respondent '{columns['respondent'][k]}'); "
            "the row is left out"
            for k in duplicates
        ],
        leave_out="duplicate respondent",
    )
    for column in frame.columns:
        if column not in schema.names:
            values, codes = distinct_cells(frame, column, every)
            texts = [cell_text(v) for v in values]
            columns[column] = [texts[c] for c in codes.tolist()]
    problems.extend(checks.problems())
    kept = np.flatnonzero(checks.reasons == "").tolist()
    out = (
        pd.DataFrame({column: [values[k] for k in kept] for column, values in columns.items()})
        if kept
        else pd.DataFrame(columns=["row", *schema.names])
    )
    for item in schema.fields:
        if item.type == "boolean":
            out[item.name] = out[item.name].astype("boolean") if item.name in out else pd.array([], "boolean")
        elif item.type in ("number", "integer"):
            out[item.name] = pd.to_numeric(out[item.name], errors="coerce").astype(float)
    result = Survey(frame=out, problems=problems, source=label)
    if strict and result.warnings:
        raise CorridorsError([f"{p} (--strict)" for p in result.warnings])
    if len(out) == 0:
        raise CorridorsError([str(p) for p in result.warnings] + [f"{label}: no usable rows"])
    return result


def _check_answers(
    frame: pd.DataFrame, schema: TableSchema, checks: RowChecks, every: np.ndarray
) -> dict[str, list[Any]]:
    """Check each field's answers, a column at a time (the loaders' checker).

    A bad number or yes/no, or a first call outside its values, is told and emptied; an empty
    required field leaves the row out.
    """
    columns: dict[str, list[Any]] = {"row": (every + 2).tolist()}
    for item in schema.fields:
        values, codes = distinct_cells(frame, item.name, every)
        if item.type in ("number", "integer", "boolean"):
            read = [read_cell(item, value) for value in values]  # type and constraints: frictionless
            bad = np.array([why is not None for _, why in read], dtype=bool)[codes]
            positions = np.flatnonzero(bad)
            checks.add(
                positions,
                item.name,
                [f"{read[c][1]}; the answer is treated as missing" for c in codes[positions].tolist()],
            )
            columns[item.name] = [read[c][0] for c in codes.tolist()]
            continue
        texts = [cell_text(value) for value in values]
        if item.required:
            empty = np.array([not text for text in texts], dtype=bool)[codes]
            checks.add(
                np.flatnonzero(empty),
                item.name,
                f"is empty; every row needs a {item.name}; the row is left out",
                leave_out=f"no {item.name}",
            )
        if item.enum is not None:
            enum = item.enum
            outside = [bool(text) and text.lower() not in enum for text in texts]
            positions = np.flatnonzero(np.array(outside, dtype=bool)[codes])
            checks.add(
                positions,
                item.name,
                [
                    f"'{texts[c]}' is not one of {', '.join(enum)}{suggest(texts[c].lower(), enum)}; "
                    "the answer is treated as missing"
                    for c in codes[positions].tolist()
                ],
            )
            texts = ["" if out else text.lower() for text, out in zip(texts, outside, strict=True)]
        columns[item.name] = [texts[c] for c in codes.tolist()]
    return columns


def _frame(survey: Survey | pd.DataFrame) -> pd.DataFrame:
    return survey.frame if isinstance(survey, Survey) else survey


def _mode(values: pd.Series) -> float:
    modes = values.dropna().mode()
    return float(modes.min()) if len(modes) else float("nan")


def table2(survey: Survey | pd.DataFrame) -> pd.DataFrame:
    """The paper's Table 2: informal contacts per week, mean, median and mode per organization.

    Ties for the mode are broken toward the smallest value. Missing answers are skipped;
    the ``respondents`` row counts the answers used.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["EU", "EU", "EU"], "informal_contacts_per_week": [5, 5, 6]})
    >>> table2(frame).loc["mean", "EU"].round(2)
    np.float64(5.33)
    """
    frame = _frame(survey)
    column = "informal_contacts_per_week"
    rows = {}
    for organization, part in frame.groupby("organization", sort=True):
        values = pd.to_numeric(part[column], errors="coerce").dropna()
        rows[organization] = {
            "respondents": float(len(values)),
            "mean": float(values.mean()) if len(values) else float("nan"),
            "median": float(values.median()) if len(values) else float("nan"),
            "mode": _mode(values),
        }
    table = pd.DataFrame(rows)
    table.columns.name = "organization"
    return table


def survey_shares(survey: Survey | pd.DataFrame) -> pd.DataFrame:
    """Shares and friend counts per organization and over all respondents.

    Shares are over respondents who answered the question.

    Examples
    --------
    >>> frame = pd.DataFrame({"organization": ["EU", "AU"], "friends_count": [0, 4],
    ...                       "first_call": ["friend", "capital"],
    ...                       "friendships_matter": [True, None],
    ...                       "most_important_negotiation_informal": [True, False]})
    >>> survey_shares(frame).loc["all", ["friends_mean", "zero_friends", "first_call_friend_share"]].tolist()
    [2.0, 1.0, 0.5]
    """
    frame = _frame(survey)

    def shares(part: pd.DataFrame) -> dict[str, float]:
        friends = (
            pd.to_numeric(part["friends_count"], errors="coerce").dropna()
            if "friends_count" in part
            else pd.Series(dtype=float)
        )
        calls = part["first_call"].replace("", np.nan).dropna() if "first_call" in part else pd.Series(dtype=str)
        out: dict[str, float] = {
            "respondents": float(len(part)),
            "friends_mean": float(friends.mean()) if len(friends) else float("nan"),
            "friends_median": float(friends.median()) if len(friends) else float("nan"),
            "zero_friends": float((friends == 0).sum()),
            "first_call_friend_share": float((calls == "friend").mean()) if len(calls) else float("nan"),
        }
        for column in ("friendships_matter", "most_important_negotiation_informal"):
            answers = part[column].dropna().astype(bool) if column in part else pd.Series(dtype=bool)
            out[f"{column}_answered"] = float(len(answers))
            out[f"{column}_share"] = float(answers.mean()) if len(answers) else float("nan")
        return out

    rows = {str(org): shares(part) for org, part in frame.groupby("organization", sort=True)}
    rows["all"] = shares(frame)
    table = pd.DataFrame(rows).T
    table.index.name = "organization"
    return table


def synthetic_survey(*, seed: int | np.random.SeedSequence = 2012) -> pd.DataFrame:
    """A SYNTHETIC survey of 50 ambassadors whose aggregates equal the paper's figures.

    Reproduces exactly: Table 2 (mean at two decimals, median, mode per organization),
    a mean of 5 friends with exactly one ambassador without friends, 25 of 50 first calls
    to a friend, 41 of 45 answers saying friendships matter (91%) and 34 of 40 saying the
    most important negotiation was informal (85%). Sample sizes per organization are
    :data:`SYNTHETIC_SAMPLE_SIZES` (an assumption). Every row has ``synthetic = True``;
    the individual answers are invented and mean nothing.

    Parameters
    ----------
    seed
        Seed of a :class:`numpy.random.Generator` (via ``SeedSequence``).

    Examples
    --------
    >>> survey = synthetic_survey(seed=1)
    >>> table2(survey).loc["mean"].round(2).tolist()
    [6.6, 5.38, 6.2, 6.22]
    >>> bool(survey["synthetic"].all())
    True
    """
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(sequence)
    parts = []
    for organization, n in SYNTHETIC_SAMPLE_SIZES.items():
        target = paper.table2_by_statistic()[organization]
        contacts = _contacts_with(rng, n=n, mean=target["mean"], median=int(target["median"]), mode=int(target["mode"]))
        parts.append(
            pd.DataFrame(
                {
                    "organization": organization,
                    "respondent": [f"SYN-{organization}-{k:02d}" for k in range(1, n + 1)],
                    "informal_contacts_per_week": contacts,
                }
            )
        )
    survey = pd.concat(parts, ignore_index=True)
    total = len(survey)
    figures = _paper_survey()
    survey["friends_count"] = _friends_with(rng, n=total, mean=figures["friends_mean"], zeros=1)
    calls = np.array(["capital"] * total, dtype=object)
    calls[rng.choice(total, size=round(total * figures["first_call_friend_share"]), replace=False)] = "friend"
    survey["first_call"] = calls
    for column, (answered, yes) in _SYNTHETIC_ANSWERED.items():
        values = pd.array([pd.NA] * total, dtype="boolean")
        who = rng.choice(total, size=answered, replace=False)
        yes_who = rng.choice(who, size=yes, replace=False)
        values[who] = False
        values[yes_who] = True
        survey[column] = values
    survey["synthetic"] = True
    return survey


def _contacts_with(rng: np.random.Generator, *, n: int, mean: float, median: int, mode: int) -> np.ndarray:
    """Whole numbers with the given mean (at two decimals), median and unique mode."""
    total = round(mean * n)
    if round(total / n, 2) != round(mean, 2):
        raise CorridorsError(f"no {n} whole numbers have mean {mean:.2f}")
    offsets = np.array([-4, -3, -2, -1, 1, 2, 3])
    for _ in range(10_000):
        values = np.full(n, mode)
        changed = rng.random(n) < 0.45
        values[changed] += rng.choice(offsets, size=int(changed.sum()))
        values = np.clip(values, 0, 21)
        for _ in range(200):
            gap = total - int(values.sum())
            if gap == 0:
                break
            i = int(rng.integers(n))
            values[i] = np.clip(values[i] + np.sign(gap), 0, 21)
        counts = np.bincount(values)
        if (
            int(values.sum()) == total
            and float(np.median(values)) == median
            and counts[mode] > np.max(np.delete(counts, mode), initial=0)
        ):
            return values
    raise CorridorsError(
        f"could not draw {n} answers with mean {mean}, median {median}, mode {mode}"
    )  # pragma: no cover


def _friends_with(rng: np.random.Generator, *, n: int, mean: float, zeros: int) -> np.ndarray:
    """Whole friend counts with an exact total and exactly ``zeros`` zeros."""
    total = round(mean * n)
    values = 1 + rng.binomial(8, 0.5, size=n)
    none = rng.choice(n, size=zeros, replace=False)
    values[none] = 0
    others = np.setdiff1d(np.arange(n), none)
    while int(values.sum()) != total:
        gap = total - int(values.sum())
        i = int(rng.choice(others))
        values[i] = np.clip(values[i] + np.sign(gap), 1, 15)
    return values
