"""A store is checked whole once per process, not at every open (issue 24)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridors.errors import CorridorsError
from corridors.experiments import store as store_module
from corridors.experiments.store import Store


def test_second_open_in_the_same_process_does_not_check_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path):
        pass  # created here: nothing to check yet
    store_module._VERIFIED.clear()
    calls: list[Path] = []
    real = Store._verify

    def counted(self: Store, con: object) -> None:
        calls.append(self.path)
        real(self, con)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_verify", counted)
    with Store(path):
        pass
    assert len(calls) == 1
    with Store(path):
        pass
    with Store(path, read_only=True):
        pass
    assert len(calls) == 1


def test_a_store_changed_by_someone_else_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path):
        pass
    data = bytearray(path.read_bytes())
    data[-1000:] = b"\xff" * 1000
    path.write_bytes(bytes(data[: len(data) - 4096]))  # truncated and overwritten: size changes
    with pytest.raises(CorridorsError, match="damaged|not a readable"):
        Store(path)
