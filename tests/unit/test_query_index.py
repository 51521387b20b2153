"""The presearcher gives exactly the naive loop's answer, for generated queries and docs."""

from __future__ import annotations

import random

import pytest

from newsradar.query import MatchDoc, matches, parse_query
from newsradar.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Prefix, Term
from newsradar.query.index import QueryIndex, doc_anchors, extract_anchors, match_article
from tests.unit.query_support import FORMS, toy_analyzer

AN = toy_analyzer()
WORDS = [
    "oil", "sanction", "sanctions", "weapons", "run", "ran", "зброя", "зброї", "ракетами",
    "ракета", "човен", "waffen", "sanktion", "a", "bb", "ccc", "dddd", "oilfield",
]  # fmt: skip
LANGS = ["en", "uk", "de", "pl", None]
COUNTRIES = ["KP", "RU", "US", "CN"]
TOPICS = ["weapons", "elections", "energy"]
SOURCES = ["ukrinform", "reuters"]


def random_positional(rng: random.Random, depth: int) -> Node:
    roll = rng.random()
    if roll < 0.5 or depth > 2:
        return Term(rng.choice(WORDS))
    if roll < 0.65:
        return Prefix(rng.choice(["oi", "sanc", "зб", "ра", "wa", "cc", "dd"]))
    if roll < 0.8:
        return Phrase(" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 3))))
    if roll < 0.9:
        return Or((random_positional(rng, depth + 1), random_positional(rng, depth + 1)))
    left, right = random_positional(rng, depth + 1), random_positional(rng, depth + 1)
    return Near(left, right, rng.randint(0, 4))


def random_query(rng: random.Random, depth: int = 0) -> Node:
    roll = rng.random()
    if depth > 3 or roll < 0.35:
        return random_positional(rng, depth)
    if roll < 0.5:
        field = rng.choice(["country", "lang", "topic", "source"])
        values = {
            "country": COUNTRIES,
            "lang": [lang for lang in LANGS if lang],
            "topic": TOPICS,
            "source": SOURCES,
        }[field]
        return Filter(field, rng.choice(values))  # type: ignore[arg-type]
    if roll < 0.7:
        return And(tuple(random_query(rng, depth + 1) for _ in range(rng.randint(2, 3))))
    if roll < 0.88:
        return Or(tuple(random_query(rng, depth + 1) for _ in range(rng.randint(2, 3))))
    return Not(random_query(rng, depth + 1))


def random_doc(rng: random.Random) -> MatchDoc:
    lang = rng.choice(LANGS)
    forms = FORMS.get(lang, {})
    words = [rng.choice(WORDS) for _ in range(rng.randint(0, 25))]
    return MatchDoc(
        [forms.get(word, word) for word in words],
        lang,
        rng.sample(COUNTRIES, rng.randint(0, 2)),
        rng.sample(TOPICS, rng.randint(0, 1)),
        rng.choice(["", *SOURCES]),
    )


@pytest.mark.parametrize("seed", range(2))
def test_index_equals_the_naive_loop(seed: int) -> None:
    rng = random.Random(seed)
    index: QueryIndex[int] = QueryIndex(AN)
    queries = [random_query(rng) for _ in range(400)]
    for key, query in enumerate(queries):
        assert parse_query(str(query)) is not None  # generated trees are expressible
        index.add(key, query)
    evaluated = 0
    for round_ in range(100):
        doc = random_doc(rng)
        expected = index.match_naive(doc)
        assert index.match(doc) == expected
        assert sorted(expected, key=lambda pair: pair[0]) == [
            (key, result) for key, q in enumerate(queries) if (result := matches(q, doc, AN))
        ]
        evaluated += len(index.candidates(doc))
        if round_ % 10 == 0:  # churn: replace and remove some queries between articles
            for key in rng.sample(range(len(queries)), 20):
                queries[key] = random_query(rng)
                index.add(key, queries[key])
            gone = rng.randrange(len(queries))
            assert index.remove(gone)
            assert gone not in index
            queries[gone] = random_query(rng)
            index.add(gone, queries[gone])
    # The presearcher must actually prune: far fewer evaluations than queries x docs.
    assert evaluated < 0.7 * 100 * len(queries)


@pytest.mark.parametrize("seed", range(3))
def test_a_matching_doc_always_has_one_of_the_query_anchors(seed: int) -> None:
    rng = random.Random(100 + seed)
    for _ in range(3000):
        query, doc = random_query(rng), random_doc(rng)
        if not matches(query, doc, AN):
            continue
        anchors = extract_anchors(query, AN.lang_key(doc.lang), AN)
        if anchors is not None:
            lengths = [len(value) for kind, value in anchors if kind == "p"]
            assert anchors & doc_anchors(doc, lengths), (str(query), doc.tokens)


def test_anchor_choice() -> None:
    def anchors(text: str, lang: str | None = "en") -> object:
        return extract_anchors(parse_query(text), lang, AN)

    assert anchors("sanctions") == {("t", "sanction")}
    assert anchors("sanctions", "de") == {("t", "sanctions")}
    assert anchors("oil AND lang:en") == {("t", "oil")}
    assert anchors("lang:en AND topic:energy") == {("pair", "lang=en|topic=energy")}
    assert anchors("oil AND lang:en AND topic:energy") == {("t", "oil")}
    assert anchors("oil OR gas*") == {("t", "oil"), ("p", "gas")}
    assert anchors("oil OR NOT gas") is None
    assert anchors("NOT gas") is None
    assert anchors("oil AND NOT gas") == {("t", "oil")}
    assert anchors('"the oilfield"') == {("t", "oilfield")}


def test_remove_and_replace() -> None:
    index: QueryIndex[str] = QueryIndex(AN)
    index.add("s1", "oil")
    index.add("s2", "oil AND country:RU")
    index.add("s3", "NOT oil")
    doc = MatchDoc(["oil"], "en", ["RU"])
    assert [key for key, _ in index.match(doc)] == ["s1", "s2"]
    index.add("s1", "gas")
    assert [key for key, _ in index.match(doc)] == ["s2"]
    assert index.remove("s2")
    assert not index.remove("s2")
    assert index.match(doc) == []
    assert [key for key, _ in index.match(MatchDoc(["gas"], "en"))] == ["s3", "s1"]
    assert len(index) == 2 and "s3" in index


def test_match_article_reads_a_tagged_article() -> None:
    class Tagged:
        lemmas = "sanction on oil"
        lang = "en"
        countries = ("RU",)
        topics = ("energy",)
        source = "Reuters"

    index: QueryIndex[str] = QueryIndex(AN)
    index.add("a", "sanctions NEAR/1 oil AND source:reuters")
    [(key, result)] = match_article(index, Tagged())
    assert key == "a"
    assert {hit.term for hit in result.hits} == {"sanctions", "oil", "source:reuters"}


def test_changes_after_articles_were_seen_are_picked_up() -> None:
    index: QueryIndex[str] = QueryIndex(AN)
    index.add("p", "oi*")
    doc = MatchDoc(["oil", "gas"], "en")
    assert [key for key, _ in index.match(doc)] == ["p"]  # the token cache is warm now
    index.add("t", "gas")
    index.add("t2", "oil AND gas")
    assert [key for key, _ in index.match(doc)] == ["p", "t", "t2"]
    index.remove("t")
    index.add("p2", "ga*")
    assert [key for key, _ in index.match(doc)] == ["p", "t2", "p2"]
    index.remove("p")
    index.remove("t2")
    assert [key for key, _ in index.match(doc)] == ["p2"]
    assert index.match(doc) == index.match_naive(doc)


def test_which_anchors_decide_the_match() -> None:
    from newsradar.query.index import anchors_decide

    def decided(text: str) -> bool:
        node = parse_query(text)
        return anchors_decide(node, extract_anchors(node, "en", AN), "en", AN)

    assert decided("oil")
    assert decided("oil OR gas* OR country:KP")
    assert decided("topic:energy AND lang:en")
    assert not decided("topic:energy AND lang:en AND country:KP")
    assert not decided("oil AND gas")
    assert not decided('"crude oil"')
    assert not decided("oil NEAR/2 gas")
    assert not decided("NOT oil")
    assert not decided("oil OR NOT gas")


def test_stats_count_what_operators_need() -> None:
    index: QueryIndex[str] = QueryIndex(AN)
    index.add("a", "oil")
    index.add("b", "NOT oil")
    index.add("c", "oil AND gas")
    index.prepare("en", None)
    stats = index.stats()
    assert stats["queries"] == 3
    assert stats["languages"]["en"]["unanchored"] == 1
    assert stats["languages"]["en"]["decided_by_anchors"] == 1
    assert set(stats["languages"]) == {"en", "None"}
