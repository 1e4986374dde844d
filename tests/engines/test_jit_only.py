"""Batch-engine kernels carry no CPython wrapper; a call from Python runs a twin compiled from the same source."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import njit

from corridors.engines.batch import crisis, informal, kernel, ties, worlds
from corridors.engines.jit_options import JitOnlyDispatcher, fast


def _kernels() -> list[JitOnlyDispatcher]:
    found = []
    for module in (kernel, crisis, informal, ties, worlds):
        found += [obj for _, obj in inspect.getmembers(module) if isinstance(obj, JitOnlyDispatcher)]
    return found


def test_the_steps_of_a_replicate_are_kernels_and_the_entry_points_are_not() -> None:
    names = {k.py_func.__name__ for k in _kernels()}
    assert {"routine_phase", "crisis_phase", "informal_contacts", "reset", "draw_replicate"} <= names
    for entry in (kernel.simulate_block, worlds.burn_in_block, worlds.crisis_block):  # Python calls these
        assert not isinstance(entry, JitOnlyDispatcher)
    for k in _kernels():
        assert k.targetoptions["no_cpython_wrapper"] and k.targetoptions["_nrt"] is False


def test_a_kernel_called_from_python_runs_its_twin_with_the_python_functions_result() -> None:
    compiled = np.zeros(40, dtype=np.int8)
    interpreted = np.zeros(40, dtype=np.int8)
    kernel.fill_schedule(compiled, -12.5, 3.5, 20)  # would crash the interpreter without the twin
    kernel.fill_schedule.py_func(interpreted, -12.5, 3.5, 20)
    assert compiled.any()
    np.testing.assert_array_equal(compiled, interpreted)
    twin = kernel.fill_schedule.from_python
    assert twin is kernel.fill_schedule.from_python  # made once
    assert not isinstance(twin, JitOnlyDispatcher) and twin.py_func.__code__ is kernel.fill_schedule.py_func.__code__
    assert twin.py_func.__qualname__ != kernel.fill_schedule.py_func.__qualname__  # its own disk cache


@fast
def _shifted(x: float, k: int) -> float:
    return x + k


@fast(keep_literal=("flag",))
def _signed(x: float, flag: bool) -> float:
    return x if flag else -x


@njit(cache=False)
def _caller(x: float) -> float:
    return _shifted(x, 1) + _shifted(x, 2) + _signed(x, True) + _signed(x, False)


def test_a_fast_function_is_compiled_once_per_argument_type_not_once_per_constant() -> None:
    assert _caller(3.0) == (3.0 + 1) + (3.0 + 2) + 3.0 - 3.0
    assert len(_shifted.overloads) == 1  # the constants 1 and 2 share one compile
    assert len(_signed.overloads) == 2  # a kept literal chooses the code: one compile per value
    assert {str(sig[1]) for sig in _signed.overloads} == {"Literal[bool](True)", "Literal[bool](False)"}
    with pytest.raises(TypeError, match="keep_literal names no argument"):
        fast(keep_literal=("missing",))(lambda x: x)


ONE_COMPILE_EACH = """
import inspect
from corridors.engines.batch import crisis, informal, kernel, ties, worlds
from corridors.engines.jit_options import FastDispatcher
from corridors.engines.worlds import burn_in, run_crisis
from corridors.engines.batch import run_batch
from corridors.scenario import load_scenario
for variant in ([], ["theory.convening=consensus", "theory.agency=peers", "theory.capitals=informed"]):
    scenario = load_scenario("osce", variant)
    run_batch(scenario, replications=2, seed=1)
    run_crisis(scenario, burn_in(scenario, replications=2, seed=1))
for module in (kernel, crisis, informal, ties, worlds):
    for name, obj in inspect.getmembers(module):
        if isinstance(obj, FastDispatcher) and obj.__module__ == module.__name__:
            print(name, len(obj.overloads))
"""


def test_every_batch_kernel_is_compiled_once_and_informal_contacts_once_per_phase(tmp_path: Path) -> None:
    # an empty numba cache: a kernel loaded whole from disk never compiles (or counts) its callees
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", ONE_COMPILE_EACH], capture_output=True, text=True, check=True, env=env)
    counts = dict(line.split() for line in out.stdout.split("\n") if line)
    for name in ("crisis_phase", "caucus_meetings", "convene_meeting", "learn", "trust", "burn_in_block"):
        assert counts[name] == "1", name
    assert counts.pop("informal_contacts") == "2"  # in_crisis kept literal: routine and crisis versions
    assert {name: n for name, n in counts.items() if n not in ("0", "1")} == {}
