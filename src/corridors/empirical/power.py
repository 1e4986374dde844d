"""Voting power: exact Shapley-Shubik and Banzhaf indices beside informal power.

A decision rule is a weighted voting game ``[quota; w_1, ..., w_n]`` in which every veto
holder must be in a winning coalition. Unanimity is ``[n; 1, ..., 1]``; the UN Security
Council is ``[9; 1 x 15]`` with the five permanent members holding a veto.

Both indices are computed exactly with integer arithmetic by dynamic programming over
(coalition size, coalition weight), not by enumerating the n! orders or 2^n coalitions:
counts of coalitions of the non-veto players are built once, one player is removed by
polynomial division, and the swings of each distinct (weight, veto) type are summed.
The cost is O(n^2 W) for total weight W, so 60 members take a fraction of a second.

:class:`VotingPower` sets the formal indices beside structural measures of informal
power: how often each member was the pivotal member of simulated runs and how central
it is in the routine network. Under unanimity the formal indices are equal (1/n) while
the informal ones are not: the paper's point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from corridors.errors import CorridorsError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from corridors.scenario import Scenario

__all__ = [
    "VotingGame",
    "VotingPower",
    "banzhaf",
    "shapley_shubik",
    "swing_counts",
]


@dataclass(frozen=True)
class VotingGame:
    """A weighted voting game with veto holders.

    A coalition wins if its weight reaches ``quota`` and it contains every veto holder.

    Parameters
    ----------
    players
        Names (member codes), in order.
    weights
        Non-negative whole-number weights, one per player.
    quota
        Weight needed to win (at least 1, at most the total weight).
    veto
        Names of the veto holders.

    Examples
    --------
    >>> game = VotingGame(players=("A", "B", "C", "D"), weights=(4, 3, 2, 1), quota=6)
    >>> game.is_winning({"A", "C"}), game.is_winning({"A", "D"})
    (True, False)
    """

    players: tuple[str, ...]
    weights: tuple[int, ...]
    quota: int
    veto: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if len(self.players) != len(self.weights):
            problems.append(f"{len(self.players)} players but {len(self.weights)} weights")
        if len(set(self.players)) != len(self.players):
            problems.append("a player is listed twice")
        if any(int(w) != w or w < 0 for w in self.weights):
            problems.append("weights must be whole numbers >= 0")
        total = sum(self.weights)
        if not 1 <= self.quota <= total:
            problems.append(f"quota {self.quota} must be between 1 and the total weight {total}")
        unknown = [v for v in self.veto if v not in self.players]
        if unknown:
            problems.append(f"veto holder(s) {', '.join(unknown)} are not players")
        if problems:
            raise CorridorsError([f"voting game: {p}" for p in problems])

    @property
    def n(self) -> int:
        """Number of players."""
        return len(self.players)

    def is_winning(self, coalition: set[str] | frozenset[str]) -> bool:
        """Whether a coalition (a set of player names) wins."""
        weight = sum(w for p, w in zip(self.players, self.weights, strict=True) if p in coalition)
        return weight >= self.quota and all(v in coalition for v in self.veto)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> VotingGame:
        """The scenario's decision rule as a game of one vote per member.

        Examples
        --------
        >>> from corridors.scenario import load_scenario
        >>> game = VotingGame.from_scenario(load_scenario("unsc"))
        >>> game.quota, len(game.veto)
        (9, 5)
        """
        codes = tuple(scenario.member_codes)
        rule = scenario.decision_rule
        if rule.kind == "unanimity":
            return cls(players=codes, weights=(1,) * len(codes), quota=len(codes))
        assert rule.quota is not None
        return cls(players=codes, weights=(1,) * len(codes), quota=int(rule.quota), veto=tuple(rule.veto_members))


def _coalition_counts(weights: Sequence[int], total: int) -> np.ndarray:
    """counts[k, w] = number of coalitions of size k and weight w (exact Python ints)."""
    counts = np.zeros((len(weights) + 1, total + 1), dtype=object)
    counts[:, :] = 0
    counts[0, 0] = 1
    for size, weight in enumerate(weights, start=1):
        if weight:
            counts[1 : size + 1, weight:] = counts[1 : size + 1, weight:] + counts[:size, : total + 1 - weight]
        else:
            counts[1 : size + 1, :] = counts[1 : size + 1, :] + counts[:size, :]
    return counts


def _remove_player(counts: np.ndarray, weight: int) -> np.ndarray:
    """Counts without one player of ``weight``: polynomial division of the full counts."""
    sizes, width = counts.shape
    out = np.zeros((sizes - 1, width), dtype=object)
    out[:, :] = 0
    for k in range(sizes - 1):
        out[k] = counts[k].copy()
        if k:
            if weight:
                out[k, weight:] = out[k, weight:] - out[k - 1, : width - weight]
            else:
                out[k] = out[k] - out[k - 1]
    return out


def swing_counts(game: VotingGame) -> dict[str, dict[int, int]]:
    """For each player, the number of coalitions of each size it swings from losing to winning.

    ``result[p][s]`` is the number of coalitions S of s other players such that S loses
    and S + p wins. The Shapley-Shubik index weighs them by s!(n-s-1)!/n!, the Banzhaf
    index counts them.

    Examples
    --------
    >>> swing_counts(VotingGame(players=("A", "B"), weights=(1, 1), quota=2))
    {'A': {1: 1}, 'B': {1: 1}}
    """
    veto = set(game.veto)
    free = [i for i, p in enumerate(game.players) if p not in veto]
    free_weights = [game.weights[i] for i in free]
    total = sum(game.weights)
    veto_weight = sum(w for p, w in zip(game.players, game.weights, strict=True) if p in veto)
    n_veto = len(veto)
    full = _coalition_counts(free_weights, total)
    cache: dict[tuple[int, bool], dict[int, int]] = {}
    result: dict[str, dict[int, int]] = {}
    for player, weight in zip(game.players, game.weights, strict=True):
        key = (weight, player in veto)
        if key not in cache:
            swings: dict[int, int] = {}
            if player in veto:
                # S = (other veto holders) + T; S loses (it lacks this player), S + player wins iff
                # veto_weight + w(T) >= quota.
                counts = full
                base_size, base_weight = n_veto - 1, veto_weight - weight
                low, high = game.quota - veto_weight, total
            else:
                # S = all veto holders + T (T without this player); S loses and S + player wins
                # iff quota - weight <= veto_weight + w(T) < quota.
                counts = _remove_player(full, weight)
                base_size, base_weight = n_veto, veto_weight
                low, high = game.quota - weight - veto_weight, game.quota - 1 - veto_weight
            low = max(low, 0)
            for k in range(counts.shape[0]):
                if high < low:
                    break
                number = int(sum(counts[k, low : high + 1]))
                if number:
                    swings[base_size + k] = swings.get(base_size + k, 0) + number
            del base_weight
            cache[key] = swings
        result[player] = dict(cache[key])
    return result


def shapley_shubik(game: VotingGame, *, exact: bool = False) -> pd.Series:
    """Exact Shapley-Shubik index of each player.

    The share of the n! voting orders in which the player is pivotal: the one whose vote
    turns the coalition of those before it from losing into winning.

    Parameters
    ----------
    exact
        Return :class:`fractions.Fraction` values instead of floats.

    Examples
    --------
    The 1958 EEC Council of Ministers, [12; 4, 4, 4, 2, 2, 1]:

    >>> eec = VotingGame(players=("FRA", "DEU", "ITA", "BEL", "NLD", "LUX"),
    ...                  weights=(4, 4, 4, 2, 2, 1), quota=12)
    >>> [str(v) for v in shapley_shubik(eec, exact=True)]
    ['7/30', '7/30', '7/30', '3/20', '3/20', '0']
    """
    n = game.n
    factorial = math.factorial(n)
    values = {}
    for player, swings in swing_counts(game).items():
        values[player] = sum(
            (Fraction(count * math.factorial(s) * math.factorial(n - s - 1), factorial) for s, count in swings.items()),
            Fraction(0),
        )
    series = pd.Series(values, name="shapley_shubik", dtype=object)
    return series if exact else series.astype(float)


def banzhaf(game: VotingGame, *, normalized: bool = True, exact: bool = False) -> pd.Series:
    """Exact Banzhaf index of each player.

    Parameters
    ----------
    normalized
        Swings divided by the sum of all players' swings (sums to 1); otherwise the
        absolute index, swings / 2^(n-1) (the probability of being decisive).
    exact
        Return :class:`fractions.Fraction` values.

    Examples
    --------
    >>> eec = VotingGame(players=("FRA", "DEU", "ITA", "BEL", "NLD", "LUX"),
    ...                  weights=(4, 4, 4, 2, 2, 1), quota=12)
    >>> [str(v) for v in banzhaf(eec, exact=True)]
    ['5/21', '5/21', '5/21', '1/7', '1/7', '0']
    """
    swings = {p: sum(s.values()) for p, s in swing_counts(game).items()}
    denominator = sum(swings.values()) if normalized else 2 ** (game.n - 1)
    if denominator == 0:
        raise CorridorsError("voting game: no player ever swings a coalition")
    values = {p: Fraction(v, denominator) for p, v in swings.items()}
    series = pd.Series(values, name="banzhaf" if normalized else "banzhaf_absolute", dtype=object)
    return series if exact else series.astype(float)


class VotingPower:
    """Formal voting power beside informal power from simulation and networks.

    Parameters
    ----------
    friend_threshold
        Passed to :class:`~corridors.empirical.networks.RoutineNetwork` for the centralities.

    Attributes
    ----------
    game_ : VotingGame
    summary : pandas.DataFrame
        Per member: name, big_player, veto, shapley_shubik, banzhaf, and when given
        pivotal_share (share of decided runs in which the member was pivotal),
        pivotal_runs, eigenvector_centrality, betweenness_centrality, friends_count.
    spread_ : pandas.DataFrame
        Per measure: min, max, max/min ratio and Gini coefficient across members; equal
        power gives ratio 1 and Gini 0.

    Examples
    --------
    >>> from corridors.scenario import load_scenario
    >>> power = VotingPower().fit(load_scenario("eu"))
    >>> float(power.spread_.loc["shapley_shubik", "gini"])
    0.0
    """

    def __init__(self, *, friend_threshold: float = 0.5) -> None:
        self.friend_threshold = friend_threshold

    def fit(
        self,
        scenario: Scenario,
        *,
        runs: pd.DataFrame | None = None,
        ties: pd.DataFrame | None = None,
    ) -> VotingPower:
        """Compute the indices for the scenario's rule and the informal measures given."""
        from corridors.empirical.networks import RoutineNetwork, members_table

        game = VotingGame.from_scenario(scenario)
        self.game_ = game
        self.scenario_name_ = scenario.name
        table = members_table(scenario)[["name", "big_player"]].copy()
        table["veto"] = [scenario.decision_rule.kind == "unanimity" or c in game.veto for c in table.index]
        table["shapley_shubik"] = shapley_shubik(game)
        table["banzhaf"] = banzhaf(game)
        if runs is not None:
            table = table.join(self._pivotal(scenario, runs))
        if ties is not None:
            network = RoutineNetwork(friend_threshold=self.friend_threshold).fit(ties, scenario)
            self.network_ = network
            table = table.join(network.members_[["eigenvector_centrality", "betweenness_centrality", "friends_count"]])
        self.summary = table
        measures = [
            c
            for c in ("shapley_shubik", "banzhaf", "pivotal_share", "eigenvector_centrality", "betweenness_centrality")
            if c in table.columns
        ]
        rows = {}
        for m in measures:
            v = table[m].to_numpy(dtype=float)
            rows[m] = {
                "min": float(v.min()),
                "max": float(v.max()),
                "max_over_min": float(v.max() / v.min()) if v.min() > 0 else float("inf"),
                "gini": _gini(v),
            }
        self.spread_ = pd.DataFrame(rows).T
        self.spread_.index.name = "measure"
        return self

    @staticmethod
    def _pivotal(scenario: Scenario, runs: pd.DataFrame) -> pd.DataFrame:
        needed = ["decided", "pivotal_member"]
        missing = [c for c in needed if c not in runs.columns]
        if missing:
            raise CorridorsError(f"runs need columns {', '.join(needed)}; missing {', '.join(missing)}")
        part = runs
        if "scenario_hash" in runs.columns and (runs["scenario_hash"] == scenario.content_hash()).any():
            part = runs[runs["scenario_hash"] == scenario.content_hash()]
        elif "scenario" in runs.columns:
            part = runs[runs["scenario"].astype(str) == scenario.name]
            if part.empty:
                shown = ", ".join(sorted(runs["scenario"].astype(str).unique()))
                raise CorridorsError(f"runs: no run of scenario '{scenario.name}' (runs are of: {shown})")
        decided = part[part["decided"].astype(bool)]
        if decided.empty:
            raise CorridorsError(f"runs: no decided run of scenario '{scenario.name}', so no pivotal member")
        pivots = decided["pivotal_member"].fillna("").astype(str)
        counts = pivots[pivots != ""].value_counts()
        unknown = sorted(set(counts.index) - set(scenario.member_codes))
        if unknown:
            raise CorridorsError(f"runs: pivotal member(s) {', '.join(unknown)} are not members of '{scenario.name}'")
        codes = scenario.member_codes
        return pd.DataFrame(
            {
                "pivotal_runs": [int(counts.get(c, 0)) for c in codes],
                "pivotal_share": [float(counts.get(c, 0)) / len(decided) for c in codes],
            },
            index=pd.Index(codes, name="code"),
        )

    def text(self) -> str:
        """The comparison as plain text, with the point it makes in one sentence."""
        if not hasattr(self, "summary"):
            raise CorridorsError("call fit(scenario) first")
        game = self.game_
        if game.quota == sum(game.weights) and not game.veto:
            rule = f"unanimity of {game.n}"
        else:
            rule = f"quota {game.quota} of {game.n}" + (f", veto: {', '.join(game.veto)}" if game.veto else "")
        lines = [f"Voting power in scenario '{self.scenario_name_}' ({rule})", ""]
        shown = self.summary.sort_values(
            [c for c in ("eigenvector_centrality", "pivotal_share", "shapley_shubik") if c in self.summary.columns][0],
            ascending=False,
        )
        with pd.option_context("display.width", 160, "display.max_rows", 100, "display.float_format", "{:.4f}".format):
            lines.append(shown.to_string())
            lines.append("")
            lines.append("Spread across members (equal power: max/min 1, Gini 0)")
            lines.append(self.spread_.to_string())
        spread = self.spread_.to_dict(orient="index")
        ss = {str(k): float(v) for k, v in spread["shapley_shubik"].items()}
        formal = (
            f"Formal power is equal: every member's Shapley-Shubik index is 1/{game.n} = {1 / game.n:.4f}."
            if ss["gini"] < 1e-12
            else f"Formal power is unequal: Shapley-Shubik from {ss['min']:.4f} to {ss['max']:.4f}."
        )
        informal = [
            m for m in ("pivotal_share", "eigenvector_centrality", "betweenness_centrality") if m in self.spread_.index
        ]
        lines.append("")
        lines.append(formal)
        if informal:
            gini = {m: float(spread[m]["gini"]) for m in informal}
            parts = [f"{m} Gini {g:.2f}" for m, g in gini.items()]
            verdict = "unequal: " if any(g > 0.05 for g in gini.values()) else "about equal: "
            lines.append("Informal power is " + verdict + "; ".join(parts) + ".")
        else:
            lines.append(
                "Informal power: pass --runs or --simulate N (pivotal members), --edges or --seed (centrality)."
            )
        return "\n".join(lines)

    def plot_power(self, ax: Axes | None = None) -> Axes:
        """Formal (Shapley-Shubik) and informal shares per member, side by side.

        Each measure is rescaled to sum to 1 across members.

        Examples
        --------
        >>> from corridors.scenario import load_scenario
        >>> VotingPower().fit(load_scenario("unsc")).plot_power().get_ylabel()
        'share of the total across members'
        """
        if not hasattr(self, "summary"):
            raise CorridorsError("call fit(scenario) first")
        if ax is None:
            from matplotlib.figure import Figure

            ax = Figure(figsize=(10, 4.5), layout="constrained").subplots()
        measures = [m for m in ("shapley_shubik", "pivotal_share", "eigenvector_centrality") if m in self.summary]
        order = self.summary.sort_values(measures[-1], ascending=False).index
        x = np.arange(len(order))
        width = 0.8 / len(measures)
        for k, m in enumerate(measures):
            values = self.summary.loc[order, m].to_numpy(dtype=float)
            total = values.sum()
            ax.bar(x + k * width, values / total if total else values, width, label=m.replace("_", " "))
        ax.set_xticks(x + 0.4 - width / 2, list(order), rotation=90, fontsize=7)
        ax.set_ylabel("share of the total across members")
        ax.set_title(f"Formal and informal power, {self.scenario_name_}")
        ax.legend(frameon=False)
        return ax


def _gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal).

    Examples
    --------
    >>> _gini(np.array([1.0, 1.0, 1.0])), _gini(np.array([0.0, 0.0, 1.0]))
    (0.0, 0.6666666666666666)
    """
    v = np.sort(np.asarray(values, dtype=float))
    n = len(v)
    if n == 0 or v.sum() == 0:
        return 0.0
    index = np.arange(1, n + 1)
    gini = float(np.sum((2 * index - n - 1) * v) / (n * v.sum()))
    return 0.0 if abs(gini) < 1e-12 else gini
