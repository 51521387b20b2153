"""The stream matcher on hand-made articles, with a toy lemmatiser (see query_support)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from newsradar.query import Hit, MatchDoc, matches, parse_query
from tests.unit.query_support import doc, toy_analyzer

AN = toy_analyzer()

UK = doc(
    "Москва і Пхеньян заперечують продаж зброї. Угода про зброю. "
    "Технології для атомних підводних човнів.",
    lang="uk",
    countries=("KP", "RU", "US"),
    topics=("weapons",),
    source="Ukrinform",
)
EN = doc("New sanctions on Russian oil exports were announced today.", countries=("RU",))


@pytest.mark.parametrize(
    ("query", "article", "expected"),
    [
        ("зброя", UK, True),
        ("ЗБРОЯ", UK, True),
        ('"підводний човен"', UK, True),
        ('"човен підводний"', UK, False),
        ("зброя AND country:KP", UK, True),
        ("зброя AND country:CN", UK, False),
        ("зброя country:kp topic:Weapons source:ukrinform lang:UK", UK, True),
        ("зброя AND lang:en", UK, False),
        ("зброя OR country:CN", UK, True),
        ("NOT country:CN", UK, True),
        ("NOT зброя", UK, False),
        ("зброя AND NOT (country:CN OR topic:sport)", UK, True),
        ("підвод*", UK, True),
        ("підводні*", UK, False),  # lemma is підводний: prefixes see lemmas, not surface forms
        ("продаж NEAR/1 зброя", UK, True),
        ("зброя NEAR/0 продаж", UK, True),  # either order
        ("москва NEAR/1 продаж", UK, False),  # 3 tokens between
        ("москва NEAR/3 продаж", UK, True),
        ('атомний NEAR/0 "підводний човен"', UK, False),  # lemma of атомних is not known
        ('атомних NEAR/0 "підводний човен"', UK, True),
        ("(москва OR зброя) NEAR/1 угода", UK, True),
        ("sanction* NEAR/5 oil", EN, True),
        ("sanction NEAR/2 oil", EN, True),
        ("sanction NEAR/1 oil", EN, False),
        ("sanctions", EN, True),  # the query word is lemmatised too
        ("(sanction NEAR/2 oil) NEAR/2 today", EN, False),
        ("(sanction NEAR/2 oil) NEAR/3 today", EN, True),
        ("(sanction NEAR/2 oil) NEAR/2 announced", EN, True),
        ("weapon", EN, False),
    ],
)
def test_matches(query: str, article: MatchDoc, expected: bool) -> None:
    assert matches(query, article, AN).matched is expected


def test_terms_are_lemmatised_in_the_articles_language() -> None:
    # "sanctions" is an English inflected form: in a German article it stays as it is.
    de = doc("Neue Sanktionen und sanctions", lang="de")
    assert matches("sanktion", de, AN)
    assert matches("sanctions", de, AN)
    assert not matches("sanction", de, AN)


def test_unsupported_language_is_analysed_as_unknown() -> None:
    it = doc("sanctions", lang="it")
    assert matches("sanctions", it, AN)
    assert not matches("sanction", it, AN)


def test_hits_name_the_terms_and_their_token_positions() -> None:
    result = matches('зброя AND "підводний човен" AND country:KP AND NOT country:CN', UK, AN)
    assert result.matched
    positions = {hit.term: hit.positions for hit in result.hits}
    tokens = UK.tokens
    assert [tokens[p] for p in positions["зброя"]] == ["зброя", "зброя"]
    assert [tokens[p] for p in positions['"підводний човен"']] == ["підводний", "човен"]
    assert positions["country:KP"] == ()
    assert "country:CN" not in positions


def test_near_hits_keep_only_occurrences_inside_the_window() -> None:
    article = doc("oil a b c d e f g sanctions oil")
    result = matches("sanction NEAR/0 oil", article, AN)
    assert result.hits == (Hit("oil", (9,)), Hit("sanction", (8,)))


def test_or_reports_only_the_branches_that_matched() -> None:
    result = matches("зброя OR ракета", UK, AN)
    assert [hit.term for hit in result.hits] == ["зброя"]


def test_no_match_is_falsy_and_has_no_hits() -> None:
    result = matches("ракета", UK, AN)
    assert not result
    assert result.hits == ()


def test_doc_from_a_tagged_article_like_object() -> None:
    tagged = SimpleNamespace(
        lemmas="продаж зброя", lang="uk", countries=["kp"], topics=["Weapons"], source="X"
    )
    article = MatchDoc.from_article(tagged)
    assert article.countries == frozenset({"KP"})
    assert matches("зброя topic:weapons source:x country:KP", article, AN)
    tag_result = SimpleNamespace(lemmas="продаж зброя", lang="uk", countries=[], topics=[])
    assert MatchDoc.from_article(tag_result, source="Y").source == "y"


def test_a_term_the_lemmatiser_splits_matches_as_a_phrase() -> None:
    article = doc("talks at 10:30 and 11 30")
    assert parse_query("10:30") == parse_query("10:30")
    assert matches("10:30", article, AN)
    assert not matches("30:11", article, AN)
