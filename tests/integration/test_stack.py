"""The local services answer as what they are, and failures read clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from newsradar.settings import Settings
from newsradar.stack.elasticsearch import ElasticsearchNode
from newsradar.stack.errors import StackError


def test_kafka_python_produces_and_consumes(stack: Settings) -> None:
    topic = "it-stack-roundtrip"
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        if topic not in admin.list_topics():
            admin.create_topics([NewTopic(topic, 1, 1)])
        producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
        producer.send(topic, key=b"k", value="Пхеньян".encode()).get(timeout=30)
        producer.close()
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=stack.kafka_bootstrap,
            auto_offset_reset="earliest",
            consumer_timeout_ms=20_000,
        )
        values = [m.value for m in consumer]
        consumer.close()
        assert "Пхеньян".encode() in values
    finally:
        admin.delete_topics([topic])
        admin.close()


def test_elasticsearch_answers_as_elasticsearch(stack: Settings, es: Elasticsearch) -> None:
    health = es.cluster.health()
    assert health["status"] in ("green", "yellow")
    version = ElasticsearchNode(stack).version()
    assert version == stack.es_version
    # the Python client checks the X-Elastic-Product header on every answer: this call
    # would raise UnsupportedProductError if the server were not Elasticsearch
    assert (
        es.indices.analyze(analyzer="whitespace", text="зброя КНДР")["tokens"][1]["token"] == "КНДР"
    )


def test_an_artifact_maven_cannot_resolve_is_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, es_version="0.0.404")
    with pytest.raises(StackError, match=r"could not resolve .*elasticsearch:0\.0\.404"):
        ElasticsearchNode(settings).download()
