"""The faust app: the only place that knows which stage reads and writes which topic.

Agents are thin: they move messages and call the pure functions in ``tag_stage``,
``index_stage`` and ``alert_stage``. Every per-message failure is handled here — faust
would otherwise ack a failed event and move on — by quarantining the message to the
dead-letter topic of its input topic, with the reason. A batch's offsets are acknowledged
only after its downstream writes (Kafka sends, Elasticsearch bulk) were acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, cast

import faust
from faust.streams import Stream
from faust.types import EventT, StreamT

from newsradar.records import Alert, RecordError, TaggedArticle, decode, encode
from newsradar.settings import Settings
from newsradar.topology import (
    ALERTS,
    ARTICLES_RAW,
    ARTICLES_TAGGED,
    SUBSCRIPTIONS,
    dlq,
    topic_name,
)
from processors import metrics
from processors.alert_stage import SubscriptionIndex, alert_document
from processors.bulk import hold_back, write_bulk
from processors.deadletter import dead_letter
from processors.follow import follow_subscriptions
from processors.index_stage import to_document
from processors.tag_stage import tag_raw
from processors.tagging import Tagger, get_tagger

log = logging.getLogger("newsradar.worker")

TAG_BATCH = 64
TAG_WITHIN_S = 0.02
ALERT_BATCH = 256
ALERT_WITHIN_S = 0.02


def create_app(settings: Settings, tagger: Tagger) -> faust.App:
    datadir = settings.home / "worker" / settings.app_id
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        web_enabled=False,
        topic_allow_declare=False,  # topics are created, with their settings, by bootstrap
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        broker_commit_interval=1.0,
        broker_session_timeout=settings.worker_session_timeout_s,
        broker_heartbeat_interval=settings.worker_session_timeout_s / 4,
        producer_acks=-1,
        producer_linger_ms=5,
        datadir=str(datadir),
        stream_wait_empty=False,
    )

    def raw_topic(base: str) -> Any:
        return app.topic(topic_name(settings, base), key_serializer="raw", value_serializer="raw")

    raw_in, tagged, alerts = raw_topic(ARTICLES_RAW), raw_topic(ARTICLES_TAGGED), raw_topic(ALERTS)
    dlq_topics = {
        topic_name(settings, base): raw_topic(dlq(base)) for base in (ARTICLES_RAW, ARTICLES_TAGGED)
    }
    subscriptions = SubscriptionIndex()
    subscriptions_loaded = asyncio.Event()

    def es_client() -> Any:
        from elasticsearch import AsyncElasticsearch

        return AsyncElasticsearch(settings.es_url, request_timeout=60)

    async def quarantine(
        stage: str, event: EventT[bytes], reason: str, error: BaseException | None
    ) -> Any:
        msg = event.message
        record = dead_letter(
            stage=stage, reason=reason, error=error, topic=msg.topic, partition=msg.partition,
            offset=msg.offset, key=msg.key, value=msg.value,
        )  # fmt: skip
        log.warning(
            "%s: %s[%d]@%d quarantined: %s", stage, msg.topic, msg.partition, msg.offset, reason
        )
        metrics.count(stage, "dead_letter")
        return await dlq_topics[msg.topic].send(key=msg.key, value=encode(record))

    @app.agent(raw_in, name="tag")
    async def tag_agent(stream: StreamT[bytes]) -> None:
        async for events in cast(Stream[bytes], stream).take_events(TAG_BATCH, TAG_WITHIN_S):
            pending = []
            for event in events:
                try:
                    with metrics.TAG_SECONDS.time():
                        result = tag_raw(tagger, event.message.value)
                except RecordError as exc:
                    pending.append(await quarantine("tag", event, str(exc), exc))
                    continue
                except Exception as exc:  # a tagger bug must not stop the stream
                    log.exception("tag: unexpected error")
                    pending.append(await quarantine("tag", event, f"tagger failed: {exc!r}", exc))
                    continue
                pending.append(await tagged.send(key=result.id.encode(), value=encode(result)))
                metrics.count("tag", "tagged")
            # the batch's offsets are acked when this body returns: only after Kafka acked
            try:
                await asyncio.gather(*pending)
            except asyncio.CancelledError:
                hold_back(events)
                raise

    @app.agent(tagged, name="index")
    async def index_agent(stream: StreamT[bytes]) -> None:
        batches = cast(Stream[bytes], stream).take_events(
            settings.bulk_size, settings.bulk_within_s
        )
        es = es_client()
        try:
            async for events in batches:
                try:
                    await index_batch(es, events)
                except asyncio.CancelledError:  # stopping while a write was still retrying
                    hold_back(events)
                    raise
        finally:
            await es.close()

    async def index_batch(es: Any, events: Sequence[EventT[Any]]) -> None:
        docs: list[dict[str, Any]] = []
        sources: list[EventT[bytes]] = []
        pending = []
        for event in events:
            try:
                docs.append(to_document(decode(TaggedArticle, event.message.value)))
                sources.append(event)
            except RecordError as exc:
                pending.append(await quarantine("index", event, str(exc), exc))
        pending += await write_bulk(
            es, settings.index_alias, docs, sources, stage="index", quarantine=quarantine
        )
        await asyncio.gather(*pending)

    @app.task  # type: ignore[untyped-decorator]
    async def subscriptions_follower() -> None:
        await follow_subscriptions(
            settings.kafka_bootstrap,
            topic_name(settings, SUBSCRIPTIONS),
            subscriptions,
            subscriptions_loaded,
        )

    @app.agent(tagged, name="alert")
    async def alert_agent(stream: StreamT[bytes]) -> None:
        await subscriptions_loaded.wait()  # never match before every subscription is known
        es = es_client()
        try:
            async for events in cast(Stream[bytes], stream).take_events(
                ALERT_BATCH, ALERT_WITHIN_S
            ):
                try:
                    await alert_batch(es, events)
                except asyncio.CancelledError:
                    hold_back(events)
                    raise
        finally:
            await es.close()

    async def alert_batch(es: Any, events: Sequence[EventT[Any]]) -> None:
        matched: list[tuple[EventT[Any], Alert]] = []
        sends = []
        for event in events:
            try:
                article = decode(TaggedArticle, event.message.value)
                found = subscriptions.alerts_for(article)
            except RecordError:
                continue  # the index agent quarantines unreadable messages
            except Exception as exc:  # a matcher bug must not stop the stream
                log.exception("alert: unexpected error")
                sends.append(await quarantine("alert", event, f"matcher failed: {exc!r}", exc))
                continue
            matched += [(event, alert) for alert in found]
            metrics.count("alert", "matched", len(found))
        # A replay (after a crash or a rebalance) matches again: alerts already written
        # are not sent a second time. The window left — a crash between the send and the
        # index write — is closed downstream: the notifier delivers an alert id once.
        done = await already_alerted(es, [alert.id for _, alert in matched])
        fresh = [(event, alert) for event, alert in matched if alert.id not in done]
        metrics.count("alert", "replayed", len(matched) - len(fresh))
        for _, alert in fresh:
            sends.append(await alerts.send(key=alert.subscription_id.encode(),
                                           value=encode(alert)))  # fmt: skip
        sends += await write_bulk(
            es, settings.alerts_index_alias, [alert_document(a) for _, a in fresh],
            [event for event, _ in fresh], stage="alert", quarantine=quarantine,
        )  # fmt: skip
        await asyncio.gather(*sends)

    async def already_alerted(es: Any, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        backoff = 0.5
        while True:
            try:
                resp = await es.mget(index=settings.alerts_index_alias, ids=ids, source=False)
                return {doc["_id"] for doc in resp["docs"] if doc.get("found")}
            except Exception as exc:  # Elasticsearch away: wait, never guess
                log.warning("alert: checking %d alert id(s) failed (%r); retrying", len(ids), exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    return app


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Run the faust worker in this process until SIGINT/SIGTERM.

    The tagger's data is loaded first, so a broken gazetteer stops the start-up with its
    error instead of crashing the agent in a restart loop.
    """
    tagger = Tagger(settings.taxonomies) if settings.taxonomies else get_tagger()
    app = create_app(settings, tagger)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
