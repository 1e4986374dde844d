"""Voting power: published values, brute-force enumeration, and the paper's point."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridors.empirical import VotingGame, VotingPower, banzhaf, shapley_shubik
from corridors.errors import CorridorsError
from corridors.scenario import load_scenario


def enumerate_shapley_shubik(game: VotingGame) -> dict[str, Fraction]:
    """Count pivots over all n! orders (only for small games)."""
    pivots = dict.fromkeys(game.players, 0)
    for order in itertools.permutations(game.players):
        for k in range(game.n):
            if not game.is_winning(set(order[:k])) and game.is_winning(set(order[: k + 1])):
                pivots[order[k]] += 1
                break
    return {p: Fraction(c, math.factorial(game.n)) for p, c in pivots.items()}


def enumerate_swings(game: VotingGame) -> dict[str, int]:
    """Count swings over all 2^(n-1) coalitions of the others."""
    swings = dict.fromkeys(game.players, 0)
    for player in game.players:
        others = [p for p in game.players if p != player]
        for size in range(len(others) + 1):
            for coalition in itertools.combinations(others, size):
                if not game.is_winning(set(coalition)) and game.is_winning({*coalition, player}):
                    swings[player] += 1
    return swings


def test_textbook_game_6_4_3_2_1() -> None:
    game = VotingGame(players=("A", "B", "C", "D"), weights=(4, 3, 2, 1), quota=6)
    published_ss = [Fraction(5, 12), Fraction(1, 4), Fraction(1, 4), Fraction(1, 12)]
    assert shapley_shubik(game, exact=True).tolist() == published_ss
    assert enumerate_shapley_shubik(game) == dict(zip(game.players, published_ss, strict=True))
    # swings A:5, B:3, C:3, D:1 (hand count) -> normalized Banzhaf 5/12, 3/12, 3/12, 1/12
    assert enumerate_swings(game) == {"A": 5, "B": 3, "C": 3, "D": 1}
    assert banzhaf(game, exact=True).tolist() == [Fraction(5, 12), Fraction(3, 12), Fraction(3, 12), Fraction(1, 12)]
    assert banzhaf(game, normalized=False, exact=True).tolist() == [Fraction(c, 8) for c in (5, 3, 3, 1)]


def test_eec_council_1958() -> None:
    # Council of the EEC, 1958: France, Germany, Italy 4; Belgium, Netherlands 2; Luxembourg 1; quota 12.
    game = VotingGame(players=("FRA", "DEU", "ITA", "BEL", "NLD", "LUX"), weights=(4, 4, 4, 2, 2, 1), quota=12)
    ss = shapley_shubik(game, exact=True)
    assert ss.tolist() == [Fraction(14, 60)] * 3 + [Fraction(9, 60)] * 2 + [Fraction(0)]
    assert dict(ss) == enumerate_shapley_shubik(game)
    assert banzhaf(game, exact=True).tolist() == [Fraction(5, 21)] * 3 + [Fraction(3, 21)] * 2 + [Fraction(0)]
    assert {p: Fraction(s, sum(enumerate_swings(game).values())) for p, s in enumerate_swings(game).items()} == dict(
        banzhaf(game, exact=True)
    )


def test_un_security_council() -> None:
    # 15 members, 9 votes including all five permanent members: Shapley-Shubik 421/2145 and 4/2145;
    # Banzhaf swings 848 and 84 (normalized 0.1669 and 0.0165).
    game = VotingGame.from_scenario(load_scenario("unsc"))
    ss = shapley_shubik(game, exact=True)
    permanent = set(game.veto)
    for player, value in ss.items():
        assert value == (Fraction(421, 2145) if player in permanent else Fraction(4, 2145))
    swings = {p: s * 2 ** (game.n - 1) for p, s in banzhaf(game, normalized=False, exact=True).items()}
    assert {swings[p] for p in permanent} == {848}
    assert {swings[p] for p in game.players if p not in permanent} == {84}
    enumerated = enumerate_swings(game)
    assert enumerated == {p: int(v) for p, v in swings.items()}


def test_unanimity_of_sixty_is_equal_and_fast() -> None:
    players = tuple(f"M{i:02d}" for i in range(60))
    game = VotingGame(players=players, weights=(1,) * 60, quota=60)
    assert set(shapley_shubik(game, exact=True)) == {Fraction(1, 60)}
    assert set(banzhaf(game, exact=True)) == {Fraction(1, 60)}


def test_sixty_members_with_distinct_weights_sum_to_one() -> None:
    rng = np.random.default_rng(3)
    weights = tuple(int(w) for w in rng.integers(1, 30, size=60))
    game = VotingGame(
        players=tuple(f"M{i:02d}" for i in range(60)), weights=weights, quota=sum(weights) * 2 // 3, veto=("M00", "M01")
    )
    ss = shapley_shubik(game, exact=True)
    assert sum(ss) == 1
    assert sum(banzhaf(game, exact=True)) == 1
    # a heavier player never has less power than a lighter one of the same veto status
    order = sorted(range(2, 60), key=lambda i: weights[i])
    values = [ss.iloc[i] for i in order]
    assert all(a <= b for a, b in zip(values, values[1:], strict=False))


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=6),
    data=st.data(),
)
def test_dynamic_programme_equals_enumeration(weights: list[int], data: st.DataObject) -> None:
    total = sum(weights)
    if total == 0:
        return
    players = tuple(f"P{i}" for i in range(len(weights)))
    quota = data.draw(st.integers(min_value=1, max_value=total))
    veto = data.draw(st.lists(st.sampled_from(players), unique=True, max_size=2))
    game = VotingGame(players=players, weights=tuple(weights), quota=quota, veto=tuple(veto))
    assert dict(shapley_shubik(game, exact=True)) == enumerate_shapley_shubik(game)
    swings = enumerate_swings(game)
    absolute = banzhaf(game, normalized=False, exact=True)
    assert {p: int(v * 2 ** (game.n - 1)) for p, v in absolute.items()} == swings


def test_bad_games_are_explained() -> None:
    with pytest.raises(CorridorsError, match="quota 10 must be between 1 and the total weight 3"):
        VotingGame(players=("A", "B", "C"), weights=(1, 1, 1), quota=10)
    with pytest.raises(CorridorsError, match="veto holder"):
        VotingGame(players=("A", "B"), weights=(1, 1), quota=1, veto=("C",))


def test_unanimity_makes_formal_power_equal_but_not_informal_power() -> None:
    scenario = load_scenario("eu")
    codes = scenario.member_codes
    pivots = ["CYP"] * 30 + ["FRA"] * 10 + ["GBR"] * 5 + [""] * 5
    runs = pd.DataFrame({"scenario": "eu", "decided": [True] * 50 + [False] * 10, "pivotal_member": pivots + [""] * 10})
    power = VotingPower().fit(scenario, runs=runs)
    assert power.summary["shapley_shubik"].tolist() == pytest.approx([1 / len(codes)] * len(codes))
    assert power.summary.loc["CYP", "pivotal_share"] == pytest.approx(30 / 50)
    assert power.summary.loc["DEU", "pivotal_share"] == 0
    assert power.spread_.loc["shapley_shubik", "gini"] == 0
    assert power.spread_.loc["pivotal_share", "gini"] > 0.5
    text = power.text()
    assert "Formal power is equal" in text and "Informal power is unequal" in text


def test_pivotal_members_must_belong_to_the_scenario() -> None:
    runs = pd.DataFrame({"scenario": "eu", "decided": [True], "pivotal_member": ["USA"]})
    with pytest.raises(CorridorsError, match="USA are not members of 'eu'"):
        VotingPower().fit(load_scenario("eu"), runs=runs)
    with pytest.raises(CorridorsError, match="no run of scenario 'eu'"):
        VotingPower().fit(load_scenario("eu"), runs=runs.assign(scenario="au"))
