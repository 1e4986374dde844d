"""Reading YAML strictly: a duplicate key, absurd nesting or size is an error, never a silent choice.

Kept by hand: PyYAML has no option to refuse a duplicate key, bound the nesting depth or the
alias expansion, or read numbers as YAML 1.2 does.

PyYAML keeps the last of two equal keys, recurses once per nesting level (a file nested
20,000 levels deep ends in a RecursionError), expands aliases without limit (a "billion
laughs" file of a few hundred bytes stands for billions of values) and reads YAML 1.1
number forms a person does not mean: ``010`` is octal 8, ``1:30`` sexagesimal 90, ``yes``
and ``off`` booleans. :func:`safe_load` reads numbers and booleans as YAML 1.2 writes them
(``10``, ``1.5``, ``1e-05``, ``true``; anything else stays text, which a number field then
refuses by name), and raises a :class:`yaml.MarkedYAMLError` naming the line of a
duplicate key, a :class:`YAMLTooDeep` for nesting beyond :data:`MAX_DEPTH` and a
:class:`YAMLTooLarge` for a text above :data:`MAX_CHARS` or aliases expanding beyond
:data:`MAX_NODES` values; callers turn each into one line. :func:`read_text` reads a file
for it: a regular file (never a FIFO or a device), at most :data:`MAX_CHARS`, UTF-8.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from corridors.errors import CorridorsError

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "YAMLTooDeep", "YAMLTooLarge", "one_line", "read_text", "safe_load"]

MAX_DEPTH = 100
"""Deepest nesting of mappings and lists accepted (a scenario needs four levels)."""
MAX_CHARS = 10_000_000
"""Longest YAML text read (10 MB; a 250-member scenario is about 100 kB)."""
MAX_NODES = 1_000_000
"""Most values a document may stand for once its aliases are expanded (a scenario has a few thousand)."""


class YAMLTooDeep(yaml.YAMLError):
    """The document nests mappings or lists more than :data:`MAX_DEPTH` levels."""


class YAMLTooLarge(yaml.YAMLError):
    """The document is longer than :data:`MAX_CHARS`, or its aliases expand beyond :data:`MAX_NODES` values."""


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate keys and reads numbers and booleans as YAML 1.2 does."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT, _BOOL)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

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


# YAML 1.2 core schema, without leading zeros (``010``: octal 8 in YAML 1.1, 10 in YAML 1.2;
# a person may mean either, so it stays text and a number field refuses it by name)
_StrictLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_StrictLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_StrictLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _check_shape(text: str) -> None:
    """Refuse deep nesting and alias bombs before PyYAML's recursive composer sees them."""
    if len(text) > MAX_CHARS:
        raise YAMLTooLarge(f"longer than {MAX_CHARS:,} characters")
    sizes: dict[str, int] = {}
    counts = [0]
    anchors: list[str | None] = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(anchors) >= MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise YAMLTooDeep(f"line {line}: nested more than {MAX_DEPTH} levels deep")
            counts.append(1)
            anchors.append(event.anchor)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            size = counts.pop()
            anchor = anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
            counts[-1] += size
        elif isinstance(event, yaml.ScalarEvent):
            counts[-1] += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            counts[-1] += sizes.get(event.anchor or "", 1)
            if sum(counts) > MAX_NODES:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise YAMLTooLarge(f"line {line}: aliases (*{event.anchor}) expand to more than {MAX_NODES:,} values")


def safe_load(text: str) -> Any:
    r"""Like :func:`yaml.safe_load`, but strict: see the module's note.

    Examples
    --------
    >>> safe_load("a: 010\nb: 1:30\nc: 1e-05\nd: yes\ne: true")
    {'a': '010', 'b': '1:30', 'c': 1e-05, 'd': 'yes', 'e': True}
    """
    if len(text) > _MEMO_MAX_CHARS:
        return _load(text)
    return copy.deepcopy(_load_memo(text))  # callers may change what they get


_MEMO_MAX_CHARS = 200_000
"""Texts up to this size are parsed once per process (a report reads each preset hundreds of times)."""


def _load(text: str) -> Any:
    _check_shape(text)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:  # aliases can still nest deeply after composing
        raise YAMLTooDeep(f"nested more than {MAX_DEPTH} levels deep") from None


@functools.lru_cache(maxsize=256)
def _load_memo(text: str) -> Any:
    """:func:`_load` remembered by text: an error is raised each time, never remembered."""
    return _load(text)


def read_text(path: str | Path, *, label: str | None = None) -> str:
    """The text of a regular file of at most :data:`MAX_CHARS` bytes, as UTF-8; else one-line CorridorsError.

    A FIFO would block forever and ``/dev/zero`` never ends: both are refused before reading.
    """
    label = label or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CorridorsError(f"{label}: no such file") from None
    except OSError as exc:
        raise CorridorsError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise CorridorsError(f"{label}: is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise CorridorsError(f"{label}: not a regular file (a pipe, socket or device); give a file")
        chunks = []
        remaining = MAX_CHARS + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        raise CorridorsError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > MAX_CHARS:
        raise CorridorsError(f"{label}: larger than {MAX_CHARS // 1_000_000} MB; not a file corridors reads")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorridorsError(
            f"{label}: not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start + 1}); "
            "save the file as UTF-8"
        ) from None


def one_line(exc: yaml.YAMLError) -> str:
    """A YAML error as one line (PyYAML's messages span several, with a quoted excerpt)."""
    if isinstance(exc, yaml.reader.ReaderError):
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        return f"character {exc.position + 1}: {exc.reason} (#x{code:04x}); save the file as plain UTF-8 text"
    return " ".join(str(exc).split())
