"""A presearcher: match one article against many queries without evaluating them all.

The Lucene Monitor (Luwak) idea: for each query, extract a set of *anchors* such that any
article the query matches contains at least one of them; index queries by anchor. For an
article, collect the queries whose anchors it has (its lemma tokens, the prefixes of its
tokens, its filters) and evaluate only those, plus the few queries that cannot be anchored
(a pure ``NOT``, a one-letter prefix after normalisation). The result is exactly the naive
loop's, in the same order; only the work differs.

Anchor extraction, recursively:

- term or phrase → its longest lemma token (any token of it must be present); a term with no
  token can never match, so it has no anchors at all;
- ``word*`` → the prefix, looked up against every prefix of the article's tokens;
- filter → the filter itself (``country:KP`` is an anchor of articles tagged KP);
- ``AND`` / ``NEAR`` → the cheapest anchored operand (terms before prefixes before filters);
- ``OR`` → the union of its operands' anchors (unanchored if any operand is);
- ``NOT`` → unanchored;
- ``AND`` of two or more filters → also the *pair* of its two most selective filters
  (``topic:elections AND lang:pl`` is an anchor only of Polish election articles).

When the anchors alone decide the answer (one-word terms, prefixes, filters, their ORs,
a pair of filters), a candidate is a match without evaluation. Tokens of articles are
looked up through a per-token cache of the ids their term and prefix anchors select (word
frequencies are Zipfian: most tokens of an article have been seen before).

Terms are lemmatised per article language, so anchors are kept per language, each index
built the first time an article in that language arrives (or at :meth:`QueryIndex.prepare`)
and kept up to date afterwards. Building costs one lemmatisation per distinct query word
and language (about 50 µs for an unknown Ukrainian word with pymorphy3, a few µs with
lemmagen3), so a worker with many subscriptions should call ``prepare`` at start-up, and
``gc.freeze()`` after loading, which keeps the index out of the cyclic collector's scans.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from newsradar.query.analysis import Analyzer, default_analyzer
from newsradar.query.ast import And, Filter, Node, Not, Or, Phrase, Prefix, Term
from newsradar.query.matcher import ArticleLike, MatchDoc, MatchResult, explain, test
from newsradar.query.parser import parse_query

K = TypeVar("K", bound=Hashable)

# ("t", token) | ("p", prefix) | (filter field, value) | ("pair", "country=KP|topic=x")
Anchor = tuple[str, str]
Anchors = frozenset[Anchor]

_TOKEN_CACHE_LIMIT = 500_000

# Relative cost of an anchor: how many articles it is likely to let through.
_FILTER_COST = {"source": 8.0, "country": 40.0, "topic": 40.0, "lang": 400.0}


def _cost(anchors: Anchors) -> float:
    total = 0.0
    for kind, value in anchors:
        if kind == "t":
            total += 1.0 + 4.0 / (len(value) + 1)
        elif kind == "p":
            total += 4.0 + 40.0 / (len(value) + 1)
        elif kind == "pair":
            first, second = (part.partition("=")[0] for part in value.split("|", 1))
            total += _FILTER_COST[first] * _FILTER_COST[second] / 4000.0
        else:
            total += _FILTER_COST[kind]
    return total


def extract_anchors(node: Node, lang: str | None, an: Analyzer) -> Anchors | None:
    """Anchors of ``node`` for articles in ``lang``; ``None`` when it cannot be anchored."""
    if isinstance(node, Term | Phrase):
        tokens = an.lemmas(node.text, lang)
        if not tokens:
            return frozenset()
        return frozenset({("t", max(tokens, key=len))})
    if isinstance(node, Prefix):
        prefix = an.prefix(node.text)
        return frozenset({("p", prefix)}) if prefix else None
    if isinstance(node, Filter):
        value = node.value.upper() if node.field == "country" else node.value.lower()
        return frozenset({(node.field, value)})
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        union: set[Anchor] = set()
        for child in node.children:
            found = extract_anchors(child, lang, an)
            if found is None:
                return None
            union.update(found)
        return frozenset(union)
    operands = node.children if isinstance(node, And) else (node.left, node.right)
    best: Anchors | None = None
    for child in operands:
        found = extract_anchors(child, lang, an)
        if found is not None and (best is None or _cost(found) < _cost(best)):
            best = found
    filters = sorted(
        {
            (_FILTER_COST[child.field], _filter_key(child.field, child.value))
            for child in operands
            if isinstance(child, Filter)
        }
    )
    if len(filters) >= 2:  # both filters must hold: anchor on the pair
        pair = frozenset({("pair", "|".join(sorted(key for _, key in filters[:2])))})
        if best is None or _cost(pair) < _cost(best):
            best = pair
    return best


def anchors_decide(node: Node, anchors: Anchors | None, lang: str | None, an: Analyzer) -> bool:
    """Whether having one of ``anchors`` (as extracted for ``node``) already means that
    ``node`` matches, so a candidate needs no evaluation: one-token terms, prefixes, filters,
    ORs of those, and the AND of two filters (anchored on the pair)."""
    if anchors is None:
        return False
    if isinstance(node, Term | Phrase):
        return len(an.lemmas(node.text, lang)) <= 1
    if isinstance(node, Prefix | Filter):
        return True
    if isinstance(node, Or):
        return all(
            anchors_decide(child, extract_anchors(child, lang, an), lang, an)
            for child in node.children
        )
    if isinstance(node, And):
        children = set(node.children)
        return (
            len(children) == 2
            and all(isinstance(child, Filter) for child in children)
            and all(kind == "pair" for kind, _ in anchors)
        )
    return False


def _filter_key(field: str, value: str) -> str:
    return f"{field}={value.upper() if field == 'country' else value.lower()}"


def _doc_filters(doc: MatchDoc) -> list[Anchor]:
    """The article's filter anchors, then every pair of them."""
    keys: list[Anchor] = [("country", c) for c in doc.countries]
    keys.extend(("topic", t) for t in doc.topics)
    if doc.lang:
        keys.append(("lang", doc.lang))
    if doc.source:
        keys.append(("source", doc.source))
    flat = sorted(f"{field}={value}" for field, value in keys)
    keys.extend(
        ("pair", f"{flat[i]}|{flat[j]}") for i in range(len(flat)) for j in range(i + 1, len(flat))
    )
    return keys


def doc_anchors(doc: MatchDoc, prefix_lengths: Iterable[int] = ()) -> set[Anchor]:
    """Every anchor an article has (for tests and diagnostics; the index is more direct)."""
    found: set[Anchor] = {("t", token) for token in doc.positions}
    lengths = sorted(set(prefix_lengths))
    for token in doc.positions:
        found.update(("p", token[:n]) for n in lengths if n <= len(token))
    found.update(_doc_filters(doc))
    return found


@dataclass
class _LangIndex:
    """Anchor -> query ids for one article language. Posting lists are plain lists (most
    hold one or two ids): memory matters at 100,000 queries times seven languages."""

    terms: dict[str, list[int]] = field(default_factory=dict)
    prefixes: dict[str, list[int]] = field(default_factory=dict)
    prefix_lengths: dict[int, int] = field(default_factory=dict)  # length -> how many
    filters: dict[Anchor, list[int]] = field(default_factory=dict)
    always: set[int] = field(default_factory=set)
    decided: set[int] = field(default_factory=set)  # candidates that need no evaluation
    # token -> the ids its term and prefix anchors select: word frequencies are Zipfian,
    # so most tokens of an article were seen before. Kept current when a term anchor comes
    # or goes, cleared when a prefix anchor does.
    by_token: dict[str, list[int]] = field(default_factory=dict)

    def add(self, qid: int, anchors: Anchors | None, decided: bool = False) -> None:
        if decided:
            self.decided.add(qid)
        if anchors is None:
            self.always.add(qid)
            return
        for anchor in anchors:
            kind, value = anchor
            if kind == "t":
                self.terms.setdefault(value, []).append(qid)
                cached = self.by_token.get(value)
                if cached is not None:
                    cached.append(qid)
            elif kind == "p":
                self.by_token.clear()
                self.prefixes.setdefault(value, []).append(qid)
                self.prefix_lengths[len(value)] = self.prefix_lengths.get(len(value), 0) + 1
            else:
                self.filters.setdefault(anchor, []).append(qid)

    def remove(self, qid: int, anchors: Anchors | None) -> None:
        """Undo :meth:`add` (``anchors`` as extracted then: extraction is deterministic)."""
        self.decided.discard(qid)
        if anchors is None:
            self.always.discard(qid)
            return
        for anchor in anchors:
            kind, value = anchor
            if kind == "t":
                _discard(self.terms, value, qid)
                cached = self.by_token.get(value)
                if cached is not None and qid in cached:
                    cached.remove(qid)
            elif kind == "p":
                self.by_token.clear()
                _discard(self.prefixes, value, qid)
                left = self.prefix_lengths[len(value)] - 1
                if left:
                    self.prefix_lengths[len(value)] = left
                else:
                    del self.prefix_lengths[len(value)]
            else:
                _discard(self.filters, anchor, qid)

    def candidates(self, doc: MatchDoc) -> set[int]:
        found = set(self.always)
        by_token = self.by_token
        missing: list[str] = []
        for token in doc.positions:
            hit = by_token.get(token)
            if hit is None:
                missing.append(token)
            elif hit:
                found.update(hit)
        if missing:
            if len(by_token) > _TOKEN_CACHE_LIMIT:
                by_token.clear()
            terms, prefixes = self.terms, self.prefixes
            lengths = sorted(self.prefix_lengths)
            for token in missing:
                ids = list(terms.get(token, ()))
                for n in lengths:
                    if n > len(token):
                        break
                    ids.extend(prefixes.get(token[:n], ()))
                by_token[token] = ids
                found.update(ids)
        filters = self.filters
        if filters:
            for key in _doc_filters(doc):
                hit = filters.get(key)
                if hit:
                    found.update(hit)
        return found


def _discard(table: dict[Any, list[int]], key: Any, qid: int) -> None:
    ids = table.get(key)
    if ids is not None and qid in ids:
        ids.remove(qid)
        if not ids:
            del table[key]


class QueryIndex(Generic[K]):
    """Many queries under caller-chosen keys (subscription ids), matched per article."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or default_analyzer()
        self._next_id = 0
        self._ids: dict[K, int] = {}
        self._queries: dict[int, tuple[K, Node]] = {}
        self._by_lang: dict[str | None, _LangIndex] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def keys(self) -> list[K]:
        return list(self._ids)

    def query(self, key: K) -> Node:
        return self._queries[self._ids[key]][1]

    def add(self, key: K, query: Node | str) -> None:
        """Index ``query`` under ``key``, replacing what ``key`` had (it may not parse:
        :class:`~newsradar.query.parser.QuerySyntaxError` is raised before any change)."""
        node = parse_query(query) if isinstance(query, str) else query
        self.remove(key)
        qid = self._next_id
        self._next_id += 1
        self._ids[key] = qid
        self._queries[qid] = (key, node)
        for lang, index in self._by_lang.items():
            self._add_to(index, qid, node, lang)

    def remove(self, key: K) -> bool:
        """Forget ``key``; ``False`` when it was not there."""
        qid = self._ids.pop(key, None)
        if qid is None:
            return False
        _, node = self._queries.pop(qid)
        for lang, index in self._by_lang.items():
            index.remove(qid, extract_anchors(node, lang, self.analyzer))
        return True

    def _index_for(self, lang: str | None) -> _LangIndex:
        key = self.analyzer.lang_key(lang)
        index = self._by_lang.get(key)
        if index is None:
            index = _LangIndex()
            for qid, (_, node) in self._queries.items():
                self._add_to(index, qid, node, key)
            self._by_lang[key] = index
        return index

    def _add_to(self, index: _LangIndex, qid: int, node: Node, lang: str | None) -> None:
        anchors = extract_anchors(node, lang, self.analyzer)
        index.add(qid, anchors, anchors_decide(node, anchors, lang, self.analyzer))

    def stats(self) -> dict[str, Any]:
        """Counts for operators: queries, and per built language how many are unanchored
        (evaluated for every article) or decided by their anchors alone."""
        return {
            "queries": len(self._ids),
            "languages": {
                str(lang): {
                    "unanchored": len(index.always),
                    "decided_by_anchors": len(index.decided),
                    "term_anchors": len(index.terms),
                    "prefix_anchors": len(index.prefixes),
                    "filter_anchors": len(index.filters),
                    "cached_tokens": len(index.by_token),
                }
                for lang, index in self._by_lang.items()
            },
        }

    def prepare(self, *langs: str | None) -> None:
        """Build the per-language anchor indexes now rather than on the first article."""
        for lang in langs:
            self._index_for(lang)

    def candidates(self, doc: MatchDoc) -> list[K]:
        """Keys of the queries worth evaluating for ``doc``, in insertion order."""
        ids = self._index_for(doc.lang).candidates(doc)
        return [self._queries[qid][0] for qid in sorted(ids)]

    def match(self, doc: MatchDoc) -> list[tuple[K, MatchResult]]:
        """The queries that match ``doc``, in insertion order, with their matched terms."""
        an = self.analyzer
        queries = self._queries
        index = self._index_for(doc.lang)
        decided = index.decided
        out: list[tuple[K, MatchResult]] = []
        for qid in sorted(index.candidates(doc)):
            key, node = queries[qid]
            if qid in decided or test(node, doc, an):
                out.append((key, MatchResult(True, explain(node, doc, an))))
        return out

    def match_naive(self, doc: MatchDoc) -> list[tuple[K, MatchResult]]:
        """The same answer by evaluating every query (the baseline and the test oracle)."""
        an = self.analyzer
        return [
            (key, MatchResult(True, explain(node, doc, an)))
            for key, node in self._queries.values()
            if test(node, doc, an)
        ]


def match_article(
    index: QueryIndex[K], tagged: ArticleLike, source: str | None = None
) -> list[tuple[K, MatchResult]]:
    """Match a tagged article (``TaggedArticle``) against every query in ``index``."""
    return index.match(MatchDoc.from_article(tagged, source))
