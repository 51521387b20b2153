"""At-least-once plus idempotent writes: SIGKILL the worker mid-stream, lose nothing,
duplicate nothing. Poison messages go to the dead-letter topic with their reason."""

from __future__ import annotations

import json
import random
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer

from newsradar.lag import topic_total
from newsradar.records import Article, DeadLetter, decode, encode
from newsradar.settings import Settings
from newsradar.topology import ARTICLES_RAW, ARTICLES_TAGGED, dlq, topic_name
from tests.integration.conftest import Worker, index_count, wait_for

N_ARTICLES = 4000

SENTENCES = [
    "Уряд Польщі оголосив нові заходи безпеки на кордоні з Білоруссю.",
    "Президент Франції провів переговори з канцлером Німеччини в Берліні.",
    "The United States and Japan signed a new agreement on semiconductor exports.",
    "Министр иностранных дел Турции посетил Анкару и Тегеран.",
    "Rząd Niemiec zapowiedział nowe sankcje wobec Iranu.",
    "El gobierno de España aprobó un nuevo paquete de ayuda para Ucrania.",
    "Le ministre des Affaires étrangères du Maroc a rencontré son homologue algérien.",
]


def synthetic_articles(n: int) -> list[Article]:
    rnd = random.Random(42)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        body = " ".join(rnd.choice(SENTENCES) for _ in range(12))
        out.append(
            Article(
                id=f"kill-test-{i:05d}",
                url=f"https://load.example/{i}",
                title=f"Item {i}",
                text=body,
                source="load",
                feed_url="https://load.example/rss",
                published_at=base + timedelta(minutes=i),
                fetched_at=base,
            )
        )
    return out


def produce(settings: Settings, topic_base: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=20, batch_size=256 * 1024
    )
    topic = topic_name(settings, topic_base)
    for key, value in messages:
        producer.send(topic, key=key, value=value)
    producer.flush(timeout=60)
    producer.close()


def test_sigkill_mid_stream_loses_and_duplicates_nothing(
    pipeline: Settings, worker: Worker, es: Elasticsearch
) -> None:
    articles = synthetic_articles(N_ARTICLES)
    produce(pipeline, ARTICLES_RAW, [(a.id.encode(), encode(a)) for a in articles])

    worker.start()
    at_kill = wait_for(
        lambda: (n := index_count(es, pipeline)) >= N_ARTICLES // 10 and n,
        120,
        "a tenth of the articles",
        worker,
    )
    worker.kill(signal.SIGKILL)
    print(f"killed the worker with {at_kill} of {N_ARTICLES} articles indexed")
    assert at_kill < N_ARTICLES, "worker finished before the kill: the test proves nothing"

    worker.start()
    wait_for(lambda: index_count(es, pipeline) >= N_ARTICLES, 240, "every article", worker)
    es.indices.refresh(index=pipeline.index_alias)
    ids = {
        hit["_id"]
        for hit in es.search(
            index=pipeline.index_alias, size=N_ARTICLES + 100, source=False, sort=["_doc"]
        )["hits"]["hits"]
    }
    assert ids == {a.id for a in articles}
    assert index_count(es, pipeline) == N_ARTICLES


def test_poison_messages_go_to_the_dead_letter_topic(
    pipeline: Settings, worker: Worker, es: Elasticsearch
) -> None:
    good = synthetic_articles(1)[0]
    future = json.loads(encode(good))
    future["schema_version"] = 7
    produce(
        pipeline,
        ARTICLES_RAW,
        [
            (b"p1", b"this is not json"),
            (b"p2", json.dumps(future).encode()),
            (b"p3", b'{"id": "only-an-id"}'),
            (good.id.encode(), encode(good)),
        ],
    )
    produce(pipeline, ARTICLES_TAGGED, [(b"p4", b"\xff\xfe binary garbage")])
    worker.start()
    wait_for(lambda: index_count(es, pipeline) == 1, 120, "the good article", worker)

    raw_dlq = read_all(pipeline, topic_name(pipeline, dlq(ARTICLES_RAW)), 3)
    reasons = {d.key: d.reason for d in raw_dlq}
    assert "not JSON" in reasons["p1"]
    assert "schema_version 7" in reasons["p2"]
    assert "missing field(s)" in reasons["p3"]
    assert all(d.stage == "tag" and d.topic == topic_name(pipeline, ARTICLES_RAW) for d in raw_dlq)
    assert next(d for d in raw_dlq if d.key == "p1").value == "this is not json"

    tagged_dlq = read_all(pipeline, topic_name(pipeline, dlq(ARTICLES_TAGGED)), 1)
    assert tagged_dlq[0].stage == "index"
    assert tagged_dlq[0].value.startswith("base64:")
    assert worker.alive()


def read_all(settings: Settings, topic: str, expected: int) -> list[DeadLetter]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
        group_id=None,
    )
    out: list[DeadLetter] = []
    try:
        for message in consumer:
            out.append(decode(DeadLetter, message.value))
            if len(out) >= expected:
                break
    finally:
        consumer.close()
    assert len(out) == expected, f"{topic}: {len(out)} dead letters, expected {expected}"
    return out


def read_raw_keys(settings: Settings) -> list[bytes]:
    """Every key on articles.raw, from the beginning."""
    consumer = KafkaConsumer(topic_name(settings, ARTICLES_RAW),
                             bootstrap_servers=settings.kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=5_000,
                             group_id=None)  # fmt: skip
    try:
        return [m.key for m in consumer]
    finally:
        consumer.close()


def test_stopping_while_elasticsearch_is_away_loses_nothing(
    pipeline: Settings, tmp_path: Path, es: Elasticsearch
) -> None:
    articles = synthetic_articles(200)
    produce(pipeline, ARTICLES_RAW, [(a.id.encode(), encode(a)) for a in articles])
    away = Worker(pipeline.model_copy(update={"es_url": "http://127.0.0.1:9"}),
                  tmp_path / "away.log")  # fmt: skip
    away.start()
    tagged = topic_name(pipeline, ARTICLES_TAGGED)
    wait_for(lambda: topic_total(pipeline, tagged) >= len(articles), 120,
             "every article tagged", away)  # fmt: skip
    wait_for(lambda: "retrying" in away.log(), 30, "the index agent retrying", away)
    away.kill(signal.SIGTERM)  # a clean stop while the bulk write is still retrying

    back = Worker(pipeline, tmp_path / "back.log")
    back.start()
    try:
        wait_for(lambda: index_count(es, pipeline) == len(articles), 120,
                 "every article indexed after the restart", back)  # fmt: skip
    finally:
        back.kill(signal.SIGTERM)
