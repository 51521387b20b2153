"""Writing documents to Elasticsearch in bulk, retrying what can be retried."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from faust.types import EventT

from processors import metrics
from processors.index_stage import bulk_operations, triage_bulk_response

log = logging.getLogger("newsradar.worker")

MAX_BACKOFF_S = 30.0

Quarantine = Callable[[str, EventT[bytes], str, BaseException | None], Awaitable[Any]]


async def write_bulk(
    es: Any,
    index: str,
    docs: list[dict[str, Any]],
    sources: list[EventT[bytes]],
    *,
    stage: str,
    quarantine: Quarantine,
) -> list[Any]:
    """Index ``docs`` (``_id`` = doc id) until each is written or refused.

    Transport errors and 429/5xx items are retried with exponential backoff, never
    dropped; a document Elasticsearch refuses (4xx) sends its source message to the dead
    letters. Returns the pending dead-letter sends for the caller to await.
    """
    pending: list[Any] = []
    backoff = 0.5
    while docs:
        try:
            with metrics.BULK_SECONDS.time():
                response = await es.bulk(operations=bulk_operations(index, docs))
        except Exception as exc:  # transport trouble: retry the batch
            first = sources[0].message
            log.warning(
                "%s: bulk of %d failed at %s[%d]@%d (%r); retrying in %.1f s",
                stage, len(docs), first.topic, first.partition, first.offset, exc, backoff,
            )  # fmt: skip
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)
            continue
        outcome = triage_bulk_response(dict(response))
        metrics.count(stage, "indexed", len(outcome.indexed))
        for pos, reason in outcome.rejected.items():
            pending.append(await quarantine(stage, sources[pos], reason, None))
        if outcome.retry:
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)
        docs = [docs[pos] for pos in outcome.retry]
        sources = [sources[pos] for pos in outcome.retry]
    return pending


def hold_back(events: Iterable[EventT[Any]]) -> None:
    """Keep these events' offsets from being committed.

    faust acknowledges a batch from ``take_events`` when the agent's body ends, even when
    it ends by cancellation (the worker stopping while a write was still retrying). One
    extra reference per message makes that acknowledgement a no-op, so the consumer never
    commits past an unwritten message and the next worker processes it again.
    """
    for event in events:
        event.message.incref()
