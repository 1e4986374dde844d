"""Numbers are numbers: a field that takes a number refuses ``true``, ``"10"`` and ``"010"``.

pydantic's lax mode reads ``True`` as 1 and the text ``"10"`` as 10; a person who types
``max_days: true`` or ``--set max_days=010`` (octal 8 in YAML 1.1, 10 in YAML 1.2) means
something else or made a slip, and the run would go ahead on a number they did not write.
Models that inherit :class:`NumbersAreNumbers` refuse, by field, a boolean or a text where
a number (or a list of numbers) is expected; ``None`` stays pydantic's to judge (an
optional field takes it, a required one refuses it).
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator

__all__ = ["NumbersAreNumbers", "not_a_number"]


def _core(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _core(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _core(args[0])
    return annotation


def _numeric(annotation: Any) -> str | None:
    """'scalar' for int/float fields, 'items' for lists and tuples of them, else None."""
    core = _core(annotation)
    if core in (int, float):
        return "scalar"
    if typing.get_origin(core) in (list, tuple):
        args = [a for a in typing.get_args(core) if a is not Ellipsis]
        if args and all(_core(a) in (int, float) for a in args):
            return "items"
    return None


def not_a_number(value: Any) -> str | None:
    """Why ``value`` is not a number a person meant (None if it is one, or is None)."""
    if isinstance(value, bool):
        return f"must be a number, not {str(value).lower()}"
    if isinstance(value, (str, bytes)):
        shown = value if isinstance(value, str) else value.decode("utf-8", "replace")
        hint = ""
        if ":" in shown:
            hint = " (1:30 is not read as 90: write the number itself)"
        elif shown.lstrip("+-").startswith("0") and shown.lstrip("+-")[1:2].isdigit():
            hint = " (a leading zero is not read as octal: write the number without it)"
        return f"must be a number, not the text '{shown[:40]}'{hint}"
    return None


class NumbersAreNumbers(BaseModel):
    """A model whose number fields refuse booleans and text (see the module's note)."""

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        kind = _numeric(field.annotation) if field is not None else None
        if kind == "scalar":
            problem = not_a_number(value)
            if problem:
                raise ValueError(problem)
        elif kind == "items" and isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                problem = not_a_number(item)
                if problem:
                    raise ValueError(f"[{i}] {problem}")
        return value
