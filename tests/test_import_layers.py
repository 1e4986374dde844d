"""The direction of imports: each stage of corridors imports only from the stages below it.

Every module under src/corridors is parsed (not imported) and each of its imports of
corridors is checked against the stages

    paper and the shared low-level modules  <  scenario  <  engines  <  experiments
    <  empirical, calibration  <  report, explore  <  cli (with api.py and the package root)

An import counts wherever it is written: at the top of a module, inside a function (a lazy
import still ties the stages together, it only defers the cost) or under ``TYPE_CHECKING``.
The exceptions are listed in ``ALLOWED`` with the reason for each. Within one stage the
packages must not import one another in a circle (the package graph is acyclic), and the
paper and the shared modules import nothing of corridors beyond the shared modules.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "corridors"

SHARED = {"_atomic", "_constants", "_numbers", "_version", "_yaml", "errors"}
"""Low-level modules any stage may import; they import nothing of corridors but each other."""

STAGES: dict[str, int] = {
    "paper": 0,
    **{name: 0 for name in SHARED},
    "scenario": 1,
    "engines": 2,
    "experiments": 3,
    "empirical": 4,
    "calibration": 4,
    "report": 5,
    "explore": 5,
    "cli": 6,
    "api": 6,
    "": 6,  # the package root, corridors/__init__.py: the façade of `import corridors`
}

ALLOWED: dict[tuple[str, str], str] = {
    # (importing module, imported module): why the upward import is right
}
"""Upward imports accepted on purpose, each with its reason. Keep this short."""


@dataclass(frozen=True)
class Import:
    module: str
    target: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (SRC / relative).with_suffix(".py").is_file() or (SRC / relative / "__init__.py").is_file()


def _imports(path: Path) -> list[Import]:
    """Every import of corridors in one file, resolved to the module it names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            # `from corridors import paper` imports the module corridors.paper, not the root
            names = [f"{source}.{a.name}" if _is_module(f"{source}.{a.name}") else source for a in node.names]
        else:
            continue
        found += [Import(module, name, node.lineno) for name in names if name.split(".")[0] == "corridors"]
    return found


def _unit(module: str) -> str:
    """The stage key of a module: its first name under corridors ('' for the package root)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


ALL_IMPORTS = [imp for path in sorted(PACKAGE.rglob("*.py")) for imp in _imports(path)]


def test_every_unit_has_a_stage() -> None:
    units = {_unit(_module_name(path)) for path in PACKAGE.rglob("*.py")}
    assert units <= set(STAGES), f"add a stage for {sorted(units - set(STAGES))}"


def test_no_import_from_a_higher_stage() -> None:
    upward = [
        f"{imp.module}:{imp.line} imports {imp.target} ({_unit(imp.module) or 'root'} stage "
        f"{STAGES[_unit(imp.module)]} < {_unit(imp.target) or 'root'} stage {STAGES[_unit(imp.target)]})"
        for imp in ALL_IMPORTS
        if STAGES[_unit(imp.target)] > STAGES[_unit(imp.module)] and (imp.module, imp.target) not in ALLOWED
    ]
    assert upward == []


def test_the_paper_and_the_shared_modules_import_only_shared_modules() -> None:
    leaves = [imp for imp in ALL_IMPORTS if _unit(imp.module) in SHARED | {"paper"}]
    wrong = [
        f"{imp.module}:{imp.line} imports {imp.target}"
        for imp in leaves
        if _unit(imp.target) not in SHARED and _unit(imp.target) != _unit(imp.module)
    ]
    assert wrong == []


def test_the_packages_import_one_another_without_a_circle() -> None:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_edges_from(
        (_unit(imp.module), _unit(imp.target))
        for imp in ALL_IMPORTS
        if _unit(imp.module) != _unit(imp.target) and (imp.module, imp.target) not in ALLOWED
    )
    assert list(nx.simple_cycles(graph)) == []


def test_every_allowed_exception_is_still_needed() -> None:
    present = {(imp.module, imp.target) for imp in ALL_IMPORTS}
    assert set(ALLOWED) <= present, f"remove {sorted(set(ALLOWED) - present)} from ALLOWED"


def test_a_planted_upward_import_is_caught(tmp_path: Path) -> None:
    """The walker sees a lazy import inside a function and a `from corridors import` of the root."""
    planted = tmp_path / "corridors" / "engines" / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text("from corridors import __version__\n\ndef f():\n    from corridors.report import stats\n")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        targets = {(imp.target, imp.line) for imp in _imports(planted)}
    finally:
        SRC = saved
    assert targets == {("corridors", 1), ("corridors.report", 4)}
    assert all(STAGES[_unit(t)] > STAGES["engines"] for t, _ in targets)


@pytest.mark.parametrize(
    "package",
    [
        "corridors.paper",
        "corridors.empirical",
        "corridors.calibration",
        "corridors.explore.ensemble",
        "corridors.report",
        "corridors.cli",
    ],
)
def test_importing_reads_none_of_the_papers_files(package: str) -> None:
    """Nothing is read at import time: the paper's CSV files are opened on first use only."""
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == 'open' else None)\n"
        f"import {package}\n"
        "print('\\n'.join(p for p in opened if 'paper' in p and p.endswith('.csv')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert done.stdout.strip() == ""
