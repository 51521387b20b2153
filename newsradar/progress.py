"""What ``newsradar run`` shows: messages per topic, documents indexed, top countries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsradar.lag import end_offsets
from newsradar.settings import Settings
from newsradar.topology import ARTICLES_RAW, ARTICLES_TAGGED, dlq, topic_name


@dataclass
class Snapshot:
    raw: int = 0
    tagged: int = 0
    dead_letters: int = 0
    indexed: int = 0
    top_countries: list[tuple[str, int]] = field(default_factory=list)
    top_topics: list[tuple[str, int]] = field(default_factory=list)
    error: str = ""


class ProgressProbe:
    """Reads totals from Kafka (end offsets) and Elasticsearch (count, aggregations)."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaConsumer

        from newsradar.es import es_client

        self.s = settings
        self.consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap, client_id="newsradar-progress"
        )
        self.es = es_client(settings, timeout_s=5)

    def _total(self, topic: str) -> int:
        return sum(end_offsets(self.consumer, topic).values())

    def snapshot(self) -> Snapshot:
        snap = Snapshot()
        try:
            snap.raw = self._total(topic_name(self.s, ARTICLES_RAW))
            snap.tagged = self._total(topic_name(self.s, ARTICLES_TAGGED))
            snap.dead_letters = sum(
                self._total(topic_name(self.s, dlq(base)))
                for base in (ARTICLES_RAW, ARTICLES_TAGGED)
            )
            resp: Any = self.es.search(
                index=self.s.index_alias,
                size=0,
                track_total_hits=True,
                aggs={
                    "countries": {"terms": {"field": "countries", "size": 8}},
                    "topics": {"terms": {"field": "topics", "size": 5}},
                },
            )
            snap.indexed = int(resp["hits"]["total"]["value"])
            snap.top_countries = [
                (b["key"], b["doc_count"]) for b in resp["aggregations"]["countries"]["buckets"]
            ]
            snap.top_topics = [
                (b["key"], b["doc_count"]) for b in resp["aggregations"]["topics"]["buckets"]
            ]
        except Exception as exc:  # progress display must never stop the pipeline
            snap.error = f"{type(exc).__name__}: {exc}"
        return snap

    def close(self) -> None:
        self.consumer.close()
        self.es.close()
