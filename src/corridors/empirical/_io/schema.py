"""The Frictionless Table Schemas shipped in ``corridors/empirical/data``, with corridors' aliases.

The schemas are read and checked by the ``frictionless`` library; what stays here is what
the standard does not say: the aliases of a field (``org`` for ``organization``).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import resources
from pathlib import Path
from typing import Any

from corridors.errors import CorridorsError

__all__ = ["SchemaField", "TableSchema", "data_path"]


def data_path(name: str) -> Path:
    """Installed path of a file shipped in ``corridors/empirical/data``.

    Examples
    --------
    >>> data_path("peace_ops_sample.csv").name
    'peace_ops_sample.csv'
    """
    path = Path(str(resources.files("corridors.empirical") / "data" / name))
    if not path.exists():
        shipped = sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("_"))
        raise CorridorsError(f"{name}: no such example file (shipped: {', '.join(shipped)})")
    return path


@dataclass(frozen=True)
class SchemaField:
    """One field of a Frictionless Table Schema, with corridors' ``aliases`` extension.

    ``field`` is the ``frictionless`` field itself, which reads the cells of its type.
    """

    name: str
    type: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    true_values: tuple[str, ...] = ("yes", "true", "1")
    false_values: tuple[str, ...] = ("no", "false", "0")
    field: Any = dataclass_field(default=None, compare=False, repr=False)

    @classmethod
    def from_frictionless(cls, item: Any) -> SchemaField:
        """The corridors view of a ``frictionless`` field (constraints and aliases read out)."""
        constraints = dict(item.constraints or {})
        enum = constraints.get("enum")
        custom = dict(getattr(item, "custom", {}) or {})
        options: dict[str, Any] = {}
        if item.type == "boolean":
            options = {"true_values": tuple(item.true_values), "false_values": tuple(item.false_values)}
        return cls(
            name=item.name,
            type=item.type,
            required=bool(constraints.get("required", False)),
            enum=tuple(str(e) for e in enum) if enum is not None else None,
            minimum=constraints.get("minimum"),
            maximum=constraints.get("maximum"),
            aliases=tuple(custom.get("aliases", ())),
            description=item.description or "",
            field=item,
            **options,
        )


@dataclass(frozen=True)
class TableSchema:
    """A Frictionless Table Schema shipped in ``empirical/data`` (``NAME.schema.json``).

    Read and validated by ``frictionless`` (``frictionless`` is the schema: its fields read
    cells); ``fields`` lists them with their constraints and aliases.
    """

    name: str
    fields: tuple[SchemaField, ...] = dataclass_field(default_factory=tuple)
    frictionless: Any = dataclass_field(default=None, compare=False, repr=False)

    @classmethod
    def load(cls, name: str) -> TableSchema:
        """Read ``data/NAME.schema.json``.

        Examples
        --------
        >>> TableSchema.load("edges").names
        ['i', 'j', 'w']
        """
        path = data_path(f"{name}.schema.json")
        return cls.from_descriptor(name, str(path), label=str(path))

    @classmethod
    def from_descriptor(cls, name: str, descriptor: Any, *, label: str) -> TableSchema:
        """A schema from a descriptor (a path or a mapping); its errors become one line each."""
        from frictionless import FrictionlessException, Schema

        try:
            schema = Schema.from_descriptor(descriptor)
        except FrictionlessException as exc:
            raise CorridorsError(f"{label}: not a valid Table Schema: {_frictionless_note(exc)}") from None
        return cls(
            name=name, fields=tuple(SchemaField.from_frictionless(f) for f in schema.fields), frictionless=schema
        )

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> SchemaField:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def canonical(self, column: str) -> str:
        """The field a column stands for: itself, or the field it is an alias of."""
        for item in self.fields:
            if column == item.name or column in item.aliases:
                return item.name
        return column


def _frictionless_note(exc: Exception) -> str:
    """The one-line reason of a ``FrictionlessException``."""
    error = getattr(exc, "error", None)
    text = str(getattr(error, "note", "") or getattr(error, "message", "") or exc)
    return " ".join(text.split())
