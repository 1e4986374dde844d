"""Every ``Example:`` line of every command's --help runs, from a copy of the repository root.

The examples run in a temporary folder holding a copy of ``examples/`` (so nothing lands in
the repository), in-process, with small sizes: ``--reps`` and ``--simulate`` are cut, and
the copied experiment specs get few replications and base samples. Commands that make a
file other examples read (``run``, ``sweep``) go first.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from corridors.cli import app, main

ROOT = Path(__file__).resolve().parents[2]
FIRST = ("run", "sweep", "sensitivity")  # their outputs are other examples' inputs
SMALL = {"--reps": "10", "--simulate": "10"}


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)] if path else []
    for name in sorted(getattr(command, "commands", {})):  # a group (typer's, or click's)
        found += _commands(command.commands[name], (*path, name))
    return found


def _examples() -> list[tuple[str, str]]:
    examples = []
    for path, command in _commands(typer.main.get_command(app)):
        for line in (command.help or "").splitlines():
            line = line.strip()
            if line.startswith("Example:"):
                examples.append((" ".join(path), line.removeprefix("Example:").strip()))
    examples.sort(key=lambda item: FIRST.index(item[0]) if item[0] in FIRST else len(FIRST))
    return examples


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue()


def _argv(line: str) -> list[str]:
    def substitute(match: re.Match[str]) -> str:
        code, out = _run(shlex.split(match.group(1))[1:])
        assert code == 0, match.group(0)
        return shlex.quote(out.strip())

    line = re.sub(r'"\$\((corridors [^)]*)\)"', substitute, line)
    argv = shlex.split(line)
    assert argv[0] == "corridors", line
    argv = argv[1:]
    for i, word in enumerate(argv[:-1]):
        if word in SMALL:
            argv[i + 1] = SMALL[word]
    return argv


@pytest.fixture()
def repository_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    for name, changes in (
        ("sweep_meetings.yaml", {"replications": 4}),
        ("sensitivity.yaml", {"replications": 2, "design": {"kind": "sobol", "points": 4}}),
    ):
        spec = tmp_path / "examples" / name
        raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
        raw.update(changes)
        spec.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_command_with_options_has_an_example() -> None:
    commands = {
        " ".join(path) for path, command in _commands(typer.main.get_command(app)) if not hasattr(command, "commands")
    }
    assert len(commands) >= 15
    assert commands - {name for name, _ in _examples()} == set()


def test_every_help_example_runs_from_the_repository_root(repository_copy: Path, full_size: bool) -> None:
    examples = _examples()
    assert len(examples) >= 20
    failures = []
    for command, line in examples:
        # a command that serves until stopped: its example must parse, checked through --help
        parse_only = command in _SERVES | _RUN_ELSEWHERE or (not full_size and _is_long(line))
        code, _ = _run([*_argv(line), "--help"] if parse_only else _argv(line))
        if code != 0:
            failures.append(f"{command}: {line} -> exit {code}")
    assert failures == []
    assert (repository_copy / "sweep_meetings.duckdb").is_file() and (repository_copy / "eu.parquet").is_file()
    assert sorted(p.name for p in (repository_copy / "examples").iterdir()) == sorted(
        p.name for p in (ROOT / "examples").iterdir()
    )  # nothing written into examples/


_HAD_OUTPUT = {"run", "reproduce", "results export"}
_SERVES = {"explore"}
_RUN_ELSEWHERE = {"reproduce"}  # tests/report/test_reproduce.py runs `reproduce --quick` end to end, once


def _is_long(line: str) -> bool:
    """The quick calibration (424 evaluations: minutes on 2 cores) runs its example only with --full.

    tests/calibration/test_calibration_pipeline.py runs the same pipeline on a tiny problem.
    """
    argv = shlex.split(line)
    return argv[1:2] == ["calibrate"] and "--bench" not in argv


def test_flags_are_shown_as_flags_and_out_is_the_one_output_name() -> None:
    seen_out = []
    for path, command in _commands(typer.main.get_command(app)):
        if hasattr(command, "commands"):
            continue
        code, text = _run([*path, "--help"])
        assert code == 0
        assert "<bool>" not in text, path
        names = [opt for param in command.params for opt in getattr(param, "opts", [])]
        visible = [opt for param in command.params if not getattr(param, "hidden", False) for opt in param.opts]
        assert "--output" not in visible, path  # the old name is a hidden alias only
        if "--out" in names:
            seen_out.append(" ".join(path))
            if " ".join(path) in _HAD_OUTPUT:  # commands that were --output before keep it as an alias
                assert "--output" in names, path
    assert set(seen_out) >= _HAD_OUTPUT
    code, text = _run(["run", "--help"])
    assert re.search(r"--quiet\s+No progress bar", text)


def test_the_hidden_output_alias_still_works(tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    assert _run(["run", "unsc", "--reps", "3", "--quiet", "--output", str(target)])[0] == 0
    assert len(target.read_text().splitlines()) == 4
    assert _run(["run", "unsc", "--reps", "3", "--quiet", "--out", "a.csv", "--output", "b.csv"])[0] == 2
