"""Shared test options: ``--full`` runs the statistical tests at their full size."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# CI explores the same examples every run (a landing must not hinge on luck); locally each
# run draws new ones, which is how rare cases are found.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
