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

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

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

    __slots__ = (
        "_prefix_cache",
        "_sorted",
        "countries",
        "lang",
        "positions",
        "source",
        "tokens",
        "topics",
    )

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
        self._sorted: list[str] | None = None

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
        """Positions of the tokens that start with ``prefix``, sorted."""
        found = self._prefix_cache.get(prefix)
        if found is None:
            if self._sorted is None:
                self._sorted = sorted(self.positions)
            ordered = self._sorted
            found = []
            for k in range(bisect_left(ordered, prefix), len(ordered)):
                if not ordered[k].startswith(prefix):
                    break
                found.extend(self.positions[ordered[k]])
            found.sort()
            self._prefix_cache[prefix] = found
        return found


class Hit(NamedTuple):
    """A query leaf that matched: its query text and the token positions it covers
    (filters have no positions). A named tuple: thousands are made per article."""

    term: str
    positions: tuple[int, ...]


class MatchResult(NamedTuple):
    """Whether the query matched and, if so, the hits that made it match."""

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
    return _TESTS[type(node)](node, doc, an)


def _test_term(node: Any, doc: MatchDoc, an: Analyzer) -> bool:
    tokens = an.lemmas(node.text, doc.lang)
    if len(tokens) == 1:
        return tokens[0] in doc.positions
    return bool(sequence_spans(tokens, doc))


def _test_and(node: Any, doc: MatchDoc, an: Analyzer) -> bool:
    for child in node.children:  # noqa: SIM110 - a loop is cheaper than all(<generator>)
        if not _TESTS[type(child)](child, doc, an):
            return False
    return True


def _test_or(node: Any, doc: MatchDoc, an: Analyzer) -> bool:
    for child in node.children:  # noqa: SIM110 - a loop is cheaper than any(<generator>)
        if _TESTS[type(child)](child, doc, an):
            return True
    return False


def _test_not(node: Any, doc: MatchDoc, an: Analyzer) -> bool:
    return not test(node.child, doc, an)


def _test_prefix(node: Any, doc: MatchDoc, an: Analyzer) -> bool:
    return bool(doc.prefix_positions(an.prefix(node.text)))


def _test_near(node: Any, doc: MatchDoc, an: Analyzer) -> bool:
    return bool(near_windows(node, doc, an))


_TESTS: dict[type, Callable[[Any, MatchDoc, Analyzer], bool]] = {
    Term: _test_term,
    Phrase: _test_term,
    And: _test_and,
    Or: _test_or,
    Not: _test_not,
    Filter: lambda node, doc, an: _filter(node, doc),
    Prefix: _test_prefix,
    Near: _test_near,
}


def _filter(node: Filter, doc: MatchDoc) -> bool:
    if node.field == "country":
        return node.value.upper() in doc.countries
    if node.field == "lang":
        return doc.lang == node.value.lower()
    if node.field == "topic":
        return node.value.lower() in doc.topics
    return doc.source == node.value.lower()


def sequence_spans(tokens: tuple[str, ...], doc: MatchDoc) -> list[Span]:
    positions = doc.positions
    if len(tokens) == 1:
        found = positions.get(tokens[0])
        return [(p, p + 1) for p in found] if found else []
    if not tokens:
        return []
    first = positions.get(tokens[0])
    if not first:
        return []
    for token in tokens[1:]:
        if token not in positions:
            return []
    n, words = len(tokens), doc.tokens
    return [(p, p + n) for p in first if words[p : p + n] == tokens]


def spans(node: Node, doc: MatchDoc, an: Analyzer) -> list[Span]:
    """Token spans of a positional node in ``doc`` (sorted for leaves)."""
    if isinstance(node, Term):
        return sequence_spans(an.lemmas(node.text, doc.lang), doc)
    if isinstance(node, Phrase):
        return sequence_spans(an.lemmas(node.text, doc.lang), doc)
    if isinstance(node, Prefix):
        return [(p, p + 1) for p in doc.prefix_positions(an.prefix(node.text))]
    if isinstance(node, Or):
        found = {span for child in node.children for span in spans(child, doc, an)}
        return sorted(found)
    if isinstance(node, Near):
        return near_windows(node, doc, an)
    raise TypeError(f"{type(node).__name__} has no positions")


def near_windows(node: Near, doc: MatchDoc, an: Analyzer) -> list[Span]:
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
    if type(node) is Term:  # the commonest subscription: one word
        tokens = an.lemmas(node.text, doc.lang)
        if len(tokens) == 1:
            return (Hit(_label(node), tuple(doc.positions[tokens[0]])),)
    found: dict[str, list[int]] = {}
    _collect(node, doc, an, found, None)
    if len(found) == 1:
        for term, positions in found.items():
            return (Hit(term, tuple(positions) if len(positions) < 2 else _norm(positions)),)
    return tuple([Hit(term, _norm(found[term])) for term in sorted(found)])


def _norm(positions: list[int]) -> tuple[int, ...]:
    return tuple(sorted(set(positions)))


_LABEL_LIMIT = 1_000_000
_labels: dict[Node, str] = {}
_text_labels: dict[type, dict[str, str]] = {Term: {}, Phrase: {}, Prefix: {}}


def _label(node: Node) -> str:
    """``str(node)``, cached (leaves by their text: cheaper to hash than the node)."""
    table = _text_labels.get(type(node))
    if table is not None:
        text: str = node.text  # type: ignore[union-attr]
        label = table.get(text)
        if label is None:
            if len(table) > _LABEL_LIMIT:
                table.clear()
            label = table[text] = str(node)
        return label
    label = _labels.get(node)
    if label is None:
        if len(_labels) > _LABEL_LIMIT:
            _labels.clear()
        label = _labels[node] = str(node)
    return label


_LEAVES = frozenset({Term, Phrase, Prefix})


def _collect(
    node: Node,
    doc: MatchDoc,
    an: Analyzer,
    found: dict[str, list[int]],
    within: list[Span] | None,
) -> None:
    kind = type(node)
    if kind is Term or kind is Phrase:
        tokens = an.lemmas(node.text, doc.lang)  # type: ignore[union-attr]
        if len(tokens) == 1 and within is None:
            positions: list[int] = doc.positions.get(tokens[0], [])
        else:
            positions = _inside(sequence_spans(tokens, doc), within)
    elif kind is Prefix:
        positions = doc.prefix_positions(an.prefix(node.text))  # type: ignore[union-attr]
        if within is not None:
            positions = _inside([(p, p + 1) for p in positions], within)
    elif isinstance(node, And):
        for child in node.children:
            _collect(child, doc, an, found, within)
        return
    elif isinstance(node, Or):
        for child in node.children:
            # A leaf that does not match adds nothing; anything else is tested first
            # (the left side of a half-matching AND must not be reported).
            if within is not None or type(child) in _LEAVES or test(child, doc, an):
                _collect(child, doc, an, found, within)
        return
    elif isinstance(node, Near):
        windows = near_windows(node, doc, an)
        if within is not None:
            windows = [w for w in windows if any(a <= w[0] and w[1] <= b for a, b in within)]
        _collect(node.left, doc, an, found, windows)
        _collect(node.right, doc, an, found, windows)
        return
    elif isinstance(node, Filter):
        found.setdefault(_label(node), [])
        return
    else:  # Not: nothing positive to report
        return
    if positions:
        label = _label(node)
        if label in found:
            found[label] = found[label] + positions
        else:
            found[label] = positions


def _inside(spans: list[Span], within: list[Span] | None) -> list[int]:
    """The token positions covered by ``spans`` that lie inside one of the windows."""
    return [
        p
        for start, end in spans
        if within is None or any(a <= start and end <= b for a, b in within)
        for p in range(start, end)
    ]
