"""How query words become the lemma tokens they are compared with.

The matcher only needs two things from the language layer: ``lemma_stream(text, lang)``
(one normalised lemma per word token, the same function that wrote the article's ``lemmas``
field) and ``normalize_word(word)`` for wildcard prefixes, which are normalised but not
lemmatised. :class:`Analyzer` wraps them with a cache per (text, language), so a term shared
by many subscriptions is lemmatised once per language.

A language outside the analyzer's ``languages`` is analysed as ``None`` (language unknown):
the stream matcher and the Elasticsearch translation both rely on this.
"""

from __future__ import annotations

import contextlib
import importlib
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

LemmaStream = Callable[[str, "str | None"], list[str]]
Normalizer = Callable[[str], str]

_CACHE_LIMIT = 2_000_000


def basic_normalize(word: str) -> str:
    """Lower-case NFC, for analyzers built without the language layer (tests)."""
    return unicodedata.normalize("NFC", word).lower()


class Analyzer:
    def __init__(
        self,
        lemma_stream: LemmaStream,
        languages: Iterable[str],
        normalize: Normalizer = basic_normalize,
    ) -> None:
        self._lemma_stream = lemma_stream
        self._normalize = normalize
        self.languages: frozenset[str] = frozenset(languages)
        # language (None: unknown) -> query text -> lemma tokens; every article language
        # maps to one of these tables, so a lookup is two string-keyed dict gets.
        self._tables: dict[str | None, dict[str, tuple[str, ...]]] = {None: {}}
        for lang in self.languages:
            self._tables[lang] = {}
        self._prefixes: dict[str, str] = {}

    @classmethod
    def default(cls) -> Analyzer:
        """The analyzer over ``newsradar.lang`` (imported here, not at module import)."""
        lang: Any = importlib.import_module("newsradar.lang")
        normalize: Normalizer = basic_normalize
        with contextlib.suppress(ImportError, AttributeError):
            normalize = importlib.import_module("newsradar.lang.normalize").normalize_word
        return cls(lang.lemma_stream, lang.SUPPORTED_LANGUAGES, normalize)

    def lang_key(self, lang: str | None) -> str | None:
        """The language a query is analysed in for an article in ``lang``."""
        return lang if lang in self.languages else None

    def lemmas(self, text: str, lang: str | None) -> tuple[str, ...]:
        """Lemma tokens of a query word or phrase for an article in ``lang`` (cached)."""
        table = self._tables.get(lang)
        if table is None:
            table = self._tables[None]
            lang = None
        cached = table.get(text)
        if cached is None:
            if len(table) >= _CACHE_LIMIT:
                table.clear()
            cached = tuple(self._lemma_stream(text, lang))
            table[text] = cached
        return cached

    def prefix(self, text: str) -> str:
        """A wildcard prefix, normalised like the article's lemma tokens."""
        cached = self._prefixes.get(text)
        if cached is None:
            cached = self._normalize(text)
            self._prefixes[text] = cached
        return cached


_default: Analyzer | None = None


def default_analyzer() -> Analyzer:
    global _default
    if _default is None:
        _default = Analyzer.default()
    return _default
