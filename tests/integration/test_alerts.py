"""Subscriptions fire in the stream: the seed article alerts `зброя` and
`"підводний човен"`, not `зброя AND country:CN`; a new subscription reaches the running
worker without a restart; replays never make a second alert."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from elasticsearch import Elasticsearch
from kafka import KafkaConsumer

from newsradar.records import Alert, decode, encode
from newsradar.settings import Settings
from newsradar.subscriptions import SubscriptionStore, new_subscription
from newsradar.topology import ALERTS, ARTICLES_RAW, topic_name
from tests.factories import make_article
from tests.integration.conftest import Worker, ingest_samples, wait_for
from tests.integration.test_worker_recovery import produce


def alerts_on_topic(settings: Settings, min_count: int, timeout_s: float = 60) -> list[Alert]:
    consumer = KafkaConsumer(
        topic_name(settings, ALERTS), bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest", group_id=None, consumer_timeout_ms=3000,
    )  # fmt: skip
    out: list[Alert] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(out) < min_count and time.monotonic() < deadline:
            out += [decode(Alert, m.value) for m in consumer]
    finally:
        consumer.close()
    return out


def alert_ids_in_index(es: Elasticsearch, settings: Settings) -> list[str]:
    es.indices.refresh(index=settings.alerts_index_alias)
    hits = es.search(index=settings.alerts_index_alias, size=1000)["hits"]["hits"]
    return [h["_id"] for h in hits]


def test_subscriptions_fire_in_the_stream(
    pipeline: Settings, worker: Worker, es: Elasticsearch
) -> None:
    store = SubscriptionStore(pipeline)
    for sub_id, query in (
        ("weapons", "зброя"),
        ("submarine", '"підводний човен"'),
        ("weapons-cn", "зброя AND country:CN"),
    ):
        store.create(new_subscription(query, sub_id=sub_id))

    assert ingest_samples(pipeline).returncode == 0
    worker.start()
    alerts = alerts_on_topic(pipeline, 2)
    fired = {a.subscription_id for a in alerts}
    assert fired == {"weapons", "submarine"}
    weapons = next(a for a in alerts if a.subscription_id == "weapons")
    assert weapons.matched_terms[0].term == "зброя"
    assert weapons.countries == ["KP", "RU", "US"]
    wait_for(lambda: len(alert_ids_in_index(es, pipeline)) == 2, 30, "alerts in the index", worker)

    # a subscription created now reaches the running worker without a restart
    store.create(new_subscription("sanction* AND country:RU", sub_id="sanctions"))
    time.sleep(2.0)  # the bound for a change to reach every worker
    now = datetime.now(UTC)
    article = make_article(
        id="late-1",
        title="EU prepares new sanctions",
        text="The European Union prepared new sanctions against Russia on Tuesday.",
        published_at=now,
        fetched_at=now,
        lang="en",
    )
    produce(pipeline, ARTICLES_RAW, [(b"late-1", encode(article))])
    late = wait_for(
        lambda: [a for a in alerts_on_topic(pipeline, 3, 5) if a.subscription_id == "sanctions"],
        30, "the new subscription's alert", worker,
    )  # fmt: skip
    assert late[0].article_id == "late-1"

    # replaying the same article makes no second alert: not on the topic, not in the index
    produce(pipeline, ARTICLES_RAW, [(b"late-1", encode(article))])
    wait_for(lambda: _tagged_count(pipeline, "late-1") == 2, 30, "the replay tagged", worker)
    time.sleep(2)
    on_topic = [a for a in alerts_on_topic(pipeline, 4, 5) if a.article_id == "late-1"]
    assert len(on_topic) == 1
    assert len(alert_ids_in_index(es, pipeline)) == 3
    store.close()


def _tagged_count(settings: Settings, key: str) -> int:
    from newsradar.topology import ARTICLES_TAGGED

    consumer = KafkaConsumer(
        topic_name(settings, ARTICLES_TAGGED), bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest", group_id=None, consumer_timeout_ms=2000,
    )  # fmt: skip
    try:
        return sum(1 for m in consumer if m.key == key.encode())
    finally:
        consumer.close()
