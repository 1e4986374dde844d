"""What the scenario schema says about a fitted quantity: its default, its bounds, whether it is a whole number.

A fitted quantity is named ``NAME`` (``parameters.NAME``) or by a dotted scenario path
(``theory.inform_effect``); the bench's boxes default to the schema's own bounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from corridors.errors import CorridorsError

__all__ = ["SchemaField", "schema_field"]


@dataclass(frozen=True)
class SchemaField:
    """A scenario field's default, bounds (``-inf``/``inf`` when unbounded) and type."""

    path: str
    default: Any
    low: float
    high: float
    integer: bool
    boolean: bool


def schema_field(name: str) -> SchemaField:
    """The schema's default and bounds of ``name`` (``parameters.NAME`` unless dotted).

    Raises :class:`~corridors.errors.CorridorsError` naming the path when the schema has no such field.

    Examples
    --------
    >>> f = schema_field("agency_max")
    >>> (f.path, f.default, f.low, f.high, f.integer)
    ('parameters.agency_max', 0.05, 0.0, 1.0, False)
    >>> schema_field("mechanisms.agency").boolean
    True
    """
    from corridors.calibration.simulate import parameter_path
    from corridors.scenario.schema import Scenario

    path = parameter_path(name)
    model: Any = Scenario
    parts = path.split(".")
    for i, part in enumerate(parts):
        fields = model.model_fields if isinstance(model, type) and issubclass(model, BaseModel) else {}
        if part not in fields:
            raise CorridorsError(f"{path}: not a field of this model's scenario schema (at '{part}')")
        info = fields[part]
        if i < len(parts) - 1:
            model = info.annotation
            continue
        low, high = -math.inf, math.inf
        for meta in info.metadata:
            for attr, is_low in (("ge", True), ("gt", True), ("le", False), ("lt", False)):
                value = getattr(meta, attr, None)
                if value is not None:
                    if is_low:
                        low = float(value)
                    else:
                        high = float(value)
        default = info.get_default(call_default_factory=True)
        annotation = info.annotation
        return SchemaField(
            path=path,
            default=default,
            low=low,
            high=high,
            integer=annotation is int,
            boolean=annotation is bool or "StrictBool" in str(annotation),
        )
    raise CorridorsError(f"{path}: empty path")  # pragma: no cover
