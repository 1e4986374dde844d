"""An edit to one engine source drops every cached kernel, not only those of that file."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.engines import _numba_cache


def test_a_changed_source_removes_the_cached_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engines = tmp_path / "engines"
    (engines / "batch" / "__pycache__").mkdir(parents=True)
    (engines / "rules.py").write_text("A = 1\n")
    (engines / "batch" / "crisis.py").write_text("B = 2\n")
    cached = [
        engines / "batch" / "__pycache__" / "crisis.f-1.py311.nbi",
        engines / "batch" / "__pycache__" / "crisis.f-1.py311.1.nbc",
    ]
    monkeypatch.setattr(_numba_cache, "_ENGINES", engines)
    monkeypatch.setattr(_numba_cache, "_STAMP", engines / "__pycache__" / "numba-sources.sha256")
    for path in cached:
        path.write_bytes(b"compiled")
    assert _numba_cache.refresh_numba_cache()  # no stamp yet: start clean
    assert not any(path.exists() for path in cached)
    for path in cached:
        path.write_bytes(b"compiled")
    assert not _numba_cache.refresh_numba_cache()  # nothing changed: the cache stays
    assert all(path.exists() for path in cached)
    (engines / "rules.py").write_text("A = 3\n")  # another file than the cached kernel's
    assert _numba_cache.refresh_numba_cache()
    assert not any(path.exists() for path in cached)
