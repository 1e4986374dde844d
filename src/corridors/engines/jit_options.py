"""The numba options every compiled function of the engines uses, in one place.

``FAST``: cached on disk, no reference counting (the kernels never allocate), numpy's error
model (a division by zero gives inf or NaN, never an exception). ``INLINE``: the same,
inlined into the caller at numba's IR level: the small rules and samplers, and the crisis
day's steps called from one place (capital reviews, caucuses, convening, the formal
meeting, first calls, bridges). numba gives each ``FAST`` function its own LLVM module and
links and re-optimizes it inside every caller's, so a deep call tree is optimized again at
each level; inlining the one-caller steps cut a cold compile from about 80 s to 59 s with
the same rows and speed (benchmarks/worlds.py).

:func:`jit_only`: a ``FAST`` function of the batch engine that only compiled code calls. numba
compiles a CPython wrapper for every function it compiles, and for a function taking the
whole committee (hundreds of arrays) that wrapper is most of the code: leaving it out cut a
cold compile from about 65 s to 47-56 s (benchmarks/compile_profile.py). A call from Python
(a test, a notebook) goes to a twin compiled with a wrapper from the same source, cached
under its own name.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, TypeVar

from numba import config, njit
from numba.core.registry import CPUDispatcher

__all__ = ["FAST", "INLINE", "JIT_ONLY", "JitOnlyDispatcher", "jit_only"]

FAST: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}
INLINE: dict[str, Any] = {**FAST, "inline": "always"}
JIT_ONLY: dict[str, Any] = {**FAST, "no_cpython_wrapper": True, "no_cfunc_wrapper": True}
"""``FAST`` without the wrappers that let Python call the function (see :func:`jit_only`)."""

F = TypeVar("F", bound=Callable[..., Any])


class JitOnlyDispatcher(CPUDispatcher):  # type: ignore[misc]
    """A compiled function with no CPython wrapper; a call from Python goes to :attr:`from_python`.

    Compiled callers call the function itself (numba types the dispatcher, not this method).
    Calling the wrapper-less code from Python would crash the interpreter, so it never is.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call from Python: the twin with a wrapper runs."""
        return self.from_python(*args, **kwargs)

    @property
    def from_python(self) -> Any:
        """The same source compiled with a CPython wrapper (``FAST``), made at the first call from Python."""
        twin = self.__dict__.get("_from_python")
        if twin is None:
            py_func = self.py_func
            copy = types.FunctionType(
                py_func.__code__, py_func.__globals__, py_func.__name__, py_func.__defaults__, py_func.__closure__
            )
            copy.__kwdefaults__ = py_func.__kwdefaults__
            copy.__module__ = py_func.__module__
            # numba names a function's disk cache after its qualified name: the twin's is its own
            copy.__qualname__ = f"{py_func.__qualname__}_from_python"
            twin = self.__dict__["_from_python"] = njit(**FAST)(copy)
        return twin


def jit_only(func: F) -> F:
    """``njit(**JIT_ONLY)`` as a :class:`JitOnlyDispatcher`: for batch-engine functions only compiled code calls."""
    if config.DISABLE_JIT:
        return func
    options = {key: value for key, value in JIT_ONLY.items() if key != "cache"}
    options.update(nopython=True, boundscheck=None)  # what njit adds
    dispatcher = JitOnlyDispatcher(py_func=func, locals={}, targetoptions=options)
    dispatcher.enable_caching()
    return dispatcher  # type: ignore[return-value]
