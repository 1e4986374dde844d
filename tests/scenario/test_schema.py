"""Scenario objects: hashing, overrides by code, known ties."""

from __future__ import annotations

import numpy as np

from corridors.engines import initial_world
from corridors.scenario import load_scenario


def test_hash_ignores_names_and_defaults_but_not_content() -> None:
    eu = load_scenario("eu")
    assert load_scenario("eu", ["description=another text"]).content_hash() == eu.content_hash()
    assert load_scenario("eu", ["parameters.trust_gain=0.1"]).content_hash() == eu.content_hash()  # the default
    assert load_scenario("eu", ["parameters.trust_gain=0.2"]).content_hash() != eu.content_hash()


def test_set_reaches_a_member_by_code() -> None:
    eu = load_scenario("eu", ["members.FRA.ideal=0.9", "members[0].salience=0.4"])
    france = next(m for m in eu.members if m.code == "FRA")
    assert france.ideal == 0.9 and eu.members[0].salience == 0.4


def test_known_ties_replace_drawn_ones() -> None:
    scenario = load_scenario(
        "eu", ["ties=[{members: [CYP, SVK], strength: 0.9}, {members: [GBR, FRA], strength: -0.6}]"]
    )
    codes = scenario.member_codes
    world = initial_world(scenario, seed=1)
    assert world.weights[codes.index("CYP"), codes.index("SVK")] == 0.9
    assert world.weights[codes.index("FRA"), codes.index("GBR")] == -0.6


def test_observed_network_keeps_only_the_listed_ties() -> None:
    scenario = load_scenario("eu", ["observed_network=true", "ties=[{members: [CYP, SVK], strength: 0.9}]"])
    world = initial_world(scenario, seed=1)
    assert np.count_nonzero(world.weights) == 2
