"""Where articles go: Kafka ``articles.raw`` (kafka-python), or a list in tests and benches.

The key of every message is the article id, so one article always lands on one partition
and compacting or deduplicating downstream is by key; the value is
:func:`newsradar.records.encode` of the Article, byte for byte what faust reads.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass, field
from typing import Any, Protocol

from newsradar.records import Article, encode
from newsradar.settings import Settings
from newsradar.topology import ARTICLES_RAW, topic_name


@dataclass
class Delivery:
    """Outcome of the sends since the previous flush."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class ArticleSink(Protocol):
    def send(self, article: Article) -> None: ...

    def flush(self) -> Delivery:
        """Block until every send so far is acknowledged or failed."""
        ...

    def close(self) -> None: ...


class KafkaSink:
    """kafka-python producer with ``acks="all"``; key = article id."""

    def __init__(self, settings: Settings, *, topic: str | None = None, **overrides: Any) -> None:
        config: dict[str, Any] = {
            "bootstrap_servers": settings.kafka_bootstrap.split(","),
            "client_id": "newsradar-ingest",
            "acks": "all",
            "linger_ms": 20,
            "retries": 5,
            "max_block_ms": 30_000,
            "request_timeout_ms": 30_000,
        }
        config.update(overrides)
        self.topic = topic or topic_name(settings, ARTICLES_RAW)
        self._producer = _kafka_producer(config)
        self._lock = threading.Lock()
        self._pending = Delivery()

    def send(self, article: Article) -> None:
        future = self._producer.send(
            self.topic, key=article.id.encode("utf-8"), value=encode(article)
        )
        future.add_callback(self._on_success)
        future.add_errback(self._on_error, article.id)

    def _on_success(self, _metadata: object) -> None:
        with self._lock:
            self._pending.sent += 1

    def _on_error(self, article_id: str, exc: BaseException) -> None:
        with self._lock:
            self._pending.failed += 1
            if len(self._pending.errors) < 20:
                self._pending.errors.append(f"{article_id}: {type(exc).__name__}: {exc}")

    def flush(self) -> Delivery:
        self._producer.flush()
        with self._lock:
            done, self._pending = self._pending, Delivery()
        return done

    def close(self) -> None:
        self._producer.close()


def _kafka_producer(config: dict[str, Any]) -> Any:
    # kafka-python 3.0 calls importlib.resources.read_text (deprecated) while importing
    # its protocol schemas; keep that out of our users' warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaProducer

    return KafkaProducer(**config)


def deliver(sink: ArticleSink, articles: list[Article]) -> Delivery:
    """Send and flush (blocking: run it in a thread from async code). A send that raises
    (no broker, metadata timeout) counts every article not yet acknowledged as failed."""
    try:
        for article in articles:
            sink.send(article)
        return sink.flush()
    except Exception as exc:
        try:
            done = sink.flush()
        except Exception:
            done = Delivery()
        failed = len(articles) - done.sent
        return Delivery(sent=done.sent, failed=failed, errors=[f"{type(exc).__name__}: {exc}"])


class ListSink:
    """Keeps articles in memory: for tests, benchmarks and ``--dry-run`` style use."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self._unflushed = 0

    def send(self, article: Article) -> None:
        self.articles.append(article)
        self._unflushed += 1

    def flush(self) -> Delivery:
        done, self._unflushed = self._unflushed, 0
        return Delivery(sent=done)

    def close(self) -> None:
        pass
