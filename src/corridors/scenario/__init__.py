"""The scenario language: what organization, which members, which mechanisms."""

from corridors.scenario.loading import (
    apply_overrides,
    list_presets,
    load_scenario,
    scenario_from_dict,
    scenario_to_yaml,
)
from corridors.scenario.schema import (
    INTERPERSONAL_MECHANISMS,
    AgendaSetter,
    Caucus,
    DecisionRule,
    Mechanisms,
    Member,
    Parameters,
    Scenario,
    SubIssue,
    Tie,
)

__all__ = [
    "INTERPERSONAL_MECHANISMS",
    "AgendaSetter",
    "Caucus",
    "DecisionRule",
    "Mechanisms",
    "Member",
    "Parameters",
    "Scenario",
    "SubIssue",
    "Tie",
    "apply_overrides",
    "list_presets",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_yaml",
]
