"""A reference of every scenario field: dotted path, type, default and description.

It is generated from the schema itself, so it cannot drift from the code; ``docs/SCENARIO.md``
is this table, and a test checks that the file matches.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from corridors.scenario.loading import core_type
from corridors.scenario.schema import Mechanisms, Parameters, Scenario

__all__ = ["field_reference", "field_reference_markdown"]


def _type_name(annotation: Any) -> str:
    core = core_type(annotation)
    origin = typing.get_origin(core)
    if origin is list:
        return f"list of {_type_name(typing.get_args(core)[0])}"
    if origin is dict:
        return "mapping"
    if origin is tuple:
        return "pair"
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(core))
    return getattr(core, "__name__", str(core))


def field_reference() -> list[dict[str, str]]:
    """One entry per scenario field: path, type, default, description.

    Examples
    --------
    >>> rows = {r["path"]: r for r in field_reference()}
    >>> rows["parameters.trust_gain"]["default"]
    '0.1'
    """
    rows: list[dict[str, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            path = f"{prefix}{name}"
            annotation = core_type(info.annotation)
            item = core_type(typing.get_args(annotation)[0]) if typing.get_origin(annotation) is list else None
            if isinstance(annotation, type) and issubclass(annotation, (Parameters, Mechanisms)):
                walk(annotation, f"{path}.")
                continue
            default = info.default
            if default is PydanticUndefined:
                if info.default_factory is None:
                    shown = "required"
                else:
                    made = info.default_factory()  # type: ignore[call-arg]
                    shown = "(defaults)" if isinstance(made, BaseModel) else "(empty)"
            elif default is None:
                shown = "(none)"
            elif isinstance(default, BaseModel):
                shown = "(see its fields)"
            else:
                shown = str(default).lower() if isinstance(default, bool) else str(default)
            rows.append(
                {
                    "path": path,
                    "type": _type_name(info.annotation),
                    "default": shown,
                    "description": info.description or "",
                }
            )
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, f"{path}.")
            elif isinstance(item, type) and issubclass(item, BaseModel):
                walk(item, f"{path}[].")

    walk(Scenario, "")
    return rows


def field_reference_markdown() -> str:
    """The reference as a Markdown table."""
    lines = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for row in field_reference():
        lines.append(f"| `{row['path']}` | {row['type']} | {row['default']} | {row['description']} |")
    return "\n".join(lines) + "\n"
