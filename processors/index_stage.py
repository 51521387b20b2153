"""articles.tagged → Elasticsearch: documents and bulk-response triage. Pure logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsradar.records import TaggedArticle

# Item statuses worth retrying: the cluster is busy or briefly unavailable.
RETRYABLE_STATUS = frozenset({429, 502, 503, 504})


def to_document(article: TaggedArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "text": article.text,
        "lang": article.lang,
        "source": article.source,
        "feed_url": article.feed_url,
        "authors": list(article.authors),
        "source_country": article.source_country,
        "tags": list(article.tags),
        "published_at": article.published_at.isoformat(),
        "fetched_at": article.fetched_at.isoformat(),
        "tagged_at": article.tagged_at.isoformat(),
        "indexed_at": datetime.now(UTC).isoformat(),
        "countries": list(article.countries),
        "topics": list(article.topics),
        "lemmas": article.lemmas,
        "mentions": [
            {
                "country": m.country,
                "start": m.start,
                "end": m.end,
                "surface": m.surface,
                "field": m.field,
            }
            for m in article.mentions
        ],
        "tagger": article.tagger,
        "schema_version": article.schema_version,
    }


def bulk_operations(index: str, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``index`` actions keyed by article id: a repeated write replaces, never duplicates."""
    ops: list[dict[str, Any]] = []
    for doc in docs:
        ops.append({"index": {"_index": index, "_id": doc["id"]}})
        ops.append(doc)
    return ops


@dataclass
class BulkOutcome:
    indexed: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    rejected: dict[int, str] = field(default_factory=dict)


def triage_bulk_response(response: dict[str, Any]) -> BulkOutcome:
    """Split a bulk response by item position: indexed, to retry, or rejected with reason."""
    outcome = BulkOutcome()
    for pos, item in enumerate(response.get("items", [])):
        result = next(iter(item.values()))
        status = int(result.get("status", 500))
        if status < 300:
            outcome.indexed.append(pos)
        elif status in RETRYABLE_STATUS:
            outcome.retry.append(pos)
        else:
            error = result.get("error") or {}
            reason = (
                f"{error.get('type', 'error')}: {error.get('reason', '')}"
                if isinstance(error, dict)
                else str(error)
            )
            outcome.rejected[pos] = f"Elasticsearch refused the document ({status}) {reason}"
    return outcome
