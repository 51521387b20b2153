"""Text normalisation shared by the tagger, the lemmatiser and the query matcher.

``normalize`` lower-cases, applies NFC, unifies apostrophes (’ ʼ ‘ ` ′ → '), hyphens
(‐ ‑ ‒ → -), ё → е, drops stress marks and turns every whitespace character into a plain
space. It returns the normalised text and a map from normalised offsets back to the
original text, so mentions found in the normalised text can be highlighted in the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_APOSTROPHES = "\u2019\u02bc\u2018\u0060\u00b4\u2032\u02b9\u02bb"
_HYPHENS = "\u2010\u2011\u2012\u00ad"
_SPACES = "\t\n\r\x0b\x0c\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2028\u2029"

_TABLE: dict[int, str] = {
    **{ord(c): "'" for c in _APOSTROPHES},
    **{ord(c): "-" for c in _HYPHENS},
    **{ord(c): " " for c in _SPACES},
    ord("ё"): "е",
    ord("Ё"): "е",
}
# Combining marks that are dropped (stress accents in Russian and Ukrainian texts).
_DROP = {"\u0301", "\u0300"}
_DROP_RE = re.compile("[\u0301\u0300]")


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus the way back to the original.

    ``offsets`` is ``None`` when normalisation kept every character in place (the usual case);
    otherwise ``offsets[i]`` is the original index of normalised character ``i`` and
    ``offsets[len(text)]`` is the original length.
    """

    text: str
    offsets: list[int] | None
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` span to the original text."""
        if self.offsets is None:
            return start, end
        if end <= start:
            return self.offsets[start], self.offsets[start]
        # The end is just past the last normalised char's origin, extended over any marks
        # that were dropped or composed before the next char.
        return self.offsets[start], max(self.offsets[end - 1] + 1, self.offsets[end])


_PAIRS = tuple((chr(k), v) for k, v in _TABLE.items())


def _replace_special(text: str) -> str:
    """``text.translate(_TABLE)``, faster when few special characters occur (the usual case)."""
    for char, replacement in _PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text


def normalize_word(word: str) -> str:
    """Normalise one word or phrase (no offsets needed)."""
    text = unicodedata.normalize("NFC", word)
    if "\u0301" in text or "\u0300" in text:
        text = _DROP_RE.sub("", text)
    return text.lower().translate(_TABLE).replace("\u0307", "")


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching, keeping a map back to the original offsets."""
    if unicodedata.is_normalized("NFC", text) and "\u0301" not in text and "\u0300" not in text:
        lowered = text.lower()
        if len(lowered) == len(text):
            return Normalized(_replace_special(lowered), None, len(text))
    return _normalize_slow(text)


def _normalize_slow(text: str) -> Normalized:
    out: list[str] = []
    offsets: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        # A cluster: one base character and the combining marks after it.
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = "".join(c for c in text[i:j] if c not in _DROP)
        # lower() turns "İ" into "i" + U+0307 (combining dot): drop the dot.
        piece = (
            unicodedata.normalize("NFC", cluster).lower().translate(_TABLE).replace("\u0307", "")
        )
        for ch in piece:
            out.append(ch)
            offsets.append(i)
        i = j
    offsets.append(n)
    return Normalized("".join(out), offsets, n)
