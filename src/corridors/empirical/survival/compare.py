"""Observed against simulated durations: overlaid Kaplan-Meier curves, log-rank, KS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from corridors.empirical.survival._common import (
    _DURATION,
    _EVENT,
    _GROUP,
    _check_durations,
    _default_limit,
    _group_colors,
    _new_axes,
)
from corridors.empirical.survival.kaplan_meier import ResponseSurvival


class ObservedVsSimulated:
    """Observed against simulated response times: KM curves, log-rank and KS per organization.

    Parameters
    ----------
    match
        Observed organization -> simulated scenario label. Default: equal names ignoring
        case (``EU`` <-> ``eu``).
    alpha
        1 - confidence level of the bands.

    Attributes
    ----------
    pairs_ : list[tuple[str, str]]
    observed_, simulated_ : ResponseSurvival

    Notes
    -----
    The Kolmogorov-Smirnov test compares the durations of *started* operations and
    *decided* runs only: it ignores censoring, unlike the log-rank test.

    Examples
    --------
    >>> observed = pd.DataFrame({"organization": ["EU"] * 4, "response_months": [1.0, 3, 5, 7],
    ...                          "started": [True] * 4})
    >>> simulated = pd.DataFrame({"organization": ["eu"] * 5, "response_months": [2.0, 3, 4, 6, 24],
    ...                           "started": [True, True, True, True, False]})
    >>> ObservedVsSimulated().fit(observed, simulated).summary.index.tolist()
    ['EU']
    """

    def __init__(self, *, match: Mapping[str, str] | None = None, alpha: float = 0.05) -> None:
        self.match = dict(match or {})
        self.alpha = alpha

    def fit(self, observed: pd.DataFrame, simulated: pd.DataFrame) -> ObservedVsSimulated:
        """Pair organizations with scenarios and compare their durations."""
        from lifelines.statistics import logrank_test
        from scipy.stats import ks_2samp

        obs = _check_durations(observed, _DURATION, _EVENT, _GROUP)
        sim = _check_durations(simulated, _DURATION, _EVENT, _GROUP)
        obs_groups = sorted(obs[_GROUP].unique())
        sim_groups = sorted(sim[_GROUP].unique())
        pairs: list[tuple[str, str]] = []
        problems = []
        if self.match:
            for o, s in self.match.items():
                if o not in obs_groups:
                    problems.append(
                        f"--match {o}={s}: no observed organization '{o}' (observed: {', '.join(obs_groups)})"
                    )
                elif s not in sim_groups:
                    problems.append(
                        f"--match {o}={s}: no simulated scenario '{s}' (simulated: {', '.join(sim_groups)})"
                    )
                else:
                    pairs.append((o, s))
        else:
            lower = {s.lower(): s for s in sim_groups}
            pairs = [(o, lower[o.lower()]) for o in obs_groups if o.lower() in lower]
            if not pairs:
                problems.append(
                    f"no observed organization matches a simulated scenario (observed: {', '.join(obs_groups)}; "
                    f"simulated: {', '.join(sim_groups)}); pair them with --match ORGANIZATION=SCENARIO"
                )
        if problems:
            raise CorridorsError(problems)
        self.pairs_ = pairs
        rows = []
        for o, s in pairs:
            a = obs[obs[_GROUP] == o]
            b = sim[sim[_GROUP] == s]
            lr = logrank_test(a[_DURATION], b[_DURATION], a[_EVENT], b[_EVENT])
            a_started = a.loc[a[_EVENT], _DURATION]
            b_started = b.loc[b[_EVENT], _DURATION]
            if len(a_started) and len(b_started):
                ks = ks_2samp(a_started, b_started)
                ks_stat, ks_p = float(ks.statistic), float(ks.pvalue)
            else:
                ks_stat = ks_p = float("nan")
            rows.append(
                {
                    "organization": o,
                    "scenario": s,
                    "observed": len(a),
                    "simulated": len(b),
                    "logrank_statistic": float(lr.test_statistic),
                    "logrank_p": float(lr.p_value),
                    "ks_statistic": ks_stat,
                    "ks_p": ks_p,
                }
            )
        keep_obs = obs[obs[_GROUP].isin([o for o, _ in pairs])]
        keep_sim = sim[sim[_GROUP].isin([s for _, s in pairs])]
        self.observed_ = ResponseSurvival(alpha=self.alpha).fit(keep_obs)
        self.simulated_ = ResponseSurvival(alpha=self.alpha).fit(keep_sim)
        table = pd.DataFrame(rows).set_index("organization")
        survival = pd.DataFrame([self._survival_columns(o, s, obs, sim) for o, s in pairs], index=table.index)
        self.summary = pd.concat([table.iloc[:, :3], survival, table.iloc[:, 3:]], axis=1)
        return self

    def _survival_columns(self, o: str, s: str, obs: pd.DataFrame, sim: pd.DataFrame) -> dict[str, float]:
        """Started/decided shares, KM medians with intervals, restricted means over a common window."""
        from lifelines.utils import restricted_mean_survival_time

        a, b = obs[obs[_GROUP] == o], sim[sim[_GROUP] == s]
        window = float(min(a[_DURATION].max(), b[_DURATION].max()))
        columns: dict[str, float] = {
            "observed_started_share": float(a[_EVENT].mean()),
            "simulated_decided_share": float(b[_EVENT].mean()),
        }
        for side, fitted, group in (("observed", self.observed_, o), ("simulated", self.simulated_, s)):
            row = fitted.summary.loc[group]
            columns[f"{side}_median_months"] = float(row["median_months"])
            columns[f"{side}_median_lower_months"] = float(row["median_lower_months"])
            columns[f"{side}_median_upper_months"] = float(row["median_upper_months"])
        for side, fitted, group in (("observed", self.observed_, o), ("simulated", self.simulated_, s)):
            columns[f"{side}_restricted_mean_months"] = float(
                restricted_mean_survival_time(fitted.fitters_[group], t=window)
            )
        columns["restricted_mean_window_months"] = window
        return columns

    def plot_survival(self, ax: Axes | None = None, *, max_months: float | None = None) -> Axes:
        """Observed (solid, with bands) and simulated (dashed) KM curves, one colour per organization.

        ``max_months`` cuts the time axis (default: 1.5 times the longest start).

        Examples
        --------
        >>> observed = pd.DataFrame({"organization": ["EU"] * 3, "response_months": [1.0, 3, 5],
        ...                          "started": [True] * 3})
        >>> simulated = pd.DataFrame({"organization": ["eu"] * 3, "response_months": [2.0, 3, 4],
        ...                           "started": [True] * 3})
        >>> ax = ObservedVsSimulated().fit(observed, simulated).plot_survival()
        >>> len(ax.get_legend().get_texts())
        2
        """
        if not hasattr(self, "pairs_"):
            raise CorridorsError("call fit(observed, simulated) first")
        ax = _new_axes(ax)
        colors = _group_colors([o for o, _ in self.pairs_])
        for o, s in self.pairs_:
            self.observed_.fitters_[o].plot_survival_function(
                ax=ax,
                ci_show=True,
                color=colors[o],
                label=f"{o} observed",
                show_censors=True,
                censor_styles={"ms": 5, "marker": "|"},
            )
            self.simulated_.fitters_[s].plot_survival_function(
                ax=ax, ci_show=False, color=colors[o], linestyle="--", label=f"{s} simulated"
            )
        ax.set_xlabel("months since the demand")
        ax.set_ylabel("share not yet started")
        ax.set_ylim(0, 1.02)
        title = "Observed (solid) and simulated (dashed) response times"
        both = pd.concat([self.observed_.data_, self.simulated_.data_], ignore_index=True)
        limit = max_months if max_months is not None else _default_limit(both, _DURATION, _EVENT)
        if limit is not None and limit < float(both[_DURATION].max()):
            ax.set_xlim(0, limit)
            title += f"\naxis cut at {limit:.1f} months; censored durations run to {float(both[_DURATION].max()):.1f}"
        ax.set_title(title)
        ax.legend(frameon=False)
        return ax
