"""Lemmatisation: one normalised lemma per word, the same for documents and query terms.

Ukrainian and Russian use pymorphy3 (dictionaries inside the pymorphy3-dicts packages);
English, Polish, German, French and Spanish use lemmagen3 (small models inside its wheel).
Curated corrections live in ``data/lemma_overrides/<lang>.tsv`` (``form<TAB>lemma``).
Results are cached per language; the cache is bounded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from importlib import resources

from newsradar.lang.normalize import normalize, normalize_word
from newsradar.lang.tokenize import tokens

PYMORPHY_LANGUAGES = ("uk", "ru")
LEMMAGEN_LANGUAGES = ("en", "pl", "de", "fr", "es")
CACHE_LIMIT = 200_000  # entries per language; cleared when full
# Elided articles and pronouns glued to the next word by an apostrophe (l'uranium → uranium).
ELISIONS: dict[str, frozenset[str]] = {
    "fr": frozenset({"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"}),
}

_caches: dict[str, dict[str, str]] = {}


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def _is_latin(word: str) -> bool:
    return any("a" <= ch <= "z" or "\u00e0" <= ch <= "\u024f" for ch in word)


@functools.cache
def _overrides(lang: str) -> dict[str, str]:
    path = resources.files("newsradar.lang") / "data" / "lemma_overrides" / f"{lang}.tsv"
    table: dict[str, str] = {}
    if not path.is_file():
        return table
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        form, _, lemma_ = line.partition("\t")
        table[normalize_word(form.strip())] = normalize_word(lemma_.strip())
    return table


@functools.cache
def _backend(lang: str) -> Callable[[str], str]:
    if lang in PYMORPHY_LANGUAGES:
        import pymorphy3

        analyzer = pymorphy3.MorphAnalyzer(lang=lang)

        def pymorphy_lemma(word: str) -> str:
            return str(analyzer.parse(word)[0].normal_form)

        return pymorphy_lemma
    if lang in LEMMAGEN_LANGUAGES:
        from lemmagen3 import Lemmatizer

        lemmatizer = Lemmatizer(lang)

        def lemmagen_lemma(word: str) -> str:
            return str(lemmatizer.lemmatize(word))

        return lemmagen_lemma
    raise ValueError(f"unsupported language: {lang!r}")


def _compute(word: str, lang: str) -> str:
    overrides = _overrides(lang)
    if word in overrides:
        return overrides[word]
    if word.isdigit():
        return word
    # Words in the other script are lemmatised as English (Latin) or left as they are.
    if lang in PYMORPHY_LANGUAGES and not _is_cyrillic(word):
        return lemma(word, "en") if _is_latin(word) else word
    if lang in LEMMAGEN_LANGUAGES and _is_cyrillic(word):
        return word
    base = word
    if lang == "en" and base.endswith("'s"):
        base = base[:-2]
    elif "'" in base and base.split("'", 1)[0] in ELISIONS.get(lang, ()):
        return lemma(base.split("'", 1)[1], lang)
    result = normalize_word(_backend(lang)(base))
    return result or base


def lemma(word: str, lang: str | None) -> str:
    """The normalised lemma of one word in ``lang``; unknown language gives the normalised word.

    Deterministic: the same word and language always give the same lemma.
    """
    norm = normalize_word(word)
    if lang is None or (lang not in PYMORPHY_LANGUAGES and lang not in LEMMAGEN_LANGUAGES):
        return norm
    cache = _caches.setdefault(lang, {})
    found = cache.get(norm)
    if found is None:
        found = _compute(norm, lang)
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[norm] = found
    return found


def lemmas_of_tokens(words: list[str], lang: str | None) -> list[str]:
    """Lemmas of already normalised words (the hot path of the tagger)."""
    if lang is None or (lang not in PYMORPHY_LANGUAGES and lang not in LEMMAGEN_LANGUAGES):
        return list(words)
    cache = _caches.setdefault(lang, {})
    out = list(map(cache.get, words))  # C-speed lookups; misses are filled below
    if None in out:
        for i, found in enumerate(out):
            if found is None:
                word = words[i]
                computed = _compute(word, lang)
                if len(cache) >= CACHE_LIMIT:
                    cache.clear()
                cache[word] = computed
                out[i] = computed
    return out  # type: ignore[return-value]


def lemma_stream(text: str, lang: str | None) -> list[str]:
    """One lemma per word token of ``text``, in order (the indexed ``lemmas`` field)."""
    return lemmas_of_tokens(tokens(normalize(text).text), lang)
