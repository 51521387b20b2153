"""The wiring in one place: topic names, their partitions and retention.

Stages receive topic names from here; they never know their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsradar.settings import Settings

ARTICLES_RAW = "articles.raw"
ARTICLES_TAGGED = "articles.tagged"
ALERTS = "alerts"
SUBSCRIPTIONS = "subscriptions"


def topic_name(settings: Settings, base: str) -> str:
    """The topic's name on the broker: ``NEWSRADAR_TOPIC_PREFIX`` + base name.

    The prefix lets several pipelines (or test runs) share one cluster.
    """
    return settings.topic_prefix + base


def dlq(topic: str) -> str:
    """The dead-letter topic of a consumer reading ``topic``."""
    return f"{topic}.dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int  # -1: forever
    compact: bool = False

    @property
    def configs(self) -> dict[str, str]:
        return {
            "retention.ms": str(self.retention_ms),
            "cleanup.policy": "compact" if self.compact else "delete",
        }


def topic_specs(settings: Settings) -> list[TopicSpec]:
    hour_ms = 3_600_000
    data_ms = settings.topic_retention_hours * hour_ms
    dlq_ms = settings.dlq_retention_hours * hour_ms
    parts = settings.topic_partitions
    bases = (ARTICLES_RAW, ARTICLES_TAGGED, ALERTS)
    specs = [TopicSpec(topic_name(settings, t), parts, data_ms) for t in bases]
    # Each input topic has a dead-letter topic: the tagger reads articles.raw, the indexer
    # (and the alert matcher) read articles.tagged, the notifier reads alerts. A dead
    # letter names the stage that refused the message.
    specs += [TopicSpec(topic_name(settings, dlq(t)), 1, dlq_ms) for t in bases]
    # Subscriptions: the current state of every saved query, kept forever by compaction.
    # One partition, so every change is ordered and a worker reads one log.
    specs.append(TopicSpec(topic_name(settings, SUBSCRIPTIONS), 1, -1, compact=True))
    return specs
