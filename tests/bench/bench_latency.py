"""End-to-end alert latency on the real local stack: from an article's append to
``articles.raw`` to its alert on ``alerts``, at 100 articles/s with 10,000 subscriptions.

Baseline in the same run: what today's tools do — poll the index on a schedule (10 s, the
finest interval Kibana rules allow; ElastAlert2's default is a minute) with the same query.
The baseline polls one query, which flatters it: 10,000 subscriptions would need 10,000
searches per round.

Latency = Kafka timestamp of the alert − Kafka timestamp of the raw article (both set by
producers on this machine). Run: ``make bench ARGS=latency`` (``--quick``: 10 s of load).
"""

from __future__ import annotations

import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from newsradar.bootstrap import bootstrap, teardown
from newsradar.es import es_client
from newsradar.records import Alert, Article, decode, encode
from newsradar.settings import Settings
from newsradar.stack.elasticsearch import ElasticsearchNode
from newsradar.stack.kafka import KafkaBroker
from newsradar.subscriptions import new_subscription
from newsradar.topology import (
    ALERTS,
    ARTICLES_RAW,
    ARTICLES_TAGGED,
    SUBSCRIPTIONS,
    topic_name,
)
from tests.bench.bench_matcher import Corpus
from tests.integration.conftest import env_for
from tests.integration.test_worker_recovery import SENTENCES

PROBE = "radarprobe"
RATE = 100.0
POLL_EVERY_S = 10.0


def _percentile(values: Sequence[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def _subscriptions(n: int) -> list[str]:
    rng = random.Random(11)
    corpus = Corpus.build()
    real = [
        "зброя AND country:KP",
        "sanction* AND country:RU",
        '"підводний човен"',
        "ракета NEAR/5 запуск",
        "topic:elections AND lang:pl",
        "Waffe* AND country:UA",
    ]
    queries = [PROBE, *real]
    queries += [corpus.subscription(rng) for _ in range(n - len(queries))]
    return queries


def _article(i: int, rng: random.Random) -> Article:
    now = datetime.now(UTC)
    body = " ".join(rng.choice(SENTENCES) for _ in range(20)) + f" {PROBE}"
    return Article(
        id=f"lat-{i:06d}", url=f"https://latency.example/{i}", title=f"Latency probe {i}",
        text=body, source="latency", feed_url="https://latency.example/rss",
        published_at=now, fetched_at=now,
    )  # fmt: skip


class AlertCollector(threading.Thread):
    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.seen: dict[str, int] = {}  # article id → alert timestamp (ms)
        self.tagged: dict[str, int] = {}  # article id → tagged timestamp (ms)
        self.stop = threading.Event()

    def run(self) -> None:
        alerts, tagged = (
            topic_name(self.settings, ALERTS),
            topic_name(self.settings, ARTICLES_TAGGED),
        )
        consumer = KafkaConsumer(
            alerts, tagged, bootstrap_servers=self.settings.kafka_bootstrap,
            auto_offset_reset="earliest", group_id=None,
        )  # fmt: skip
        try:
            while not self.stop.is_set():
                for tp, records in consumer.poll(timeout_ms=100).items():
                    for rec in records:
                        if tp.topic == tagged:
                            self.tagged.setdefault(rec.key.decode(), rec.timestamp)
                            continue
                        alert = decode(Alert, rec.value)
                        if alert.subscription_id == "probe":
                            self.seen.setdefault(alert.article_id, rec.timestamp)
        finally:
            consumer.close()


class IndexPoller(threading.Thread):
    """The baseline: search the index for the probe query every POLL_EVERY_S."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.seen: dict[str, float] = {}  # article id → detection time (ms)
        self.stop = threading.Event()

    def run(self) -> None:
        es = es_client(self.settings)
        try:
            while not self.stop.wait(POLL_EVERY_S):
                resp: Any = es.search(
                    index=self.settings.index_alias,
                    size=10_000,
                    query={"term": {"lemmas": PROBE}},
                    source=False,
                )
                now_ms = time.time() * 1000
                for hit in resp["hits"]["hits"]:
                    self.seen.setdefault(hit["_id"], now_ms)
        finally:
            es.close()


def run(quick: bool = False) -> list[dict[str, Any]]:
    n_subs = 10_000
    seconds = 10 if quick else 30
    base = Settings()
    KafkaBroker(base).start()
    ElasticsearchNode(base).start()
    run_id = uuid.uuid4().hex[:8]
    home = Path(tempfile.mkdtemp(prefix="nr-bench-"))
    settings = base.model_copy(update={
        "topic_prefix": f"bench-{run_id}.", "app_id": f"bench-{run_id}",
        "index_alias": f"nr-bench-{run_id}", "alerts_index_alias": f"nr-bench-alerts-{run_id}",
        "home": home, "cache_dir": base.cache,
    })  # fmt: skip
    bootstrap(settings)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", linger_ms=0)
    sub_topic = topic_name(settings, SUBSCRIPTIONS)
    for i, query in enumerate(_subscriptions(n_subs)):
        sub_id = "probe" if query == PROBE else f"s{i:06d}"
        producer.send(
            sub_topic, key=sub_id.encode(), value=encode(new_subscription(query, sub_id=sub_id))
        )
    producer.flush()

    log = (home / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "newsradar", "worker"],
                              env=env_for(settings), stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    collector, poller = AlertCollector(settings), IndexPoller(settings)
    collector.start()
    raw_topic = topic_name(settings, ARTICLES_RAW)
    sent: dict[str, int] = {}
    try:
        rng = random.Random(3)
        warm = _article(0, rng)
        producer.send(raw_topic, key=warm.id.encode(), value=encode(warm)).get(30)
        deadline = time.monotonic() + 180
        while warm.id not in collector.seen:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError(f"worker not ready; see {home / 'worker.log'}")
            time.sleep(0.1)
        poller.start()
        start = time.monotonic()
        for i in range(1, int(seconds * RATE) + 1):
            target = start + i / RATE
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            art = _article(i, rng)
            meta = producer.send(raw_topic, key=art.id.encode(), value=encode(art)).get(30)
            sent[art.id] = meta.timestamp
        achieved_rate = len(sent) / (time.monotonic() - start)
        deadline = time.monotonic() + 60
        while (not set(sent) <= set(collector.seen) or not set(sent) <= set(poller.seen)) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.5)
    finally:
        collector.stop.set()
        poller.stop.set()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
        producer.close()
        teardown(settings)

    ours = [collector.seen[a] - t for a, t in sent.items() if a in collector.seen]
    theirs = [poller.seen[a] - t for a, t in sent.items() if a in poller.seen]
    missing = len(sent) - len(ours)
    rows: list[dict[str, Any]] = [
        {"bench": "alert latency", "case": f"{n_subs:,} subscriptions, {achieved_rate:.0f} art/s",
         "value": len(sent), "unit": f"articles sent, {missing} without alert"},
    ]  # fmt: skip
    for q, name in ((0.5, "p50"), (0.99, "p99")):
        mine, base_ = _percentile(ours, q), _percentile(theirs, q)
        rows.append({"bench": "alert latency", "case": f"{name} raw → alert (stream)",
                     "value": mine, "unit": "ms",
                     "baseline": base_, "ratio": base_ / mine})  # fmt: skip
    rows.append({"bench": "alert latency", "case": "max raw → alert (stream)",
                 "value": max(ours), "unit": "ms"})  # fmt: skip
    # where the time goes: raw → tagged (tag agent), tagged → alert (alert agent)
    tagging = [collector.tagged[a] - t for a, t in sent.items() if a in collector.tagged]
    matching = [collector.seen[a] - collector.tagged[a] for a in sent
                if a in collector.seen and a in collector.tagged]  # fmt: skip
    for name, values in (("raw → tagged", tagging), ("tagged → alert", matching)):
        for q, label in ((0.5, "p50"), (0.99, "p99")):
            rows.append({"bench": "alert latency", "case": f"{label} {name}",
                         "value": _percentile(values, q), "unit": "ms"})  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
