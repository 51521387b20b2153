"""Match a parsed query against one article: pure functions, no services.

Semantics (the Elasticsearch translation in :mod:`newsradar.query.es` agrees with them):

- A term is analysed with the lemmatiser in the *article's* language and matches that lemma
  token; if the lemmatiser splits it into several tokens they must be consecutive.
- A phrase matches its lemma tokens consecutively and in order.
- ``word*`` matches any lemma token starting with the normalised (not lemmatised) prefix.
- ``a NEAR/n b`` matches spans of ``a`` and ``b`` with at most ``n`` tokens between them, in
  either order (the window width minus both span lengths is at most ``n``).
- Filters compare case-insensitively with the article's countries, language, topics, source.
- ``NOT x`` matches every article that ``x`` does not match, also at the top level: the query
  ``NOT topic:sport`` matches all articles without that topic. Matched terms are reported
  only from the positive parts of a query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from newsradar.query.analysis import Analyzer, default_analyzer
from newsradar.query.ast import (
    And,
    Filter,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    is_positional,
    leaves,
)
from newsradar.query.parser import parse_query

Span = tuple[int, int]  # [start, end) in token positions


class ArticleLike(Protocol):
    """What the matcher reads from a tagged article (``TaggedArticle``, ``TagResult``)."""

    @property
    def lemmas(self) -> str | Sequence[str]: ...
    @property
    def lang(self) -> str | None: ...
    @property
    def countries(self) -> Sequence[str]: ...
    @property
    def topics(self) -> Sequence[str]: ...


class MatchDoc:
    """The view of an article the matcher needs: lemma tokens and their positions, metadata."""

    __slots__ = ("_prefix_cache", "countries", "lang", "positions", "source", "tokens", "topics")

    def __init__(
        self,
        tokens: Sequence[str],
        lang: str | None = None,
        countries: Iterable[str] = (),
        topics: Iterable[str] = (),
        source: str = "",
    ) -> None:
        self.tokens: tuple[str, ...] = tuple(tokens)
        self.lang = lang.lower() if lang else None
        self.countries = frozenset(c.upper() for c in countries)
        self.topics = frozenset(t.lower() for t in topics)
        self.source = source.lower()
        positions: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens):
            found = positions.get(token)
            if found is None:
                positions[token] = [i]
            else:
                found.append(i)
        self.positions = positions
        self._prefix_cache: dict[str, list[int]] = {}

    @classmethod
    def from_article(cls, article: ArticleLike, source: str | None = None) -> MatchDoc:
        """From a TaggedArticle-like object (``lemmas`` space-joined or a list); ``source``
        overrides the article's own (a TagResult has none)."""
        if source is None:
            source = str(getattr(article, "source", "") or "")
        lemmas = article.lemmas
        tokens = lemmas.split() if isinstance(lemmas, str) else lemmas
        return cls(tokens, article.lang, article.countries, article.topics, source)

    def prefix_positions(self, prefix: str) -> list[int]:
        found = self._prefix_cache.get(prefix)
        if found is None:
            found = sorted(
                i
                for token, where in self.positions.items()
                if token.startswith(prefix)
                for i in where
            )
            self._prefix_cache[prefix] = found
        return found


@dataclass(frozen=True, slots=True)
class Hit:
    """A query leaf that matched: its query text and the token positions it covers
    (filters have no positions)."""

    term: str
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class MatchResult:
    matched: bool
    hits: tuple[Hit, ...] = ()

    def __bool__(self) -> bool:
        return self.matched


NO_MATCH = MatchResult(False)


@lru_cache(maxsize=4096)
def _parsed(text: str) -> Node:
    return parse_query(text)


def matches(query: Node | str, doc: MatchDoc, analyzer: Analyzer | None = None) -> MatchResult:
    """Whether ``query`` matches ``doc``, with the matched terms and positions when it does."""
    node = _parsed(query) if isinstance(query, str) else query
    an = analyzer or default_analyzer()
    if not test(node, doc, an):
        return NO_MATCH
    return MatchResult(True, explain(node, doc, an))


def test(node: Node, doc: MatchDoc, an: Analyzer) -> bool:
    """The boolean answer alone (short-circuiting; what the presearcher calls)."""
    if isinstance(node, Term):
        tokens = an.lemmas(node.text, doc.lang)
        if len(tokens) == 1:
            return tokens[0] in doc.positions
        return bool(_sequence_spans(tokens, doc))
    if isinstance(node, And):
        return all(test(child, doc, an) for child in node.children)
    if isinstance(node, Or):
        return any(test(child, doc, an) for child in node.children)
    if isinstance(node, Not):
        return not test(node.child, doc, an)
    if isinstance(node, Filter):
        return _filter(node, doc)
    if isinstance(node, Prefix):
        return bool(doc.prefix_positions(an.prefix(node.text)))
    if isinstance(node, Phrase):
        return bool(_sequence_spans(an.lemmas(node.text, doc.lang), doc))
    return bool(spans(node, doc, an))


def _filter(node: Filter, doc: MatchDoc) -> bool:
    if node.field == "country":
        return node.value.upper() in doc.countries
    if node.field == "lang":
        return doc.lang == node.value.lower()
    if node.field == "topic":
        return node.value.lower() in doc.topics
    return doc.source == node.value.lower()


def _sequence_spans(tokens: tuple[str, ...], doc: MatchDoc) -> list[Span]:
    if not tokens:
        return []
    first = doc.positions.get(tokens[0])
    if not first:
        return []
    if any(token not in doc.positions for token in tokens[1:]):
        return []
    n, words = len(tokens), doc.tokens
    return [(p, p + n) for p in first if words[p : p + n] == tokens]


def spans(node: Node, doc: MatchDoc, an: Analyzer) -> list[Span]:
    """Token spans of a positional node in ``doc`` (sorted for leaves)."""
    if isinstance(node, Term):
        return _sequence_spans(an.lemmas(node.text, doc.lang), doc)
    if isinstance(node, Phrase):
        return _sequence_spans(an.lemmas(node.text, doc.lang), doc)
    if isinstance(node, Prefix):
        return [(p, p + 1) for p in doc.prefix_positions(an.prefix(node.text))]
    if isinstance(node, Or):
        found = {span for child in node.children for span in spans(child, doc, an)}
        return sorted(found)
    if isinstance(node, Near):
        return _near_windows(node, doc, an)
    raise TypeError(f"{type(node).__name__} has no positions")


def _near_windows(node: Near, doc: MatchDoc, an: Analyzer) -> list[Span]:
    left = spans(node.left, doc, an)
    if not left:
        return []
    right = spans(node.right, doc, an)
    slop = node.distance
    windows: set[Span] = set()
    for s1, e1 in left:
        width1 = e1 - s1
        for s2, e2 in right:
            start, end = min(s1, s2), max(e1, e2)
            if end - start - width1 - (e2 - s2) <= slop:
                windows.add((start, end))
    return sorted(windows)


def explain(node: Node, doc: MatchDoc, an: Analyzer) -> tuple[Hit, ...]:
    """The positive leaves that make ``node`` (known to match) match, with positions."""
    found: dict[str, set[int]] = {}
    _collect(node, doc, an, found, None)
    return tuple(Hit(term, tuple(sorted(found[term]))) for term in sorted(found))


def _collect(
    node: Node,
    doc: MatchDoc,
    an: Analyzer,
    found: dict[str, set[int]],
    within: list[Span] | None,
) -> None:
    if isinstance(node, And):
        for child in node.children:
            _collect(child, doc, an, found, within)
    elif isinstance(node, Or):
        for child in node.children:
            if test(child, doc, an):
                _collect(child, doc, an, found, within)
    elif isinstance(node, Filter):
        found.setdefault(str(node), set())
    elif isinstance(node, Near):
        windows = _near_windows(node, doc, an)
        for leaf in leaves(node):
            _collect(leaf, doc, an, found, windows)
    elif is_positional(node):
        positions = {
            p
            for start, end in spans(node, doc, an)
            if within is None or any(ws <= start and end <= we for ws, we in within)
            for p in range(start, end)
        }
        if positions:
            found.setdefault(str(node), set()).update(positions)
