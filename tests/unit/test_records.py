"""The wire records: what goes on a topic comes back the same, bad bytes are refused."""

from __future__ import annotations

import pytest

from newsradar.records import Article, Mention, RecordError, TaggedArticle, decode, encode
from tests.factories import NOW, make_article, make_tagged

article = make_article


def test_article_round_trip() -> None:
    original = article(authors=["A. Author"])
    back = decode(Article, encode(original))
    assert back == original
    assert back.published_at == NOW
    assert back.schema_version == 1


def test_tagged_round_trip_keeps_mentions() -> None:
    tagged = make_tagged(
        text="Лідер Північної Кореї",
        countries=["KP"],
        mentions=[Mention(country="KP", start=6, end=21, surface="Північної Кореї")],
        lemmas="лідер північний корея",
    )
    back = decode(TaggedArticle, encode(tagged))
    assert back.mentions[0].surface == "Північної Кореї"
    assert back.mentions[0].field == "text"
    assert back.countries == ["KP"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "tombstone"),
        (b"\xff\xfe not utf8", "not JSON"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"id": "x"}', r"missing field\(s\): feed_url"),
        (b'{"schema_version": 99, "id": "x"}', "unsupported schema_version 99"),
    ],
)
def test_bad_bytes_are_refused_with_a_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        decode(Article, raw)


def test_bad_date_is_refused() -> None:
    raw = encode(article()).replace(b"2023-09-19T07:32:00+00:00", b"yesterday", 1)
    with pytest.raises(RecordError, match="invalid field value"):
        decode(Article, raw)


def test_unknown_fields_from_newer_producers_are_ignored() -> None:
    raw = encode(article())[:-1] + b', "future_field": 1}'
    assert decode(Article, raw).id == "a1"
