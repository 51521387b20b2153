"""Country and topic tagger for uk/ru/en/pl/de/fr/es, inflection included.

The one seam others use: ``get_tagger().tag(text, title, lang) -> TagResult``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from newsradar.lang import (
    SUPPORTED_LANGUAGES,
    Normalized,
    detect_language,
    lemmas_of_tokens,
    normalize,
    tokens,
)
from newsradar.settings import get_settings
from processors.tagging import countries, gazetteer
from processors.tagging.topics import DEFAULT_TAXONOMY, TopicClassifier

TAGGER_VERSION = "1.0.0"


@dataclass(frozen=True)
class MentionSpan:
    """A country mention: offsets into ``field`` ("title" or "text") of the input."""

    country: str
    start: int
    end: int
    surface: str
    field: str


@dataclass(frozen=True)
class TagResult:
    lang: str | None
    countries: list[str]
    topics: list[str]
    mentions: list[MentionSpan]
    lemmas: str


class Tagger:
    """Holds the compiled gazetteers and taxonomy; ``tag`` is a pure function of its input."""

    def __init__(
        self,
        taxonomy: Path | Sequence[Path] = DEFAULT_TAXONOMY,
        cache_dir: Path | Literal["settings"] | None = "settings",
    ) -> None:
        """``taxonomy``: one YAML file, or several merged (a later file's topic replaces an
        earlier one with the same id), e.g. ``[DEFAULT_TAXONOMY, Path("mine.yaml")]``.
        ``cache_dir``: where compiled gazetteers and taxonomies are kept between runs (default
        ``<NEWSRADAR_CACHE_DIR>/tagger``); ``None`` compiles them every time."""
        if cache_dir == "settings":
            cache_dir = get_settings().cache / "tagger"
        self.gazetteers = {lang: gazetteer.load(lang, cache_dir) for lang in SUPPORTED_LANGUAGES}
        paths = [taxonomy] if isinstance(taxonomy, Path) else list(taxonomy)
        self.topics = TopicClassifier.load(paths, cache_dir)

    def tag(self, text: str, title: str = "", lang: str | None = None) -> TagResult:
        fields = []  # (field, value, normalised value, its words)
        for field, value in (("title", title), ("text", text)):
            if value:
                norm = normalize(value)
                fields.append((field, value, norm, tokens(norm.text)))
        if lang not in SUPPORTED_LANGUAGES:
            words: list[str] = []
            for *_, field_words in fields:
                words += field_words
            lang = detect_language(f"{title}\n{text}" if title else text, words)
        mentions: list[MentionSpan] = []
        all_lemmas: list[str] = []
        for field, value, norm, field_words in fields:
            for found in self._find(value, norm, lang):
                mentions.append(
                    MentionSpan(found.country, found.start, found.end, found.surface, field)
                )
            all_lemmas.extend(lemmas_of_tokens(field_words, lang))
        lemma_text = " ".join(all_lemmas)
        topics = self.topics.classify(all_lemmas, lang, lemma_text)
        codes = sorted({m.country for m in mentions})
        return TagResult(lang, codes, topics, mentions, lemma_text)

    def _find(self, original: str, norm: Normalized, lang: str | None) -> list[countries.Found]:
        if lang is not None:
            return countries.find(original, norm, self.gazetteers[lang])
        # Language unknown: every gazetteer, each mention once.
        seen: dict[tuple[int, int], countries.Found] = {}
        for gaz in self.gazetteers.values():
            for found in countries.find(original, norm, gaz):
                seen.setdefault((found.start, found.end), found)
        return sorted(seen.values(), key=lambda f: f.start)


@functools.cache
def get_tagger() -> Tagger:
    """The process-wide tagger with the default data, loaded once."""
    return Tagger()


__all__ = [
    "DEFAULT_TAXONOMY",
    "TAGGER_VERSION",
    "MentionSpan",
    "TagResult",
    "Tagger",
    "get_tagger",
]
