"""Word tokenisation over normalised text."""

from __future__ import annotations

import re
from collections.abc import Iterator

# A word: letters/digits, with inner apostrophes kept (зв'язок, d'Ivoire); hyphens split words.
WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def tokens(normalized_text: str) -> list[str]:
    """The words of an already normalised text, in order."""
    return WORD_RE.findall(normalized_text)


def token_spans(normalized_text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, word)`` for each word of an already normalised text."""
    for m in WORD_RE.finditer(normalized_text):
        yield m.start(), m.end(), m.group()
