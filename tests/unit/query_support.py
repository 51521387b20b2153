"""A toy lemmatiser for the query tests: a few inflected forms per language, nothing else.

It behaves like ``newsradar.lang.lemma_stream`` (normalised word tokens, one lemma each) but
knows only the forms below, so the tests do not depend on the real dictionaries.
"""

from __future__ import annotations

import re

from newsradar.query import Analyzer, MatchDoc

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

FORMS: dict[str | None, dict[str, str]] = {
    "uk": {
        "зброї": "зброя",
        "зброю": "зброя",
        "підводних": "підводний",
        "човнів": "човен",
        "ракетами": "ракета",
        "санкції": "санкція",
    },
    "en": {"sanctions": "sanction", "weapons": "weapon", "oils": "oil", "ran": "run"},
    "de": {"waffen": "waffe", "sanktionen": "sanktion"},
}
LANGUAGES = ("uk", "ru", "en", "pl", "de", "fr", "es")


def toy_lemma_stream(text: str, lang: str | None) -> list[str]:
    forms = FORMS.get(lang, {})
    return [forms.get(word, word) for word in WORD.findall(text.lower())]


def toy_analyzer() -> Analyzer:
    return Analyzer(toy_lemma_stream, LANGUAGES)


def doc(
    text: str,
    lang: str | None = "en",
    countries: tuple[str, ...] = (),
    topics: tuple[str, ...] = (),
    source: str = "",
) -> MatchDoc:
    return MatchDoc(toy_lemma_stream(text, lang), lang, countries, topics, source)
