"""The subscription store on the compacted ``subscriptions`` topic (kafka-python).

Kafka is the one source of truth: the CLI and the HTTP API write here, every worker follows
the topic. A change is one message keyed by subscription id; a null value deletes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from newsradar.records import RecordError, Subscription, decode, encode
from newsradar.settings import Settings
from newsradar.subscriptions.model import SubscriptionError, check_delivery, validate_query
from newsradar.topology import SUBSCRIPTIONS, topic_name


def apply_change(state: dict[str, Subscription], key: bytes | None, value: bytes | None) -> None:
    """Fold one message of the topic into ``state`` (a tombstone deletes)."""
    if key is None:
        return
    sub_id = key.decode("utf-8", errors="replace")
    if value is None:
        state.pop(sub_id, None)
        return
    try:
        state[sub_id] = decode(Subscription, value)
    except RecordError:
        return  # an unreadable record never blocks the others


class SubscriptionLog:
    """The whole ``subscriptions`` topic from its beginning, read with kafka-python.

    No consumer group: every reader (the CLI, the API, the notifier) needs every
    subscription, so each reads all partitions itself.
    """

    def __init__(self, settings: Settings, client_id: str = "newsradar-subscriptions") -> None:
        from kafka import KafkaConsumer, TopicPartition

        self.topic = topic_name(settings, SUBSCRIPTIONS)
        self.consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap,
            enable_auto_commit=False,
            group_id=None,
            client_id=client_id,
        )
        partitions = self.consumer.partitions_for_topic(self.topic)
        if not partitions:
            self.consumer.close()
            raise SubscriptionError(
                f"topic {self.topic} does not exist: run `newsradar init` (or `up`)"
            )
        self.partitions = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        self.consumer.assign(self.partitions)
        self.consumer.seek_to_beginning(*self.partitions)

    def poll(self, timeout_ms: int = 0) -> Iterator[tuple[bytes | None, bytes | None]]:
        for records in self.consumer.poll(timeout_ms=timeout_ms).values():
            for record in records:
                yield record.key, record.value

    def read_to_end(self, timeout_s: float) -> Iterator[tuple[bytes | None, bytes | None]]:
        """The messages up to the end offsets of now; TimeoutError if that takes longer."""
        ends: dict[Any, int] = self.consumer.end_offsets(self.partitions)
        deadline = time.monotonic() + timeout_s
        while any(self.consumer.position(tp) < ends[tp] for tp in self.partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out reading {self.topic}")
            yield from self.poll(500)

    def close(self) -> None:
        self.consumer.close()


class SubscriptionStore:
    """Read the whole current state; write changes with ``acks=all``.

    ``follow``: keep the topic open and fold in only what is new at each ``load`` (a
    long-running reader such as the API), instead of reading it from the beginning every
    time (the CLI). Either way ``load`` reads up to the end offsets of the moment, so a
    change this store has written is always in what it reads next.
    """

    def __init__(self, settings: Settings, follow: bool = False) -> None:
        self.settings = settings
        self.topic = topic_name(settings, SUBSCRIPTIONS)
        self._producer: Any = None
        self._follow = follow
        self._log: SubscriptionLog | None = None
        self._state: dict[str, Subscription] = {}
        self._lock = threading.Lock()  # one consumer, shared by the API's worker threads

    # --- reading -------------------------------------------------------------------
    def messages(self, timeout_s: float = 15.0) -> Iterator[tuple[bytes | None, bytes | None]]:
        """Every message from the beginning to the end offsets at call time."""
        log = SubscriptionLog(self.settings)
        try:
            yield from log.read_to_end(timeout_s)
        except TimeoutError as exc:
            raise SubscriptionError(str(exc)) from exc
        finally:
            log.close()

    def load(self) -> dict[str, Subscription]:
        if self._follow:
            return self._catch_up()
        state: dict[str, Subscription] = {}
        for key, value in self.messages():
            apply_change(state, key, value)
        return state

    def _catch_up(self, timeout_s: float = 15.0) -> dict[str, Subscription]:
        with self._lock:
            try:
                if self._log is None:
                    self._log = SubscriptionLog(self.settings)
                for key, value in self._log.read_to_end(timeout_s):
                    apply_change(self._state, key, value)
            except TimeoutError as exc:
                raise SubscriptionError(str(exc)) from exc
            return dict(self._state)

    def get(self, sub_id: str) -> Subscription:
        found = self.load().get(sub_id)
        if found is None:
            raise SubscriptionError(f"no subscription {sub_id!r}")
        return found

    # --- writing -------------------------------------------------------------------
    def _send(self, key: str, value: bytes | None) -> None:
        from kafka import KafkaProducer

        if self._producer is None:
            self._producer = KafkaProducer(
                bootstrap_servers=self.settings.kafka_bootstrap,
                acks="all",
                retries=5,
                client_id="newsradar-subscriptions",
            )
        self._producer.send(self.topic, key=key.encode(), value=value).get(timeout=30)

    def put(self, sub: Subscription) -> Subscription:
        validate_query(sub.query)
        check_delivery(sub.mode, sub.quiet_minutes)
        self._send(sub.id, encode(sub))
        return sub

    def create(self, sub: Subscription) -> Subscription:
        if sub.id in self.load():
            raise SubscriptionError(f"subscription {sub.id!r} exists; use update")
        return self.put(sub)

    def update(self, sub_id: str, **changes: Any) -> Subscription:
        current = self.get(sub_id)
        fields = current.asdict()
        unknown = set(changes) - set(fields)
        if unknown:
            raise SubscriptionError(f"unknown field(s): {', '.join(sorted(unknown))}")
        fields.update(changes)
        fields["updated_at"] = datetime.now(UTC)
        return self.put(Subscription(**fields))

    def delete(self, sub_id: str) -> None:
        self.get(sub_id)
        self._send(sub_id, None)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None
