"""Limits on the work a run may ask for, checked before any engine starts.

Every field of a scenario is bounded (see :mod:`corridors.scenario.schema`), but the
bounds multiply: 250 members at 100 contacts a day for ten years is 180 million contacts per
replicate, hours on either engine. :func:`check_workload` refuses such a run in one line
instead of letting it run for hours. The limits:

* :data:`MAX_CONTACTS_PER_REPLICATE`: expected informal contacts of one replicate,
  counted per ambassador (contacts per ambassador per day, times members, times burn-in
  plus crisis days). 20 million is 270 times a default ``osce`` replicate (74,168), and
  above a 193-member organization at ten contacts a day for ten years (14 million).
* :data:`MAX_CONTACTS_PER_CALL`: expected contacts of all replicates of one call, 10^12
  on the batch engine (about four hours on one core at the README's 865 ``osce``
  replicates a second, 64 million contacts a second) and 250 times less on the reference
  engine, which is that much slower.
* :data:`MAX_REPLICATIONS_PER_CALL`: one million replications; their rows are held in
  memory (some GB). A sweep stores its rows chunk by chunk and has no such limit.
* :data:`MAX_DESIGN_POINTS`: 100,000 design points in one sweep. Each point is a scenario
  validated before the sweep starts (about 5 to 15 ms each: 100,000 take up to half an
  hour); a Sobol design of 2^20 base samples over 8 factors would be ten million.
* :data:`MAX_CONTACTS_PER_SWEEP`: expected contacts of all replicates of a sweep, 10^14 on
  the batch engine (100 times a single call: days of computing on many cores) and 250 times
  less on the reference engine. :func:`check_design_size` refuses a design above either limit
  from its size alone, before it is sampled.
"""

from __future__ import annotations

from corridors.errors import CorridorsError
from corridors.scenario.schema import Scenario

__all__ = [
    "MAX_CONTACTS_PER_CALL",
    "MAX_CONTACTS_PER_REPLICATE",
    "MAX_CONTACTS_PER_SWEEP",
    "MAX_DESIGN_POINTS",
    "MAX_REPLICATIONS_PER_CALL",
    "check_design_size",
    "check_workload",
    "expected_contacts",
]

MAX_CONTACTS_PER_REPLICATE = 20_000_000
MAX_CONTACTS_PER_CALL = 1_000_000_000_000
MAX_REPLICATIONS_PER_CALL = 1_000_000
MAX_DESIGN_POINTS = 100_000
MAX_CONTACTS_PER_SWEEP = 100 * MAX_CONTACTS_PER_CALL
REFERENCE_SLOWDOWN = 250
"""How many times slower the reference engine is than the batch engine (README, measured)."""


def expected_contacts(scenario: Scenario) -> float:
    """Expected informal contacts of one replicate: burn-in at the routine rate, the crisis boosted.

    Examples
    --------
    >>> from corridors.scenario import load_scenario
    >>> round(expected_contacts(load_scenario("osce")))
    74168
    """
    p = scenario.parameters
    routine = scenario.informal_contacts_per_week() / 7.0
    crisis = scenario.informal_contacts_per_week(crisis=True) / 7.0
    return scenario.n_members * (routine * p.burn_in_days + crisis * p.max_days)


def check_workload(scenario: Scenario, *, replications: int = 1, engine: str = "batch") -> None:
    """Refuse, in one line, a run whose expected work is beyond the documented limits."""
    per_replicate = expected_contacts(scenario)
    name = scenario.name
    if per_replicate > MAX_CONTACTS_PER_REPLICATE:
        raise CorridorsError(
            f"{name}: one replicate would simulate about {per_replicate:.3g} informal contacts "
            f"({scenario.n_members} members, {scenario.informal_contacts_per_week(crisis=True):.3g} a week in the "
            f"crisis, {scenario.parameters.burn_in_days + scenario.parameters.max_days} days), above the limit of "
            f"{MAX_CONTACTS_PER_REPLICATE:.0e}: lower the contact rates, burn_in_days or max_days"
        )
    if replications > MAX_REPLICATIONS_PER_CALL:
        raise CorridorsError(
            f"{name}: {replications} replications in one run is above the limit of {MAX_REPLICATIONS_PER_CALL:,} "
            "(their rows are held in memory): use 'corridors sweep', which stores rows chunk by chunk"
        )
    limit = MAX_CONTACTS_PER_CALL / (REFERENCE_SLOWDOWN if engine == "reference" else 1)
    total = per_replicate * replications
    if total > limit:
        raise CorridorsError(
            f"{name}: {replications} replications would simulate about {total:.3g} informal contacts, above the "
            f"limit of {limit:.0e} for the {engine} engine (hours of computing): run fewer replications"
            + (" or use the batch engine" if engine == "reference" else "")
        )


def check_design_size(
    label: str, *, points: int, replications: int, contacts_per_replicate: float, engine: str = "batch", how: str = ""
) -> None:
    """Refuse, in one line, a sweep of ``points`` design points too large to validate or to run.

    Called with the design's size computed from the spec (a grid's product of levels, a
    Sobol design's ``N * (k + 2)``), before any point is sampled or validated.

    Examples
    --------
    >>> check_design_size("s.yaml", points=10, replications=100, contacts_per_replicate=1e5)
    >>> try:
    ...     check_design_size("s.yaml", points=2**20 * 10, replications=1, contacts_per_replicate=1.0)
    ... except CorridorsError as exc:
    ...     print(exc.problems[0][:60])
    s.yaml: design: 10485760 design points, above the limit of 1
    """
    if points > MAX_DESIGN_POINTS:
        raise CorridorsError(
            f"{label}: design: {points} design points{how}, above the limit of {MAX_DESIGN_POINTS:,}: use fewer "
            "points or factors"
        )
    limit = MAX_CONTACTS_PER_SWEEP / (REFERENCE_SLOWDOWN if engine == "reference" else 1)
    total = float(points) * float(replications) * contacts_per_replicate
    if total > limit:
        raise CorridorsError(
            f"{label}: {points} design points x {replications} replications would simulate about {total:.3g} "
            f"informal contacts, above the limit of {limit:.0e} for a sweep on the {engine} engine: use fewer "
            "points or replications"
        )
