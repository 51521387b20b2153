"""The query language: parse, match one article, index many subscriptions, translate to ES.

This package depends only on the records-free language layer (``newsradar.lang``, imported
lazily through :class:`Analyzer`); it never imports the ingest or the processors.
"""

from newsradar.query.analysis import Analyzer, default_analyzer
from newsradar.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Prefix, Term
from newsradar.query.es import search_body, to_es
from newsradar.query.index import QueryIndex, match_article
from newsradar.query.matcher import Hit, MatchDoc, MatchResult, matches
from newsradar.query.parser import QuerySyntaxError, parse_query

__all__ = [
    "Analyzer",
    "And",
    "Filter",
    "Hit",
    "MatchDoc",
    "MatchResult",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "QueryIndex",
    "QuerySyntaxError",
    "Term",
    "default_analyzer",
    "match_article",
    "matches",
    "parse_query",
    "search_body",
    "to_es",
]
