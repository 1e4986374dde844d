"""Routine worlds: the state at the start of day 0, computed once and reused by many crises.

About 85% of a replicate is its routine burn-in (ODD section 3: rotation, routine informal
life, routine meetings). Under common random numbers, two scenarios that differ only in
what the crisis reads (widening, agency, caucus rules, posture, ...) live through the very
same burn-in, replicate by replicate. A :class:`WorldSet` holds the state of a block of
replicates at the start of day 0 (ties, members, caucus schedules, the meeting phase, the
positions of both random streams, rotation skip, window contacts, setter, deploy draw),
and :func:`run_crisis` runs the crisis from it: exactly the rows of a full run.

Which parameters the burn-in reads is derived from the code, not listed by hand:
:func:`routine_parameters` reads the source of the batch engine's routine phase
(:func:`~corridors.engines.batch.kernel.routine_phase`) and of every function it passes the
parameters to, and collects the ``p.<field>`` and ``s.<field>`` it reads, skipping the
branches its constant arguments rule out (``in_crisis`` is ``False`` in the burn-in). A
static reading, not a recording of one run, so a field read only on a rare path (a
departure in a short burn-in, say) is never missed; a use of the parameters it cannot
follow is an error, not a guess. :func:`routine_key` hashes those fields' values with the
scenario's structure, the world draw's parameters, the seed, the stream key and the
engine code, so a world is reused only where the burn-in would be identical.
:func:`routine_fields` maps the fields back to the scenario's own fields (through
:func:`~corridors.engines.rules.derived_parameters`), for people.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import os
import textwrap
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, get_args

import numpy as np
import pandas as pd

from corridors.engines.draws import WorldParams, check_stream_key, scenario_arrays, world_params
from corridors.engines.rules import ModelParameters, Switches, derived_parameters, derived_switches
from corridors.errors import CorridorsError
from corridors.scenario.schema import Scenario

__all__ = [
    "WorldCache",
    "WorldSet",
    "burn_in",
    "configure_world_cache",
    "follow_world_cache",
    "iter_batch_cached",
    "load_worlds",
    "routine_fields",
    "routine_key",
    "routine_parameters",
    "reusing_worlds",
    "run_crisis",
    "save_worlds",
    "world_cache",
    "world_cache_megabytes",
]

_ROLES = {"ModelParameters": "p", "Switches": "s", "WorldParams": "w"}
"""The parameter tuples whose field reads are followed, by type name: ModelParameters, Switches, WorldParams."""


class AnalysisError(RuntimeError):
    """The routine phase uses the parameters in a way the static reading cannot follow."""


# --- which parameters the burn-in reads ------------------------------------------------------


def _python_function(obj: Any) -> Callable[..., Any] | None:
    func = getattr(obj, "py_func", obj)
    if inspect.isfunction(func) and func.__module__.startswith("corridors.engines"):
        return func
    return None


def _constant(node: ast.expr, consts: dict[str, bool]) -> bool | None:
    """The value of a test under the known constants: True, False or None (unknown)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.Name):
        return consts.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _constant(node.operand, consts)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        values = [_constant(v, consts) for v in node.values]
        if isinstance(node.op, ast.And):
            if False in values:
                return False
            return True if all(v is True for v in values) else None
        if True in values:
            return True
        return False if all(v is False for v in values) else None
    return None


def _is_role(node: ast.expr, roles: dict[str, str]) -> bool:
    return isinstance(node, ast.Name) and node.id in roles


class _Reader(ast.NodeVisitor):
    """Collects (role, field) reads of one function body, following calls that pass the parameters on."""

    def __init__(
        self,
        func: Callable[..., Any],
        roles: dict[str, str],
        consts: dict[str, bool],
        found: set[tuple[str, str]],
        seen: set[Any],
    ) -> None:
        self.func = func
        self.roles = roles
        self.consts = consts
        self.found = found
        self.seen = seen
        self.allowed: set[int] = set()  # Name nodes whose use is understood

    def visit_If(self, node: ast.If) -> None:
        value = _constant(node.test, self.consts)
        if value is None:
            self.visit(node.test)
        for statement in node.body if value is not False else []:
            self.visit(statement)
        for statement in node.orelse if value is not True else []:
            self.visit(statement)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and node.value.id in self.roles:
            self.found.add((self.roles[node.value.id], node.attr))
            self.allowed.add(id(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee = _python_function(self.func.__globals__.get(node.func.id)) if isinstance(node.func, ast.Name) else None
        passed = [a for a in [*node.args, *(k.value for k in node.keywords)] if _is_role(a, self.roles)]
        if callee is None:
            if passed:
                raise AnalysisError(
                    f"{self.func.__name__}: passes the parameters to {ast.unparse(node.func)}, "
                    "which the reading cannot follow"
                )
            self.generic_visit(node)
            return
        names = list(inspect.signature(callee).parameters)
        roles = _annotated_roles(callee)  # a tuple reached another way (committee.world.world_params)
        consts: dict[str, bool] = {}
        bound = [(names[i], arg) for i, arg in enumerate(node.args)]
        for keyword in node.keywords:
            if keyword.arg is None:
                raise AnalysisError(f"{self.func.__name__}: ** in a call the reading cannot follow")
            bound.append((keyword.arg, keyword.value))
        for name, arg in bound:
            value = _constant(arg, self.consts)
            if _is_role(arg, self.roles):
                assert isinstance(arg, ast.Name)
                roles[name] = self.roles[arg.id]
                self.allowed.add(id(arg))
            elif value is not None:
                consts[name] = value
        _read(callee, roles, consts, self.found, self.seen)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.roles and id(node) not in self.allowed:
            raise AnalysisError(
                f"{self.func.__name__}: uses {node.id} other than by reading a field or passing "
                "it to a function of the engines (line "
                f"{node.lineno + self.func.__code__.co_firstlineno - 1})"
            )


def _read(
    func: Callable[..., Any],
    roles: dict[str, str],
    consts: dict[str, bool],
    found: set[tuple[str, str]],
    seen: set[Any],
) -> None:
    key = (func, tuple(sorted(roles.items())), tuple(sorted(consts.items())))
    if key in seen:
        return
    seen.add(key)
    tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    definition = tree.body[0]
    assert isinstance(definition, ast.FunctionDef)
    reader = _Reader(func, roles, consts, found, seen)
    for statement in definition.body:
        reader.visit(statement)


def _annotated_roles(func: Callable[..., Any]) -> dict[str, str]:
    roles = {}
    for name, parameter in inspect.signature(func).parameters.items():
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if text in _ROLES:
            roles[name] = _ROLES[text]
    return roles


class RoutineParameters(NamedTuple):
    """The fields of each parameter tuple the routine phase reads."""

    model: tuple[str, ...]  # ModelParameters
    switches: tuple[str, ...]  # Switches
    world: tuple[str, ...]  # WorldParams (draw_world)


@cache
def routine_parameters() -> RoutineParameters:
    """The fields of ModelParameters, Switches and WorldParams the routine phase reads, from its source.

    Examples
    --------
    >>> p, s, w = routine_parameters()
    >>> "trust_decay" in p, "posture" in p, "trust_growth" in s, "gossip" in s, "peer_agency" in s
    (True, False, True, False, False)
    >>> "theta_alpha" in w
    True
    """
    from corridors.engines.batch.kernel import routine_phase

    func = _python_function(routine_phase)
    assert func is not None
    found: set[tuple[str, str]] = set()
    _read(func, _annotated_roles(func), {}, found, set())
    names: dict[str, tuple[str, ...]] = {
        "p": ModelParameters._fields,
        "s": Switches._fields,
        "w": WorldParams._fields,
    }
    unknown = sorted(f"{role}.{name}" for role, name in found if name not in names[role])
    if unknown:
        raise AnalysisError(f"the routine phase reads fields its tuples do not have: {unknown}")
    return RoutineParameters(*(tuple(f for f in names[role] if (role, f) in found) for role in ("p", "s", "w")))


# --- the key -----------------------------------------------------------------------------------


@cache
def code_version() -> str:
    """A hash of the engines' source: worlds saved by other engine code are never reused."""
    from corridors._version import __version__

    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*root.glob("*.py"), *(root / "batch").glob("*.py")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _update(digest: Any, value: Any) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    else:
        digest.update(repr(value).encode())
    digest.update(b"|")


def routine_key(scenario: Scenario) -> str:
    """The hash of everything the routine phase of ``scenario`` depends on, but the streams.

    The values of the parameter fields it reads (:func:`routine_parameters`: of the model's
    parameters, switches and the world draw's parameters), the scenario's structure as flat
    arrays (members, blocs, caucuses, known ties, red lines, ...) and the engine code. Two
    scenarios with the same routine key live through the same burn-in for the same (seed,
    stream key, replicate).
    """
    read = routine_parameters()
    digest = hashlib.sha256(code_version().encode())
    values = (derived_parameters(scenario), derived_switches(scenario), world_params(scenario))
    for names, tuple_values in zip(read, values, strict=True):
        for name in names:
            _update(digest, (name, getattr(tuple_values, name)))
    arrays = scenario_arrays(scenario)
    for f in fields(arrays):
        _update(digest, f.name)
        _update(digest, getattr(arrays, f.name))
    return digest.hexdigest()[:32]


def _leaf_fields(scenario: Scenario) -> list[str]:
    out = [name for name, value in scenario if isinstance(value, bool | int | float)]
    for group in ("parameters", "mechanisms", "theory"):
        for name, value in getattr(scenario, group):
            if isinstance(value, bool | int | float | str):
                out.append(f"{group}.{name}")
    return out


def _moves(scenario: Scenario, path: str) -> list[Any]:
    """Other values to try for one field: a switch flipped, a number moved a little, every other choice."""
    group, _, name = path.rpartition(".")
    owner = getattr(scenario, group) if group else scenario
    value = getattr(owner, name)
    if isinstance(value, bool):
        return [str(not value).lower()]
    if isinstance(value, str):
        annotation = type(owner).model_fields[name].annotation
        return [choice for choice in get_args(annotation) if choice != value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    return [value * 0.9 + 0.05 if value != 0 else 0.05, value * 0.9]


def routine_fields(scenario: Scenario) -> list[str]:
    """The scenario's own numeric, switch and choice fields whose value changes its routine key.

    Each field of ``parameters``, ``mechanisms``, ``theory`` and the scenario's top-level
    numbers is moved a little (a switch flipped, every other choice tried) and the key
    compared; a move the scenario refuses is skipped. Every other field is a crisis field:
    a scenario differing only there runs its crises from the same worlds.
    """
    from corridors.scenario.loading import apply_overrides, scenario_from_dict

    raw = scenario.model_dump(mode="json")
    base = routine_key(scenario)
    changed = []
    for path in _leaf_fields(scenario):
        for moved in _moves(scenario, path):
            try:
                other = scenario_from_dict(apply_overrides(raw, [f"{path}={moved}"]), label="")
            except CorridorsError:
                continue
            if routine_key(other) != base:
                changed.append(path)
                break
    return changed


# --- worlds, their runs and their files ----------------------------------------------------------


@dataclass(frozen=True)
class WorldSet:
    """The routine worlds of replicates ``first_replicate ..`` of one routine, seed and stream key."""

    key: str  # routine_key of the scenario they were computed for
    seed: int
    stream_key: str
    first_replicate: int
    worlds: Any  # corridors.engines.batch.worlds.Worlds

    @property
    def replications(self) -> int:
        """How many replicates the worlds hold."""
        return int(self.worlds.scale.size)

    @property
    def nbytes(self) -> int:
        """Memory the worlds' arrays take."""
        return int(sum(a.nbytes for a in self.worlds))


def _inputs(scenario: Scenario) -> tuple[Any, ...]:
    from corridors.engines.batch.state import allocate

    p = derived_parameters(scenario)
    return p, derived_switches(scenario), allocate(scenario, p)


def burn_in(
    scenario: Scenario, *, replications: int, seed: int = 0, first_replicate: int = 0, stream_key: str | None = None
) -> WorldSet:
    """The routine worlds (start of day 0) of replicates ``first_replicate ..`` of ``scenario``."""
    from corridors.engines.batch.kernel import replicate_states
    from corridors.engines.batch.worlds import burn_in_block, new_worlds

    key = scenario.content_hash() if stream_key is None else check_stream_key(stream_key)
    p, s, committee = _inputs(scenario)
    draw_states, dynamics_states = replicate_states(seed, key, first_replicate, replications)
    worlds = new_worlds(replications, committee)
    burn_in_block(draw_states, dynamics_states, p, s, committee, worlds)
    return WorldSet(routine_key(scenario), seed, key, first_replicate, worlds)


def _check_fits(scenario: Scenario, worlds: WorldSet, seed: int, stream_key: str | None) -> None:
    key = scenario.content_hash() if stream_key is None else check_stream_key(stream_key)
    if worlds.key != routine_key(scenario):
        raise CorridorsError(
            "worlds: they were computed for another routine (a field the burn-in reads differs, "
            "or other engine code); compute them again for this scenario"
        )
    if worlds.seed != seed or worlds.stream_key != key:
        raise CorridorsError(
            f"worlds: they were computed for seed {worlds.seed} and stream key "
            f"{worlds.stream_key[:12]}..., not seed {seed} and stream key {key[:12]}..."
        )


def run_crisis(
    scenario: Scenario, worlds: WorldSet, *, seed: int | None = None, stream_key: str | None = None
) -> pd.DataFrame:
    """The rows of the crisis of ``scenario`` run from each of ``worlds``: exactly a full run's rows.

    ``scenario`` may differ from the one the worlds were computed for in anything the
    burn-in does not read (its routine key must match); the seed and stream key are the
    worlds' own unless given, and must then match them.
    """
    from corridors.engines.batch.worlds import crisis_block
    from corridors.engines.rows import new_outcomes, outcome_rows

    seed = worlds.seed if seed is None else seed
    _check_fits(scenario, worlds, seed, worlds.stream_key if stream_key is None else stream_key)
    p, s, committee = _inputs(scenario)
    out = new_outcomes(worlds.replications)
    crisis_block(worlds.worlds, p, s, committee, np.zeros(4, dtype=np.uint64), out)
    return outcome_rows(scenario, out, engine="batch", seed=seed, first_replicate=worlds.first_replicate)


_FORMAT = "corridors-worlds/1"


def save_worlds(worlds: WorldSet, path: str | Path) -> Path:
    """Write ``worlds`` to an ``.npz`` file (atomically); returns its path."""
    from corridors._atomic import atomic_output

    path = Path(path)
    meta = np.array([_FORMAT, worlds.key, str(worlds.seed), worlds.stream_key, str(worlds.first_replicate)])
    with atomic_output(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, __meta__=meta, **worlds.worlds._asdict())
    return path


def load_worlds(path: str | Path) -> WorldSet:
    """Read worlds written by :func:`save_worlds` (a one-line error if the file is not one)."""
    from corridors.engines.batch.worlds import Worlds

    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = [str(v) for v in data["__meta__"]]
            arrays = {name: data[name] for name in Worlds._fields}
    except (OSError, KeyError, ValueError) as exc:
        raise CorridorsError(f"{path}: not a corridors worlds file ({exc})") from None
    if meta[0] != _FORMAT:
        raise CorridorsError(f"{path}: not a corridors worlds file (format {meta[0]!r})")
    return WorldSet(meta[1], int(meta[2]), meta[3], int(meta[4]), Worlds(**arrays))


# --- the in-memory cache ---------------------------------------------------------------------------------


class WorldCache:
    """Routine worlds kept in memory, least recently used first out, within a byte budget."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[Any, ...], WorldSet] = OrderedDict()
        self.nbytes = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> WorldSet | None:
        """The worlds kept under ``key`` (now the most recently used), or None."""
        worlds = self.entries.get(key)
        if worlds is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return worlds

    def put(self, key: tuple[Any, ...], worlds: WorldSet) -> None:
        """Keep ``worlds`` under ``key``, dropping the least recently used beyond the budget."""
        if worlds.nbytes > self.max_bytes or key in self.entries:
            return
        self.entries[key] = worlds
        self.nbytes += worlds.nbytes
        while self.nbytes > self.max_bytes:
            _, old = self.entries.popitem(last=False)
            self.nbytes -= old.nbytes

    def clear(self) -> None:
        """Drop every world kept."""
        self.entries.clear()
        self.nbytes = 0


_CACHE: list[WorldCache | None] = [None]
_SESSIONS = [0]


def configure_world_cache(max_megabytes: float) -> WorldCache | None:
    """Keep up to ``max_megabytes`` of routine worlds in this process (0: none); returns the cache.

    While a cache is on, every batch run of this process looks its worlds up by (routine
    key, seed, stream key, first replicate, count) and computes only the missing ones, and
    every sweep chunk this process hands to workers carries the budget, so each worker
    keeps a cache of its own (:func:`follow_world_cache`). A cache of the same budget is
    kept as it is.
    """
    if max_megabytes <= 0:
        _CACHE[0] = None
    elif _CACHE[0] is None or _CACHE[0].max_bytes != int(max_megabytes * 1e6):
        _CACHE[0] = WorldCache(int(max_megabytes * 1e6))
    return _CACHE[0]


def world_cache() -> WorldCache | None:
    """The cache of routine worlds of this process, if one is on."""
    return _CACHE[0]


def world_cache_megabytes() -> float:
    """The budget of this process's cache of routine worlds, in megabytes (0: none)."""
    cache = _CACHE[0]
    return 0.0 if cache is None else cache.max_bytes / 1e6


def follow_world_cache(max_megabytes: float) -> None:
    """In a worker: keep a cache of the budget a chunk carries (the driver's), or none once it carries 0."""
    if max_megabytes > 0 or _SESSIONS[0] == 0:
        configure_world_cache(max_megabytes)


@contextmanager
def reusing_worlds(max_megabytes: float) -> Iterator[WorldCache | None]:
    """Routine worlds kept in memory for a block (nested blocks share one cache; the outermost ends it).

    Examples
    --------
    >>> with reusing_worlds(64) as outer, reusing_worlds(64) as inner:
    ...     outer is inner is world_cache()
    True
    >>> world_cache() is None
    True
    """
    if max_megabytes <= 0:
        yield world_cache()
        return
    if _SESSIONS[0] == 0 or _CACHE[0] is None:
        configure_world_cache(max_megabytes)
    _SESSIONS[0] += 1
    try:
        yield _CACHE[0]
    finally:
        _SESSIONS[0] -= 1
        if _SESSIONS[0] == 0:
            configure_world_cache(0)


def iter_batch_cached(
    scenario: Scenario,
    cache: WorldCache,
    *,
    replications: int,
    seed: int,
    first_replicate: int,
    block: int,
    stream_key: str | None,
) -> Iterator[pd.DataFrame]:
    """:func:`~corridors.engines.batch.iter_batch` through the cache: worlds computed once, crises every time."""
    key = scenario.content_hash() if stream_key is None else check_stream_key(stream_key)
    routine = routine_key(scenario)
    for block_start in range(first_replicate, first_replicate + replications, block):
        count = min(block, first_replicate + replications - block_start)
        entry = (routine, seed, key, block_start, count)
        worlds = cache.get(entry)
        if worlds is None:
            worlds = burn_in(scenario, replications=count, seed=seed, first_replicate=block_start, stream_key=key)
            cache.put(entry, worlds)
        yield run_crisis(scenario, worlds, seed=seed, stream_key=key)


# --- the reference engine's worlds --------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceWorld:
    """One replicate's routine world on the reference engine (its own trust matrix and stream)."""

    key: str
    seed: int
    stream_key: str
    replicate: int
    trust: np.ndarray
    stream_state: np.ndarray
    skip: float
    window_contacts: int


def reference_world(committee: Any) -> ReferenceWorld:
    """The routine world of a reference :class:`~corridors.engines.reference.Committee` at the start of day 0."""
    from corridors.engines.reference import SharedStream

    if committee.day != 0 or committee.in_crisis:
        raise ValueError("a reference world is taken at the start of day 0")
    if not isinstance(committee.stream, SharedStream):
        raise CorridorsError("worlds: the reference engine keeps worlds with shared sampling only")
    return ReferenceWorld(
        routine_key(committee.scenario),
        committee.seed_value,
        committee.stream_key,
        committee.replicate,
        committee.trust.copy(),
        committee.stream.state.copy(),
        float(committee.stream.skip),
        int(committee.window_contacts),
    )


def restore_reference_world(committee: Any, world: ReferenceWorld) -> None:
    """Put ``world`` into a new reference committee (built with the world's seed, replicate and stream key).

    The committee's draws are its own (the same draws stream), its ties, dynamics stream
    and window contacts the world's: its crisis is then exactly the full run's.
    """
    if world.key != routine_key(committee.scenario):
        raise CorridorsError("worlds: they were computed for another routine; compute them again for this scenario")
    if (committee.seed_value, committee.replicate, committee.stream_key) != (
        world.seed,
        world.replicate,
        world.stream_key,
    ):
        raise ValueError("the committee must be built with the world's seed, replicate and stream key")
    committee.trust[:, :] = world.trust
    committee.stream.state[:] = world.stream_state
    committee.stream.skip = world.skip
    committee.window_contacts = world.window_contacts
    committee.day = 0


_REFERENCE_WORLDS: OrderedDict[tuple[Any, ...], ReferenceWorld] = OrderedDict()
_REFERENCE_WORLDS_KEPT = 64
REFERENCE_WORLDS_ENV = "CORRIDORS_REFERENCE_WORLDS"
"""A folder where :func:`start_at_day_zero` also keeps reference worlds (``corridors explore --worlds``)."""


def _world_file(entry: tuple[Any, ...]) -> Path | None:
    folder = os.environ.get(REFERENCE_WORLDS_ENV)
    if not folder:
        return None
    name = hashlib.sha256(repr(entry).encode()).hexdigest()[:24]
    return Path(folder) / f"reference-world-{name}.npz"


def _read_reference_world(path: Path, entry: tuple[Any, ...]) -> ReferenceWorld | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = [str(v) for v in data["meta"]]
            world = ReferenceWorld(
                meta[0],
                int(meta[1]),
                meta[2],
                int(meta[3]),
                data["trust"],
                data["stream_state"],
                float(data["skip"]),
                int(data["window_contacts"]),
            )
    except (OSError, KeyError, ValueError):
        return None  # not one of ours, or damaged: the burn-in runs and the file is written anew
    return world if (world.key, world.seed, world.stream_key, world.replicate) == entry else None


def _write_reference_world(path: Path, world: ReferenceWorld) -> None:
    from corridors._atomic import atomic_output

    meta = np.array([world.key, str(world.seed), world.stream_key, str(world.replicate)])
    with atomic_output(path) as tmp, open(tmp, "wb") as handle:
        np.savez(
            handle,
            meta=meta,
            trust=world.trust,
            stream_state=world.stream_state,
            skip=np.float64(world.skip),
            window_contacts=np.int64(world.window_contacts),
        )


def start_at_day_zero(committee: Any) -> None:
    """Bring a new reference committee to the start of day 0: from a world kept in memory, else by its burn-in.

    Worlds of the last replicates started (by routine key, seed, stream key, replicate)
    are kept in memory, and in the folder named by :data:`REFERENCE_WORLDS_ENV` if set
    (``corridors explore --worlds FOLDER``), so a committee met before (the explorer's
    Reset, or its next start) begins at day 0 at once.
    """
    from corridors.engines.reference import SharedStream

    if not isinstance(committee.stream, SharedStream) or committee.day != -committee.p.burn_in_days:
        while committee.day < 0:
            committee.step()
        return
    entry = (routine_key(committee.scenario), committee.seed_value, committee.stream_key, committee.replicate)
    path = _world_file(entry)
    world = _REFERENCE_WORLDS.get(entry)
    if world is None and path is not None and path.is_file():
        world = _read_reference_world(path, entry)
    if world is not None:
        _REFERENCE_WORLDS[entry] = world
        _REFERENCE_WORLDS.move_to_end(entry)
        restore_reference_world(committee, world)
        return
    while committee.day < 0:
        committee.step()
    world = _REFERENCE_WORLDS[entry] = reference_world(committee)
    if path is not None:
        _write_reference_world(path, world)
    while len(_REFERENCE_WORLDS) > _REFERENCE_WORLDS_KEPT:
        _REFERENCE_WORLDS.popitem(last=False)
