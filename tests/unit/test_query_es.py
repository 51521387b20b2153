"""The Elasticsearch translation: its DSL, and agreement with the stream matcher.

Agreement is checked with a small evaluator of the DSL subset the translation uses (Lucene
semantics for term, prefix, match_phrase over a whitespace-analysed field, unordered and
ordered span_near, span_or, span_multi, bool, terms, case-insensitive keyword term).
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from newsradar.query import MatchDoc, matches, parse_query
from newsradar.query.es import to_es
from tests.unit.query_support import toy_analyzer
from tests.unit.test_query_index import random_doc, random_query

AN = toy_analyzer()


def test_single_word_splits_by_language_when_lemmas_differ() -> None:
    dsl = to_es("sanctions", AN)
    should = dsl["bool"]["should"]
    assert dsl["bool"]["minimum_should_match"] == 1
    by_restriction = {str(c["bool"]["filter"][0]): c["bool"]["must"][0] for c in should}
    assert {"terms": {"lang": ["en"]}} in [c["bool"]["filter"][0] for c in should]
    assert {"term": {"lemmas": "sanction"}} in by_restriction.values()
    others = [c for c in should if "must_not" in c["bool"]["filter"][0].get("bool", {})]
    # Every language where "sanctions" stays as it is, and unknown languages, in one clause.
    assert len(others) == 1
    assert others[0]["bool"]["filter"][0]["bool"]["must_not"] == [{"terms": {"lang": ["en"]}}]
    assert others[0]["bool"]["must"] == [{"term": {"lemmas": "sanctions"}}]


def test_language_independent_queries_are_not_split() -> None:
    assert to_es("oil", AN) == {"term": {"lemmas": "oil"}}
    assert to_es("country:kp AND sanc*", AN) == {
        "bool": {
            "must": [{"prefix": {"lemmas": {"value": "sanc"}}}],
            "filter": [{"term": {"countries": {"value": "KP", "case_insensitive": True}}}],
        }
    }


def test_phrase_near_not_or() -> None:
    assert to_es('"new oil"', AN) == {"match_phrase": {"lemmas": {"query": "new oil", "slop": 0}}}
    assert to_es('oil NEAR/3 ("new oil" OR gas*)', AN) == {
        "span_near": {
            "clauses": [
                {"span_term": {"lemmas": "oil"}},
                {
                    "span_or": {
                        "clauses": [
                            {
                                "span_near": {
                                    "clauses": [
                                        {"span_term": {"lemmas": "new"}},
                                        {"span_term": {"lemmas": "oil"}},
                                    ],
                                    "slop": 0,
                                    "in_order": True,
                                }
                            },
                            {"span_multi": {"match": {"prefix": {"lemmas": {"value": "gas"}}}}},
                        ]
                    }
                },
            ],
            "slop": 3,
            "in_order": False,
        }
    }
    sport = {"term": {"topics": {"value": "sport", "case_insensitive": True}}}
    assert to_es("NOT topic:Sport OR source:x", AN) == {
        "bool": {
            "should": [
                {"bool": {"must_not": [sport]}},
                {"term": {"source": {"value": "x", "case_insensitive": True}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_a_term_without_tokens_matches_nothing() -> None:
    assert to_es("—", AN) == {"match_none": {}}
    assert to_es("oil OR —", AN) == {
        "bool": {"should": [{"term": {"lemmas": "oil"}}], "minimum_should_match": 1}
    }
    assert to_es("oil AND —", AN) == {"match_none": {}}
    assert to_es("oil NEAR/2 —", AN) == {"match_none": {}}


# --- a model of the DSL subset, to compare with the stream matcher -------------------


def es_match(q: dict[str, Any], d: MatchDoc, raw: dict[str, Any]) -> bool:
    ((kind, body),) = q.items()
    if kind == "match_none":
        return False
    if kind == "bool":
        ok = all(es_match(c, d, raw) for c in body.get("must", []) + body.get("filter", []))
        ok = ok and not any(es_match(c, d, raw) for c in body.get("must_not", []))
        if "should" in body:
            needed = body.get("minimum_should_match", 0)
            ok = ok and sum(es_match(c, d, raw) for c in body["should"]) >= needed
        return ok
    if kind == "terms":
        ((field, values),) = body.items()
        return any(v in _values(raw, field) for v in values)
    if kind == "term" and "lemmas" not in body:
        ((field, spec),) = body.items()
        wanted = spec["value"].lower()
        return any(str(v).lower() == wanted for v in _values(raw, field))
    return bool(es_spans(q, d))


def _values(raw: dict[str, Any], field: str) -> list[Any]:
    value = raw.get(field)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def es_spans(q: dict[str, Any], d: MatchDoc) -> set[tuple[int, int]]:
    ((kind, body),) = q.items()
    tokens = d.tokens
    if kind in ("term", "span_term"):
        return {(i, i + 1) for i, t in enumerate(tokens) if t == body["lemmas"]}
    if kind == "prefix":
        value = body["lemmas"]["value"]
        return {(i, i + 1) for i, t in enumerate(tokens) if t.startswith(value)}
    if kind == "span_multi":
        return es_spans(body["match"], d)
    if kind == "match_phrase":
        words = body["lemmas"]["query"].split()  # the whitespace analyzer
        n = len(words)
        return {(i, i + n) for i in range(len(tokens)) if list(tokens[i : i + n]) == words}
    if kind == "span_or":
        return set().union(*(es_spans(c, d) for c in body["clauses"]))
    if kind == "span_near":
        found = [es_spans(c, d) for c in body["clauses"]]
        slop = body["slop"]
        out: set[tuple[int, int]] = set()
        if body["in_order"]:  # ordered, each clause after the previous (phrases: slop 0)
            current = found[0]
            for nxt in found[1:]:
                current = {(s1, e2) for s1, e1 in current for s2, e2 in nxt if s2 == e1}
            return current if slop == 0 else set()
        (a, b) = found
        for s1, e1 in a:
            for s2, e2 in b:
                if max(e1, e2) - min(s1, s2) - (e1 - s1) - (e2 - s2) <= slop:
                    out.add((min(s1, s2), max(e1, e2)))
        return out
    raise AssertionError(f"unexpected query type {kind}")


@pytest.mark.parametrize("seed", range(2))
def test_translation_agrees_with_the_stream_matcher(seed: int) -> None:
    rng = random.Random(200 + seed)
    for _ in range(60):
        query = random_query(rng)
        dsl = to_es(query, AN)
        for _ in range(15):
            doc = random_doc(rng)
            raw = {
                "lang": doc.lang,
                "countries": sorted(doc.countries),
                "topics": [t.title() for t in doc.topics],  # case must not matter
                "source": doc.source.upper() or None,
            }
            assert es_match(dsl, doc, raw) == matches(query, doc, AN).matched, (
                str(query),
                doc.tokens,
            )


def test_seed_queries_agree_on_a_ukrainian_doc() -> None:
    doc = MatchDoc(
        ["продаж", "зброя", "угода", "підводний", "човен"], "uk", ["KP"], ["weapons"], ""
    )
    raw = {"lang": "uk", "countries": ["KP"], "topics": ["weapons"]}
    for text in ["зброї", '"підводних човнів"', "зброя AND country:CN", "зброю NEAR/1 продаж"]:
        query = parse_query(text)
        assert es_match(to_es(query, AN), doc, raw) == matches(query, doc, AN).matched


def test_search_body_restricts_time_and_sorts_newest_first() -> None:
    from datetime import UTC, datetime

    from newsradar.query import search_body

    since = datetime(2026, 11, 19, tzinfo=UTC)
    body = search_body("oil", AN, since=since, size=5)
    assert body["size"] == 5
    assert body["sort"][0] == {"published_at": {"order": "desc"}}
    assert body["query"] == {
        "bool": {
            "must": [{"term": {"lemmas": "oil"}}],
            "filter": [{"range": {"published_at": {"gte": "2026-11-19T00:00:00+00:00"}}}],
        }
    }
    assert search_body("oil", AN)["query"] == {"term": {"lemmas": "oil"}}


def test_a_lang_filter_prunes_the_other_languages() -> None:
    assert to_es("sanctions AND lang:en", AN) == {
        "bool": {
            "must": [{"term": {"lemmas": "sanction"}}],
            "filter": [{"term": {"lang": {"value": "en", "case_insensitive": True}}}],
        }
    }
    assert to_es("sanctions AND lang:en AND lang:de", AN) == {"match_none": {}}
    both = to_es("sanctions AND (lang:en OR lang:de)", AN)
    assert [c["bool"]["filter"][0] for c in both["bool"]["should"]] == [
        {"terms": {"lang": ["de"]}},
        {"terms": {"lang": ["en"]}},
    ]
    # An unsupported language keeps the "unknown language" translation.
    assert to_es("sanctions AND lang:it", AN)["bool"]["must"] == [{"term": {"lemmas": "sanctions"}}]
