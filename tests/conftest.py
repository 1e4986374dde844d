"""Shared test options: ``--full`` runs the statistical tests at their full size."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--full",
        action="store_true",
        default=False,
        help="run statistical tests (marked slow) at full size instead of the quick default",
    )


@pytest.fixture(scope="session")
def full_size(request: pytest.FixtureRequest) -> bool:
    """True when the suite runs with --full."""
    return bool(request.config.getoption("--full"))
