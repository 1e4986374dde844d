"""docs/SCENARIO.md is the schema's field reference, current and complete."""

from __future__ import annotations

from pathlib import Path

from corridors.scenario import Parameters
from corridors.scenario.reference import field_reference, field_reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "SCENARIO.md"


def test_the_doc_matches_the_schema() -> None:
    assert field_reference_markdown() in DOC.read_text(encoding="utf-8"), (
        "docs/SCENARIO.md is stale: regenerate it from corridors.scenario.reference.field_reference_markdown()"
    )


def test_every_parameter_has_a_default_and_a_description() -> None:
    rows = {row["path"]: row for row in field_reference()}
    for name in Parameters.model_fields:
        row = rows[f"parameters.{name}"]
        assert row["default"] not in ("required", "")
        assert row["description"]
