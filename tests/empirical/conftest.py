"""Shared fixtures of the empirical tests: the shipped files and small CSV writers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corridors.empirical import example_path


@pytest.fixture
def sample_path() -> Path:
    return example_path("peace_ops_sample.csv")


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write lines (header first) to a CSV in tmp_path and return its path."""

    def write(lines: list[str], name: str = "ops.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
