"""Follow the compacted ``subscriptions`` topic into a worker's in-memory index."""

from __future__ import annotations

import asyncio
import gc
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition

from newsradar.lang import SUPPORTED_LANGUAGES
from processors import metrics
from processors.alert_stage import SubscriptionIndex

log = logging.getLogger("newsradar.worker")


async def follow_subscriptions(
    bootstrap: str, topic: str, index: SubscriptionIndex, loaded: asyncio.Event
) -> None:
    """Read the topic from the beginning (every worker needs every subscription, so no
    consumer group), set ``loaded`` once the end is reached, then apply each change as it
    arrives — within milliseconds of the write."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
        client_id="newsradar-subscriptions-follower",
    )  # fmt: skip
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            log.error("alert: topic %s missing (run `newsradar init`); no subscriptions", topic)
            loaded.set()
            return
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        while True:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batches.values():
                for record in records:
                    index.apply(record.key, record.value)
                    metrics.count("alert", "subscription_change")
            if not loaded.is_set():
                positions = [await consumer.position(tp) for tp in tps]
                if all(pos >= ends[tp] for pos, tp in zip(positions, tps, strict=True)):
                    # Build every language's presearcher now, not on its first article,
                    # and keep the long-lived index out of the garbage collector's scans.
                    index.queries.prepare(*SUPPORTED_LANGUAGES, None)
                    gc.freeze()
                    log.info("alert: %d active subscription(s) loaded", len(index))
                    loaded.set()
    finally:
        await consumer.stop()
