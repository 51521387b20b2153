"""The faust app: the only place that knows which stage reads and writes which topic.

Agents are thin: they move messages and call the pure functions in ``tag_stage`` and
``index_stage``. Every per-message failure is handled here — faust would otherwise ack
a failed event and move on — by quarantining the message to the dead-letter topic of
the input topic, with the reason. Offsets are acknowledged only after the downstream
write (Kafka send or Elasticsearch bulk) has been acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, cast

import faust
from faust.streams import Stream
from faust.types import EventT, StreamT

from newsradar.records import RecordError, TaggedArticle, decode, encode
from newsradar.settings import Settings
from newsradar.topology import ARTICLES_RAW, ARTICLES_TAGGED, dlq, topic_name
from processors import metrics
from processors.deadletter import dead_letter
from processors.index_stage import bulk_operations, to_document, triage_bulk_response
from processors.tag_stage import tag_raw
from processors.tagging import Tagger, get_tagger

log = logging.getLogger("newsradar.worker")

TAG_BATCH = 64
TAG_WITHIN_S = 0.05
MAX_BACKOFF_S = 30.0


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

    def raw_topic(name: str) -> Any:
        return app.topic(name, key_serializer="raw", value_serializer="raw")

    raw_in = raw_topic(topic_name(settings, ARTICLES_RAW))
    tagged = raw_topic(topic_name(settings, ARTICLES_TAGGED))
    dlq_topics = {
        topic_name(settings, base): raw_topic(topic_name(settings, dlq(base)))
        for base in (ARTICLES_RAW, ARTICLES_TAGGED)
    }

    async def quarantine(
        stage: str, event: EventT[bytes], reason: str, error: BaseException | None
    ) -> Any:
        msg = event.message
        record = dead_letter(
            stage=stage,
            reason=reason,
            error=error,
            topic=msg.topic,
            partition=msg.partition,
            offset=msg.offset,
            key=msg.key,
            value=msg.value,
        )
        log.warning(
            "%s: %s[%d]@%d quarantined: %s", stage, msg.topic, msg.partition, msg.offset, reason
        )
        metrics.count(stage, "dead_letter")
        return await dlq_topics[msg.topic].send(key=msg.key, value=encode(record))

    @app.agent(raw_in, name="tag")
    async def tag_agent(stream: StreamT[bytes]) -> None:
        async for events in cast(Stream[bytes], stream).take_events(TAG_BATCH, within=TAG_WITHIN_S):
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
            await asyncio.gather(*pending)

    @app.agent(tagged, name="index")
    async def index_agent(stream: StreamT[bytes]) -> None:
        from elasticsearch import AsyncElasticsearch

        es = AsyncElasticsearch(settings.es_url, request_timeout=60)
        try:
            async for events in cast(Stream[bytes], stream).take_events(
                settings.bulk_size, within=settings.bulk_within_s
            ):
                await index_batch(es, events)
        finally:
            await es.close()

    async def index_batch(es: Any, events: Sequence[EventT[bytes]]) -> None:
        docs: list[dict[str, Any]] = []
        sources: list[EventT[bytes]] = []
        pending = []
        for event in events:
            try:
                docs.append(to_document(decode(TaggedArticle, event.message.value)))
                sources.append(event)
            except RecordError as exc:
                pending.append(await quarantine("index", event, str(exc), exc))
        backoff = 0.5
        while docs:
            try:
                with metrics.BULK_SECONDS.time():
                    response = await es.bulk(operations=bulk_operations(settings.index_alias, docs))
            except Exception as exc:  # transport trouble: retry the batch, never drop it
                first = sources[0].message
                log.warning(
                    "index: bulk of %d failed at %s[%d]@%d (%r); retrying in %.1f s",
                    len(docs),
                    first.topic,
                    first.partition,
                    first.offset,
                    exc,
                    backoff,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            outcome = triage_bulk_response(dict(response))
            metrics.count("index", "indexed", len(outcome.indexed))
            for pos, reason in outcome.rejected.items():
                pending.append(await quarantine("index", sources[pos], reason, None))
            if outcome.retry:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
            docs = [docs[pos] for pos in outcome.retry]
            sources = [sources[pos] for pos in outcome.retry]
        await asyncio.gather(*pending)

    return app


def run_worker(settings: Settings, loglevel: str = "info") -> None:
    """Run the faust worker in this process until SIGINT/SIGTERM.

    The tagger's data is loaded first, so a broken gazetteer stops the start-up with its
    error instead of crashing the agent in a restart loop.
    """
    app = create_app(settings, get_tagger())
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
