"""The README's Python quick start, docs/PYTHON.md and the notebook run as written."""

from __future__ import annotations

import doctest
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("document", ["README.md", "docs/PYTHON.md"])
def test_the_python_examples_of_a_document_run(document: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = [b for b in _python_blocks(ROOT / document) if ">>>" in b]
    assert blocks, f"{document} has no python example"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    test = parser.get_doctest("\n".join(blocks), {}, document, document, 0)  # one namespace, as a reader's
    runner.run(test)
    assert runner.failures == 0 and runner.tries >= 4
    assert list(tmp_path.iterdir()) == []  # the examples leave nothing in the working directory


def test_the_readme_quick_start_is_five_lines() -> None:
    (quick,) = [b for b in _python_blocks(ROOT / "README.md") if ">>>" in b][:1]
    assert len([line for line in quick.splitlines() if line.startswith(">>> ")]) <= 5


def test_the_notebook_runs_as_a_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = ROOT / "examples" / "first_steps.py"
    assert notebook.read_text(encoding="utf-8").count("# %%") >= 5  # py:percent cells
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(notebook), run_name="__main__")
    assert namespace["report"].status == "finished"
    assert len(namespace["rows"]) == 20
