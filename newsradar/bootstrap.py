"""Create what the pipeline needs: Kafka topics and the Elasticsearch index + alias.

Idempotent: running it again changes nothing that exists (missing pieces are added).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsradar.settings import Settings
from newsradar.topology import topic_specs

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy"
ARTICLES_TEMPLATE = DEPLOY_DIR / "elasticsearch" / "articles-template.json"
INDEX_VERSION = 1


@dataclass
class BootstrapReport:
    topics_created: list[str] = field(default_factory=list)
    topics_existing: list[str] = field(default_factory=list)
    index: str = ""
    index_created: bool = False


def articles_template(settings: Settings) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(ARTICLES_TEMPLATE.read_text())
    template["index_patterns"] = [f"{settings.index_alias}-*"]
    index_settings = template["template"]["settings"]
    index_settings["number_of_shards"] = settings.index_shards
    index_settings["number_of_replicas"] = settings.index_replicas
    return template


def concrete_index(settings: Settings) -> str:
    return f"{settings.index_alias}-v{INDEX_VERSION}"


def ensure_topics(settings: Settings, report: BootstrapReport, timeout_s: float = 60.0) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import KafkaError, TopicAlreadyExistsError

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=settings.kafka_bootstrap,
                client_id="newsradar-bootstrap",
                request_timeout_ms=10_000,
            )
            break
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    try:
        existing = set(admin.list_topics())
        for spec in topic_specs(settings):
            if spec.name in existing:
                report.topics_existing.append(spec.name)
                continue
            try:
                admin.create_topics(
                    [NewTopic(spec.name, spec.partitions, 1, topic_configs=spec.configs)]
                )
                report.topics_created.append(spec.name)
            except TopicAlreadyExistsError:
                report.topics_existing.append(spec.name)
    finally:
        admin.close()


def ensure_index(settings: Settings, report: BootstrapReport) -> None:
    from newsradar.es import es_client

    es = es_client(settings)
    try:
        es.indices.put_index_template(
            name=f"{settings.index_alias}-template", body=articles_template(settings)
        )
        index = concrete_index(settings)
        report.index = index
        if not es.indices.exists(index=index):
            es.indices.create(index=index, aliases={settings.index_alias: {"is_write_index": True}})
            report.index_created = True
        es.cluster.health(index=index, wait_for_status="yellow", timeout="30s")
    finally:
        es.close()


def bootstrap(settings: Settings) -> BootstrapReport:
    report = BootstrapReport()
    ensure_topics(settings, report)
    ensure_index(settings, report)
    return report
