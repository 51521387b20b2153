"""Records for tests: every required field filled in, any of them overridden by keyword."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newsradar.records import Article, TaggedArticle

NOW = datetime(2023, 9, 19, 7, 32, tzinfo=UTC)


def make_article(**over: Any) -> Article:
    """An article as ingest produces it; ``published_at``/``fetched_at`` default to NOW."""
    fields: dict[str, Any] = {
        "id": "a1",
        "url": "https://x.example/a",
        "title": "T",
        "text": "body",
        "source": "src",
        "feed_url": "https://x.example/rss",
        "published_at": NOW,
        "fetched_at": NOW,
        "lang": "uk",
    }
    fields.update(over)
    return Article(**fields)


def make_tagged(**over: Any) -> TaggedArticle:
    """A tagged article as the tag stage produces it (no countries or topics unless given)."""
    fields: dict[str, Any] = make_article().asdict()
    fields.pop("schema_version", None)
    fields.update({"tagged_at": NOW, "countries": [], "topics": [], "mentions": [], "lemmas": ""})
    fields.update(over)
    return TaggedArticle(**fields)
