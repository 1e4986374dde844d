"""Network measures of the ambassadors' routine ties: friends, density, centrality, brokers.

Ties come either from a simulated run (the engine's routine network at day 0: member
codes and a symmetric weight matrix, :func:`ties_from_weights`) or from an observed tie
list with columns ``i``, ``j``, ``w`` (:func:`load_ties`). Tie strength ``w`` is in
[-1, 1]; a friend is a tie with ``w >= friend_threshold`` (the scenario's
``parameters.friend_threshold``, 0.5 by default).

:class:`RoutineNetwork` follows the estimator grammar: ``RoutineNetwork(...).fit(ties,
members)`` computes the measures, ``summary`` and ``members_`` hold them, and
``plot_network`` draws the ties coloured by sub-region with tie strength as width.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corridors.empirical._io import (
    DataProblem,
    RowChecks,
    TableSchema,
    cell_text,
    distinct_cells,
    map_columns,
    parse_number,
    read_source,
)
from corridors.errors import CorridorsError

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

    from corridors.scenario import Scenario

__all__ = [
    "RoutineNetwork",
    "load_ties",
    "members_table",
    "ties_from_weights",
]


def members_table(scenario: Scenario) -> pd.DataFrame:
    """Member attributes of a scenario: code, name, subregion, blocs, big_player.

    Caucus membership counts as a bloc, so ``blocs`` lists both.

    Examples
    --------
    >>> from corridors.scenario import load_scenario
    >>> table = members_table(load_scenario("eu"))
    >>> table.loc["FRA", "subregion"], bool(table.loc["FRA", "big_player"])
    ('western', True)
    """
    caucus_of: dict[str, set[str]] = {}
    for caucus in scenario.caucuses:
        for code in caucus.members:
            caucus_of.setdefault(code, set()).add(caucus.name)
    rows = []
    for member in scenario.members:
        blocs = sorted(set(member.blocs) | caucus_of.get(member.code, set()))
        rows.append(
            {
                "code": member.code,
                "name": member.name,
                "subregion": member.subregion,
                "blocs": ",".join(blocs),
                "big_player": member.big_player,
            }
        )
    return pd.DataFrame(rows).set_index("code")


def ties_from_weights(codes: Sequence[str], weights: np.ndarray) -> pd.DataFrame:
    """Tie list (``i``, ``j``, ``w``) from member codes and a symmetric weight matrix.

    One row per unordered pair with a non-zero weight (upper triangle).

    Examples
    --------
    >>> w = np.array([[0, 0.6, -0.2], [0.6, 0, 0], [-0.2, 0, 0]])
    >>> ties_from_weights(["AAA", "BBB", "CCC"], w).values.tolist()
    [['AAA', 'BBB', 0.6], ['AAA', 'CCC', -0.2]]
    """
    matrix = np.asarray(weights, dtype=float)
    n = len(codes)
    if matrix.shape != (n, n):
        raise CorridorsError(f"weights must be a {n} x {n} matrix for {n} codes, got shape {matrix.shape}")
    if not np.allclose(matrix, matrix.T, equal_nan=False):
        raise CorridorsError("the weight matrix must be symmetric (ties are undirected)")
    if np.any(np.abs(matrix) > 1 + 1e-9) or not np.all(np.isfinite(matrix)):
        raise CorridorsError("tie weights must be finite and within [-1, 1]")
    i, j = np.triu_indices(n, k=1)
    keep = matrix[i, j] != 0
    return pd.DataFrame({"i": [codes[k] for k in i[keep]], "j": [codes[k] for k in j[keep]], "w": matrix[i, j][keep]})


def load_ties(
    path: str | Path,
    *,
    column_map: Mapping[str, str] | None = None,
    members: Sequence[str] | None = None,
    strict: bool = False,
) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Read and check a tie list (``i``, ``j``, ``w``) from CSV, Excel, Parquet, Stata or SPSS.

    Bad rows (an empty code, a self-tie, a weight that is not a number or is outside
    [-1, 1], a pair listed twice, a code not among ``members``) are reported with their
    row and left out; ``strict=True`` makes them an error.

    Returns
    -------
    (ties, problems)

    Examples
    --------
    >>> from corridors.empirical.datasets import example_path
    >>> ties, problems = load_ties(example_path("example_edges.csv"))
    >>> list(ties.columns), problems
    (['i', 'j', 'w'], [])
    """
    schema = TableSchema.load("edges")
    source = read_source(path, schema)
    table, label = source.frame, source.label
    frame, problems = map_columns(table, schema, column_map, label)
    problems = [*source.problems, *problems]
    problems = [p for p in problems if p.level != "note"] + [p for p in problems if p.level == "note"]
    if len(frame) == 0:
        raise CorridorsError(f"{label}: the file has a header but no rows")
    every = np.arange(len(frame))
    # every bad cell is told here, even one frictionless told of in a data package (as this loader always has)
    checks = RowChecks(label, every + 2, set())
    a, b = (_codes(frame, column, every) for column in ("i", "j"))
    w_values, w_codes = distinct_cells(frame, "w", every)
    read = [parse_number(value) for value in w_values]
    w = np.array([number if number is not None else np.nan for number, _ in read], dtype=float)[w_codes]
    w_why = [why for _, why in read]
    left_out = np.zeros(len(frame), dtype=bool)

    def leave_out(mask: np.ndarray, column: str, messages: Callable[[int], str]) -> None:
        """Tell a check's problem on the rows not yet left out, and leave them out (a row is told once)."""
        positions = np.flatnonzero(mask & ~left_out)
        checks.add(
            positions, column, [f"{messages(k)}; the tie is left out" for k in positions.tolist()], leave_out=column
        )
        left_out[positions] = True

    leave_out(a == "", "i", lambda k: "is empty")
    leave_out(b == "", "j", lambda k: "is empty")
    leave_out(a == b, "j", lambda k: f"a tie of {a[k]} with itself")
    leave_out(np.isnan(w), "w", lambda k: w_why[w_codes[k]] or "is empty")
    leave_out(~((w >= -1) & (w <= 1)), "w", lambda k: f"{w[k]:g} is outside [-1, 1]")
    if members is not None:
        known = set(members)
        a_unknown = np.array([code not in known for code in a], dtype=bool)
        b_unknown = np.array([code not in known for code in b], dtype=bool)
        leave_out(a_unknown, "i", lambda k: f"'{a[k]}' is not a member of the scenario")
        leave_out(b_unknown, "j", lambda k: f"'{b[k]}' is not a member of the scenario")
    first_row: dict[tuple[str, str], int] = {}
    repeated = np.zeros(len(frame), dtype=bool)
    for position in np.flatnonzero(~left_out).tolist():
        key = (min(a[position], b[position]), max(a[position], b[position]))
        repeated[position] = first_row.setdefault(key, position + 2) != position + 2
    leave_out(
        repeated,
        "j",
        lambda k: f"the pair {a[k]}-{b[k]} is already on row {first_row[(min(a[k], b[k]), max(a[k], b[k]))]}",
    )
    problems.extend(checks.problems())
    kept = np.flatnonzero(~left_out)
    rows = {"i": a[kept].tolist(), "j": b[kept].tolist(), "w": w[kept].tolist()} if len(kept) else {}
    warnings = [p for p in problems if p.level == "warning"]
    if strict and warnings:
        raise CorridorsError([f"{p} (--strict)" for p in warnings])
    if not rows:
        raise CorridorsError([str(p) for p in warnings] + [f"{label}: no usable ties"])
    return pd.DataFrame(rows, columns=["i", "j", "w"]), problems


def _codes(frame: pd.DataFrame, column: str, every: np.ndarray) -> np.ndarray:
    """A code column as upper-case text, '' where empty (one Python step per distinct cell)."""
    values, codes = distinct_cells(frame, column, every)
    return np.array([cell_text(value).upper() for value in values], dtype=object)[codes]


class RoutineNetwork:
    """Friends, density, clustering, centrality, sub-regional and bloc ties, brokers.

    Measures are computed on the *friendship graph* (ties with ``w >= friend_threshold``),
    except eigenvector centrality, which weighs every positive tie by its strength (it is
    defined on the whole positive network, so a member without friends still gets one).

    Parameters
    ----------
    friend_threshold
        Tie strength from which a colleague is a friend.
    broker_share
        Share of members (by betweenness, at least one) that can be called brokers; a
        broker must also have a friend outside its own sub-region.

    Attributes
    ----------
    graph_ : networkx.Graph
        Every tie, with attribute ``w``.
    friends_graph_ : networkx.Graph
    members_ : pandas.DataFrame
        Per member: subregion, blocs, big_player, friends_count, degree_centrality,
        betweenness_centrality, eigenvector_centrality, clustering,
        cross_subregion_friends, broker.

    Examples
    --------
    >>> ties = pd.DataFrame({"i": ["AAA", "AAA", "BBB"], "j": ["BBB", "CCC", "CCC"], "w": [0.9, 0.7, 0.1]})
    >>> network = RoutineNetwork().fit(ties)
    >>> network.members_["friends_count"].tolist()
    [2, 1, 1]
    >>> float(network.summary.loc["density", "value"])
    0.6666666666666666
    """

    def __init__(self, *, friend_threshold: float = 0.5, broker_share: float = 0.1) -> None:
        if not 0 < friend_threshold <= 1:
            raise CorridorsError(f"friend_threshold must be in (0, 1], got {friend_threshold}")
        if not 0 < broker_share <= 1:
            raise CorridorsError(f"broker_share must be in (0, 1], got {broker_share}")
        self.friend_threshold = friend_threshold
        self.broker_share = broker_share

    def fit(self, ties: pd.DataFrame, members: Scenario | pd.DataFrame | None = None) -> RoutineNetwork:
        """Compute the measures.

        Parameters
        ----------
        ties
            Columns ``i``, ``j``, ``w``.
        members
            A :class:`~corridors.scenario.Scenario` or a table indexed by code with
            ``subregion`` (and optionally ``blocs``, ``big_player``). Members without ties
            are kept as isolates. Without it, sub-regions are unknown.
        """
        import networkx as nx

        missing = [c for c in ("i", "j", "w") if c not in ties.columns]
        if missing:
            raise CorridorsError(f"ties need columns i, j, w; missing {', '.join(missing)}")
        table = self._members(ties, members)
        codes = list(table.index)
        graph = nx.Graph()
        graph.add_nodes_from(codes)
        for a, b, w in ties[["i", "j", "w"]].itertuples(index=False):
            if a not in table.index or b not in table.index:
                unknown = a if a not in table.index else b
                raise CorridorsError(f"tie {a}-{b}: '{unknown}' is not a member of the scenario")
            graph.add_edge(a, b, w=float(w))
        friends = nx.Graph()
        friends.add_nodes_from(codes)
        friends.add_edges_from((a, b, d) for a, b, d in graph.edges(data=True) if d["w"] >= self.friend_threshold)
        positive = nx.Graph()
        positive.add_nodes_from(codes)
        positive.add_edges_from((a, b, d) for a, b, d in graph.edges(data=True) if d["w"] > 0)
        self.graph_ = graph
        self.friends_graph_ = friends

        n = len(codes)
        degree = nx.degree_centrality(friends) if n > 1 else {c: 0.0 for c in codes}
        betweenness = nx.betweenness_centrality(friends)
        eigenvector = _eigenvector(positive)
        clustering = nx.clustering(friends)
        subregion = table["subregion"].to_dict()
        blocs = {c: {b for b in str(table.at[c, "blocs"]).split(",") if b} for c in codes}
        cross = {c: sum(1 for d in friends.neighbors(c) if subregion[d] != subregion[c]) for c in codes}
        members_ = table.copy()
        members_["friends_count"] = [friends.degree(c) for c in codes]
        members_["degree_centrality"] = [degree[c] for c in codes]
        members_["betweenness_centrality"] = [betweenness[c] for c in codes]
        members_["eigenvector_centrality"] = [eigenvector[c] for c in codes]
        members_["clustering"] = [clustering[c] for c in codes]
        members_["cross_subregion_friends"] = [cross[c] for c in codes]
        k = max(1, int(np.ceil(self.broker_share * n)))
        ranked = members_.sort_values("betweenness_centrality", ascending=False)
        top = set(ranked.index[:k][ranked["betweenness_centrality"].iloc[:k] > 0])
        members_["broker"] = [c in top and cross[c] > 0 for c in codes]
        self.members_ = members_

        same_region = [subregion[a] == subregion[b] for a, b in friends.edges()]
        shared_bloc = [bool(blocs[a] & blocs[b]) for a, b in friends.edges()]
        any_bloc = any(blocs.values())
        known_regions = not all(v == "none" for v in subregion.values())
        n_friend_ties = friends.number_of_edges()
        values: dict[str, float] = {
            "members": float(n),
            "ties": float(graph.number_of_edges()),
            "friend_ties": float(n_friend_ties),
            "friends_mean": float(members_["friends_count"].mean()),
            "zero_friend_share": float((members_["friends_count"] == 0).mean()),
            "density": float(nx.density(friends)) if n > 1 else float("nan"),
            "positive_tie_density": float(nx.density(positive)) if n > 1 else float("nan"),
            "clustering_mean": float(nx.average_clustering(friends)) if n else float("nan"),
            "transitivity": float(nx.transitivity(friends)),
            "mean_tie_strength": float(ties["w"].mean()) if len(ties) else float("nan"),
            "friend_ties_within_subregion": float(sum(same_region)) if known_regions else float("nan"),
            "friend_ties_across_subregions": float(n_friend_ties - sum(same_region)) if known_regions else float("nan"),
            "friend_ties_within_bloc": float(sum(shared_bloc)) if any_bloc else float("nan"),
            "friend_ties_across_blocs": float(n_friend_ties - sum(shared_bloc)) if any_bloc else float("nan"),
            "brokers": float(members_["broker"].sum()),
        }
        if known_regions and n_friend_ties:
            values["within_subregion_share"] = sum(same_region) / n_friend_ties
        self.summary = pd.DataFrame({"value": values})
        self.summary.index.name = "measure"
        return self

    @staticmethod
    def _members(ties: pd.DataFrame, members: Scenario | pd.DataFrame | None) -> pd.DataFrame:
        from corridors.scenario import Scenario

        if isinstance(members, Scenario):
            table = members_table(members)
        elif isinstance(members, pd.DataFrame):
            table = members.copy()
            if "subregion" not in table.columns:
                table["subregion"] = "none"
        else:
            codes = sorted(set(ties["i"]) | set(ties["j"]))
            table = pd.DataFrame(index=pd.Index(codes, name="code"))
            table["subregion"] = "none"
        for column, default in (("blocs", ""), ("big_player", False), ("name", "")):
            if column not in table.columns:
                table[column] = default
        return table

    def brokers(self) -> pd.DataFrame:
        """Brokers, highest betweenness first.

        Examples
        --------
        >>> ties = pd.DataFrame({"i": ["AAA", "BBB"], "j": ["BBB", "CCC"], "w": [0.9, 0.9]})
        >>> members = pd.DataFrame({"subregion": ["x", "x", "y"]}, index=["AAA", "BBB", "CCC"])
        >>> RoutineNetwork().fit(ties, members).brokers().index.tolist()
        ['BBB']
        """
        self._check_fitted()
        table = self.members_[self.members_["broker"]]
        return table.sort_values("betweenness_centrality", ascending=False)

    def plot_network(self, ax: Axes | None = None, *, seed: int = 0) -> Axes:
        """Draw the positive ties, coloured by sub-region, tie strength as width.

        Friend ties within a sub-region take its colour, friend ties across sub-regions are
        dark grey, weaker positive ties faint; node size grows with friends; brokers have a
        black ring. The layout is a spring layout seeded by ``seed``.

        Examples
        --------
        >>> ties = pd.DataFrame({"i": ["AAA", "AAA"], "j": ["BBB", "CCC"], "w": [0.9, 0.3]})
        >>> RoutineNetwork().fit(ties).plot_network(seed=1).get_title()
        'Routine ties of 3 ambassadors (friend: w >= 0.5)'
        """
        import networkx as nx
        from matplotlib import colormaps
        from matplotlib.lines import Line2D

        self._check_fitted()
        if ax is None:
            from matplotlib.figure import Figure

            ax = Figure(figsize=(8, 7), layout="constrained").subplots()
        graph = self.graph_
        positive = [(a, b, d["w"]) for a, b, d in graph.edges(data=True) if d["w"] > 0]
        layout_graph = nx.Graph()
        layout_graph.add_nodes_from(graph.nodes())
        layout_graph.add_weighted_edges_from(positive, weight="w")
        pos = nx.spring_layout(layout_graph, weight="w", seed=int(seed))
        regions = sorted(self.members_["subregion"].astype(str).unique())
        cmap = colormaps["tab10" if len(regions) <= 10 else "tab20"]
        color_of = {r: cmap(i % cmap.N) for i, r in enumerate(regions)}
        region = self.members_["subregion"].astype(str).to_dict()
        for a, b, w in sorted(positive, key=lambda t: t[2]):
            friend = w >= self.friend_threshold
            color = (color_of[region[a]] if region[a] == region[b] else "0.25") if friend else "0.75"
            ax.plot(
                [pos[a][0], pos[b][0]],
                [pos[a][1], pos[b][1]],
                color=color,
                linewidth=0.3 + 3.5 * w,
                alpha=0.85 if friend else 0.3,
                zorder=1,
                solid_capstyle="round",
            )
        codes = list(self.members_.index)
        xy = np.array([pos[c] for c in codes])
        sizes = 120 + 60 * self.members_["friends_count"].to_numpy(dtype=float)
        colors = [color_of[str(r)] for r in self.members_["subregion"]]
        edge = ["black" if b else "white" for b in self.members_["broker"]]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=colors, edgecolors=edge, linewidths=1.8, zorder=2)
        for c, (x, y) in zip(codes, xy, strict=True):
            ax.annotate(c, (x, y), ha="center", va="center", fontsize=7, zorder=3)
        handles = [Line2D([], [], marker="o", linestyle="", color=color_of[r], label=r, markersize=8) for r in regions]
        handles.append(Line2D([], [], color="0.25", linewidth=0.3 + 3.5 * 0.75, label="friend tie across sub-regions"))
        handles.append(
            Line2D([], [], color="0.75", linewidth=0.3 + 3.5 * 0.25, label="weaker positive tie (width = w)")
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="black",
                label="broker",
                markersize=8,
            )
        )
        ax.legend(handles=handles, title="sub-region", frameon=False, fontsize=8, loc="best")
        ax.set_title(f"Routine ties of {len(codes)} ambassadors (friend: w >= {self.friend_threshold:g})")
        ax.set_axis_off()
        return ax

    def _check_fitted(self) -> None:
        if not hasattr(self, "members_"):
            raise CorridorsError("call fit(ties) first")


def _eigenvector(graph: nx.Graph) -> dict[Any, float]:
    """Weighted eigenvector centrality per connected component, scaled by component size.

    The principal eigenvector is undefined across components; each component's vector
    (unit norm) is scaled by sqrt(component share), isolates get 0.
    """
    import networkx as nx

    result: dict[Any, float] = {}
    n = graph.number_of_nodes()
    for component in nx.connected_components(graph):
        if len(component) == 1:
            result.update({c: 0.0 for c in component})
            continue
        sub = graph.subgraph(component)
        if len(component) == 2:
            values = {c: 1 / np.sqrt(2) for c in component}
        else:
            values = nx.eigenvector_centrality_numpy(sub, weight="w")
        scale = np.sqrt(len(component) / n)
        result.update({c: float(abs(v)) * scale for c, v in values.items()})
    return result
