"""Create what the pipeline needs: Kafka topics and the Elasticsearch index + alias.

Idempotent: running it again changes nothing that exists (missing pieces are added).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsradar.reindex import write_index
from newsradar.settings import Settings
from newsradar.topology import topic_specs

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy"
ARTICLES_TEMPLATE = DEPLOY_DIR / "elasticsearch" / "articles-template.json"
ALERTS_TEMPLATE = DEPLOY_DIR / "elasticsearch" / "alerts-template.json"
INDEX_VERSION = 1


@dataclass
class BootstrapReport:
    topics_created: list[str] = field(default_factory=list)
    topics_existing: list[str] = field(default_factory=list)
    index: str = ""
    index_created: bool = False


def _template(path: Path, alias: str, settings: Settings) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(path.read_text())
    template["index_patterns"] = [f"{alias}-*"]
    index_settings = template["template"]["settings"]
    index_settings["number_of_shards"] = settings.index_shards
    index_settings["number_of_replicas"] = settings.index_replicas
    return template


def articles_template(settings: Settings) -> dict[str, Any]:
    return _template(
        settings.templates_dir / ARTICLES_TEMPLATE.name, settings.index_alias, settings
    )


def alerts_template(settings: Settings) -> dict[str, Any]:
    return _template(
        settings.templates_dir / ALERTS_TEMPLATE.name, settings.alerts_index_alias, settings
    )


def first_index(alias: str) -> str:
    """The concrete index ``init`` creates behind ``alias``; ``reindex`` moves on from it."""
    return f"{alias}-v{INDEX_VERSION}"


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
                    [
                        NewTopic(
                            spec.name,
                            spec.partitions,
                            settings.topic_replication_factor,
                            topic_configs=spec.configs,
                        )
                    ]
                )
                report.topics_created.append(spec.name)
            except TopicAlreadyExistsError:
                report.topics_existing.append(spec.name)
    finally:
        admin.close()


def ensure_index(settings: Settings, report: BootstrapReport) -> None:
    """The index templates, and each concrete index behind its write alias."""
    from elasticsearch import BadRequestError

    from newsradar.es import es_client

    es = es_client(settings)
    try:
        for alias, template in (
            (settings.index_alias, articles_template(settings)),
            (settings.alerts_index_alias, alerts_template(settings)),
        ):
            es.indices.put_index_template(name=f"{alias}-template", body=template)
            index = write_index(es, alias) or first_index(alias)
            if es.indices.exists(index=index):
                # fields added to the template since the index was made (additive only; a
                # changed field type needs a new index version: `newsradar reindex`)
                es.indices.put_mapping(
                    index=index, properties=template["template"]["mappings"]["properties"]
                )
            else:
                try:
                    es.indices.create(index=index, aliases={alias: {"is_write_index": True}})
                    if alias == settings.index_alias:
                        report.index_created = True
                except BadRequestError as exc:  # another `init` won the race: same result
                    if exc.error != "resource_already_exists_exception":
                        raise
            es.cluster.health(index=index, wait_for_status="yellow", timeout="30s")
            if alias == settings.index_alias:
                report.index = index
    finally:
        es.close()


def bootstrap(settings: Settings) -> BootstrapReport:
    report = BootstrapReport()
    ensure_topics(settings, report)
    ensure_index(settings, report)
    return report


def teardown(settings: Settings) -> None:
    """Delete what :func:`bootstrap` created for these settings: the topics, the indices
    and their templates. For test runs and benchmarks on a shared cluster (a prefix)."""
    from kafka.admin import KafkaAdminClient

    from newsradar.es import es_client

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        existing = set(admin.list_topics())
        names = [spec.name for spec in topic_specs(settings) if spec.name in existing]
        if names:
            admin.delete_topics(names)
    finally:
        admin.close()
    es = es_client(settings)
    try:
        for alias in (settings.index_alias, settings.alerts_index_alias):
            # every version (explicit names: wildcard deletes are refused by default)
            names = list(es.indices.get(index=f"{alias}-v*", allow_no_indices=True))
            if names:
                es.indices.delete(index=",".join(names), ignore_unavailable=True)
            es.options(ignore_status=404).indices.delete_index_template(name=f"{alias}-template")
    finally:
        es.close()
