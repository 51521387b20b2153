"""Normalisation and tokenisation: same rules for text, gazetteer and query terms."""

from __future__ import annotations

import unicodedata

import pytest

from newsradar.lang import normalize, normalize_word, token_spans, tokens

CASES = [
    ("Кот-дʼІвуар", "кот-д'івуар"),
    ("зв’язків", "зв'язків"),
    ("d‘Ivoire", "d'ivoire"),
    ("Объединённые", "объединенные"),
    ("Ё", "е"),
    ("Russia\u2011Ukraine", "russia-ukraine"),
    ("a\u00a0b", "a b"),
    ("Росси\u0301я", "россия"),
    (unicodedata.normalize("NFD", "Україна"), "україна"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize_word(raw: str, expected: str) -> None:
    assert normalize_word(raw) == expected
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII text, no change in length.",
        "Росси\u0301я и США",
        unicodedata.normalize("NFD", "Україна та Польща"),
        "İstanbul and Türkiye",
    ],
)
def test_offsets_map_back_to_the_original(text: str) -> None:
    norm = normalize(text)
    for start, end, word in token_spans(norm.text):
        o_start, o_end = norm.to_original(start, end)
        assert normalize_word(text[o_start:o_end]) == word


def test_fast_path_keeps_offsets_identical() -> None:
    assert normalize("Сполучені Штати").offsets is None


def test_tokens_keep_inner_apostrophes_and_split_hyphens() -> None:
    assert tokens(normalize("зв’язків Гвінея-Бісау l'uranium").text) == [
        "зв'язків",
        "гвінея",
        "бісау",
        "l'uranium",
    ]
