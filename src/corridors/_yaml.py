"""Reading YAML strictly: a duplicate key or absurd nesting is an error, never a silent choice.

Kept by hand: PyYAML has no option to refuse a duplicate key or to bound the nesting depth.

PyYAML keeps the last of two equal keys and recurses once per nesting level (a file nested
20,000 levels deep ends in a RecursionError). :func:`safe_load` raises a
:class:`yaml.MarkedYAMLError` naming the line of a duplicate key, and a
:class:`YAMLTooDeep` for nesting beyond :data:`MAX_DEPTH`; callers turn both into one line.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_DEPTH", "YAMLTooDeep", "one_line", "safe_load"]

MAX_DEPTH = 100
"""Deepest nesting of mappings and lists accepted (a scenario needs four levels)."""


class YAMLTooDeep(yaml.YAMLError):
    """The document nests mappings or lists more than :data:`MAX_DEPTH` levels."""


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys in a mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: SafeLoader reports it itself
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (a key may appear once in a mapping)", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _depth_ok(text: str) -> None:
    """Refuse deep nesting before PyYAML's recursive composer sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise YAMLTooDeep(f"line {line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def safe_load(text: str) -> Any:
    """Like :func:`yaml.safe_load`, but duplicate keys and nesting beyond MAX_DEPTH are errors."""
    _depth_ok(text)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:  # aliases can still nest deeply after composing
        raise YAMLTooDeep(f"nested more than {MAX_DEPTH} levels deep") from None


def one_line(exc: yaml.YAMLError) -> str:
    """A YAML error as one line (PyYAML's messages span several, with a quoted excerpt)."""
    if isinstance(exc, yaml.reader.ReaderError):
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        return f"character {exc.position + 1}: {exc.reason} (#x{code:04x}); save the file as plain UTF-8 text"
    return " ".join(str(exc).split())
