"""Per-topic totals and the lag of the group that consumes each topic (``newsradar status``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsradar.settings import Settings
from newsradar.topology import ALERTS, ARTICLES_RAW, ARTICLES_TAGGED, topic_name, topic_specs


@dataclass(frozen=True)
class TopicLag:
    topic: str
    messages: int  # sum of end offsets
    group: str | None  # the consumer group that commits on it
    lag: int | None  # end − committed; None: no group, or it never committed


def end_offsets(consumer: Any, topic: str) -> dict[Any, int]:
    """The end offset of each partition of ``topic`` (empty when it does not exist)."""
    from kafka import TopicPartition

    parts = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    return dict(consumer.end_offsets(tps)) if tps else {}


def topic_total(settings: Settings, topic: str) -> int:
    """Messages ever appended to ``topic``: the sum of its end offsets."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    try:
        return sum(end_offsets(consumer, topic).values())
    finally:
        consumer.close()


def consumer_groups(settings: Settings) -> dict[str, str]:
    """Which group commits offsets on which topic (the worker, the notifier)."""
    return {
        topic_name(settings, ARTICLES_RAW): settings.app_id,
        topic_name(settings, ARTICLES_TAGGED): settings.app_id,
        topic_name(settings, ALERTS): f"{settings.app_id}-notify",
    }


def topic_lags(settings: Settings) -> list[TopicLag]:
    from kafka import KafkaAdminClient, KafkaConsumer

    groups = consumer_groups(settings)
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap,
                             client_id="newsradar-status")  # fmt: skip
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap,
                             client_id="newsradar-status")  # fmt: skip
    try:
        committed: dict[str, dict[Any, Any]] = admin.list_group_offsets(
            sorted(set(groups.values()))
        )
        out = []
        for spec in topic_specs(settings):
            ends = end_offsets(consumer, spec.name)
            group = groups.get(spec.name)
            offsets = committed.get(group, {}) if group else {}
            done = [tp for tp in ends if tp in offsets]
            lag = sum(ends[tp] - offsets[tp].offset for tp in done) if done else None
            out.append(TopicLag(spec.name, sum(ends.values()), group, lag))
        return out
    finally:
        consumer.close()
        admin.close()
