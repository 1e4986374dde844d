"""Load scenarios: presets, YAML files, ``extends`` and ``--set`` overrides.

Every problem becomes one line ``source: field.path: what is wrong`` inside a
:class:`~corridors.errors.CorridorsError`; nothing is silently ignored.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from corridors import _yaml as strict_yaml
from corridors.errors import CorridorsError
from corridors.scenario.schema import Scenario, _ScenarioProblems, cross_field_problems

__all__ = [
    "apply_overrides",
    "core_type",
    "field_type",
    "list_presets",
    "load_scenario",
    "parse_override",
    "read_raw",
    "scenario_from_dict",
    "scenario_to_yaml",
]

_MAX_EXTENDS_DEPTH = 10


def list_presets() -> list[str]:
    """Names of the presets shipped with corridors.

    Examples
    --------
    >>> "eu" in list_presets()
    True
    """
    folder = resources.files("corridors.scenario") / "presets"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _preset_text(name: str) -> str:
    return (resources.files("corridors.scenario") / "presets" / f"{name}.yaml").read_text(encoding="utf-8")


def _is_preset_name(source: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_]*", source)) and source in list_presets()


def _parse_yaml(text: str, label: str) -> dict[str, Any]:
    try:
        data = strict_yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise CorridorsError(f"{label}: {where}: {exc.problem or exc.context}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise CorridorsError(f"{label}: {where}: YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise CorridorsError(f"{label}: YAML error: {strict_yaml.one_line(exc)}") from None
    if data is None:
        raise CorridorsError(f"{label}: the file is empty; a scenario needs at least 'name' and 'members' or 'extends'")
    if not isinstance(data, dict):
        raise CorridorsError(f"{label}: the top level must be a mapping of fields, got {type(data).__name__}")
    return data


def _read_raw(source: str | Path, *, relative_to: Path | None, chain: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """Raw mapping of a preset or file with its ``extends`` resolved; returns (data, label)."""
    text_source = str(source)
    if isinstance(source, str) and _is_preset_name(source):
        label = f"preset {source}"
        data = _parse_yaml(_preset_text(source), label)
        base_dir: Path | None = None
    else:
        path = Path(source)
        if relative_to is not None and not path.is_absolute():
            path = relative_to / path
        label = str(source)
        if not path.exists():
            hint = f" (presets: {', '.join(list_presets())})" if not text_source.endswith((".yaml", ".yml")) else ""
            raise CorridorsError(f"{label}: no such scenario file or preset{hint}")
        if path.is_dir():
            raise CorridorsError(f"{label}: is a folder, not a scenario file")
        text = strict_yaml.read_text(path, label=label)  # a regular file of bounded size, UTF-8
        data = _parse_yaml(text, label)
        base_dir = path.parent
    key = label
    if key in chain:
        raise CorridorsError(f"{chain[0]}: extends: cycle {' -> '.join([*chain, key])}")
    if len(chain) > _MAX_EXTENDS_DEPTH:
        raise CorridorsError(f"{chain[0]}: extends: more than {_MAX_EXTENDS_DEPTH} levels")
    parent = data.pop("extends", None)
    if parent is None:
        return data, label
    if not isinstance(parent, str) or not parent:
        raise CorridorsError(f"{label}: extends: must be a preset name or a file path, got {parent!r}")
    if not _is_preset_name(parent) and not parent.endswith((".yaml", ".yml")):
        raise CorridorsError(f"{label}: extends: unknown preset '{parent}' (presets: {', '.join(list_presets())})")
    try:
        base, _ = _read_raw(parent, relative_to=base_dir, chain=(*chain, key))
    except CorridorsError as exc:
        if exc.problems and exc.problems[0].startswith(f"{parent}: no such"):
            raise CorridorsError(f"{label}: extends: no such file '{parent}'") from None
        if (
            exc.problems
            and exc.problems[0].startswith(f"{parent}: ")
            and not exc.problems[0].startswith(f"{parent}: line")
        ):
            # the parent cannot be read at all (a folder, a pipe, too large, not UTF-8): the child names it
            raise CorridorsError([f"{label}: extends: {p}" for p in exc.problems]) from None
        raise
    return _deep_merge(base, data), label


def read_raw(source: str | Path, *, relative_to: Path | None = None) -> dict[str, Any]:
    """The raw mapping of a preset or scenario file with ``extends`` resolved (not validated).

    A relative file path is taken relative to ``relative_to`` when given.

    Examples
    --------
    >>> read_raw("unsc")["decision_rule"]["quota"]
    9
    """
    data, _ = _read_raw(source, relative_to=relative_to, chain=())
    return data


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge field by field; lists and scalars in ``override`` replace."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(dict(merged[key]), value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\.")


def _split_path(path: str) -> list[str | int]:
    """``members[3].red_lines`` -> ['members', 3, 'red_lines']; ``members.FRA.ideal`` keeps 'FRA'."""
    parts: list[str | int] = []
    for chunk in path.split("."):
        match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)", chunk)
        if match is None:
            if chunk.isdigit():
                parts.append(int(chunk))
                continue
            raise ValueError(f"'{chunk}' is not a field name")
        parts.append(match.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return parts


def core_type(annotation: Any) -> Any:
    """Strip Optional/Annotated from a type annotation to its core type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return core_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return core_type(args[0])
    return annotation


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_override(text: str) -> tuple[list[str | int], Any]:
    """Parse ``dotted.path=value``; the value is read as YAML (numbers, booleans, lists).

    Examples
    --------
    >>> parse_override("parameters.trust_gain=0.2")
    (['parameters', 'trust_gain'], 0.2)
    """
    if "=" not in text:
        raise CorridorsError(f"--set {text}: expected KEY=VALUE, e.g. formal_meetings_per_week=0.5")
    key, _, value_text = text.partition("=")
    key = key.strip()
    try:
        path = _split_path(key)
    except ValueError as exc:
        raise CorridorsError(f"--set {text}: {exc}") from None
    try:
        value = strict_yaml.safe_load(value_text) if value_text else None
    except yaml.YAMLError:
        raise CorridorsError(f"--set {text}: cannot read the value '{value_text}'") from None
    _check_path(path, text)
    return path, value


def _check_path(path: list[str | int], text: str) -> None:
    """Check a dotted path against the schema's fields, so a typo is named, not ignored."""
    model: Any = Scenario
    shown: list[str] = []
    expect_item = False
    for part in path:
        if expect_item:
            shown.append(f"[{part}]" if isinstance(part, int) else f".{part}")
            expect_item = False
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise CorridorsError(f"--set {text}: '{''.join(shown)}' has no sub-fields")
        if isinstance(part, int) or part not in model.model_fields:
            fields = list(model.model_fields)
            where = "".join(shown) or "the scenario"
            raise CorridorsError(f"--set {text}: unknown field '{part}' in {where}{_suggest(str(part), fields)}")
        shown.append(("." if shown else "") + part)
        annotation = core_type(model.model_fields[part].annotation)
        if typing.get_origin(annotation) is list:
            model = core_type(typing.get_args(annotation)[0])
            expect_item = True
        elif typing.get_origin(annotation) is dict:
            model = None
            expect_item = True
        else:
            model = annotation


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``--set`` overrides to a raw scenario mapping (lists by index or by code/name)."""
    result = copy.deepcopy(data)
    for text in overrides:
        path, value = parse_override(text)
        node: Any = result
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if isinstance(node, list):
                index = _list_index(node, part, text)
                if last:
                    node[index] = value
                else:
                    node = node[index]
                continue
            if not isinstance(node, dict):
                raise CorridorsError(f"--set {text}: cannot set inside a value of type {type(node).__name__}")
            if last:
                node[part] = value
            else:
                if part not in node or node[part] is None:
                    node[part] = {}
                node = node[part]
    return result


def _list_index(items: list[Any], part: str | int, text: str) -> int:
    if isinstance(part, int):
        if part >= len(items):
            raise CorridorsError(f"--set {text}: index {part} is past the end of a list of {len(items)}")
        return part
    for i, item in enumerate(items):
        if isinstance(item, dict) and part in (item.get("code"), item.get("name")):
            return i
    raise CorridorsError(f"--set {text}: no list entry with code or name '{part}'")


def _format_location(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if not isinstance(part, int):
            text = str(part)
            part = text if text.isprintable() and len(text) <= 80 else repr(text[:80])  # one line, always
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def field_type(path: str) -> Any:
    """The core type of the scenario field at a dotted path (list entries give the entry type).

    Examples
    --------
    >>> field_type("parameters.review_days"), field_type("members.FRA.ideal")
    (<class 'int'>, <class 'float'>)
    """
    model: Any = Scenario
    annotation: Any = Scenario
    expect_item = False
    for part in _split_path(path):
        if expect_item:
            expect_item = False
            continue
        if (
            not (isinstance(model, type) and issubclass(model, BaseModel))
            or not isinstance(part, str)
            or part not in model.model_fields
        ):
            raise CorridorsError(f"{path}: not a scenario field")
        annotation = core_type(model.model_fields[part].annotation)
        if typing.get_origin(annotation) in (list, dict):
            model = annotation = core_type(typing.get_args(annotation)[-1])
            expect_item = True
        else:
            model = annotation
    return annotation


def _model_at(loc: tuple[str | int, ...]) -> Any:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        annotation = core_type(model.model_fields[part].annotation)
        if typing.get_origin(annotation) in (list, dict):
            annotation = core_type(typing.get_args(annotation)[-1])
        model = annotation
    return model


def _validation_lines(exc: ValidationError, label: str) -> list[str]:
    lines: list[str] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        original = (error.get("ctx") or {}).get("error")
        if isinstance(original, _ScenarioProblems):
            lines.extend(f"{label}: {problem}" for problem in original.problems)
            continue
        where = _format_location(loc)
        if error["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            options = list(parent.model_fields) if parent is not None else []
            lines.append(f"{label}: {where}: unknown field{_suggest(str(loc[-1]), options)}")
            continue
        message = error["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if error["type"] == "missing":
            lines.append(f"{label}: {where}: required field is missing")
            continue
        shown = error.get("input")
        value = "" if isinstance(shown, (dict, list)) or message.startswith("must be a number") else f" (got {shown!r})"
        lines.append(f"{label}: {where}: {message}{value}")
    return lines


def scenario_from_dict(data: Mapping[str, Any], *, label: str = "scenario") -> Scenario:
    """Validate a raw mapping into a :class:`Scenario`, naming each problem's field path."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        lines = _validation_lines(exc, label)
        # cross-field checks run only once every field is valid: run them on the raw data too,
        # so one run names every problem of the file
        lines.extend(line for line in (f"{label}: {p}" for p in cross_field_problems(data)) if line not in lines)
        raise CorridorsError(lines) from None


def load_scenario(source: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load a preset name or YAML file, resolve ``extends``, apply ``--set`` overrides.

    Examples
    --------
    >>> eu = load_scenario("eu", ["formal_meetings_per_week=0.5"])
    >>> eu.formal_meetings_per_week
    0.5
    """
    data, label = _read_raw(source, relative_to=None, chain=())
    replaces_members = _replaces_members(source)
    overrides = list(overrides)
    if overrides:
        data = apply_overrides(data, overrides)
        label = f"{label} (with --set)"
        _note_overrides(data, overrides)
    try:
        return scenario_from_dict(data, label=label)
    except CorridorsError as exc:
        if replaces_members and any("unknown member code" in p for p in exc.problems):
            exc.problems.append(
                f"{label}: members: this file's 'members' list replaces the whole list of the scenario it "
                "extends (lists are not merged); list every member, or change single members with "
                "--set members.CODE.field=value"
            )
        raise


def _note_overrides(data: dict[str, Any], overrides: list[str]) -> None:
    """Mark each field set by ``--set`` as such in ``sources``, replacing the file's note."""
    sources = data.get("sources")
    if sources is None:
        sources = data["sources"] = {}
    if not isinstance(sources, dict):
        return
    for text in overrides:
        key = text.partition("=")[0].strip()
        sources[key] = "set by the user"


def _replaces_members(source: str | Path) -> bool:
    """Whether a scenario file both extends another and gives its own members list."""
    if isinstance(source, str) and _is_preset_name(source):
        return False
    try:
        raw = strict_yaml.safe_load(strict_yaml.read_text(source))
    except (CorridorsError, yaml.YAMLError):
        return False
    return isinstance(raw, dict) and "extends" in raw and "members" in raw


def scenario_to_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML, fields in schema order."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)
