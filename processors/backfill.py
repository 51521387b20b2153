"""Backfill a subscription: the alerts it would have fired on articles already indexed.

Elasticsearch narrows the candidates with the translated query; the stream matcher —
the very code the alert agent runs — then decides and finds the matched terms, so a
backfilled alert is exactly the alert the stream would have sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsradar.records import Alert, Subscription, TaggedArticle, encode
from newsradar.settings import Settings
from newsradar.topology import ALERTS, topic_name
from processors.alert_stage import SubscriptionIndex, alert_document
from processors.index_stage import bulk_operations

PAGE = 500


@dataclass
class BackfillReport:
    candidates: int = 0
    alerts: list[Alert] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)  # ES said yes, matcher said no


def article_from_source(source: dict[str, Any]) -> TaggedArticle:
    fields = set(TaggedArticle._options.fields)
    return TaggedArticle(**{k: v for k, v in source.items() if k in fields})


def candidates(es: Any, index: str, query: str, since: datetime) -> Iterator[dict[str, Any]]:
    from newsradar.query.es import search_body

    body = search_body(query, since=since, size=PAGE)
    after: list[Any] | None = None
    while True:
        page = dict(body, search_after=after) if after else body
        hits = es.search(index=index, **page)["hits"]["hits"]
        yield from (hit["_source"] for hit in hits)
        if len(hits) < PAGE:
            return
        after = hits[-1]["sort"]


def backfill(
    settings: Settings, sub: Subscription, since: datetime, *, dry_run: bool = False
) -> BackfillReport:
    from kafka import KafkaProducer

    from newsradar.es import es_client

    index = SubscriptionIndex()
    index.apply(sub.id.encode(), encode(Subscription(**{**sub.asdict(), "paused": False})))
    report = BackfillReport()
    es = es_client(settings)
    producer = None if dry_run else KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=20
    )  # fmt: skip
    try:
        for source in candidates(es, settings.index_alias, sub.query, since):
            report.candidates += 1
            found = index.alerts_for(article_from_source(source))
            if not found:
                report.disagreements.append(str(source.get("id")))
            report.alerts += found
        if producer is not None and report.alerts:
            topic = topic_name(settings, ALERTS)
            for alert in report.alerts:
                producer.send(topic, key=alert.subscription_id.encode(), value=encode(alert))
            producer.flush(timeout=60)
            docs = [alert_document(a) for a in report.alerts]
            es.bulk(operations=bulk_operations(settings.alerts_index_alias, docs))
    finally:
        es.close()
        if producer is not None:
            producer.close()
    return report
