"""The wire records: what goes on a topic comes back the same, bad bytes are refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from newsradar.records import Article, Mention, RecordError, TaggedArticle, decode, encode

NOW = datetime(2023, 9, 19, 7, 32, tzinfo=UTC)


def article(**over: Any) -> Article:
    fields: dict[str, Any] = dict(
        id="a1",
        url="https://x.example/a",
        title="T",
        text="body",
        source="src",
        feed_url="https://x.example/rss",
        published_at=NOW,
        fetched_at=NOW,
        lang="uk",
    )
    fields.update(over)
    return Article(**fields)


def test_article_round_trip() -> None:
    original = article(authors=["A. Author"])
    back = decode(Article, encode(original))
    assert back == original
    assert back.published_at == NOW
    assert back.schema_version == 1


def test_tagged_round_trip_keeps_mentions() -> None:
    tagged = TaggedArticle(
        id="a1",
        url="u",
        title="t",
        text="Лідер Північної Кореї",
        source="s",
        feed_url="f",
        published_at=NOW,
        fetched_at=NOW,
        tagged_at=NOW,
        lang="uk",
        countries=["KP"],
        topics=[],
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
