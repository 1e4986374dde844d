"""From a file's columns to a schema's fields: the ``--map`` of columns, then the schema's aliases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from corridors.empirical._io.problems import DataProblem, _suggest
from corridors.empirical._io.schema import TableSchema
from corridors.errors import CorridorsError

__all__ = ["map_columns", "parse_column_map"]


def parse_column_map(items: Iterable[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Read ``FIELD=COLUMN`` items (``--map start_date=launch``) into a mapping.

    Items may also be comma-separated (``--map start_date=launch,organization=io``).

    Examples
    --------
    >>> parse_column_map(["start_date=launch", "organization=io,host=country"])
    {'start_date': 'launch', 'organization': 'io', 'host': 'country'}
    """
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(k): str(v) for k, v in items.items()}
    mapping: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise CorridorsError(f"--map {part}: expected FIELD=COLUMN, e.g. --map start_date=launch")
            key, _, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not key or not value:
                raise CorridorsError(f"--map {part}: expected FIELD=COLUMN, e.g. --map start_date=launch")
            if key in mapping and mapping[key] != value:
                raise CorridorsError(f"--map {part}: field '{key}' is already mapped to '{mapping[key]}'")
            mapping[key] = value
    return mapping


def map_columns(
    frame: pd.DataFrame,
    schema: TableSchema,
    column_map: Mapping[str, str] | None,
    label: str,
    *,
    required_columns: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[DataProblem]]:
    """Rename file columns to schema fields: ``--map`` first, then the schema's aliases.

    Returns the renamed frame (extra columns kept) and notes on what was mapped. Unknown
    fields or columns in the map and missing required fields raise :class:`CorridorsError`.
    ``required_columns`` names fields whose *column* must exist even though single values
    may be empty.

    Examples
    --------
    >>> frame = pd.DataFrame({"source": ["FRA"], "to": ["DEU"], "weight": ["0.6"]})
    >>> renamed, notes = map_columns(frame, TableSchema.load("edges"), None, "t.csv")
    >>> list(renamed.columns)
    ['i', 'j', 'w']
    """
    mapping = dict(column_map or {})
    columns = list(frame.columns)
    problems: list[str] = []
    notes: list[DataProblem] = []
    renames: dict[str, str] = {}
    for field_name, column in mapping.items():
        if field_name not in schema.names:
            problems.append(
                f"{label}: --map {field_name}={column}: '{field_name}' is not a field of the {schema.name} schema"
                f"{_suggest(field_name, schema.names)} (fields: {', '.join(schema.names)})"
            )
            continue
        if column not in columns:
            problems.append(
                f"{label}: --map {field_name}={column}: the file has no column '{column}'{_suggest(column, columns)}"
            )
            continue
        renames[column] = field_name
    targets = set(renames.values())
    for item in schema.fields:
        if item.name in targets:
            continue
        if item.name in columns and item.name not in renames:
            continue
        for alias in item.aliases:
            if alias in columns and alias not in renames:
                renames[alias] = item.name
                notes.append(DataProblem(label, None, item.name, f"read from column '{alias}'", "note"))
                break
    clash = [c for c in columns if c in schema.names and c not in renames and c in renames.values()]
    for column in clash:
        problems.append(
            f"{label}: column '{column}' is also the target of a mapping; rename one of them or drop it from --map"
        )
    if problems:
        raise CorridorsError(problems)
    renamed = frame.rename(columns=renames)
    missing = [f for f in schema.fields if (f.required or f.name in required_columns) and f.name not in renamed.columns]
    if missing:
        raise CorridorsError(
            [
                f"{label}: row 1: required column '{f.name}' is missing{_suggest(f.name, columns)}; "
                f"name it so or map it with --map {f.name}=COLUMN"
                for f in missing
            ]
        )
    return renamed, notes
