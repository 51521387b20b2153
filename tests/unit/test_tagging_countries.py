"""Country tagging on hard cases (tests/data/tagging/cases.jsonl: text and what it must give)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from processors.tagging import get_tagger

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "data" / "tagging" / "cases.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['lang']}:{c['text'][:30]}" for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    result = get_tagger().tag(case["text"], lang=case["lang"])
    assert result.countries == case["countries"], case["why"]
    for mention in result.mentions:
        assert case["text"][mention.start : mention.end] == mention.surface
    if "surfaces" in case:
        assert [m.surface for m in result.mentions] == case["surfaces"]


def test_title_and_text_mentions_are_kept_apart() -> None:
    result = get_tagger().tag("Візит до Києва.", title="Польща і Литва", lang="uk")
    assert result.countries == ["LT", "PL", "UA"]
    assert [(m.field, m.surface) for m in result.mentions] == [
        ("title", "Польща"),
        ("title", "Литва"),
        ("text", "Києва"),
    ]


def test_offsets_survive_decomposed_text_and_stress_marks() -> None:
    text = unicodedata.normalize("NFD", "Україна і Росси\u0301я")
    result = get_tagger().tag(text, lang="uk")
    assert result.countries == ["UA"]
    assert all(text[m.start : m.end] == m.surface for m in result.mentions)


def test_language_is_detected_when_absent() -> None:
    result = get_tagger().tag("Die Sanktionen gegen Russland wurden verlängert.")
    assert result.lang == "de"
    assert result.countries == ["RU"]
    assert "sanctions" in result.topics


def test_unknown_language_uses_every_gazetteer() -> None:
    result = get_tagger().tag("Ukraine", lang="xx")
    assert result.countries == ["UA"]


def test_empty_input() -> None:
    result = get_tagger().tag("")
    assert (result.countries, result.topics, result.mentions, result.lemmas) == ([], [], [], "")
