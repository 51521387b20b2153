"""The notifier's Kafka loop (kafka-python): a thin shell around :func:`deliver_batch`.

- alerts: consumer group ``<app_id>-notify``, manual commit after each batch is settled
  (delivered, recorded as failed, or held durably in the state file for a digest);
- subscriptions: the compacted topic followed from the beginning without a group, so
  changes (pause, new channels, deletes) apply within a poll;
- an alert that does not decode goes to ``alerts.dlq`` with the reason, never dropped.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from newsradar.records import Alert, RecordError, Subscription, decode, encode
from newsradar.settings import Settings
from newsradar.subscriptions.store import SubscriptionLog, apply_change
from newsradar.topology import ALERTS, dlq, topic_name
from processors import metrics
from processors.deadletter import dead_letter
from processors.notify.channels import build_channels
from processors.notify.deliver import DUPLICATE, HELD, BatchReport, RetryPolicy, deliver_batch
from processors.notify.dryrun import dry_run_channels, print_outcomes
from processors.notify.model import RecordLookup, SubscriptionDelivery
from processors.notify.state import DELIVERED, FAILED, SKIPPED, NotifyState

log = logging.getLogger("newsradar.notify")
STAGE = "notify"


def state_path(settings: Settings) -> Path:
    return settings.home / "notify" / "state.sqlite3"


class SubscriptionFollower:
    """The current subscriptions, read from the compacted topic and kept up to date."""

    def __init__(self, settings: Settings) -> None:
        self.topic_log = SubscriptionLog(settings, client_id="newsradar-notify-subscriptions")
        self.topic = self.topic_log.topic
        self.state: dict[str, Subscription] = {}
        self._lookup = RecordLookup(self.state)
        self._caught_up = 0.0

    def catch_up(self, timeout_ms: int = 15_000) -> int:
        """Read up to the end offsets of now; returns how many subscriptions are known."""
        self._caught_up = time.monotonic()
        for key, value in self.topic_log.read_to_end(timeout_ms / 1000):
            apply_change(self.state, key, value)
        return len(self.state)

    def poll(self, timeout_ms: int = 0) -> None:
        for key, value in self.topic_log.poll(timeout_ms):
            apply_change(self.state, key, value)

    def delivery(self, subscription_id: str) -> SubscriptionDelivery | None:
        if subscription_id not in self.state and time.monotonic() - self._caught_up > 1.0:
            # An alert can arrive before a non-blocking poll has fetched the subscription
            # that fired it (created a moment ago): read to the end before calling it
            # unknown. At most once a second, so deleted subscriptions cost little.
            try:
                self.catch_up(timeout_ms=5_000)
            except TimeoutError as exc:
                log.warning("notify: %s", exc)
        try:
            return self._lookup.delivery(subscription_id)
        except ValueError as exc:  # a mode this build does not know
            log.error("notify: subscription %s unreadable: %s", subscription_id, exc)
            return None

    def close(self) -> None:
        self.topic_log.close()


def run_notifier(
    settings: Settings,
    *,
    dry_run: bool = False,
    out: TextIO = sys.stdout,
    stop: threading.Event | None = None,
    on_batch: Callable[[BatchReport], None] | None = None,
    from_beginning: bool = False,
) -> None:
    """Consume ``alerts`` until ``stop`` is set.

    ``dry_run``: print what would be sent; send nothing, change no state, commit nothing,
    and stay out of the consumer group (a running notifier keeps its partitions). It reads
    new alerts, or the whole topic with ``from_beginning``.
    """
    from kafka import KafkaProducer

    stop = stop or threading.Event()
    topic = topic_name(settings, ALERTS)
    policy = RetryPolicy.from_settings(settings)
    with ExitStack() as cleanup:
        follower = SubscriptionFollower(settings)
        cleanup.callback(follower.close)
        known = follower.catch_up()
        log.info("notify: %d subscription(s) loaded; consuming %s", known, topic)
        consumer = _alerts_consumer(settings, topic, dry_run, from_beginning)
        cleanup.callback(consumer.close)
        producer: Any = None
        if not dry_run:
            producer = KafkaProducer(
                bootstrap_servers=settings.kafka_bootstrap, acks="all", retries=5
            )
            cleanup.callback(producer.close)
        path = state_path(settings)
        state = NotifyState.snapshot(path) if dry_run else NotifyState.open(path)
        cleanup.callback(state.close)
        channels = build_channels(settings)
        for channel in channels.values():
            cleanup.callback(channel.close)
        if dry_run:
            channels = dry_run_channels(channels, out)
        while not stop.is_set():
            batch = consumer.poll(timeout_ms=1000)
            follower.poll()
            alerts = _decode_batch(batch, topic, producer, out)
            report = deliver_batch(
                alerts,
                state,
                channels,
                datetime.now(UTC),
                subscriptions=follower,
                policy=policy,
                daily_hour=settings.notify_daily_hour,
                max_workers=16,
            )
            if batch and not dry_run:
                producer.flush(timeout=30)
                consumer.commit()  # every alert of the batch is settled or held on disk
            if dry_run:
                print_outcomes(report, out)
            if report.outcomes:
                _log_report(report)
                _count(report)
            if on_batch is not None:
                on_batch(report)


def _alerts_consumer(settings: Settings, topic: str, dry_run: bool, from_beginning: bool) -> Any:
    from kafka import KafkaConsumer, TopicPartition

    common: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "enable_auto_commit": False,
        # A batch's deliveries may take a while when endpoints time out (attempts ×
        # timeout + backoff, 16 at a time): small batches, and a long poll interval so
        # the group does not evict us meanwhile.
        "max_poll_records": 100,
        "max_poll_interval_ms": 15 * 60 * 1000,
        "client_id": "newsradar-notify",
    }
    if not dry_run:
        return KafkaConsumer(
            topic,
            group_id=f"{settings.app_id}-notify",
            auto_offset_reset="earliest",
            **common,
        )
    consumer = KafkaConsumer(group_id=None, **common)
    partitions = sorted(consumer.partitions_for_topic(topic) or ())
    if not partitions:
        consumer.close()
        raise RuntimeError(f"topic {topic} does not exist: run `newsradar init`")
    tps = [TopicPartition(topic, p) for p in partitions]
    consumer.assign(tps)
    if from_beginning:
        consumer.seek_to_beginning(*tps)
    else:
        consumer.seek_to_end(*tps)
    return consumer


def _decode_batch(
    batch: dict[Any, list[Any]], topic: str, producer: Any, out: TextIO
) -> list[Alert]:
    alerts: list[Alert] = []
    for records in batch.values():
        for record in records:
            try:
                alerts.append(decode(Alert, record.value))
            except RecordError as exc:
                log.error(
                    "notify: %s[%d]@%d undecodable: %s",
                    record.topic, record.partition, record.offset, exc,
                )  # fmt: skip
                letter = dead_letter(
                    stage=STAGE, reason=str(exc), error=exc, topic=record.topic,
                    partition=record.partition, offset=record.offset,
                    key=record.key, value=record.value,
                )  # fmt: skip
                metrics.count(STAGE, "dead_letter")
                if producer is None:
                    out.write(f"--- would dead-letter {record.topic}@{record.offset}: {exc}\n")
                else:
                    producer.send(dlq(topic), key=record.key, value=encode(letter))
    return alerts


def _count(report: BatchReport) -> None:
    for status in (DELIVERED, FAILED, SKIPPED, HELD, DUPLICATE):
        metrics.count(STAGE, status, report.alerts(status))


def _log_report(report: BatchReport) -> None:
    log.info(
        "notify: %d received; delivered %d, failed %d, held %d, skipped %d, duplicate %d",
        report.received,
        report.alerts("delivered"),
        report.alerts("failed"),
        report.alerts("held"),
        report.alerts("skipped"),
        report.alerts("duplicate"),
    )
