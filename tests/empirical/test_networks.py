"""Network measures against networkx called directly and counts made by hand."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from corridors.empirical import RoutineNetwork, example_path, load_ties, members_table, ties_from_weights
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario

# A: x, B: x, C: y, D: y, E: z ; friend ties (w >= 0.5): A-B, B-C, C-D, A-C ; weak: D-E 0.3 ; dislike: A-E
TIES = pd.DataFrame(
    {
        "i": ["AAA", "BBB", "CCC", "AAA", "DDD", "AAA"],
        "j": ["BBB", "CCC", "DDD", "CCC", "EEE", "EEE"],
        "w": [0.9, 0.6, 0.5, 0.7, 0.3, -0.4],
    }
)
MEMBERS = pd.DataFrame(
    {"subregion": ["x", "x", "y", "y", "z"], "blocs": ["b", "b", "", "b", ""]},
    index=pd.Index(["AAA", "BBB", "CCC", "DDD", "EEE"], name="code"),
)


def test_measures_equal_networkx_and_hand_counts() -> None:
    network = RoutineNetwork().fit(TIES, MEMBERS)
    friends = nx.Graph([("AAA", "BBB"), ("BBB", "CCC"), ("CCC", "DDD"), ("AAA", "CCC")])
    friends.add_node("EEE")
    members = network.members_
    assert members["friends_count"].to_dict() == {"AAA": 2, "BBB": 2, "CCC": 3, "DDD": 1, "EEE": 0}
    assert members["betweenness_centrality"].to_dict() == pytest.approx(nx.betweenness_centrality(friends))
    assert members["clustering"].to_dict() == pytest.approx(nx.clustering(friends))
    summary = network.summary["value"]
    assert summary["density"] == pytest.approx(4 / 10)
    assert summary["friends_mean"] == pytest.approx(8 / 5)
    assert summary["zero_friend_share"] == pytest.approx(1 / 5)
    assert summary["clustering_mean"] == pytest.approx(nx.average_clustering(friends))
    # within sub-region: A-B (x), C-D (y); across: B-C, A-C
    assert summary["friend_ties_within_subregion"] == 2
    assert summary["friend_ties_across_subregions"] == 2
    # shared bloc b: A-B only (C has none; D has b but D's friend C has none)
    assert summary["friend_ties_within_bloc"] == 1
    assert members.loc["CCC", "cross_subregion_friends"] == 2
    # C has the highest betweenness and friends outside its sub-region: the broker
    assert network.brokers().index.tolist() == ["CCC"]


def test_eigenvector_weighs_positive_ties() -> None:
    network = RoutineNetwork().fit(TIES, MEMBERS)
    positive = nx.Graph()
    positive.add_weighted_edges_from([(a, b, w) for a, b, w in TIES.itertuples(index=False) if w > 0], weight="w")
    expected = nx.eigenvector_centrality_numpy(positive, weight="w")
    assert network.members_["eigenvector_centrality"].to_dict() == pytest.approx(expected, abs=1e-9)


def test_friend_threshold_moves_friendship() -> None:
    strict = RoutineNetwork(friend_threshold=0.65).fit(TIES, MEMBERS)
    assert strict.summary.loc["friend_ties", "value"] == 2


def test_ties_from_weights_roundtrip() -> None:
    codes = ["AAA", "BBB", "CCC"]
    weights = np.array([[0, 0.5, -0.1], [0.5, 0, 0.0], [-0.1, 0.0, 0]])
    ties = ties_from_weights(codes, weights)
    assert ties.values.tolist() == [["AAA", "BBB", 0.5], ["AAA", "CCC", -0.1]]
    with pytest.raises(CorridorsError, match="symmetric"):
        ties_from_weights(codes, np.triu(weights))


def test_shipped_edges_are_the_eu_committee() -> None:
    ties, problems = load_ties(example_path("example_edges.csv"), members=load_scenario("eu").member_codes)
    assert not [p for p in problems if p.level == "warning"]
    assert ties["w"].between(-1, 1).all()
    network = RoutineNetwork().fit(ties, load_scenario("eu"))
    assert network.summary.loc["members", "value"] == 27
    assert set(members_table(load_scenario("eu")).index) == set(network.members_.index)


@pytest.mark.parametrize(
    ("row", "phrase", "column"),
    [
        ("FRA,FRA,0.5", "a tie of FRA with itself", "j"),
        ("FRA,DEU,1.5", "1.5 is outside [-1, 1]", "w"),
        ("FRA,DEU,strong", "'strong' is not a number", "w"),
        (",DEU,0.5", "is empty", "i"),
        ("FRA,XXX,0.5", "'XXX' is not a member of the scenario", "j"),
        ("DEU,GBR,0.2", "the pair DEU-GBR is already on row 2", "j"),
    ],
)
def test_malformed_ties(tmp_path: Path, row: str, phrase: str, column: str) -> None:
    path = tmp_path / "ties.csv"
    path.write_text(f"i,j,w\nGBR,DEU,0.3\n{row}\n", encoding="utf-8")
    ties, problems = load_ties(path, members=load_scenario("eu").member_codes)
    assert len(ties) == 1
    assert any(str(p).startswith(f"{path}: row 3, {column}: ") and phrase in str(p) for p in problems), problems
    with pytest.raises(CorridorsError, match="--strict"):
        load_ties(path, members=load_scenario("eu").member_codes, strict=True)


def test_plot_network_returns_axes() -> None:
    from matplotlib.axes import Axes

    ax = RoutineNetwork().fit(TIES, MEMBERS).plot_network(seed=2)
    assert isinstance(ax, Axes)
