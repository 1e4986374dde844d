"""Every mutation of benchmarks/mutations.py still names exactly one line of today's batch engine.

A fragment that no longer matches (after formatting) or matches twice (after a new rule copied
the line) stops the mutation check; this catches it in ``make test``, without recompiling.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_each_mutation_fragment_occurs_once_and_changes_its_line() -> None:
    spec = importlib.util.spec_from_file_location("mutations", ROOT / "benchmarks" / "mutations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert len(module.MUTATIONS) >= 31
    for mechanism, name, original, mutated in module.MUTATIONS:
        text = (ROOT / "src" / "corridors" / "engines" / "batch" / name).read_text(encoding="utf-8")
        assert text.count(original) == 1, (mechanism, name)
        assert mutated != original, mechanism
