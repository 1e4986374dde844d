"""Calibration targets with their standard errors, sources and whether they are model inputs.

One row per target, named ``measure:organization`` (``all`` for the pooled survey of 50
ambassadors). The paper gives no standard errors, so each target documents how its SE is
obtained (``se_source``):

* **Table 1** (mean response months): the shipped sample's spread (its pooled coefficient
  of variation of demand-to-start months, UNSC resolutions and host requests only, the
  paper's own demand kinds) times the paper's mean, over the square root of the number of
  operations behind the mean. The paper counts 70 operations (the book version 61); they
  are split among the organizations in the shares of the shipped sample's rows, since the
  paper gives no split. ``n_operations=61`` widens every SE by sqrt(70/61).
* **Table 2** (informal contacts per week): about 12.5 respondents per organization
  (50 / 4) and a coefficient of variation of 1 (a count), an assumption. These are
  *inputs* (``is_input``): c = 6.75 - 0.4 m_f (ODD 7.4.4) is set from Table 2, so fitting
  them would fit two parameters of a formula, not the theory.
* **Survey** (n = 50 ambassadors, pooled): friends per ambassador about 5 (Poisson SE
  sqrt(5/50)); the zero-friend share 1/50, first calls to a colleague about half, and the
  informal share of important negotiation 0.85 take binomial SEs on n = 50 with the
  Agresti-Coull adjustment ((x + 2) / (n + 4)), so 1 of 50 does not get a near-zero SE.
  First calls are an input (``parameters.first_call_friend`` is that figure, and no output
  measures it).
* **Decision times** from the shipped sample (demand to formal decision, UNSC resolutions
  and host requests only, decisions not before the demand): the share decided within 30
  and within 90 days, for organizations with at least :data:`MIN_DECISIONS` such operations
  (only the EU in the shipped sample); Agresti-Coull binomial SEs.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from corridors.paper import ORGANIZATIONS, mean_contacts_per_week, mean_response_months

__all__ = [
    "DECISION_HORIZONS",
    "DEMAND_KINDS",
    "MIN_DECISIONS",
    "PAPER_OPERATIONS",
    "SURVEY_RESPONDENTS",
    "calibration_targets",
    "decision_times",
]

PAPER_OPERATIONS = 70
"""Operations behind Table 1 (the working paper; the book version of the study reports 61)."""
SURVEY_RESPONDENTS = 50
"""Ambassadors interviewed (pooled over the four organizations)."""
DEMAND_KINDS = ("unsc_resolution", "host_request")
"""Demand kinds the paper times from (a UNSC resolution or a host state's request)."""
MIN_DECISIONS = 5
"""Fewest timed decisions for an organization's decision-time targets."""
DECISION_HORIZONS = (30, 90)
"""Days at which the share of decisions taken is a target."""

_COLUMNS = ["target", "measure", "organization", "value", "se", "n", "is_input", "source", "se_source"]


def _sample_path() -> Path:
    return Path(__file__).resolve().parent.parent / "empirical" / "data" / "peace_ops_sample.csv"


def _agresti_coull_se(successes: float, n: float) -> float:
    p = (successes + 2.0) / (n + 4.0)
    return math.sqrt(p * (1.0 - p) / n)


def decision_times(path: str | Path | None = None) -> pd.DataFrame:
    """Demand-to-decision days of the sample's operations demanded by a UNSC resolution or host request.

    Decisions dated before the demand (a mandate pre-dating its resolution) are dropped.

    Returns
    -------
    pandas.DataFrame
        ``organization``, ``operation``, ``demand_kind``, ``decision_days``.

    Examples
    --------
    >>> d = decision_times()
    >>> d.groupby("organization").size().to_dict()
    {'AU': 1, 'EU': 7, 'OSCE': 2}
    """
    from corridors.empirical import load_peace_operations

    ops = load_peace_operations(path or _sample_path()).usable
    kept = ops[ops["demand_kind"].isin(DEMAND_KINDS) & ops["decision_days"].notna()].copy()
    kept["decision_days"] = kept["decision_days"].astype(float)
    kept = kept[kept["decision_days"] >= 0]
    return kept[["organization", "operation", "demand_kind", "decision_days"]].reset_index(drop=True)


def _table1_rows(path: Path, n_operations: int) -> list[dict[str, object]]:
    from corridors.empirical import load_peace_operations

    ops = load_peace_operations(path)
    frame = ops.usable
    timed = frame[frame["demand_kind"].isin(DEMAND_KINDS) & frame["started"]]["response_months"].astype(float)
    cv = float(timed.std(ddof=1) / timed.mean())
    rows_per_org = ops.frame.groupby("organization").size()
    shares = rows_per_org.reindex(list(ORGANIZATIONS)).fillna(0) / rows_per_org.reindex(list(ORGANIZATIONS)).sum()
    out = []
    for org, mean in mean_response_months().items():
        n = max(3.0, float(shares[org]) * n_operations)
        out.append(
            {
                "target": f"response_months:{org}",
                "measure": "response_months",
                "organization": org,
                "value": float(mean),
                "se": cv * float(mean) / math.sqrt(n),
                "n": n,
                "is_input": False,
                "source": "Hardt 2012, Table 1 (mean months from demand to start on the ground)",
                "se_source": (
                    f"pooled CV {cv:.3f} of the shipped sample's demand-to-start months ({len(timed)} started "
                    f"operations, UNSC/host demands) x mean / sqrt(n); n = {n_operations} operations x the "
                    f"organization's share of the sample's rows"
                ),
            }
        )
    return out


def calibration_targets(*, n_operations: int = PAPER_OPERATIONS, sample: str | Path | None = None) -> pd.DataFrame:
    """Every calibration target with its standard error, source and input flag.

    Parameters
    ----------
    n_operations
        Operations behind Table 1: 70 (the paper) or 61 (the book version).
    sample
        The peace-operation sample (default: the shipped ``peace_ops_sample.csv``).

    Returns
    -------
    pandas.DataFrame
        Columns ``target``, ``measure``, ``organization``, ``value``, ``se``, ``n``,
        ``is_input``, ``source``, ``se_source``.

    Examples
    --------
    >>> t = calibration_targets().set_index("target")
    >>> float(t.loc["response_months:EU", "value"]), bool(t.loc["contacts_per_week:EU", "is_input"])
    (6.17, True)
    >>> bool(calibration_targets(n_operations=61).set_index("target").loc["response_months:EU", "se"]
    ...      > t.loc["response_months:EU", "se"])
    True
    """
    path = Path(sample) if sample is not None else _sample_path()
    rows = _table1_rows(path, n_operations)
    per_org = SURVEY_RESPONDENTS / len(ORGANIZATIONS)
    for org, mean in mean_contacts_per_week().items():
        rows.append(
            {
                "target": f"contacts_per_week:{org}",
                "measure": "contacts_per_week",
                "organization": org,
                "value": float(mean),
                "se": float(mean) / math.sqrt(per_org),
                "n": per_org,
                "is_input": True,
                "source": "Hardt 2012, Table 2 (mean informal contacts per week)",
                "se_source": "assumed: 50/4 respondents per organization, coefficient of variation 1",
            }
        )
    n = float(SURVEY_RESPONDENTS)
    survey = [
        (
            "friends_mean",
            5.0,
            math.sqrt(5.0 / n),
            False,
            "section 'Informal Alliances': an average of five friends",
            "Poisson: sqrt(5 / 50)",
        ),
        (
            "zero_friend_share",
            1.0 / n,
            _agresti_coull_se(1.0, n),
            False,
            "section 'Informal Alliances': one ambassador has no friend in the committee",
            "binomial, Agresti-Coull, n=50",
        ),
        (
            "first_call_share",
            0.5,
            _agresti_coull_se(25.0, n),
            True,
            "section 'Interpersonal Relations': about half of first calls go to a fellow ambassador",
            "binomial, Agresti-Coull, n=50 (an input: parameters.first_call_friend)",
        ),
        (
            "informal_share",
            0.85,
            _agresti_coull_se(0.85 * n, n),
            False,
            "section 'Interpersonal Relations': 85% say the most important negotiations are informal",
            "binomial, Agresti-Coull, n=50",
        ),
    ]
    for measure, value, se, is_input, source, se_source in survey:
        rows.append(
            {
                "target": f"{measure}:all",
                "measure": measure,
                "organization": "all",
                "value": value,
                "se": se,
                "n": n,
                "is_input": is_input,
                "source": f"Hardt 2012, {source}",
                "se_source": se_source,
            }
        )
    decisions = decision_times(path)
    for org, days in decisions.groupby("organization")["decision_days"]:
        if len(days) < MIN_DECISIONS:
            continue
        for horizon in DECISION_HORIZONS:
            x = float((days <= horizon).sum())
            rows.append(
                {
                    "target": f"decided_within_{horizon}d:{org}",
                    "measure": f"decided_within_{horizon}d",
                    "organization": str(org),
                    "value": x / len(days),
                    "se": _agresti_coull_se(x, len(days)),
                    "n": float(len(days)),
                    "is_input": False,
                    "source": f"{path.name}: demand-to-decision days, UNSC/host demands ({len(days)} operations)",
                    "se_source": f"binomial, Agresti-Coull, n={len(days)}",
                }
            )
    out = pd.DataFrame(rows, columns=_COLUMNS)
    out["value"] = out["value"].astype(float)
    out["se"] = out["se"].astype(float)
    assert np.all(out["se"] > 0)
    return out
