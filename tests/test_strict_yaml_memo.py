"""The strict YAML reader parses a text once per process, and hands out copies."""

from __future__ import annotations

import pytest
import yaml

from corridors import _yaml


def test_a_remembered_text_is_parsed_once_and_each_caller_gets_its_own_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "name: memo-test\nmembers: [{name: A, weight: 2}]\n"
    _yaml._load_memo.cache_clear()
    parsed = []
    real = _yaml._load
    monkeypatch.setattr(_yaml, "_load", lambda t: parsed.append(t) or real(t))
    first = _yaml.safe_load(text)
    first["members"][0]["weight"] = 99
    second = _yaml.safe_load(text)
    assert second == {"name": "memo-test", "members": [{"name": "A", "weight": 2}]}
    assert parsed == [text]


def test_a_bad_text_fails_every_time_it_is_read() -> None:
    text = "a: 1\na: 2\n"
    for _ in range(2):
        with pytest.raises(yaml.MarkedYAMLError):
            _yaml.safe_load(text)
