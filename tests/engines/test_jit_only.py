"""Batch-engine kernels carry no CPython wrapper; a call from Python runs a twin compiled from the same source."""

from __future__ import annotations

import inspect

import numpy as np

from corridors.engines.batch import crisis, informal, kernel, ties, worlds
from corridors.engines.jit_options import JitOnlyDispatcher


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
