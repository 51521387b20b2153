"""Translate a query to the Elasticsearch query DSL over the ``lemmas`` field.

Only core query types are used (``bool``, ``term``, ``terms``, ``prefix``, ``match_phrase``,
``span_near``/``span_term``/``span_or``/``span_multi``, ``match_none``), so the minimal test
distribution serves them: no scripts, no percolator.

Semantics agree with the stream matcher (:mod:`newsradar.query.matcher`), which lemmatises
a query term in the *article's* language. The index holds many languages, so the query is
translated once per supported language and once for "unknown" (``None``: the article's
language is missing or unsupported); translations that come out the same are merged, and
each is restricted to its articles with a ``terms`` filter on ``lang``::

    should: [ {lang ∈ {uk}: query-as-uk}, {lang ∈ {en, de, …}: query-as-en}, …,
              {lang ∉ supported: query-as-unknown} ]

A query without terms or phrases (filters, wildcards) needs no split. Phrases use
``match_phrase`` (the field is whitespace-analysed, lemmas never contain spaces);
``a NEAR/n b`` is an unordered ``span_near`` with ``slop = n``, phrases inside it an ordered
``span_near`` with ``slop = 0``, wildcards inside it ``span_multi`` over ``prefix``.
Keyword filters use ``term`` with ``case_insensitive`` (ASCII-only in Elasticsearch; the
stream matcher folds any script).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from newsradar.query.analysis import Analyzer, default_analyzer
from newsradar.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Prefix, Term, leaves
from newsradar.query.parser import parse_query

Query = dict[str, Any]
MATCH_NONE: Query = {"match_none": {}}

# Filter field -> keyword field in the articles index.
FILTER_FIELDS = {"country": "countries", "lang": "lang", "topic": "topics", "source": "source"}


def to_es(
    query: Node | str,
    analyzer: Analyzer | None = None,
    field: str = "lemmas",
    lang_field: str = "lang",
) -> Query:
    """The Elasticsearch query that matches the same articles as the stream matcher."""
    node = parse_query(query) if isinstance(query, str) else query
    an = analyzer or default_analyzer()
    if not any(isinstance(leaf, Term | Phrase) for leaf in leaves(node)):
        return _Translator(an, None, field).node(node)
    supported = sorted(an.languages)
    required = required_langs(node)
    groups: dict[str, tuple[Query, list[str | None]]] = {}
    for lang in [*supported, None]:
        if required is not None and (
            lang not in required if lang is not None else required <= an.languages
        ):
            continue  # the query's own lang: filter rules these articles out
        translated = _Translator(an, lang, field).node(node)
        key = json.dumps(translated, sort_keys=True, ensure_ascii=False)
        groups.setdefault(key, (translated, []))[1].append(lang)
    if not groups:
        return MATCH_NONE
    if len(groups) == 1:  # any article outside it fails the query's own lang: filter
        return next(iter(groups.values()))[0]
    clauses: list[Query] = []
    for translated, langs in groups.values():
        if None in langs:  # unknown language too: "lang is none of the *other* languages"
            others = [lang for lang in supported if lang not in langs]
            restrict: Query = {"bool": {"must_not": [{"terms": {lang_field: others}}]}}
        else:
            restrict = {"terms": {lang_field: langs}}
        clauses.append({"bool": {"filter": [restrict], "must": [translated]}})
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def required_langs(node: Node) -> set[str] | None:
    """The languages an article must be in to match, from the query's positive ``lang:``
    filters; ``None`` when any language may match."""
    if isinstance(node, Filter):
        return {node.value.lower()} if node.field == "lang" else None
    if isinstance(node, And):
        found: set[str] | None = None
        for child in node.children:
            langs = required_langs(child)
            if langs is not None:
                found = langs if found is None else found & langs
        return found
    if isinstance(node, Or):
        union: set[str] = set()
        for child in node.children:
            langs = required_langs(child)
            if langs is None:
                return None
            union |= langs
        return union
    return None


def search_body(
    query: Node | str,
    analyzer: Analyzer | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    size: int = 20,
    time_field: str = "published_at",
) -> Query:
    """A ``_search`` body for previews and backfills: the translated query restricted to
    ``[since, until)``, newest first."""
    translated = to_es(query, analyzer)
    bounds: dict[str, str] = {}
    if since is not None:
        bounds["gte"] = since.isoformat()
    if until is not None:
        bounds["lt"] = until.isoformat()
    body: Query = {"query": translated}
    if bounds:
        body["query"] = {
            "bool": {"must": [translated], "filter": [{"range": {time_field: bounds}}]}
        }
    body["size"] = size
    body["sort"] = [{time_field: {"order": "desc"}}, {"id": {"order": "asc"}}]
    return body


class _Translator:
    def __init__(self, an: Analyzer, lang: str | None, field: str) -> None:
        self.an = an
        self.lang = lang
        self.field = field

    def node(self, node: Node) -> Query:
        if isinstance(node, Term | Phrase):
            tokens = self.an.lemmas(node.text, self.lang)
            if not tokens:
                return MATCH_NONE
            if len(tokens) == 1:
                return {"term": {self.field: tokens[0]}}
            return {"match_phrase": {self.field: {"query": " ".join(tokens), "slop": 0}}}
        if isinstance(node, Prefix):
            return {"prefix": {self.field: {"value": self.an.prefix(node.text)}}}
        if isinstance(node, Filter):
            value = node.value.upper() if node.field == "country" else node.value.lower()
            field = FILTER_FIELDS[node.field]
            return {"term": {field: {"value": value, "case_insensitive": True}}}
        if isinstance(node, Not):
            return {"bool": {"must_not": [self.node(node.child)]}}
        if isinstance(node, And):
            musts = [self.node(child) for child in node.children]
            if MATCH_NONE in musts:
                return MATCH_NONE
            filters = [
                q for q, c in zip(musts, node.children, strict=True) if isinstance(c, Filter)
            ]
            rest = [
                q for q, c in zip(musts, node.children, strict=True) if not isinstance(c, Filter)
            ]
            body: Query = {}
            if rest:
                body["must"] = rest
            if filters:
                body["filter"] = filters
            return {"bool": body}
        if isinstance(node, Or):
            shoulds = [q for q in (self.node(child) for child in node.children) if q != MATCH_NONE]
            if not shoulds:
                return MATCH_NONE
            return {"bool": {"should": shoulds, "minimum_should_match": 1}}
        span = self.span(node)
        return MATCH_NONE if span is None else span

    def span(self, node: Node) -> Query | None:
        """A span query for a positional node; ``None`` when it can never match."""
        if isinstance(node, Term | Phrase):
            tokens = self.an.lemmas(node.text, self.lang)
            if not tokens:
                return None
            terms = [{"span_term": {self.field: token}} for token in tokens]
            if len(terms) == 1:
                return terms[0]
            return {"span_near": {"clauses": terms, "slop": 0, "in_order": True}}
        if isinstance(node, Prefix):
            prefix = {"prefix": {self.field: {"value": self.an.prefix(node.text)}}}
            return {"span_multi": {"match": prefix}}
        if isinstance(node, Or):
            spans = [s for s in (self.span(child) for child in node.children) if s is not None]
            if not spans:
                return None
            return spans[0] if len(spans) == 1 else {"span_or": {"clauses": spans}}
        if isinstance(node, Near):
            left, right = self.span(node.left), self.span(node.right)
            if left is None or right is None:
                return None
            clauses = [left, right]
            return {"span_near": {"clauses": clauses, "slop": node.distance, "in_order": False}}
        raise TypeError(f"{type(node).__name__} has no positions")
