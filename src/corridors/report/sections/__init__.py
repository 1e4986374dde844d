"""The report's sections, one module each, in the order of the page.

Each module has ``ID`` (the page anchor), ``TITLE``, ``STAGE`` (the progress label), a
``tables`` function (the numbers), a ``sentence`` function (the lead sentence written from
them) and ``build(ctx) -> Section``. Adding a section is adding a module here and one line
to :data:`SECTION_MODULES`; the page numbers the titles in this order.
"""

from __future__ import annotations

from types import ModuleType

from corridors.report.sections import (
    answer,
    calibration,
    cases,
    mechanisms,
    networks,
    observed,
    pipeline,
    policy,
    real_data,
    theories,
)

__all__ = ["SECTION_MODULES"]

SECTION_MODULES: tuple[ModuleType, ...] = (
    answer,  # the report opens with an answer in words (issue 22), the bench's sentence among it
    theories,  # then the theory bench's scorecard (issue 21)
    observed,
    real_data,
    calibration,
    mechanisms,
    policy,
    cases,
    networks,
    pipeline,
)
