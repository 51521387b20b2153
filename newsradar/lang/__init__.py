"""Language primitives shared by the tagger and the query matcher.

Normalisation with offsets back to the original, tokenisation, offline language detection
and lemmatisation for the supported languages.
"""

from newsradar.lang.detect import SUPPORTED_LANGUAGES, detect_language
from newsradar.lang.lemmatize import lemma, lemma_stream, lemmas_of_tokens
from newsradar.lang.normalize import Normalized, normalize, normalize_word
from newsradar.lang.tokenize import WORD_RE, token_spans, tokens

__all__ = [
    "SUPPORTED_LANGUAGES",
    "WORD_RE",
    "Normalized",
    "detect_language",
    "lemma",
    "lemma_stream",
    "lemmas_of_tokens",
    "normalize",
    "normalize_word",
    "token_spans",
    "tokens",
]
