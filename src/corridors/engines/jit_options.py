"""The numba options every compiled function of the engines uses, in one place.

``FAST``: cached on disk, no reference counting (the kernels never allocate), numpy's error
model (a division by zero gives inf or NaN, never an exception). :func:`fast` compiles a
function with them once per argument type (:class:`FastDispatcher`). ``INLINE``: the same,
inlined into the caller at numba's IR level; kept for the two steps of a contact
(``choose_partner``, ``call``), which run thousands of times a replicate, and for glue
(``simulate_replicate``, the copies of a stored world).

Why so few are inlined: numba inlines at its IR level by translating the callee's bytecode
again at every call site and typing it again inside the caller, and the crisis day had
hundreds of such sites (every ``trust``, ``learn``, uniform draw and rule). Compiled once each
and linked, the same functions are inlined by LLVM where it pays; with :class:`FastDispatcher`
compiling each once, a cold compile of the first OSCE run fell from 33.7 s to 18.0 s on a
quiet machine, rows identical, a crisis from stored worlds 2-3% slower
(benchmarks/compile_profile.py, benchmarks/worlds.py).

:func:`jit_only`: a ``FAST`` function of the batch engine that only compiled code calls. numba
compiles a CPython wrapper for every function it compiles, and for a function taking the
whole committee (hundreds of arrays) that wrapper is most of the code: leaving it out cut a
cold compile from about 65 s to 47-56 s (benchmarks/compile_profile.py). A call from Python
(a test, a notebook) goes to a twin compiled with a wrapper from the same source, cached
under its own name.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any, TypeVar, overload

from numba import config, njit
from numba import types as nbtypes
from numba.core.registry import CPUDispatcher

__all__ = ["FAST", "INLINE", "JIT_ONLY", "FastDispatcher", "JitOnlyDispatcher", "fast", "jit_only"]

FAST: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}
INLINE: dict[str, Any] = {**FAST, "inline": "always"}
JIT_ONLY: dict[str, Any] = {**FAST, "no_cpython_wrapper": True, "no_cfunc_wrapper": True}
"""``FAST`` without the wrappers that let Python call the function (see :func:`jit_only`)."""

F = TypeVar("F", bound=Callable[..., Any])


class FastDispatcher(CPUDispatcher):  # type: ignore[misc]
    """A ``FAST`` function compiled once per argument type, not once per constant a caller passes.

    numba types a call from compiled code with its arguments' literal types where they are
    constants (``learn(..., OWN)``, ``day`` while a loop's type is still being inferred)
    and compiles a version for each literal; the versions run the same code, and LLVM folds
    the constants once it inlines the callee. Typing each call on plain types instead
    cut a cold compile by a few seconds (benchmarks/compile_profile.py). ``keep_literal``
    names the arguments whose constant does choose the code (``informal_contacts``'
    ``in_crisis``: the routine phase compiles without the crisis branches).
    """

    keep_literal: frozenset[str] = frozenset()
    kept_positions: frozenset[int] = frozenset()  # of keep_literal among the parameters

    def get_call_template(self, args: tuple[Any, ...], kws: dict[str, Any]) -> Any:
        """Numba's call template, asked with the plain types of the arguments not kept literal."""
        args = tuple(a if i in self.kept_positions else nbtypes.unliteral(a) for i, a in enumerate(args))
        kws = {k: v if k in self.keep_literal else nbtypes.unliteral(v) for k, v in kws.items()}
        return super().get_call_template(args, kws)


class JitOnlyDispatcher(FastDispatcher):
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


def _dispatcher(kind: type[FastDispatcher], func: Any, options: dict[str, Any], keep_literal: tuple[str, ...]) -> Any:
    """What ``njit(**options)`` builds, as a dispatcher of class ``kind``; the plain function when JIT is off."""
    if config.DISABLE_JIT:
        return func
    parameters = list(inspect.signature(func).parameters)
    unknown = set(keep_literal) - set(parameters)
    if unknown:
        raise TypeError(f"{func.__qualname__}: keep_literal names no argument {sorted(unknown)}")
    targetoptions = {key: value for key, value in options.items() if key != "cache"}
    targetoptions.update(nopython=True, boundscheck=None)  # what njit adds
    dispatcher = kind(py_func=func, locals={}, targetoptions=targetoptions)
    dispatcher.keep_literal = frozenset(keep_literal)
    dispatcher.kept_positions = frozenset(parameters.index(name) for name in keep_literal)
    dispatcher.enable_caching()
    return dispatcher


def fast(func: Any = None, *, keep_literal: tuple[str, ...] = ()) -> Any:
    """``njit(**FAST)`` as a :class:`FastDispatcher` (one compile per argument type); ``@fast(keep_literal=...)``."""
    if func is None:
        return lambda f: _dispatcher(FastDispatcher, f, FAST, keep_literal)
    return _dispatcher(FastDispatcher, func, FAST, keep_literal)


@overload
def jit_only(func: F, *, keep_literal: tuple[str, ...] = ()) -> F: ...
@overload
def jit_only(func: None = None, *, keep_literal: tuple[str, ...] = ()) -> Callable[[F], F]: ...
def jit_only(func: Any = None, *, keep_literal: tuple[str, ...] = ()) -> Any:
    """``njit(**JIT_ONLY)`` as a :class:`JitOnlyDispatcher`: for batch-engine functions only compiled code calls."""
    if func is None:
        return lambda f: _dispatcher(JitOnlyDispatcher, f, JIT_ONLY, keep_literal)
    return _dispatcher(JitOnlyDispatcher, func, JIT_ONLY, keep_literal)
