"""articles.tagged → alerts: match each article against every active subscription.

Pure logic: the subscriptions live in an in-memory presearcher index
(:class:`~newsradar.query.index.QueryIndex`) that follows the ``subscriptions`` topic.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from newsradar.query.index import QueryIndex, match_article
from newsradar.query.parser import QuerySyntaxError
from newsradar.records import Alert, MatchedTerm, Subscription, TaggedArticle
from newsradar.subscriptions.store import apply_change

SNIPPET_CHARS = 280


def alert_id(subscription_id: str, article_id: str) -> str:
    """Stable per (subscription, article): replays rewrite, never duplicate."""
    return hashlib.sha256(f"{subscription_id}\x00{article_id}".encode()).hexdigest()[:32]


class SubscriptionIndex:
    """Active subscriptions and their presearcher index, updated change by change."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, Subscription] = {}
        self.queries: QueryIndex[str] = QueryIndex()
        self.rejected: dict[str, str] = {}  # id → why it is not matched

    def __len__(self) -> int:
        return len(self.queries)

    def apply(self, key: bytes | None, value: bytes | None) -> None:
        """Fold one message of the ``subscriptions`` topic in."""
        sub_id = key.decode("utf-8", errors="replace") if key is not None else ""
        previous = self.subscriptions.get(sub_id)
        apply_change(self.subscriptions, key, value)
        sub = self.subscriptions.get(sub_id)
        if sub is None or sub.paused:
            self.queries.remove(sub_id)
            self.rejected.pop(sub_id, None)
            return
        if previous is sub:  # an unreadable record left the old one in place
            return
        try:
            self.queries.add(sub_id, sub.query)
            self.rejected.pop(sub_id, None)
        except QuerySyntaxError as exc:  # stored by an older version, or by hand
            self.queries.remove(sub_id)
            self.rejected[sub_id] = str(exc)

    def alerts_for(self, article: TaggedArticle, now: datetime | None = None) -> list[Alert]:
        now = now or datetime.now(UTC)
        out = []
        for sub_id, result in match_article(self.queries, article, article.source):
            sub = self.subscriptions[sub_id]
            out.append(
                Alert(
                    id=alert_id(sub_id, article.id),
                    subscription_id=sub_id,
                    subscription_name=sub.name,
                    query=sub.query,
                    article_id=article.id,
                    url=article.url,
                    title=article.title,
                    source=article.source,
                    lang=article.lang,
                    countries=list(article.countries),
                    topics=list(article.topics),
                    published_at=article.published_at,
                    matched_at=now,
                    matched_terms=[
                        MatchedTerm(term=hit.term, positions=list(hit.positions))
                        for hit in result.hits
                    ],
                    snippet=article.text[:SNIPPET_CHARS],
                )
            )
        return out


def alert_document(alert: Alert) -> dict[str, object]:
    return {
        "id": alert.id,
        "subscription_id": alert.subscription_id,
        "subscription_name": alert.subscription_name,
        "query": alert.query,
        "article_id": alert.article_id,
        "url": alert.url,
        "title": alert.title,
        "source": alert.source,
        "lang": alert.lang,
        "countries": list(alert.countries),
        "topics": list(alert.topics),
        "published_at": alert.published_at.isoformat(),
        "matched_at": alert.matched_at.isoformat(),
        "matched_terms": [
            {"term": t.term, "positions": list(t.positions)} for t in alert.matched_terms
        ],
        "snippet": alert.snippet,
        "schema_version": alert.schema_version,
    }
