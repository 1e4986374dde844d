"""Where a cold numba compile goes: each compiled engine function's own share of the first OSCE run.

Prints; asserts nothing. Runs the first OSCE batch run in a fresh process with an empty
numba cache (``NUMBA_CACHE_DIR`` set to a new folder) and times every compilation through
numba's compile events, each net of the compilations nested in it.

    PYTHONPATH=src .venv/bin/python benchmarks/compile_profile.py

Why it exists: issue 24 keeps a cold compile under 20 s; numba links each separately compiled
function's LLVM module into every caller's and optimizes it again there, so where the time
goes depends on how deep the call tree is, which steps are inlined (jit_options.INLINE) and how
many versions of a function are compiled (jit_options.FastDispatcher: one per argument type).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

CHILD = """
import time
from collections import defaultdict
from numba.core import event

stack, own = [], defaultdict(float)

class Timer(event.Listener):
    def on_start(self, e):
        stack.append([e.data["dispatcher"].py_func.__qualname__, time.perf_counter(), 0.0])
    def on_end(self, e):
        name, start, nested = stack.pop()
        took = time.perf_counter() - start
        own[name] += took - nested
        if stack:
            stack[-1][2] += took

event.register("numba:compile", Timer())
from corridors.engines import run_replications
from corridors.scenario import load_scenario
start = time.perf_counter()
run_replications(load_scenario("osce"), replications=1, seed=1, engine="batch")
print(f"first OSCE run with an empty numba cache: {time.perf_counter() - start:.1f} s (target < 20 s)")
for name, seconds in sorted(own.items(), key=lambda kv: -kv[1])[:15]:
    print(f"  {seconds:6.2f} s  {name}")
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        subprocess.run([sys.executable, "-c", CHILD], env=env, check=True)
    print(f"[load {os.getloadavg()[0]:.1f}]")


if __name__ == "__main__":
    main()
