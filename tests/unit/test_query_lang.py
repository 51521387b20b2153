"""The matcher with the real language layer (newsradar.lang) on the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsradar.lang import lemma_stream
from newsradar.query import Analyzer, MatchDoc, matches

SEED = Path(__file__).resolve().parents[1] / "data" / "seed_article_uk.txt"


@pytest.fixture(scope="module")
def seed() -> MatchDoc:
    text = SEED.read_text(encoding="utf-8")
    return MatchDoc(lemma_stream(text, "uk"), "uk", ["KP", "RU", "US"], ["weapons"], "ukrinform")


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.default()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("зброя", True),  # the text only has зброї / зброю
        ("зброю", True),
        ('"підводний човен"', True),  # the text has підводних човнів
        ("зброя AND country:CN", False),
        ("зброя AND country:KP", True),
        ("протитанкова NEAR/1 ракета", True),
        ("ракета NEAR/0 протитанкові", True),
        ('"Північна Корея" AND Путін', True),
        ("співпрац*", True),
        ("супутник AND NOT lang:ru", True),
        ("зброя AND lang:ru", False),
    ],
)
def test_seed_article(seed: MatchDoc, analyzer: Analyzer, query: str, expected: bool) -> None:
    assert matches(query, seed, analyzer).matched is expected


def test_english_and_german_inflection(analyzer: Analyzer) -> None:
    en = MatchDoc(lemma_stream("New sanctions hit Russian oil exports", "en"), "en")
    assert matches("sanction NEAR/3 oil", en, analyzer)
    assert matches("sanctions", en, analyzer)
    de = MatchDoc(lemma_stream("Neue Sanktionen gegen Russland", "de"), "de")
    assert matches("Sanktion", de, analyzer)
