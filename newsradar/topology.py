"""The wiring in one place: topic names, their partitions and retention.

Stages receive topic names from here; they never know their neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsradar.settings import Settings

ARTICLES_RAW = "articles.raw"
ARTICLES_TAGGED = "articles.tagged"
ALERTS = "alerts"


def dlq(topic: str) -> str:
    """The dead-letter topic of a consumer reading ``topic``."""
    return f"{topic}.dlq"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int

    @property
    def configs(self) -> dict[str, str]:
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": "delete"}


def topic_specs(settings: Settings) -> list[TopicSpec]:
    hour_ms = 3_600_000
    data_ms = settings.topic_retention_hours * hour_ms
    dlq_ms = settings.dlq_retention_hours * hour_ms
    parts = settings.topic_partitions
    specs = [TopicSpec(t, parts, data_ms) for t in (ARTICLES_RAW, ARTICLES_TAGGED, ALERTS)]
    # Every consumer has its own dead-letter topic: the tagger reads articles.raw, the
    # indexer and the alert matcher read articles.tagged, the notifier reads alerts.
    specs += [TopicSpec(dlq(t), 1, dlq_ms) for t in (ARTICLES_RAW, ARTICLES_TAGGED, ALERTS)]
    return specs
