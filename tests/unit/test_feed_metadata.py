"""The feeds file's per-feed metadata travels with every article to the index."""

from __future__ import annotations

from datetime import UTC, datetime

from ingest.parse import parse_feed
from ingest.samples import SAMPLES_DIR
from newsradar.records import Article, TaggedArticle, decode, encode
from processors.index_stage import to_document
from processors.tag_stage import tag_article
from processors.tagging import get_tagger
from tests.factories import make_article


def test_source_country_and_tags_reach_the_document() -> None:
    data = (SAMPLES_DIR / "ukrinform-world.xml").read_bytes()
    parsed = parse_feed(
        data, "https://www.ukrinform.ua/rss/rubric-world", source="Ukrinform",
        fetched_at=datetime.now(UTC), source_country="UA", tags=["news", "ukraine"],
    )  # fmt: skip
    article = decode(Article, encode(parsed.articles[0]))
    assert (article.source_country, article.tags) == ("UA", ["news", "ukraine"])
    tagged = decode(TaggedArticle, encode(tag_article(get_tagger(), article)))
    doc = to_document(tagged)
    assert doc["source_country"] == "UA"
    assert doc["tags"] == ["news", "ukraine"]


def test_records_without_the_new_fields_still_decode() -> None:
    now = datetime.now(UTC)
    old = make_article(lang=None, published_at=now, fetched_at=now)
    raw = encode(old).replace(b'"source_country": null, "tags": [], ', b"")
    assert b"source_country" not in raw
    back = decode(Article, raw)
    assert back.source_country is None and back.tags == []
