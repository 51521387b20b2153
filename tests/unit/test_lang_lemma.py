"""Lemmas: inflected forms meet their dictionary form, for documents and query terms alike."""

from __future__ import annotations

import pytest

from newsradar.lang import SUPPORTED_LANGUAGES, lemma, lemma_stream

# (language, words that must share one lemma)
SAME_LEMMA = [
    ("uk", ["зброя", "зброї", "зброю", "зброєю"]),
    ("uk", ["ракета", "ракетами", "ракети"]),
    ("uk", ["підводний", "підводних"]),
    ("uk", ["човен", "човнів"]),
    ("uk", ["енергетика", "енергетики", "енергетикою"]),
    ("uk", ["дім", "домі"]),
    ("ru", ["оружие", "оружия", "оружием"]),
    ("ru", ["ракета", "ракетами"]),
    ("ru", ["санкция", "санкций", "санкциями"]),
    ("en", ["sanction", "sanctions"]),
    ("en", ["missile", "missiles"]),
    ("en", ["Russia", "Russia's", "Russia’s"]),
    ("pl", ["sankcja", "sankcjami", "sankcji"]),
    ("pl", ["energetyka", "energetykę"]),
    ("de", ["Sanktion", "Sanktionen"]),
    ("de", ["Rakete", "Raketen"]),
    ("fr", ["arme", "armes"]),
    ("fr", ["uranium", "l'uranium", "l’uranium"]),
    ("fr", ["relation", "relations"]),
    ("es", ["sanción", "sanciones"]),
    ("es", ["misil", "misiles"]),
]


@pytest.mark.parametrize(("lang", "words"), SAME_LEMMA)
def test_inflected_forms_share_a_lemma(lang: str, words: list[str]) -> None:
    lemmas = {lemma(w, lang) for w in words}
    assert len(lemmas) == 1, lemmas


@pytest.mark.parametrize(
    ("word", "lang", "expected"),
    [("зброї", "uk", "зброя"), ("ракетами", "uk", "ракета"), ("sanctions", "en", "sanction")],
)
def test_known_lemmas(word: str, lang: str, expected: str) -> None:
    assert lemma(word, lang) == expected


def test_phrase_lemmas_line_up() -> None:
    doc = lemma_stream("атомних підводних човнів", "uk")
    query = lemma_stream("підводний човен", "uk")
    assert " ".join(query) in " ".join(doc)


def test_one_lemma_per_token_in_order() -> None:
    text = "Сполучені Штати ставляться з недовірою до заяв Росії"
    assert len(lemma_stream(text, "uk")) == 8


def test_acronyms_are_left_alone() -> None:
    assert lemma("NASA", "pl") == "nasa"
    assert lemma("OTAN", "es") == "otan"


def test_unknown_language_gives_normalised_words() -> None:
    assert lemma("Зброї", None) == "зброї"
    assert lemma_stream("Зброї НЕМА", None) == ["зброї", "нема"]


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_deterministic(lang: str) -> None:
    assert lemma_stream("Test 123 words", lang) == lemma_stream("Test 123 words", lang)
