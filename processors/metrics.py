"""Counters per stage and outcome (Prometheus), and a log line operators can read."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS = Counter(
    "newsradar_events_total",
    "Messages handled by a stage, by outcome",
    ["stage", "outcome"],
)
BULK_SECONDS = Histogram(
    "newsradar_bulk_seconds",
    "Elasticsearch bulk request duration",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TAG_SECONDS = Histogram(
    "newsradar_tag_seconds",
    "Tagging time per article",
    buckets=(0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1),
)


def count(stage: str, outcome: str, n: int = 1) -> None:
    if n:
        EVENTS.labels(stage=stage, outcome=outcome).inc(n)
