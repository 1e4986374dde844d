"""One negotiation for the explorer: levers as ``--set`` overrides, uploads, a started committee."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corridors.engines.reference import Committee
from corridors.errors import CorridorsError
from corridors.scenario import apply_overrides, list_presets, load_scenario, scenario_from_dict
from corridors.scenario.loading import _deep_merge, _parse_yaml, read_raw
from corridors.scenario.schema import Mechanisms, Scenario

__all__ = ["LEVERS", "MECHANISMS", "lever_overrides", "scenario_from_upload", "start_negotiation"]

# The main levers: (override path, label, minimum, maximum, step)
LEVERS: dict[str, tuple[str, str, float, float, float]] = {
    "formal_meetings_per_week": ("formal_meetings_per_week", "Meetings/week", 0.25, 7.0, 0.25),
    "posture": ("parameters.posture", "Posture (1 = honest)", 0.0, 1.0, 0.05),
    "trust_gain": ("parameters.trust_gain", "Trust gain/contact", 0.0, 0.5, 0.01),
    "big_player_salience": ("parameters.big_player_salience", "Big-player salience", 0.0, 1.0, 0.05),
}
MECHANISMS: tuple[str, ...] = tuple(Mechanisms.model_fields)
MAX_UPLOAD_BYTES = 1_000_000


def lever_overrides(
    levers: dict[str, Any], mechanisms: dict[str, bool] | None = None, extra: Iterable[str] = ()
) -> list[str]:
    """The ``--set`` overrides for lever values (``None`` keeps the scenario's own value).

    >>> lever_overrides({"posture": 0.3}, {"gossip": False})
    ['parameters.posture=0.3', 'mechanisms.gossip=false']
    """
    out = [f"{LEVERS[name][0]}={value}" for name, value in levers.items() if value is not None]
    out += [f"mechanisms.{name}={str(on).lower()}" for name, on in (mechanisms or {}).items()]
    return out + list(extra)


def scenario_from_upload(filename: str, content: bytes, overrides: Iterable[str] = ()) -> Scenario:
    """A scenario from an uploaded file's bytes, with the CLI's one-line errors; writes no file.

    The label of every problem is the file's name, as the CLI labels a path; ``extends``
    may name a preset (an upload has no folder to resolve a relative file against).
    """
    label = filename or "upload"
    if len(content) > MAX_UPLOAD_BYTES:
        raise CorridorsError(f"{label}: the file is larger than {MAX_UPLOAD_BYTES // 1000} kB; is it a scenario?")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorridorsError(f"{label}: cannot read the file: {exc}") from None
    data = _parse_yaml(text, label)
    parent = data.pop("extends", None)
    if parent is not None:
        if not isinstance(parent, str) or parent not in list_presets():
            raise CorridorsError(
                f"{label}: extends: an uploaded scenario can extend a preset only "
                f"(presets: {', '.join(list_presets())}), got {parent!r}"
            )
        data = _deep_merge(read_raw(parent), data)
    overrides = list(overrides)
    if overrides:
        data = apply_overrides(data, overrides)
        label = f"{label} (with --set)"
    return scenario_from_dict(data, label=label)


def load_source(source: str | Scenario, overrides: Iterable[str] = ()) -> Scenario:
    """A preset name or an already loaded (uploaded) scenario, with overrides."""
    if isinstance(source, str):
        return load_scenario(source, list(overrides))
    overrides = list(overrides)
    if not overrides:
        return source
    return scenario_from_dict(
        apply_overrides(source.model_dump(mode="json"), overrides), label=f"{source.name} (with --set)"
    )


def start_negotiation(scenario: Scenario, *, seed: int = 0, replicate: int = 0) -> Committee:
    """A traced committee after its routine burn-in: its next step is day 0, the demand."""
    from corridors.engines.worlds import start_at_day_zero

    committee = Committee(scenario, seed=seed, replicate=replicate, trace=True)
    start_at_day_zero(committee)  # from the routine world kept, if this routine ran before
    return committee


class ExplorerCommittee(Committee):
    """The committee the explorer builds from its controls, after its burn-in.

    Mesa's ``ModelController`` resets a model by calling its class with the controls as
    keywords, so the levers are keywords here; ``source`` is a preset name or an uploaded
    :class:`Scenario`.
    """

    def __init__(
        self,
        source: str | Scenario = "eu",
        seed: int = 0,
        formal_meetings_per_week: float | None = None,
        posture: float | None = None,
        trust_gain: float | None = None,
        big_player_salience: float | None = None,
        mechanisms: dict[str, bool] | None = None,
        extra: tuple[str, ...] = (),
    ) -> None:
        levers = {
            "formal_meetings_per_week": formal_meetings_per_week,
            "posture": posture,
            "trust_gain": trust_gain,
            "big_player_salience": big_player_salience,
        }
        scenario = load_source(source, lever_overrides(levers, mechanisms, extra))
        super().__init__(scenario, seed=seed, trace=True)
        from corridors.engines.worlds import start_at_day_zero

        start_at_day_zero(self)  # a crisis lever's Reset starts at day 0 of the world kept
